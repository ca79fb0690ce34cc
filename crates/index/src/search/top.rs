//! Searches that count hits only up to a limit when the caller allows it
//! ([`Query::count_limit`](super::Query)), then look only for the page.
//!
//! Scoring a hit (its match, then the title and word bonuses of every term) is most of what a
//! search of a frequent phrase or of several frequent terms costs: "美国 总统" has 800,000 hits
//! at a million articles. Once enough hits are counted (by all ranges of the search together,
//! [`Counter`]), a range stops counting and only looks for hits that can still enter the page
//! ([`TopBounded`]): for a *window* of documents (up to the end of the current block of every
//! term of [`Plan::bounds`](super::plan::Plan)) it adds up those terms' block-max scores (the
//! most any document of the block can score for them, kept in tantivy's skip lists), times
//! the recency of the window's newest document. A *dense* term (in an eighth of the documents
//! or more, when another term is not) does not end windows: its blocks are short, and windows
//! that ended with them were so many that walking them cost more than what they skipped; its
//! bound is the largest block-max of the window's blocks, and a window is then at most
//! [`MAX_WINDOW`] documents. A window whose bound is below the `k`-th best
//! final score found so far (on any range or segment) cannot change the page and is passed
//! over without moving the scorer, and so is one where a term of a match has no document. A
//! bonus (the title's lookups, the words) is a bag of terms that all must be there: it bounds
//! a window only when each of its terms has a document in it. When the matches and the
//! smaller bonuses together fall short, only the documents that have every term of one of the
//! remaining bonuses are candidates (MaxScore), each probed with `seek_danger` (a phrase reads
//! positions there only). This is block-max pruning, as tantivy does for a plain intersection
//! of terms, over our clauses. A query with a phrase walks these documents with a bounding
//! copy of its scorer (`Plan::bounding`: its phrases read no positions and score at least as
//! high), and reads a document's positions only when that bound times the document's recency
//! could enter the page: on the web benchmark's random searches this took the positions read
//! after the count stopped from 174 documents per search to 22.
//!
//! Newest first ([`TopDated`]) skips, once the count stops, windows of [`DATE_WINDOW`]
//! documents whose newest date is older than the `k`-th newest hit. A filtered search of one
//! term counts with [`Few`].
//!
//! The page is the same as with every hit counted (ties still go to the lower document
//! address: a window is skipped only when its bound is strictly below the `k`-th); the count
//! is then a lower bound, and the results say so.

use super::hits::{DateColumn, RECENCY_WEIGHT, TopRecent, TopRecentSegment, recency};
use super::phrase::retain_common;
use super::plan::BoundTerm;
use super::ranges::Ranged;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicUsize, Ordering};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::BlockSegmentPostings;
use tantivy::query::{Bm25Weight, EnableScoring, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{
    DocAddress, DocId, DocSet, Score, Searcher, SeekDangerResult, SegmentReader, TERMINATED, Term,
};

/// A term in at least one document in this many is *dense*: its blocks of 128 documents span
/// at most about a thousand document ids, so ending every window with them would make windows
/// short and many. Its bound over a window is the largest of its blocks there instead.
const DENSE_SHARE: u64 = 8;
/// Longest window with a dense term, in document ids (a window of dense terms only would
/// otherwise span the segment, and the recency of its newest document would bound all of it).
const MAX_WINDOW: DocId = 256;

/// Hits a range counts before it tells the other ranges (one atomic add per this many).
const PUBLISH_EVERY: usize = 256;

/// A block's bound is raised by this fraction before it is compared: the bound and the score
/// add the same values in another order, and f32 sums differ in their last bits.
const SLACK: f32 = 1e-4;

/// The count shared by the ranges of one search.
struct Counter {
    /// Hits counted before a range may stop counting (`usize::MAX`: count every hit).
    limit: usize,
    /// Hits counted so far by all ranges (published every [`PUBLISH_EVERY`]).
    counted: AtomicUsize,
    /// Set when a range stopped counting before its end.
    stopped: AtomicBool,
}

impl Counter {
    fn new(limit: Option<usize>) -> Counter {
        Counter {
            limit: limit.unwrap_or(usize::MAX),
            counted: AtomicUsize::new(0),
            stopped: AtomicBool::new(false),
        }
    }

    /// Feeds `collect` every hit of `scorer` from where it stands until `to`, or until all
    /// ranges have counted enough; returns the document it stopped at (at least `to` when it
    /// counted them all).
    fn count(
        &self,
        scorer: &mut dyn Scorer,
        to: DocId,
        alive: Option<&tantivy::fastfield::AliveBitSet>,
        mut collect: impl FnMut(DocId, &mut dyn Scorer),
    ) -> DocId {
        let mut doc = scorer.doc();
        // Hits counted by all ranges, as last seen here, and the hits counted here since.
        let mut seen = self.counted.load(Ordering::Relaxed);
        let mut unpublished = 0;
        let mut enough = seen >= self.limit;
        while doc < to && !enough {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                collect(doc, scorer);
                unpublished += 1;
                if unpublished == PUBLISH_EVERY || seen + unpublished >= self.limit {
                    seen = self.publish(unpublished);
                    unpublished = 0;
                    enough = seen >= self.limit;
                }
            }
            doc = scorer.advance();
        }
        self.publish(unpublished);
        if doc < to {
            self.stopped.store(true, Ordering::Relaxed);
        }
        doc
    }

    /// Adds `n` hits counted here to the count of all ranges; returns that count.
    fn publish(&self, n: usize) -> usize {
        self.counted.fetch_add(n, Ordering::Relaxed) + n
    }

    fn exact(&self) -> bool {
        !self.stopped.load(Ordering::Relaxed)
    }
}

