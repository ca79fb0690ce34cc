//! The character set of a fetched body: what text its bytes are.
//!
//! Order: a byte-order mark; the `charset` of the `Content-Type` header; the `encoding` of an
//! XML declaration; a `<meta charset>` or `<meta http-equiv="Content-Type">` in the first
//! [`SNIFF_BYTES`]; else UTF-8. One exception: a header naming US-ASCII, ISO-8859-1 or
//! windows-1252 (the label servers add by default, rarely the truth for Chinese sites) yields
//! to a declaration in the document and to a body that is valid UTF-8.
//!
//! Labels are read as the WHATWG Encoding Standard reads them, with two changes for this field:
//! GB2312 and GBK (and `cp936`) decode as GB18030, their superset, and `x-big5`, `cp950` and
//! Big5-HKSCS labels as Big5 (whose WHATWG decoder includes the HKSCS characters).

use encoding_rs::{BIG5, Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// How far into a body an in-document declaration is looked for.
pub const SNIFF_BYTES: usize = 1024;

/// The encoding of `body`, served with the `Content-Type` header `content_type`.
pub fn detect(content_type: Option<&str>, body: &[u8]) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(body) {
        return encoding;
    }
    let header = content_type.and_then(header_charset).and_then(encoding_for);
    let head = &body[..body.len().min(SNIFF_BYTES)];
    match header {
        Some(enc) if !is_default_label(enc) => enc,
        weak => in_document(head)
            .or_else(|| {
                let utf8 = weak.is_some() && !body.is_ascii() && std::str::from_utf8(body).is_ok();
                utf8.then_some(UTF_8)
            })
            .or(weak)
            .unwrap_or(UTF_8),
    }
}

/// The `charset` parameter of a `Content-Type` value (`text/html; charset="gbk"` → `gbk`).
pub fn header_charset(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']).trim())
            .filter(|v| !v.is_empty())
    })
}

/// The encoding a charset label names, with this field's substitutions; `None` for unknown
/// labels and for WHATWG's `replacement` (ISO-2022-KR, HZ-GB-2312, ...).
pub fn encoding_for(label: &str) -> Option<&'static Encoding> {
    let label = label.trim();
    let lower = label.to_ascii_lowercase();
    let enc = match lower.as_str() {
        "x-big5" | "cp950" | "ms950" | "windows-950" | "big5hkscs" | "big5_hkscs" => BIG5,
        "cp936" | "ms936" | "windows-936" | "gb_18030" => GB18030,
        _ => Encoding::for_label_no_replacement(lower.as_bytes())?,
    };
    Some(if enc == encoding_rs::GBK {
        GB18030
    } else {
        enc
    })
}

/// A header label that is usually a server default rather than a statement about the body.
fn is_default_label(enc: &'static Encoding) -> bool {
    // WHATWG maps US-ASCII and ISO-8859-1 labels to windows-1252.
    enc == WINDOWS_1252
}

/// The encoding declared inside the document: XML declaration first, then `<meta>`.
fn in_document(head: &[u8]) -> Option<&'static Encoding> {
    let declared = xml_declaration(head).or_else(|| meta_charset(head))?;
    // A declaration read as ASCII bytes cannot truthfully say UTF-16 (HTML standard).
    Some(if declared == UTF_16LE || declared == UTF_16BE {
        UTF_8
    } else {
        declared
    })
}

/// The `encoding="..."` of an XML declaration at the start of `head`.
fn xml_declaration(head: &[u8]) -> Option<&'static Encoding> {
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let decl = head[start..].strip_prefix(b"<?xml")?;
    let end = find(decl, b"?>")?;
    let decl = &decl[..end];
    let at = find(decl, b"encoding")? + b"encoding".len();
    let rest = decl[at..].trim_ascii_start().strip_prefix(b"=")?;
    let rest = rest.trim_ascii_start();
    let quote = *rest.first().filter(|q| matches!(q, b'"' | b'\''))?;
    let rest = &rest[1..];
    let close = rest.iter().position(|b| *b == quote)?;
    encoding_for(std::str::from_utf8(&rest[..close]).ok()?)
}

