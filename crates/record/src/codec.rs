//! One record file: parse and write.
//!
//! ```text
//! <!--{ms}-->            publication time, Unix epoch milliseconds (absent in the old CDT layout)
//! [{title}]({url})       the title as a Markdown link; may span lines in old records
//! ------                 setext underline, exactly six '-'
//! 日期：{date}            old CDT layout only: the feed's date, RFC 2822
//!                        empty line
//! {body}                 the article HTML, one line when the generator wrote it
//! ```
//!
//! **Title rule.** The reader takes the *last* `](` on the title line(s) whose remainder up to
//! the final `)` is an absolute URL (else the last one whose remainder is non-empty); a remainder
//! with whitespace is never a URL. Titles therefore need no escaping: brackets and even `](`
//! inside a title read back as written. The one ambiguous case is a URL that itself contains
//! `](`; the writer writes such a `]` as `%5D`, which names the same resource (a file read with
//! such a URL keeps it as found, [`Form::raw_url`]). Likewise it percent-encodes whitespace in a
//! URL (WHATWG serialization keeps spaces in opaque paths such as `javascript:a b`). Titles we
//! write ourselves are trimmed and on one line ([`Record::compat`]); titles of imported records
//! are kept exactly.

use chrono::DateTime;
use std::fmt::{self, Write as _};

const UNDERLINE: &str = "------";
const DATE_PREFIX: &str = "日期：";

/// One article version in the record format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The feed's publication time, epoch milliseconds (from line 1, or from the old CDT date line).
    pub published_ms: Option<i64>,
    /// The title exactly as written between `[` and `](` (or the whole title line without a link).
    pub title: String,
    /// The article URL, or `None` when the title line is not a link.
    pub url: Option<String>,
    /// Old CDT layout: the text after `日期：` on the line below the underline.
    pub date_line: Option<String>,
    /// The body HTML, exactly as stored (never sanitized on disk).
    pub body: String,
    /// How the file deviates from the canonical layout, so it writes back byte for byte.
    pub form: Form,
}

/// The presentation of a record file. [`Form::default`] is the canonical layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    /// The file starts with a UTF-8 byte-order mark.
    pub bom: bool,
    /// Structural lines end with `\r\n`.
    pub crlf: bool,
    /// Line 1 holds `<!--{ms}-->`.
    pub timestamp_line: bool,
    /// Line 1 exactly as found, when it is not the canonical `<!--{ms}-->` (e.g. leading zeros).
    pub raw_timestamp: Option<String>,
    /// The URL contains `](` and was found written as is (imported files); the writer otherwise
    /// writes such a URL's `](` as `%5D(` (see the module doc).
    pub raw_url: bool,
    /// An empty line separates the header from the body.
    pub blank_line: bool,
    /// The body is followed by a line ending.
    pub final_newline: bool,
}

impl Default for Form {
    fn default() -> Self {
        Form {
            bom: false,
            crlf: false,
            timestamp_line: true,
            raw_timestamp: None,
            raw_url: false,
            blank_line: true,
            final_newline: true,
        }
    }
}

/// A parsed record and what was unusual about the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The record.
    pub record: Record,
    /// Deviations that were accepted (CRLF, BOM, no final newline, ...).
    pub warnings: Vec<Warning>,
}

/// A deviation from the canonical layout that was read anyway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// 1-based line number.
    pub line: usize,
    /// What was unusual.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// A record that cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The bytes are not UTF-8.
    #[error("{path}:{line}:{column}: record is not valid UTF-8 (invalid byte sequence here)")]
    InvalidUtf8 {
        /// The file.
        path: String,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 1-based byte column of the first invalid byte.
        column: usize,
    },
    /// The structure is not the record format.
    #[error("{path}:{line}: expected {expected}, found {found}")]
    Malformed {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What the format requires here.
        expected: &'static str,
        /// What the file has (shortened).
        found: String,
    },
}

impl Record {
    /// A record as the duty-machine generator wrote one from a feed item: the title trimmed and
    /// on one line, each body line trimmed and the lines joined with nothing.
    pub fn compat(published_ms: i64, title: &str, url: &str, body_html: &str) -> Record {
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        let body: String = body_html.lines().map(str::trim).collect();
        Record {
            published_ms: Some(published_ms),
            title,
            url: Some(url.to_owned()),
            date_line: None,
            body,
            form: Form::default(),
        }
    }
}

