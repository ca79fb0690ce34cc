//! Text values: telling HTML from plain text, turning HTML into plain text, escaping, and the
//! per-value repairs feedparser applies (double-encoded UTF-8, C1 controls meant as cp1252).

use crate::entities;

/// Elements that feedparser's sanitizer accepts; a value using only these (and known entities)
/// "looks like HTML".
const ACCEPTABLE_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "big",
    "blockquote",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "command",
    "datagrid",
    "datalist",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "em",
    "event-source",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "keygen",
    "label",
    "legend",
    "li",
    "m",
    "map",
    "menu",
    "meter",
    "multicol",
    "nav",
    "nextid",
    "noscript",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "pre",
    "progress",
    "q",
    "s",
    "samp",
    "section",
    "select",
    "small",
    "sound",
    "source",
    "spacer",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "video",
];

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Splits off the leading run of word characters of `s`.
fn word(s: &str) -> &str {
    let end = s.find(|c: char| !is_word(c)).unwrap_or(s.len());
    &s[..end]
}

/// feedparser's `looks_like_html`: an end tag or an entity, and only known tags and entities.
pub(crate) fn looks_like_html(s: &str) -> bool {
    if !s.contains(['<', '&']) {
        return false;
    }
    let mut has_end_tag = false;
    let mut has_entity = false;
    for (i, _) in s.match_indices('<') {
        let rest = &s[i + 1..];
        if let Some(r) = rest.strip_prefix('/') {
            let w = word(r);
            if !w.is_empty() && r[w.len()..].starts_with('>') {
                has_end_tag = true;
            }
        }
    }
    for (i, _) in s.match_indices('&') {
        let rest = &s[i + 1..];
        let rest = rest.strip_prefix('#').unwrap_or(rest);
        let w = word(rest);
        if !w.is_empty() && rest[w.len()..].starts_with(';') {
            has_entity = true;
        }
    }
    if !(has_end_tag || has_entity) {
        return false;
    }
    for (i, _) in s.match_indices('<') {
        let rest = &s[i + 1..];
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let w = word(rest);
        if !w.is_empty() && !ACCEPTABLE_ELEMENTS.contains(&w.to_lowercase().as_str()) {
            return false;
        }
    }
    for (i, _) in s.match_indices('&') {
        let w = word(&s[i + 1..]);
        if !w.is_empty()
            && s[i + 1 + w.len()..].starts_with(';')
            && entities::lookup(w).is_none()
            && !matches!(w, "amp" | "lt" | "gt" | "quot" | "apos")
        {
            return false;
        }
    }
    true
}

/// Plain text of an HTML fragment: tags and comments removed, character references decoded.
pub(crate) fn html_to_text(s: &str) -> String {
    let mut stripped = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        stripped.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let starts_tag = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
        if !starts_tag {
            stripped.push('<');
            rest = after;
            continue;
        }
        if after.starts_with("!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        match after.find('>') {
            Some(e) => rest = &after[e + 1..],
            None => rest = "",
        }
    }
    stripped.push_str(rest);
    unescape_html(&stripped)
}

/// Decodes HTML character references, leaving anything else as written.
pub(crate) fn unescape_html(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (c, used) = html_reference(after);
        match c {
            Some(c) => {
                out.push(c);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character of the reference at the start of `s` (just past `&`) and the bytes it used.
fn html_reference(s: &str) -> (Option<char>, usize) {
    if let Some(num) = s.strip_prefix('#') {
        let (digits, radix, skip) = match num.strip_prefix(['x', 'X']) {
            Some(h) => (h, 16, 2),
            None => (num, 10, 1),
        };
        let len = digits
            .find(|c: char| !c.is_digit(radix))
            .unwrap_or(digits.len());
        if len == 0 {
            return (None, 0);
        }
        let value = u32::from_str_radix(&digits[..len], radix).ok();
        let c = value.and_then(char::from_u32).map(fix_c1);
        let semi = usize::from(digits[len..].starts_with(';'));
        return (c.or(Some('\u{fffd}')), skip + len + semi);
    }
    let w = word(s);
    if w.is_empty() || !s[w.len()..].starts_with(';') {
        return (None, 0);
    }
    let c = match w {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => entities::lookup(w),
    };
    (c, w.len() + 1)
}

fn fix_c1(c: char) -> char {
    let code = c as u32;
    if (0x80..=0x9F).contains(&code) {
        cp1252(code as u8).unwrap_or(c)
    } else {
        c
    }
}

/// The cp1252 character for a byte 0x80–0x9F (none for the five undefined ones).
fn cp1252(b: u8) -> Option<char> {
    const TABLE: [u32; 32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
        0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
        0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ];
    match TABLE.get(usize::from(b.wrapping_sub(0x80))) {
        Some(&0) | None => None,
        Some(&v) => char::from_u32(v),
    }
}

/// Escapes `&`, `<` and `>` (`xml.sax.saxutils.escape`).
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes an attribute value for a double-quoted attribute.
pub(crate) fn escape_attr(s: &str) -> String {
    escape(s).replace('"', "&quot;")
}

/// The repairs feedparser makes on every value: text that is UTF-8 read as Latin-1 is read
/// again as UTF-8, and C1 control characters become the cp1252 characters they were meant as.
pub(crate) fn repair(s: String) -> String {
    // Both repairs need a character in U+0080–U+00FF: the first reads text made only of such
    // characters (and ASCII), the second changes U+0080–U+009F. In UTF-8 those characters, and
    // only they, start with the byte 0xC2 or 0xC3, so one byte scan finds whether any is present.
    if memchr::memchr2(0xC2, 0xC3, s.as_bytes()).is_none() {
        return s;
    }
    let s = if s.chars().all(|c| (c as u32) < 0x100) {
        let bytes: Vec<u8> = s.chars().map(|c| c as u32 as u8).collect();
        match String::from_utf8(bytes) {
            Ok(fixed) => fixed,
            Err(_) => s,
        }
    } else {
        s
    };
    if s.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)) {
        s.chars().map(fix_c1).collect()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_detection_follows_feedparser() {
        assert!(looks_like_html("<b>bold</b>"));
        assert!(looks_like_html("A &amp; B"));
        assert!(!looks_like_html("A & B"));
        assert!(!looks_like_html("<blink>x</blink>"));
        assert!(!looks_like_html("x &bogus; y"));
        assert!(!looks_like_html("a < b"));
    }

    #[test]
    fn html_to_text_strips_and_decodes() {
        assert_eq!(
            html_to_text("<p>中文 &amp; <b>粗</b></p><!-- c -->&#8220;x&#8221;"),
            "中文 & 粗\u{201c}x\u{201d}"
        );
        assert_eq!(html_to_text("1 < 2"), "1 < 2");
    }

    #[test]
    fn repairs_double_encoded_utf8_and_c1() {
        assert_eq!(repair("ä¸\u{ad}".to_owned()), "中");
        assert_eq!(repair("\u{93}q\u{94}".to_owned()), "\u{201c}q\u{201d}");
        assert_eq!(repair("中\u{93}q\u{94}".to_owned()), "中\u{201c}q\u{201d}");
        assert_eq!(repair("café".to_owned()), "café");
        assert_eq!(
            repair("中文 \u{201c}q\u{201d}".to_owned()),
            "中文 \u{201c}q\u{201d}"
        );
    }
}