/// The best `k` hits of `scored` (with their count) as [`Ranged`] collection.
pub(crate) struct TopBounded<'a> {
    top: TopRecent,
    /// The terms of `Plan::bounds`, with their BM25 weights (boost included), as
    /// `TermQuery` scores them, and their bonus (`None` for a match).
    bounds: Vec<(Term, Bm25Weight, Option<usize>)>,
    /// Bonuses in `bounds` (their numbers are below this).
    bonuses: usize,
    counter: Counter,
    /// Per segment ordinal (may be empty: then recency is bounded by its largest factor).
    windows: Vec<DateWindows>,
    /// The best `k`-th final score of any range so far (f32 bits; scores are positive, so
    /// their bits order like the scores; 0 until a range has `k` hits).
    floor: AtomicU32,
    /// `Plan::bounding` and its searcher: once the count stops, a document is scored by it
    /// first, and only one whose bound could enter the page is checked (its positions read)
    /// and scored by the search's own scorer.
    bounding: Option<(&'a dyn Query, &'a Searcher)>,
    /// Its weight, made by the first range whose count stops (most searches of a page never
    /// stop counting, and a weight looks every term up).
    bounding_weight: OnceLock<tantivy::Result<Box<dyn Weight>>>,
}

/// What a search found: the count and the best hits (with their score or date).
pub(crate) struct Found<T> {
    pub(crate) total: usize,
    /// Whether `total` counts every hit (else it is a lower bound).
    pub(crate) exact: bool,
    pub(crate) top: Vec<(T, DocAddress)>,
}

