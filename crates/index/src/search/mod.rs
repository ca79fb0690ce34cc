//! Full-text search: a tantivy index under `<data>/search/`, derived from the capture logs like
//! `index.sqlite` and rebuilt from the archive alone.
//!
//! # Semantics
//!
//! What is searched is each article version's title and its plain text (`clean::text` of the
//! body), as two separate fields. Both are folded with [`clean::fold`] (NFKC, whitespace runs
//! to one space, lower case, traditional → simplified per character), and so is every query
//! term. A term *hits* a field when the folded field contains the folded term, and, if the term
//! begins or ends with a letter or digit that is not CJK ([`is_word_char`]), the text has no
//! such character just before (or after) the match: Latin terms match whole words, CJK terms
//! match anywhere. A query hits a version when every included term hits its title or its text
//! and no excluded term does. By default only the latest version of each article is searched.
//!
//! The index implements this exactly, with no verification step: see `analyzer` for why the
//! units and bigrams it indexes cannot over- or under-match. The oracle test
//! (`tests/search_oracle.rs`) checks it against brute force.
//!
//! # Lifecycle
//!
//! [`SearchIndex::sync`] applies the capture-log lines the index has not seen. How far it got
//! in each log (seq and byte offset) is the *payload of the tantivy commit* that made those
//! lines searchable, so documents and watermarks are committed together: a crash between an
//! archive commit and the search commit leaves the old watermark, and the next sync applies the
//! lines again (re-adding a version replaces its document, so this is idempotent).
//! [`SearchIndex::rebuild`] wipes `search/` and replays every log. An index written with another
//! schema format (`schema::FORMAT`) is wiped on open and rebuilt by the next sync.
//!
//! [`SearchIndex::rebuild`] ends with one merge into a single segment (one term dictionary,
//! one posting list per term). One process writes at a time (tantivy's writer lock in
//! `search/`); readers never block.
//!
//! # Running a query
//!
//! The hit count is exact unless the query sets [`Query::count_limit`] (the web reader's search
//! page does: 1,000); then counting may stop once that many hits are counted, the count is a
//! lower bound, and [`SearchResults::total_exact`] says so. The page is the same either way.
//!
//! By relevance, a query of one term looked up as one index term (a word, one or two CJK
//! characters) is counted without scores (from the term's document frequency when no filter
//! or exclusion needs a visit); the page is then found as below, from the first hit on,
//! skipping windows of documents that cannot reach it. Any other query scores every hit and counts it in
//! the same pass until the count may stop; after that, windows of documents whose block-max
//! bound (times the recency of their newest document) cannot reach the page are skipped, and
//! within a window only the documents of the bonus terms a hit needs to reach it are scored
//! (`top.rs`). Newest first needs no scores to count and find the page; once the count stops,
//! windows of documents older than the page are skipped; the page's hits are scored
//! afterwards. Phrases intersect their terms' documents and read positions rarest first
//! (`phrase.rs`). Snippets come from the record files of the page's hits.
//!
//! Words: a *unit* is one position of the exact analyzer (a CJK character, a Latin word, a
//! punctuation character or a space); a *version document* is the index entry
//! of one stored record; the *latest* document of an article is its newest version's.

mod analyzer;
mod bonus;
mod cache;
mod doc;
mod error;
mod guard;
mod hits;
mod phrase;
mod plan;
mod query;
mod ranges;
mod schema;
mod snippet;
mod sync;
mod top;
mod without;

pub use analyzer::{MAX_WORD_CHARS, is_cjk, is_word_char};
pub use error::{QueryError, SearchError};
pub use hits::{SearchHit, SearchResults};
pub use query::{
    DEFAULT_LIMIT, DateField, MAX_LIMIT, MAX_TERMS, ParsedQuery, Query, Sort, parse_query,
};
pub use snippet::{SNIPPET_CHARS, snippet};
pub use sync::SyncProgress;

use doc::VersionDoc;
use schema::Fields;
use std::path::{Path, PathBuf};
use tantivy::{IndexReader, IndexWriter, ReloadPolicy};

