//! The index's error type.

use std::path::{Path, PathBuf};

/// What went wrong while reading or updating the index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// SQLite failed.
    #[error("index {path}: cannot {op}: {source}")]
    Sql {
        /// What we were doing.
        op: &'static str,
        /// The index file.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// A file could not be removed or read.
    #[error("cannot use {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The archive could not be read.
    #[error(transparent)]
    Archive(#[from] archive::ArchiveError),
    /// A record named by a capture log cannot be read while indexing it.
    #[error(transparent)]
    Record(#[from] record::RecordError),
}

impl IndexError {
    pub(crate) fn sql(op: &'static str, path: &Path, source: rusqlite::Error) -> Self {
        IndexError::Sql {
            op,
            path: path.to_owned(),
            source,
        }
    }
}
