//! Running a search: [`SearchIndex::search`].

use super::cache::{StoredDoc, TextCache};
use super::doc::{DocData, read_record};
use super::plan::plan;
use super::query::{MAX_LIMIT, Query, Sort, parse_query};
use super::ranges;
use super::snippet::Snipper;
use super::top::{DateWindows, Few, TopBounded, TopDated, date_windows};
use super::{SearchError, SearchIndex};
use serde::Serialize;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{EnableScoring, Query as TQuery, Weight};
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentReader, TantivyDocument};

/// Weight of recency in relevance order: the newest article gets up to this fraction on top of
/// its score, halving every [`RECENCY_HALF_LIFE_DAYS`] of age (relative to the newest document
/// in the index). Small enough that it only reorders near-equal matches.
pub(crate) const RECENCY_WEIGHT: f32 = 0.1;
/// See [`RECENCY_WEIGHT`].
const RECENCY_HALF_LIFE_DAYS: f32 = 365.0;
const DAY_MS: f32 = 86_400_000.0;

/// One matching article version.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SearchHit {
    /// The article key.
    pub key: String,
    /// The version.
    pub version: u32,
    /// The article URL.
    pub url: String,
    /// The title as published.
    pub title: String,
    /// The source id.
    pub source: String,
    /// Publication time (epoch ms), when the record has one.
    pub published_ms: Option<i64>,
    /// Capture time of this version (epoch ms).
    pub captured_ms: i64,
    /// The language tag.
    pub language: String,
    /// Whether this is the article's latest version.
    pub latest: bool,
    /// Whether the source no longer serves the article.
    pub gone: bool,
    /// The best passage of the text, HTML-escaped, matches in `<mark>…</mark>`.
    pub snippet: String,
    /// Relevance (higher is better; with [`Sort::Date`] still the relevance score).
    pub score: f32,
}

/// The hits of one search.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SearchResults {
    /// Number of matching versions (all of them, not just this page), or, when not
    /// `total_exact`, how many were counted before counting stopped (see
    /// [`Query::count_limit`]).
    pub total: u64,
    /// Whether `total` is every hit rather than a lower bound.
    pub total_exact: bool,
    /// This page of hits (shared: the result cache keeps the same page).
    pub hits: Arc<[SearchHit]>,
    /// Time spent searching, in milliseconds.
    pub took_ms: f64,
}

