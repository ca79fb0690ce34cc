//! Reading the index page by page: what the web reader, the JSON API and Atom out list.
//!
//! Listings are ordered newest first and paged by *cursor* (the sort key of the last row
//! shown), not by offset: a page stays cheap however deep it is (an index seek), and rows
//! archived while a reader pages do not shift what the next page shows.
//!
//! Words: an article's *date* is its publication time, or 0 when it has none (such articles
//! sort last); a *change* is a capture whose event says the article changed or stopped (or
//! resumed) being served: edited, a takedown class, back, or a byline change.

use crate::{Index, IndexError};
use rusqlite::{Row, params_from_iter, types::Value};
use serde::Serialize;

/// Events that the changes page and the changes feed list, in the order the classes are
/// documented (`DESIGN.md`, issue 8).
pub const CHANGE_EVENTS: &[&str] = &[
    "edited",
    "gone",
    "moved",
    "redirected-home",
    "soft-404",
    "blocked",
    "left-feed",
    "back",
    "byline",
];

/// The SQL list of [`CHANGE_EVENTS`], written the same way in the partial index (migration 5)
/// and in every query, so SQLite sees that the query implies the index's condition.
pub(crate) const CHANGE_EVENTS_SQL: &str =
    "('edited','gone','moved','redirected-home','soft-404','blocked','left-feed','back','byline')";

/// Where a listing of articles goes on: the date and key of the last row already shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArticleCursor {
    /// Date of the last row shown, epoch ms (0: none).
    pub date_ms: i64,
    /// Key of the last row shown.
    pub key: String,
}

impl ArticleCursor {
    /// The cursor as one URL-safe token (`<date_ms>.<key>`; keys are URL-safe).
    pub fn encode(&self) -> String {
        format!("{}.{}", self.date_ms, self.key)
    }

    /// Reads a token written by [`ArticleCursor::encode`]; `None` when it is not one.
    pub fn parse(token: &str) -> Option<ArticleCursor> {
        let (date, key) = token.split_once('.')?;
        let date_ms = date.parse().ok()?;
        let valid = !key.is_empty()
            && key.len() <= 200
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
        valid.then(|| ArticleCursor {
            date_ms,
            key: key.to_owned(),
        })
    }
}

/// One article in a listing: its latest state and whether it changed or went away.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArticleSummary {
    /// Identity.
    pub key: String,
    /// The source that first saw it.
    pub source: String,
    /// URL of the latest version.
    pub url: String,
    /// Title of the latest version.
    pub title: String,
    /// Publication time, epoch ms.
    pub published_ms: Option<i64>,
    /// First capture time (RFC 3339).
    pub first_seen: String,
    /// Last capture time (RFC 3339).
    pub last_seen: String,
    /// Number of the latest version (more than 1: it changed).
    pub latest_version: u32,
    /// `live`, or the takedown class its last re-check found (`gone`, `blocked`, ...).
    pub state: String,
}

impl ArticleSummary {
    /// Whether a later version differs from the first.
    pub fn changed(&self) -> bool {
        self.latest_version > 1
    }

    /// Whether the source no longer serves it (any takedown class; `left-feed` is not one:
    /// the page is still up).
    pub fn gone(&self) -> bool {
        !matches!(self.state.as_str(), "live" | "back" | "left-feed")
    }
}

/// A page of articles and the cursor of the next page (`None`: this was the last).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArticlePage {
    /// The rows, newest first.
    pub items: Vec<ArticleSummary>,
    /// Where the next page starts.
    pub next: Option<ArticleCursor>,
}

/// One change: a capture with a change event, with the article's current title.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangeRow {
    /// The article.
    pub key: String,
    /// Its current title.
    pub title: String,
    /// Source whose log holds the capture.
    pub source: String,
    /// Sequence number in that log.
    pub seq: u64,
    /// When it was observed (RFC 3339).
    pub time: String,
    /// The event (one of [`CHANGE_EVENTS`]).
    pub event: String,
    /// The article's version after it.
    pub version: u32,
    /// URL observed.
    pub url: String,
    /// HTTP status, when fetched.
    pub status: Option<u16>,
    /// Final URL after redirects, when it differed.
    pub final_url: Option<String>,
    /// Detail.
    pub note: Option<String>,
}

/// Where a listing of changes goes on: the capture last shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangeCursor {
    /// Its time.
    pub time: String,
    /// Its source.
    pub source: String,
    /// Its sequence number.
    pub seq: u64,
}

