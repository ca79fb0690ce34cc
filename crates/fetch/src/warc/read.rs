//! Reading `.warc.gz` files record by record, the way [`WarcWriter`](super::WarcWriter) writes
//! them: one record per gzip member.
//!
//! Words: a *member* is one gzip stream in the file (header, deflate data, CRC trailer); its
//! *offset* and *length* are in compressed bytes, so `file[offset..offset + length]` is the
//! member, which can be copied into another `.warc.gz` unchanged (digests stay valid).
//!
//! Each member is decompressed in full (deflate has no length, so the end of a member is only
//! known once its data is decoded), but only the record's header is kept. A file that ends
//! inside a member (an append cut short by a crash) yields [`ReadError::Truncated`]; a member
//! that does not decode yields [`ReadError::Damaged`]. Either error ends the iteration: the
//! next member cannot be found reliably after a damaged one.

use chrono::{DateTime, Utc};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Decoded bytes allowed before the blank line that ends a record header.
const MAX_HEADER: usize = 1 << 20;

/// One record: its header fields and where its gzip member lies in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Byte offset of the gzip member in the file.
    pub offset: u64,
    /// Length of the gzip member in bytes (compressed).
    pub length: u64,
    /// The `WARC/1.x` version line, without its line break.
    pub version: String,
    /// Header fields in file order, names as written.
    pub fields: Vec<(String, String)>,
    raw: Vec<u8>,
}

impl Record {
    /// The first value of field `name` (names compare ASCII case-insensitively).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields_named(name).next()
    }

    /// Every value of field `name`, in order (`WARC-Concurrent-To` may repeat).
    pub fn fields_named<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.fields
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `WARC-Type`: `warcinfo`, `request`, `response`, ...
    pub fn record_type(&self) -> Option<&str> {
        self.field("WARC-Type")
    }

    /// `WARC-Record-ID`, with its angle brackets.
    pub fn id(&self) -> Option<&str> {
        self.field("WARC-Record-ID")
    }

    /// `WARC-Date`, when present and valid RFC 3339.
    pub fn date(&self) -> Option<DateTime<Utc>> {
        let value = self.field("WARC-Date")?;
        DateTime::parse_from_rfc3339(value)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }

    /// The source the exchange was fetched for ([`SOURCE_FIELD`](super::SOURCE_FIELD)).
    pub fn source(&self) -> Option<&str> {
        self.field(super::SOURCE_FIELD)
    }

    /// The gzip member exactly as it is in the file, to copy without re-encoding.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The gzip member, taken out of the record.
    pub fn into_raw(self) -> Vec<u8> {
        self.raw
    }

    /// The content block as stored (for `request`/`response` records: the HTTP message),
    /// decompressed from the member: the `Content-Length` bytes after the record header.
    /// Reads the whole block into memory.
    pub fn block(&self) -> io::Result<Vec<u8>> {
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&self.raw[..]).read_to_end(&mut decoded)?;
        let invalid = |m: &str| io::Error::new(io::ErrorKind::InvalidData, m.to_owned());
        let start =
            find(&decoded, b"\r\n\r\n").ok_or_else(|| invalid("no end of the record header"))? + 4;
        let length = self
            .field("Content-Length")
            .and_then(|v| v.trim().parse::<usize>().ok())
            .ok_or_else(|| invalid("no valid Content-Length field"))?;
        let end = start
            .checked_add(length)
            .filter(|&end| end <= decoded.len())
            .ok_or_else(|| invalid("the block is shorter than its Content-Length"))?;
        decoded.truncate(end);
        decoded.drain(..start);
        Ok(decoded)
    }

    /// The HTTP message of a `request` or `response` record ([`HttpMessage::parse`] of its
    /// [`block`](Self::block)).
    pub fn http(&self) -> io::Result<HttpMessage> {
        HttpMessage::parse(&self.block()?)
    }
}

