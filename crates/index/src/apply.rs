//! Bringing the index up to date with the capture logs: [`Index::sync`].
//!
//! This is the only way rows enter the index, for a live import and for a rebuild alike, so
//! both reach the same state by construction.

use crate::{Index, IndexError};
use archive::{Archive, LogLine, log_len, read_log_from};
use model::{Capture, SourceId, SourceMeta};
use rusqlite::{OptionalExtension, Transaction, params};
use std::collections::HashMap;

/// What the index keeps about a stored version, read from its record file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionMeta {
    /// The record's title.
    pub title: String,
    /// The record's URL (the capture's URL when the record has none).
    pub url: String,
    /// The record's publication time.
    pub published_ms: Option<i64>,
}

/// A source row as stored: its metadata and how far its log is applied.
struct SourceRow {
    name: String,
    aliases: String,
    list_name: Option<String>,
    seq: u64,
    offset: u64,
}

/// Lines applied per SQLite transaction: bounds memory and keeps progress on a long rebuild.
const LINES_PER_TRANSACTION: usize = 20_000;

impl Index {
    /// Applies every capture-log line the index has not seen yet. Returns how many were applied.
    /// If a log is shorter than the index remembers (the archive was replaced or restored),
    /// the index is cleared and rebuilt from the start.
    pub fn sync(&mut self, archive: &Archive) -> Result<u64, IndexError> {
        self.sync_with(archive, &HashMap::new())
    }

    /// [`Index::sync`], taking the metadata of versions the caller has just stored from `known`
    /// (record path → meta) instead of reading their files again. What is not in `known` is
    /// read from the archive, exactly as a rebuild would.
    pub fn sync_with(
        &mut self,
        archive: &Archive,
        known: &HashMap<String, VersionMeta>,
    ) -> Result<u64, IndexError> {
        let sources = archive.sources()?;
        self.sync_of(archive, &sources, known)
    }

    /// [`Index::sync_with`] for the logs of `ids` only: what their writer just committed to
    /// (the index is otherwise up to date), without reading every source of the archive.
    pub fn sync_sources_with(
        &mut self,
        archive: &Archive,
        ids: &[SourceId],
        known: &HashMap<String, VersionMeta>,
    ) -> Result<u64, IndexError> {
        let sources = ids
            .iter()
            .map(|id| archive.source_meta(id))
            .collect::<Result<Vec<_>, _>>()?;
        self.sync_of(archive, &sources, known)
    }

    fn sync_of(
        &mut self,
        archive: &Archive,
        sources: &[SourceMeta],
        known: &HashMap<String, VersionMeta>,
    ) -> Result<u64, IndexError> {
        self.end_snapshot()?;
        let known_sources = self.source_rows()?;
        let mut applied = 0;
        for meta in sources {
            // Steady state writes nothing here: a daemon commits every few seconds, and one
            // write transaction per configured source each time cost more than the captures.
            let aliases = serde_json::to_string(&meta.aliases).expect("strings serialize");
            let (seq, offset) = match known_sources.get(meta.id.as_str()) {
                Some(row)
                    if row.name == meta.name
                        && row.aliases == aliases
                        && row.list_name == meta.list_name =>
                {
                    (row.seq, row.offset)
                }
                _ => self.upsert_source(meta)?,
            };
            let len = log_len(archive, &meta.id)?;
            if len < offset {
                tracing::warn!(source = %meta.id, "capture log shorter than the index remembers; rebuilding the index");
                self.clear()?;
                return self.sync_with(archive, known);
            }
            if len == offset {
                continue;
            }
            applied += self.apply_log(archive, known, meta, seq, offset)?;
        }
        Ok(applied)
    }

    /// Every source row, by id.
    fn source_rows(&self) -> Result<HashMap<String, SourceRow>, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, name, aliases, list_name, applied_seq, applied_offset FROM sources",
            )
            .map_err(|e| IndexError::sql("read sources", &self.path, e))?;
        stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                SourceRow {
                    name: r.get(1)?,
                    aliases: r.get(2)?,
                    list_name: r.get(3)?,
                    seq: r.get::<_, i64>(4)? as u64,
                    offset: r.get::<_, i64>(5)? as u64,
                },
            ))
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| IndexError::sql("read sources", &self.path, e))
    }

    fn upsert_source(&mut self, meta: &SourceMeta) -> Result<(u64, u64), IndexError> {
        let aliases = serde_json::to_string(&meta.aliases).expect("strings serialize");
        let path = self.path.clone();
        self.conn
            .execute(
                "INSERT INTO sources (id, name, aliases, list_name) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET name = ?2, aliases = ?3, list_name = ?4",
                params![meta.id.as_str(), meta.name, aliases, meta.list_name],
            )
            .map_err(|e| IndexError::sql("update sources", &path, e))?;
        self.conn
            .query_row(
                "SELECT applied_seq, applied_offset FROM sources WHERE id = ?1",
                [meta.id.as_str()],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
            )
            .map_err(|e| IndexError::sql("read sources", &path, e))
    }

    fn clear(&mut self) -> Result<(), IndexError> {
        self.conn
            .execute_batch(
                "DELETE FROM captures; DELETE FROM versions; DELETE FROM articles;
                 UPDATE sources SET applied_seq = 0, applied_offset = 0, applied_hash = NULL;",
            )
            .map_err(|e| IndexError::sql("clear", &self.path, e))
    }

    fn apply_log(
        &mut self,
        archive: &Archive,
        known: &HashMap<String, VersionMeta>,
        meta: &SourceMeta,
        seq: u64,
        offset: u64,
    ) -> Result<u64, IndexError> {
        let path = self.path.clone();
        let sql = |op| {
            let path = path.clone();
            move |e| IndexError::sql(op, &path, e)
        };
        let mut reader = read_log_from(archive, &meta.id, offset, seq as usize)?;
        let mut applied = 0u64;
        loop {
            let tx = self.conn.transaction().map_err(sql("begin"))?;
            let mut last: Option<LogLine> = None;
            for line in reader.by_ref().take(LINES_PER_TRANSACTION) {
                let line = line?;
                apply_line(&tx, archive, known, &line.capture).map_err(sql("apply a capture"))?;
                applied += 1;
                last = Some(line);
            }
            let Some(last) = last else {
                return Ok(applied);
            };
            tx.execute(
                "UPDATE sources SET applied_seq = ?2, applied_offset = ?3, applied_hash = ?4 WHERE id = ?1",
                params![meta.id.as_str(), last.capture.seq as i64, last.end_offset as i64, last.hash],
            )
            .map_err(sql("advance"))?;
            tx.commit().map_err(sql("commit"))?;
        }
    }
}

