//! The data directory: the archive is the source of truth; everything else is rebuilt from it.
//!
//! ```text
//! <data>/archive/<source>/source.json                       what the source is (id, name, aliases)
//! <data>/archive/<source>/captures.jsonl                    append-only, hash-chained capture log
//! <data>/archive/<source>/<yyyy>/<mm>/<key>/v<N>.md         immutable version records
//! <data>/archive/.staging/                                  records being written (never read)
//! <data>/assets/<aa>/<sha256>.<ext>, assets/urls.jsonl       media, content-addressed; URL map
//! <data>/warc/                                              raw exchanges (the fetch crate writes them)
//! ```
//!
//! This crate owns files under those paths and nothing else: no SQL, no network. Its invariants:
//! a record file, once named in a capture log, is never rewritten or removed; a capture-log line
//! names only records that were durable before the line was written; every write is atomic
//! (staged, synced, renamed), so a crash leaves the old state or the new one, never half a file.
//! A torn last log line (a crash during an append) is not part of the log and is cut off by the
//! next writer. Only one [`Writer`] may hold a data directory at a time (an advisory lock).

mod assets;
mod durable;
mod error;
mod log;
mod verify;
mod verify_warc;
mod writer;

pub use assets::{ASSET_LOG, Asset, read_assets};
pub use error::ArchiveError;
pub use log::{LogLine, LogReader, log_len, read_log, read_log_from};
pub use verify::{Finding, VerifyOptions, VerifyReport, verify, verify_with};
pub use writer::{Placement, StagedVersion, Writer, record_path};

use model::{SourceId, SourceMeta};
use std::path::{Path, PathBuf};

/// File name of a source's capture log.
pub const CAPTURE_LOG: &str = "captures.jsonl";
/// File name of a source's description.
pub const SOURCE_META: &str = "source.json";

/// A data directory, opened for reading. Use [`Archive::writer`] to change it.
#[derive(Clone, Debug)]
pub struct Archive {
    root: PathBuf,
}

impl Archive {
    /// Opens (and on first use creates) the data directory at `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<Archive, ArchiveError> {
        let root = root.into();
        for dir in ["archive", "assets", "warc"] {
            let path = root.join(dir);
            std::fs::create_dir_all(&path)
                .map_err(|e| ArchiveError::io("create directory", &path, e))?;
        }
        Ok(Archive { root })
    }

    /// The data directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `<data>/archive`.
    pub fn archive_dir(&self) -> PathBuf {
        self.root.join("archive")
    }

    /// `<data>/archive/<source>`.
    pub fn source_dir(&self, source: &SourceId) -> PathBuf {
        self.archive_dir().join(source.as_str())
    }

    /// Absolute path of a path relative to the data directory (as capture logs store them).
    pub fn resolve(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// The folder, relative to the data directory, of a new article's versions:
    /// `archive/<source>/<yyyy>/<mm>/<key>` by the publication (else capture) time, UTC.
    pub fn article_dir(source: &SourceId, key: &model::ArticleKey, time_ms: i64) -> String {
        use chrono::{Datelike, TimeZone, Utc};
        let t = Utc
            .timestamp_millis_opt(time_ms)
            .single()
            .unwrap_or_default();
        format!("archive/{source}/{:04}/{:02}/{key}", t.year(), t.month())
    }

    /// Every source of the archive, sorted by id.
    pub fn sources(&self) -> Result<Vec<SourceMeta>, ArchiveError> {
        let dir = self.archive_dir();
        let entries = std::fs::read_dir(&dir).map_err(|e| ArchiveError::io("list", &dir, e))?;
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| ArchiveError::io("list", &dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || !entry.path().is_dir() {
                continue;
            }
            let id = SourceId::new(name).map_err(|m| ArchiveError::Invalid {
                path: entry.path(),
                line: None,
                message: m,
            })?;
            out.push(self.source_meta(&id)?);
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// The description of one source; a folder without `source.json` is described by its id.
    pub fn source_meta(&self, id: &SourceId) -> Result<SourceMeta, ArchiveError> {
        let path = self.source_dir(id).join(SOURCE_META);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| ArchiveError::Invalid {
                path,
                line: Some(e.line()),
                message: format!("not a source description: {e}"),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SourceMeta {
                id: id.clone(),
                name: id.to_string(),
                aliases: Vec::new(),
                list_name: None,
            }),
            Err(e) => Err(ArchiveError::io("read", &path, e)),
        }
    }

    /// Opens the data directory for writing; fails if another writer holds it.
    pub fn writer(&self) -> Result<Writer, ArchiveError> {
        Writer::open(self.clone())
    }
}