/// The HTTP message in the block of a `request` or `response` record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpMessage {
    /// The status line (or request line), without its line break.
    pub start_line: String,
    /// Header fields in order, names as written.
    pub headers: Vec<(String, String)>,
    /// The payload as stored: as it crossed the wire (still content-encoded), de-chunked.
    /// This is what `WARC-Payload-Digest` and a capture's `body_sha256` are computed over.
    pub payload: Vec<u8>,
}

impl HttpMessage {
    /// Splits a block into start line, header fields and payload; fails (`InvalidData`) when
    /// the block has no blank line ending an HTTP header.
    pub fn parse(block: &[u8]) -> io::Result<HttpMessage> {
        let end = find(block, b"\r\n\r\n").ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                "no end of the HTTP header in the block",
            )
        })?;
        let head = String::from_utf8_lossy(&block[..end]);
        let mut lines = head.split("\r\n");
        let start_line = lines.next().unwrap_or_default().to_owned();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        Ok(HttpMessage {
            start_line,
            headers,
            payload: block[end + 4..].to_vec(),
        })
    }

    /// The first value of header `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a `.warc.gz` file could not be read to its end.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Reading the file failed.
    #[error("{}: cannot read at byte {offset}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Offset of the member being read.
        offset: u64,
        /// The underlying error.
        source: io::Error,
    },
    /// The file ends inside a member: an append that did not finish (a crash while writing,
    /// or a file still being written).
    #[error(
        "{}: truncated record at byte {offset} (the file ends inside it; an interrupted write?)",
        path.display()
    )]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Offset of the incomplete member.
        offset: u64,
    },
    /// A member that is not a valid gzip stream holding one WARC record.
    #[error("{}: damaged record at byte {offset}: {message}", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// Offset of the damaged member.
        offset: u64,
        /// What is wrong with it.
        message: String,
    },
}

impl ReadError {
    /// Offset of the member that could not be read; every member before it was read.
    pub fn offset(&self) -> u64 {
        match self {
            ReadError::Io { offset, .. }
            | ReadError::Truncated { offset, .. }
            | ReadError::Damaged { offset, .. } => *offset,
        }
    }
}

/// Iterates the records of a `.warc.gz` file, in file order.
///
/// Yields `Ok(record)` per member; after the first `Err` it yields nothing more.
#[derive(Debug)]
pub struct WarcReader<R> {
    input: Tap<R>,
    path: PathBuf,
    done: bool,
}

impl WarcReader<BufReader<File>> {
    /// Opens the file at `path`.
    pub fn open(path: &Path) -> io::Result<WarcReader<BufReader<File>>> {
        let file = File::open(path)?;
        Ok(WarcReader::new(
            BufReader::with_capacity(64 * 1024, file),
            path,
        ))
    }
}

impl<R: BufRead> WarcReader<R> {
    /// Reads `input`, a `.warc.gz` stream from its start; `path` names it in errors.
    pub fn new(input: R, path: impl Into<PathBuf>) -> WarcReader<R> {
        WarcReader {
            input: Tap {
                inner: input,
                consumed: 0,
                captured: Vec::new(),
            },
            path: path.into(),
            done: false,
        }
    }