impl<'a> TopBounded<'a> {
    pub(crate) fn new(
        searcher: &'a Searcher,
        top: TopRecent,
        bounds: &[BoundTerm],
        windows: Vec<DateWindows>,
        count_limit: Option<usize>,
        bounding: Option<&'a dyn Query>,
    ) -> tantivy::Result<TopBounded<'a>> {
        let EnableScoring::Enabled {
            statistics_provider: stats,
            ..
        } = EnableScoring::enabled_from_searcher(searcher)
        else {
            unreachable!("scoring was enabled");
        };
        let bonuses = bounds
            .iter()
            .filter_map(|b| b.bonus)
            .max()
            .map_or(0, |b| b + 1);
        let bounds = bounds
            .iter()
            .map(|b| {
                let weight = Bm25Weight::for_terms(stats, std::slice::from_ref(&b.term))?;
                Ok((b.term.clone(), weight.boost_by(b.boost), b.bonus))
            })
            .collect::<tantivy::Result<_>>()?;
        Ok(TopBounded {
            top,
            bounds,
            bonuses,
            counter: Counter::new(count_limit),
            windows,
            floor: AtomicU32::new(0),
            bounding: bounding.map(|q| (q, searcher)),
            bounding_weight: OnceLock::new(),
        })
    }

    /// The bounding scorer of `reader`, when the search has one.
    fn bounding_scorer(&self, reader: &SegmentReader) -> tantivy::Result<Option<Box<dyn Scorer>>> {
        let Some((query, searcher)) = self.bounding else {
            return Ok(None);
        };
        let weight = self
            .bounding_weight
            .get_or_init(|| query.weight(EnableScoring::enabled_from_searcher(searcher)));
        match weight {
            Ok(w) => Ok(Some(w.scorer(reader, 1.0)?)),
            Err(e) => Err(e.clone()),
        }
    }

    /// The bound cursors of `reader`: terms it does not have score nothing there, and
    /// neither do the other terms of their bonus (a bonus needs all of its terms).
    fn cursors(&self, reader: &SegmentReader) -> tantivy::Result<Vec<BlockMax>> {
        let mut out = Vec::with_capacity(self.bounds.len());
        let mut missing = vec![false; self.bonuses];
        for (term, weight, bonus) in &self.bounds {
            let index = reader.inverted_index(term.field())?;
            match index.read_block_postings(term, IndexRecordOption::WithFreqs)? {
                Some(postings) => out.push(BlockMax {
                    dense: u64::from(postings.doc_freq()) * DENSE_SHARE
                        >= u64::from(reader.max_doc()),
                    postings,
                    norms: reader.get_fieldnorms_reader(term.field())?,
                    weight: weight.clone(),
                    bonus: *bonus,
                    last: None,
                    max: 0.0,
                }),
                None => {
                    if let Some(b) = bonus {
                        missing[*b] = true;
                    }
                }
            }
        }
        out.retain(|c| c.bonus.is_none_or(|b| !missing[b]));
        Ok(out)
    }

    fn floor(&self) -> f32 {
        f32::from_bits(self.floor.load(Ordering::Relaxed))
    }
}

