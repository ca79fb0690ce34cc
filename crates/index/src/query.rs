//! Reading the index.

use crate::{Index, IndexError};
use model::{ArticleKey, SourceId, SourceMeta};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

/// An article's latest state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArticleRow {
    /// Identity.
    pub key: String,
    /// The source that first saw it.
    pub source: String,
    /// URL of the latest version.
    pub url: String,
    /// Title of the latest version.
    pub title: String,
    /// Publication time, epoch ms.
    pub published_ms: Option<i64>,
    /// Folder of its version records, relative to the data directory.
    pub dir: String,
    /// Number of the latest version.
    pub latest_version: u32,
    /// SHA-256 of the latest version's record.
    pub latest_sha256: String,
    /// First capture time.
    pub first_seen: String,
    /// Last capture time.
    pub last_seen: String,
    /// What the last capture found.
    pub last_event: String,
}

/// One stored version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VersionRow {
    /// Version number, from 1.
    pub version: u32,
    /// Source whose capture stored it.
    pub source: String,
    /// Record file, relative to the data directory.
    pub path: String,
    /// SHA-256 of the record file.
    pub sha256: String,
    /// Title in this version.
    pub title: String,
    /// URL in this version.
    pub url: String,
    /// Publication time in this version, epoch ms.
    pub published_ms: Option<i64>,
    /// When it was captured.
    pub captured: String,
}

/// One observation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaptureRow {
    /// Source whose log holds it.
    pub source: String,
    /// Sequence number in that log.
    pub seq: u64,
    /// Capture time.
    pub time: String,
    /// `new`, `unchanged`, `edited`, a takedown class, `back`, `byline`, `error`, ...
    pub event: String,
    /// The article's version after this observation.
    pub version: u32,
    /// URL observed.
    pub url: String,
    /// HTTP status, when fetched.
    pub status: Option<u16>,
    /// How it was observed (`import`, a route).
    pub via: Option<String>,
    /// Imported from this path of a duty-machine tree.
    pub origin: Option<String>,
    /// Detail.
    pub note: Option<String>,
    /// Final URL after redirects, when it differed.
    pub final_url: Option<String>,
    /// SHA-256 of the raw body received.
    pub body_sha256: Option<String>,
    /// The WARC record holding the raw exchange.
    pub warc_record_id: Option<String>,
    /// The byline the observation saw (the new one, for a `byline` event).
    pub byline: Option<String>,
}

/// A file that an imported duty-machine tree had, and the version that came from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportRow {
    /// `articles/<site>/<file>.md` in the imported tree.
    pub origin: String,
    /// The article.
    pub key: String,
    /// Record file of the version imported from there.
    pub path: String,
    /// Its publication time.
    pub published_ms: Option<i64>,
    /// Its title.
    pub title: String,
    /// Source of the capture.
    pub source: String,
}

fn article_row(r: &Row<'_>) -> rusqlite::Result<ArticleRow> {
    article_row_at(r, 0)
}

/// An article row whose [`ARTICLE_COLUMNS`] start at column `at` (of a join).
pub(crate) fn article_row_at(r: &Row<'_>, at: usize) -> rusqlite::Result<ArticleRow> {
    Ok(ArticleRow {
        key: r.get(at)?,
        source: r.get(at + 1)?,
        url: r.get(at + 2)?,
        title: r.get(at + 3)?,
        published_ms: r.get(at + 4)?,
        dir: r.get(at + 5)?,
        latest_version: r.get(at + 6)?,
        latest_sha256: r.get(at + 7)?,
        first_seen: r.get(at + 8)?,
        last_seen: r.get(at + 9)?,
        last_event: r.get(at + 10)?,
    })
}

const ARTICLE_COLUMNS: &str = "key, source, url, title, published_ms, dir, latest_version, latest_sha256, first_seen, last_seen, last_event";