impl SearchIndex {
    /// Runs `q`. A query the language does not accept is [`SearchError::Query`].
    pub fn search(&self, q: &Query) -> Result<SearchResults, SearchError> {
        let started = std::time::Instant::now();
        let parsed = parse_query(&q.text)?;
        if q.limit > MAX_LIMIT {
            return Err(SearchError::Option {
                option: "limit",
                message: format!("{} is more than the maximum {MAX_LIMIT}", q.limit),
            });
        }
        let searcher = self.reader.searcher();
        // Same searcher, same answer: results are kept per index generation.
        let generation = searcher.generation().generation_id();
        if let Some(cached) = self.cached_results(generation, q) {
            return Ok(SearchResults {
                took_ms: started.elapsed().as_secs_f64() * 1000.0,
                ..cached
            });
        }
        let running = Running::enter(&self.running, started);
        let split = if running.alone {
            self.split
        } else {
            ranges::Split::ONE
        };
        let plan = plan(&self.fields, &parsed, q);
        let err = |op| SearchError::tantivy(op, &self.dir);
        // The hits to find: the page and those before it, no more than the index holds (a huge
        // offset must not size a huge heap).
        let wanted = q
            .offset
            .saturating_add(q.limit.max(1))
            .min(usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX))
            .max(1);
        // Counting at least the hits asked for keeps every page a reader can reach within the
        // total.
        let limit = q.count_limit.map(|l| l.max(wanted));
        // The date maxima only serve searches whose count may stop.
        let windows = || {
            if limit.is_some() {
                self.date_windows(&searcher)
            } else {
                Vec::new()
            }
        };
        let mut exact = true;
        let (total, top): (usize, Vec<(f32, DocAddress)>) = match (q.sort, &plan.one_term) {
            (Sort::Relevance, Some(one)) => {
                // Counting needs no scores; the top hits are then found by skipping blocks
                // that cannot reach them, unless the count found them all.
                let (total, few) = match &one.term {
                    Some(term) => count_one_term(
                        &searcher,
                        term,
                        self.fields.latest,
                        q.all_versions,
                        plan.matcher.as_ref(),
                    )
                    .map(|n| (n, None)),
                    None => {
                        let few = Few::new(self.few_hits, limit);
                        ranges::run(&searcher, plan.matcher.as_ref(), &few, split).map(
                            |(total, counted_all, few)| {
                                exact = counted_all;
                                (total, few)
                            },
                        )
                    }
                }
                .map_err(err("count hits in"))?;
                let top = match few {
                    // A filter or an exclusion that leaves few hits would keep the skipping
                    // from ever reaching a k-th score: it would visit every document of the
                    // term. Scoring the few hits is cheaper.
                    Some(addresses) => {
                        let top = TopRecent::new(wanted, self.dates(&searcher));
                        best_of(&searcher, plan.scored.as_ref(), addresses, &top)
                    }
                    .map_err(err("score hits in"))?,
                    // The count is done: a count limit of 0 sends the search straight to
                    // looking for the page, by windows of documents whose bound (block-max
                    // scores times the recency of the window's newest date) can reach it.
                    None => {
                        let top = TopRecent::new(wanted, self.dates(&searcher));
                        let collector = TopBounded::new(
                            &searcher,
                            top,
                            &plan.bounds,
                            self.date_windows(&searcher),
                            Some(0),
                            plan.bounding.as_deref(),
                        )
                        .map_err(err("search"))?;
                        ranges::run(&searcher, plan.scored.as_ref(), &collector, split)
                            .map_err(err("search"))?
                            .top
                    }
                };
                (total, top)
            }
            (Sort::Relevance, None) => {
                let top = TopRecent::new(wanted, self.dates(&searcher));
                let collector = TopBounded::new(
                    &searcher,
                    top,
                    &plan.bounds,
                    windows(),
                    limit,
                    plan.bounding.as_deref(),
                )
                .map_err(err("search"))?;
                let found = ranges::run(&searcher, plan.scored.as_ref(), &collector, split)
                    .map_err(err("search"))?;
                exact = found.exact;
                (found.total, found.top)
            }
            (Sort::Date, _) => {
                // Newest first needs no scores to find the page; only its hits are scored.
                let collector = TopDated::new(wanted, windows(), self.dates(&searcher), limit);
                let found = ranges::run(&searcher, plan.matcher.as_ref(), &collector, split)
                    .map_err(err("search"))?;
                exact = found.exact;
                let addresses: Vec<DocAddress> = found.top.into_iter().map(|(_, a)| a).collect();
                let scores = scores_of(&searcher, plan.scored.as_ref(), &addresses)
                    .map_err(err("score hits in"))?;
                (found.total, scores.into_iter().zip(addresses).collect())
            }
        };
        let top = top.into_iter().skip(q.offset).collect();
        let results = self.finish(&searcher, q, &parsed.include, (total, exact), top, &running)?;
        self.keep_results(generation, q, &results);
        Ok(results)
    }

    /// The page of hits at `top` (addresses of `searcher`: a reload meanwhile must not make
    /// them point at other documents).
    fn finish(
        &self,
        searcher: &tantivy::Searcher,
        q: &Query,
        include: &[String],
        (total, total_exact): (usize, bool),
        top: Vec<(f32, DocAddress)>,
        running: &Running<'_>,
    ) -> Result<SearchResults, SearchError> {
        let terms: Vec<String> = include.iter().map(|t| clean::fold(t.trim())).collect();
        let found = if q.limit > 0 {
            self.stored(searcher, top)?
        } else {
            Vec::new()
        };
        let snippets = self.snippets(&found, &terms, running.alone);
        let hits = found
            .iter()
            .zip(snippets)
            .map(|((stored, score), snippet)| {
                let (data, flags) = &**stored;
                SearchHit {
                    snippet,
                    key: data.key.clone(),
                    version: data.version,
                    url: data.url.clone(),
                    title: data.title.clone(),
                    source: data.source.clone(),
                    published_ms: data.published_ms,
                    captured_ms: data.captured_ms,
                    language: data.language.clone(),
                    latest: flags.latest,
                    gone: flags.gone,
                    score: *score,
                }
            })
            .collect();
        Ok(SearchResults {
            total: total as u64,
            total_exact,
            hits,
            took_ms: running.started.elapsed().as_secs_f64() * 1000.0,
        })
    }

    /// The stored fields of the hits `top`, in order, from the doc cache where it has them (a
    /// hit whose document cannot be read back is left out).
    fn stored(
        &self,
        searcher: &tantivy::Searcher,
        top: Vec<(f32, DocAddress)>,
    ) -> Result<Vec<(StoredDoc, f32)>, SearchError> {
        let segment = |a: DocAddress| searcher.segment_reader(a.segment_ord).segment_id();
        let mut kept: Vec<Option<StoredDoc>> = match &self.docs {
            Some(cache) => {
                let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
                top.iter()
                    .map(|&(_, a)| cache.get(segment(a), a.doc_id))
                    .collect()
            }
            None => vec![None; top.len()],
        };
        let mut read = Vec::new();
        for (&(_, address), slot) in top.iter().zip(&mut kept) {
            if slot.is_none() {
                let doc: TantivyDocument = searcher
                    .doc(address)
                    .map_err(SearchError::tantivy("read a hit of", &self.dir))?;
                *slot = DocData::from_document(&doc, &self.fields).map(Arc::new);
                if let Some(stored) = slot {
                    read.push((address, Arc::clone(stored)));
                }
            }
        }
        if let Some(cache) = self.docs.as_ref().filter(|_| !read.is_empty()) {
            let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
            for (a, stored) in read {
                cache.put(segment(a), a.doc_id, stored);
            }
        }
        Ok(kept
            .into_iter()
            .zip(top)
            .filter_map(|(stored, (score, _))| Some((stored?, score)))
            .collect())
    }

    /// The snippets of `found`, from their record files (the index does not store the text):
    /// reading, parsing and `clean::text` of a record is most of a page's time, so two threads
    /// share a page of more than a few hits when this search runs `alone`. An unreadable record
    /// gets an empty snippet.
    fn snippets(&self, found: &[(StoredDoc, f32)], terms: &[String], alone: bool) -> Vec<String> {
        let snipper = Snipper::new(terms);
        let one = |(d, _): &(StoredDoc, f32)| snipper.snippet(&self.text_of(&d.0.path));
        if !alone || found.len() < PARALLEL_SNIPPETS {
            return found.iter().map(one).collect();
        }
        let (first, second) = found.split_at(found.len() / 2);
        std::thread::scope(|scope| {
            let other = scope.spawn(|| second.iter().map(one).collect::<Vec<_>>());
            let mut out: Vec<String> = first.iter().map(one).collect();
            match other.join() {
                Ok(rest) => out.extend(rest),
                Err(panic) => std::panic::resume_unwind(panic),
            }
            out
        })
    }
}

