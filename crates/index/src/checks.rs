//! Re-check state of archived articles and feed membership (operational state; see state.rs).

use crate::{Index, IndexError};
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

const SELECT: &str = "SELECT key, source, url, first_seen, checks, next_check, last_check,
    last_status, state, transient_failures, failing_since, page_fingerprint, page_byline
    FROM article_checks";

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
            .execute(
                "INSERT OR IGNORE INTO article_checks (key, source, url, first_seen, next_check,
                     page_fingerprint, page_byline) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    check.key,
                    check.source,
                    check.url,
                    check.first_seen,
                    check.next_check,
                    check.page_fingerprint,
                    check.page_byline
                ],
            )
            .map_err(|e| IndexError::sql("schedule an article", &self.path, e))?;
        Ok(())
    }

    /// Stores the outcome of a re-check (the whole row, as the caller computed it).
    pub fn update_article_check(&self, check: &ArticleCheck) -> Result<(), IndexError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO article_checks (key, source, url, first_seen, checks,
                     next_check, last_check, last_status, state, transient_failures,
                     failing_since, page_fingerprint, page_byline)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
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
                ],
            )
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

    /// Like [`Index::due_articles`], only of the named `sources`. The scheduler asks this way so
    /// that articles of a source it no longer checks (removed or disabled) cannot fill every
    /// batch and starve the others.
    pub fn due_articles_of(
        &self,
        now: &str,
        sources: &[&str],
        limit: usize,
    ) -> Result<Vec<ArticleCheck>, IndexError> {
        if sources.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (3..3 + sources.len()).map(|i| format!("?{i}")).collect();
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{SELECT} WHERE next_check IS NOT NULL AND next_check <= ?1
                 AND source IN ({}) ORDER BY next_check LIMIT ?2",
                marks.join(", ")
            ))
            .map_err(|e| IndexError::sql("read due re-checks", &self.path, e))?;
        let mut values: Vec<rusqlite::types::Value> =
            vec![now.to_owned().into(), (limit as i64).into()];
        values.extend(sources.iter().map(|s| (*s).to_owned().into()));
        stmt.query_map(rusqlite::params_from_iter(values), row)
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
