//! The nouns every newsvault stage shares, and nothing that does I/O.
//!
//! - A **source** is one publisher feed we watch or imported (RFI 中文, BBC 中文, ...),
//!   named by a short [`SourceId`] that is also its folder under `archive/`.
//! - An **article** is one piece of journalism, however many URLs, titles and versions it
//!   had; it is named by an [`ArticleKey`] derived from its canonical URL ([`identity`]).
//! - A **version** is one distinct text of an article, stored as one immutable record file.
//! - A **capture** is one observation of an article at one time ([`Capture`]): new, unchanged,
//!   edited, a takedown class, back, a byline change or an error. Captures are appended to the
//!   source's capture log.

mod capture;
pub mod identity;
mod source;

pub use capture::{CHAIN_START, Capture, EventKind};
pub use identity::{ArticleKey, canonical_url};
pub use source::{RouteSpec, RulesSpec, SourceConfig, SourceId, SourceMeta};

/// SHA-256 of `bytes` as 64 lower-case hex digits: the one digest the archive uses for
/// records, raw bodies and capture-log chaining.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