/// One search running on a [`SearchIndex`], counted while it lives. A search that starts while
/// none other runs is `alone`: it may spread over the cores (ranges, snippets). One that starts
/// beside others stays on its thread: the cores are busy, and helper threads would only add
/// their cost (a server under load runs a few searches per core).
struct Running<'a> {
    count: &'a AtomicUsize,
    alone: bool,
    /// When the search started (for `took_ms`).
    started: std::time::Instant,
}

impl<'a> Running<'a> {
    fn enter(count: &'a AtomicUsize, started: std::time::Instant) -> Running<'a> {
        let before = count.fetch_add(1, Ordering::Relaxed);
        Running {
            count,
            alone: before == 0,
            started,
        }
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::Relaxed);
    }
}

impl SearchIndex {
    /// The results of `q` if they are kept (see [`SearchIndex::cache_results`]) for the
    /// index as it is now; `None` when it has to run. Cheap: a server asks before it queues
    /// a search for a slot.
    pub fn cached(&self, q: &Query) -> Option<SearchResults> {
        let started = std::time::Instant::now();
        let generation = self.reader.searcher().generation().generation_id();
        let cached = self.cached_results(generation, q)?;
        Some(SearchResults {
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            ..cached
        })
    }

    fn cached_results(&self, generation: u64, q: &Query) -> Option<SearchResults> {
        let cache = self.results.as_ref()?;
        cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(generation, q)
    }

    fn keep_results(&self, generation: u64, q: &Query, results: &SearchResults) {
        if let Some(cache) = &self.results {
            cache
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .put(generation, q, results);
        }
    }

