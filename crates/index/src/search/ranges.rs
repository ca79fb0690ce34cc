//! One search on several cores: a large segment is cut into ranges of document ids, each
//! collected on its own thread.
//!
//! tantivy runs one query on one thread per segment, and a rebuilt index is one segment, so a
//! query that visits hundreds of thousands of documents (a frequent phrase, whose every
//! candidate needs its positions read; a count by date) used one core of an idle machine. Each
//! range gets its own scorer, sought to the range's first document, and its own collection
//! ([`Ranged`]); the fruits are merged as if they came from separate segments.

use std::sync::OnceLock;
use tantivy::query::{EnableScoring, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Searcher, SegmentReader};

/// Estimated cost (tantivy's `DocSet::cost`: about the documents a scorer visits, more for
/// phrases) below which a segment is collected on one thread: a thread is not worth it for a
/// query of a millisecond or two.
const PARALLEL_COST: u64 = 100_000;

fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// When a segment is cut: at an estimated cost of `cost` or more, into `parts` ranges.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Split {
    pub(crate) cost: u64,
    pub(crate) parts: usize,
}

/// Most ranges a segment is cut into by default, however many cores: each is a thread, and a
/// server runs many searches at once.
const MAX_PARTS: usize = 8;

impl Split {
    /// Never cut.
    pub(crate) const ONE: Split = Split {
        cost: u64::MAX,
        parts: 1,
    };
}

impl Default for Split {
    fn default() -> Split {
        Split {
            cost: PARALLEL_COST,
            parts: cores().min(MAX_PARTS),
        }
    }
}

/// How the documents of one range are collected, and the fruits of all ranges merged. The
/// collection drives the scorer itself (`top.rs` stops counting and skips blocks of
/// documents), so it is not a tantivy `Collector`; it must break ties by document address for
/// the result not to depend on the cut.
pub(crate) trait Ranged: Sync {
    type Fruit: Send;
    type Out;
    fn requires_scoring(&self) -> bool;
    /// The fruit of the documents of `reader` below `to` that `scorer` matches from where it
    /// stands (on its first match in the range).
    fn collect_range(
        &self,
        scorer: Box<dyn Scorer>,
        ord: u32,
        reader: &SegmentReader,
        to: DocId,
    ) -> tantivy::Result<Self::Fruit>;
    fn merge(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Out>;
}

/// Runs `query` over every segment of `searcher` with `ranged`, each costly segment cut into
/// ranges of document ids collected on threads of their own.
pub(crate) fn run<R: Ranged>(
    searcher: &Searcher,
    query: &dyn Query,
    ranged: &R,
    split: Split,
) -> tantivy::Result<R::Out> {
    let scoring = if ranged.requires_scoring() {
        EnableScoring::enabled_from_searcher(searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    let weight = query.weight(scoring)?;
    let mut fruits = Vec::with_capacity(searcher.segment_readers().len());
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let ord = ord as u32;
        let (parts, first) = parts(weight.as_ref(), reader, split)?;
        if parts <= 1 {
            fruits.push(ranged.collect_range(first, ord, reader, reader.max_doc())?);
            continue;
        }
        let max = reader.max_doc();
        let bounds: Vec<(DocId, DocId)> = (0..parts)
            .map(|i| {
                let at = |i: usize| (u64::from(max) * i as u64 / parts as u64) as DocId;
                (at(i), at(i + 1))
            })
            .collect();
        let weight = weight.as_ref();
        let collected = std::thread::scope(|scope| {
            let others: Vec<_> = bounds[1..]
                .iter()
                .map(|&(from, to)| {
                    scope.spawn(move || {
                        let mut scorer = weight.scorer(reader, 1.0)?;
                        if scorer.doc() < from {
                            scorer.seek(from);
                        }
                        ranged.collect_range(scorer, ord, reader, to)
                    })
                })
                .collect();
            let mut out = vec![ranged.collect_range(first, ord, reader, bounds[0].1)];
            for handle in others {
                match handle.join() {
                    Ok(fruit) => out.push(fruit),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            out
        });
        for fruit in collected {
            fruits.push(fruit?);
        }
    }
    ranged.merge(fruits)
}

/// Into how many ranges `reader` is cut for `weight` (1: not cut), with the scorer of the
/// first range, which tells the cost.
fn parts(
    weight: &dyn Weight,
    reader: &SegmentReader,
    split: Split,
) -> tantivy::Result<(usize, Box<dyn Scorer>)> {
    let scorer = weight.scorer(reader, 1.0)?;
    let parts = if split.parts < 2 || scorer.cost() < split.cost {
        1
    } else {
        // No range of fewer than a handful of documents.
        split.parts.min(reader.max_doc() as usize / 8).max(1)
    };
    Ok((parts, scorer))
}
