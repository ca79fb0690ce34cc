//! When a source is due: its interval, pushed later by freshness (Cache-Control, Expires, RSS
//! `ttl`) and by failures (exponential backoff, or the host's Retry-After), spread with jitter
//! so that sources configured together do not all fire at the same second.

use crate::{Ingest, RefreshReport, refresh_source};
use chrono::{DateTime, Duration, Utc};
use model::SourceConfig;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, RwLock};

/// Longest wait after repeated failures.
const MAX_BACKOFF: Duration = Duration::hours(6);

/// The next check of `source` after a check that started at `started`. `fresh_until` is when the
/// feed's last response stops being fresh; `failure` is (consecutive failures including this
/// one, the host's Retry-After time) for a failed check.
pub fn next_due(
    source: &SourceConfig,
    started: DateTime<Utc>,
    fresh_until: Option<DateTime<Utc>>,
    failure: Option<(u32, Option<DateTime<Utc>>)>,
) -> DateTime<Utc> {
    let interval = Duration::minutes(i64::from(source.interval_minutes.max(1)));
    let base = match failure {
        None => started + interval,
        Some((failures, retry_after)) => {
            let shift = failures.saturating_sub(1).min(8);
            let backoff = (interval * (1 << shift)).min(MAX_BACKOFF.max(interval));
            let after = started + backoff;
            retry_after.map_or(after, |r| after.max(r))
        }
    };
    let base = fresh_until.map_or(base, |f| base.max(f));
    base + jitter(source, started, interval)
}

/// Up to a tenth of the interval (at most five minutes), stable per source and check.
fn jitter(source: &SourceConfig, started: DateTime<Utc>, interval: Duration) -> Duration {
    let span = (interval.num_seconds() / 10).clamp(0, 300);
    if span == 0 {
        return Duration::zero();
    }
    let seed = model::sha256_hex(format!("{}{}", source.id, started.timestamp()).as_bytes());
    let n = u64::from_str_radix(&seed[..8], 16).unwrap_or(0);
    Duration::seconds((n % span as u64) as i64)
}

/// Whether a source whose next check is `next_due` (None: never checked) is due at `now`.
pub fn is_due(next_due: Option<&str>, now: DateTime<Utc>) -> bool {
    next_due
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .is_none_or(|t| t <= now)
}

/// Never-checked sources start spread over this span by a hash of their id, not all at once
/// (at start, or when several are added together).
pub const FIRST_CHECK_SPREAD: std::time::Duration = std::time::Duration::from_secs(10);

fn first_check_delay(id: &str) -> Duration {
    let n = u64::from_str_radix(&model::sha256_hex(id.as_bytes())[..8], 16).unwrap_or(0);
    let spread = FIRST_CHECK_SPREAD.as_millis() as u64;
    Duration::milliseconds((n % spread) as i64)
}

/// The enabled sources of the shared list, as they are now.
fn enabled(sources: &RwLock<Vec<SourceConfig>>) -> Vec<SourceConfig> {
    // A writer replaces the whole list in one move, so a poisoned lock still holds a whole list.
    let list = match sources.read() {
        Ok(list) => list,
        Err(poisoned) => poisoned.into_inner(),
    };
    list.iter().filter(|s| s.enabled).cloned().collect()
}

/// Re-checks started per pass of the scheduler.
const RECHECKS_PER_PASS: usize = 64;

/// How often the scheduler looks for due sources.
const TICK: std::time::Duration = std::time::Duration::from_secs(1);

