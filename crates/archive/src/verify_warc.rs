//! The WARC half of `verify`: the raw exchanges that capture-log lines name
//! (`warc_record_id`) must be in `warc/` and hash to what was recorded.
//!
//! For each named record: its `WARC-Block-Digest` must match the block, its
//! `WARC-Payload-Digest` (responses) the HTTP payload, and the naming line's `body_sha256` the
//! SHA-256 of that payload as stored, still content-encoded (what `ingest` hashes: the last
//! hop's raw body). Every WARC file is read once, member by member; only the members a capture
//! names are decompressed again to be hashed. A file still being written (`.warc.gz.open`)
//! may end inside a record: that is not damage.
//!
//! Memory grows with the number of distinct records named (about 100 bytes each); lines that
//! name the same record with the same body hash (the items of one full-text feed) share one
//! entry.

use crate::verify::{Finding, VerifyReport};
use fetch::warc::{ReadError, Record, WarcReader};
use sha1::Digest;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// A `WARC-Record-ID`, compact when it is a `<urn:uuid:…>` in canonical form (ours are).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum RecordId {
    Uuid(u128),
    Other(Box<str>),
}

impl RecordId {
    fn parse(id: &str) -> RecordId {
        let uuid = id
            .strip_prefix("<urn:uuid:")
            .and_then(|s| s.strip_suffix('>'))
            .filter(|s| s.len() == 36)
            .and_then(|s| u128::from_str_radix(&s.replace('-', ""), 16).ok())
            .map(RecordId::Uuid)
            .filter(|parsed| parsed.to_string() == id);
        uuid.unwrap_or_else(|| RecordId::Other(id.into()))
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordId::Uuid(n) => {
                let h = format!("{n:032x}");
                write!(
                    f,
                    "<urn:uuid:{}-{}-{}-{}-{}>",
                    &h[..8],
                    &h[8..12],
                    &h[12..16],
                    &h[16..20],
                    &h[20..]
                )
            }
            RecordId::Other(s) => f.write_str(s),
        }
    }
}

/// A capture-log line: which log (an index into [`NamedRecords::logs`]) and its number.
#[derive(Clone, Copy, Debug)]
struct Line {
    log: u32,
    line: u32,
}

/// What the lines naming one record expect of it.
#[derive(Debug)]
struct Wanted {
    /// The first line naming it.
    first: Line,
    /// How many more lines name it with the same body hash.
    more: u32,
    /// The SHA-256 of the payload that the first line recorded.
    body: Option<[u8; 32]>,
    found: bool,
}

/// The records named by capture logs, collected while verify reads the logs.
#[derive(Debug, Default)]
pub(crate) struct NamedRecords {
    logs: Vec<PathBuf>,
    wanted: HashMap<RecordId, Wanted>,
    /// Lines that name an already named record with another body hash (rare: at most one of
    /// the hashes can be right).
    conflicts: HashMap<RecordId, Vec<(Line, [u8; 32])>>,
}

impl NamedRecords {
    /// Registers a capture log; the lines of it are added with the returned number.
    pub(crate) fn log(&mut self, path: PathBuf) -> u32 {
        self.logs.push(path);
        (self.logs.len() - 1) as u32
    }

    /// Whether any line named a WARC record.
    pub(crate) fn is_empty(&self) -> bool {
        self.wanted.is_empty()
    }

    /// Line `line` of log `log` names WARC record `id`, whose payload had SHA-256 `body`.
    pub(crate) fn add(
        &mut self,
        log: u32,
        line: usize,
        id: &str,
        body: Option<&str>,
        report: &mut VerifyReport,
    ) {
        let at = Line {
            log,
            line: line as u32,
        };
        let body = match body.map(parse_sha256) {
            Some(Some(sha)) => Some(sha),
            Some(None) => {
                report.damage.push(self.finding(
                    at,
                    format!(
                        "body_sha256 {:?} is not a SHA-256",
                        body.unwrap_or_default()
                    ),
                ));
                None
            }
            None => None,
        };
        let key = RecordId::parse(id);
        match self.wanted.get_mut(&key) {
            None => {
                self.wanted.insert(
                    key,
                    Wanted {
                        first: at,
                        more: 0,
                        body,
                        found: false,
                    },
                );
            }
            Some(w) if body.is_none() || w.body == body => w.more += 1,
            Some(w) if w.body.is_none() => {
                w.body = body;
                w.more += 1;
            }
            Some(_) => {
                if let Some(body) = body {
                    self.conflicts.entry(key).or_default().push((at, body));
                }
            }
        }
    }

