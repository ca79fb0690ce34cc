//! The store thread: the one place where fetched observations become archive state.
//!
//! Refreshes run concurrently (many sources, many pages) but the archive has one writer and
//! the index one write connection, so every change goes through this thread. It decides each
//! observation against the index and the observations before it (so two sources seeing the same
//! article at once still make one article), and commits whatever is queued together: one
//! durability barrier for many sources ("group commit"). Order per commit: WARC synced, records
//! and capture-log lines committed (archive), then the index brought up to date.

use crate::IngestError;
use archive::{Archive, StagedVersion, Writer};
use fetch::warc::WarcWriter;
use index::{ArticleCheck, CheckOutcome, HttpCache, Index, VersionMeta};
use model::{ArticleKey, Capture, EventKind, SourceMeta};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Jobs served (and committed) together at most. A commit's cost is mostly per commit
/// (syncs), so a busy store takes in as much as is queued; the cap bounds memory and latency.
const MAX_BATCH: usize = 2048;

/// How far the search index may lag behind committed captures.
const SEARCH_LAG: Duration = Duration::from_secs(2);

/// How long an idle store waits for a job before looking at its timers again.
const IDLE: Duration = Duration::from_secs(60);

/// One article as fetched, ready to be decided and stored.
#[derive(Debug)]
pub(crate) struct Observation {
    pub(crate) key: ArticleKey,
    /// The record file bytes this observation would store.
    pub(crate) record: Vec<u8>,
    pub(crate) title: String,
    pub(crate) url: String,
    pub(crate) published_ms: Option<i64>,
    /// Title and text, normalized: what an edit must change.
    pub(crate) fingerprint: String,
    pub(crate) status: Option<u16>,
    pub(crate) final_url: Option<String>,
    pub(crate) body_sha256: Option<String>,
    pub(crate) warc_record_id: Option<String>,
    pub(crate) via: String,
    /// Why this observation was made, when it is not a plain fetch (e.g. re-extraction).
    pub(crate) note: Option<String>,
    /// The byline the page (or the feed item) named, whitespace collapsed: logged on the
    /// `new`/`edited` line, not part of the record or of what counts as an edit.
    pub(crate) byline: Option<String>,
}

/// What became of one observation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    New,
    Edited,
    Unchanged,
}

/// How to start the re-check schedule of the articles an observation job creates.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Schedule {
    /// Minutes from capture to the first re-check.
    pub(crate) first_minutes: u32,
    /// The stored body is the page's own extraction (its fingerprint is the re-check baseline).
    pub(crate) from_page: bool,
}

pub(crate) enum Job {
    Observations {
        source: SourceMeta,
        items: Vec<Observation>,
        schedule: Option<Schedule>,
        reply: oneshot::Sender<Result<Vec<Decision>, String>>,
    },
    /// What a re-check found: events (gone, back, moved, ...) logged in order, then possibly a
    /// new version, then the article's re-check state.
    Events {
        source: SourceMeta,
        captures: Vec<Capture>,
        observation: Option<Box<Observation>>,
        check: Option<ArticleCheck>,
        /// The page's validators to send next time (URL, validators, check time); empty
        /// validators forget old ones.
        cache: Option<Box<(String, HttpCache, String)>>,
        reply: oneshot::Sender<Result<Option<Decision>, String>>,
    },
    /// What a feed lists now, and which items left it.
    Listing {
        source: String,
        listed: Vec<(String, Option<i64>)>,
        left: Vec<String>,
        now: String,
        reply: oneshot::Sender<Result<(), String>>,
    },
    Asset {
        url: String,
        bytes: Vec<u8>,
        mime: Option<String>,
        time: String,
        reply: oneshot::Sender<Result<archive::Asset, String>>,
    },
    Check {
        source: String,
        outcome: CheckOutcome,
        /// Validators to remember for the feed URL.
        cache: Option<(String, HttpCache)>,
        /// A host that asked not to be contacted before a time.
        deferral: Option<(String, String)>,
        reply: oneshot::Sender<Result<(), String>>,
    },
}

/// The WARC file being appended to, shared by the fetching tasks (which append) and the store
/// thread (which syncs it before any capture names its records).
pub(crate) struct Warc {
    root: std::path::PathBuf,
    writer: Option<WarcWriter>,
    day: String,
}

impl Warc {
    pub(crate) fn new(root: std::path::PathBuf) -> Warc {
        Warc {
            root,
            writer: None,
            day: String::new(),
        }
    }

