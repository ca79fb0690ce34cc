//! Operational state: per-source check results and schedule, HTTP validators per URL, per-host
//! `Retry-After` deferrals. Unlike the rest of the index this is not derived from the archive,
//! so [`Index::rebuild`](crate::Index::rebuild) carries it over. Times are RFC 3339 UTC text.

use crate::{Index, IndexError};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// What the last checks of one source found, and when it is due next.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SourceState {
    /// The source id.
    pub id: String,
    /// When the last check started.
    pub last_attempt: Option<String>,
    /// When a check last succeeded (including a 304).
    pub last_success: Option<String>,
    /// The last check's error, when it failed; cleared by a success.
    pub last_error: Option<String>,
    /// When that error happened.
    pub last_error_time: Option<String>,
    /// Consecutive failed checks.
    pub failures: u32,
    /// When the next check is due.
    pub next_due: Option<String>,
    /// HTTP status of the last feed response.
    pub last_status: Option<u16>,
    /// Articles the last check archived.
    pub last_new: u32,
    /// How long the last check took.
    pub last_duration_ms: Option<u64>,
}

/// The result of one check, to record on its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckOutcome {
    /// When the check started.
    pub started: String,
    /// `Ok(articles archived)` or `Err(message)`.
    pub result: Result<u32, String>,
    /// HTTP status of the feed response, when there was one.
    pub status: Option<u16>,
    /// How long it took.
    pub duration_ms: u64,
    /// When the source is due next.
    pub next_due: String,
}

/// Validators and freshness remembered for one URL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpCache {
    /// `ETag` of the last 200.
    pub etag: Option<String>,
    /// `Last-Modified` of the last 200.
    pub last_modified: Option<String>,
    /// Until when the last response is fresh (Cache-Control/Expires/RSS ttl).
    pub fresh_until: Option<String>,
}

impl Index {
    /// Records a check of `source`: success clears the error and failure count, failure keeps
    /// the last success and counts up.
    pub fn record_check(&self, source: &str, outcome: &CheckOutcome) -> Result<(), IndexError> {
        let (ok_time, new, error) = match &outcome.result {
            Ok(n) => (Some(outcome.started.as_str()), *n, None),
            Err(e) => (None, 0, Some(e.as_str())),
        };
        self.conn
            .execute(
                "INSERT INTO source_state (id, last_attempt, last_success, last_error, last_error_time,
                     failures, next_due, last_status, last_new, last_duration_ms)
                 VALUES (?1, ?2, ?3, ?4, CASE WHEN ?4 IS NULL THEN NULL ELSE ?2 END,
                     CASE WHEN ?4 IS NULL THEN 0 ELSE 1 END, ?5, ?6, ?7, ?8)
                 ON CONFLICT (id) DO UPDATE SET
                     last_attempt = excluded.last_attempt,
                     last_success = COALESCE(excluded.last_success, last_success),
                     last_error = excluded.last_error,
                     last_error_time = CASE WHEN excluded.last_error IS NULL THEN NULL
                                            ELSE excluded.last_attempt END,
                     failures = CASE WHEN excluded.last_error IS NULL THEN 0 ELSE failures + 1 END,
                     next_due = excluded.next_due,
                     last_status = excluded.last_status,
                     last_new = excluded.last_new,
                     last_duration_ms = excluded.last_duration_ms",
                params![
                    source,
                    outcome.started,
                    ok_time,
                    error,
                    outcome.next_due,
                    outcome.status,
                    new,
                    outcome.duration_ms as i64
                ],
            )
            .map_err(|e| IndexError::sql("record a check", &self.path, e))?;
        Ok(())
    }

    /// Sets when `source` is due next (e.g. "now", for a refresh on demand).
    pub fn set_next_due(&self, source: &str, next_due: &str) -> Result<(), IndexError> {
        self.conn
            .execute(
                "INSERT INTO source_state (id, next_due) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET next_due = excluded.next_due",
                params![source, next_due],
            )
            .map_err(|e| IndexError::sql("schedule a source", &self.path, e))?;
        Ok(())
    }

    /// The state of one source, if it was ever checked or scheduled.
    pub fn source_state(&self, source: &str) -> Result<Option<SourceState>, IndexError> {
        self.conn
            .query_row(
                &format!("{SELECT_STATE} WHERE id = ?1"),
                [source],
                state_row,
            )
            .optional()
            .map_err(|e| IndexError::sql("read source state", &self.path, e))
    }

    /// The state of every source ever checked, by id.
    pub fn source_states(&self) -> Result<Vec<SourceState>, IndexError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{SELECT_STATE} ORDER BY id"))
            .map_err(|e| IndexError::sql("read source states", &self.path, e))?;
        let rows = stmt
            .query_map([], state_row)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| IndexError::sql("read source states", &self.path, e))?;
        Ok(rows)
    }

    /// Forgets the state of a source (it was removed from the configuration).
    pub fn forget_source_state(&self, source: &str) -> Result<(), IndexError> {
        self.conn
            .execute("DELETE FROM source_state WHERE id = ?1", [source])
            .map_err(|e| IndexError::sql("forget source state", &self.path, e))?;
        Ok(())
    }

    /// Validators remembered for `url`.
    pub fn http_cache(&self, url: &str) -> Result<Option<HttpCache>, IndexError> {
        self.conn
            .query_row(
                "SELECT etag, last_modified, fresh_until FROM http_cache WHERE url = ?1",
                [url],
                |r| {
                    Ok(HttpCache {
                        etag: r.get(0)?,
                        last_modified: r.get(1)?,
                        fresh_until: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(|e| IndexError::sql("read validators", &self.path, e))
    }

    /// Remembers validators for `url` (replacing earlier ones).
    pub fn set_http_cache(
        &self,
        url: &str,
        cache: &HttpCache,
        checked: &str,
    ) -> Result<(), IndexError> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO http_cache (url, etag, last_modified, fresh_until, checked)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    url,
                    cache.etag,
                    cache.last_modified,
                    cache.fresh_until,
                    checked
                ])
            })
            .map_err(|e| IndexError::sql("store validators", &self.path, e))?;
        Ok(())
    }

    /// Hosts that asked (Retry-After) not to be contacted before a time, with that time.
    pub fn host_deferrals(&self) -> Result<Vec<(String, String)>, IndexError> {
        let mut stmt = self
            .conn
            .prepare("SELECT host, not_before FROM host_state ORDER BY host")
            .map_err(|e| IndexError::sql("read host state", &self.path, e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| IndexError::sql("read host state", &self.path, e))?;
        Ok(rows)
    }

    /// Remembers that `host` may not be contacted before `not_before`.
    pub fn defer_host(&self, host: &str, not_before: &str) -> Result<(), IndexError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO host_state (host, not_before) VALUES (?1, ?2)",
                params![host, not_before],
            )
            .map_err(|e| IndexError::sql("store host state", &self.path, e))?;
        Ok(())
    }
}

