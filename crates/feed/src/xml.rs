//! A recovering XML tokenizer: it never fails, whatever the bytes.
//!
//! It reads what a strict parser reads, and where a strict parser would stop it does what
//! feedparser's fallback (sgmllib) reading does: a `<` that starts no tag is text, a bare `&` is
//! text, HTML entities (`&nbsp;`) are decoded, unknown entities are kept as written, comments,
//! processing instructions and the DOCTYPE are skipped, and a construct cut off by the end of the
//! input ends there. Each repair is recorded as a problem at its byte offset.
//!
//! Balancing start and end tags is not done here but in the reader, which knows the open elements.

use crate::entities;
use memchr::{memchr, memchr2, memmem};
use std::borrow::Cow;

/// One piece of the document.
#[derive(Debug, PartialEq)]
pub(crate) enum Token<'a> {
    /// `<name attr="v">` or `<name/>` (`self_closing`). Attribute values are entity-decoded.
    Start {
        name: &'a str,
        attrs: Vec<(&'a str, Cow<'a, str>)>,
        self_closing: bool,
    },
    /// `</name>`.
    End { name: &'a str },
    /// Character data with entities decoded.
    Text(Cow<'a, str>),
    /// The inside of `<![CDATA[...]]>`, verbatim.
    CData(&'a str),
}

/// Most problems kept per document; past this only a count is added.
const MAX_PROBLEMS: usize = 200;

/// Something repaired, at a byte offset of the decoded text.
pub(crate) struct Problems {
    pub(crate) list: Vec<(usize, String)>,
    pub(crate) dropped: usize,
}

impl Problems {
    pub(crate) fn new() -> Self {
        Problems {
            list: Vec::new(),
            dropped: 0,
        }
    }

    pub(crate) fn add(&mut self, offset: usize, message: impl FnOnce() -> String) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push((offset, message()));
        } else {
            self.dropped += 1;
        }
    }
}

/// Splits decoded text into [`Token`]s.
pub(crate) struct Tokenizer<'a> {
    src: &'a str,
    pos: usize,
    /// Byte offset of the token last returned.
    pub(crate) start: usize,
    pub(crate) problems: Problems,
}