/// Reads one record file. `path` only labels errors and warnings.
pub fn parse(bytes: &[u8], path: &str) -> Result<Parsed, RecordError> {
    let text = from_utf8(bytes, path)?;
    Reader::new(text, path).read()
}

/// `bytes` as text, or an error naming where the first invalid byte is. Validated with
/// SIMD: records are mostly three-byte CJK characters, on which std's validator runs at
/// under 1 GB/s; it only runs again to locate an error.
fn from_utf8<'a>(bytes: &'a [u8], path: &str) -> Result<&'a str, RecordError> {
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return Ok(text);
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = position(bytes, e.valid_up_to());
        RecordError::InvalidUtf8 {
            path: path.to_owned(),
            line,
            column,
        }
    })
}

/// The header fields of a record: what an index needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// As [`Record::published_ms`].
    pub published_ms: Option<i64>,
    /// As [`Record::title`].
    pub title: String,
    /// As [`Record::url`].
    pub url: Option<String>,
    /// As [`Record::date_line`].
    pub date_line: Option<String>,
}

impl From<Record> for Head {
    fn from(r: Record) -> Head {
        Head {
            published_ms: r.published_ms,
            title: r.title,
            url: r.url,
            date_line: r.date_line,
        }
    }
}

/// The header of a record without validating or copying kilobytes of body HTML. Gives the
/// same fields as [`parse`] for every record [`parse`] accepts; it falls back to [`parse`]
/// whenever the head alone is not conclusive.
pub fn parse_head(bytes: &[u8], path: &str) -> Result<Head, RecordError> {
    if let Some(cut) = head_end(bytes)
        && let Ok(text) = simdutf8::basic::from_utf8(&bytes[..cut])
        && let Ok(parsed) = Reader::new(text, path).read()
        && parsed.record.url.is_some()
    {
        return Ok(parsed.record.into());
    }
    Ok(parse(bytes, path)?.record.into())
}

