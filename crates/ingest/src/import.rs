//! `newsvault import`: records from duty-machine trees and loose files into the archive.
//!
//! Reading order is deterministic (paths sorted), so re-running an interrupted import makes
//! the same decisions. Files are read, parsed and hashed on worker threads; one thread decides
//! identity and version into batches; a commit thread stages and commits each batch
//! ([`archive::Writer`]) while the next batch is decided, and an index thread brings the index up
//! to date with each committed batch ([`index::Index::sync`]) while the next one commits. Until
//! the index has a batch, its articles are answered from an overlay, not from the index. Two
//! batches are in flight: while one batch's records wait for their durability barriers and
//! move into place (on a helper thread), the commit thread writes the next one's.
//!
//! The search index (`search/`) is not written here: tokenizing every imported text for it cost
//! about 20 times the rest of the import. It is derived from the capture logs like the SQLite
//! index, so the next `search`, `serve` or `run` (or `reindex`) adds what was imported, in one
//! sync and one tantivy commit instead of one per batch.
//!
//! Decisions, per record: same canonical URL and same bytes as any stored version →
//! `unchanged` (the origin path is still logged, for export); same URL, new bytes → `edited`
//! (a new version); unknown URL → `new`. A stored record is the imported file, byte for byte.

use crate::{IngestError, identify, now_rfc3339, source_for_folder, source_for_url};
use archive::{Archive, ArchiveError, Placement, StagedVersion, Writer};
use index::{Index, VersionMeta};
use model::{ArticleKey, Capture, EventKind, SourceId, SourceMeta};
use record::layout::{known_site, parse_file_name};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

/// Tuning for an import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Captures per durable commit.
    pub batch: usize,
    /// Parser threads (0: one per core).
    pub threads: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            batch: 2000,
            threads: 0,
        }
    }
}

/// Receives progress; the CLI draws a bar with it.
pub trait ImportProgress {
    /// The number of files found.
    fn start(&self, total: u64);
    /// `n` more files done.
    fn advance(&self, n: u64);
}

impl ImportProgress for () {
    fn start(&self, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// A file that was not imported, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// The file.
    pub path: PathBuf,
    /// Why (with the line, for format errors).
    pub reason: String,
}

/// What an import did.
#[derive(Clone, Debug, Default)]
pub struct ImportSummary {
    /// Files examined.
    pub files: u64,
    /// New articles.
    pub new: u64,
    /// Files identical to a stored version.
    pub unchanged: u64,
    /// New versions of known articles.
    pub new_versions: u64,
    /// Files read with deviations from the canonical layout (CRLF, BOM, ...).
    pub with_warnings: u64,
    /// Files not imported.
    pub rejected: Vec<Rejected>,
}

/// Files per message between the walker, the parsers and the deciding thread.
const CHUNK: usize = 64;

/// Batches handed to the commit thread at once: one being placed, one being written.
const IN_FLIGHT: usize = 2;

struct Job {
    path: PathBuf,
    origin: Option<String>,
    folder: Option<String>,
}

type ReadResult = Result<Parsed, (Job, String)>;

struct Parsed {
    job: Job,
    bytes: Vec<u8>,
    record: record::Record,
    warnings: usize,
    key: ArticleKey,
    sha: String,
}

/// In-batch view of an article, before the index has seen the batch.
struct Pending {
    dir: String,
    latest: u32,
    shas: Vec<(String, u32)>,
    /// The batch that last decided this article.
    batch: u64,
}

/// Imports `paths` (duty-machine trees, `articles/` or site folders, folders of records,
/// record files). Bad files are listed in the summary; only archive or index failures stop it.
pub fn import(
    archive: &Archive,
    writer: &mut Writer,
    index: &mut Index,
    paths: &[PathBuf],
    options: &ImportOptions,
    progress: &dyn ImportProgress,
) -> Result<ImportSummary, IngestError> {
    index.set_cache_bytes(index::BULK_CACHE_BYTES)?;
    let mut summary = ImportSummary::default();
    let mut roots = Vec::new();
    for path in paths {
        if path.exists() {
            roots.push(path.clone());
        } else {
            summary.rejected.push(Rejected {
                path: path.clone(),
                reason: "no such file or folder".into(),
            });
        }
    }
    let total = roots
        .iter()
        .map(|r| discover(r, &mut |_| {}).unwrap_or(0))
        .sum();
    progress.start(total);

    let threads = match options.threads {
        0 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2),
        n => n,
    };
    // Lookups read through a connection of their own; the commit thread writes through `index`.
    let reader = Index::open(archive.root())?;
    reader.end_snapshot()?;
    // Jobs travel in chunks: one channel operation per chunk, not per file.
    let (job_tx, job_rx) = crossbeam_channel::bounded::<(u64, Vec<Job>)>(8);
    let (done_tx, done_rx) = crossbeam_channel::bounded::<(u64, Vec<ReadResult>)>(8);

