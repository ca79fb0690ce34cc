//! The WARC/1.1 writer: each exchange as a `request` and a `response` record, each record its
//! own gzip member (so a reader can seek to any record), with SHA-1 block and payload digests.
//!
//! Written by hand rather than with the `warc` crate: that crate has had no release in two
//! years, computes no digests, writes one gzip member per file and corrupts files it reopens
//! (STACK.md pitfall 13); the writer side is small.
//!
//! Files: `warc/<yyyy-mm-dd>/<n>.warc.gz`. A file being written is named `….warc.gz.open` and
//! renamed when finished; [`recover`] (run by [`WarcWriter::open`]) cuts an interrupted file
//! after its last complete record and finishes it, so every `.warc.gz` validates.
//!
//! Bodies are stored as received (still content-encoded), but de-chunked: the
//! `Transfer-Encoding` header is therefore left out of stored responses, as warcio does.
//!
//! Extension fields: [`WarcWriter::write_exchange_with`] adds fields of our own to both records
//! of an exchange, such as [`SOURCE_FIELD`] (which source the exchange was fetched for, so that
//! an export can select by source). WARC 1.1 allows fields it does not define; readers that do
//! not know them ignore them.
//!
//! Reading: [`WarcReader`] walks the gzip members of a file, one record each, with the offset,
//! length and raw bytes of every member, so that records can be copied without re-encoding.

mod read;

pub use read::{HttpMessage, ReadError, Record, WarcReader};

use crate::Hop;
use chrono::{DateTime, Utc};
use sha1::{Digest, Sha1};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Finished files are rotated past this size.
pub const MAX_FILE_SIZE: u64 = 1 << 30;

/// Extension field naming the source an exchange was fetched for (its source id). Not a WARC
/// 1.1 field name, so it cannot collide with one.
pub const SOURCE_FIELD: &str = "Newsvault-Source";

/// Field names the writer sets itself; extra fields may not repeat them.
const OWN_FIELDS: &[&str] = &[
    "WARC-Type",
    "WARC-Record-ID",
    "WARC-Date",
    "WARC-Target-URI",
    "WARC-Warcinfo-ID",
    "WARC-Concurrent-To",
    "WARC-Block-Digest",
    "WARC-Payload-Digest",
    "Content-Type",
    "Content-Length",
];

/// Appends records to one WARC file under `warc/`.
#[derive(Debug)]
pub struct WarcWriter {
    file: File,
    open_path: PathBuf,
    final_path: PathBuf,
    written: u64,
    warcinfo_id: String,
}

/// The record ids written for one exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangeIds {
    /// `WARC-Record-ID` of the request record.
    pub request: String,
    /// `WARC-Record-ID` of the response record (what captures name).
    pub response: String,
}

