//! Bytes → text: the page's character set, and a fast pre-pass that blanks what the parser
//! would only throw away.
//!
//! The charset comes from a byte-order mark, then the HTTP header's charset when the caller
//! has one, then a `<meta charset>` or `http-equiv` declaration in the first 4 KiB, else UTF-8
//! (the default for local files; invalid bytes become U+FFFD). A header naming US-ASCII,
//! ISO-8859-1 or windows-1252 (servers add those by default) yields to a `<meta>` declaration
//! and to a page that is valid UTF-8. GBK-family labels decode as GB18030 (the same decoder in
//! the Encoding Standard); `x-big5`, `cp950` and Big5-HKSCS as Big5. The pre-pass empties `<script>` and `<style>` elements (keeping JSON-LD scripts,
//! which carry metadata) and removes comments, so html5ever tokenizes far less.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use std::borrow::Cow;

/// How far into the page a charset declaration is looked for.
const SNIFF_BYTES: usize = 4096;

/// Decodes `bytes` with the charset the page declares (UTF-8 if none).
#[cfg(test)]
pub(crate) fn decode(bytes: &[u8]) -> Cow<'_, str> {
    decode_with(bytes, None)
}

/// Decodes `bytes` with the charset of its BOM, of the HTTP header (`header_charset`, a label
/// such as `gbk`), or the one the page declares (UTF-8 if none).
pub(crate) fn decode_with<'a>(bytes: &'a [u8], header_charset: Option<&str>) -> Cow<'a, str> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling(&bytes[bom..]).0;
    }
    let header = header_charset.and_then(label_encoding);
    let encoding = match header {
        Some(enc) if enc != WINDOWS_1252 => enc,
        weak => declared_charset(&bytes[..bytes.len().min(SNIFF_BYTES)])
            .or_else(|| {
                let utf8 =
                    weak.is_some() && !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok();
                utf8.then_some(UTF_8)
            })
            .or(weak)
            .unwrap_or(UTF_8),
    };
    encoding.decode_without_bom_handling(bytes).0
}

/// The encoding a header charset label names (quotes allowed); `None` when unknown.
fn label_encoding(label: &str) -> Option<&'static Encoding> {
    let label = label
        .trim()
        .trim_matches(['"', '\''])
        .trim()
        .to_ascii_lowercase();
    let enc = match label.as_str() {
        "x-big5" | "cp950" | "ms950" | "windows-950" | "big5hkscs" => encoding_rs::BIG5,
        "cp936" | "ms936" | "windows-936" => encoding_rs::GB18030,
        _ => Encoding::for_label_no_replacement(label.as_bytes())?,
    };
    Some(if enc == encoding_rs::GBK {
        encoding_rs::GB18030
    } else {
        enc
    })
}

/// The encoding named by `<meta charset=..>` or `<meta http-equiv content="..; charset=..">`.
fn declared_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"charset") {
        let at = from + pos + b"charset".len();
        from = at;
        let rest = &lower[at..];
        let rest = rest.trim_ascii_start();
        let Some(rest) = rest.strip_prefix(b"=") else {
            continue;
        };
        let rest = rest.trim_ascii_start();
        let rest = rest
            .strip_prefix(b"\"")
            .or_else(|| rest.strip_prefix(b"'"))
            .unwrap_or(rest);
        let end = rest
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.')))
            .unwrap_or(rest.len());
        if let Some(encoding) = Encoding::for_label(&rest[..end]) {
            // A page that says UTF-16 in ASCII bytes is not UTF-16 (HTML standard).
            if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
                return Some(UTF_8);
            }
            return Some(encoding);
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Empties `<script>` (except JSON-LD) and `<style>` elements and drops comments.
///
/// The result parses to the same tree minus those contents. Matching is ASCII
/// case-insensitive on the tag names, like the HTML tokenizer's.
pub(crate) fn strip_inert(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() / 2);
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = memchr(b'<', &bytes[i..]) {
        let lt = i + off;
        let rest = &bytes[lt + 1..];
        if rest.starts_with(b"!--") {
            let end = find(&bytes[lt + 4..], b"-->").map_or(bytes.len(), |e| lt + 4 + e + 3);
            out.push_str(&html[copied..lt]);
            copied = end;
            i = end;
            continue;
        }
        let tag = if starts_with_ci(rest, b"script") {
            "script"
        } else if starts_with_ci(rest, b"style") {
            "style"
        } else {
            i = lt + 1;
            continue;
        };
        let after_name = lt + 1 + tag.len();
        if bytes
            .get(after_name)
            .is_some_and(|b| !(b.is_ascii_whitespace() || *b == b'>' || *b == b'/'))
        {
            i = lt + 1;
            continue;
        }
        let Some(gt) = memchr(b'>', &bytes[after_name..]).map(|g| after_name + g) else {
            break;
        };
        let open_tag = &bytes[lt..=gt];
        let close = find_close(&bytes[gt + 1..], tag.as_bytes()).map(|c| gt + 1 + c);
        let Some(close) = close else { break };
        let keep = tag == "script" && find(&open_tag.to_ascii_lowercase(), b"ld+json").is_some();
        if keep {
            i = close;
            continue;
        }
        out.push_str(&html[copied..=gt]);
        copied = close;
        i = close;
    }
    out.push_str(&html[copied..]);
    out
}