impl<'a> Tokenizer<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Tokenizer {
            src,
            pos: 0,
            start: 0,
            problems: Problems::new(),
        }
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    /// Skips past `end` (or to the end of input, recording the cut-off construct).
    fn skip_past(&mut self, end: &str, what: &str) {
        match memmem::find(self.rest().as_bytes(), end.as_bytes()) {
            Some(i) => self.pos += i + end.len(),
            None => {
                let at = self.pos;
                self.problems.add(at, || {
                    format!("{what} not closed before the end of the document")
                });
                self.pos = self.src.len();
            }
        }
    }

    fn markup_declaration(&mut self) -> Option<Token<'a>> {
        let rest = self.rest();
        if rest.starts_with("<!--") {
            self.pos += 4;
            self.skip_past("-->", "comment");
            return None;
        }
        if rest.starts_with("<![CDATA[") {
            let body_start = self.pos + 9;
            let body = &self.src[body_start..];
            return Some(match memmem::find(body.as_bytes(), b"]]>") {
                Some(i) => {
                    self.pos = body_start + i + 3;
                    Token::CData(&body[..i])
                }
                None => {
                    self.problems.add(self.pos, || {
                        "CDATA section not closed before the end of the document".to_owned()
                    });
                    self.pos = self.src.len();
                    Token::CData(body)
                }
            });
        }
        // <!DOCTYPE ...> possibly with an internal subset in brackets.
        let bytes = rest.as_bytes();
        let mut depth = 0usize;
        let mut i = 2;
        while i < bytes.len() {
            match bytes[i] {
                b'[' => depth += 1,
                b']' => depth = depth.saturating_sub(1),
                b'>' if depth == 0 => {
                    self.pos += i + 1;
                    return None;
                }
                _ => {}
            }
            i += 1;
        }
        self.pos = self.src.len();
        None
    }

    fn end_tag(&mut self) -> Token<'a> {
        let name_start = self.pos + 2;
        let name_len = name_length(&self.src[name_start..]);
        let name = &self.src[name_start..name_start + name_len];
        self.pos = name_start + name_len;
        match memchr(b'>', self.rest().as_bytes()) {
            Some(i) => self.pos += i + 1,
            None => self.pos = self.src.len(),
        }
        Token::End { name }
    }

    fn start_tag(&mut self) -> Token<'a> {
        let tag_at = self.pos;
        let name_start = self.pos + 1;
        let name_len = name_length(&self.src[name_start..]);
        let name = &self.src[name_start..name_start + name_len];
        let bytes = self.src.as_bytes();
        let mut i = name_start + name_len;
        let mut attrs = Vec::new();
        let mut self_closing = false;
        loop {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= bytes.len() {
                self.problems.add(tag_at, || {
                    format!("start tag <{name}> not closed before the end of the document")
                });
                break;
            }
            match bytes[i] {
                b'>' => {
                    i += 1;
                    break;
                }
                b'/' => {
                    i += 1;
                    if bytes.get(i) == Some(&b'>') {
                        self_closing = true;
                        i += 1;
                        break;
                    }
                    continue;
                }
                b'<' => {
                    self.problems
                        .add(tag_at, || format!("start tag <{name}> not closed with '>'"));
                    break;
                }
                _ => {}
            }
            let attr_len = attr_name_length(&self.src[i..]);
            if attr_len == 0 {
                i += self.src[i..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            let attr = &self.src[i..i + attr_len];
            i += attr_len;
            let mut j = i;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if bytes.get(j) != Some(&b'=') {
                attrs.push((attr, Cow::Borrowed(attr)));
                continue;
            }
            j += 1;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            let (raw, after) = match bytes.get(j) {
                Some(&q @ (b'"' | b'\'')) => match memchr(q, &bytes[j + 1..]) {
                    Some(k) => (&self.src[j + 1..j + 1 + k], j + 2 + k),
                    None => {
                        self.problems.add(j, || {
                            format!("attribute {attr} of <{name}> has no closing quote")
                        });
                        (&self.src[j + 1..], bytes.len())
                    }
                },
                _ => {
                    let mut k = j;
                    while k < bytes.len() && !bytes[k].is_ascii_whitespace() && bytes[k] != b'>' {
                        k += 1;
                    }
                    (&self.src[j..k], k)
                }
            };
            let value = decode(raw, j, &mut self.problems);
            attrs.push((attr, value));
            i = after;
        }
        self.pos = i.min(self.src.len());
        Token::Start {
            name,
            attrs,
            self_closing,
        }
    }

    fn text(&mut self) -> Token<'a> {
        let start = self.pos;
        let end = memchr(b'<', &self.src.as_bytes()[start..]).map_or(self.src.len(), |i| start + i);
        self.pos = end;
        Token::Text(decode(&self.src[start..end], start, &mut self.problems))
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            if self.pos >= self.src.len() {
                return None;
            }
            self.start = self.pos;
            let rest = self.rest().as_bytes();
            if rest[0] != b'<' {
                return Some(self.text());
            }
            match rest.get(1) {
                Some(b'!') => {
                    if let Some(t) = self.markup_declaration() {
                        return Some(t);
                    }
                }
                Some(b'?') => {
                    self.pos += 2;
                    self.skip_past("?>", "processing instruction");
                }
                Some(b'/') if rest.get(2).is_some_and(|&c| is_name_start(c)) => {
                    return Some(self.end_tag());
                }
                Some(&c) if is_name_start(c) => return Some(self.start_tag()),
                _ => {
                    let at = self.pos;
                    self.problems
                        .add(at, || "a '<' that starts no tag, read as text".to_owned());
                    self.pos += 1;
                    return Some(Token::Text(Cow::Borrowed("<")));
                }
            }
        }
    }
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b':' || c >= 0x80
}

