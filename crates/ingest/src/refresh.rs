//! `refresh_source`: one check of one source, top to bottom.
//!
//! fetch the feed (conditional, polite) → 304 or still fresh: stop → parse → for each item:
//! identity → (summary-only feed and unknown article: fetch and extract its page) → record →
//! the store thread decides new / edited / unchanged across all sources and commits →
//! images of what was stored → the check's outcome and the next due time on the source.
//!
//! Every exchange goes to WARC before anything names it. The CLI `fetch`, the daemon `run` and
//! (later) the web "refresh now" button all call [`refresh_source`].

use crate::schedule;
use crate::store::{Decision, Job, Observation, Schedule, Store, Warc};
use crate::{Clock, IngestError, SystemClock};
use archive::Archive;
use chrono::{DateTime, Utc};
use fetch::{Exchange, FetchConfig, FetchError, Fetcher, Request, Route, Validators};
use futures_util::StreamExt;
use index::{CheckOutcome, HttpCache, Index};
use model::{ArticleKey, RouteSpec, SourceConfig};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::oneshot;

/// How refreshes behave beyond HTTP politeness (which [`FetchConfig`] sets).
#[derive(Clone, Debug)]
pub struct RefreshOptions {
    /// Fetch and archive the images of stored articles.
    pub images: bool,
    /// Items read per feed (the newest first, as feeds list them).
    pub max_items: usize,
    /// Article pages fetched at once per source (per-host limits still apply).
    pub page_concurrency: usize,
    /// Ignore freshness (Cache-Control, Expires, RSS `ttl`) and ask the server anyway.
    pub ignore_freshness: bool,
}

impl Default for RefreshOptions {
    fn default() -> Self {
        RefreshOptions {
            images: true,
            max_items: 200,
            page_concurrency: 4,
            ignore_freshness: false,
        }
    }
}

/// What one check of a source did.
#[derive(Clone, Debug, Default)]
pub struct RefreshReport {
    /// The source checked.
    pub source: String,
    /// HTTP status of the feed response (None when the feed was still fresh and not asked for).
    pub status: Option<u16>,
    /// The server answered 304 or the last response is still fresh: nothing to read.
    pub not_modified: bool,
    /// Items in the feed.
    pub items: usize,
    /// Articles seen for the first time and stored.
    pub new: u32,
    /// New versions of known articles.
    pub edited: u32,
    /// Items already archived with the same text.
    pub unchanged: u32,
    /// Items that could not be archived this time, with why (they are tried again next check).
    pub item_errors: Vec<String>,
    /// Images stored.
    pub images: u32,
    /// HTTP exchanges made.
    pub requests: u32,
    /// How long the check took.
    pub duration_ms: u64,
    /// When the source is due next.
    pub next_due: Option<DateTime<Utc>>,
    /// The route that reached the feed.
    pub via: Option<String>,
}

/// The ingest machinery of one data directory: the archive writer and index (on the store
/// thread), a read connection, the WARC file and the HTTP client. Open one per process.
pub struct Ingest {
    archive: Archive,
    fetcher: Arc<Fetcher>,
    jobs: Option<crossbeam_channel::Sender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
    reader: Mutex<Index>,
    warc: Arc<Mutex<Warc>>,
    options: RefreshOptions,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Ingest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ingest")
            .field("root", &self.archive.root())
            .finish()
    }
}

impl Ingest {
    /// Takes the data directory's writer lock, brings the index up to date and starts the store
    /// thread.
    pub fn open(
        archive: Archive,
        fetch: FetchConfig,
        options: RefreshOptions,
    ) -> Result<Ingest, IngestError> {
        Ingest::open_with_clock(archive, fetch, options, Arc::new(SystemClock))
    }