    /// The `date` column of each segment of `searcher` (see [`SearchIndex::dates_of`]); the
    /// columns of segments no longer searched are dropped.
    fn dates(&self, searcher: &tantivy::Searcher) -> Vec<Option<DateColumn>> {
        let readers = searcher.segment_readers();
        let out: Vec<Option<DateColumn>> = readers.iter().map(|r| self.dates_of(r)).collect();
        let mut kept = self.date_columns.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() > readers.len() {
            kept.retain(|id, _| readers.iter().any(|r| r.segment_id() == *id));
        }
        out
    }

    /// The `date` column of the segment of `reader`, read into memory once per segment and
    /// kept (opening tantivy's column alone, for every search and again for each range, was
    /// about 1 % of a search page's CPU).
    fn dates_of(&self, reader: &SegmentReader) -> Option<DateColumn> {
        let mut kept = self.date_columns.lock().unwrap_or_else(|p| p.into_inner());
        kept.entry(reader.segment_id())
            .or_insert_with(|| DateColumn::of(reader))
            .clone()
    }

    /// The [`DateWindows`] of each segment of `searcher`, kept per segment (segments never
    /// change; the windows of segments no longer searched are dropped).
    fn date_windows(&self, searcher: &tantivy::Searcher) -> Vec<DateWindows> {
        let mut kept = self.date_windows.lock().unwrap_or_else(|p| p.into_inner());
        let readers = searcher.segment_readers();
        let out: Vec<DateWindows> = readers
            .iter()
            .map(|r| {
                kept.entry(r.segment_id())
                    .or_insert_with(|| {
                        let dates = self.dates_of(r);
                        date_windows(dates.as_ref(), r.max_doc())
                    })
                    .clone()
            })
            .collect();
        if kept.len() > readers.len() {
            kept.retain(|id, _| readers.iter().any(|r| r.segment_id() == *id));
        }
        out
    }

    /// The plain text of the record at `path` (empty when it cannot be read), through the text
    /// cache when it is on.
    fn text_of(&self, path: &str) -> Arc<str> {
        let lock = |m: &'_ std::sync::Mutex<TextCache>| {
            // A panic elsewhere cannot leave a half-written entry: the cache stays usable.
            m.lock().unwrap_or_else(|p| p.into_inner()).get(path)
        };
        if let Some(text) = self.texts.as_ref().and_then(lock) {
            return text;
        }
        let text: Arc<str> =
            read_record(&self.root, path).map_or_else(|| Arc::from(""), |r| Arc::from(r.1));
        if let Some(m) = &self.texts {
            m.lock()
                .unwrap_or_else(|p| p.into_inner())
                .put(path, text.clone());
        }
        text
    }
}

/// The number of documents that `matcher` (the lookup of the single index term `term`,
/// filtered to latest versions unless `all_versions`) matches, without visiting them where a
/// segment has no deleted documents: the term's document frequency, less the documents of it
/// that are not latest versions (an intersection driven by the few earlier versions). A segment
/// with deletions (whose document frequency still counts them) is counted by visiting.
fn count_one_term(
    searcher: &tantivy::Searcher,
    term: &tantivy::Term,
    latest: tantivy::schema::Field,
    all_versions: bool,
    matcher: &dyn TQuery,
) -> tantivy::Result<usize> {
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::IndexRecordOption;
    let scoring = EnableScoring::disabled_from_searcher(searcher);
    let earlier: Box<dyn TQuery> = Box::new(BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(TermQuery::new(term.clone(), IndexRecordOption::Basic)),
        ),
        (
            Occur::Must,
            Box::new(TermQuery::new(
                tantivy::Term::from_field_bool(latest, false),
                IndexRecordOption::Basic,
            )),
        ),
    ]));
    let earlier = earlier.weight(scoring)?;
    let mut visit: Option<Box<dyn Weight>> = None;
    let mut total = 0usize;
    for segment in searcher.segment_readers() {
        if segment.num_deleted_docs() > 0 {
            if visit.is_none() {
                visit = Some(matcher.weight(scoring)?);
            }
            let weight = visit.as_ref().expect("set above");
            total += weight.count(segment)? as usize;
            continue;
        }
        let all = segment.inverted_index(term.field())?.doc_freq(term)? as usize;
        let not_latest = if all_versions {
            0
        } else {
            earlier.count(segment)? as usize
        };
        total += all - not_latest;
    }
    Ok(total)
}

/// Hits from which snippets are made on two threads.
const PARALLEL_SNIPPETS: usize = 6;

