//! The hand-written scanner in front of html5ever's tokenizer: plain markup (most bodies)
//! read byte by byte, anything else left to the tokenizer.

use super::Nesting;
use html5ever::tokenizer::TokenSinkResult;
use std::borrow::Cow;

/// The text from scanning `html` by hand, or `None` for anything but the plain markup most
/// bodies are made of (then the tokenizer reads it). Text, character references and tags go
/// to [`Nesting`] as the tokenizer would send them, so the text is [`streamed`]'s.
pub(super) fn scanned(html: &str) -> Option<String> {
    // The tokenizer drops a leading byte order mark.
    if html.starts_with('\u{feff}') {
        return None;
    }
    let bytes = html.as_bytes();
    let mut nesting = Nesting::<Cow<'_, str>>::default();
    let mut at = 0;
    while at < bytes.len() {
        let end = text_end(bytes, at);
        nesting.out.text(&html[at..end]);
        at = end;
        match bytes.get(at) {
            Some(b'&') => {
                let (c, len) = char_ref(&bytes[at..])?;
                nesting.out.text(c.encode_utf8(&mut [0; 4]));
                at += len;
            }
            Some(b'<') => {
                let (start, name, len) = tag(&html[at..])?;
                let Ok(TokenSinkResult::Continue) = nesting.tag(start, name) else {
                    return None;
                };
                at += len;
            }
            Some(_) => return None,
            None => {}
        }
    }
    // As in `streamed`, elements still open at the end close nothing.
    Some(nesting.out.finish())
}

/// Where the run of text from `at` ends: at the next `<`, `&`, NUL or `\r` (the tokenizer
/// turns `\r` into `\n`; on NUL the stream gives up too), or at the end of `bytes`.
fn text_end(bytes: &[u8], at: usize) -> usize {
    let ends = |b: u8| (b == b'<') | (b == b'&') | (b == b'\0') | (b == b'\r');
    // Whole chunks first, compared without branches so that they compile to vector compares:
    // twice as fast as byte by byte over a body.
    let (chunks, _) = bytes[at..].as_chunks::<32>();
    let plain = chunks
        .iter()
        .take_while(|chunk| chunk.iter().fold(0, |found, b| found | u8::from(ends(*b))) == 0)
        .count();
    let from = at + plain * 32;
    bytes[from..]
        .iter()
        .position(|b| ends(*b))
        .map_or(bytes.len(), |n| from + n)
}

/// The character the reference at the start of `s` (from its `&`) stands for, and the
/// reference's length. `None` for all but the named references bodies use and numeric ones
/// for printable ASCII or U+00A0..=U+D7FF, characters the tokenizer keeps as they are (it
/// replaces NUL, C1 controls and surrogates, for instance).
fn char_ref(s: &[u8]) -> Option<(char, usize)> {
    const NAMED: &[(&[u8], char)] = &[
        (b"&amp;", '&'),
        (b"&lt;", '<'),
        (b"&gt;", '>'),
        (b"&quot;", '"'),
        (b"&apos;", '\''),
        (b"&nbsp;", '\u{a0}'),
    ];
    if let Some(&(name, c)) = NAMED.iter().find(|(name, _)| s.starts_with(name)) {
        return Some((c, name.len()));
    }
    let (radix, from) = match s.get(1..3)? {
        [b'#', b'x' | b'X'] => (16, 3),
        [b'#', _] => (10, 2),
        _ => return None,
    };
    let digits = s[from..]
        .iter()
        .take_while(|b| char::from(**b).is_digit(radix))
        .count();
    let end = from + digits;
    if digits == 0 || s.get(end) != Some(&b';') {
        return None;
    }
    let n = u32::from_str_radix(std::str::from_utf8(&s[from..end]).ok()?, radix).ok()?;
    if !matches!(n, 0x20..=0x7E | 0xA0..=0xD7FF) {
        return None;
    }
    Some((char::from_u32(n)?, end + 1))
}

/// The tag at the start of `s` (from its `<`): whether it is a start tag, its name in lower
/// case and its length. `None` for comments, doctypes, names other than letters and digits,
/// end tags with attributes and attributes [`attribute`] does not read.
fn tag(s: &str) -> Option<(bool, Cow<'_, str>, usize)> {
    let bytes = s.as_bytes();
    let start = bytes.get(1) != Some(&b'/');
    let from = if start { 1 } else { 2 };
    if !bytes.get(from)?.is_ascii_alphabetic() {
        return None;
    }
    let mut at = run(bytes, from, |b| b.is_ascii_alphanumeric());
    let name = &s[from..at];
    let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    };
    if !start {
        at = run(bytes, at, is_space);
        return (*bytes.get(at)? == b'>').then_some((false, name, at + 1));
    }
    if !is_space(*bytes.get(at)?) && !matches!(bytes[at], b'>' | b'/') {
        return None;
    }
    loop {
        match *bytes.get(at)? {
            b'>' => return Some((true, name, at + 1)),
            b'/' => return (bytes.get(at + 1) == Some(&b'>')).then_some((true, name, at + 2)),
            b if is_space(b) => at += 1,
            _ => at = attribute(bytes, at)?,
        }
    }
}

/// The end of the attribute at `at`: a name, then maybe `=` (spaces around it allowed) and a
/// quoted or unquoted value. `None` where the tokenizer would read the bytes otherwise, or
/// would read its own way into them (a `\r` or NUL outside quotes).
fn attribute(bytes: &[u8], at: usize) -> Option<usize> {
    let name = run(bytes, at, |b| {
        !is_space(b) && !matches!(b, b'/' | b'>' | b'=' | b'"' | b'\'' | b'<' | b'\0' | b'\r')
    });
    if name == at {
        return None;
    }
    let eq = run(bytes, name, is_space);
    if bytes.get(eq) != Some(&b'=') {
        return Some(name);
    }
    let value = run(bytes, eq + 1, is_space);
    match *bytes.get(value)? {
        quote @ (b'"' | b'\'') => {
            Some(value + 2 + bytes[value + 1..].iter().position(|b| *b == quote)?)
        }
        _ => {
            let end = run(bytes, value, |b| {
                !is_space(b)
                    && !matches!(b, b'>' | b'"' | b'\'' | b'<' | b'=' | b'`' | b'\0' | b'\r')
            });
            (is_space(*bytes.get(end)?) || bytes[end] == b'>').then_some(end)
        }
    }
}

/// Whitespace between a tag's name and attributes, as the tokenizer reads it (`\r` aside).
fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b' ')
}

/// The end of the run of bytes from `at` that `accept` accepts.
fn run(bytes: &[u8], at: usize, accept: impl Fn(u8) -> bool) -> usize {
    at + bytes[at..].iter().take_while(|b| accept(**b)).count()
}
