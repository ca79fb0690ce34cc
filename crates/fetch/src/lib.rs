//! The network edge: every byte newsvault fetches passes through here.
//!
//! Owns: one polite HTTP client ([`Fetcher`]) — conditional GET, per-host concurrency and spacing,
//! `Retry-After`, retries with jittered exponential backoff for retryable failures only, connect
//! and total timeouts, a redirect limit, a body-size cap that also holds after decompression,
//! gzip/deflate/br, an honest User-Agent, ordered routes (direct, proxy, mirror), the character
//! set of what was fetched ([`charset`]) — and the WARC writer ([`warc::WarcWriter`]) that keeps
//! each exchange as it crossed the wire, with its reader ([`warc::WarcReader`]).
//! Does not own: parsing what was fetched (feed, extract), deciding what to fetch (ingest).
//!
//! Words: an *exchange* is one HTTP request and its response; a *route* is one way to reach a
//! URL; *validators* are the ETag and Last-Modified a server gave, sent back to ask "changed?".

pub mod charset;
mod client;
mod decode;
mod error;
mod freshness;
mod politeness;
mod retry;
pub mod warc;

pub use client::{Exchange, FetchConfig, Fetcher, Hop, Request, Route};
pub use decode::decode_body;
pub use error::FetchError;
pub use freshness::{Validators, fresh_until};
pub use politeness::HostLimits;

/// The User-Agent newsvault sends unless configured otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "newsvault/",
    env!("CARGO_PKG_VERSION"),
    " (self-hosted news archive; +https://example.invalid/newsvault)"
);
/// Largest body accepted, before and after decompression.
pub const DEFAULT_MAX_BODY: u64 = 32 * 1024 * 1024;
/// Redirects followed before giving up.
pub const DEFAULT_MAX_REDIRECTS: usize = 10;
/// Requests in flight to one host.
pub const DEFAULT_PER_HOST_CONCURRENCY: usize = 2;
/// Minimum time between the starts of two requests to one host.
pub const DEFAULT_MIN_INTERVAL: std::time::Duration = std::time::Duration::from_millis(500);
