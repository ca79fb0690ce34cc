//! The index: SQLite rows derived from the archive, plus operational state later issues add.
//!
//! `index.sqlite` is a materialized view of the capture logs. Each source row remembers how far
//! into its log the index has applied (`applied_seq`, `applied_offset`); [`Index::sync`] applies
//! whatever the logs gained since, so a crash between an archive commit and the index update
//! heals on the next open. [`Index::rebuild`] deletes the file and replays every log from the
//! start, reaching the same rows. This crate reads the archive; it never writes to it.
//!
//! Words: a *version row* mirrors one stored record; a *capture row* mirrors one log line; an
//! *article row* summarizes an article's latest state.
//!
//! The full-text search index (`search/`, tantivy) is derived from the same logs the same way;
//! see [`search`].

mod apply;
mod assets;
mod browse;
mod checks;
mod error;
mod query;
mod schema;
pub mod search;
mod state;

pub use apply::VersionMeta;
pub use browse::{
    ArticleCursor, ArticlePage, ArticleSummary, CHANGE_EVENTS, ChangeCursor, ChangePage, ChangeRow,
    SourceCounts,
};
pub use checks::{ArticleCheck, DueRecheck};
pub use error::IndexError;
pub use query::{ArticleRow, CaptureRow, ExportRow, VersionRow};
pub use search::{SearchError, SearchIndex};
pub use state::{CheckOutcome, HttpCache, SourceState};

use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// Operational state of an index about to be rebuilt, in memory: the old file may be damaged,
/// so whatever cannot be read is left behind (it is a cache of what servers said, not archive).
fn saved_state(path: &Path) -> Option<Connection> {
    if !path.exists() {
        return None;
    }
    let old = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    let mem = Connection::open_in_memory().ok()?;
    schema::migrate(&mem).ok()?;
    copy_state(&old, &mem).ok()?;
    Some(mem)
}

/// Copies the readable rows of the state tables from `from` into `to`. Columns are named: `from`
/// may be an older schema (a file written before a migration added columns, which then keep
/// their defaults).
fn copy_state(from: &Connection, to: &Connection) -> rusqlite::Result<()> {
    for table in schema::STATE_TABLES {
        let Ok(mut stmt) = from.prepare(&format!("SELECT * FROM {table}")) else {
            continue;
        };
        let columns = stmt.column_count();
        let names = stmt.column_names().join(", ");
        let insert = format!(
            "INSERT OR REPLACE INTO {table} ({names}) VALUES ({})",
            vec!["?"; columns].join(", ")
        );
        let Ok(mut rows) = stmt.query([]) else {
            continue;
        };
        while let Ok(Some(row)) = rows.next() {
            let values: Vec<rusqlite::types::Value> =
                (0..columns).filter_map(|i| row.get(i).ok()).collect();
            if values.len() == columns {
                to.execute(&insert, rusqlite::params_from_iter(values))?;
            }
        }
    }
    Ok(())
}

/// File name of the index in the data directory.
pub const INDEX_FILE: &str = "index.sqlite";

/// The page cache of connections that write in bulk (import, rebuild): see
/// [`Index::set_cache_bytes`].
pub const BULK_CACHE_BYTES: usize = 32 << 20;

/// An open index.
pub struct Index {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index").field("path", &self.path).finish()
    }
}

impl Index {
    /// Opens (creating and migrating) `<data>/index.sqlite`. Call [`Index::sync`] before
    /// trusting it to reflect the archive.
    pub fn open(data_dir: &Path) -> Result<Index, IndexError> {
        let path = data_dir.join(INDEX_FILE);
        let conn = Connection::open(&path).map_err(|e| IndexError::sql("open", &path, e))?;
        let index = Index { conn, path };
        index.configure()?;
        schema::migrate(&index.conn).map_err(|e| IndexError::sql("migrate", &index.path, e))?;
        Ok(index)
    }