/// Name of the search index directory in the data directory.
pub const SEARCH_DIR: &str = "search";

/// Memory for the indexing threads of one writer: tantivy flushes a segment when it is full, and
/// fewer, larger segments mean less merging during a rebuild. Allocated as it fills, so a small
/// sync uses little of it.
const WRITER_MEMORY: usize = 128 * 1024 * 1024;

/// Decompressed doc-store blocks kept per segment (tantivy's default is 100): up to 32 MiB
/// (8 KiB blocks), filled as hits are read. Every hit on a results page reads its block; at
/// 100,000 articles the stored fields are about 3,000 blocks, and with 256 of them kept,
/// reading hits' documents was about 9 % of a search server's CPU under random queries (half
/// of it decompression). 4,096 blocks used about 10 % less CPU per search page on the web
/// benchmark than 256.
const DOCSTORE_CACHE_BLOCKS: usize = 4096;

/// The search index of a data directory.
pub struct SearchIndex {
    dir: PathBuf,
    /// The data directory (record paths are relative to it).
    root: PathBuf,
    index: tantivy::Index,
    fields: Fields,
    reader: IndexReader,
    /// Opened on first write and kept: creating one takes the lock and spawns threads.
    writer: Option<IndexWriter<VersionDoc>>,
    /// Plain texts of records read for snippets (off unless [`SearchIndex::cache_texts`]).
    texts: Option<std::sync::Mutex<cache::TextCache>>,
    /// Stored fields of recent hits (off unless [`SearchIndex::cache_docs`]).
    docs: Option<std::sync::Mutex<cache::DocCache>>,
    /// Results of recent searches (off unless [`SearchIndex::cache_results`]).
    results: Option<std::sync::Mutex<cache::ResultCache>>,
    /// When a search cuts a segment into ranges on several threads (see `ranges.rs`).
    split: ranges::Split,
    /// Up to how many hits a filtered one-term search scores its hits one by one.
    few_hits: usize,
    /// Searches running now: one that runs beside others keeps to its own thread (see
    /// `hits::Running`).
    running: std::sync::atomic::AtomicUsize,
    /// The newest date per window of documents of each segment searched newest first with a
    /// count limit (see `top.rs`).
    date_windows:
        std::sync::Mutex<std::collections::HashMap<tantivy::index::SegmentId, top::DateWindows>>,
    /// The `date` column of each segment searched (see `hits.rs`).
    date_columns: std::sync::Mutex<
        std::collections::HashMap<tantivy::index::SegmentId, Option<hits::DateColumn>>,
    >,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens (creating) `<data>/search/`. An index of another format is wiped (the next
    /// [`SearchIndex::sync`] rebuilds it). Call `sync` before trusting it to reflect the archive.
    pub fn open(data_dir: &Path) -> Result<SearchIndex, SearchError> {
        let dir = data_dir.join(SEARCH_DIR);
        match Self::open_dir(&dir) {
            Ok(index) if index.format_matches()? => Ok(index),
            Ok(index) => {
                tracing::info!(dir = %dir.display(), "search index has another format; rebuilding it");
                drop(index);
                wipe(&dir)?;
                Self::open_dir(&dir)
            }
            Err(SearchError::Tantivy { .. }) if dir.join("meta.json").exists() => {
                tracing::warn!(dir = %dir.display(), "search index unreadable; rebuilding it");
                wipe(&dir)?;
                Self::open_dir(&dir)
            }
            Err(e) => Err(e),
        }
    }

    /// Opens `<data>/search/` for searching only: it is never created, wiped or written, so a
    /// reader (the web server) cannot disturb a writer in another process, and it sees the
    /// writer's commits as they land. [`SearchError::Missing`] when there is no index,
    /// [`SearchError::Format`] when it was written in another format (until a writer
    /// rebuilds it).
    pub fn open_read_only(data_dir: &Path) -> Result<SearchIndex, SearchError> {
        let dir = data_dir.join(SEARCH_DIR);
        if !dir.join("meta.json").is_file() {
            return Err(SearchError::Missing { path: dir });
        }
        let index = Self::open_existing(&dir)?;
        let marks = index.watermarks()?;
        if marks.format != schema::FORMAT && !marks.is_fresh() {
            return Err(SearchError::Format {
                path: dir,
                found: marks.format,
                expected: schema::FORMAT,
            });
        }
        Ok(index)
    }

    fn open_dir(dir: &Path) -> Result<SearchIndex, SearchError> {
        std::fs::create_dir_all(dir).map_err(|source| SearchError::Io {
            op: "create",
            path: dir.to_owned(),
            source,
        })?;
        Self::open_existing(dir)
    }

    /// Opens (creating the index files in) the existing directory `dir`.
    fn open_existing(dir: &Path) -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema::build();
        let directory =
            tantivy::directory::MmapDirectory::open(dir).map_err(|e| SearchError::Tantivy {
                op: "open",
                path: dir.to_owned(),
                source: e.into(),
            })?;
        let index = tantivy::Index::builder()
            .schema(schema.clone())
            .settings(schema::settings())
            .open_or_create(directory)
            .map_err(SearchError::tantivy("open", dir))?;
        if index.schema() != schema {
            return Err(SearchError::Tantivy {
                op: "open",
                path: dir.to_owned(),
                source: tantivy::TantivyError::SchemaError("schema differs".into()),
            });
        }
        schema::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .doc_store_cache_num_blocks(DOCSTORE_CACHE_BLOCKS)
            .try_into()
            .map_err(SearchError::tantivy("open a reader on", dir))?;
        Ok(SearchIndex {
            dir: dir.to_owned(),
            root: dir.parent().unwrap_or(dir).to_owned(),
            index,
            fields,
            reader,
            writer: None,
            texts: None,
            docs: None,
            results: None,
            split: ranges::Split::default(),
            few_hits: hits::FEW_HITS,
            running: std::sync::atomic::AtomicUsize::new(0),
            date_windows: std::sync::Mutex::default(),
            date_columns: std::sync::Mutex::default(),
        })
    }