    std::thread::scope(|scope| -> Result<(), IngestError> {
        let walker = std::thread::Builder::new().name("nv-walk".into());
        walker
            .spawn_scoped(scope, move || {
                let mut chunk = Vec::with_capacity(CHUNK);
                let mut chunk_no = 0;
                for root in &roots {
                    let _ = discover(root, &mut |(path, origin, folder)| {
                        chunk.push(Job {
                            path,
                            origin,
                            folder,
                        });
                        if chunk.len() == CHUNK {
                            let _ = job_tx.send((
                                chunk_no,
                                std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)),
                            ));
                            chunk_no += 1;
                        }
                    });
                }
                if !chunk.is_empty() {
                    let _ = job_tx.send((chunk_no, chunk));
                }
            })
            .map_err(thread_error)?;
        for _ in 0..threads {
            let job_rx = job_rx.clone();
            let done_tx = done_tx.clone();
            let parser = std::thread::Builder::new().name("nv-parse".into());
            parser
                .spawn_scoped(scope, move || {
                    for (no, jobs) in job_rx {
                        let _ = done_tx.send((no, jobs.into_iter().map(read_one).collect()));
                    }
                })
                .map_err(thread_error)?;
        }
        drop(job_rx);
        drop(done_tx);

        // Commits run on their own thread, so that their durability barriers overlap parsing
        // and deciding the next batch; one batch is in flight while the next is built. The
        // index follows on a third thread, so that its SQLite work overlaps the next commit.
        let (batch_tx, batch_rx) = crossbeam_channel::bounded::<Batch>(1);
        let (ack_tx, ack_rx) = crossbeam_channel::bounded::<Result<u64, IngestError>>(1);
        let (metas_tx, metas_rx) = crossbeam_channel::bounded::<Committed>(1);
        let (idle_tx, idle_rx) = crossbeam_channel::bounded::<()>(1);
        let (indexed_tx, indexed_rx) = crossbeam_channel::unbounded();
        std::thread::Builder::new()
            .name("nv-commit".into())
            .spawn_scoped(scope, move || {
                commit_batches(writer, batch_rx, ack_tx, metas_tx, idle_rx)
            })
            .map_err(thread_error)?;
        std::thread::Builder::new()
            .name("nv-index".into())
            .spawn_scoped(scope, move || {
                index_batches(archive, index, metas_rx, indexed_tx, idle_tx)
            })
            .map_err(thread_error)?;
        let mut state = State {
            reader,
            pending: HashMap::new(),
            batch: Batch::new(0),
            in_flight: VecDeque::new(),
            last_sent: None,
            indexed: None,
            batch_tx: Some(batch_tx),
            ack_rx,
            indexed_rx,
            sources_seen: HashSet::new(),
            batch_size: options.batch.max(1),
        };
        // Chunks arrive in any order; decide in discovery order so re-runs decide alike.
        let mut waiting = BTreeMap::new();
        let mut next = 0u64;
        for (no, results) in done_rx {
            waiting.insert(no, results);
            while let Some(results) = waiting.remove(&next) {
                next += 1;
                let n = results.len() as u64;
                for result in results {
                    summary.files += 1;
                    match result {
                        Ok(parsed) => state.decide(parsed, &mut summary)?,
                        Err((job, reason)) => summary.rejected.push(Rejected {
                            path: job.path,
                            reason,
                        }),
                    }
                }
                progress.advance(n);
            }
        }
        state.finish()
    })?;
    Ok(summary)
}

