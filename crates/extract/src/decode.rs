//! Bytes → text: the page's character set, and a fast pre-pass that blanks what the parser
//! would only throw away.
//!
//! The charset comes from a byte-order mark, then a `<meta charset>` or `http-equiv`
//! declaration in the first 4 KiB, else UTF-8 (the default for local files; invalid bytes become
//! U+FFFD). The pre-pass empties `<script>` and `<style>` elements (keeping JSON-LD scripts,
//! which carry metadata) and removes comments, so html5ever tokenizes far less.

use encoding_rs::{Encoding, UTF_8};
use std::borrow::Cow;

/// How far into the page a charset declaration is looked for.
const SNIFF_BYTES: usize = 4096;

/// Decodes `bytes` with the charset the page declares (UTF-8 if none).
pub(crate) fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling(&bytes[bom..]).0;
    }
    let encoding = declared_charset(&bytes[..bytes.len().min(SNIFF_BYTES)]).unwrap_or(UTF_8);
    encoding.decode_without_bom_handling(bytes).0
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