    /// Whether the committed index was written in the current format (an empty index is).
    fn format_matches(&self) -> Result<bool, SearchError> {
        let marks = self.watermarks()?;
        Ok(marks.format == schema::FORMAT || marks.is_fresh())
    }

    /// Deletes `<data>/search/` and replays every capture log into a new index.
    pub fn rebuild(
        data_dir: &Path,
        archive: &archive::Archive,
    ) -> Result<SearchIndex, SearchError> {
        Self::rebuild_with(data_dir, archive, &())
    }

    /// [`SearchIndex::rebuild`], telling `progress` how far it got (see
    /// [`SearchIndex::sync_with`]).
    pub fn rebuild_with(
        data_dir: &Path,
        archive: &archive::Archive,
        progress: &dyn SyncProgress,
    ) -> Result<SearchIndex, SearchError> {
        let dir = data_dir.join(SEARCH_DIR);
        wipe(&dir)?;
        let mut index = Self::open_dir(&dir)?;
        // The segments flushed on the way are merged once, all together, at the end: merging
        // them on the way too (tantivy's log policy) rewrites the same postings more than once,
        // on the cores that the indexing needs.
        index
            .writer()?
            .set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        index.sync_with(archive, progress)?;
        index.finish_merges()?;
        // One segment: one term dictionary instead of one per segment (smaller), and one
        // posting list per term to read (faster). Worth a pass over the index once per rebuild.
        let segments = index
            .index
            .searchable_segment_ids()
            .map_err(SearchError::tantivy("list segments of", &dir))?;
        if segments.len() > 1 {
            index
                .writer()?
                .merge(&segments)
                .wait()
                .map_err(SearchError::tantivy("merge segments of", &dir))?;
            index.finish_merges()?;
        }
        index.reload()?;
        Ok(index)
    }

