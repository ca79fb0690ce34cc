//! Capture events: one line of a source's capture log per observation.

use crate::{ArticleKey, SourceId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What one observation of an article found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum EventKind {
    /// First time this article was seen; version 1 was stored.
    New,
    /// Seen again with the same text; nothing stored.
    Unchanged,
    /// Seen with a different text; a new version was stored.
    Edited,
    /// The source no longer serves it.
    Gone,
    /// Served again after being gone.
    Back,
    /// The observation failed (network, parse); details in `note`.
    Error,
    /// Redirected to another article (a new slug): `final_url` names it.
    Moved,
    /// Redirected to a home, section or search page.
    #[serde(rename = "redirected-home")]
    RedirectedHome,
    /// Answered 200 with an error template or no article body.
    #[serde(rename = "soft-404")]
    Soft404,
    /// Refused: 401/403/451, a login or geo wall.
    Blocked,
    /// No longer listed by its feed while the page is still served.
    #[serde(rename = "left-feed")]
    LeftFeed,
    /// The page names other authors than when last seen: `note` says from what to what and
    /// `byline` holds the new one. Not a new version by itself (the record has no byline).
    Byline,
}

impl EventKind {
    /// The name used in the capture log and the JSON outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::New => "new",
            EventKind::Unchanged => "unchanged",
            EventKind::Edited => "edited",
            EventKind::Gone => "gone",
            EventKind::Back => "back",
            EventKind::Error => "error",
            EventKind::Moved => "moved",
            EventKind::RedirectedHome => "redirected-home",
            EventKind::Soft404 => "soft-404",
            EventKind::Blocked => "blocked",
            EventKind::LeftFeed => "left-feed",
            EventKind::Byline => "byline",
        }
    }

    /// Whether the article is not being served (as it was) after this event: a takedown class.
    pub fn is_takedown(self) -> bool {
        matches!(
            self,
            EventKind::Gone | EventKind::RedirectedHome | EventKind::Soft404 | EventKind::Blocked
        )
    }

    /// Every kind, for listings and parsing.
    pub const ALL: [EventKind; 12] = [
        EventKind::New,
        EventKind::Unchanged,
        EventKind::Edited,
        EventKind::Gone,
        EventKind::Back,
        EventKind::Error,
        EventKind::Moved,
        EventKind::RedirectedHome,
        EventKind::Soft404,
        EventKind::Blocked,
        EventKind::LeftFeed,
        EventKind::Byline,
    ];

    /// Whether this event stored a new version record.
    pub fn stores_version(self) -> bool {
        matches!(self, EventKind::New | EventKind::Edited)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of `archive/<source>/captures.jsonl`.
///
/// Invariants kept by the archive: `seq` counts 1, 2, 3 ... per source with no gap; `prev` is the
/// SHA-256 of the previous line's bytes (without its newline), or 64 zeros on the first line;
/// `path` and `record_sha256` are set exactly when `event.stores_version()`, and name a record that
/// was durable before this line was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capture {
    /// Sequence number within the source's log, from 1.
    pub seq: u64,
    /// Capture time, RFC 3339 UTC with milliseconds.
    pub time: String,
    /// The source whose log holds this line.
    pub source: SourceId,
    /// The article observed.
    pub key: ArticleKey,
    /// The article's current version after this observation (1 for `new`).
    pub version: u32,
    /// The URL observed (WHATWG serialization).
    pub url: String,
    /// What happened.
    pub event: EventKind,
    /// HTTP status of the observation, when it was fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Final URL after redirects, when it differs from `url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    /// The record file of the stored version, relative to the data directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// SHA-256 of the record file bytes (stored version, or the observed record for `unchanged`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_sha256: Option<String>,
    /// SHA-256 of the raw body as received (the imported file, or the HTTP body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_sha256: Option<String>,
    /// `WARC-Record-ID` of the raw exchange, when one was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warc_record_id: Option<String>,
    /// How it was observed: `import` or the fetch route (`direct`, a proxy name, a mirror).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// For imports: the record's path inside the imported duty-machine tree
    /// (`articles/<site>/<file>.md`), so that export can write it back to the same place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Free-text detail, e.g. the error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The byline (author names, whitespace collapsed) the observation saw: on `new` and
    /// `edited` lines whose page or feed item named one, and on `byline` events (the new one).
    /// Absent on lines written before bylines were recorded, so those serialize (and hash)
    /// exactly as they were written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    /// SHA-256 of the previous line (hash chain).
    pub prev: String,
}

/// The `prev` of the first line of every capture log.
pub const CHAIN_START: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialized_names_are_the_documented_ones() {
        for kind in EventKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<EventKind>(&json).unwrap(), kind);
        }
    }

    #[test]
    fn a_line_without_a_byline_reads_and_writes_back_byte_for_byte() {
        // A line as written before captures had a byline: the hash chain names its bytes.
        let old = r#"{"seq":3,"time":"2026-11-25T09:15:00.000Z","source":"life","key":"0123456789abcdef","version":2,"url":"https://news.example/a.html","event":"edited","status":200,"body_sha256":"ab","warc_record_id":"<urn:uuid:1>","via":"recheck","prev":"cd"}"#;
        let capture: Capture = serde_json::from_str(old).unwrap();
        assert_eq!(capture.byline, None);
        assert_eq!(serde_json::to_string(&capture).unwrap(), old);

        let mut with = capture;
        with.event = EventKind::Byline;
        with.byline = Some("王五".into());
        let line = serde_json::to_string(&with).unwrap();
        assert!(line.contains(r#""byline":"王五","prev":"cd""#), "{line}");
        let back: Capture = serde_json::from_str(&line).unwrap();
        assert_eq!(back, with);
    }
}
