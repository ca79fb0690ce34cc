//! The archive's error type.

use std::path::{Path, PathBuf};

/// What went wrong in the data directory.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// A file-system operation failed.
    #[error("cannot {op} {path}: {source}")]
    Io {
        /// What we were doing (`read`, `write`, `rename`, ...).
        op: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A file in the data directory is not what the format requires.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// Another process is writing to this data directory.
    #[error(
        "{0} is in use by another newsvault process (lock held on {0}/archive/.lock); wait for it to finish"
    )]
    Locked(PathBuf),
    /// A record would replace a different record already in the archive.
    #[error("refusing to overwrite archived record {0}: archived records are immutable")]
    WouldOverwrite(PathBuf),
}

impl ArchiveError {
    pub(crate) fn io(op: &'static str, path: &Path, source: std::io::Error) -> Self {
        ArchiveError::Io {
            op,
            path: path.to_owned(),
            source,
        }
    }
}