    /// [`Ingest::open`] with a clock of the caller's (tests drive schedules with a
    /// [`ManualClock`](crate::ManualClock)).
    pub fn open_with_clock(
        archive: Archive,
        fetch: FetchConfig,
        options: RefreshOptions,
        clock: Arc<dyn Clock>,
    ) -> Result<Ingest, IngestError> {
        let writer = archive.writer()?;
        let mut index = Index::open(archive.root())?;
        index.sync(&archive)?;
        let reader = Index::open(archive.root())?;
        let warc = Arc::new(Mutex::new(Warc::new(archive.root().join("warc"))));
        let (tx, rx) = crossbeam_channel::unbounded();
        let store = Store {
            archive: archive.clone(),
            writer,
            index,
            warc: warc.clone(),
            clock: clock.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("newsvault-store".into())
            .spawn(move || store.run(rx))
            .map_err(|e| IngestError::Store(format!("cannot start the store thread: {e}")))?;
        Ok(Ingest {
            archive,
            fetcher: Arc::new(Fetcher::new(fetch)),
            jobs: Some(tx),
            thread: Some(thread),
            reader: Mutex::new(reader),
            warc,
            options,
            clock,
        })
    }

    /// The archive being written.
    pub fn archive(&self) -> &Archive {
        &self.archive
    }

    /// Now, by this ingest's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The HTTP client (shared per-host limits across every source).
    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    /// Lets queued work finish, finishes the WARC file and releases the writer lock.
    pub fn close(mut self) -> Result<(), IngestError> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<(), IngestError> {
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            thread
                .join()
                .map_err(|_| IngestError::Store("the store thread panicked".into()))?;
        }
        Ok(())
    }

    /// Hands a job to the store thread.
    pub(crate) fn submit(&self, job: Job) -> Result<(), IngestError> {
        self.jobs
            .as_ref()
            .ok_or_else(|| IngestError::Store("ingest is closed".into()))?
            .send(job)
            .map_err(|_| IngestError::Store("the store thread stopped".into()))
    }

    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Index) -> Result<T, index::IndexError>,
    ) -> Result<T, IngestError> {
        let reader = self.reader.lock().expect("reader lock");
        Ok(f(&reader)?)
    }

    /// Appends an exchange's hops to WARC, tagged with the source; returns the final
    /// response's record id.
    pub(crate) async fn keep(
        &self,
        source: &str,
        exchange: Exchange,
    ) -> Result<(Exchange, String), IngestError> {
        let warc = self.warc.clone();
        let source = source.to_owned();
        tokio::task::spawn_blocking(move || {
            let extra = [(fetch::warc::SOURCE_FIELD, source.as_str())];
            // Compress outside the lock (the costly part), append under it.
            let file_id = warc
                .lock()
                .expect("warc lock")
                .writer()?
                .warcinfo_id()
                .to_owned();
            let mut last = String::new();
            for hop in &exchange.hops {
                let encoded = fetch::warc::EncodedExchange::new(&file_id, hop, &extra)?;
                let mut warc = warc.lock().expect("warc lock");
                let writer = warc.writer()?;
                last = match writer.append_exchange(encoded) {
                    Ok(ids) => ids.response,
                    // The file rotated since: encode again for the new one.
                    Err(Ok(_)) => writer.write_exchange_with(hop, &extra)?.response,
                    Err(Err(e)) => return Err(e),
                };
            }
            Ok::<_, std::io::Error>((exchange, last))
        })
        .await
        .map_err(|e| IngestError::Store(format!("WARC task failed: {e}")))?
        .map_err(|e| IngestError::Store(format!("cannot write WARC: {e}")))
    }
}