/// A segment's `date` fast field, read into memory (8 bytes a document): recency reads the
/// date of every hit that could enter a page, and a value of tantivy's blockwise-linear column
/// is a block lookup, an interpolation and a bit unpacking (1.6 % of a search page's CPU).
#[derive(Clone)]
pub(crate) struct DateColumn {
    /// By document id; [`DateColumn::NONE`] where a document has no date.
    dates: Arc<[i64]>,
    max: i64,
}

impl DateColumn {
    const NONE: i64 = i64::MIN;

    /// The column of `reader`, if its schema has one.
    pub(crate) fn of(reader: &SegmentReader) -> Option<DateColumn> {
        let column = reader.fast_fields().i64("date").ok()?;
        let dates: Arc<[i64]> = (0..reader.max_doc())
            .map(|doc| column.first(doc).unwrap_or(DateColumn::NONE))
            .collect();
        let max = dates.iter().copied().max().unwrap_or(DateColumn::NONE);
        Some(DateColumn { dates, max })
    }

    /// The date of `doc`, if it has one.
    pub(crate) fn get(&self, doc: DocId) -> Option<i64> {
        self.dates
            .get(doc as usize)
            .copied()
            .filter(|&d| d != DateColumn::NONE)
    }

    /// The newest date of the segment, if any document has one.
    fn max_value(&self) -> Option<i64> {
        (self.max != DateColumn::NONE).then_some(self.max)
    }
}

/// Hits up to which [`Few`] keeps their addresses by default: scoring 2,000 hits one by one
/// takes a few milliseconds.
pub(crate) const FEW_HITS: usize = 2_000;

/// The best `k` of `addresses` under `query`: [`TopRecent`]'s segment collectors, fed the
/// scores of just these documents.
fn best_of(
    searcher: &tantivy::Searcher,
    query: &dyn TQuery,
    addresses: Vec<DocAddress>,
    top: &TopRecent,
) -> tantivy::Result<Vec<(f32, DocAddress)>> {
    let scores = scores_of(searcher, query, &addresses)?;
    let mut fruits = Vec::new();
    let mut current: Option<(u32, TopRecentSegment)> = None;
    for (score, a) in scores.into_iter().zip(addresses) {
        if current.as_ref().is_none_or(|(s, _)| *s != a.segment_ord) {
            if let Some((_, child)) = current.take() {
                fruits.push(child.harvest());
            }
            let reader = searcher.segment_reader(a.segment_ord);
            current = Some((a.segment_ord, top.for_segment(a.segment_ord, reader)?));
        }
        if let Some((_, child)) = current.as_mut() {
            child.collect(a.doc_id, score);
        }
    }
    if let Some((_, child)) = current {
        fruits.push(child.harvest());
    }
    Ok(top.merge_fruits(fruits)?.1)
}

/// The relevance of `addresses` (in any order) under `query`.
fn scores_of(
    searcher: &tantivy::Searcher,
    query: &dyn TQuery,
    addresses: &[DocAddress],
) -> tantivy::Result<Vec<f32>> {
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let mut order: Vec<usize> = (0..addresses.len()).collect();
    order.sort_by_key(|&i| addresses[i]);
    let mut scores = vec![0.0; addresses.len()];
    let mut current: Option<(u32, Box<dyn tantivy::query::Scorer>)> = None;
    for i in order {
        let a = addresses[i];
        if current.as_ref().is_none_or(|(s, _)| *s != a.segment_ord) {
            let reader = searcher.segment_reader(a.segment_ord);
            current = Some((a.segment_ord, weight.scorer(reader, 1.0)?));
        }
        if let Some((_, scorer)) = current.as_mut()
            && (scorer.doc() == a.doc_id
                || scorer.doc() < a.doc_id && scorer.seek(a.doc_id) == a.doc_id)
        {
            scores[i] = scorer.score();
        }
    }
    Ok(scores)
}

/// The factor recency multiplies a score by: from 1 (old) to 1 + [`RECENCY_WEIGHT`] (newest).
pub(crate) fn recency(newest: i64, date: i64) -> f32 {
    let age_days = (newest - date).max(0) as f32 / DAY_MS;
    1.0 + RECENCY_WEIGHT * (-age_days / RECENCY_HALF_LIFE_DAYS).exp2()
}

/// Collects the `k` best documents by score times [`recency`], and counts the hits.
pub(crate) struct TopRecent {
    k: usize,
    /// The newest `date` in the index (recency is measured from it, so ranking does not
    /// depend on the clock).
    pub(crate) newest: i64,
    /// Each segment's `date` column, by segment ordinal.
    dates: Vec<Option<DateColumn>>,
}