    /// The writer for today, rotating at midnight UTC and past the size limit.
    pub(crate) fn writer(&mut self) -> std::io::Result<&mut WarcWriter> {
        let now = chrono::Utc::now();
        let day = now.format("%Y-%m-%d").to_string();
        let rotate = self
            .writer
            .as_ref()
            .is_some_and(|w| self.day != day || w.len() >= fetch::warc::MAX_FILE_SIZE);
        if rotate && let Some(w) = self.writer.take() {
            w.finish()?;
        }
        if self.writer.is_none() {
            self.writer = Some(WarcWriter::open(&self.root, now)?);
            self.day = day;
        }
        Ok(self.writer.as_mut().expect("opened above"))
    }

    /// A handle to sync the current file with, outside the lock (`None`: no file yet).
    pub(crate) fn sync_handle(&self) -> std::io::Result<Option<std::fs::File>> {
        self.writer
            .as_ref()
            .map(fetch::warc::WarcWriter::sync_handle)
            .transpose()
    }

    pub(crate) fn finish(&mut self) -> std::io::Result<()> {
        match self.writer.take() {
            Some(w) => w.finish().map(|_| ()),
            None => Ok(()),
        }
    }
}

/// An article decided in this commit, before the index has seen it.
struct Pending {
    dir: String,
    latest: u32,
    sha: String,
    fingerprint: String,
}

pub(crate) struct Store {
    pub(crate) archive: Archive,
    pub(crate) writer: Writer,
    pub(crate) index: Index,
    pub(crate) warc: Arc<Mutex<Warc>>,
    pub(crate) clock: Arc<dyn crate::Clock>,
}

impl Store {
    /// Serves jobs until every sender is gone, committing what arrives together.
    pub(crate) fn run(mut self, jobs: crossbeam_channel::Receiver<Job>) {
        let mut search = open_search(&self.archive);
        sync_search(&mut search, &self.archive);
        // The search index is derived and catches up from the capture logs, so it may lag the
        // archive a little: one tantivy commit per batch cost more than the batch itself.
        let mut search_behind = false;
        let mut search_synced = Instant::now();
        loop {
            let wait = SEARCH_LAG.saturating_sub(search_synced.elapsed());
            let first = match jobs.recv_timeout(if search_behind { wait } else { IDLE }) {
                Ok(job) => Some(job),
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => None,
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
            };
            if let Some(first) = first {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match jobs.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                search_behind |= self.serve(batch);
            }
            if search_behind && search_synced.elapsed() >= SEARCH_LAG {
                sync_search(&mut search, &self.archive);
                search_behind = false;
                search_synced = Instant::now();
            }
        }
        if search_behind {
            sync_search(&mut search, &self.archive);
        }
        if let Err(e) = self.warc.lock().expect("warc lock").finish() {
            tracing::error!(error = %e, "cannot finish the WARC file");
        }
    }