impl Drop for Ingest {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// Checks `source` once. Item-level failures are listed in the report; a failure of the
/// source itself (feed unreachable, not a feed) is returned as an error. Either way the outcome
/// is recorded on the source (`sources list`, `/api/v1/health`) with its next due time.
pub async fn refresh_source(
    ingest: &Ingest,
    source: &SourceConfig,
) -> Result<RefreshReport, IngestError> {
    let started = ingest.now();
    let clock = Instant::now();
    let mut report = RefreshReport {
        source: source.id.to_string(),
        ..RefreshReport::default()
    };
    let result = check(ingest, source, started, &mut report).await;
    report.duration_ms = clock.elapsed().as_millis() as u64;
    let failures = ingest
        .read(|i| i.source_state(source.id.as_str()))
        .ok()
        .flatten()
        .map_or(0, |s| s.failures);
    let (next_due, outcome, cache, deferral) = match &result {
        Ok(fresh) => (
            schedule::next_due(source, started, fresh.fresh_until, None),
            Ok(report.new + report.edited),
            fresh.cache.clone().map(|c| (source.url.clone(), c)),
            None,
        ),
        Err(e) => {
            let deferred = e.deferred_until();
            (
                schedule::next_due(source, started, None, Some((failures + 1, deferred))),
                Err(e.to_string()),
                None,
                deferred.and_then(|until| host_of(&source.url).map(|h| (h, until.to_rfc3339()))),
            )
        }
    };
    report.next_due = Some(next_due);
    let outcome = CheckOutcome {
        started: started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        result: outcome,
        status: report.status,
        duration_ms: report.duration_ms,
        next_due: next_due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let (reply, rx) = oneshot::channel();
    ingest.submit(Job::Check {
        source: source.id.to_string(),
        outcome,
        cache,
        deferral,
        reply,
    })?;
    answer(rx).await?;
    result.map(|_| report)
}

/// What a successful check learned about the feed's freshness.
struct Freshness {
    cache: Option<HttpCache>,
    fresh_until: Option<DateTime<Utc>>,
}

async fn check(
    ingest: &Ingest,
    source: &SourceConfig,
    now: DateTime<Utc>,
    report: &mut RefreshReport,
) -> Result<Freshness, IngestError> {
    let id = source.id.as_str();
    let host = host_of(&source.url).ok_or_else(|| IngestError::Source {
        source_id: id.to_owned(),
        message: format!("feed URL {:?} is not an http(s) URL", source.url),
    })?;
    // A Retry-After given to an earlier process still holds.
    if let Some((_, until)) = ingest
        .read(|i| i.host_deferrals())?
        .into_iter()
        .find(|(h, _)| *h == host)
        && let Ok(until) = DateTime::parse_from_rfc3339(&until)
        && until > now
    {
        return Err(IngestError::Fetch(FetchError::Deferred {
            url: source.url.clone(),
            until: until.to_rfc3339(),
        }));
    }
    let cached = ingest.read(|i| i.http_cache(&source.url))?;
    if let Some(fresh) = cached
        .as_ref()
        .and_then(|c| c.fresh_until.as_deref())
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .filter(|t| *t > now && !ingest.options.ignore_freshness)
    {
        report.not_modified = true;
        return Ok(Freshness {
            cache: None,
            fresh_until: Some(fresh),
        });
    }
    let request = Request {
        url: source.url.clone(),
        validators: cached
            .map(|c| Validators {
                etag: c.etag,
                last_modified: c.last_modified,
            })
            .unwrap_or_default(),
        routes: routes(source),
    };
    let exchange = ingest.fetcher.fetch(&request).await?;
    report.requests += exchange.hops.len() as u32;
    report.status = Some(exchange.status);
    report.via = Some(exchange.route.label());
    let (exchange, feed_record) = ingest.keep(id, exchange).await?;
    let received = ingest.now();
    if exchange.not_modified() {
        report.not_modified = true;
        let fresh_until = fetch::fresh_until(&exchange.headers, received, None);
        return Ok(Freshness {
            cache: None,
            fresh_until,
        });
    }
    if !(200..300).contains(&exchange.status) {
        return Err(IngestError::Source {
            source_id: id.to_owned(),
            message: format!("{}: HTTP {}", exchange.final_url, exchange.status),
        });
    }
    let charset = exchange
        .header("content-type")
        .and_then(fetch::charset::header_charset);
    let parsed = feed::parse_with_charset(&exchange.body, Some(&exchange.final_url), charset)
        .map_err(|e| IngestError::Source {
            source_id: id.to_owned(),
            message: format!("{}: {e}", exchange.final_url),
        })?;
    let ttl = rss_ttl(&exchange.body);
    let fresh_until = fetch::fresh_until(&exchange.headers, received, ttl);
    let validators = Validators::from_headers(&exchange.headers);
    let cache = HttpCache {
        etag: validators.etag,
        last_modified: validators.last_modified,
        fresh_until: fresh_until.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    };

    let entries: Vec<feed::Entry> = parsed
        .feed
        .entries
        .into_iter()
        .take(ingest.options.max_items)
        .collect();
    report.items = entries.len();
    let feed_ctx = FeedContext {
        source,
        status: exchange.status,
        final_url: exchange.final_url.clone(),
        body_sha256: model::sha256_hex(
            exchange
                .hops
                .last()
                .map_or(&exchange.body[..], |h| &h.raw_body[..]),
        ),
        warc_record_id: feed_record,
        via: exchange.route.label(),
        received,
    };
    let listed: Vec<(ArticleKey, Option<i64>)> = entries
        .iter()
        .map(|e| {
            (
                entry_key(e),
                e.published.or(e.updated).map(|t| t.timestamp_millis()),
            )
        })
        .collect();
    crate::recheck::note_listing(ingest, source, listed).await?;
    let rules = source_rules(source)?;
    // Collected first: a lazy `map` closure held across `.await` trips the Send check
    // (rust-lang/rust#102211).
    let pending: Vec<_> = entries
        .iter()
        .map(|e| observe(ingest, &feed_ctx, e, &rules))
        .collect();
    let outcomes: Vec<Result<Option<Observed>, String>> = futures_util::stream::iter(pending)
        .buffered(ingest.options.page_concurrency.max(1))
        .collect()
        .await;
    let mut observations = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(Some(o)) => observations.push(o),
            Ok(None) => report.unchanged += 1,
            Err(e) => report.item_errors.push(e),
        }
    }
    for o in &observations {
        report.requests += o.requests;
    }
    let images: Vec<(String, String)> = if ingest.options.images {
        observations
            .iter()
            .map(|o| (o.observation.url.clone(), o.body.clone()))
            .collect()
    } else {
        Vec::new()
    };
    if !observations.is_empty() {
        let meta = source.meta();
        let items: Vec<Observation> = observations.into_iter().map(|o| o.observation).collect();
        let (reply, rx) = oneshot::channel();
        let steps = source.recheck_steps();
        ingest.submit(Job::Observations {
            source: meta,
            items,
            schedule: steps.first().map(|&first_minutes| Schedule {
                first_minutes,
                from_page: !source.full_text,
            }),
            reply,
        })?;
        let decisions = answer(rx).await?;
        for d in decisions {
            match d {
                Decision::New => report.new += 1,
                Decision::Edited => report.edited += 1,
                Decision::Unchanged => report.unchanged += 1,
            }
        }
    }
    for (page, body) in images {
        crate::media::archive_images(ingest, id, &page, &body, report).await;
    }
    Ok(Freshness {
        cache: Some(cache),
        fresh_until,
    })
}

