//! Bytes to text: byte-order marks, the XML declaration, and the fallbacks feedparser uses when
//! a declaration lies (GB2312 declared but GB18030 content, cp1252 smart quotes in "UTF-8").
//!
//! The order of attempts is feedparser's: the declared encoding (UTF-8 when none), the BOM's,
//! UTF-8, windows-1252, ISO-8859-2; the first that decodes every byte wins. GB2312 is always read
//! as GB18030, its superset.
//!
//! A charset from the HTTP header ([`decode_with`]) is tried first, unless a BOM is present (the
//! BOM wins) or the header names US-ASCII, ISO-8859-1 or windows-1252: servers add those by
//! default, so they are tried after the declared encoding and UTF-8. GB2312, GBK and `cp936`
//! headers read as GB18030, `x-big5`, `cp950` and Big5-HKSCS as Big5.

use crate::model::Warning;
use encoding_rs::Encoding;
use std::borrow::Cow;

/// Decoded text and how it was obtained.
pub(crate) struct Decoded<'a> {
    /// Borrowed from the input when it needed no conversion (valid UTF-8, or ASCII).
    pub(crate) text: Cow<'a, str>,
    pub(crate) encoding: &'static str,
    pub(crate) warnings: Vec<Warning>,
}

/// Decodes `bytes` as feedparser would; never fails (ISO-8859-2 decodes anything).
pub(crate) fn decode(bytes: &[u8]) -> Decoded<'_> {
    decode_with(bytes, None)
}

/// Like [`decode`], with the charset label of the HTTP `Content-Type` header (`gbk`).
pub(crate) fn decode_with<'a>(bytes: &'a [u8], header_charset: Option<&str>) -> Decoded<'a> {
    let (bom, data) = sniff_bom(bytes);
    let header = header_charset
        .filter(|_| bom.is_none())
        .map(header_label)
        .filter(|h| !h.is_empty());
    let (strong, weak) = match header {
        Some(h) if is_default_label(&h) => (None, Some(h)),
        h => (h, None),
    };
    let declared = declared_encoding(bom, data);
    let declared = declared.map(|d| {
        let d = d.to_ascii_lowercase();
        let is_unicode_family = matches!(
            d.as_str(),
            "u16"
                | "utf-16"
                | "utf16"
                | "utf_16"
                | "u32"
                | "utf-32"
                | "utf32"
                | "utf_32"
                | "iso-10646-ucs-2"
                | "iso-10646-ucs-4"
                | "csucs4"
                | "csunicode"
                | "ucs-2"
                | "ucs-4"
        );
        match bom {
            Some(b) if is_unicode_family => b.to_owned(),
            _ if d == "gb2312" => "gb18030".to_owned(),
            _ => d,
        }
    });
    let first = strong
        .clone()
        .or_else(|| declared.clone())
        .unwrap_or_else(|| "utf-8".to_owned());
    let mut tried: Vec<String> = Vec::new();
    let candidates = [
        Some(first.clone()),
        declared,
        bom.map(str::to_owned),
        Some("utf-8".to_owned()),
        weak,
        Some("windows-1252".to_owned()),
        Some("iso-8859-2".to_owned()),
    ];
    let mut warnings = Vec::new();
    for candidate in candidates.into_iter().flatten() {
        if tried.contains(&candidate) {
            continue;
        }
        tried.push(candidate.clone());
        if let Some((text, name)) = decode_as(&candidate, data) {
            if candidate != first {
                warnings.push(Warning {
                    line: 0,
                    column: 0,
                    message: format!("document declared as {first}, but read as {candidate}"),
                });
            }
            return Decoded {
                text,
                encoding: name,
                warnings,
            };
        }
    }
    // ISO-8859-2 maps every byte, so this is not reached; stay total anyway.
    Decoded {
        text: String::from_utf8_lossy(data),
        encoding: "utf-8",
        warnings,
    }
}

/// A header charset as a label [`decode_as`] reads: lower case, unquoted, the GB family as
/// GB18030 and the Big5 variants as Big5.
fn header_label(charset: &str) -> String {
    let label = charset
        .trim()
        .trim_matches(['"', '\''])
        .trim()
        .to_ascii_lowercase();
    match label.as_str() {
        "x-big5" | "cp950" | "ms950" | "windows-950" | "big5-hkscs" | "big5hkscs" => {
            "big5".to_owned()
        }
        "cp936" | "ms936" | "windows-936" => "gb18030".to_owned(),
        _ => match Encoding::for_label(label.as_bytes()) {
            Some(enc) if enc == encoding_rs::GBK || enc == encoding_rs::GB18030 => {
                "gb18030".to_owned()
            }
            _ => label,
        },
    }
}