impl WarcWriter {
    /// Starts a new file for `now`'s day under `warc_root` (after finishing any file a crash
    /// left open) and writes its `warcinfo` record.
    pub fn open(warc_root: &Path, now: DateTime<Utc>) -> io::Result<WarcWriter> {
        recover(warc_root)?;
        let day = warc_root.join(now.format("%Y-%m-%d").to_string());
        std::fs::create_dir_all(&day)?;
        let n = next_number(&day)?;
        let final_path = day.join(format!("{n}.warc.gz"));
        let open_path = day.join(format!("{n}.warc.gz.open"));
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&open_path)?;
        let filename = final_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (warcinfo_id, member) = warcinfo_member(&filename, now, &[])?;
        let mut writer = WarcWriter {
            file,
            open_path,
            final_path,
            written: 0,
            warcinfo_id,
        };
        writer.write_member(&member)?;
        Ok(writer)
    }

    /// The file this writer will have produced once finished.
    pub fn path(&self) -> &Path {
        &self.final_path
    }

    /// Bytes written so far (compressed).
    pub fn len(&self) -> u64 {
        self.written
    }

    /// Whether nothing but the warcinfo record is in the file.
    pub fn is_empty(&self) -> bool {
        self.written == 0
    }

    /// Appends one exchange as a request record and a response record that name each other.
    pub fn write_exchange(&mut self, hop: &Hop) -> io::Result<ExchangeIds> {
        self.write_exchange_with(hop, &[])
    }

    /// Like [`write_exchange`](Self::write_exchange), adding the `extra` fields (name, value)
    /// to both records, e.g. `(SOURCE_FIELD, "rfi")`.
    ///
    /// Fails with `InvalidInput`, writing nothing, when a name is not a field-name token or is
    /// one the writer sets itself, or when a value holds a control character.
    pub fn write_exchange_with(
        &mut self,
        hop: &Hop,
        extra: &[(&str, &str)],
    ) -> io::Result<ExchangeIds> {
        let encoded = EncodedExchange::new(&self.warcinfo_id, hop, extra)?;
        match self.append_exchange(encoded) {
            Ok(ids) => Ok(ids),
            Err(Err(e)) => Err(e),
            // Encoded for this very file just above.
            Err(Ok(_)) => Err(io::Error::other(
                "an exchange encoded for another WARC file",
            )),
        }
    }

    /// The `WARC-Record-ID` of this file's `warcinfo` record, which every record names: what
    /// [`EncodedExchange::new`] needs to encode for this file.
    pub fn warcinfo_id(&self) -> &str {
        &self.warcinfo_id
    }

    /// Appends an exchange encoded beforehand. Gives it back unwritten (`Err(Ok(..))`) when it
    /// was encoded for another file's `warcinfo` (the writer rotated meanwhile); an I/O error
    /// is `Err(Err(..))`.
    pub fn append_exchange(
        &mut self,
        encoded: EncodedExchange,
    ) -> Result<ExchangeIds, Result<EncodedExchange, io::Error>> {
        if encoded.warcinfo_id != self.warcinfo_id {
            return Err(Ok(encoded));
        }
        // Both members in one write: a crash still leaves at most a partial member at the end,
        // which recovery cuts off.
        self.write_member(&encoded.members).map_err(Err)?;
        Ok(encoded.ids)
    }

    /// Makes everything written so far durable.
    pub fn sync(&mut self) -> io::Result<()> {
        self.file.sync_data()
    }

    /// A second handle on the file: `sync_data` on it makes durable everything written before
    /// the call, without holding the writer (appends can go on meanwhile).
    pub fn sync_handle(&self) -> io::Result<File> {
        self.file.try_clone()
    }

    /// Syncs and renames the file to its final name.
    pub fn finish(self) -> io::Result<PathBuf> {
        self.file.sync_all()?;
        std::fs::rename(&self.open_path, &self.final_path)?;
        if let Some(dir) = self.final_path.parent() {
            File::open(dir)?.sync_all()?;
        }
        Ok(self.final_path)
    }

    fn write_member(&mut self, member: &[u8]) -> io::Result<()> {
        // One write per record: a crash leaves at most one partial member at the end.
        self.file.write_all(member)?;
        self.written += member.len() as u64;
        Ok(())
    }
}

/// One exchange as its request and response records, compressed and ready to append.
///
/// Encoding (SHA-1 digests, gzip) is most of the cost of archiving a response; doing it before
/// taking the writer lets concurrent fetches compress in parallel and hold the lock only for the
/// write.
#[derive(Debug)]
pub struct EncodedExchange {
    ids: ExchangeIds,
    warcinfo_id: String,
    members: Vec<u8>,
}

impl EncodedExchange {
    /// Encodes `hop` for the file whose `warcinfo` record is `warcinfo_id`, adding the `extra`
    /// fields (name, value) to both records, e.g. `(SOURCE_FIELD, "rfi")`.
    ///
    /// Fails with `InvalidInput` when a name is not a field-name token or is one the writer
    /// sets itself, or when a value holds a control character.
    pub fn new(warcinfo_id: &str, hop: &Hop, extra: &[(&str, &str)]) -> io::Result<Self> {
        check_extra(extra)?;
        let ids = ExchangeIds {
            request: record_id(),
            response: record_id(),
        };
        let date = warc_date(hop.started);
        let request = request_block(hop);
        let mut members = encode_record(
            &[
                ("WARC-Type", "request".into()),
                ("WARC-Record-ID", ids.request.clone()),
                ("WARC-Date", date.clone()),
                ("WARC-Target-URI", hop.url.clone()),
                ("WARC-Warcinfo-ID", warcinfo_id.to_owned()),
                ("WARC-Concurrent-To", ids.response.clone()),
                ("Content-Type", "application/http;msgtype=request".into()),
            ],
            extra,
            &request,
            None,
        )?;
        let (response, payload_at) = response_block(hop);
        members.extend(encode_record(
            &[
                ("WARC-Type", "response".into()),
                ("WARC-Record-ID", ids.response.clone()),
                ("WARC-Date", date),
                ("WARC-Target-URI", hop.url.clone()),
                ("WARC-Warcinfo-ID", warcinfo_id.to_owned()),
                ("WARC-Concurrent-To", ids.request.clone()),
                ("Content-Type", "application/http;msgtype=response".into()),
            ],
            extra,
            &response,
            Some(&response[payload_at..]),
        )?);
        Ok(EncodedExchange {
            ids,
            warcinfo_id: warcinfo_id.to_owned(),
            members,
        })
    }

    /// The record ids it will have once appended.
    pub fn ids(&self) -> &ExchangeIds {
        &self.ids
    }
}

