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
    /// The feed of a source could not be fetched.
    #[error(transparent)]
    Fetch(#[from] fetch::FetchError),
    /// A source's feed was fetched but is unusable (HTTP error, not a feed, bad rules).
    #[error("source {source_id}: {message}")]
    Source {
        /// The source.
        source_id: String,
        /// What is wrong, with the URL.
        message: String,
    },
    /// The store thread failed or is gone (the archive and index state is what it committed).
    #[error("store: {0}")]
    Store(String),
}

impl IngestError {
    /// When the failure is a host's request to wait (Retry-After), until when.
    pub fn deferred_until(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        match self {
            IngestError::Fetch(fetch::FetchError::Deferred { until, .. }) => {
                chrono::DateTime::parse_from_rfc3339(until)
                    .ok()
                    .map(|t| t.with_timezone(&chrono::Utc))
            }
            _ => None,
        }
    }
}