impl TopRecent {
    pub(crate) fn new(k: usize, dates: Vec<Option<DateColumn>>) -> TopRecent {
        let newest = dates
            .iter()
            .flatten()
            .filter_map(DateColumn::max_value)
            .max();
        TopRecent {
            k,
            newest: newest.unwrap_or(0),
            dates,
        }
    }
}

/// A hit in [`Best`], ordered so that the *worst* hit is the greatest: lower score, then (for
/// equal scores) the later document.
#[derive(Clone, Copy, PartialEq)]
struct Ranked(f32, DocId);

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.0.total_cmp(&self.0).then(self.1.cmp(&other.1))
    }
}

/// The best `k` hits of a segment (a heap whose top is the worst kept).
pub(crate) struct Best {
    k: usize,
    hits: BinaryHeap<Ranked>,
}

impl Best {
    /// Offers a hit; returns the `k`-th best score once `k` hits are kept.
    fn offer(&mut self, score: f32, doc: DocId) -> Option<f32> {
        let hit = Ranked(score, doc);
        if self.hits.len() < self.k {
            self.hits.push(hit);
        } else if self.hits.peek().is_some_and(|worst| hit < *worst) {
            self.hits.pop();
            self.hits.push(hit);
        }
        self.kth()
    }

    /// The `k`-th best score, once `k` hits are kept.
    pub(crate) fn kth(&self) -> Option<f32> {
        (self.hits.len() == self.k).then(|| self.hits.peek().map_or(f32::MIN, |w| w.0))
    }
}

/// The per-segment side of [`TopRecent`] (used when tantivy drives the collection itself).
pub(crate) struct TopRecentSegment {
    pub(crate) best: Best,
    pub(crate) count: usize,
    segment: u32,
    dates: Option<DateColumn>,
    newest: i64,
}

impl TopRecentSegment {
    /// `score` times the recency of `doc`.
    pub(crate) fn final_score(&self, doc: DocId, score: Score) -> f32 {
        let date = self
            .dates
            .as_ref()
            .and_then(|d| d.get(doc))
            .unwrap_or(self.newest);
        score * recency(self.newest, date)
    }
}

impl SegmentCollector for TopRecentSegment {
    type Fruit = (usize, Vec<(f32, DocAddress)>);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.count += 1;
        // Recency multiplies by at most `1 + RECENCY_WEIGHT`: a hit that falls short of the
        // k-th even so cannot enter (reading its date and the exponential cost more than
        // the rest of collecting it).
        if self
            .best
            .kth()
            .is_some_and(|kth| score * (1.0 + RECENCY_WEIGHT) < kth)
        {
            return;
        }
        self.best.offer(self.final_score(doc, score), doc);
    }

    fn harvest(self) -> Self::Fruit {
        let segment = self.segment;
        (
            self.count,
            self.best
                .hits
                .into_iter()
                .map(|Ranked(s, d)| (s, DocAddress::new(segment, d)))
                .collect(),
        )
    }
}

impl Collector for TopRecent {
    type Fruit = (usize, Vec<(f32, DocAddress)>);
    type Child = TopRecentSegment;

    fn for_segment(&self, segment: u32, reader: &SegmentReader) -> tantivy::Result<Self::Child> {
        Ok(TopRecentSegment {
            best: Best {
                k: self.k.max(1),
                hits: BinaryHeap::new(),
            },
            count: 0,
            segment,
            dates: match self.dates.get(segment as usize) {
                Some(column) => column.clone(),
                None => DateColumn::of(reader),
            },
            newest: self.newest,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let total = fruits.iter().map(|f| f.0).sum();
        let mut all: Vec<(f32, DocAddress)> = fruits.into_iter().flat_map(|f| f.1).collect();
        all.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        all.truncate(self.k);
        Ok((total, all))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_alone_only_when_no_other_runs() {
        let count = AtomicUsize::new(0);
        let now = std::time::Instant::now();
        let first = Running::enter(&count, now);
        assert!(first.alone);
        let second = Running::enter(&count, now);
        assert!(!second.alone, "the first still runs");
        drop(first);
        assert!(!Running::enter(&count, now).alone, "the second still runs");
        drop(second);
        assert!(Running::enter(&count, now).alone, "both ended");
        assert_eq!(count.load(Ordering::Relaxed), 0);
    }
}