impl Ranged for TopBounded<'_> {
    type Fruit = (usize, Vec<(f32, DocAddress)>);
    type Out = Found<f32>;

    fn requires_scoring(&self) -> bool {
        true
    }

    fn collect_range(
        &self,
        mut scorer: Box<dyn Scorer>,
        ord: u32,
        reader: &SegmentReader,
        to: DocId,
    ) -> tantivy::Result<Self::Fruit> {
        let mut child = self.top.for_segment(ord, reader)?;
        let alive = reader.alive_bitset();
        // Counting: every hit is scored.
        let doc = self
            .counter
            .count(scorer.as_mut(), to, alive, |doc, scorer| {
                child.collect(doc, scorer.score());
            });
        let counted = child.count;
        if doc >= to {
            return Ok(child.harvest());
        }
        let mut kth = child.best.kth();
        if let Some(k) = kth {
            self.floor.fetch_max(k.to_bits(), Ordering::Relaxed);
        }
        // Enough hits are counted: only those that can enter the top `k` matter now.
        let mut bounds = self.cursors(reader)?;
        // A query with a phrase walks its bounding scorer (no positions read) and checks a
        // document with the search's scorer only when its bound could enter the page.
        let mut bounding = self.bounding_scorer(reader)?;
        let mut bound_at = At::Match(bounding.as_ref().map_or(TERMINATED, |b| b.doc()));
        // A document's final score is its score times its recency, at most that of the
        // newest date of its window of documents; the slack keeps a bound that rounds below
        // an equal score from skipping it.
        let windows: &[i64] = self.windows.get(ord as usize).map_or(&[], |w| w);
        let newest = self.top.newest;
        let factor = |from: DocId, to: DocId| -> Score {
            let (a, b) = ((from / DATE_WINDOW) as usize, (to / DATE_WINDOW) as usize);
            let date = windows.get(a..=b).and_then(|w| w.iter().max().copied());
            date.map_or(1.0 + RECENCY_WEIGHT, |d| recency(newest, d)) * (1.0 + SLACK)
        };
        // With no sparse term, every term ends windows (they would span MAX_WINDOW otherwise).
        if bounds.iter().all(|b| b.dense) {
            for b in &mut bounds {
                b.dense = false;
            }
        }
        let any_dense = bounds.iter().any(|b| b.dense);
        // Bonuses this segment has every term of.
        let live: Vec<bool> = (0..self.bonuses)
            .map(|g| bounds.iter().any(|b| b.bonus == Some(g)))
            .collect();
        // Bonuses with a sparse term, whose documents in a window can be listed from it.
        let listable: Vec<bool> = (0..self.bonuses)
            .map(|g| bounds.iter().any(|b| b.bonus == Some(g) && !b.dense))
            .collect();
        // Per bonus, the most it adds to a document of the window (`None`: no document of
        // the window has every term of it).
        let mut bonus_max: Vec<Option<Score>> = vec![None; self.bonuses];
        let mut bonuses: Vec<(Score, usize)> = Vec::with_capacity(self.bonuses);
        let mut candidates: Vec<DocId> = Vec::new();
        let mut common: Vec<DocId> = Vec::new();
        // The scorer is positioned lazily: a window that is skipped never moves it, so a
        // phrase reads no positions there.
        let mut at = At::Match(doc);
        let mut target = doc;
        'windows: while target < to {
            let floor = kth.unwrap_or(0.0).max(self.floor());
            let mut essential = None;
            let end;
            if floor > 0.0 {
                // The window ends with the current block of every sparse term (a dense one's
                // blocks are short and its bound barely changes from one to the next).
                let mut last = if any_dense {
                    (to - 1).min(target.saturating_add(MAX_WINDOW - 1))
                } else {
                    to - 1
                };
                for b in bounds.iter_mut().filter(|b| !b.dense) {
                    match b.at(target) {
                        Some((_, block_last)) => last = last.min(block_last),
                        // A term of a match has no document left: neither has a hit.
                        None if b.bonus.is_none() => break 'windows,
                        None => {}
                    }
                }
                end = last;
                let mut required = 0.0;
                for (m, &l) in bonus_max.iter_mut().zip(&live) {
                    *m = l.then_some(0.0);
                }
                let mut no_match = false;
                for b in bounds.iter_mut() {
                    let (max, here) = if b.dense {
                        // The largest block max of the window; taken to be there.
                        match b.max_over(target, end) {
                            Some(max) => (max, true),
                            None if b.bonus.is_none() => break 'windows,
                            None => (0.0, false),
                        }
                    } else {
                        // The block is loaded at `target` already: no seek.
                        let max = b.at(target).map_or(0.0, |(max, _)| max);
                        (max, !b.docs_within(target, end).is_empty())
                    };
                    match b.bonus {
                        None => {
                            required += max;
                            no_match |= !here;
                        }
                        Some(g) => {
                            bonus_max[g] = bonus_max[g].filter(|_| here).map(|sum| sum + max);
                        }
                    }
                }
                if no_match {
                    target = end.saturating_add(1);
                    continue;
                }
                bonuses.clear();
                bonuses.extend(
                    bonus_max
                        .iter()
                        .enumerate()
                        .filter_map(|(g, m)| m.map(|m| (m, g))),
                );
                let need = floor / factor(target, end);
                let all: Score = required + bonuses.iter().map(|b| b.0).sum::<Score>();
                if all < need {
                    target = end.saturating_add(1);
                    continue;
                }
                // MaxScore: the smallest bonuses that, with every match, still fall short
                // are not enough on their own; a hit of the window needs one of the others.
                bonuses.sort_by(|a, b| a.0.total_cmp(&b.0));
                let mut short = required;
                let mut n = 0;
                while n < bonuses.len() && short + bonuses[n].0 < need {
                    short += bonuses[n].0;
                    n += 1;
                }
                // The documents of a bonus are listed from its sparse terms: one of dense terms
                // only cannot list them, and then every match of the window is scored.
                if short < need && bonuses[n..].iter().all(|&(_, g)| listable[g]) {
                    essential = Some(n);
                }
            } else {
                // Nothing to compare with yet: a short window, then look again.
                end = (to - 1).min(target.saturating_add(DATE_WINDOW));
            }
            match essential {
                // Only the documents of the window that have every term of an essential
                // bonus can make it.
                Some(n) => {
                    candidates.clear();
                    for &(_, g) in &bonuses[n..] {
                        let mut terms = bounds.iter().filter(|b| b.bonus == Some(g) && !b.dense);
                        common.clear();
                        if let Some(first) = terms.next() {
                            common.extend_from_slice(first.docs_within(target, end));
                        }
                        for b in terms {
                            retain_common(&mut common, b.docs_within(target, end));
                        }
                        candidates.extend_from_slice(&common);
                    }
                    candidates.sort_unstable();
                    candidates.dedup();
                    for &c in &candidates {
                        let hit = match bounding.as_mut() {
                            Some(b) => {
                                bound_at.probe(b.as_mut(), c)
                                    && alive.is_none_or(|a| a.is_alive(c))
                                    && could_enter(&child, c, b.score(), floor)
                                    && at.probe(scorer.as_mut(), c)
                            }
                            None => {
                                at.probe(scorer.as_mut(), c) && alive.is_none_or(|a| a.is_alive(c))
                            }
                        };
                        if hit {
                            child.collect(c, scorer.score());
                        }
                    }
                }
                None if bounding.is_some() => {
                    let b = bounding.as_mut().expect("bounding is some");
                    let mut d = bound_at.reach(b.as_mut(), target);
                    while d <= end {
                        if alive.is_none_or(|a| a.is_alive(d))
                            && could_enter(&child, d, b.score(), floor)
                            && at.probe(scorer.as_mut(), d)
                        {
                            child.collect(d, scorer.score());
                        }
                        d = b.advance();
                    }
                    bound_at = At::Match(d);
                    if d == TERMINATED {
                        break;
                    }
                }
                None => {
                    let mut d = at.reach(scorer.as_mut(), target);
                    while d <= end {
                        if alive.is_none_or(|a| a.is_alive(d)) {
                            child.collect(d, scorer.score());
                        }
                        d = scorer.advance();
                    }
                    at = At::Match(d);
                    if d == TERMINATED {
                        break;
                    }
                }
            }
            target = end.saturating_add(1);
            let now = child.best.kth();
            if now > kth {
                kth = now;
                if let Some(k) = kth {
                    self.floor.fetch_max(k.to_bits(), Ordering::Relaxed);
                }
            }
        }
        // Only what was counted: hits scored after the count stopped are not all of them.
        child.count = counted;
        Ok(child.harvest())
    }

    fn merge(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Found<f32>> {
        let (total, top) = self.top.merge_fruits(fruits)?;
        Ok(Found {
            total,
            exact: self.counter.exact(),
            top,
        })
    }
}