/// The encoding of the first `<meta>` that names a known charset (`<meta charset=..>` or
/// `<meta http-equiv=Content-Type content="..; charset=..">`).
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let start = from + pos + b"<meta".len();
        let end = lower[start..]
            .iter()
            .position(|b| *b == b'>')
            .map_or(lower.len(), |e| start + e);
        from = end;
        let tag = &lower[start..end];
        let Some(at) = find(tag, b"charset") else {
            continue;
        };
        let rest = tag[at + b"charset".len()..].trim_ascii_start();
        let Some(rest) = rest.strip_prefix(b"=") else {
            continue;
        };
        let rest = rest.trim_ascii_start();
        let rest = rest
            .strip_prefix(b"\"")
            .or_else(|| rest.strip_prefix(b"'"))
            .unwrap_or(rest);
        let len = rest
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.')))
            .unwrap_or(rest.len());
        if let Some(enc) = std::str::from_utf8(&rest[..len])
            .ok()
            .and_then(encoding_for)
        {
            return Some(enc);
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "中國新聞：台灣、香港";

    fn encode(enc: &'static Encoding, text: &str) -> Vec<u8> {
        enc.encode(text).0.into_owned()
    }

    #[test]
    fn a_bom_wins_over_everything() {
        let mut body = vec![0xEF, 0xBB, 0xBF];
        body.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"gbk\"?>");
        assert_eq!(detect(Some("text/xml; charset=big5"), &body), UTF_8);
        let le = [0xFF, 0xFE, b'<', 0];
        assert_eq!(detect(Some("text/html; charset=gbk"), &le), UTF_16LE);
    }

    #[test]
    fn the_header_comes_before_declarations() {
        let body = encode(
            encoding_rs::GBK,
            &format!("<?xml version=\"1.0\" encoding=\"big5\"?><t>{TEXT}</t>"),
        );
        assert_eq!(
            detect(Some("application/xml; charset=\"GBK\""), &body),
            GB18030
        );
        assert_eq!(detect(Some("application/xml"), &body), BIG5);
    }

    #[test]
    fn gb_labels_decode_as_gb18030_and_big5_variants_as_big5() {
        for label in ["gb2312", "GBK", "x-gbk", "cp936", "gb18030", "GB_2312-80"] {
            assert_eq!(encoding_for(label), Some(GB18030), "{label}");
        }
        for label in ["big5", "x-big5", "Big5-HKSCS", "cp950"] {
            assert_eq!(encoding_for(label), Some(BIG5), "{label}");
        }
        assert_eq!(encoding_for("hz-gb-2312"), None);
        assert_eq!(encoding_for("no-such-charset"), None);
    }

    #[test]
    fn xml_declaration_then_meta_in_the_first_kilobyte() {
        let big5 = encode(
            BIG5,
            &format!("\n<?xml version='1.0' encoding='x-big5' ?><rss>{TEXT}</rss>"),
        );
        assert_eq!(detect(None, &big5), BIG5);
        assert!(BIG5.decode_without_bom_handling(&big5).0.contains(TEXT));
        let meta =
            b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">";
        assert_eq!(detect(Some("text/html"), meta), GB18030);
        assert_eq!(detect(None, b"<meta charset='utf-16'><p>x</p>"), UTF_8);
        let mut late = vec![b' '; SNIFF_BYTES];
        late.extend_from_slice(b"<meta charset=big5>");
        assert_eq!(detect(None, &late), UTF_8);
    }

    #[test]
    fn a_default_latin1_header_yields_to_the_document() {
        let utf8 = format!("<p>{TEXT}</p>");
        assert_eq!(
            detect(Some("text/html; charset=ISO-8859-1"), utf8.as_bytes()),
            UTF_8
        );
        let gbk = encode(
            encoding_rs::GBK,
            &format!("<meta charset=gbk><p>{TEXT}</p>"),
        );
        assert_eq!(detect(Some("text/html; charset=iso-8859-1"), &gbk), GB18030);
        assert_eq!(
            detect(Some("text/html; charset=iso-8859-1"), b"caf\xe9"),
            WINDOWS_1252
        );
    }

    #[test]
    fn header_charset_parameter() {
        assert_eq!(header_charset("text/html; charset=\"gbk\""), Some("gbk"));
        assert_eq!(header_charset("text/html;Charset=Big5 ; q=1"), Some("Big5"));
        assert_eq!(header_charset("text/html"), None);
        assert_eq!(header_charset("text/html; charset="), None);
    }
}