struct FeedContext<'a> {
    source: &'a SourceConfig,
    status: u16,
    final_url: String,
    body_sha256: String,
    warc_record_id: String,
    via: String,
    received: DateTime<Utc>,
}

/// An observation with what the image pass needs.
struct Observed {
    observation: Observation,
    body: String,
    requests: u32,
}

/// One feed item → an observation to decide, `None` when it is known and there is nothing to
/// fetch, or an error naming the item.
async fn observe(
    ingest: &Ingest,
    ctx: &FeedContext<'_>,
    entry: &feed::Entry,
    rules: &extract::SiteRules,
) -> Result<Option<Observed>, String> {
    let link = entry.link.clone().filter(|l| l.starts_with("http"));
    let key = entry_key(entry);
    let url = link.clone().unwrap_or_else(|| ctx.final_url.clone());
    let title = entry.title.clone().unwrap_or_default();
    let published = entry.published.or(entry.updated).unwrap_or(ctx.received);
    let feed_body = entry.content_html.clone().filter(|c| !c.trim().is_empty());
    let full_text = ctx.source.full_text && feed_body.is_some();

    let mut requests = 0;
    let (body, title, status, final_url, body_sha256, warc_record_id, via, byline) = if full_text {
        (
            feed_body.unwrap_or_default(),
            title,
            ctx.status,
            None,
            ctx.body_sha256.clone(),
            ctx.warc_record_id.clone(),
            ctx.via.clone(),
            // What the item names: logged as seen. Byline *changes* are measured on the page
            // (re-checks), whose form differs from a feed's (`a@b.example (Name)`).
            crate::recheck::normalize_byline(entry.author.as_deref()),
        )
    } else {
        // Summary-only: the page is fetched once, when the article is new; re-checks of known
        // articles belong to the change-tracking schedule, not to every feed poll.
        let known = ingest
            .read(|i| i.article(&key))
            .map_err(|e| e.to_string())?;
        if known.is_some() {
            return Ok(None);
        }
        let Some(link) = link else {
            return Err(format!(
                "item {:?} has no link to fetch its page from",
                title
            ));
        };
        let exchange = ingest
            .fetcher
            .fetch(&Request {
                url: link.clone(),
                validators: Validators::default(),
                routes: routes(ctx.source),
            })
            .await
            .map_err(|e| e.to_string())?;
        requests += exchange.hops.len() as u32;
        let (exchange, record_id) = ingest
            .keep(ctx.source.id.as_str(), exchange)
            .await
            .map_err(|e| e.to_string())?;
        if !(200..300).contains(&exchange.status) {
            return Err(format!("{link}: HTTP {}", exchange.status));
        }
        let page_url = url::Url::parse(&exchange.final_url).map_err(|e| format!("{link}: {e}"))?;
        let charset = exchange
            .header("content-type")
            .and_then(fetch::charset::header_charset);
        let article = extract::extract_with_charset(&exchange.body, &page_url, charset, rules);
        let byline = crate::recheck::normalize_byline(article.byline.as_deref());
        let body = if article.html.trim().is_empty() {
            // Nothing found on the page: keep what the feed said rather than nothing.
            entry
                .content_html
                .clone()
                .or_else(|| entry.summary_text.as_deref().map(paragraphs))
                .unwrap_or_default()
        } else {
            article.html
        };
        let title = if title.trim().is_empty() {
            article.title.unwrap_or_default()
        } else {
            title
        };
        let final_url = (exchange.final_url != link).then(|| exchange.final_url.clone());
        let raw = exchange
            .hops
            .last()
            .map_or(&exchange.body[..], |h| &h.raw_body[..]);
        (
            body,
            title,
            exchange.status,
            final_url,
            model::sha256_hex(raw),
            record_id,
            exchange.route.label(),
            byline,
        )
    };
    let record = record::Record::compat(published.timestamp_millis(), &title, &url, &body);
    let bytes = record::write(&record);
    Ok(Some(Observed {
        observation: Observation {
            key,
            fingerprint: fingerprint(&record.title, &record.body),
            record: bytes,
            title: record.title,
            url,
            published_ms: record.published_ms,
            status: Some(status),
            final_url,
            body_sha256: Some(body_sha256),
            warc_record_id: Some(warc_record_id),
            via,
            note: None,
            byline,
        },
        body,
        requests,
    }))
}