/// Counts hits (up to the count limit), and keeps their addresses while there are at most
/// `max`: for a search of one term with a filter or an exclusion, which scores few hits one
/// by one (see `hits.rs`).
pub(crate) struct Few {
    max: usize,
    counter: Counter,
}

impl Few {
    pub(crate) fn new(max: usize, count_limit: Option<usize>) -> Few {
        Few {
            max,
            counter: Counter::new(count_limit),
        }
    }
}

impl Ranged for Few {
    type Fruit = (usize, Vec<DocAddress>);
    /// The count, whether it is every hit, and every hit when it is and there are at most
    /// `max`.
    type Out = (usize, bool, Option<Vec<DocAddress>>);

    fn requires_scoring(&self) -> bool {
        false
    }

    fn collect_range(
        &self,
        mut scorer: Box<dyn Scorer>,
        ord: u32,
        reader: &SegmentReader,
        to: DocId,
    ) -> tantivy::Result<Self::Fruit> {
        let (mut count, mut docs) = (0, Vec::new());
        self.counter
            .count(scorer.as_mut(), to, reader.alive_bitset(), |doc, _| {
                count += 1;
                if docs.len() < self.max {
                    docs.push(DocAddress::new(ord, doc));
                }
            });
        Ok((count, docs))
    }

