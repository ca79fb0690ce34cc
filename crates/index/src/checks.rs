//! Re-check state of archived articles and feed membership (operational state; see state.rs).

use crate::query::article_row_at;
use crate::{ArticleRow, HttpCache, Index, IndexError};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// Where an article stands in its re-check schedule.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ArticleCheck {
    /// The article.
    pub key: String,
    /// The source whose schedule and rules apply.
    pub source: String,
    /// The URL re-fetched.
    pub url: String,
    /// When it was first archived.
    pub first_seen: String,
    /// Re-checks done so far.
    pub checks: u32,
    /// When the next re-check is due (None: not scheduled).
    pub next_check: Option<String>,
    /// When it was last re-checked.
    pub last_check: Option<String>,
    /// HTTP status of the last re-check.
    pub last_status: Option<u16>,
    /// `live`, or the takedown class it is in (`gone`, `blocked`, ...).
    pub state: String,
    /// Consecutive re-checks that failed transiently (5xx, timeouts).
    pub transient_failures: u32,
    /// When those failures began.
    pub failing_since: Option<String>,
    /// Fingerprint of the page as last seen.
    pub page_fingerprint: Option<String>,
    /// The page's byline as last seen (the last one it named, when a later look found none):
    /// what a `byline` event is measured against.
    pub page_byline: Option<String>,
}

/// A re-check that is due, with what it needs from the index: read for a whole batch in one
/// query, instead of two lookups per article on a connection the fetching tasks share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueRecheck {
    /// Its schedule row.
    pub check: ArticleCheck,
    /// The article (`None` when the index no longer has it).
    pub article: Option<ArticleRow>,
    /// The validators remembered for its URL.
    pub cache: Option<HttpCache>,
}

const SELECT: &str = "SELECT key, source, url, first_seen, checks, next_check, last_check,
    last_status, state, transient_failures, failing_since, page_fingerprint, page_byline
    FROM article_checks";

/// Columns of [`row`], then of `article_row_at`, then of the validators (13, 11, 4).
const SELECT_DUE: &str = "SELECT c.key, c.source, c.url, c.first_seen, c.checks, c.next_check,
    c.last_check, c.last_status, c.state, c.transient_failures, c.failing_since,
    c.page_fingerprint, c.page_byline,
    a.key, a.source, a.url, a.title, a.published_ms, a.dir, a.latest_version, a.latest_sha256,
    a.first_seen, a.last_seen, a.last_event,
    h.url, h.etag, h.last_modified, h.fresh_until
    FROM article_checks c LEFT JOIN articles a ON a.key = c.key
    LEFT JOIN http_cache h ON h.url = c.url";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ArticleCheck> {
    Ok(ArticleCheck {
        key: r.get(0)?,
        source: r.get(1)?,
        url: r.get(2)?,
        first_seen: r.get(3)?,
        checks: r.get(4)?,
        next_check: r.get(5)?,
        last_check: r.get(6)?,
        last_status: r.get(7)?,
        state: r.get(8)?,
        transient_failures: r.get(9)?,
        failing_since: r.get(10)?,
        page_fingerprint: r.get(11)?,
        page_byline: r.get(12)?,
    })
}

