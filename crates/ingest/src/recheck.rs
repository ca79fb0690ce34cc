//! Re-checks: every archived article fetched again on a decaying schedule, to catch edits and
//! takedowns with evidence.
//!
//! One re-check reads top to bottom: fetch the page (conditional; to WARC) → classify what came
//! back → log the events (`gone`, `redirected-home`, `soft-404`, `moved`, `blocked`, `back`) and,
//! when the text changed, a new version → the next check on the article's schedule.
//! Transient failures (5xx, timeouts, refused connections) are retried sooner and become a
//! takedown only when they persist past [`TRANSIENT_CHECKS`] checks and [`TRANSIENT_SPAN`].
//!
//! The baseline an edit is measured against is the page as last seen (`page_fingerprint`):
//! for a full-text feed the stored version came from the feed, whose markup and extras differ
//! from the page's, so the first look at the page only sets the baseline. Bylines likewise
//! (`page_byline`): a `byline` event is logged when the page names other authors than it did
//! last time (both named, whitespace aside). The record format has no byline, so a byline change
//! alone stores no version; when the text changed too, the `byline` event comes first and the
//! `edited` line carries the new byline as well, so both "what changed" listings find it.

use crate::IngestError;
use crate::refresh::{Ingest, answer, fingerprint, source_rules};
use crate::store::{Decision, Job, Observation, Schedule};
use chrono::{DateTime, Duration, Utc};
use fetch::{Request, Validators};
use index::ArticleCheck;
use model::{ArticleKey, Capture, EventKind, SourceConfig, SourceId};
use tokio::sync::oneshot;

/// Consecutive transient failures before they count as a takedown...
pub const TRANSIENT_CHECKS: u32 = 4;
/// ...and for at least this long.
pub const TRANSIENT_SPAN: Duration = Duration::hours(24);

/// What one re-check found.
#[derive(Clone, Debug, Default)]
pub struct RecheckReport {
    /// The article.
    pub key: String,
    /// The URL fetched.
    pub url: String,
    /// HTTP status of the page, when one came back.
    pub status: Option<u16>,
    /// Events logged, in order (`edited` included when a version was stored).
    pub events: Vec<EventKind>,
    /// The check failed transiently (not reported as a takedown yet).
    pub transient: Option<String>,
    /// When it is due next.
    pub next_check: Option<String>,
}

/// The schedule row of an article archived now; `print` and `byline` are what the stored
/// version showed.
pub(crate) fn first_check(
    source: &SourceId,
    key: &ArticleKey,
    url: &str,
    print: &str,
    byline: Option<String>,
    schedule: Schedule,
    now: DateTime<Utc>,
) -> ArticleCheck {
    ArticleCheck {
        key: key.to_string(),
        source: source.to_string(),
        url: url.to_owned(),
        first_seen: rfc3339(now),
        next_check: Some(rfc3339(
            now + Duration::minutes(i64::from(schedule.first_minutes)),
        )),
        page_fingerprint: schedule
            .from_page
            .then(|| model::sha256_hex(print.as_bytes())),
        page_byline: byline.filter(|_| schedule.from_page),
        state: "live".into(),
        ..ArticleCheck::default()
    }
}