    fn merge(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Out> {
        let total = fruits.iter().map(|f| f.0).sum();
        let exact = self.counter.exact();
        let few =
            (exact && total <= self.max).then(|| fruits.into_iter().flat_map(|f| f.1).collect());
        Ok((total, exact, few))
    }
}

/// Whether a document of `child`'s segment that scores at most `bound` could enter the page,
/// whose `k`-th final score is at least `floor` (or the segment's own `k`-th).
fn could_enter(child: &TopRecentSegment, doc: DocId, bound: Score, floor: f32) -> bool {
    let floor = child.best.kth().map_or(floor, |k| k.max(floor));
    // Recency multiplies by at most `1 + RECENCY_WEIGHT`: reading the date can wait.
    floor <= 0.0
        || bound * (1.0 + RECENCY_WEIGHT) * (1.0 + SLACK) >= floor
            && child.final_score(doc, bound) * (1.0 + SLACK) >= floor
}

/// Where a scorer stands, for `seek_danger`: on a match, or (after `seek_danger` missed) below
/// a bound under which nothing matches, where only `seek_danger` may follow.
#[derive(Clone, Copy)]
enum At {
    Match(DocId),
    Below(DocId),
}

impl At {
    /// Whether `doc` matches (`doc` above every document asked before), reading the scorer
    /// at `doc` only (a phrase checks positions there, not up to the next match).
    fn probe(&mut self, scorer: &mut dyn Scorer, doc: DocId) -> bool {
        match *self {
            At::Match(d) if d >= doc => d == doc,
            At::Below(b) if b > doc => false,
            _ => match scorer.seek_danger(doc) {
                SeekDangerResult::Found => {
                    *self = At::Match(doc);
                    true
                }
                SeekDangerResult::SeekLowerBound(b) => {
                    *self = At::Below(b);
                    false
                }
            },
        }
    }

    /// Moves the scorer to its first match at or after `target` (`TERMINATED` if none).
    fn reach(&mut self, scorer: &mut dyn Scorer, target: DocId) -> DocId {
        let doc = match *self {
            At::Match(d) if d >= target => d,
            At::Match(_) => scorer.seek(target),
            At::Below(b) => {
                let mut t = b.max(target);
                loop {
                    if t >= TERMINATED {
                        break TERMINATED;
                    }
                    match scorer.seek_danger(t) {
                        SeekDangerResult::Found => break t,
                        SeekDangerResult::SeekLowerBound(b) => t = b,
                    }
                }
            }
        };
        *self = At::Match(doc);
        doc
    }
}

/// Documents per window of [`DateWindows`].
pub(crate) const DATE_WINDOW: DocId = 128;

/// The newest `date` of each window of [`DATE_WINDOW`] document ids of a segment (deleted
/// documents included): what lets a search newest first skip windows of older documents.
pub(crate) type DateWindows = std::sync::Arc<[i64]>;

/// The [`DateWindows`] of a segment of `max_doc` documents with the date column `dates`.
pub(crate) fn date_windows(dates: Option<&DateColumn>, max_doc: DocId) -> DateWindows {
    (0..max_doc.div_ceil(DATE_WINDOW))
        .map(|w| {
            let from = w * DATE_WINDOW;
            (from..max_doc.min(from + DATE_WINDOW))
                .map(|d| date_of(dates, d))
                .max()
                .unwrap_or(i64::MIN)
        })
        .collect()
}

fn date_of(dates: Option<&DateColumn>, doc: DocId) -> i64 {
    dates.and_then(|c| c.get(doc)).unwrap_or(i64::MIN)
}

/// The newest `k` hits (ties: the lower document address first), with their count, as
/// [`Ranged`] collection: once enough hits are counted, a range skips the windows whose
/// newest date is older than the `k`-th newest hit found so far.
pub(crate) struct TopDated {
    k: usize,
    /// Per segment ordinal.
    windows: Vec<DateWindows>,
    /// Per segment ordinal.
    dates: Vec<Option<DateColumn>>,
    counter: Counter,
    /// The `k`-th newest date of any range so far.
    floor: AtomicI64,
}

impl TopDated {
    pub(crate) fn new(
        k: usize,
        windows: Vec<DateWindows>,
        dates: Vec<Option<DateColumn>>,
        count_limit: Option<usize>,
    ) -> TopDated {
        TopDated {
            k: k.max(1),
            windows,
            dates,
            counter: Counter::new(count_limit),
            floor: AtomicI64::new(i64::MIN),
        }
    }
}

/// A hit newest first, ordered so that the *worst* is the greatest: older, then (same date)
/// the later document.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Dated(i64, DocId);

impl PartialOrd for Dated {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Dated {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.0.cmp(&self.0).then(self.1.cmp(&other.1))
    }
}

impl Ranged for TopDated {
    type Fruit = (usize, Vec<(i64, DocAddress)>);
    type Out = Found<i64>;