    fn read_member(&mut self) -> Option<Result<Record, ReadError>> {
        let offset = self.input.consumed;
        let path = &self.path;
        let io_error = |source| ReadError::Io {
            path: path.clone(),
            offset,
            source,
        };
        match self.input.fill_buf() {
            Ok([]) => return None,
            Ok(start) if !start.starts_with(&[0x1f]) => {
                return Some(Err(ReadError::Damaged {
                    path: path.clone(),
                    offset,
                    message: "not the start of a gzip member".to_owned(),
                }));
            }
            Ok(_) => {}
            Err(e) => return Some(Err(io_error(e))),
        }
        self.input.captured.clear();
        let decoded = decode_member(&mut self.input);
        let at_end = match self.input.fill_buf() {
            Ok(rest) => rest.is_empty(),
            Err(e) => return Some(Err(io_error(e))),
        };
        let (head, total) = match decoded {
            Ok(found) => found,
            Err(Failure::Io(e)) if e.kind() == io::ErrorKind::UnexpectedEof && at_end => {
                return Some(Err(ReadError::Truncated {
                    path: path.clone(),
                    offset,
                }));
            }
            Err(Failure::Io(e))
                if matches!(
                    e.kind(),
                    io::ErrorKind::UnexpectedEof
                        | io::ErrorKind::InvalidInput
                        | io::ErrorKind::InvalidData
                ) =>
            {
                return Some(Err(ReadError::Damaged {
                    path: path.clone(),
                    offset,
                    message: e.to_string(),
                }));
            }
            Err(Failure::Io(e)) => return Some(Err(io_error(e))),
            Err(Failure::Format(message)) => {
                return Some(Err(ReadError::Damaged {
                    path: path.clone(),
                    offset,
                    message,
                }));
            }
        };
        let damaged = |message: String| ReadError::Damaged {
            path: path.clone(),
            offset,
            message,
        };
        let (version, fields) = match parse_head(&head) {
            Ok(parsed) => parsed,
            Err(message) => return Some(Err(damaged(message))),
        };
        let declared = fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
            .and_then(|(_, v)| v.trim().parse::<u64>().ok());
        let Some(content_length) = declared else {
            return Some(Err(damaged(
                "no valid Content-Length field in the record header".to_owned(),
            )));
        };
        let expected = head.len() as u64 + content_length;
        if total < expected {
            return Some(Err(damaged(format!(
                "the block is {} bytes, Content-Length says {content_length}",
                total - head.len() as u64
            ))));
        }
        if total > expected + 4 {
            return Some(Err(damaged(format!(
                "{} bytes follow the record inside its gzip member (more than one record per \
                 member is not supported)",
                total - expected
            ))));
        }
        let raw = std::mem::take(&mut self.input.captured);
        Some(Ok(Record {
            offset,
            length: self.input.consumed - offset,
            version,
            fields,
            raw,
        }))
    }
}

impl<R: BufRead> Iterator for WarcReader<R> {
    type Item = Result<Record, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.read_member();
        if !matches!(next, Some(Ok(_))) {
            self.done = true;
        }
        next
    }
}

/// How decoding one member failed.
enum Failure {
    Io(io::Error),
    Format(String),
}

/// Decodes one gzip member from `input`: the record header (up to and including its blank
/// line) and the total decoded length. Leaves `input` just past the member.
fn decode_member<R: BufRead>(input: &mut Tap<R>) -> Result<(Vec<u8>, u64), Failure> {
    let mut decoder = flate2::bufread::GzDecoder::new(input);
    let mut buf = vec![0u8; 16 * 1024];
    let mut head = Vec::new();
    let mut total = 0u64;
    let mut head_end = None;
    loop {
        let n = match decoder.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Failure::Io(e)),
        };
        total += n as u64;
        if head_end.is_none() {
            let searched_from = head.len().saturating_sub(3);
            head.extend_from_slice(&buf[..n]);
            if let Some(at) = find(&head[searched_from..], b"\r\n\r\n") {
                let end = searched_from + at + 4;
                head.truncate(end);
                head_end = Some(end);
            } else if head.len() > MAX_HEADER {
                return Err(Failure::Format(format!(
                    "no end of the record header in the first {MAX_HEADER} bytes"
                )));
            }
        }
    }
    if head_end.is_none() {
        if total == 0 {
            return Err(Failure::Format("an empty gzip member".to_owned()));
        }
        return Err(Failure::Format(
            "the member ends before the record header does".to_owned(),
        ));
    }
    Ok((head, total))
}