const SELECT_STATE: &str = "SELECT id, last_attempt, last_success, last_error, last_error_time,
    failures, next_due, last_status, last_new, last_duration_ms FROM source_state";

fn state_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SourceState> {
    Ok(SourceState {
        id: r.get(0)?,
        last_attempt: r.get(1)?,
        last_success: r.get(2)?,
        last_error: r.get(3)?,
        last_error_time: r.get(4)?,
        failures: r.get(5)?,
        next_due: r.get(6)?,
        last_status: r.get(7)?,
        last_new: r.get(8)?,
        last_duration_ms: r.get::<_, Option<i64>>(9)?.map(|v| v as u64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(started: &str, result: Result<u32, String>) -> CheckOutcome {
        CheckOutcome {
            started: started.into(),
            result,
            status: Some(200),
            duration_ms: 12,
            next_due: "2026-11-26T01:00:00Z".into(),
        }
    }

    #[test]
    fn a_failure_keeps_the_last_success_and_a_success_clears_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(dir.path()).unwrap();
        index
            .record_check("rfi", &check("2026-11-26T00:00:00Z", Ok(3)))
            .unwrap();
        index
            .record_check("rfi", &check("2026-11-26T00:30:00Z", Err("timeout".into())))
            .unwrap();
        index
            .record_check("rfi", &check("2026-11-26T00:40:00Z", Err("refused".into())))
            .unwrap();
        let s = index.source_state("rfi").unwrap().unwrap();
        assert_eq!(s.last_success.as_deref(), Some("2026-11-26T00:00:00Z"));
        assert_eq!(s.last_error.as_deref(), Some("refused"));
        assert_eq!(s.last_error_time.as_deref(), Some("2026-11-26T00:40:00Z"));
        assert_eq!(s.failures, 2);
        index
            .record_check("rfi", &check("2026-11-26T01:00:00Z", Ok(0)))
            .unwrap();
        let s = index.source_state("rfi").unwrap().unwrap();
        assert_eq!(s.last_error, None);
        assert_eq!(s.failures, 0);
        assert_eq!(s.last_success.as_deref(), Some("2026-11-26T01:00:00Z"));
    }

    #[test]
    fn state_survives_a_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let archive = archive::Archive::open(dir.path()).unwrap();
        {
            let index = Index::open(dir.path()).unwrap();
            index
                .record_check("bbc", &check("2026-11-26T00:00:00Z", Ok(1)))
                .unwrap();
            let cache = HttpCache {
                etag: Some("\"v1\"".into()),
                ..HttpCache::default()
            };
            index
                .set_http_cache("http://x/feed", &cache, "2026-11-26T00:00:00Z")
                .unwrap();
            index.defer_host("x", "2026-11-26T02:00:00Z").unwrap();
        }
        let index = Index::rebuild(dir.path(), &archive).unwrap();
        assert_eq!(index.source_states().unwrap().len(), 1);
        assert_eq!(
            index.http_cache("http://x/feed").unwrap().unwrap().etag,
            Some("\"v1\"".into())
        );
        assert_eq!(index.host_deferrals().unwrap().len(), 1);
    }
}