    /// Serves one batch; returns whether capture lines were committed.
    fn serve(&mut self, batch: Vec<Job>) -> bool {
        let mut replies = Vec::new();
        let mut pending: HashMap<ArticleKey, Pending> = HashMap::new();
        let mut metas = HashMap::new();
        let mut checks = Vec::new();
        let mut schedules: Vec<ArticleCheck> = Vec::new();
        let mut event_replies = Vec::new();
        let mut after_commit: Vec<ArticleCheck> = Vec::new();
        let mut page_caches: Vec<(String, HttpCache, String)> = Vec::new();
        let mut listings = Vec::new();
        let mut failed: Option<String> = None;
        let now = self.clock.now();
        for job in batch {
            match job {
                Job::Observations {
                    source,
                    items,
                    schedule,
                    reply,
                } => {
                    let seen: Vec<(ArticleKey, String, String, Option<String>)> = items
                        .iter()
                        .map(|o| {
                            (
                                o.key.clone(),
                                o.url.clone(),
                                o.fingerprint.clone(),
                                o.byline.clone(),
                            )
                        })
                        .collect();
                    let decided = self
                        .writer
                        .ensure_source(&source)
                        .map_err(IngestError::from)
                        .and_then(|()| {
                            items
                                .into_iter()
                                .map(|o| self.decide(&source, o, &mut pending, &mut metas))
                                .collect::<Result<Vec<_>, _>>()
                        });
                    match decided {
                        Ok(d) => {
                            if let Some(schedule) = schedule {
                                for ((key, url, print, byline), decision) in
                                    seen.into_iter().zip(&d)
                                {
                                    if *decision == Decision::New {
                                        schedules.push(crate::recheck::first_check(
                                            &source.id, &key, &url, &print, byline, schedule, now,
                                        ));
                                    }
                                }
                            }
                            replies.push((reply, d));
                        }
                        Err(e) => {
                            failed.get_or_insert(e.to_string());
                            let _ = reply.send(Err(e.to_string()));
                        }
                    }
                }
                Job::Events {
                    source,
                    captures,
                    observation,
                    check,
                    cache,
                    reply,
                } => {
                    let staged = (|| -> Result<Option<Decision>, IngestError> {
                        self.writer.ensure_source(&source)?;
                        for capture in captures {
                            self.writer.stage(capture, None)?;
                        }
                        observation
                            .map(|o| self.decide(&source, *o, &mut pending, &mut metas))
                            .transpose()
                    })();
                    match staged {
                        Ok(d) => {
                            after_commit.extend(check);
                            page_caches.extend(cache.map(|c| *c));
                            event_replies.push((reply, d));
                        }
                        Err(e) => {
                            failed.get_or_insert(e.to_string());
                            let _ = reply.send(Err(e.to_string()));
                        }
                    }
                }
                Job::Listing {
                    source,
                    listed,
                    left,
                    now,
                    reply,
                } => listings.push((source, listed, left, now, reply)),
                Job::Asset {
                    url,
                    bytes,
                    mime,
                    time,
                    reply,
                } => {
                    let stored = self
                        .writer
                        .store_asset(&url, &bytes, mime.as_deref(), &time)
                        .map_err(IngestError::from)
                        .and_then(|a| {
                            self.index.record_asset(&a)?;
                            Ok(a)
                        });
                    let _ = reply.send(stored.map_err(|e| e.to_string()));
                }
                Job::Check {
                    source,
                    outcome,
                    cache,
                    deferral,
                    reply,
                } => checks.push((source, outcome, cache, deferral, reply)),
            }
        }
        // Everything decided is committed together; if one observation failed to stage, the
        // others still commit (what was staged is consistent on its own).
        let committed = self.commit(&metas);
        let wrote_lines = committed == Ok(true);
        let mut committed = committed.map(|_| ());
        if committed.is_ok() {
            // Re-check state follows what was committed (operational state, not archive), in
            // one transaction for the batch.
            committed = self
                .index
                .write_together(|index| {
                    for c in &schedules {
                        index.schedule_article(c)?;
                    }
                    for c in &after_commit {
                        index.update_article_check(c)?;
                    }
                    for (url, cache, checked) in &page_caches {
                        index.set_http_cache(url, cache, checked)?;
                    }
                    Ok(())
                })
                .map_err(|e| e.to_string());
        }
        for (reply, decisions) in replies {
            let _ = reply.send(match &committed {
                Ok(()) => Ok(decisions),
                Err(e) => Err(e.clone()),
            });
        }
        for (reply, decision) in event_replies {
            let _ = reply.send(match &committed {
                Ok(()) => Ok(decision),
                Err(e) => Err(e.clone()),
            });
        }
        for (source, listed, left, now, reply) in listings {
            let result = self
                .index
                .set_feed_listing(&source, &listed, &left, &now)
                .map_err(|e| e.to_string());
            let _ = reply.send(result);
        }
        if let Some(e) = failed {
            tracing::warn!(error = %e, "an observation could not be staged");
        }
        for (source, outcome, cache, deferral, reply) in checks {
            let result = (|| -> Result<(), IngestError> {
                if let Some((url, cache)) = &cache {
                    self.index.set_http_cache(url, cache, &outcome.started)?;
                }
                if let Some((host, until)) = &deferral {
                    self.index.defer_host(host, until)?;
                }
                self.index.record_check(&source, &outcome)?;
                Ok(())
            })();
            let _ = reply.send(result.map_err(|e| e.to_string()));
        }
        wrote_lines
    }

    /// Commits what is staged; returns whether there was anything.
    fn commit(&mut self, metas: &HashMap<String, VersionMeta>) -> Result<bool, String> {
        // This thread is the only writer and the index was up to date before: only the logs
        // appended to now, and sources described anew, have something it has not seen.
        let mut touched = self.writer.take_changed_sources();
        if self.writer.pending() == 0 {
            if !touched.is_empty() {
                self.index
                    .sync_sources_with(&self.archive, &touched, metas)
                    .map_err(|e| e.to_string())?;
            }
            return Ok(false);
        }
        // Captures name WARC records: those must be durable first. The records they name were
        // appended before this point, so a sync through a second handle covers them, and the
        // fetching tasks keep appending meanwhile instead of waiting for the disk.
        let handle = self
            .warc
            .lock()
            .expect("warc lock")
            .sync_handle()
            .map_err(|e| format!("cannot sync the WARC file: {e}"))?;
        if let Some(file) = handle {
            file.sync_data()
                .map_err(|e| format!("cannot sync the WARC file: {e}"))?;
        }
        let committed = self.writer.commit().map_err(|e| e.to_string())?;
        touched.extend(committed.into_iter().map(|c| c.source));
        touched.sort();
        touched.dedup();
        self.index
            .sync_sources_with(&self.archive, &touched, metas)
            .map_err(|e| e.to_string())?;
        Ok(true)
    }