impl ChangeCursor {
    /// The cursor as one URL-safe token (`<time>~<source>~<seq>`).
    pub fn encode(&self) -> String {
        format!("{}~{}~{}", self.time, self.source, self.seq)
    }

    /// Reads a token written by [`ChangeCursor::encode`]; `None` when it is not one.
    pub fn parse(token: &str) -> Option<ChangeCursor> {
        let mut parts = token.split('~');
        let (time, source, seq) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some()
            || chrono::DateTime::parse_from_rfc3339(time).is_err()
            || source.is_empty()
            || !source
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
        {
            return None;
        }
        Some(ChangeCursor {
            time: time.to_owned(),
            source: source.to_owned(),
            seq: seq.parse().ok()?,
        })
    }
}

/// A page of changes, newest first, and the cursor of the next page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangePage {
    /// The rows, newest first.
    pub items: Vec<ChangeRow>,
    /// Where the next page starts.
    pub next: Option<ChangeCursor>,
}

/// What one source holds, for the home page and the source list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SourceCounts {
    /// The source.
    pub source: String,
    /// Articles it saw first.
    pub articles: u64,
    /// Versions its captures stored.
    pub versions: u64,
    /// Of its articles, those with more than one version.
    pub changed: u64,
    /// Newest capture time in its log (RFC 3339).
    pub last_capture: Option<String>,
}

const SUMMARY_COLUMNS: &str =
    "a.key, a.source, a.url, a.title, a.published_ms, a.first_seen, a.last_seen,
    a.latest_version, COALESCE(c.state, 'live'), COALESCE(a.published_ms, 0)";

fn summary_row(r: &Row<'_>) -> rusqlite::Result<(ArticleSummary, i64)> {
    Ok((
        ArticleSummary {
            key: r.get(0)?,
            source: r.get(1)?,
            url: r.get(2)?,
            title: r.get(3)?,
            published_ms: r.get(4)?,
            first_seen: r.get(5)?,
            last_seen: r.get(6)?,
            latest_version: r.get(7)?,
            state: r.get(8)?,
        },
        r.get(9)?,
    ))
}