    fn requires_scoring(&self) -> bool {
        false
    }

    fn collect_range(
        &self,
        mut scorer: Box<dyn Scorer>,
        ord: u32,
        reader: &SegmentReader,
        to: DocId,
    ) -> tantivy::Result<Self::Fruit> {
        let read;
        let dates = match self.dates.get(ord as usize) {
            Some(kept) => kept.as_ref(),
            None => {
                read = DateColumn::of(reader);
                read.as_ref()
            }
        };
        let alive = reader.alive_bitset();
        let mut best: std::collections::BinaryHeap<Dated> = std::collections::BinaryHeap::new();
        let k = self.k;
        let mut offer = |doc: DocId| {
            let hit = Dated(date_of(dates, doc), doc);
            if best.len() < k {
                best.push(hit);
            } else if best.peek().is_some_and(|worst| hit < *worst) {
                best.pop();
                best.push(hit);
            }
            (best.len() == k).then(|| best.peek().map_or(i64::MIN, |w| w.0))
        };
        let mut counted = 0;
        let mut kth = None;
        let mut doc = self.counter.count(scorer.as_mut(), to, alive, |doc, _| {
            counted += 1;
            kth = offer(doc);
        });
        if doc < to {
            let windows: &[i64] = self.windows.get(ord as usize).map_or(&[], |w| w);
            let last = |w: usize| ((w as DocId + 1) * DATE_WINDOW).min(to);
            if let Some(k) = kth {
                self.floor.fetch_max(k, Ordering::Relaxed);
            }
            while doc < to {
                // Skip windows all older than the k-th newest (equal dates may still win
                // on the document address).
                let floor = kth
                    .unwrap_or(i64::MIN)
                    .max(self.floor.load(Ordering::Relaxed));
                let mut w = (doc / DATE_WINDOW) as usize;
                if kth.is_some() || floor > i64::MIN {
                    while w < windows.len() && windows[w] < floor {
                        w += 1;
                    }
                    let start = w as DocId * DATE_WINDOW;
                    if start >= to {
                        break;
                    }
                    if start > doc {
                        doc = scorer.seek(start);
                        continue;
                    }
                }
                let end = last(w);
                while doc < end {
                    if alive.is_none_or(|a| a.is_alive(doc)) {
                        let now = offer(doc);
                        if now > kth {
                            kth = now;
                            if let Some(k) = kth {
                                self.floor.fetch_max(k, Ordering::Relaxed);
                            }
                        }
                    }
                    doc = scorer.advance();
                }
            }
        }
        Ok((
            counted,
            best.into_iter()
                .map(|Dated(date, d)| (date, DocAddress::new(ord, d)))
                .collect(),
        ))
    }

    fn merge(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Found<i64>> {
        let total = fruits.iter().map(|f| f.0).sum();
        let mut all: Vec<(i64, DocAddress)> = fruits.into_iter().flat_map(|f| f.1).collect();
        all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        all.truncate(self.k);
        Ok(Found {
            total,
            exact: self.counter.exact(),
            top: all,
        })
    }
}

/// A term's posting list read block by block, for the most its BM25 score can be in a block.
struct BlockMax {
    postings: BlockSegmentPostings,
    norms: FieldNormReader,
    weight: Bm25Weight,
    /// The bonus of the term, `None` for a term of a match (every hit has it).
    bonus: Option<usize>,
    /// In at least one document in [`DENSE_SHARE`]: its blocks do not end windows.
    dense: bool,
    /// The last document of the loaded block (`TERMINATED` past the end; `None` before the
    /// first seek).
    last: Option<DocId>,
    /// The block-max score of the loaded block.
    max: Score,
}

impl BlockMax {
    /// The block-max score of the block that holds the term's first document at or after
    /// `doc` (`doc` never decreases from call to call), and that block's last document;
    /// `None` when the term has no document from `doc` on. No document between `doc` and the
    /// block's first has the term, so the score bounds the term on `doc..=last`.
    fn at(&mut self, doc: DocId) -> Option<(Score, DocId)> {
        if self
            .last
            .is_none_or(|last| last != TERMINATED && last < doc)
        {
            let i = self.postings.seek(doc);
            let len = self.postings.block_len();
            self.last = Some(if i < len {
                self.postings.docs()[len - 1]
            } else {
                TERMINATED
            });
            self.max = self.postings.block_max_score(&self.norms, &self.weight);
        }
        match self.last {
            Some(last) if last != TERMINATED => Some((self.max, last)),
            _ => None,
        }
    }