    fn decide(
        &mut self,
        source: &SourceMeta,
        o: Observation,
        pending: &mut HashMap<ArticleKey, Pending>,
        metas: &mut HashMap<String, VersionMeta>,
    ) -> Result<Decision, IngestError> {
        let sha = model::sha256_hex(&o.record);
        let known = match pending.get(&o.key) {
            Some(p) => Some((
                p.dir.clone(),
                p.latest,
                p.sha.clone(),
                p.fingerprint.clone(),
            )),
            None => match self.index.article(&o.key)? {
                Some(a) => {
                    let path = archive::record_path(&a.dir, a.latest_version);
                    let fingerprint = if a.latest_sha256 == sha {
                        String::new()
                    } else {
                        stored_fingerprint(&self.archive, &path)
                    };
                    Some((a.dir, a.latest_version, a.latest_sha256, fingerprint))
                }
                None => None,
            },
        };
        let (decision, dir, version) = match known {
            Some((_, _, latest_sha, _)) if latest_sha == sha => return Ok(Decision::Unchanged),
            Some((_, _, _, fingerprint)) if fingerprint == o.fingerprint => {
                return Ok(Decision::Unchanged);
            }
            Some((dir, latest, _, _)) => (Decision::Edited, dir, latest + 1),
            None => {
                let time = o
                    .published_ms
                    .unwrap_or_else(|| self.clock.now().timestamp_millis());
                (
                    Decision::New,
                    Archive::article_dir(&source.id, &o.key, time),
                    1,
                )
            }
        };
        let capture = Capture {
            seq: 0,
            time: crate::clock::rfc3339_ms(self.clock.now()),
            source: source.id.clone(),
            key: o.key.clone(),
            version,
            url: o.url.clone(),
            event: if decision == Decision::New {
                EventKind::New
            } else {
                EventKind::Edited
            },
            status: o.status,
            final_url: o.final_url,
            path: None,
            record_sha256: None,
            body_sha256: o.body_sha256,
            warc_record_id: o.warc_record_id,
            via: Some(o.via),
            origin: None,
            note: o.note,
            byline: o.byline,
            prev: String::new(),
        };
        metas.insert(
            archive::record_path(&dir, version),
            VersionMeta {
                title: o.title,
                url: o.url,
                published_ms: o.published_ms,
            },
        );
        self.writer.stage(
            capture,
            Some(StagedVersion {
                dir: &dir,
                version,
                bytes: o.record,
                sha256: Some(&sha),
            }),
        )?;
        pending.insert(
            o.key,
            Pending {
                dir,
                latest: version,
                sha,
                fingerprint: o.fingerprint,
            },
        );
        Ok(decision)
    }
}

/// The search index this thread keeps up to date (`None`, after a warning, if it cannot open).
pub(crate) fn open_search(archive: &Archive) -> Option<index::SearchIndex> {
    index::SearchIndex::open(archive.root())
        .inspect_err(
            |e| tracing::warn!(error = %e, "cannot open the search index; search will lag"),
        )
        .ok()
}

/// Applies what the archive committed to the search index; failures are logged, not fatal.
pub(crate) fn sync_search(search: &mut Option<index::SearchIndex>, archive: &Archive) {
    if let Some(search) = search.as_mut()
        && let Err(e) = search.sync(archive)
    {
        tracing::warn!(error = %e, "cannot update the search index; the next sync catches up");
    }
}

/// The fingerprint of a stored record (empty when it cannot be read: then any new text differs).
fn stored_fingerprint(archive: &Archive, path: &str) -> String {
    let full = archive.resolve(path);
    match std::fs::read(&full)
        .ok()
        .and_then(|b| record::parse(&b, path).ok())
    {
        Some(parsed) => crate::refresh::fingerprint(&parsed.record.title, &parsed.record.body),
        None => String::new(),
    }
}