/// Runs every enabled source on its schedule until `shutdown` completes, then lets checks in
/// flight finish for up to `grace` (what they committed stays; what they had not is fetched
/// again next time) and returns. A failing source is recorded on its state and retried with
/// backoff; it never stops the others. `on_done` sees every finished check.
///
/// `sources` is read again on every tick (once a second), so whoever shares it (the web admin,
/// a configuration reload) changes what is scheduled without a restart: an added source is
/// checked within [`FIRST_CHECK_SPREAD`] unless its saved state says it is not due yet, and a
/// removed or disabled one is not started again (a check in flight finishes; nothing archived
/// is touched).
pub async fn run(
    ingest: Arc<Ingest>,
    sources: Arc<RwLock<Vec<SourceConfig>>>,
    shutdown: impl Future<Output = ()>,
    grace: std::time::Duration,
    on_done: impl Fn(&str, &Result<RefreshReport, crate::IngestError>),
) {
    // When each never-checked source is first due, fixed the first time the scheduler sees it.
    let mut first_check: HashMap<String, DateTime<Utc>> = HashMap::new();
    let mut running: HashSet<String> = HashSet::new();
    let mut tasks = tokio::task::JoinSet::new();
    // One pass of due re-checks at a time, beside the feed checks (same per-host limits).
    let mut rechecks: Option<tokio::task::JoinHandle<()>> = None;
    tokio::pin!(shutdown);
    loop {
        let now = ingest.now();
        let current = enabled(&sources);
        let states: HashMap<String, Option<String>> = ingest
            .read(|i| i.source_states())
            .map(|v| v.into_iter().map(|s| (s.id, s.next_due)).collect())
            .unwrap_or_default();
        for source in &current {
            let id = source.id.to_string();
            if running.contains(&id) {
                continue;
            }
            let due = match states.get(&id) {
                Some(next) => is_due(next.as_deref(), now),
                None => {
                    *first_check
                        .entry(id.clone())
                        .or_insert_with(|| now + first_check_delay(&id))
                        <= now
                }
            };
            if due {
                running.insert(id.clone());
                let ingest = ingest.clone();
                let source = source.clone();
                tasks.spawn(async move {
                    let result = refresh_source(&ingest, &source).await;
                    (id, result)
                });
            }
        }
        if rechecks.as_ref().is_none_or(|t| t.is_finished()) {
            let ingest = ingest.clone();
            let sources = current.clone();
            rechecks = Some(tokio::spawn(async move {
                match crate::recheck_due(&ingest, &sources, RECHECKS_PER_PASS).await {
                    Ok(reports) => {
                        for r in reports {
                            match r {
                                Ok(r) if !r.events.is_empty() => tracing::info!(
                                    key = %r.key, url = %r.url, events = ?r.events, "re-checked"
                                ),
                                Ok(_) => {}
                                Err(e) => tracing::warn!(error = %e, "re-check failed"),
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot list due re-checks"),
                }
            }));
        }
        tokio::select! {
            () = &mut shutdown => break,
            Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                if let Ok((id, result)) = done {
                    on_done(&id, &result);
                    running.remove(&id);
                }
            }
            () = tokio::time::sleep(TICK) => {}
        }
    }
    let drain = async {
        while let Some(done) = tasks.join_next().await {
            if let Ok((id, result)) = done {
                on_done(&id, &result);
            }
        }
    };
    let recheck_abort = rechecks.as_ref().map(|r| r.abort_handle());
    let drain = async {
        drain.await;
        if let Some(r) = rechecks {
            let _ = r.await;
        }
    };
    if tokio::time::timeout(grace, drain).await.is_err() {
        tracing::warn!(
            "checks still running after the grace period were stopped; they resume on the next start"
        );
        tasks.abort_all();
        if let Some(r) = recheck_abort {
            r.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::SourceId;

    fn source(minutes: u32) -> SourceConfig {
        let mut s = SourceConfig::new(SourceId::new("rfi").unwrap(), "法广", "http://x/feed");
        s.interval_minutes = minutes;
        s
    }

    fn t(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn success_waits_the_interval_plus_a_little_jitter() {
        let now = t("2026-11-26T00:00:00Z");
        let due = next_due(&source(30), now, None, None);
        assert!(due >= now + Duration::minutes(30), "{due}");
        assert!(due <= now + Duration::minutes(33), "{due}");
    }

    #[test]
    fn freshness_pushes_the_next_check_later() {
        let now = t("2026-11-26T00:00:00Z");
        let due = next_due(&source(30), now, Some(now + Duration::hours(2)), None);
        assert!(due >= now + Duration::hours(2), "{due}");
    }

    #[test]
    fn failures_back_off_exponentially_up_to_a_cap_and_retry_after_wins() {
        let now = t("2026-11-26T00:00:00Z");
        let s = source(15);
        let first = next_due(&s, now, None, Some((1, None)));
        let third = next_due(&s, now, None, Some((3, None)));
        let many = next_due(&s, now, None, Some((30, None)));
        assert!(first < now + Duration::minutes(17), "{first}");
        assert!(third >= now + Duration::minutes(60), "{third}");
        assert!(
            many <= now + Duration::hours(6) + Duration::minutes(2),
            "{many}"
        );
        let later = now + Duration::hours(1);
        let deferred = next_due(&s, now, None, Some((1, Some(later))));
        assert!(deferred >= later, "{deferred}");
    }

    #[test]
    fn never_checked_or_past_due_sources_are_due() {
        let now = t("2026-11-26T00:00:00Z");
        assert!(is_due(None, now));
        assert!(is_due(Some("2026-11-25T23:59:00Z"), now));
        assert!(!is_due(Some("2026-11-26T00:01:00+00:00"), now));
    }
}