struct State {
    /// Read connection for lookups (a snapshot per batch, renewed when a batch is committed).
    reader: Index,
    /// Articles decided in batches not yet committed: the index cannot answer for them yet.
    pending: HashMap<ArticleKey, Pending>,
    /// The batch being built.
    batch: Batch,
    /// The batches handed to the commit thread and not yet acknowledged, oldest first (at
    /// most [`IN_FLIGHT`]).
    in_flight: VecDeque<u64>,
    /// The last batch handed to the commit thread.
    last_sent: Option<u64>,
    /// The last batch the index has applied.
    indexed: Option<u64>,
    /// Dropped by [`State::finish`], so the commit thread sees the end of the batches.
    batch_tx: Option<crossbeam_channel::Sender<Batch>>,
    /// Archive commits, in batch order.
    ack_rx: crossbeam_channel::Receiver<Result<u64, IngestError>>,
    /// Index syncs, in batch order.
    indexed_rx: crossbeam_channel::Receiver<Result<u64, IngestError>>,
    sources_seen: HashSet<(SourceId, Option<String>)>,
    batch_size: usize,
}

/// Captures decided together and committed together.
struct Batch {
    id: u64,
    /// Sources to record (source.json) before the captures.
    sources: Vec<SourceMeta>,
    entries: Vec<(Capture, Option<OwnedVersion>)>,
    /// Metadata of the versions stored, handed to the index (no re-reading).
    metas: HashMap<String, VersionMeta>,
}

impl Batch {
    fn new(id: u64) -> Batch {
        Batch {
            id,
            sources: Vec::new(),
            entries: Vec::new(),
            metas: HashMap::new(),
        }
    }
}

struct OwnedVersion {
    dir: String,
    version: u32,
    bytes: Vec<u8>,
    sha: String,
}

/// A batch the archive has committed, on its way to the index.
struct Committed {
    id: u64,
    metas: HashMap<String, VersionMeta>,
}

/// The commit thread: stages each batch and writes its records to staging, then commits the
/// batch before it, whose records were meanwhile made durable and moved into place on a
/// helper thread; acknowledges each batch and hands it to the index thread. A batch's log
/// lines are appended only once the index is done with the previous one (`idle`), so the
/// index never reads a log that is being appended to, nor a line before it is durable. Stops
/// at the first failure, which it reports.
fn commit_batches(
    writer: &mut Writer,
    batches: crossbeam_channel::Receiver<Batch>,
    acks: crossbeam_channel::Sender<Result<u64, IngestError>>,
    to_index: crossbeam_channel::Sender<Committed>,
    idle: crossbeam_channel::Receiver<()>,
) {
    /// A batch whose records are being placed, with what its commit needs afterwards.
    struct Placing<'s> {
        id: u64,
        lines: Vec<Capture>,
        metas: HashMap<String, VersionMeta>,
        placed: std::thread::ScopedJoinHandle<'s, Result<(), ArchiveError>>,
    }
    let mut indexing = false;
    // Appends the lines of a placed batch and hands it on; false once the thread must stop.
    let mut commit = |writer: &mut Writer, batch: Placing<'_>| -> bool {
        let result = (|| {
            batch
                .placed
                .join()
                .expect("the placing thread does not panic")?;
            if std::mem::take(&mut indexing) && idle.recv().is_err() {
                // The index thread stopped; its error is waiting.
                return Err(stopped("index"));
            }
            writer.append(batch.lines)?;
            Ok(batch.id)
        })();
        let failed = result.is_err();
        let _ = acks.send(result);
        if failed {
            return false;
        }
        let committed = Committed {
            id: batch.id,
            metas: batch.metas,
        };
        if to_index.send(committed).is_err() {
            return false; // the index thread stopped; its error is waiting
        }
        indexing = true;
        true
    };
    std::thread::scope(|scope| {
        let mut placing: Option<Placing<'_>> = None;
        for batch in &batches {
            let written = (|| -> Result<(Placement, Vec<Capture>), IngestError> {
                for meta in &batch.sources {
                    writer.ensure_source(meta)?;
                }
                for (capture, version) in batch.entries {
                    match version {
                        Some(v) => {
                            let staged = StagedVersion {
                                dir: &v.dir,
                                version: v.version,
                                bytes: v.bytes,
                                sha256: Some(&v.sha),
                            };
                            writer.stage(capture, Some(staged))?;
                        }
                        None => writer.stage(capture, None)?,
                    }
                }
                Ok((writer.write_staged()?, writer.take_lines()))
            })();
            if let Some(before) = placing.take()
                && !commit(writer, before)
            {
                return;
            }
            let (placement, lines) = match written {
                Ok(written) => written,
                Err(e) => {
                    let _ = acks.send(Err(e));
                    return;
                }
            };
            let placed = std::thread::Builder::new()
                .name("nv-place".into())
                .spawn_scoped(scope, move || placement.finish());
            match placed {
                Ok(placed) => {
                    placing = Some(Placing {
                        id: batch.id,
                        lines,
                        metas: batch.metas,
                        placed,
                    })
                }
                Err(e) => {
                    let _ = acks.send(Err(thread_error(e)));
                    return;
                }
            }
        }
        if let Some(last) = placing.take() {
            commit(writer, last);
        }
    });
}

