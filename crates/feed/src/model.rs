//! The normalized feed: what `parse` returns, serialized as `shared/contracts/feed-json.md`.

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

/// A feed read into the shape every dialect maps to.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Feed {
    /// Plain-text title (tags removed, entities decoded).
    pub title: Option<String>,
    /// The feed's HTML page, absolute where `xml:base` or the base URL allow.
    pub link: Option<String>,
    /// The language tag as declared, `_` replaced by `-`.
    pub language: Option<String>,
    /// When the feed was last modified (never the channel `pubDate`).
    #[serde(serialize_with = "rfc3339")]
    pub updated: Option<DateTime<Utc>>,
    /// The dialect read, in feedparser's names (`rss20`, `rss10`, `atom10`, `json11`, ...).
    pub version: String,
    /// Entries in document order.
    pub entries: Vec<Entry>,
}

/// One item or entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Entry {
    /// The entry's own identifier (`guid`, `atom:id`, `rdf:about`, `id`); never made up.
    pub id: Option<String>,
    /// Plain-text title.
    pub title: Option<String>,
    /// The alternate (HTML) link.
    pub link: Option<String>,
    /// First publication time.
    #[serde(serialize_with = "rfc3339")]
    pub published: Option<DateTime<Utc>>,
    /// Last modification time (`dc:date` counts as one); not copied from `published`.
    #[serde(serialize_with = "rfc3339")]
    pub updated: Option<DateTime<Utc>>,
    /// Display name of the last-listed author, or their e-mail address.
    pub author: Option<String>,
    /// The summary as plain text; the text of the content when there is no summary.
    pub summary_text: Option<String>,
    /// The full body as raw HTML (plain-text content escaped); null without a content element.
    pub content_html: Option<String>,
    /// Category terms, duplicates removed, in document order.
    pub categories: Vec<String>,
    /// Attached media.
    pub enclosures: Vec<Enclosure>,
}

/// An attached media file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Enclosure {
    /// Absolute where possible.
    pub url: String,
    /// The declared MIME type.
    #[serde(rename = "type")]
    pub mime_type: Option<String>,
    /// The declared length in bytes, when it is an integer.
    pub length: Option<u64>,
}

/// A problem that was repaired or skipped while reading, located in the decoded document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based line in the document (0 when the warning is about the whole document).
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What was found and what was done about it.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// The result of a successful parse: the feed and what had to be repaired to read it.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The normalized feed.
    pub feed: Feed,
    /// Repairs and skipped constructs, in document order.
    pub warnings: Vec<Warning>,
    /// The character encoding the bytes were read as.
    pub encoding: &'static str,
}

/// Why nothing usable could be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FeedError {
    /// The input is empty or only whitespace.
    #[error("the document is empty")]
    Empty,
    /// The bytes hold no feed element (`rss`, `rdf:RDF`, `channel`, `feed`, `item`, `entry`).
    #[error("no feed found: {0}")]
    NotAFeed(String),
}

fn rfc3339<S: Serializer>(d: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        None => s.serialize_none(),
    }
}