impl Index {
    fn err(&self, op: &'static str) -> impl Fn(rusqlite::Error) -> IndexError + '_ {
        move |e| IndexError::sql(op, &self.path, e)
    }

    /// Opens a read snapshot: lookups until [`Index::end_snapshot`] share one transaction
    /// instead of locking the database once each (the import's per-record lookups).
    pub fn begin_snapshot(&self) -> Result<(), IndexError> {
        self.conn
            .execute_batch("BEGIN DEFERRED")
            .map_err(self.err("begin a snapshot"))
    }

    /// Ends a snapshot opened by [`Index::begin_snapshot`]; a no-op when none is open.
    pub fn end_snapshot(&self) -> Result<(), IndexError> {
        if self.conn.is_autocommit() {
            return Ok(());
        }
        self.conn
            .execute_batch("COMMIT")
            .map_err(self.err("end a snapshot"))
    }

    /// One article by key.
    pub fn article(&self, key: &ArticleKey) -> Result<Option<ArticleRow>, IndexError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {ARTICLE_COLUMNS} FROM articles WHERE key = ?1"
            ))
            .and_then(|mut s| s.query_row([key.as_str()], article_row).optional())
            .map_err(self.err("read an article"))
    }

    /// The version of `key` whose record has SHA-256 `sha`, if any.
    pub fn version_with_sha(&self, key: &ArticleKey, sha: &str) -> Result<Option<u32>, IndexError> {
        self.conn
            .prepare_cached("SELECT version FROM versions WHERE key = ?1 AND sha256 = ?2 ORDER BY version LIMIT 1")
            .and_then(|mut s| s.query_row(params![key.as_str(), sha], |r| r.get(0)).optional())
            .map_err(self.err("look up a version"))
    }

    /// Every version of an article, oldest first.
    pub fn versions(&self, key: &ArticleKey) -> Result<Vec<VersionRow>, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT version, source, path, sha256, title, url, published_ms, captured FROM versions
                 WHERE key = ?1 ORDER BY version",
            )
            .map_err(self.err("read versions"))?;
        stmt.query_map([key.as_str()], |r| {
            Ok(VersionRow {
                version: r.get(0)?,
                source: r.get(1)?,
                path: r.get(2)?,
                sha256: r.get(3)?,
                title: r.get(4)?,
                url: r.get(5)?,
                published_ms: r.get(6)?,
                captured: r.get(7)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(self.err("read versions"))
    }

    /// Every observation of an article, in capture-time order.
    pub fn captures(&self, key: &ArticleKey) -> Result<Vec<CaptureRow>, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT source, seq, time, event, version, url, status, via, origin, note,
                        final_url, body_sha256, warc_record_id, byline FROM captures
                 WHERE key = ?1 ORDER BY time, source, seq",
            )
            .map_err(self.err("read captures"))?;
        stmt.query_map([key.as_str()], |r| {
            Ok(CaptureRow {
                source: r.get(0)?,
                seq: r.get::<_, i64>(1)? as u64,
                time: r.get(2)?,
                event: r.get(3)?,
                version: r.get(4)?,
                url: r.get(5)?,
                status: r.get(6)?,
                via: r.get(7)?,
                origin: r.get(8)?,
                note: r.get(9)?,
                final_url: r.get(10)?,
                body_sha256: r.get(11)?,
                warc_record_id: r.get(12)?,
                byline: r.get(13)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(self.err("read captures"))
    }

    /// Every source the index knows, by id.
    pub fn sources(&self) -> Result<Vec<SourceMeta>, IndexError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, aliases, list_name FROM sources ORDER BY id")
            .map_err(self.err("read sources"))?;
        let rows: Vec<(String, String, String, Option<String>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .and_then(|rows| rows.collect())
            .map_err(self.err("read sources"))?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, name, aliases, list_name)| {
                Some(SourceMeta {
                    id: SourceId::new(id).ok()?,
                    name,
                    aliases: serde_json::from_str(&aliases).unwrap_or_default(),
                    list_name,
                })
            })
            .collect())
    }

    /// Every article, by source, then publication time (oldest first), then key.
    pub fn articles(&self) -> Result<Vec<ArticleRow>, IndexError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY source, COALESCE(published_ms, 0), key"
            ))
            .map_err(self.err("read articles"))?;
        stmt.query_map([], article_row)
            .and_then(|rows| rows.collect())
            .map_err(self.err("read articles"))
    }

    /// Imported origins: for each tree path, the version last imported from it.
    pub fn origins(&self) -> Result<Vec<ExportRow>, IndexError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.origin, c.key, v.path, v.published_ms, v.title, c.source
                 FROM captures c JOIN versions v ON v.key = c.key AND v.version = c.version
                 WHERE c.origin IS NOT NULL
                 ORDER BY c.origin, c.time, c.seq",
            )
            .map_err(self.err("read origins"))?;
        let rows: Vec<ExportRow> = stmt
            .query_map([], |r| {
                Ok(ExportRow {
                    origin: r.get(0)?,
                    key: r.get(1)?,
                    path: r.get(2)?,
                    published_ms: r.get(3)?,
                    title: r.get(4)?,
                    source: r.get(5)?,
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(self.err("read origins"))?;
        // Later imports of the same path win.
        let mut out: Vec<ExportRow> = Vec::with_capacity(rows.len());
        for row in rows {
            match out.last_mut() {
                Some(last) if last.origin == row.origin => *last = row,
                _ => out.push(row),
            }
        }
        Ok(out)
    }

    /// Row counts: (sources, articles, versions, captures).
    pub fn counts(&self) -> Result<(u64, u64, u64, u64), IndexError> {
        let count = |table: &str| -> Result<u64, IndexError> {
            self.conn
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| {
                    r.get::<_, i64>(0)
                })
                .map(|n| n as u64)
                .map_err(self.err("count rows"))
        };
        Ok((
            count("sources")?,
            count("articles")?,
            count("versions")?,
            count("captures")?,
        ))
    }

    /// Every row of every table in a canonical order, one line per row: what "the same state"
    /// means when comparing an index with its rebuild.
    pub fn dump(&self) -> Result<String, IndexError> {
        let mut out = String::new();
        for (table, order) in [
            ("sources", "id"),
            ("articles", "key"),
            ("versions", "key, version"),
            ("captures", "source, seq"),
        ] {
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))
                .map_err(self.err("dump"))?;
            let n = stmt.column_count();
            let mut rows = stmt.query([]).map_err(self.err("dump"))?;
            while let Some(row) = rows.next().map_err(self.err("dump"))? {
                out.push_str(table);
                for i in 0..n {
                    let v: rusqlite::types::Value = row.get(i).map_err(self.err("dump"))?;
                    out.push('\t');
                    out.push_str(&format!("{v:?}"));
                }
                out.push('\n');
            }
        }
        Ok(out)
    }
}