/// The index thread: applies each batch the archive committed, acknowledges it to the deciding
/// thread and tells the commit thread it may append again. Stops at the first failure, which
/// it reports.
fn index_batches(
    archive: &Archive,
    index: &mut Index,
    committed: crossbeam_channel::Receiver<Committed>,
    acks: crossbeam_channel::Sender<Result<u64, IngestError>>,
    idle: crossbeam_channel::Sender<()>,
) {
    for batch in committed {
        let result = index
            .sync_with(archive, &batch.metas)
            .map(|_| batch.id)
            .map_err(IngestError::from);
        let failed = result.is_err();
        let _ = acks.send(result);
        if failed {
            return;
        }
        let _ = idle.send(());
    }
}

impl State {
    fn decide(&mut self, mut p: Parsed, summary: &mut ImportSummary) -> Result<(), IngestError> {
        let source = self.source_of(&p)?;
        if p.warnings > 0 {
            summary.with_warnings += 1;
        }
        let now = now_rfc3339();
        let mut capture = Capture {
            seq: 0,
            time: now,
            source: source.clone(),
            key: p.key.clone(),
            version: 0,
            url: p.record.url.clone().unwrap_or_default(),
            event: EventKind::New,
            status: None,
            final_url: None,
            path: None,
            record_sha256: None,
            body_sha256: Some(p.sha.clone()),
            warc_record_id: None,
            via: Some("import".into()),
            origin: p.job.origin.clone(),
            note: None,
            byline: None,
            prev: String::new(),
        };

        let known = self.lookup(&p.key, &p.sha)?;
        match known {
            Lookup::SameAs(version) => {
                capture.event = EventKind::Unchanged;
                capture.version = version;
                capture.record_sha256 = Some(p.sha.clone());
                summary.unchanged += 1;
                self.batch.entries.push((capture, None));
            }
            Lookup::Differs { dir, latest } => {
                let version = latest + 1;
                capture.event = EventKind::Edited;
                capture.version = version;
                summary.new_versions += 1;
                self.stage(capture, &dir, version, &mut p);
                let batch = self.batch.id;
                let entry = self.pending.entry(p.key.clone()).or_insert(Pending {
                    dir,
                    latest: version,
                    shas: Vec::new(),
                    batch,
                });
                entry.latest = version;
                entry.batch = batch;
                entry.shas.push((p.sha, version));
            }
            Lookup::Unknown => {
                let time = p
                    .record
                    .published_ms
                    .unwrap_or_else(|| chrono::Utc::now().timestamp_millis());
                let dir = Archive::article_dir(&source, &p.key, time);
                capture.version = 1;
                summary.new += 1;
                self.stage(capture, &dir, 1, &mut p);
                self.pending.insert(
                    p.key.clone(),
                    Pending {
                        dir,
                        latest: 1,
                        shas: vec![(p.sha, 1)],
                        batch: self.batch.id,
                    },
                );
            }
        }
        if self.batch.entries.len() >= self.batch_size {
            self.flush()?;
        }
        Ok(())
    }

