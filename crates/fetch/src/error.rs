//! The fetch error type: what went wrong, for which URL, and whether trying again can help.

use std::time::Duration;

/// Why an exchange failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL cannot be fetched at all.
    #[error("{url}: not an http(s) URL")]
    BadUrl {
        /// The URL.
        url: String,
    },
    /// No connection, DNS failure, TLS failure, reset.
    #[error("{url}: cannot connect: {message}")]
    Connect {
        /// The URL.
        url: String,
        /// The underlying error.
        message: String,
    },
    /// The exchange took longer than allowed.
    #[error("{url}: timed out after {after:?}")]
    Timeout {
        /// The URL.
        url: String,
        /// The limit that was hit.
        after: Duration,
    },
    /// The body (raw or decompressed) is larger than the cap.
    #[error("{url}: body larger than {limit} bytes (the cap; raise fetch.max_body to accept it)")]
    TooLarge {
        /// The URL.
        url: String,
        /// The cap.
        limit: u64,
    },
    /// More redirects than allowed, or a loop.
    #[error("{url}: too many redirects ({count}); last hop to {last}")]
    TooManyRedirects {
        /// The first URL.
        url: String,
        /// Hops followed.
        count: usize,
        /// The last Location.
        last: String,
    },
    /// The body says it is compressed but does not decompress.
    #[error("{url}: cannot decode {encoding} body: {message}")]
    Decode {
        /// The URL.
        url: String,
        /// The Content-Encoding.
        encoding: String,
        /// What failed.
        message: String,
    },
    /// The server answered with a status we retry (429, 5xx) and kept doing so.
    #[error("{url}: HTTP {status} after {attempts} attempts")]
    Status {
        /// The URL.
        url: String,
        /// The last status.
        status: u16,
        /// Attempts made.
        attempts: u32,
    },
    /// Every route failed; each route's error is listed.
    #[error("{url}: every route failed: {}", .errors.join("; "))]
    AllRoutesFailed {
        /// The URL.
        url: String,
        /// One message per route, in order.
        errors: Vec<String>,
    },
    /// The host asked us to wait (Retry-After) longer than the caller allows.
    #[error("{url}: host asked to wait until {until} (Retry-After)")]
    Deferred {
        /// The URL.
        url: String,
        /// RFC 3339 time before which no request is sent to the host.
        until: String,
    },
}

impl FetchError {
    /// Whether the same request may succeed later (network trouble, overload), as opposed to a
    /// permanent answer (bad URL, too large, redirect loop).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            FetchError::Connect { .. }
                | FetchError::Timeout { .. }
                | FetchError::Status { .. }
                | FetchError::Deferred { .. }
        )
    }
}