    fn configure(&self) -> Result<(), IndexError> {
        // WAL lets readers (the web server, later) run beside the one writer; NORMAL is safe
        // with WAL because the archive, not the index, is the durable truth.
        self.conn
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
            )
            .map_err(|e| IndexError::sql("configure", &self.path, e))
    }

    /// Lets this connection keep up to `bytes` of database pages in memory (SQLite's default is
    /// 2 MB). Bulk writers set it: the rows of an import land in random places of several
    /// b-trees (keys are hashes), and with the default cache a transaction spills and re-reads
    /// pages; 32 MB cut a 100,000-record import's time by about a tenth.
    pub fn set_cache_bytes(&self, bytes: usize) -> Result<(), IndexError> {
        let kib = i64::try_from(bytes / 1024).unwrap_or(i64::MAX);
        self.conn
            .pragma_update(None, "cache_size", -kib)
            .map_err(|e| IndexError::sql("configure", &self.path, e))
    }

    /// Deletes the index and rebuilds it from `archive/` alone.
    pub fn rebuild(data_dir: &Path, archive: &archive::Archive) -> Result<Index, IndexError> {
        let path = data_dir.join(INDEX_FILE);
        let saved = saved_state(&path);
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", path.display()));
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(IndexError::Io { path: p, source: e }),
            }
        }
        let mut index = Index::open(data_dir)?;
        index.set_cache_bytes(BULK_CACHE_BYTES)?;
        if let Some(saved) = saved {
            index.restore_state(saved)?;
        }
        index.sync(archive)?;
        index.sync_assets(archive)?;
        Ok(index)
    }

    fn restore_state(&mut self, saved: Connection) -> Result<(), IndexError> {
        let tx = self
            .conn
            .transaction()
            .map_err(|e| IndexError::sql("restore state", &self.path, e))?;
        copy_state(&saved, &tx).map_err(|e| IndexError::sql("restore state", &self.path, e))?;
        tx.commit()
            .map_err(|e| IndexError::sql("restore state", &self.path, e))
    }

    /// Runs `f` in one write transaction, rolled back when it fails: many small writes (the
    /// re-check state of a batch of articles) then share one commit instead of paying one each.
    pub fn write_together<T>(
        &mut self,
        f: impl FnOnce(&Index) -> Result<T, IndexError>,
    ) -> Result<T, IndexError> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| IndexError::sql("begin a write", &self.path, e))?;
        let result = f(self).and_then(|value| {
            self.conn
                .execute_batch("COMMIT")
                .map_err(|e| IndexError::sql("commit a write", &self.path, e))?;
            Ok(value)
        });
        if result.is_err() && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        result
    }

    /// True when no transaction or snapshot is open.
    pub fn in_autocommit(&self) -> bool {
        self.conn.is_autocommit()
    }

    /// The index file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use archive::{Archive, StagedVersion};
    use model::{ArticleKey, Capture, EventKind, SourceId};

    const URL: &str = "https://www.rfi.fr/cn/1";

    /// An archive in `dir` with version 1 of [`URL`] committed (not yet indexed), its index
    /// and its writer.
    fn one_version(dir: &std::path::Path) -> (Archive, Index, archive::Writer) {
        let archive = Archive::open(dir).unwrap();
        let index = Index::open(dir).unwrap();
        let mut w = archive.writer().unwrap();
        stage_version(
            &mut w,
            URL,
            1,
            b"<!--1600000000000-->\n[first](https://www.rfi.fr/cn/1)\n------\n\nx\n",
        );
        w.commit().unwrap();
        (archive, index, w)
    }

    fn stage_version(w: &mut archive::Writer, url: &str, version: u32, bytes: &[u8]) {
        let key = ArticleKey::for_url(url);
        let source = SourceId::new("rfi").unwrap();
        let dir = Archive::article_dir(&source, &key, 1_600_000_000_000);
        let capture = Capture {
            seq: 0,
            time: format!("2026-11-26T00:00:0{version}.000Z"),
            source,
            key,
            version,
            url: url.into(),
            event: if version == 1 {
                EventKind::New
            } else {
                EventKind::Edited
            },
            status: None,
            final_url: None,
            path: None,
            record_sha256: None,
            body_sha256: None,
            warc_record_id: None,
            via: None,
            origin: None,
            note: None,
            byline: None,
            prev: String::new(),
        };
        w.stage(
            capture,
            Some(StagedVersion {
                dir: &dir,
                version,
                bytes: bytes.to_vec(),
                sha256: None,
            }),
        )
        .unwrap();
    }

    #[test]
    fn incremental_sync_and_rebuild_reach_the_same_rows() {
        let tmp = tempfile::tempdir().unwrap();
        let (archive, mut index, mut w) = one_version(tmp.path());
        let url = URL;
        assert_eq!(index.sync(&archive).unwrap(), 1);
        assert_eq!(index.sync(&archive).unwrap(), 0, "nothing new to apply");
        stage_version(
            &mut w,
            url,
            2,
            b"<!--1600000000000-->\n[second](https://www.rfi.fr/cn/1)\n------\n\ny\n",
        );
        w.commit().unwrap();
        assert_eq!(index.sync(&archive).unwrap(), 1);
        let key = ArticleKey::for_url(url);
        let article = index.article(&key).unwrap().unwrap();
        assert_eq!(
            (article.title.as_str(), article.latest_version),
            ("second", 2)
        );
        assert_eq!(index.versions(&key).unwrap().len(), 2);
        let live = index.dump().unwrap();
        drop(index);
        let rebuilt = Index::rebuild(tmp.path(), &archive).unwrap();
        assert_eq!(rebuilt.dump().unwrap(), live);
    }

    #[test]
    fn state_of_an_index_written_before_a_migration_survives_a_rebuild() {
        let tmp = tempfile::tempdir().unwrap();
        let archive = Archive::open(tmp.path()).unwrap();
        // An index file as the binary before migration 5 left it, with one re-check row.
        let old = Connection::open(tmp.path().join(INDEX_FILE)).unwrap();
        for sql in &schema::MIGRATIONS[..4] {
            old.execute_batch(sql).unwrap();
        }
        old.pragma_update(None, "user_version", 4).unwrap();
        old.execute(
            "INSERT INTO article_checks (key, source, url, first_seen, checks, page_fingerprint)
             VALUES ('0123456789abcdef', 'rfi', 'https://www.rfi.fr/cn/1', '2026-11-01T00:00:00Z', 3, 'f')",
            [],
        )
        .unwrap();
        drop(old);
        let index = Index::rebuild(tmp.path(), &archive).unwrap();
        let check = index.article_check("0123456789abcdef").unwrap().unwrap();
        assert_eq!(
            (check.checks, check.page_fingerprint.as_deref()),
            (3, Some("f"))
        );
        assert_eq!(check.page_byline, None);
    }

    #[test]
    fn due_rechecks_come_with_their_article_and_validators_and_writes_together_roll_back() {
        let tmp = tempfile::tempdir().unwrap();
        let (archive, mut index, _writer) = one_version(tmp.path());
        let url = URL;
        index.sync(&archive).unwrap();
        let key = ArticleKey::for_url(url);
        let check = |k: &str, u: &str, due: &str| ArticleCheck {
            key: k.into(),
            source: "rfi".into(),
            url: u.into(),
            first_seen: "2026-11-01T00:00:00Z".into(),
            next_check: Some(due.into()),
            state: "live".into(),
            ..ArticleCheck::default()
        };
        let cache = HttpCache {
            etag: Some("\"v1\"".into()),
            last_modified: None,
            fresh_until: None,
        };
        index
            .write_together(|ix| {
                ix.update_article_check(&check(key.as_str(), url, "2026-11-02T00:00:00Z"))?;
                ix.update_article_check(&check(
                    "00000000000000aa",
                    "https://x.example/",
                    "2026-11-01T12:00:00Z",
                ))?;
                ix.update_article_check(&check(
                    "00000000000000bb",
                    "https://y.example/",
                    "2026-12-01T00:00:00Z",
                ))?;
                ix.set_http_cache(url, &cache, "2026-11-01T00:00:00Z")
            })
            .unwrap();
        let due = index
            .due_rechecks("2026-11-15T00:00:00Z", &["rfi"], 10)
            .unwrap();
        let keys: Vec<&str> = due.iter().map(|d| d.check.key.as_str()).collect();
        assert_eq!(
            keys,
            ["00000000000000aa", key.as_str()],
            "soonest first, due only"
        );
        assert_eq!(
            (due[0].article.as_ref(), due[0].cache.as_ref()),
            (None, None)
        );
        assert_eq!(due[1].article, index.article(&key).unwrap());
        assert_eq!(due[1].cache.as_ref(), Some(&cache));
        assert_eq!(
            due[1].check,
            index.article_check(key.as_str()).unwrap().unwrap()
        );

        // A failure inside rolls back everything the closure wrote.
        let failed = index.write_together(|ix| {
            ix.update_article_check(&check(
                "00000000000000cc",
                "https://z.example/",
                "2026-11-01T00:00:00Z",
            ))?;
            Err::<(), _>(IndexError::sql(
                "test",
                tmp.path(),
                rusqlite::Error::InvalidQuery,
            ))
        });
        assert!(failed.is_err());
        assert!(index.article_check("00000000000000cc").unwrap().is_none());
        assert!(index.in_autocommit());
    }

    #[test]
    fn a_shorter_log_than_remembered_rebuilds_the_index() {
        let tmp = tempfile::tempdir().unwrap();
        let archive = Archive::open(tmp.path()).unwrap();
        let mut index = Index::open(tmp.path()).unwrap();
        let mut w = archive.writer().unwrap();
        stage_version(
            &mut w,
            "https://www.rfi.fr/cn/1",
            1,
            b"<!--1-->\n[a](https://www.rfi.fr/cn/1)\n------\n\nx\n",
        );
        stage_version(
            &mut w,
            "https://www.rfi.fr/cn/2",
            1,
            b"<!--1-->\n[b](https://www.rfi.fr/cn/2)\n------\n\nx\n",
        );
        w.commit().unwrap();
        index.sync(&archive).unwrap();
        // The archive is replaced by an older copy holding only the first line.
        let log = tmp.path().join("archive/rfi/captures.jsonl");
        let text = std::fs::read_to_string(&log).unwrap();
        std::fs::write(&log, format!("{}\n", text.lines().next().unwrap())).unwrap();
        index.sync(&archive).unwrap();
        assert_eq!(index.counts().unwrap(), (1, 1, 1, 1));
    }
}