/// A fresh `warcinfo` record for a file named `filename`, as one gzip member, and its record
/// id. `info` lines (`name: value`) follow the software, format and conformsTo lines.
///
/// For writers of whole WARC files other than [`WarcWriter`] (an export): the record goes
/// first in the file.
pub fn warcinfo_member(
    filename: &str,
    now: DateTime<Utc>,
    info: &[(&str, &str)],
) -> io::Result<(String, Vec<u8>)> {
    let mut block = format!(
        "software: newsvault/{}\r\nformat: WARC File Format 1.1\r\nconformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n",
        env!("CARGO_PKG_VERSION")
    );
    for (name, value) in info {
        check_field(name, value)?;
        block.push_str(&format!("{name}: {value}\r\n"));
    }
    let id = record_id();
    let member = encode_record(
        &[
            ("WARC-Type", "warcinfo".into()),
            ("WARC-Record-ID", id.clone()),
            ("WARC-Date", warc_date(now)),
            ("WARC-Filename", filename.to_owned()),
            ("Content-Type", "application/warc-fields".into()),
        ],
        &[],
        block.as_bytes(),
        None,
    )?;
    Ok((id, member))
}

/// One record (header fields, digests, block) as a gzip member.
fn encode_record(
    fields: &[(&str, String)],
    extra: &[(&str, &str)],
    block: &[u8],
    payload: Option<&[u8]>,
) -> io::Result<Vec<u8>> {
    let mut head = String::from("WARC/1.1\r\n");
    for (name, value) in fields {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("WARC-Block-Digest: {}\r\n", sha1_digest(block)));
    if let Some(payload) = payload {
        head.push_str(&format!(
            "WARC-Payload-Digest: {}\r\n",
            sha1_digest(payload)
        ));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", block.len()));
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(block.len() / 2 + 512),
        flate2::Compression::default(),
    );
    gz.write_all(head.as_bytes())?;
    gz.write_all(block)?;
    gz.write_all(b"\r\n\r\n")?;
    gz.finish()
}

/// Extra fields must be well-formed and must not repeat the writer's own.
fn check_extra(extra: &[(&str, &str)]) -> io::Result<()> {
    for (name, value) in extra {
        check_field(name, value)?;
        if OWN_FIELDS.iter().any(|own| own.eq_ignore_ascii_case(name)) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("WARC field {name:?} is set by the writer and cannot be added"),
            ));
        }
    }
    Ok(())
}

/// A field name is an RFC 9110 token; a value has no control characters (no CR/LF injection).
fn check_field(name: &str, value: &str) -> io::Result<()> {
    let token = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !token {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{name:?} is not a valid WARC field name"),
        ));
    }
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("the value of WARC field {name} holds a control character: {value:?}"),
        ));
    }
    Ok(())
}