/// A byline as logged and compared: whitespace collapsed, `None` when nothing is left.
pub(crate) fn normalize_byline(byline: Option<&str>) -> Option<String> {
    let joined = byline?.split_whitespace().collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn parse_time(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// When the check after `done` re-checks is due: the schedule's steps are offsets from the
/// first capture; past the last, its interval repeats from `now`.
pub fn next_check(
    steps: &[u32],
    first_seen: DateTime<Utc>,
    done: u32,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let last = *steps.last()?;
    let at = match steps.get(done as usize) {
        Some(&m) => first_seen + Duration::minutes(i64::from(m)),
        None => now + Duration::minutes(i64::from(last)),
    };
    // A late check (the daemon was down) does not bunch the following ones up.
    Some(at.max(now + Duration::minutes(1)))
}

/// How a fetched page answers "is the article still there, as it was?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// 304: nothing changed since the last look.
    NotModified,
    /// Try again later; not a takedown (yet).
    Transient(String),
    /// A takedown class with its evidence note.
    Takedown(EventKind, String),
    /// The article is served (at `moved_to` when it was redirected to another article).
    Served { moved_to: Option<String> },
}

/// Classifies a page response. `text_len` is the extracted article text length (characters) and
/// `title` the page title, for soft-404s.
pub(crate) fn classify(
    status: u16,
    url: &str,
    final_url: &str,
    title: &str,
    text_len: usize,
) -> Verdict {
    match status {
        304 => return Verdict::NotModified,
        404 | 410 => return Verdict::Takedown(EventKind::Gone, format!("HTTP {status}")),
        401 | 403 | 451 => return Verdict::Takedown(EventKind::Blocked, format!("HTTP {status}")),
        408 | 425 | 429 => return Verdict::Transient(format!("HTTP {status}")),
        s if s >= 500 => return Verdict::Transient(format!("HTTP {s}")),
        s if s >= 400 => return Verdict::Takedown(EventKind::Gone, format!("HTTP {s}")),
        _ => {}
    }
    let redirected = model::canonical_url(final_url) != model::canonical_url(url);
    if redirected && is_index_page(final_url) {
        return Verdict::Takedown(
            EventKind::RedirectedHome,
            format!("redirected to {final_url}"),
        );
    }
    if text_len < MIN_ARTICLE_CHARS || looks_like_error(title) {
        let class = if redirected {
            EventKind::RedirectedHome
        } else {
            EventKind::Soft404
        };
        return Verdict::Takedown(
            class,
            format!("HTTP {status} without an article ({text_len} characters; title {title:?})"),
        );
    }
    Verdict::Served {
        moved_to: redirected.then(|| final_url.to_owned()),
    }
}

/// Fewer characters of article text than this is a page without an article.
const MIN_ARTICLE_CHARS: usize = 80;

/// A home, section or search page: a short path, or a search.
fn is_index_page(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    let segments: Vec<&str> = u
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let searchy = segments.iter().any(|s| {
        let s = s.to_ascii_lowercase();
        s == "search" || s == "index.html" || s == "index.php"
    }) || u
        .query_pairs()
        .any(|(k, _)| k == "q" || k == "s" || k == "query");
    let has_digits = segments
        .iter()
        .any(|s| s.chars().any(|c| c.is_ascii_digit()));
    searchy || segments.is_empty() || (segments.len() == 1 && !has_digits)
}

/// Titles of error templates, in the languages of this field.
fn looks_like_error(title: &str) -> bool {
    let t = title.to_lowercase();
    [
        "404",
        "not found",
        "page unavailable",
        "no longer available",
        "页面不存在",
        "頁面不存在",
        "页面未找到",
        "找不到",
        "文章不存在",
        "已被删除",
        "已刪除",
        "error",
    ]
    .iter()
    .any(|p| t.contains(p))
}

/// Re-checks one article now (its schedule advances).
pub async fn recheck_article(
    ingest: &Ingest,
    source: &SourceConfig,
    check: ArticleCheck,
) -> Result<RecheckReport, IngestError> {
    let key = article_key(&check)?;
    let article = ingest.read(|i| i.article(&key))?;
    let cached = ingest.read(|i| i.http_cache(&check.url))?;
    recheck_with(ingest, source, check, article, cached).await
}

fn article_key(check: &ArticleCheck) -> Result<ArticleKey, IngestError> {
    ArticleKey::parse(&check.key)
        .ok_or_else(|| IngestError::Store(format!("bad article key {:?}", check.key)))
}

/// [`recheck_article`] with the article's row and validators already read.
async fn recheck_with(
    ingest: &Ingest,
    source: &SourceConfig,
    mut check: ArticleCheck,
    article: Option<index::ArticleRow>,
    cached: Option<index::HttpCache>,
) -> Result<RecheckReport, IngestError> {
    let now = ingest.now();
    let key = article_key(&check)?;
    let article = article
        .ok_or_else(|| IngestError::Store(format!("article {} is not in the index", check.key)))?;
    let mut report = RecheckReport {
        key: check.key.clone(),
        url: check.url.clone(),
        ..RecheckReport::default()
    };
    let request = Request {
        url: check.url.clone(),
        validators: cached
            .map(|c| Validators {
                etag: c.etag,
                last_modified: c.last_modified,
            })
            .unwrap_or_default(),
        routes: crate::refresh::routes(source),
    };
    let fetched = ingest.fetcher().fetch(&request).await;
    let meta = source.meta();
    let check_url = check.url.clone();
    let capture = |event: EventKind, note: String| Capture {
        seq: 0,
        time: crate::clock::rfc3339_ms(now),
        source: source.id.clone(),
        key: key.clone(),
        version: article.latest_version,
        url: check_url.clone(),
        event,
        status: None,
        final_url: None,
        path: None,
        record_sha256: None,
        body_sha256: None,
        warc_record_id: None,
        via: Some("recheck".into()),
        origin: None,
        note: Some(note),
        byline: None,
        prev: String::new(),
    };
    let steps = source.recheck_steps();
    let first_seen = parse_time(&check.first_seen).unwrap_or(now);
    check.checks += 1;
    check.last_check = Some(rfc3339(now));
    let mut captures = Vec::new();
    let mut observation = None;
    let mut cache = None;

    let exchange = match fetched {
        Ok(x) => Some(x),
        // No answer at all (timeout, refused, a redirect loop, a body over the cap): the page
        // may be back next time, so it is a takedown only once it has lasted.
        Err(e) => {
            transient(
                &mut check,
                &mut report,
                &mut captures,
                &capture,
                e.to_string(),
                now,
                &steps,
            );
            None
        }
    };
    if let Some(exchange) = exchange {
        let (exchange, record_id) = ingest.keep(source.id.as_str(), exchange).await?;
        report.status = Some(exchange.status);
        check.last_status = Some(exchange.status);
        let raw = exchange
            .hops
            .last()
            .map_or(&exchange.body[..], |h| &h.raw_body[..]);
        let body_sha = model::sha256_hex(raw);
        let evidence = |mut c: Capture| {
            c.status = Some(exchange.status);
            c.final_url = (exchange.final_url != check_url).then(|| exchange.final_url.clone());
            c.body_sha256 = Some(body_sha.clone());
            c.warc_record_id = Some(record_id.clone());
            c
        };
        if exchange.status != 304 {
            // Validators of a page served at its own URL make the next check a conditional
            // one; anything else (an error, a redirect elsewhere) forgets them, so a page that
            // comes back is fetched, and seen back, in full.
            let v = if (200..300).contains(&exchange.status) && exchange.final_url == check_url {
                Validators::from_headers(&exchange.headers)
            } else {
                Validators::default()
            };
            cache = Some(Box::new((
                check_url.clone(),
                index::HttpCache {
                    etag: v.etag,
                    last_modified: v.last_modified,
                    fresh_until: None,
                },
                rfc3339(now),
            )));
        }
        let page_url = url::Url::parse(&exchange.final_url).ok();
        let article_page = match (&page_url, (200..300).contains(&exchange.status)) {
            (Some(u), true) => {
                let charset = exchange
                    .header("content-type")
                    .and_then(fetch::charset::header_charset);
                let rules = source_rules(source)?;
                Some(extract::extract_with_charset(
                    &exchange.body,
                    u,
                    charset,
                    &rules,
                ))
            }
            _ => None,
        };
        let text = article_page
            .as_ref()
            .map(|a| clean::text(&a.html))
            .unwrap_or_default();
        let title = article_page
            .as_ref()
            .and_then(|a| a.title.clone())
            .unwrap_or_default();
        let verdict = classify(
            exchange.status,
            &check.url,
            &exchange.final_url,
            &title,
            text.chars().filter(|c| !c.is_whitespace()).count(),
        );
        match verdict {
            Verdict::NotModified => {
                check.transient_failures = 0;
                check.failing_since = None;
            }
            Verdict::Transient(why) => {
                transient(
                    &mut check,
                    &mut report,
                    &mut captures,
                    &capture,
                    why,
                    now,
                    &steps,
                );
            }
            Verdict::Takedown(kind, note) => {
                check.transient_failures = 0;
                check.failing_since = None;
                // A takedown is logged when the article enters it, not on every check after.
                if check.state != kind.as_str() {
                    captures.push(evidence(capture(kind, note)));
                    check.state = kind.as_str().to_owned();
                }
            }
            Verdict::Served { moved_to } => {
                check.transient_failures = 0;
                check.failing_since = None;
                if check.state != "live" && check.state != EventKind::Moved.as_str() {
                    captures.push(evidence(capture(
                        EventKind::Back,
                        format!("served again after {}", check.state),
                    )));
                }
                if let Some(to) = &moved_to
                    && check.state != EventKind::Moved.as_str()
                {
                    captures.push(evidence(capture(
                        EventKind::Moved,
                        format!("moved to {to}"),
                    )));
                }
                check.state = if moved_to.is_some() {
                    EventKind::Moved.as_str().to_owned()
                } else {
                    "live".to_owned()
                };
                let page = article_page.expect("served pages were extracted");
                let stored = std::fs::read(
                    ingest
                        .archive()
                        .resolve(&archive::record_path(&article.dir, article.latest_version)),
                )
                .ok()
                .and_then(|b| record::parse(&b, &article.dir).ok())
                .map(|p| p.record);
                let published = stored
                    .as_ref()
                    .and_then(|r| r.published_ms)
                    .unwrap_or_else(|| now.timestamp_millis());
                let title = page
                    .title
                    .clone()
                    .filter(|t| !t.trim().is_empty())
                    .or_else(|| stored.as_ref().map(|r| r.title.clone()))
                    .unwrap_or_default();
                let byline = normalize_byline(page.byline.as_deref());
                if let (Some(before), Some(now_named)) = (&check.page_byline, &byline)
                    && before != now_named
                {
                    let mut c = evidence(capture(
                        EventKind::Byline,
                        format!("byline changed from {before:?} to {now_named:?}"),
                    ));
                    c.byline = Some(now_named.clone());
                    captures.push(c);
                }
                // A page that names nobody this time keeps the last byline it named: a missing
                // byline is more often a template change than authors removed.
                if byline.is_some() {
                    check.page_byline = byline.clone();
                }
                let fresh = record::Record::compat(published, &title, &article.url, &page.html);
                let print = fingerprint(&fresh.title, &fresh.body);
                let print_sha = model::sha256_hex(print.as_bytes());
                match check.page_fingerprint.as_deref() {
                    // First look at the page of a full-text feed's article: the baseline.
                    None => {}
                    Some(before) if before == print_sha => {}
                    Some(_) => {
                        observation = Some(Box::new(Observation {
                            key: key.clone(),
                            record: record::write(&fresh),
                            title: fresh.title.clone(),
                            url: article.url.clone(),
                            published_ms: fresh.published_ms,
                            fingerprint: print,
                            status: Some(exchange.status),
                            final_url: (exchange.final_url != check.url)
                                .then(|| exchange.final_url.clone()),
                            body_sha256: Some(body_sha.clone()),
                            warc_record_id: Some(record_id.clone()),
                            via: "recheck".into(),
                            note: None,
                            byline,
                        }));
                    }
                }
                check.page_fingerprint = Some(print_sha);
            }
        }
        if check.transient_failures == 0 {
            let next = next_check(&steps, first_seen, check.checks, now);
            check.next_check = next.map(rfc3339);
        }
    }
    report.events = captures.iter().map(|c| c.event).collect();
    report.next_check = check.next_check.clone();
    let (reply, rx) = oneshot::channel();
    ingest.submit(Job::Events {
        source: meta,
        captures,
        observation,
        check: Some(check),
        cache,
        reply,
    })?;
    if let Some(Decision::Edited | Decision::New) = answer(rx).await? {
        report.events.push(EventKind::Edited);
    }
    Ok(report)
}

/// A failure that may pass: retried sooner (doubling from 15 minutes, never later than the
/// schedule), and a `gone` only once it has lasted.
fn transient(
    check: &mut ArticleCheck,
    report: &mut RecheckReport,
    captures: &mut Vec<Capture>,
    capture: &dyn Fn(EventKind, String) -> Capture,
    why: String,
    now: DateTime<Utc>,
    steps: &[u32],
) {
    check.transient_failures += 1;
    let since = check
        .failing_since
        .as_deref()
        .and_then(parse_time)
        .unwrap_or(now);
    check.failing_since = Some(rfc3339(since));
    report.transient = Some(why.clone());
    if check.transient_failures >= TRANSIENT_CHECKS
        && now - since >= TRANSIENT_SPAN
        && check.state != EventKind::Gone.as_str()
    {
        captures.push(capture(
            EventKind::Gone,
            format!(
                "unreachable since {} ({} checks): {why}",
                rfc3339(since),
                check.transient_failures
            ),
        ));
        check.state = EventKind::Gone.as_str().to_owned();
    }
    let retry = Duration::minutes(15 * (1i64 << (check.transient_failures - 1).min(6)));
    let cap = steps
        .last()
        .map_or(Duration::days(1), |&m| Duration::minutes(i64::from(m)));
    check.next_check = Some(rfc3339(now + retry.min(cap)));
}

/// Re-checks the articles due now (at most `limit`), of configured sources only. Returns a
/// report per article; failures of single articles are in their reports or logged.
pub async fn recheck_due(
    ingest: &Ingest,
    sources: &[SourceConfig],
    limit: usize,
) -> Result<Vec<Result<RecheckReport, IngestError>>, IngestError> {
    let now = rfc3339(ingest.now());
    // Only sources that are re-checked here: due articles of the others stay due, and would
    // otherwise come first in every batch. What every check needs from the index, in one query.
    let by_id: std::collections::HashMap<&str, &SourceConfig> = sources
        .iter()
        .filter(|s| s.enabled && !s.recheck_steps().is_empty())
        .map(|s| (s.id.as_str(), s))
        .collect();
    let checked: Vec<&str> = by_id.keys().copied().collect();
    let due = ingest.read(|i| i.due_rechecks(&now, &checked, limit))?;
    let mut checks = Vec::new();
    for d in due {
        let Some(source) = by_id.get(d.check.source.as_str()) else {
            continue;
        };
        checks.push(recheck_with(ingest, source, d.check, d.article, d.cache));
    }
    Ok(futures_util::future::join_all(checks).await)
}

/// Items that left a feed while older ones are still listed: removed, not aged out. Logs a
/// `left-feed` event for each and makes its re-check due now, which tells whether the page is
/// still up. `listed` is what the feed lists now: (key, URL, published ms).
pub(crate) async fn note_listing(
    ingest: &Ingest,
    source: &SourceConfig,
    listed: Vec<(ArticleKey, Option<i64>)>,
) -> Result<Vec<String>, IngestError> {
    let before = ingest.read(|i| i.feed_listing(source.id.as_str()))?;
    let now = ingest.now();
    let oldest_listed = listed.iter().filter_map(|(_, p)| *p).min();
    let current: std::collections::HashSet<&str> = listed.iter().map(|(k, _)| k.as_str()).collect();
    let mut left = Vec::new();
    let mut captures = Vec::new();
    for (key, published, already_left) in before {
        if already_left || current.contains(key.as_str()) {
            continue;
        }
        let newer_than_listed = match (published, oldest_listed) {
            (Some(p), Some(o)) => p > o,
            _ => false,
        };
        if !newer_than_listed {
            continue; // aged out
        }
        let Some(article_key) = ArticleKey::parse(&key) else {
            continue;
        };
        let Some(article) = ingest.read(|i| i.article(&article_key))? else {
            continue;
        };
        captures.push((article_key, article.url.clone(), article.latest_version));
        left.push(key);
    }
    for (article_key, url, version) in captures {
        let mut check = ingest
            .read(|i| i.article_check(article_key.as_str()))?
            .unwrap_or_else(|| ArticleCheck {
                key: article_key.to_string(),
                source: source.id.to_string(),
                url: url.clone(),
                first_seen: rfc3339(now),
                state: "live".into(),
                ..ArticleCheck::default()
            });
        check.next_check = Some(rfc3339(now));
        let capture = Capture {
            seq: 0,
            time: crate::clock::rfc3339_ms(now),
            source: source.id.clone(),
            key: article_key,
            version,
            url,
            event: EventKind::LeftFeed,
            status: None,
            final_url: None,
            path: None,
            record_sha256: None,
            body_sha256: None,
            warc_record_id: None,
            via: Some("feed".into()),
            origin: None,
            note: Some("no longer listed while older items are".into()),
            byline: None,
            prev: String::new(),
        };
        let (reply, rx) = oneshot::channel();
        ingest.submit(Job::Events {
            source: source.meta(),
            captures: vec![capture],
            observation: None,
            check: Some(check),
            cache: None,
            reply,
        })?;
        answer(rx).await?;
    }
    let (reply, rx) = oneshot::channel();
    ingest.submit(Job::Listing {
        source: source.id.to_string(),
        listed: listed
            .into_iter()
            .map(|(k, p)| (k.to_string(), p))
            .collect(),
        left: left.clone(),
        now: rfc3339(now),
        reply,
    })?;
    answer(rx).await?;
    Ok(left)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_redirects_are_classified() {
        let a = "https://news.example/2026/11/story-123.html";
        let served = |status, fin: &str| classify(status, a, fin, "标题", 500);
        assert_eq!(
            served(404, a),
            Verdict::Takedown(EventKind::Gone, "HTTP 404".into())
        );
        assert_eq!(served(410, a).kind(), Some(EventKind::Gone));
        assert_eq!(served(451, a).kind(), Some(EventKind::Blocked));
        assert_eq!(served(403, a).kind(), Some(EventKind::Blocked));
        assert!(matches!(served(503, a), Verdict::Transient(_)));
        assert!(matches!(served(429, a), Verdict::Transient(_)));
        assert_eq!(served(304, a), Verdict::NotModified);
        assert_eq!(
            served(200, "https://news.example/").kind(),
            Some(EventKind::RedirectedHome)
        );
        assert_eq!(
            served(200, "https://news.example/world").kind(),
            Some(EventKind::RedirectedHome)
        );
        assert_eq!(
            served(200, "https://news.example/search?q=x").kind(),
            Some(EventKind::RedirectedHome)
        );
        assert_eq!(
            served(200, "https://news.example/2026/11/story-123-new-slug.html"),
            Verdict::Served {
                moved_to: Some("https://news.example/2026/11/story-123-new-slug.html".into())
            }
        );
        assert_eq!(served(200, a), Verdict::Served { moved_to: None });
        assert_eq!(
            classify(200, a, a, "页面不存在 - 新闻网", 500).kind(),
            Some(EventKind::Soft404)
        );
        assert_eq!(
            classify(200, a, a, "标题", 10).kind(),
            Some(EventKind::Soft404)
        );
        // Tracking parameters and scheme are not a redirect to another article.
        let tracked = "http://news.example/2026/11/story-123.html?utm_source=rss";
        assert_eq!(served(200, tracked), Verdict::Served { moved_to: None });
    }

    #[test]
    fn the_schedule_decays_from_the_first_capture_then_repeats() {
        let t0 = DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let steps = SourceConfig::DEFAULT_RECHECK_MINUTES;
        let after = |done, now| next_check(&steps, t0, done, now).unwrap();
        assert_eq!(
            after(1, t0 + Duration::minutes(15)),
            t0 + Duration::hours(1)
        );
        assert_eq!(after(3, t0 + Duration::hours(3)), t0 + Duration::days(1));
        let late = t0 + Duration::days(200);
        assert_eq!(after(8, late), late + Duration::days(90));
        // A check that is overdue is not scheduled in the past.
        assert!(after(1, t0 + Duration::days(2)) > t0 + Duration::days(2));
        assert_eq!(next_check(&[], t0, 0, t0), None);
    }

    impl Verdict {
        fn kind(&self) -> Option<EventKind> {
            match self {
                Verdict::Takedown(k, _) => Some(*k),
                _ => None,
            }
        }
    }
}