/// The offset of `</tag` (ASCII case-insensitive) in `bytes`.
fn find_close(bytes: &[u8], tag: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(off) = memchr(b'<', &bytes[i..]) {
        let at = i + off;
        if bytes.get(at + 1) == Some(&b'/') && starts_with_ci(&bytes[at + 2..], tag) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

fn starts_with_ci(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.len() >= prefix.len() && bytes[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_charsets() {
        let gbk = b"<html><head><meta charset=\"gb2312\"></head>";
        assert_eq!(declared_charset(gbk).unwrap().name(), "GBK");
        let equiv = b"<meta http-equiv=Content-Type content='text/html; charset=big5'>";
        assert_eq!(declared_charset(equiv).unwrap().name(), "Big5");
        assert!(declared_charset(b"<p>no charset here</p>").is_none());
    }

    #[test]
    fn decodes_gbk_and_defaults_to_utf8() {
        let (bytes, _, _) = encoding_rs::GBK.encode("<meta charset=gbk><p>中文</p>");
        assert!(decode(&bytes).contains("中文"));
        assert!(decode("<p>中文</p>".as_bytes()).contains("中文"));
    }

    const PAGE: &str = "<html><body><p>中文新聞：台灣、香港</p></body></html>";

    #[test]
    fn a_header_charset_decodes_gbk_and_big5_pages_without_meta() {
        let gbk = encoding_rs::GBK.encode(PAGE).0;
        assert_eq!(decode_with(&gbk, Some("gbk")), PAGE);
        assert_eq!(decode_with(&gbk, Some("GB2312")), PAGE);
        assert_ne!(decode(&gbk), PAGE);
        let big5 = encoding_rs::BIG5.encode(PAGE).0;
        assert_eq!(decode_with(&big5, Some("\"x-big5\"")), PAGE);
        assert_eq!(decode_with(&big5, Some("big5-hkscs")), PAGE);
    }

    #[test]
    fn the_header_beats_meta_but_not_a_bom() {
        let page = format!("<meta charset=big5>{PAGE}");
        let gbk = encoding_rs::GBK.encode(&page).0;
        assert_eq!(decode_with(&gbk, Some("gbk")), page);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(page.as_bytes());
        assert_eq!(decode_with(&bom, Some("gbk")), page);
    }

    #[test]
    fn a_default_latin1_header_yields_to_meta_and_utf8() {
        assert_eq!(decode_with(PAGE.as_bytes(), Some("iso-8859-1")), PAGE);
        let page = format!("<meta charset=gb2312>{PAGE}");
        let gbk = encoding_rs::GBK.encode(&page).0;
        assert_eq!(decode_with(&gbk, Some("ISO-8859-1")), page);
        assert_eq!(
            decode_with(b"<p>caf\xe9</p>", Some("latin1")),
            "<p>café</p>"
        );
    }

    #[test]
    fn strips_scripts_styles_and_comments_but_keeps_json_ld() {
        let html = "<p>a<!-- c --></p><SCRIPT>var x='</p>';</script><style>p{}</style>\
                    <script type=\"application/ld+json\">{\"a\":1}</script><scripted>";
        let out = strip_inert(html);
        assert_eq!(
            out,
            "<p>a</p><SCRIPT></script><style></style>\
             <script type=\"application/ld+json\">{\"a\":1}</script><scripted>"
        );
    }
}