fn request_block(hop: &Hop) -> Vec<u8> {
    let target = url::Url::parse(&hop.url)
        .map(|u| {
            let mut t = u.path().to_owned();
            if let Some(q) = u.query() {
                t.push('?');
                t.push_str(q);
            }
            t
        })
        .unwrap_or_else(|_| "/".to_owned());
    let mut out = format!("GET {target} HTTP/1.1\r\n");
    for (k, v) in &hop.request_headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// The HTTP response as stored, and where its payload starts.
fn response_block(hop: &Hop) -> (Vec<u8>, usize) {
    let reason = reqwest::StatusCode::from_u16(hop.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut out = format!("{} {} {reason}\r\n", hop.version, hop.status);
    for (k, v) in hop.headers.iter().filter(|(k, _)| k != "transfer-encoding") {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    let at = bytes.len();
    bytes.extend_from_slice(&hop.raw_body);
    (bytes, at)
}

fn sha1_digest(bytes: &[u8]) -> String {
    format!(
        "sha1:{}",
        data_encoding::BASE32.encode(&Sha1::digest(bytes))
    )
}

fn record_id() -> String {
    format!("<urn:uuid:{}>", uuid::Uuid::new_v4())
}

fn warc_date(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn next_number(day: &Path) -> io::Result<u64> {
    let mut max = 0;
    for entry in std::fs::read_dir(day)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(n) = name.split('.').next().and_then(|n| n.parse::<u64>().ok()) {
            max = max.max(n + 1);
        }
    }
    Ok(max)
}

/// Finishes every `*.warc.gz.open` under `warc_root`: cuts it after its last complete gzip
/// member (a record) and renames it. Returns the files repaired.
pub fn recover(warc_root: &Path) -> io::Result<Vec<PathBuf>> {
    let mut repaired = Vec::new();
    let Ok(days) = std::fs::read_dir(warc_root) else {
        return Ok(repaired);
    };
    for day in days.flatten().filter(|d| d.path().is_dir()) {
        for entry in std::fs::read_dir(day.path())?.flatten() {
            let path = entry.path();
            let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                continue;
            };
            let Some(stem) = name.strip_suffix(".open") else {
                continue;
            };
            let bytes = std::fs::read(&path)?;
            let keep = complete_members(&bytes);
            let file = OpenOptions::new().write(true).open(&path)?;
            file.set_len(keep as u64)?;
            file.sync_all()?;
            let done = path.with_file_name(stem);
            std::fs::rename(&path, &done)?;
            tracing::warn!(path = %done.display(), cut = bytes.len() - keep, "finished a WARC file left open by a crash");
            repaired.push(done);
        }
    }
    Ok(repaired)
}

/// Length of the prefix of `bytes` made of complete gzip members.
fn complete_members(bytes: &[u8]) -> usize {
    use std::io::Read;
    let mut cursor = io::Cursor::new(bytes);
    let mut good = 0;
    while (cursor.position() as usize) < bytes.len() {
        let mut decoder = flate2::bufread::GzDecoder::new(&mut cursor);
        if io::copy(&mut decoder.by_ref(), &mut io::sink()).is_err() {
            break;
        }
        good = cursor.position() as usize;
    }
    good
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn hop() -> Hop {
        Hop {
            url: "http://127.0.0.1:9/feed.xml?x=1".into(),
            started: Utc::now(),
            request_headers: vec![("host".into(), "127.0.0.1".into())],
            version: "HTTP/1.1".into(),
            status: 200,
            headers: vec![
                ("content-type".into(), "application/rss+xml".into()),
                ("transfer-encoding".into(), "chunked".into()),
            ],
            raw_body: "<rss>新闻</rss>".as_bytes().to_vec(),
        }
    }

    fn read_all(path: &Path) -> String {
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(File::open(path).unwrap())
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    #[test]
    fn an_exchange_encoded_for_one_file_is_not_appended_to_another() {
        // Two roots: opening a writer finishes any `.open` file left in its root.
        let (tmp, tmp2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut first = WarcWriter::open(tmp.path(), Utc::now()).unwrap();
        let mut second = WarcWriter::open(tmp2.path(), Utc::now()).unwrap();
        let encoded = EncodedExchange::new(first.warcinfo_id(), &hop(), &[]).unwrap();
        let response = encoded.ids().response.clone();
        let before = second.len();
        let encoded = match second.append_exchange(encoded) {
            Err(Ok(back)) => back,
            other => panic!("appended to the wrong file: {other:?}"),
        };
        assert_eq!(second.len(), before, "nothing written");
        let ids = first.append_exchange(encoded).unwrap();
        assert_eq!(ids.response, response);
        let text = read_all(&first.finish().unwrap());
        assert!(text.contains(&format!("WARC-Record-ID: {response}")));
        assert!(!read_all(&second.finish().unwrap()).contains(&response));
    }

    #[test]
    fn records_name_each_other_and_carry_digests() {
        let tmp = tempfile::tempdir().unwrap();
        let mut w = WarcWriter::open(tmp.path(), Utc::now()).unwrap();
        let ids = w.write_exchange(&hop()).unwrap();
        let path = w.finish().unwrap();
        assert!(path.to_string_lossy().ends_with("0.warc.gz"));
        let text = read_all(&path);
        assert_eq!(text.matches("WARC/1.1\r\n").count(), 3);
        assert!(text.contains(&format!("WARC-Record-ID: {}", ids.response)));
        assert!(text.contains(&format!("WARC-Concurrent-To: {}", ids.request)));
        assert!(text.contains("GET /feed.xml?x=1 HTTP/1.1\r\n"));
        assert!(text.contains("HTTP/1.1 200 OK\r\n"));
        assert!(!text.contains("transfer-encoding"));
        let payload_digest = sha1_digest("<rss>新闻</rss>".as_bytes());
        assert!(text.contains(&format!("WARC-Payload-Digest: {payload_digest}")));
    }

    #[test]
    fn an_interrupted_file_is_cut_to_whole_records_and_finished() {
        let tmp = tempfile::tempdir().unwrap();
        let mut w = WarcWriter::open(tmp.path(), Utc::now()).unwrap();
        w.write_exchange(&hop()).unwrap();
        let open = w.open_path.clone();
        let good = std::fs::metadata(&open).unwrap().len();
        drop(w);
        // A crash in the middle of the next record.
        let mut f = OpenOptions::new().append(true).open(&open).unwrap();
        f.write_all(&[0x1f, 0x8b, 8, 0, 0, 0]).unwrap();
        let w2 = WarcWriter::open(tmp.path(), Utc::now()).unwrap();
        let done = open.with_file_name("0.warc.gz");
        assert_eq!(std::fs::metadata(&done).unwrap().len(), good);
        assert_eq!(read_all(&done).matches("WARC/1.1\r\n").count(), 3);
        assert!(w2.path().to_string_lossy().ends_with("1.warc.gz"));
    }
}
