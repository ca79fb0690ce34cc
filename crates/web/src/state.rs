//! What every handler shares, and the one way a handler reads the index.

use crate::error::ApiError;
use index::{Index, IndexError};
use model::SourceConfig;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

/// The server's shared state: cheap to clone (one `Arc`), handed to every handler.
///
/// The source list sits behind a lock the caller may keep a handle to
/// ([`WebState::sources_handle`]), so a daemon that reloads its configuration updates what the
/// server reports without restarting it.
#[derive(Clone, Debug)]
pub struct WebState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    data_dir: PathBuf,
    sources: Arc<RwLock<Vec<SourceConfig>>>,
    started: Instant,
}

impl WebState {
    /// State for the data directory `data_dir` with the configured `sources`; the uptime clock
    /// starts now.
    pub fn new(data_dir: impl Into<PathBuf>, sources: Vec<SourceConfig>) -> WebState {
        WebState::with_shared_sources(data_dir, Arc::new(RwLock::new(sources)))
    }

    /// Like [`WebState::new`], with a source list the caller keeps and may replace later.
    pub fn with_shared_sources(
        data_dir: impl Into<PathBuf>,
        sources: Arc<RwLock<Vec<SourceConfig>>>,
    ) -> WebState {
        WebState {
            inner: Arc::new(Inner {
                data_dir: data_dir.into(),
                sources,
                started: Instant::now(),
            }),
        }
    }

    /// The data directory the server reads.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// The shared source list (write to it to change what the server reports).
    pub fn sources_handle(&self) -> Arc<RwLock<Vec<SourceConfig>>> {
        Arc::clone(&self.inner.sources)
    }

    /// A copy of the configured sources, in configuration order.
    pub fn sources(&self) -> Vec<SourceConfig> {
        // A writer that panicked mid-update left a whole list behind (replacing a Vec is one
        // move), so a poisoned lock still holds usable data.
        match self.inner.sources.read() {
            Ok(list) => list.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Seconds since the state was created (the server's uptime).
    pub fn uptime_s(&self) -> u64 {
        self.inner.started.elapsed().as_secs()
    }

    /// Runs `read` on a fresh read connection to the index, on a blocking thread.
    ///
    /// A connection that cannot be opened is [`ApiError::IndexUnavailable`] (503); an error
    /// from `read` itself is [`ApiError::Index`] (500).
    pub(crate) async fn read_index<T, F>(&self, read: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Index) -> Result<T, IndexError> + Send + 'static,
    {
        let data_dir = self.inner.data_dir.clone();
        tokio::task::spawn_blocking(move || {
            let index = Index::open(&data_dir).map_err(ApiError::IndexUnavailable)?;
            read(&index).map_err(ApiError::Index)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("an index read did not finish: {e}")))?
    }
}
