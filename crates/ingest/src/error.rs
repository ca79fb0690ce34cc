//! The ingest error type.

use std::path::PathBuf;

/// What stopped an import or export as a whole (single bad files are [`crate::Rejected`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The archive failed.
    #[error(transparent)]
    Archive(#[from] archive::ArchiveError),
    /// The index failed.
    #[error(transparent)]
    Index(#[from] index::IndexError),
    /// A path given by the user or an export target failed.
    #[error("cannot {op} {path}: {source}")]
    Io {
        /// What we were doing.
        op: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A path given to import does not exist.
    #[error(
        "{0}: no such file or folder; give a duty-machine tree, a folder of records or a record file"
    )]
    NotFound(PathBuf),
}
