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

mod apply;
mod error;
mod query;
mod schema;

pub use apply::VersionMeta;
pub use error::IndexError;
pub use query::{ArticleRow, CaptureRow, ExportRow, VersionRow};

use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// File name of the index in the data directory.
pub const INDEX_FILE: &str = "index.sqlite";

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

    /// Deletes the index and rebuilds it from `archive/` alone.
    pub fn rebuild(data_dir: &Path, archive: &archive::Archive) -> Result<Index, IndexError> {
        let path = data_dir.join(INDEX_FILE);
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", path.display()));
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(IndexError::Io { path: p, source: e }),
            }
        }
        let mut index = Index::open(data_dir)?;
        index.sync(archive)?;
        Ok(index)
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