    /// Reads every WARC file under `warc_root` once and checks the named records; records
    /// named but not found are damage.
    pub(crate) fn check(mut self, warc_root: &Path, report: &mut VerifyReport) {
        for file in warc_files(warc_root) {
            let still_open = file.to_string_lossy().ends_with(".open");
            let reader = match WarcReader::open(&file) {
                Ok(reader) => reader,
                Err(e) => {
                    report.damage.push(Finding {
                        path: file.clone(),
                        line: None,
                        message: format!("cannot read the WARC file: {e}"),
                    });
                    continue;
                }
            };
            for record in reader {
                let record = match record {
                    Ok(record) => record,
                    // A writer is appending the record this file ends in.
                    Err(ReadError::Truncated { .. }) if still_open => break,
                    Err(e) => {
                        report.damage.push(Finding {
                            path: file.clone(),
                            line: None,
                            message: format!(
                                "{e}; records after it cannot be read",
                                e = e
                                    .to_string()
                                    .trim_start_matches(&format!("{}: ", file.display()))
                            ),
                        });
                        break;
                    }
                };
                let Some(key) = record.id().map(RecordId::parse) else {
                    continue;
                };
                let Some(wanted) = self.wanted.get_mut(&key) else {
                    continue;
                };
                if wanted.found {
                    continue;
                }
                wanted.found = true;
                report.warc_records += 1;
                let (first, body) = (wanted.first, wanted.body);
                let conflicts = self.conflicts.remove(&key).unwrap_or_default();
                self.check_record(&record, &file, first, body, &conflicts, report);
            }
        }
        let mut missing: Vec<(&RecordId, &Wanted)> =
            self.wanted.iter().filter(|(_, w)| !w.found).collect();
        missing.sort_by_key(|(_, w)| (w.first.log, w.first.line));
        for (id, w) in missing {
            let more = match w.more {
                0 => String::new(),
                1 => " (and by 1 more line)".to_owned(),
                n => format!(" (and by {n} more lines)"),
            };
            report.damage.push(self.finding(
                w.first,
                format!("WARC record {id} named here{more} is not in warc/"),
            ));
        }
    }

    fn check_record(
        &self,
        record: &Record,
        file: &Path,
        first: Line,
        body: Option<[u8; 32]>,
        conflicts: &[(Line, [u8; 32])],
        report: &mut VerifyReport,
    ) {
        let id = record.id().unwrap_or_default();
        let place = format!("{} at byte {}", file.display(), record.offset);
        let block = match record.block() {
            Ok(block) => block,
            Err(e) => {
                report.damage.push(self.finding(
                    first,
                    format!("WARC record {id} ({place}) is unreadable: {e}"),
                ));
                return;
            }
        };
        if let Some(problem) = digest_problem(record.field("WARC-Block-Digest"), &block) {
            let finding = self.finding(
                first,
                format!("WARC record {id} ({place}): block {problem}"),
            );
            if problem.starts_with("digest does not match") {
                report.damage.push(finding);
            } else {
                report.warnings.push(finding);
            }
        }
        let is_http = record
            .field("Content-Type")
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/http"));
        let (payload, encoding) = if is_http {
            match fetch::warc::HttpMessage::parse(&block) {
                Ok(http) => {
                    let encoding = http.header("Content-Encoding").map(str::to_owned);
                    (http.payload, encoding)
                }
                Err(e) => {
                    report.damage.push(self.finding(
                        first,
                        format!("WARC record {id} ({place}) holds no HTTP message: {e}"),
                    ));
                    return;
                }
            }
        } else {
            (block, None)
        };
        if is_http
            && let Some(declared) = record.field("WARC-Payload-Digest")
            && let Some(problem) = digest_problem(Some(declared), &payload)
        {
            let finding = self.finding(
                first,
                format!("WARC record {id} ({place}): payload {problem}"),
            );
            if problem.starts_with("digest does not match") {
                report.damage.push(finding);
            } else {
                report.warnings.push(finding);
            }
        }
        let expected = body
            .map(|b| (first, b))
            .into_iter()
            .chain(conflicts.iter().copied());
        let mut decoded: Option<Option<[u8; 32]>> = None;
        let actual: [u8; 32] = sha2::Sha256::digest(&payload).into();
        for (line, expected) in expected {
            if actual == expected {
                continue;
            }
            // Re-extraction recorded the hash of the decoded body: the stored bytes still
            // prove it, so it passes.
            let decoded_sha = *decoded.get_or_insert_with(|| {
                encoding.as_deref().and_then(|enc| {
                    fetch::decode_body(payload.clone(), Some(enc), fetch::DEFAULT_MAX_BODY)
                        .ok()
                        .map(|d| sha2::Sha256::digest(&d).into())
                })
            });
            if decoded_sha == Some(expected) {
                continue;
            }
            report.damage.push(self.finding(
                line,
                format!(
                    "body_sha256 {} does not match WARC record {id} ({place}): its payload hashes to {}",
                    hex(&expected),
                    hex(&actual)
                ),
            ));
        }
    }