fn apply_line(
    tx: &Transaction<'_>,
    archive: &Archive,
    known: &HashMap<String, VersionMeta>,
    c: &Capture,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO captures (source, seq, key, time, event, version, url, status, final_url, path,
            record_sha256, body_sha256, warc_record_id, via, origin, note, byline)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        c.source.as_str(),
        c.seq as i64,
        c.key.as_str(),
        c.time,
        c.event.as_str(),
        c.version,
        c.url,
        c.status,
        c.final_url,
        c.path,
        c.record_sha256,
        c.body_sha256,
        c.warc_record_id,
        c.via,
        c.origin,
        c.note,
        c.byline,
    ])?;
    let Some(path) = c.path.as_deref() else {
        tx.prepare_cached("UPDATE articles SET last_seen = ?2, last_event = ?3 WHERE key = ?1")?
            .execute(params![c.key.as_str(), c.time, c.event.as_str()])?;
        return Ok(());
    };
    let meta = match known.get(path) {
        Some(meta) => meta.clone(),
        None => version_meta(archive, path, &c.url),
    };
    let sha = c.record_sha256.as_deref().unwrap_or_default();
    tx.prepare_cached(
        "INSERT OR REPLACE INTO versions (key, version, source, seq, path, sha256, title, url, published_ms, captured)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        c.key.as_str(),
        c.version,
        c.source.as_str(),
        c.seq as i64,
        path,
        sha,
        meta.title,
        meta.url,
        meta.published_ms,
        c.time
    ])?;
    let latest: Option<u32> = tx
        .prepare_cached("SELECT latest_version FROM articles WHERE key = ?1")?
        .query_row([c.key.as_str()], |r| r.get(0))
        .optional()?;
    let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    match latest {
        None => {
            tx.prepare_cached(
                "INSERT INTO articles (key, source, url, title, published_ms, dir, latest_version, latest_sha256,
                    first_seen, last_seen, last_event)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
            )?
            .execute(params![
                c.key.as_str(),
                c.source.as_str(),
                meta.url,
                meta.title,
                meta.published_ms,
                dir,
                c.version,
                sha,
                c.time,
                c.event.as_str()
            ])?;
        }
        Some(v) if c.version >= v => {
            tx.prepare_cached(
                "UPDATE articles SET url = ?2, title = ?3, published_ms = COALESCE(?4, published_ms), latest_version = ?5,
                    latest_sha256 = ?6, last_seen = ?7, last_event = ?8 WHERE key = ?1",
            )?
            .execute(params![
                c.key.as_str(),
                meta.url,
                meta.title,
                meta.published_ms,
                c.version,
                sha,
                c.time,
                c.event.as_str()
            ])?;
        }
        Some(_) => {}
    }
    Ok(())
}

/// Title, URL and time of a stored version. A record that cannot be read is indexed with the
/// capture's URL and an empty title (verify reports it); indexing never stops on one file.
fn version_meta(archive: &Archive, path: &str, capture_url: &str) -> VersionMeta {
    let file = archive.resolve(path);
    let parsed = read_head_bytes(&file)
        .map_err(|e| e.to_string())
        .and_then(|b| record::parse_head(&b, path).map_err(|e| e.to_string()));
    match parsed {
        Ok(head) => VersionMeta {
            title: head.title,
            url: head.url.unwrap_or_else(|| capture_url.to_owned()),
            published_ms: head.published_ms,
        },
        Err(e) => {
            tracing::warn!(path, error = %e, "cannot read an archived record while indexing");
            VersionMeta {
                title: String::new(),
                url: capture_url.to_owned(),
                published_ms: None,
            }
        }
    }
}

/// The first bytes of a record, enough for its head in all but odd cases (then the whole file):
/// indexing should not read every body again.
fn read_head_bytes(file: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    const HEAD: u64 = 8 * 1024;
    let mut f = std::fs::File::open(file)?;
    let mut buf = Vec::with_capacity(HEAD as usize);
    (&mut f).take(HEAD).read_to_end(&mut buf)?;
    if buf.len() as u64 == HEAD
        && !buf
            .windows(8)
            .any(|w| w == b"\n------\n" || w == b"------\r\n")
    {
        f.read_to_end(&mut buf)?;
    }
    Ok(buf)
}