/// The version line and the fields of a record header (which ends with its blank line).
fn parse_head(head: &[u8]) -> Result<(String, Vec<(String, String)>), String> {
    let text = std::str::from_utf8(head)
        .map_err(|e| format!("the record header is not UTF-8 (byte {})", e.valid_up_to()))?;
    let mut lines = text.split("\r\n");
    let version = lines.next().unwrap_or_default();
    if !version.starts_with("WARC/") {
        return Err(format!(
            "the record does not start with a WARC version line: {:?}",
            version.chars().take(40).collect::<String>()
        ));
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in lines.take_while(|l| !l.is_empty()) {
        if line.starts_with([' ', '\t']) {
            // A continuation line (allowed by WARC 1.1, never written by us).
            let Some(last) = fields.last_mut() else {
                return Err("the record header starts with a continuation line".to_owned());
            };
            last.1.push(' ');
            last.1.push_str(line.trim());
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("a header line without a colon: {line:?}"));
        };
        fields.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    Ok((version.to_owned(), fields))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A `BufRead` that counts the bytes consumed from it and keeps a copy of them (the current
/// member's raw bytes).
#[derive(Debug)]
struct Tap<R> {
    inner: R,
    consumed: u64,
    captured: Vec<u8>,
}

impl<R: BufRead> Read for Tap<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tap<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let n = n.min(buf.len());
            self.captured.extend_from_slice(&buf[..n]);
        }
        self.consumed += n as u64;
        self.inner.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_fields_keep_order_and_continuations() {
        let head =
            b"WARC/1.1\r\nWARC-Type: response\r\nX-Long: a\r\n  b\r\nContent-Length: 0\r\n\r\n";
        let (version, fields) = parse_head(head).unwrap();
        assert_eq!(version, "WARC/1.1");
        assert_eq!(
            fields,
            vec![
                ("WARC-Type".to_owned(), "response".to_owned()),
                ("X-Long".to_owned(), "a b".to_owned()),
                ("Content-Length".to_owned(), "0".to_owned()),
            ]
        );
        assert!(parse_head(b"HTTP/1.1 200 OK\r\n\r\n").is_err());
    }

    #[test]
    fn a_stream_that_is_not_gzip_is_damaged_at_its_offset() {
        let mut reader = WarcReader::new(&b"WARC/1.1\r\n"[..], "plain.warc");
        let err = reader.next().unwrap().unwrap_err();
        assert!(matches!(err, ReadError::Damaged { offset: 0, .. }), "{err}");
        assert!(
            err.to_string()
                .starts_with("plain.warc: damaged record at byte 0")
        );
        assert!(reader.next().is_none());
    }

    #[test]
    fn block_and_http_payload_are_as_written() {
        let tmp = tempfile::tempdir().unwrap();
        let mut w = super::super::WarcWriter::open(tmp.path(), Utc::now()).unwrap();
        let hop = crate::Hop {
            url: "http://127.0.0.1:9/a.html".into(),
            started: Utc::now(),
            request_headers: vec![("host".into(), "127.0.0.1:9".into())],
            version: "HTTP/1.1".into(),
            status: 200,
            headers: vec![("content-encoding".into(), "gzip".into())],
            raw_body: b"\x1f\x8b not really gzip, \r\n\r\n twice".to_vec(),
        };
        let ids = w.write_exchange(&hop).unwrap();
        let path = w.finish().unwrap();
        let records: Vec<Record> = WarcReader::open(&path)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let response = records
            .iter()
            .find(|r| r.id() == Some(ids.response.as_str()))
            .unwrap();
        let block = response.block().unwrap();
        assert!(block.starts_with(b"HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\n\r\n"));
        let http = response.http().unwrap();
        assert_eq!(http.start_line, "HTTP/1.1 200 OK");
        assert_eq!(http.header("Content-Encoding"), Some("gzip"));
        assert_eq!(http.payload, hop.raw_body);
        let request = records
            .iter()
            .find(|r| r.id() == Some(ids.request.as_str()))
            .unwrap();
        assert_eq!(request.http().unwrap().start_line, "GET /a.html HTTP/1.1");
    }
}