impl Index {
    /// Articles newest first (by publication time, then key), `limit` at a time, from `source`
    /// only when given, starting after `after`.
    pub fn list_articles(
        &self,
        source: Option<&str>,
        after: Option<&ArticleCursor>,
        limit: usize,
    ) -> Result<ArticlePage, IndexError> {
        let mut conditions = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        if let Some(source) = source {
            conditions.push("a.source = ?");
            args.push(Value::Text(source.to_owned()));
        }
        if let Some(after) = after {
            conditions.push("(COALESCE(a.published_ms, 0), a.key) < (?, ?)");
            args.push(Value::Integer(after.date_ms));
            args.push(Value::Text(after.key.clone()));
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        // One row more than asked tells whether a next page exists.
        args.push(Value::Integer(limit as i64 + 1));
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM articles a LEFT JOIN article_checks c ON c.key = a.key
             {filter} ORDER BY COALESCE(a.published_ms, 0) DESC, a.key DESC LIMIT ?"
        );
        let mut rows: Vec<(ArticleSummary, i64)> = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_map(params_from_iter(args), summary_row)?.collect())
            .map_err(|e| IndexError::sql("list articles", &self.path, e))?;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|(a, date_ms)| ArticleCursor {
                date_ms: *date_ms,
                key: a.key.clone(),
            })
        } else {
            None
        };
        Ok(ArticlePage {
            items: rows.into_iter().map(|(a, _)| a).collect(),
            next,
        })
    }

    /// One article's summary (with its re-check state), by key.
    pub fn article_summary(&self, key: &str) -> Result<Option<ArticleSummary>, IndexError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM articles a LEFT JOIN article_checks c ON c.key = a.key
             WHERE a.key = ?1"
        );
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(|e| IndexError::sql("read an article", &self.path, e))?;
        let mut rows = stmt
            .query_map([key], summary_row)
            .map_err(|e| IndexError::sql("read an article", &self.path, e))?;
        rows.next()
            .transpose()
            .map(|r| r.map(|(a, _)| a))
            .map_err(|e| IndexError::sql("read an article", &self.path, e))
    }

    /// Number of articles, of `source` only when given.
    pub fn count_articles(&self, source: Option<&str>) -> Result<u64, IndexError> {
        let result = match source {
            Some(s) => self.conn.query_row(
                "SELECT COUNT(*) FROM articles WHERE source = ?1",
                [s],
                |r| r.get::<_, i64>(0),
            ),
            None => self
                .conn
                .query_row("SELECT COUNT(*) FROM articles", [], |r| r.get::<_, i64>(0)),
        };
        result
            .map(|n| n as u64)
            .map_err(|e| IndexError::sql("count articles", &self.path, e))
    }

    /// Changes (captures with one of [`CHANGE_EVENTS`]), newest first, `limit` at a time, of
    /// `source` only when given, starting after `after`.
    pub fn list_changes(
        &self,
        source: Option<&str>,
        after: Option<&ChangeCursor>,
        limit: usize,
    ) -> Result<ChangePage, IndexError> {
        let mut conditions = vec![format!("c.event IN {CHANGE_EVENTS_SQL}")];
        let mut args: Vec<Value> = Vec::new();
        if let Some(source) = source {
            conditions.push("c.source = ?".into());
            args.push(Value::Text(source.to_owned()));
        }
        if let Some(after) = after {
            conditions.push("(c.time, c.source, c.seq) < (?, ?, ?)".into());
            args.push(Value::Text(after.time.clone()));
            args.push(Value::Text(after.source.clone()));
            args.push(Value::Integer(after.seq as i64));
        }
        args.push(Value::Integer(limit as i64 + 1));
        let sql = format!(
            "SELECT c.key, COALESCE(a.title, ''), c.source, c.seq, c.time, c.event, c.version, c.url,
                    c.status, c.final_url, c.note
             FROM captures c LEFT JOIN articles a ON a.key = c.key
             WHERE {} ORDER BY c.time DESC, c.source DESC, c.seq DESC LIMIT ?",
            conditions.join(" AND ")
        );
        let mut rows: Vec<ChangeRow> = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_map(params_from_iter(args), |r| {
                    Ok(ChangeRow {
                        key: r.get(0)?,
                        title: r.get(1)?,
                        source: r.get(2)?,
                        seq: r.get::<_, i64>(3)? as u64,
                        time: r.get(4)?,
                        event: r.get(5)?,
                        version: r.get(6)?,
                        url: r.get(7)?,
                        status: r.get(8)?,
                        final_url: r.get(9)?,
                        note: r.get(10)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| IndexError::sql("list changes", &self.path, e))?;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|c| ChangeCursor {
                time: c.time.clone(),
                source: c.source.clone(),
                seq: c.seq,
            })
        } else {
            None
        };
        Ok(ChangePage { items: rows, next })
    }

    /// Counts per source (every source the index knows, by id).
    pub fn source_counts(&self) -> Result<Vec<SourceCounts>, IndexError> {
        let sql = "SELECT s.id,
                (SELECT COUNT(*) FROM articles a WHERE a.source = s.id),
                (SELECT COUNT(*) FROM versions v WHERE v.source = s.id),
                (SELECT COUNT(*) FROM articles a WHERE a.source = s.id AND a.latest_version > 1),
                (SELECT MAX(a.last_seen) FROM articles a WHERE a.source = s.id)
             FROM sources s ORDER BY s.id";
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| IndexError::sql("count per source", &self.path, e))?;
        stmt.query_map([], |r| {
            Ok(SourceCounts {
                source: r.get(0)?,
                articles: r.get::<_, i64>(1)? as u64,
                versions: r.get::<_, i64>(2)? as u64,
                changed: r.get::<_, i64>(3)? as u64,
                last_capture: r.get(4)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| IndexError::sql("count per source", &self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_junk() {
        let a = ArticleCursor {
            date_ms: 1_700_000_000_000,
            key: "ab-12_x".into(),
        };
        assert_eq!(ArticleCursor::parse(&a.encode()), Some(a));
        for junk in ["", "x.abc", "12.", "12.a/b", "12.a b", "12"] {
            assert_eq!(ArticleCursor::parse(junk), None, "{junk:?}");
        }
        let c = ChangeCursor {
            time: "2026-11-26T10:00:00Z".into(),
            source: "rfi".into(),
            seq: 42,
        };
        assert_eq!(ChangeCursor::parse(&c.encode()), Some(c));
        for junk in [
            "",
            "2026-11-26T10:00:00Z~rfi",
            "yesterday~rfi~1",
            "2026-11-26T10:00:00Z~r/fi~1",
            "2026-11-26T10:00:00Z~rfi~x",
            "2026-11-26T10:00:00Z~rfi~1~2",
        ] {
            assert_eq!(ChangeCursor::parse(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn the_change_list_matches_its_sql() {
        let listed = format!(
            "({})",
            CHANGE_EVENTS
                .iter()
                .map(|e| format!("'{e}'"))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(listed, CHANGE_EVENTS_SQL);
    }
}