    /// Adds a capture that stores a version to the batch, with what the index needs of it.
    /// The record bytes move into the batch (`p.bytes` is left empty): no copy on the hot path.
    fn stage(&mut self, mut capture: Capture, dir: &str, version: u32, p: &mut Parsed) {
        let meta = VersionMeta {
            title: p.record.title.clone(),
            url: p.record.url.clone().unwrap_or_default(),
            published_ms: p.record.published_ms,
        };
        self.batch
            .metas
            .insert(archive::record_path(dir, version), meta);
        capture.version = version;
        let owned = OwnedVersion {
            dir: dir.to_owned(),
            version,
            bytes: std::mem::take(&mut p.bytes),
            sha: p.sha.clone(),
        };
        self.batch.entries.push((capture, Some(owned)));
    }

    fn source_of(&mut self, p: &Parsed) -> Result<SourceId, IngestError> {
        let meta: SourceMeta = match &p.job.folder {
            Some(folder) => source_for_folder(folder)
                .unwrap_or_else(|_| source_for_url(p.record.url.as_deref())),
            None => source_for_url(p.record.url.as_deref()),
        };
        // Each folder name is recorded once per run (aliases are merged into source.json).
        if self
            .sources_seen
            .insert((meta.id.clone(), p.job.folder.clone()))
        {
            self.batch.sources.push(meta.clone());
        }
        Ok(meta.id)
    }

    fn lookup(&self, key: &ArticleKey, sha: &str) -> Result<Lookup, IngestError> {
        if self.reader.in_autocommit() {
            self.reader.begin_snapshot()?;
        }
        if let Some(p) = self.pending.get(key) {
            if let Some((_, v)) = p.shas.iter().find(|(s, _)| s == sha) {
                return Ok(Lookup::SameAs(*v));
            }
            if let Some(v) = self.reader.version_with_sha(key, sha)? {
                return Ok(Lookup::SameAs(v));
            }
            return Ok(Lookup::Differs {
                dir: p.dir.clone(),
                latest: p.latest,
            });
        }
        if let Some(v) = self.reader.version_with_sha(key, sha)? {
            return Ok(Lookup::SameAs(v));
        }
        Ok(match self.reader.article(key)? {
            Some(a) => Lookup::Differs {
                dir: a.dir,
                latest: a.latest_version,
            },
            None => Lookup::Unknown,
        })
    }

    /// Hands the batch being built to the commit thread (once fewer than [`IN_FLIGHT`] are).
    fn flush(&mut self) -> Result<(), IngestError> {
        if self.batch.entries.is_empty() && self.batch.sources.is_empty() {
            return Ok(());
        }
        while self.in_flight.len() >= IN_FLIGHT {
            self.wait_oldest()?;
        }
        let next = Batch::new(self.batch.id + 1);
        let batch = std::mem::replace(&mut self.batch, next);
        self.in_flight.push_back(batch.id);
        self.last_sent = Some(batch.id);
        let sent = self
            .batch_tx
            .as_ref()
            .is_some_and(|tx| tx.send(batch).is_ok());
        if !sent {
            // The commit thread stopped; its error is waiting.
            while !self.in_flight.is_empty() {
                self.wait_oldest()?;
            }
        }
        Ok(())
    }

    /// Waits for the archive to commit the oldest batch in flight, and takes note of what the
    /// index has applied meanwhile.
    fn wait_oldest(&mut self) -> Result<(), IngestError> {
        let Some(id) = self.in_flight.pop_front() else {
            return Ok(());
        };
        match self.ack_rx.recv() {
            Ok(Ok(done)) => debug_assert_eq!(done, id),
            // A commit that stopped because the index did reports the index's error.
            Ok(Err(e)) => return Err(self.index_error().unwrap_or(e)),
            Err(_) => return Err(self.index_error().unwrap_or_else(|| stopped("commit"))),
        }
        while let Ok(indexed) = self.indexed_rx.try_recv() {
            self.indexed(indexed?)?;
        }
        Ok(())
    }

    /// The error the index thread reported, if it stopped on one.
    fn index_error(&self) -> Option<IngestError> {
        self.indexed_rx.try_iter().find_map(Result::err)
    }

    /// The index has applied every batch up to `done`: it answers for their articles now, so
    /// they leave the overlay.
    fn indexed(&mut self, done: u64) -> Result<(), IngestError> {
        // A new snapshot sees the indexed batches before their overlay entries go.
        self.reader.end_snapshot()?;
        self.pending.retain(|_, p| p.batch > done);
        self.indexed = Some(done);
        Ok(())
    }