/// The identity of a feed item: its canonical link, else its GUID, else its content.
fn entry_key(entry: &feed::Entry) -> ArticleKey {
    match (
        entry.link.as_deref().filter(|l| l.starts_with("http")),
        &entry.id,
    ) {
        (Some(l), _) => ArticleKey::for_url(l),
        (None, Some(id)) => ArticleKey::from_identity(&format!("guid:{}", id.trim())),
        (None, None) => ArticleKey::from_identity(&format!(
            "body:{}",
            model::sha256_hex(
                entry
                    .content_html
                    .as_deref()
                    .or(entry.summary_text.as_deref())
                    .unwrap_or_default()
                    .as_bytes()
            )
        )),
    }
}

/// What must change for a new version: the title and the text, whitespace and markup aside
/// (so rotating widgets, tracking parameters and attribute order are not edits).
pub(crate) fn fingerprint(title: &str, body: &str) -> String {
    let text = clean::text(body);
    let mut out = title.split_whitespace().collect::<Vec<_>>().join(" ");
    out.push('\n');
    out.push_str(&text.split_whitespace().collect::<Vec<_>>().join(" "));
    out
}

/// Plain text as HTML paragraphs (for a feed summary kept as a body).
fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>", escape(p.trim())))
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub(crate) fn routes(source: &SourceConfig) -> Vec<Route> {
    source
        .routes
        .iter()
        .map(|r| match r {
            RouteSpec::Direct => Route::Direct,
            RouteSpec::Proxy(p) => Route::Proxy(p.clone()),
            RouteSpec::Mirror(m) => Route::Mirror(m.clone()),
        })
        .collect()
}