    fn finding(&self, at: Line, message: String) -> Finding {
        Finding {
            path: self.logs.get(at.log as usize).cloned().unwrap_or_default(),
            line: Some(at.line as usize),
            message,
        }
    }
}

/// What is wrong with a declared `WARC-*-Digest` for `bytes`, if anything: a mismatch
/// (message starts with "digest does not match"), or a digest that cannot be checked.
fn digest_problem(declared: Option<&str>, bytes: &[u8]) -> Option<String> {
    let Some(declared) = declared else {
        return Some("has no digest to check".to_owned());
    };
    let Some((algorithm, value)) = declared.split_once(':') else {
        return Some(format!("digest {declared:?} names no algorithm"));
    };
    let actual: Vec<u8> = match algorithm.to_ascii_lowercase().as_str() {
        "sha1" => sha1::Sha1::digest(bytes).to_vec(),
        "sha256" => sha2::Sha256::digest(bytes).to_vec(),
        other => return Some(format!("digest algorithm {other:?} cannot be checked")),
    };
    let Some(expected) = decode_digest(value, actual.len()) else {
        return Some(format!("digest {declared:?} is not base32 or hex"));
    };
    if expected == actual {
        return None;
    }
    Some(format!(
        "digest does not match its bytes: {declared}, the bytes give {algorithm}:{}",
        data_encoding::BASE32.encode(&actual)
    ))
}

/// A digest value in base32 (padded or not, as WARC writers write it) or hex.
fn decode_digest(value: &str, len: usize) -> Option<Vec<u8>> {
    let value = value.trim();
    if value.len() == len * 2
        && let Ok(bytes) = data_encoding::HEXLOWER_PERMISSIVE.decode(value.as_bytes())
    {
        return Some(bytes);
    }
    let upper = value.trim_end_matches('=').to_ascii_uppercase();
    data_encoding::BASE32_NOPAD
        .decode(upper.as_bytes())
        .ok()
        .filter(|b| b.len() == len)
}

fn parse_sha256(hex_text: &str) -> Option<[u8; 32]> {
    let bytes = data_encoding::HEXLOWER_PERMISSIVE
        .decode(hex_text.trim().as_bytes())
        .ok()?;
    bytes.try_into().ok()
}

fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

/// Every `.warc.gz` and `.warc.gz.open` file under `root`, in path order.
fn warc_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(_) if name.ends_with(".warc.gz") || name.ends_with(".warc.gz.open") => {
                    out.push(path)
                }
                _ => {}
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_round_trip() {
        for id in [
            "<urn:uuid:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0>",
            "<urn:uuid:0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0>",
            "<urn:uuid:not-a-uuid>",
            "<http://example.invalid/record/1>",
        ] {
            assert_eq!(RecordId::parse(id).to_string(), id);
        }
        assert!(matches!(
            RecordId::parse("<urn:uuid:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0>"),
            RecordId::Uuid(_)
        ));
    }

    #[test]
    fn digests_in_base32_and_hex() {
        let bytes = b"block";
        let sha1 = sha1::Sha1::digest(bytes);
        let b32 = format!("sha1:{}", data_encoding::BASE32.encode(&sha1));
        assert_eq!(digest_problem(Some(&b32), bytes), None);
        let hex = format!("sha1:{}", data_encoding::HEXLOWER.encode(&sha1));
        assert_eq!(digest_problem(Some(&hex), bytes), None);
        let lower = format!(
            "sha1:{}",
            data_encoding::BASE32_NOPAD.encode(&sha1).to_lowercase()
        );
        assert_eq!(digest_problem(Some(&lower), bytes), None);
        assert!(
            digest_problem(Some(&b32), b"blocK")
                .unwrap()
                .starts_with("digest does not match")
        );
        assert!(
            digest_problem(Some("md5:abc"), bytes)
                .unwrap()
                .contains("cannot be checked")
        );
        assert!(digest_problem(None, bytes).is_some());
    }
}
