//! Admin actions (refresh a source now, add or remove a source) and who may call them.
//!
//! The web crate does not know how to fetch or how the configuration file is edited: the
//! binary implements [`Admin`] (through the running `Ingest` and `config::ConfigFile`) and
//! hands it to [`crate::WebState::with_admin`] with the token from `[server] admin_token`.
//! Without a token admin is off and every admin route answers 403.
//!
//! A caller proves it holds the token with `Authorization: Bearer <token>`; the comparison
//! takes the same time whatever the token given ([`token_matches`]).

use model::{SourceConfig, SourceId};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::pin::Pin;

/// What an [`Admin`] method returns: a boxed future, so that the trait can be used as
/// `dyn Admin`.
pub type AdminFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, AdminError>> + Send + 'a>>;

/// The actions the API's admin routes perform, implemented by the binary.
///
/// Each method is called only after the request was authorized. Implementations report
/// problems as [`AdminError`]s, which the API turns into status codes.
pub trait Admin: Send + Sync + 'static {
    /// Checks `source` now (a full refresh: feed, new items, versions) and reports what it did.
    /// [`AdminError::Unavailable`] where this process has no fetcher (`newsvault serve`).
    fn refresh(&self, source: SourceId) -> AdminFuture<'_, RefreshSummary>;

    /// Adds `source` to the configuration (and to the sources the server reports).
    /// [`AdminError::Exists`] when its id is taken.
    fn add_source(&self, source: SourceConfig) -> AdminFuture<'_, ()>;

    /// Removes the source `id` from the configuration; its archive stays.
    /// [`AdminError::UnknownSource`] when it is not configured.
    fn remove_source(&self, id: SourceId) -> AdminFuture<'_, ()>;
}

/// Why an admin action failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    /// No source with this id is configured (404).
    #[error("no source {0:?} is configured")]
    UnknownSource(String),
    /// A source with this id is already configured (409).
    #[error("a source with id {0:?} is already configured; remove it first or pick another id")]
    Exists(String),
    /// The request is not acceptable (400); the message says why.
    #[error("{0}")]
    Invalid(String),
    /// The action cannot run in this process (503); the message says where it can.
    #[error("{0}")]
    Unavailable(String),
    /// The source could not be fetched (502); the message is the fetch error.
    #[error("{0}")]
    Upstream(String),
    /// Anything else (500), e.g. the configuration file could not be written.
    #[error("{0}")]
    Failed(String),
}

/// What one refresh did, as the API reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RefreshSummary {
    /// The source checked.
    pub source: String,
    /// HTTP status of the feed response (none when the feed was still fresh).
    pub status: Option<u16>,
    /// The feed had not changed (304, or still fresh).
    pub not_modified: bool,
    /// Items in the feed.
    pub items: usize,
    /// Articles archived for the first time.
    pub new: u32,
    /// New versions of known articles.
    pub edited: u32,
    /// Items already archived with the same text.
    pub unchanged: u32,
    /// Items that failed this time, with why.
    pub item_errors: Vec<String>,
    /// How long the check took.
    pub duration_ms: u64,
}

/// Whether `given` equals `expected`, in time that depends on neither.
///
/// Both are hashed first, so the comparison always covers 32 bytes whatever their lengths,
/// and the bytes are compared without an early exit.
pub(crate) fn token_matches(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    let diff = a
        .iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_by_value() {
        assert!(token_matches("s3cret", "s3cret"));
        assert!(!token_matches("s3cret", "s3cre"));
        assert!(!token_matches("", "s3cret"));
        assert!(!token_matches("S3cret", "s3cret"));
    }
}