fn name_length(s: &str) -> usize {
    s.bytes()
        .position(|c| {
            !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b':' | b'-' | b'.') || c >= 0x80)
        })
        .unwrap_or(s.len())
}

fn attr_name_length(s: &str) -> usize {
    s.bytes()
        .position(|c| {
            c.is_ascii_whitespace() || matches!(c, b'=' | b'>' | b'/' | b'"' | b'\'' | b'<')
        })
        .unwrap_or(s.len())
}

/// Decodes character and entity references in `s` (found at byte `offset`), keeping what is not
/// a reference as written.
pub(crate) fn decode<'a>(s: &'a str, offset: usize, problems: &mut Problems) -> Cow<'a, str> {
    let Some(first) = memchr(b'&', s.as_bytes()) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..first]);
    let mut i = first;
    while i < s.len() {
        let rest = &s[i..];
        if !rest.starts_with('&') {
            let next = memchr(b'&', rest.as_bytes()).unwrap_or(rest.len());
            out.push_str(&rest[..next]);
            i += next;
            continue;
        }
        match reference(rest) {
            Some((Some(c), len)) => {
                out.push(c);
                i += len;
            }
            Some((None, len)) => {
                problems.add(offset + i, || {
                    format!("unknown entity {}, kept as written", &rest[..len])
                });
                out.push_str(&rest[..len]);
                i += len;
            }
            None => {
                problems.add(offset + i, || "bare '&', read as text".to_owned());
                out.push('&');
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// Reads the reference at the start of `s` (`&...;`): `Some((char, len))` for a known one,
/// `Some((None, len))` for a well-formed unknown one, `None` when it is not a reference.
fn reference(s: &str) -> Option<(Option<char>, usize)> {
    let semi = memchr2(b';', b'&', &s.as_bytes()[1..s.len().min(40)])? + 1;
    if s.as_bytes()[semi] != b';' {
        return None;
    }
    let body = &s[1..semi];
    let len = semi + 1;
    if let Some(num) = body.strip_prefix('#') {
        let value = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse::<u32>().ok(),
        }?;
        return Some((char::from_u32(value).filter(|&c| c != '\0'), len));
    }
    if body.is_empty() || !body.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
        return None;
    }
    let c = match body {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        _ => return Some((entities::lookup(body), len)),
    };
    Some((Some(c), len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<Token<'_>> {
        Tokenizer::new(s).collect()
    }

    #[test]
    fn reads_tags_text_and_cdata() {
        let t = tokens(
            r#"<?xml version="1.0"?><!-- c --><a x='1' y="&amp;"><![CDATA[<b>]]>t&lt;</a><br/>"#,
        );
        assert_eq!(t.len(), 5);
        assert!(matches!(&t[0], Token::Start { name: "a", attrs, .. } if attrs[1].1 == "&"));
        assert_eq!(t[1], Token::CData("<b>"));
        assert_eq!(t[2], Token::Text(Cow::Borrowed("t<")));
        assert!(matches!(
            t[4],
            Token::Start {
                self_closing: true,
                ..
            }
        ));
    }

    #[test]
    fn bare_ampersand_and_html_entities() {
        let mut p = Problems::new();
        assert_eq!(
            decode("A & B&nbsp;&bogus; &#x4e2d;", 0, &mut p),
            "A & B\u{a0}&bogus; 中"
        );
        assert_eq!(p.list.len(), 2);
    }

    #[test]
    fn stray_angle_bracket_is_text() {
        let t = tokens("<a>1 < 2</a>");
        assert_eq!(t[2], Token::Text(Cow::Borrowed("<")));
    }

    #[test]
    fn cut_off_input_ends_cleanly() {
        for s in [
            "<a b=\"",
            "<a",
            "<![CDATA[x",
            "<!--",
            "</",
            "<!DOCTYPE [",
            "&#",
            "<a b='1",
        ] {
            let _ = tokens(s);
        }
    }
}