/// Byte length of a record's head: through the line after the first underline line.
fn head_end(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    loop {
        let at = from + find(&bytes[from..], b"\n------")?;
        let after = at + b"\n------".len();
        let rest = &bytes[after..];
        let line_end = if rest.starts_with(b"\n") {
            after + 1
        } else if rest.starts_with(b"\r\n") {
            after + 2
        } else {
            from = after;
            continue;
        };
        // One more line: the old CDT date line, or the blank line.
        let next = find(&bytes[line_end..], b"\n").map_or(bytes.len(), |i| line_end + i + 1);
        return Some(next);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Writes one record file. `write(&parse(b)?.record) == b` for every file `parse` accepts.
pub fn write(record: &Record) -> Vec<u8> {
    let f = &record.form;
    let nl = if f.crlf { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(record.body.len() + record.title.len() + 256);
    if f.bom {
        out.push('\u{feff}');
    }
    if f.timestamp_line {
        match (&f.raw_timestamp, record.published_ms) {
            (Some(raw), _) => out.push_str(raw),
            (None, Some(ms)) => {
                out.push_str("<!--");
                out.push_str(&ms.to_string());
                out.push_str("-->");
            }
            (None, None) => out.push_str("<!---->"),
        }
        out.push_str(nl);
    }
    match &record.url {
        Some(url) => {
            out.push('[');
            out.push_str(&record.title);
            out.push_str("](");
            if f.raw_url {
                out.push_str(url);
            } else {
                out.push_str(&link_target(url));
            }
            out.push(')');
        }
        None => out.push_str(&record.title),
    }
    out.push_str(nl);
    out.push_str(UNDERLINE);
    out.push_str(nl);
    if let Some(date) = &record.date_line {
        out.push_str(DATE_PREFIX);
        out.push_str(date);
        out.push_str(nl);
    }
    if f.blank_line {
        out.push_str(nl);
    }
    out.push_str(&record.body);
    if f.final_newline {
        out.push_str(nl);
    }
    out.into_bytes()
}

/// `url` as written in a title line: `](` as `%5D(` and whitespace percent-encoded, so that the
/// title rule reads the URL back (see the module doc). A URL without either is written as is.
fn link_target(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.replace("](", "%5D(").chars() {
        if c.is_whitespace() {
            for b in c.encode_utf8(&mut [0; 4]).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// 1-based (line, byte column) of byte offset `at`.
fn position(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

fn shorten(s: &str) -> String {
    const MAX: usize = 60;
    if s.is_empty() {
        return "an empty line".to_owned();
    }
    let mut out: String = s.chars().take(MAX).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    format!("{out:?}")
}

struct Reader<'a> {
    path: &'a str,
    rest: &'a str,
    line: usize,
    crlf: bool,
    /// The text ends with `\n`, i.e. its last line has a line ending.
    ends_with_newline: bool,
    warnings: Vec<Warning>,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, path: &'a str) -> Self {
        Reader {
            path,
            rest: text,
            line: 1,
            crlf: false,
            ends_with_newline: text.ends_with('\n'),
            warnings: Vec::new(),
        }
    }

    fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.warnings.push(Warning {
            line,
            message: message.into(),
        });
    }

    fn malformed(&self, line: usize, expected: &'static str, found: &str) -> RecordError {
        RecordError::Malformed {
            path: self.path.to_owned(),
            line,
            expected,
            found: shorten(found),
        }
    }

    /// The next structural line without its terminator, or `None` at the end of the text.
    /// In a CRLF file a line must end with `\r\n`; a bare `\n` there is an error.
    fn next_line(&mut self) -> Result<Option<&'a str>, RecordError> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let (line, rest) = match self.rest.find('\n') {
            Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
            None => (self.rest, ""),
        };
        let line = if self.crlf && self.rest.len() > line.len() {
            line.strip_suffix('\r').ok_or_else(|| {
                self.malformed(
                    self.line,
                    "a CRLF line ending like the first line's (mixed line endings)",
                    line,
                )
            })?
        } else {
            line
        };
        self.rest = rest;
        self.line += 1;
        Ok(Some(line))
    }

    fn peek_line(&self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        let line = self.rest.split('\n').next().unwrap_or("");
        // As in `next_line`: only a terminated line ends with the `\r` of a CRLF.
        let terminated = self.rest.len() > line.len();
        Some(if self.crlf && terminated {
            line.strip_suffix('\r').unwrap_or(line)
        } else {
            line
        })
    }

    /// Fails when the header line just read (line `line_no`) was the last of the file and had no
    /// line ending: [`write`] ends every header line, so it could not give back these bytes.
    fn require_line_ending(&self, line_no: usize, found: &str) -> Result<(), RecordError> {
        if self.rest.is_empty() && !self.ends_with_newline {
            let expected = "a line ending after this header line (the file ends inside the header)";
            return Err(self.malformed(line_no, expected, found));
        }
        Ok(())
    }

    fn read(mut self) -> Result<Parsed, RecordError> {
        let mut form = Form::default();
        if let Some(rest) = self.rest.strip_prefix('\u{feff}') {
            self.rest = rest;
            form.bom = true;
            self.warn(1, "byte-order mark at the start of the file");
        }
        let first_end = self.rest.find('\n');
        if let Some(i) = first_end {
            self.crlf = self.rest[..i].ends_with('\r');
            form.crlf = self.crlf;
            if self.crlf {
                self.warn(1, "CRLF line endings");
            }
        }

        let Some(first) = self.next_line()? else {
            return Err(self.malformed(1, "a record (`<!--{ms}-->` then `[title](url)`)", ""));
        };
        let mut published_ms = None;
        let title_start;
        let mut title_lines: Vec<&str> = Vec::new();
        if let Some(inner) = first.strip_prefix("<!--") {
            let ms = inner
                .strip_suffix("-->")
                .map(str::trim)
                .and_then(|n| n.parse::<i64>().ok())
                .ok_or_else(|| {
                    self.malformed(1, "`<!--{publication time in epoch ms}-->`", first)
                })?;
            published_ms = Some(ms);
            if first != format!("<!--{ms}-->") {
                form.raw_timestamp = Some(first.to_owned());
                self.warn(
                    1,
                    "publication time line is not in canonical form `<!--{ms}-->`",
                );
            }
            title_start = 2;
        } else {
            form.timestamp_line = false;
            title_start = 1;
            title_lines.push(first);
        }

        // The title runs to the first underline that closes a complete `[title](url)` link, or,
        // when no underline does, to the first underline at all.
        let mut plain_title: Option<(usize, usize)> = None; // (lines, underline line)
        let mut rewind = (self.rest, self.line);
        let (title, url) = loop {
            let line_no = self.line;
            let Some(line) = self.next_line()? else {
                if let Some((n, _)) = plain_title {
                    title_lines.truncate(n);
                    (self.rest, self.line) = rewind;
                    let title = title_lines.join(if self.crlf { "\r\n" } else { "\n" });
                    self.warn(
                        title_start,
                        "title line is not a Markdown link `[title](url)`; read as a plain title",
                    );
                    break (title, None);
                }
                let expected = "the setext underline `------` after the title line";
                return Err(self.malformed(line_no, expected, ""));
            };
            if !self.crlf && line == "------\r" {
                let expected = "an LF line ending like the first line's (mixed line endings)";
                return Err(self.malformed(line_no, expected, line));
            }
            if title_lines.is_empty() && (line.is_empty() || line == UNDERLINE) {
                return Err(self.malformed(line_no, "the title line `[title](url)`", line));
            }
            if line == UNDERLINE {
                let joined = title_lines.join(if self.crlf { "\r\n" } else { "\n" });
                if let Some((title, url)) = split_link(&joined) {
                    break (title.to_owned(), Some(url.to_owned()));
                }
                if plain_title.is_none() {
                    plain_title = Some((title_lines.len(), line_no));
                    rewind = (self.rest, self.line);
                }
            }
            title_lines.push(line);
        };
        self.require_line_ending(self.line - 1, UNDERLINE)?;
        form.raw_url = url.as_deref().is_some_and(|u| u.contains("]("));
        if title_lines.len() > 1 && url.is_some() {
            self.warn(title_start, "title spans several lines");
        }

        let mut date_line = None;
        if let Some(line) = self.peek_line()
            && let Some(date) = line.strip_prefix(DATE_PREFIX)
        {
            self.next_line()?;
            self.require_line_ending(self.line - 1, line)?;
            if published_ms.is_none() {
                published_ms = DateTime::parse_from_rfc2822(date.trim())
                    .ok()
                    .map(|d| d.timestamp_millis());
                if published_ms.is_none() {
                    self.warn(
                        self.line - 1,
                        format!("cannot read the date {date:?}; no publication time"),
                    );
                }
            }
            date_line = Some(date.to_owned());
        } else if !form.timestamp_line {
            self.warn(1, "no `<!--{ms}-->` publication time line");
        }

        let blank_line_no = self.line;
        match self.peek_line() {
            Some("") => {
                self.next_line()?;
            }
            _ => {
                form.blank_line = false;
                self.warn(blank_line_no, "expected an empty line before the body");
            }
        }

        let nl = if self.crlf { "\r\n" } else { "\n" };
        let body_line = self.line;
        let body = match self.rest.strip_suffix(nl) {
            Some(body) => body,
            None => {
                form.final_newline = false;
                if !self.rest.is_empty() || form.blank_line {
                    self.warn(body_line, "no line ending at the end of the file");
                }
                self.rest
            }
        };
        if body.is_empty() {
            self.warn(body_line, "empty body");
        }
        Ok(Parsed {
            record: Record {
                published_ms,
                title,
                url,
                date_line,
                body: body.to_owned(),
                form,
            },
            warnings: self.warnings,
        })
    }
}

/// Splits `[title](url)` at the last `](` whose remainder is a URL (see the module doc).
fn split_link(line: &str) -> Option<(&str, &str)> {
    let inner = line.strip_prefix('[')?.strip_suffix(')')?;
    let candidates = || inner.rmatch_indices("](").map(|(i, _)| i);
    let url_at = |i: usize| &inner[i + 2..];
    let plausible = |u: &str| !u.is_empty() && !u.chars().any(char::is_whitespace);
    let at = candidates()
        .find(|&i| plausible(url_at(i)) && is_absolute(url_at(i)))
        .or_else(|| candidates().find(|&i| plausible(url_at(i))))?;
    Some((&inner[..at], url_at(at)))
}

/// `scheme:` and the rest, as in RFC 3986 (the rest may be empty: `path-empty`).
fn is_absolute(url: &str) -> bool {
    match url.find(':') {
        Some(i) if i > 0 => {
            let scheme = &url[..i];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(bytes: &[u8]) -> Parsed {
        let parsed = parse(bytes, "t.md").expect("parses");
        assert_eq!(
            String::from_utf8_lossy(&write(&parsed.record)),
            String::from_utf8_lossy(bytes)
        );
        parsed
    }

    #[test]
    fn the_head_alone_gives_the_same_fields() {
        for bytes in [
            &b"<!--1-->\n[t](https://a.b/)\n------\n\n<p>x</p>\n"[..],
            "[标题](https://a.b/)\n------\n日期：Fri, 26 Jun 2020 19:15:46 +0000\n\nx\n".as_bytes(),
            b"<!--1-->\r\n[t\r\n2](https://a.b/)\r\n------\r\n\r\nx",
            b"<!--1-->\nplain\n------\n\nx\n",
            b"<!--1-->\n[a\n------\nb](https://a.b/)\n------\n\nx\n",
        ] {
            let full = Head::from(parse(bytes, "t.md").unwrap().record);
            assert_eq!(parse_head(bytes, "t.md").unwrap(), full);
        }
        assert!(parse_head(b"<!--x-->\n", "t.md").is_err());
    }

    #[test]
    fn canonical_record_reads_its_fields() {
        let p = roundtrip(
            b"<!--1685139303000-->\n[A title](https://example.com/a)\n------\n\n<p>x</p>\n",
        );
        assert_eq!(p.record.published_ms, Some(1685139303000));
        assert_eq!(p.record.title, "A title");
        assert_eq!(p.record.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(p.record.body, "<p>x</p>");
        assert_eq!(p.record.form, Form::default());
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    }

    #[test]
    fn brackets_in_titles_and_urls_read_back() {
        let p = roundtrip(b"<!--1-->\n[[\xe8\xa7\x86\xe9\xa2\x91]a](b) c](https://x.com/p?q=(1))\n------\n\nbody\n");
        assert_eq!(p.record.title, "[视频]a](b) c");
        assert_eq!(p.record.url.as_deref(), Some("https://x.com/p?q=(1)"));
        let r = Record::compat(1, "t", "https://x.com/a](b", "body");
        let back = parse(&write(&r), "t.md").unwrap().record;
        assert_eq!(back.title, "t");
        assert_eq!(back.url.as_deref(), Some("https://x.com/a%5D(b"));
    }

    #[test]
    fn old_cdt_layout_takes_its_time_from_the_date_line() {
        let text = "[标题](https://chinadigitaltimes.net/chinese/1.html)\n------\n日期：Fri, 26 Jun 2020 19:15:46 +0000\n\n<p>正文</p>\n";
        let p = roundtrip(text.as_bytes());
        assert_eq!(p.record.published_ms, Some(1593198946000));
        assert_eq!(
            p.record.date_line.as_deref(),
            Some("Fri, 26 Jun 2020 19:15:46 +0000")
        );
        assert!(!p.record.form.timestamp_line);
    }

    #[test]
    fn deviations_are_read_kept_and_reported() {
        for (bytes, warning) in [
            (
                &b"\xef\xbb\xbf<!--1-->\n[t](https://a.b/)\n------\n\nx\n"[..],
                "byte-order mark",
            ),
            (
                b"<!--1-->\r\n[t](https://a.b/)\r\n------\r\n\r\nx\r\n",
                "CRLF",
            ),
            (
                b"<!--1-->\n[t](https://a.b/)\n------\n\nx",
                "no line ending",
            ),
            (b"<!--1-->\n[t](https://a.b/)\n------\n\n\n", "empty body"),
            (
                b"<!--1-->\nplain title\n------\n\nx\n",
                "not a Markdown link",
            ),
            (
                b"<!--1-->\n[two\nlines ](https://a.b/)\n------\n\nx\n",
                "several lines",
            ),
            (
                b"<!--1-->\n[t](https://a.b/)\n------\nx\n",
                "empty line before the body",
            ),
            (
                b"<!--0001-->\n[t](https://a.b/)\n------\n\nx\n",
                "canonical",
            ),
        ] {
            let p = roundtrip(bytes);
            assert!(
                p.warnings.iter().any(|w| w.message.contains(warning)),
                "{warning:?} not in {:?}",
                p.warnings
            );
        }
    }

    #[test]
    fn carriage_returns_and_line_separators_inside_bodies_are_kept() {
        let p =
            roundtrip("<!--1-->\n[t ](https://a.b/)\n------\n\n<p>a\rb\u{2028}c</p>\n".as_bytes());
        assert_eq!(p.record.body, "<p>a\rb\u{2028}c</p>");
        assert_eq!(p.record.title, "t ");
    }

    #[test]
    fn malformed_records_name_the_line_and_what_was_expected() {
        let cases: [(&[u8], &str); 5] = [
            (
                b"<!--abc-->\n[t](u)\n------\n\nx\n",
                "t.md:1: expected `<!--{publication time",
            ),
            (
                b"<!--1-->\n[t](https://a.b/)\nno underline\n",
                "t.md:4: expected the setext underline",
            ),
            (b"", "t.md:1: expected a record"),
            (
                b"<!--1-->\n[t](https://a.b/)\r\n------\r\n",
                "mixed line endings",
            ),
            (
                b"<!--1-->\n[t](https://a.b/\xff)\n------\n\nx\n",
                "t.md:2:17: record is not valid UTF-8",
            ),
        ];
        for (bytes, message) in cases {
            let err = parse(bytes, "t.md").expect_err("must fail").to_string();
            assert!(err.contains(message), "{err:?} lacks {message:?}");
        }
    }

    #[test]
    fn regression_urls_with_spaces_are_written_percent_encoded() {
        // WHATWG serialization keeps spaces in opaque paths; the reader never takes a remainder
        // with whitespace for a URL, so the record used to read back as a plain title.
        let r = Record::compat(1, "t", "javascript:a b", "x");
        assert_eq!(write(&r), b"<!--1-->\n[t](javascript:a%20b)\n------\n\nx\n");
        let back = parse(&write(&r), "t.md").unwrap().record;
        assert_eq!(
            (back.title.as_str(), back.url.as_deref()),
            ("t", Some("javascript:a%20b"))
        );
    }

    #[test]
    fn regression_a_scheme_with_an_empty_rest_is_an_absolute_url() {
        // `x:` was not absolute, so an absolute-looking `](...` inside the title won instead.
        let r = Record::compat(1, "](https://example.org/x", "x:", "b");
        let back = parse(&write(&r), "t.md").unwrap().record;
        assert_eq!(back, r);
    }

    #[test]
    fn regression_urls_read_with_bracket_paren_write_back_as_found() {
        // The reader accepts a URL containing `](`; the writer used to rewrite it as `%5D(`.
        let p = roundtrip(b"<!--1-->\n[t](https://x.com/a](b)\n------\n\nx\n");
        assert_eq!(p.record.url.as_deref(), Some("https://x.com/a](b"));
        assert!(p.record.form.raw_url);
    }

    #[test]
    fn regression_headers_that_cannot_be_written_back_are_errors() {
        let cases: [(&[u8], &str); 3] = [
            // No title line: read as an empty plain title, written back with an extra line.
            (
                b"<!--1-->\n------\n\nx\n",
                "t.md:2: expected the title line",
            ),
            // The file ends on the underline or date line: written back with a line ending.
            (
                b"<!--1-->\n[t](https://a.b/)\n------",
                "t.md:3: expected a line ending",
            ),
            (
                "[t](https://a.b/)\n------\n日期：Fri, 26 Jun 2020 19:15:46 +0000".as_bytes(),
                "t.md:3: expected a line ending",
            ),
        ];
        for (bytes, message) in cases {
            let err = parse(bytes, "t.md").expect_err("must fail").to_string();
            assert!(err.contains(message), "{err:?} lacks {message:?}");
        }
    }

    #[test]
    fn regression_a_final_carriage_return_in_a_crlf_file_is_body() {
        // The look-ahead took an unterminated "\r" for the blank line's CRLF.
        let p = roundtrip(b"<!--1-->\r\n[t](https://a.b/)\r\n------\r\n\r");
        assert_eq!(p.record.body, "\r");
        assert!(!p.record.form.blank_line);
    }

    #[test]
    fn compat_records_trim_titles_and_join_body_lines() {
        let r = Record::compat(5, "  a\n b  ", "https://a.b/", "<p>\n  x  \n</p>\n");
        assert_eq!(r.title, "a b");
        assert_eq!(r.body, "<p>x</p>");
        assert_eq!(
            write(&r),
            b"<!--5-->\n[a b](https://a.b/)\n------\n\n<p>x</p>\n"
        );
    }
}