    /// The largest block-max score of the blocks that hold the term's documents from `from`
    /// to `to` (and of the block that holds its first document after `to`, when none does);
    /// `None` when the term has no document from `from` on. Leaves the last of them loaded.
    fn max_over(&mut self, from: DocId, to: DocId) -> Option<Score> {
        let (mut max, mut last) = self.at(from)?;
        while last < to {
            match self.at(last + 1) {
                Some((m, l)) => {
                    max = max.max(m);
                    last = l;
                }
                None => break,
            }
        }
        Some(max)
    }

    /// The term's documents in `from..=to`, which lie in the loaded block: a range that
    /// [`BlockMax::at`]`(from)` bounded.
    fn docs_within(&self, from: DocId, to: DocId) -> &[DocId] {
        if self.last.is_none_or(|last| last == TERMINATED) {
            return &[];
        }
        let docs = self.postings.docs();
        let start = docs.partition_point(|&d| d < from);
        let end = docs.partition_point(|&d| d <= to);
        &docs[start..end.max(start)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, TextFieldIndexing, TextOptions};
    use tantivy::{Index, TantivyDocument};

    /// Over consecutive windows, as a search walks them, a dense term's bound is at least the
    /// score of each of its documents in the window, across as many blocks as the window spans.
    #[test]
    fn a_dense_terms_bound_covers_every_block_of_the_window() {
        let mut builder = Schema::builder();
        let field = builder.add_text_field(
            "text",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("default")
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        );
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 50_000_000).unwrap();
        // "a" in most documents, as often and in texts as long as a cheap generator says, so
        // that block maxima differ; the best scores come late (short texts, many "a").
        let mut tf = Vec::new();
        let mut state = 7u64;
        for i in 0..3_000u64 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = state >> 33;
            let n = if r.is_multiple_of(5) {
                0
            } else {
                1 + (r % 3) + i / 1_000
            };
            let filler = 1 + (r / 7) % 40;
            let mut text = "a ".repeat(n as usize);
            text.push_str(&"b ".repeat(filler as usize));
            let mut doc = TantivyDocument::new();
            doc.add_text(field, &text);
            writer.add_document(doc).unwrap();
            tf.push(n as u32);
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        let reader = searcher.segment_reader(0);
        let term = Term::from_field_text(field, "a");
        let weight = Bm25Weight::for_terms(&searcher, std::slice::from_ref(&term)).unwrap();
        let norms = reader.get_fieldnorms_reader(field).unwrap();
        let postings = reader
            .inverted_index(field)
            .unwrap()
            .read_block_postings(&term, IndexRecordOption::WithFreqs)
            .unwrap()
            .unwrap();
        let mut b = BlockMax {
            postings,
            norms: norms.clone(),
            weight: weight.clone(),
            bonus: None,
            dense: true,
            last: None,
            max: 0.0,
        };
        let (mut from, mut spanned) = (0u32, 0);
        while from < 3_000 {
            let to = (from + 100 + from % 300).min(2_999);
            let bound = b.max_over(from, to).unwrap();
            for doc in from..=to {
                if tf[doc as usize] > 0 {
                    let score = weight.score(norms.fieldnorm_id(doc), tf[doc as usize]);
                    assert!(
                        bound >= score,
                        "{from}..={to}: {bound} below {score} at {doc}"
                    );
                }
            }
            spanned += usize::from(to - from > 256);
            from = to + 1;
        }
        assert!(spanned > 2, "windows should span several blocks");
    }
}