/// Whether a header label is one servers send by default (a weak hint).
fn is_default_label(label: &str) -> bool {
    matches!(
        label,
        "us-ascii" | "ascii" | "iso-8859-1" | "latin1" | "latin-1" | "l1"
    ) || Encoding::for_label(label.as_bytes()) == Some(encoding_rs::WINDOWS_1252)
}

/// A byte-order mark or the UTF-16/32 shape of `<?` at the start; the data past any BOM.
fn sniff_bom(b: &[u8]) -> (Option<&'static str>, &[u8]) {
    if b.starts_with(&[0, 0, 0xFE, 0xFF]) {
        (Some("utf-32be"), &b[4..])
    } else if b.starts_with(&[0xFF, 0xFE, 0, 0]) {
        (Some("utf-32le"), &b[4..])
    } else if b.starts_with(&[0xFE, 0xFF]) {
        (Some("utf-16be"), &b[2..])
    } else if b.starts_with(&[0xFF, 0xFE]) {
        (Some("utf-16le"), &b[2..])
    } else if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
        (Some("utf-8"), &b[3..])
    } else if b.starts_with(&[0, 0x3C, 0, 0x3F]) {
        (Some("utf-16be"), b)
    } else if b.starts_with(&[0x3C, 0, 0x3F, 0]) {
        (Some("utf-16le"), b)
    } else if b.starts_with(&[0, 0, 0, 0x3C]) {
        (Some("utf-32be"), b)
    } else if b.starts_with(&[0x3C, 0, 0, 0]) {
        (Some("utf-32le"), b)
    } else {
        (None, b)
    }
}

/// The `encoding="..."` of an XML declaration on the first line, read through the BOM's encoding.
fn declared_encoding(bom: Option<&str>, data: &[u8]) -> Option<String> {
    let head_len = data.len().min(1024);
    let head: String = match bom {
        Some(b) => decode_as(b, &data[..head_len - head_len % 4])
            .or_else(|| decode_as(b, &data[..head_len - head_len % 2]))
            .map(|(t, _)| t.into_owned())?,
        None => String::from_utf8_lossy(&data[..head_len]).into_owned(),
    };
    let line = head.split('\n').next().unwrap_or("");
    if !line.starts_with("<?") {
        return None;
    }
    let end = line.rfind("?>")?;
    let decl = &line[..end];
    let at = decl.find("encoding=")?;
    let rest = &decl[at + "encoding=".len()..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    let close = rest.find(['"', '\''])?;
    let _ = quote;
    Some(rest[..close].trim().to_owned())
}

/// Decodes all of `data` as `label` without replacement, or `None` if any byte is invalid.
fn decode_as<'a>(label: &str, data: &'a [u8]) -> Option<(Cow<'a, str>, &'static str)> {
    match label {
        "utf-8" | "utf8" | "utf_8" | "u8" => {
            // encoding_rs validates with SIMD and borrows; same acceptance as `str::from_utf8`.
            return encoding_rs::UTF_8
                .decode_without_bom_handling_and_without_replacement(data)
                .map(|s| (s, "utf-8"));
        }
        "iso-8859-1" | "iso8859-1" | "latin-1" | "latin1" | "l1" | "iso_8859-1" => {
            return Some((
                Cow::Owned(data.iter().map(|&b| b as char).collect()),
                "iso-8859-1",
            ));
        }
        "us-ascii" | "ascii" | "646" => {
            return data
                .is_ascii()
                .then(|| (String::from_utf8_lossy(data), "us-ascii"));
        }
        "windows-1252" | "cp1252"
            // Python's cp1252 leaves five bytes undefined; WHATWG maps them to C1 controls.
            if data
                .iter()
                .any(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D))
            => {
                return None;
            }
        "utf-32" | "utf-32le" | "utf_32" | "utf32" => return utf32(data, false),
        "utf-32be" => return utf32(data, true),
        "utf-16" | "utf_16" | "utf16" => {
            return encoding_rs::UTF_16LE
                .decode_without_bom_handling_and_without_replacement(data)
                .filter(|_| data.len().is_multiple_of(2))
                .map(|t| (t, "utf-16le"));
        }
        _ => {}
    }
    let enc = Encoding::for_label(label.as_bytes())?;
    if enc == encoding_rs::REPLACEMENT {
        return None;
    }
    if (enc == encoding_rs::UTF_16BE || enc == encoding_rs::UTF_16LE)
        && !data.len().is_multiple_of(2)
    {
        return None;
    }
    enc.decode_without_bom_handling_and_without_replacement(data)
        .map(|t| (t, enc.name()))
}