pub(crate) fn source_rules(source: &SourceConfig) -> Result<extract::SiteRules, IngestError> {
    let Some(spec) = &source.rules else {
        return extract::SiteRules::builtin_with(Vec::new()).map_err(|e| IngestError::Source {
            source_id: source.id.to_string(),
            message: e.to_string(),
        });
    };
    let hosts = if spec.hosts.is_empty() {
        host_of(&source.url).into_iter().collect()
    } else {
        spec.hosts.clone()
    };
    extract::SiteRules::builtin_with(vec![extract::SiteRule {
        name: source.id.to_string(),
        hosts,
        content: spec.content.clone(),
        drop: spec.drop.clone(),
    }])
    .map_err(|e| IngestError::Source {
        source_id: source.id.to_string(),
        message: e.to_string(),
    })
}

/// The host of an http(s) URL, lower-cased.
pub(crate) fn host_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    u.host_str().map(str::to_ascii_lowercase)
}

/// RSS `<ttl>` (minutes), read from the first 4 KiB (it sits in the channel header).
fn rss_ttl(body: &[u8]) -> Option<u32> {
    let head = &body[..body.len().min(4096)];
    let start = memchr::memmem::find(head, b"<ttl>")? + 5;
    let end = memchr::memmem::find(&head[start..], b"</ttl>")? + start;
    std::str::from_utf8(&head[start..end])
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Waits for the store thread's answer to a job.
pub(crate) async fn answer<T>(rx: oneshot::Receiver<Result<T, String>>) -> Result<T, IngestError> {
    rx.await
        .map_err(|_| IngestError::Store("the store thread stopped".into()))?
        .map_err(IngestError::Store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_whitespace_are_not_edits_but_words_are() {
        let a = fingerprint("标题", "<p>第一段。</p><p>第二段 text</p>");
        let b = fingerprint(
            " 标题 ",
            "<div><p class=x>第一段。</p>\n<p>第二段   text</p></div>",
        );
        let c = fingerprint("标题", "<p>第一段。</p><p>第二段 changed</p>");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(
            a,
            fingerprint("新标题", "<p>第一段。</p><p>第二段 text</p>")
        );
    }

    #[test]
    fn rss_ttl_is_read_from_the_channel_header() {
        assert_eq!(rss_ttl(b"<rss><channel><ttl> 15 </ttl>"), Some(15));
        assert_eq!(rss_ttl(b"<rss><channel><title>x</title>"), None);
    }
}