    /// Waits for the writer's background merges and closes it.
    fn finish_merges(&mut self) -> Result<(), SearchError> {
        if let Some(writer) = self.writer.take() {
            writer
                .wait_merging_threads()
                .map_err(SearchError::tantivy("merge segments of", &self.dir))?;
        }
        Ok(())
    }

    /// Keeps up to `bytes` of the plain texts that snippets are made from, newest used first.
    /// Reading, parsing and `clean::text` of a hit's record is most of a search's time, and a
    /// server meets the same hits again and again; record files never change, so a kept text
    /// never goes stale. 0 turns the cache off (the default).
    pub fn cache_texts(&mut self, bytes: usize) {
        self.texts = (bytes > 0).then(|| std::sync::Mutex::new(cache::TextCache::new(bytes)));
    }

    /// Keeps up to about `bytes` of the stored fields (key, title, URL, …) of recent hits, by
    /// document address. Reading them from the doc store (finding the block, deserializing a
    /// document, copying its strings out) was about 9 % of a search page's CPU, and a server
    /// meets the same hits again and again. About 450 bytes a document. 0 turns the cache off
    /// (the default).
    pub fn cache_docs(&mut self, bytes: usize) {
        self.docs = (bytes > 0).then(|| std::sync::Mutex::new(cache::DocCache::new(bytes)));
    }

    /// Keeps the results of recent searches, up to about `bytes`. A kept result is returned only
    /// while the index is at the generation it was computed on (any commit the reader picks up
    /// drops them all), so it is exactly what running the search again would give, minus the
    /// time: a server meets the same queries again and again (the news of the day). 0 turns
    /// the cache off (the default).
    pub fn cache_results(&mut self, bytes: usize) {
        self.results = (bytes > 0).then(|| std::sync::Mutex::new(cache::ResultCache::new(bytes)));
    }

    /// Searches whose estimated cost in a segment (tantivy's `DocSet::cost`, about the
    /// documents visited) is at least `cost` collect that segment in `parts` ranges of document
    /// ids, one thread each, when no other search is running (beside others, the cores are
    /// taken and more threads only cost). By default: a cost of 100,000 and one range per
    /// core (at most 8).
    /// For tuning, and for tests that must see ranges on small indexes; `parts` below 2 turns
    /// it off.
    pub fn split_searches(&mut self, cost: u64, parts: usize) {
        self.split = ranges::Split { cost, parts };
    }

    /// A search of one term with a filter or an exclusion counts its hits first; when there
    /// are at most `max` (2,000 by default), it scores them one by one instead of skipping
    /// through the term's documents for the best (which a filter that leaves few hits keeps
    /// from skipping anything). For tuning, and for tests that compare both ways; 0 turns it
    /// off.
    pub fn score_few_hits(&mut self, max: usize) {
        self.few_hits = max;
    }

    /// The search directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Number of version documents searchable now (all versions, all flags).
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Makes the last commit visible to searches now (they see it within a second anyway).
    pub fn reload(&self) -> Result<(), SearchError> {
        self.reader
            .reload()
            .map_err(SearchError::tantivy("reload", &self.dir))
    }

    /// The writer, opened on first use. [`SearchError::Busy`] when another process writes.
    fn writer(&mut self) -> Result<&mut IndexWriter<VersionDoc>, SearchError> {
        if self.writer.is_none() {
            let threads = std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .clamp(1, 2);
            let writer = self
                .index
                .writer_with_num_threads(threads, WRITER_MEMORY)
                .map_err(|e| match e {
                    tantivy::TantivyError::LockFailure(
                        tantivy::directory::error::LockError::LockBusy,
                        _,
                    ) => SearchError::Busy {
                        path: self.dir.clone(),
                    },
                    e => SearchError::tantivy("open a writer on", &self.dir)(e),
                })?;
            self.writer = Some(writer);
        }
        Ok(self.writer.as_mut().expect("opened above"))
    }
}

/// Removes the search directory and everything in it.
fn wipe(dir: &Path) -> Result<(), SearchError> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(SearchError::Io {
            op: "remove",
            path: dir.to_owned(),
            source,
        }),
    }
}