fn utf32(data: &[u8], big_endian: bool) -> Option<(Cow<'_, str>, &'static str)> {
    if !data.len().is_multiple_of(4) {
        return None;
    }
    let mut s = String::with_capacity(data.len() / 4);
    for c in data.chunks_exact(4) {
        let b = [c[0], c[1], c[2], c[3]];
        let v = if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        };
        s.push(char::from_u32(v)?);
    }
    Some((
        Cow::Owned(s),
        if big_endian { "utf-32be" } else { "utf-32le" },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gb2312_declared_reads_gb18030() {
        let (bytes, _, _) =
            encoding_rs::GB18030.encode("<?xml version=\"1.0\" encoding=\"gb2312\"?><a>镕</a>");
        let d = decode(&bytes);
        assert!(d.text.contains('镕'));
        assert_eq!(d.encoding, "gb18030");
    }

    const NEWS: &str = "<rss><channel><title>中文新聞：台灣、香港</title></channel></rss>";

    #[test]
    fn a_header_charset_reads_a_feed_without_declaration() {
        let gbk = encoding_rs::GBK.encode(NEWS).0;
        let d = decode_with(&gbk, Some("GBK"));
        assert_eq!(d.text, NEWS);
        assert_eq!(d.encoding, "gb18030");
        assert!(d.warnings.is_empty());
        let big5 = encoding_rs::BIG5.encode(NEWS).0;
        let d = decode_with(&big5, Some("\"x-big5\""));
        assert_eq!(d.text, NEWS);
        assert_eq!(d.encoding, "Big5");
        // Without the header neither is readable as what it is.
        assert_ne!(decode(&gbk).text, NEWS);
    }

    #[test]
    fn parse_with_charset_reads_a_gbk_feed_served_as_gbk() {
        let gbk = encoding_rs::GBK.encode(NEWS).0;
        let parsed = crate::parse_with_charset(&gbk, None, Some("gbk")).unwrap();
        assert_eq!(parsed.feed.title.as_deref(), Some("中文新聞：台灣、香港"));
        let plain = crate::parse(&gbk, None).unwrap();
        assert_ne!(plain.feed.title.as_deref(), Some("中文新聞：台灣、香港"));
    }

    #[test]
    fn the_header_beats_the_declaration_but_not_a_bom() {
        let doc = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>{NEWS}");
        let gbk = encoding_rs::GBK.encode(&doc).0;
        let d = decode_with(&gbk, Some("gb2312"));
        assert_eq!(d.text, doc);
        assert!(d.warnings.is_empty());
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(doc.as_bytes());
        assert_eq!(decode_with(&bom, Some("gbk")).text, doc);
    }

    #[test]
    fn a_default_latin1_header_yields_to_utf8_and_the_declaration() {
        assert_eq!(decode_with(NEWS.as_bytes(), Some("ISO-8859-1")).text, NEWS);
        let doc = format!("<?xml version=\"1.0\" encoding=\"gb2312\"?>{NEWS}");
        let gbk = encoding_rs::GBK.encode(&doc).0;
        assert_eq!(decode_with(&gbk, Some("iso-8859-1")).text, doc);
        // When nothing else fits, the header is still the answer.
        let d = decode_with(b"<rss>caf\xe9</rss>", Some("iso-8859-1"));
        assert_eq!(d.text, "<rss>café</rss>");
    }

    #[test]
    fn smart_quotes_in_utf8_fall_back_to_cp1252() {
        let d = decode(b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a>\x93hi\x94</a>");
        assert!(d.text.contains("\u{201c}hi\u{201d}"));
        assert_eq!(d.warnings.len(), 1);
    }

    #[test]
    fn utf16_without_bom_and_utf32_with_bom() {
        let s = "<?xml version=\"1.0\" encoding=\"utf-16\"?><a>中</a>";
        let le: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode(&le).text, s);
        let mut be32 = vec![0, 0, 0xFE, 0xFF];
        be32.extend(s.chars().flat_map(|c| (c as u32).to_be_bytes()));
        assert_eq!(decode(&be32).text, s);
    }
}