impl Index {
    /// Starts the re-check schedule of a newly archived article (nothing if it has one).
    pub fn schedule_article(&self, check: &ArticleCheck) -> Result<(), IndexError> {
        self.conn
            .prepare_cached(
                "INSERT OR IGNORE INTO article_checks (key, source, url, first_seen, next_check,
                     page_fingerprint, page_byline) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    check.key,
                    check.source,
                    check.url,
                    check.first_seen,
                    check.next_check,
                    check.page_fingerprint,
                    check.page_byline
                ])
            })
            .map_err(|e| IndexError::sql("schedule an article", &self.path, e))?;
        Ok(())
    }

    /// Stores the outcome of a re-check (the whole row, as the caller computed it). An upsert
    /// rather than a replace: the row is updated in place, so the key's index entry stays.
    pub fn update_article_check(&self, check: &ArticleCheck) -> Result<(), IndexError> {
        self.conn
            .prepare_cached(
                "INSERT INTO article_checks (key, source, url, first_seen, checks,
                     next_check, last_check, last_status, state, transient_failures,
                     failing_since, page_fingerprint, page_byline)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT (key) DO UPDATE SET source = excluded.source, url = excluded.url,
                     first_seen = excluded.first_seen, checks = excluded.checks,
                     next_check = excluded.next_check, last_check = excluded.last_check,
                     last_status = excluded.last_status, state = excluded.state,
                     transient_failures = excluded.transient_failures,
                     failing_since = excluded.failing_since,
                     page_fingerprint = excluded.page_fingerprint,
                     page_byline = excluded.page_byline",
            )
            .and_then(|mut s| {
                s.execute(params![
                    check.key,
                    check.source,
                    check.url,
                    check.first_seen,
                    check.checks,
                    check.next_check,
                    check.last_check,
                    check.last_status,
                    check.state,
                    check.transient_failures,
                    check.failing_since,
                    check.page_fingerprint,
                    check.page_byline
                ])
            })
            .map_err(|e| IndexError::sql("record a re-check", &self.path, e))?;
        Ok(())
    }

    /// The re-check state of one article.
    pub fn article_check(&self, key: &str) -> Result<Option<ArticleCheck>, IndexError> {
        self.conn
            .query_row(&format!("{SELECT} WHERE key = ?1"), [key], row)
            .optional()
            .map_err(|e| IndexError::sql("read a re-check", &self.path, e))
    }

    /// Articles due for a re-check at `now` (RFC 3339), soonest first, at most `limit`.
    pub fn due_articles(&self, now: &str, limit: usize) -> Result<Vec<ArticleCheck>, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{SELECT} WHERE next_check IS NOT NULL AND next_check <= ?1
                 ORDER BY next_check LIMIT ?2"
            ))
            .map_err(|e| IndexError::sql("read due re-checks", &self.path, e))?;
        stmt.query_map(params![now, limit as i64], row)
            .and_then(|rows| rows.collect())
            .map_err(|e| IndexError::sql("read due re-checks", &self.path, e))
    }

    /// The due re-checks of the named `sources`, each with its article's row and validators, in
    /// one query. Only sources the scheduler checks: articles of a removed or disabled one stay
    /// due and would otherwise fill every batch and starve the others.
    pub fn due_rechecks(
        &self,
        now: &str,
        sources: &[&str],
        limit: usize,
    ) -> Result<Vec<DueRecheck>, IndexError> {
        if sources.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (3..3 + sources.len()).map(|i| format!("?{i}")).collect();
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{SELECT_DUE} WHERE c.next_check IS NOT NULL AND c.next_check <= ?1
                 AND c.source IN ({}) ORDER BY c.next_check LIMIT ?2",
                marks.join(", ")
            ))
            .map_err(|e| IndexError::sql("read due re-checks", &self.path, e))?;
        let mut values: Vec<rusqlite::types::Value> =
            vec![now.to_owned().into(), (limit as i64).into()];
        values.extend(sources.iter().map(|s| (*s).to_owned().into()));
        stmt.query_map(rusqlite::params_from_iter(values), |r| {
            let article = match r.get::<_, Option<String>>(13)? {
                Some(_) => Some(article_row_at(r, 13)?),
                None => None,
            };
            let cache = match r.get::<_, Option<String>>(24)? {
                Some(_) => Some(HttpCache {
                    etag: r.get(25)?,
                    last_modified: r.get(26)?,
                    fresh_until: r.get(27)?,
                }),
                None => None,
            };
            Ok(DueRecheck {
                check: row(r)?,
                article,
                cache,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| IndexError::sql("read due re-checks", &self.path, e))
    }

    /// Every scheduled article of `source` (all sources when `None`).
    pub fn article_checks(&self, source: Option<&str>) -> Result<Vec<ArticleCheck>, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{SELECT} WHERE ?1 IS NULL OR source = ?1 ORDER BY next_check"
            ))
            .map_err(|e| IndexError::sql("read re-checks", &self.path, e))?;
        stmt.query_map([source], row)
            .and_then(|rows| rows.collect())
            .map_err(|e| IndexError::sql("read re-checks", &self.path, e))
    }

    /// The items a source's feed listed at its last reading: (key, published ms, left already).
    pub fn feed_listing(
        &self,
        source: &str,
    ) -> Result<Vec<(String, Option<i64>, bool)>, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, published_ms, left_feed FROM feed_items WHERE source = ?1")
            .map_err(|e| IndexError::sql("read a feed listing", &self.path, e))?;
        stmt.query_map([source], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? != 0))
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| IndexError::sql("read a feed listing", &self.path, e))
    }

    /// Records what a source's feed lists now (`listed`), and marks `left` as having left it.
    pub fn set_feed_listing(
        &mut self,
        source: &str,
        listed: &[(String, Option<i64>)],
        left: &[String],
        now: &str,
    ) -> Result<(), IndexError> {
        let path = self.path.clone();
        let err = |e| IndexError::sql("store a feed listing", &path, e);
        let tx = self.conn.transaction().map_err(err)?;
        for (key, published) in listed {
            tx.execute(
                "INSERT INTO feed_items (source, key, published_ms, last_listed, left_feed)
                 VALUES (?1, ?2, ?3, ?4, 0)
                 ON CONFLICT (source, key) DO UPDATE SET published_ms = excluded.published_ms,
                     last_listed = excluded.last_listed, left_feed = 0",
                params![source, key, published, now],
            )
            .map_err(err)?;
        }
        for key in left {
            tx.execute(
                "UPDATE feed_items SET left_feed = 1 WHERE source = ?1 AND key = ?2",
                params![source, key],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }
}