    /// Commits what is left and waits for the archive and the index to have it.
    fn finish(&mut self) -> Result<(), IngestError> {
        self.flush()?;
        // No more batches: the commit thread commits the one it holds and stops.
        self.batch_tx = None;
        while !self.in_flight.is_empty() {
            self.wait_oldest()?;
        }
        while self.indexed != self.last_sent {
            match self.indexed_rx.recv() {
                Ok(indexed) => self.indexed(indexed?)?,
                Err(_) => return Err(stopped("index")),
            }
        }
        Ok(())
    }
}

enum Lookup {
    SameAs(u32),
    Differs { dir: String, latest: u32 },
    Unknown,
}

/// The error for a worker thread that ended without reporting why.
fn stopped(which: &str) -> IngestError {
    thread_error(std::io::Error::other(format!("the {which} thread stopped")))
}

fn thread_error(e: std::io::Error) -> IngestError {
    IngestError::Io {
        op: "start a thread for",
        path: PathBuf::from("import"),
        source: e,
    }
}

fn read_one(job: Job) -> ReadResult {
    let bytes = match std::fs::read(&job.path) {
        Ok(b) => b,
        Err(e) => return Err((job, format!("cannot read: {e}"))),
    };
    let label = job.path.to_string_lossy().into_owned();
    let parsed = match record::parse(&bytes, &label) {
        Ok(p) => p,
        Err(e) => return Err((job, e.to_string())),
    };
    for w in &parsed.warnings {
        tracing::debug!(path = %label, "{w}");
    }
    let key = identify(&parsed.record);
    let sha = model::sha256_hex(&bytes);
    let mut record = parsed.record;
    record.body = String::new(); // only the bytes are stored; keep memory flat
    Ok(Parsed {
        job,
        bytes,
        record,
        warnings: parsed.warnings.len(),
        key,
        sha,
    })
}

/// Walks one import root and reports each record file with its origin (tree path) and site
/// folder. Returns the number of files reported.
fn discover(
    root: &Path,
    found: &mut dyn FnMut((PathBuf, Option<String>, Option<String>)),
) -> Result<u64, IngestError> {
    let mut n = 0;
    let mut emit = |item| {
        n += 1;
        found(item)
    };
    if root.is_file() {
        let (origin, folder) = origin_of(root);
        emit((root.to_owned(), origin, folder));
        return Ok(n);
    }
    let articles = if root.join("articles").is_dir() {
        Some(root.join("articles"))
    } else if root.file_name().is_some_and(|n| n == "articles") {
        Some(root.to_owned())
    } else {
        None
    };
    match articles {
        Some(articles) => {
            for site in sorted_dirs(&articles)? {
                let folder = site
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                for file in md_files(&site) {
                    let rel = file
                        .strip_prefix(&articles)
                        .unwrap_or(&file)
                        .to_string_lossy()
                        .replace('\\', "/");
                    emit((
                        file.clone(),
                        Some(format!("articles/{rel}")),
                        Some(folder.clone()),
                    ));
                }
            }
        }
        None if root
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == "articles") =>
        {
            let folder = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            for file in md_files(root) {
                let rel = file
                    .strip_prefix(root)
                    .unwrap_or(&file)
                    .to_string_lossy()
                    .replace('\\', "/");
                emit((
                    file.clone(),
                    Some(format!("articles/{folder}/{rel}")),
                    Some(folder.clone()),
                ));
            }
        }
        None => {
            for file in md_files(root) {
                let (origin, folder) = origin_of(&file);
                emit((file, origin, folder));
            }
        }
    }
    Ok(n)
}

/// A loose record file in a known site folder keeps its tree path as origin.
fn origin_of(file: &Path) -> (Option<String>, Option<String>) {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder = file
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned());
    match folder {
        Some(folder) if known_site(&folder).is_some() && parse_file_name(&name).is_some() => {
            (Some(format!("articles/{folder}/{name}")), Some(folder))
        }
        _ => (None, None),
    }
}

fn sorted_dirs(dir: &Path) -> Result<Vec<PathBuf>, IngestError> {
    let entries = std::fs::read_dir(dir).map_err(|e| IngestError::Io {
        op: "list",
        path: dir.to_owned(),
        source: e,
    })?;
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    Ok(out)
}

fn md_files(dir: &Path) -> impl Iterator<Item = PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
}
