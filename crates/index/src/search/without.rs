//! One included term of a search less the exclusions: its documents that no excluded query
//! matches, scored as the term.
//!
//! Each included term carries the exclusions, instead of the search excluding from the
//! intersection of its terms (tantivy's `+a +b -c` checks `c` at each document of `a` and `b`
//! together, after seeking into every one of them). An intersection is led by its rarest
//! clause, which then checks the exclusions at each of its documents before the others are
//! sought: where an exclusion rejects most of them (台湾 -美国 的: few articles on 台湾 do not
//! mention 美国), the seeks into the other clauses are spared. The filter "latest version"
//! is such an exclusion too, of the few earlier versions (`plan.rs`).
//!
//! An excluded term that is in half the documents or more is not checked document by document:
//! its complement (the documents without it, listed from the gaps of its postings) joins the
//! intersection instead, where it is the rarest clause and leads (的 -中国: the articles
//! without 中国 are few, the ones with 的 nearly all).
//!
//! tantivy's own `Exclude` would do the filtering, but it answers `seek_danger` by seeking
//! (a phrase then reads positions up to its next match, not just at the document asked about)
//! and reports the size of its docset as its cost, where a phrase reports the positions it
//! reads (what decides whether a search is cut into ranges on several threads).

use tantivy::postings::SegmentPostings;
use tantivy::query::{
    ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight, intersect_scorers,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED, Term};

/// An excluded term in at least one document in this many is excluded by its complement.
const DENSE_SHARE: u64 = 2;

/// The documents of `include` that nothing of `excluded` matches.
#[derive(Debug)]
pub(crate) struct Without {
    pub(crate) include: Box<dyn Query>,
    pub(crate) excluded: Vec<Excluded>,
}

/// What [`Without`] excludes.
#[derive(Debug)]
pub(crate) enum Excluded {
    /// The documents of one index term.
    Term(Term),
    /// The matches of a query, which answers `seek_danger` about any document (a phrase is
    /// [`super::guard::Guarded`]).
    Query(Box<dyn Query>),
}

impl Clone for Excluded {
    fn clone(&self) -> Self {
        match self {
            Excluded::Term(t) => Excluded::Term(t.clone()),
            Excluded::Query(q) => Excluded::Query(q.box_clone()),
        }
    }
}

impl Clone for Without {
    fn clone(&self) -> Self {
        Without {
            include: self.include.box_clone(),
            excluded: self.excluded.clone(),
        }
    }
}

impl Query for Without {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // Exclusions only filter: their scores are never read.
        let unscored = match enable_scoring.searcher() {
            Some(searcher) => EnableScoring::disabled_from_searcher(searcher),
            None => EnableScoring::disabled_from_schema(enable_scoring.schema()),
        };
        Ok(Box::new(WithoutWeight {
            include: self.include.weight(enable_scoring)?,
            excluded: self
                .excluded
                .iter()
                .map(|e| {
                    Ok(match e {
                        Excluded::Term(term) => ExcludedWeight::Term(term.clone()),
                        Excluded::Query(q) => ExcludedWeight::Query(q.weight(unscored)?),
                    })
                })
                .collect::<tantivy::Result<_>>()?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.include.query_terms(visitor);
        for e in &self.excluded {
            match e {
                Excluded::Term(t) => visitor(t, false),
                Excluded::Query(q) => q.query_terms(visitor),
            }
        }
    }
}

struct WithoutWeight {
    include: Box<dyn Weight>,
    excluded: Vec<ExcludedWeight>,
}

/// An exclusion, ready for segments: a term is read from its postings directly (one lookup
/// tells both whether it is dense and where its documents are).
enum ExcludedWeight {
    Term(Term),
    Query(Box<dyn Weight>),
}

/// The documents of `term` in `reader`, `None` when it has none.
fn postings(reader: &SegmentReader, term: &Term) -> tantivy::Result<Option<SegmentPostings>> {
    Ok(reader
        .inverted_index(term.field())?
        .read_postings(term, IndexRecordOption::Basic)?)
}

impl Weight for WithoutWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut inner = vec![self.include.scorer(reader, boost)?];
        let mut excluded: Vec<Box<dyn Scorer>> = Vec::with_capacity(self.excluded.len());
        let max_doc = reader.max_doc();
        for e in &self.excluded {
            match e {
                ExcludedWeight::Term(term) => match postings(reader, term)? {
                    Some(p) if u64::from(p.doc_freq()) * DENSE_SHARE >= u64::from(max_doc) => {
                        inner.push(Box::new(Complement::new(p, max_doc)));
                    }
                    Some(p) => excluded.push(Box::new(ConstScorer::new(p, 0.0))),
                    None => {}
                },
                ExcludedWeight::Query(w) => excluded.push(w.scorer(reader, 1.0)?),
            }
        }
        let inner = if inner.len() == 1 {
            inner.pop().expect("one scorer")
        } else {
            intersect_scorers(inner, reader.num_docs())
        };
        let mut scorer = WithoutScorer {
            inner,
            excluded,
            below: None,
        };
        let first = scorer.inner.doc();
        if first != TERMINATED && scorer.excluded_at(first) {
            scorer.advance();
        }
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        for e in &self.excluded {
            let excluded = match e {
                ExcludedWeight::Term(term) => {
                    postings(reader, term)?.is_some_and(|mut p| p.seek(doc) == doc)
                }
                ExcludedWeight::Query(w) => w.explain(reader, doc).is_ok(),
            };
            if excluded {
                return Err(tantivy::TantivyError::InvalidArgument(format!(
                    "document {doc} is excluded"
                )));
            }
        }
        self.include.explain(reader, doc)
    }
}

struct WithoutScorer {
    inner: Box<dyn Scorer>,
    excluded: Vec<Box<dyn Scorer>>,
    /// After `seek_danger` answered a lower bound: that bound (nothing matches below it, and
    /// the inner scorer may be in tantivy's "invalid" state).
    below: Option<DocId>,
}

impl WithoutScorer {
    /// Whether an exclusion matches `doc` (asked in increasing order, past documents included:
    /// each exclusion answers those).
    fn excluded_at(&mut self, doc: DocId) -> bool {
        self.excluded
            .iter_mut()
            .any(|e| e.seek_danger(doc) == SeekDangerResult::Found)
    }

    /// The first document of the inner scorer from `doc` on (where it stands) that no
    /// exclusion matches.
    fn accept_from(&mut self, mut doc: DocId) -> DocId {
        while doc != TERMINATED && self.excluded_at(doc) {
            doc = self.inner.advance();
        }
        doc
    }
}

impl DocSet for WithoutScorer {
    fn advance(&mut self) -> DocId {
        if let Some(bound) = self.below {
            return self.seek(bound);
        }
        let doc = self.inner.advance();
        self.accept_from(doc)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let target = self.below.take().map_or(target, |b| b.max(target));
        let doc = self.inner.seek(target);
        self.accept_from(doc)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= TERMINATED {
            self.below = Some(TERMINATED);
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        let answer = match self.inner.seek_danger(target) {
            SeekDangerResult::Found if self.excluded_at(target) => {
                SeekDangerResult::SeekLowerBound(target + 1)
            }
            answer => answer,
        };
        self.below = match answer {
            SeekDangerResult::Found => None,
            SeekDangerResult::SeekLowerBound(bound) => Some(bound),
        };
        answer
    }

    fn doc(&self) -> DocId {
        self.below.unwrap_or_else(|| self.inner.doc())
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for WithoutScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}

/// The documents without a term: the gaps of its postings, up to `max_doc`. Scores 0.
struct Complement {
    postings: SegmentPostings,
    max_doc: DocId,
    /// The current gap (`TERMINATED` past the last).
    doc: DocId,
}

impl Complement {
    fn new(postings: SegmentPostings, max_doc: DocId) -> Complement {
        let mut c = Complement {
            postings,
            max_doc,
            doc: 0,
        };
        c.doc = c.gap_from(0);
        c
    }

    /// The first document from `doc` on that the term does not have.
    fn gap_from(&mut self, mut doc: DocId) -> DocId {
        loop {
            if doc >= self.max_doc {
                return TERMINATED;
            }
            let mut p = self.postings.doc();
            if p < doc {
                p = self.postings.seek(doc);
            }
            if p > doc {
                return doc;
            }
            // A run of the term's documents: walk it (the block is decoded already).
            doc += 1;
            self.postings.advance();
        }
    }
}

impl DocSet for Complement {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.gap_from(self.doc + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target > self.doc {
            self.doc = self.gap_from(target);
        }
        self.doc
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        let doc = self.seek(target);
        if doc == target {
            SeekDangerResult::Found
        } else {
            SeekDangerResult::SeekLowerBound(doc)
        }
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.max_doc.saturating_sub(self.postings.doc_freq())
    }
}

impl Scorer for Complement {
    fn score(&mut self) -> Score {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{STRING, Schema};
    use tantivy::{Index, TantivyDocument};

    /// The gaps of a term with runs at the start, the end, across blocks and single
    /// documents, read by `advance`, `seek` and `seek_danger` in mixed order, against the
    /// documents it does not have.
    #[test]
    fn a_complement_lists_the_documents_without_the_term() {
        let mut builder = Schema::builder();
        let field = builder.add_text_field("t", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let has = |d: u32| d < 10 || (300..700).contains(&d) || d % 7 == 3 || d >= 990;
        for d in 0..1_000u32 {
            let mut doc = TantivyDocument::new();
            doc.add_text(field, if has(d) { "x" } else { "y" });
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let reader = searcher.segment_reader(0);
        let term = Term::from_field_text(field, "x");
        let open = || {
            let postings = reader
                .inverted_index(field)
                .unwrap()
                .read_postings(&term, IndexRecordOption::Basic)
                .unwrap()
                .unwrap();
            Complement::new(postings, reader.max_doc())
        };
        let gaps: Vec<DocId> = (0..1_000).filter(|&d| !has(d)).collect();
        let next_gap = |t: DocId| gaps.iter().copied().find(|&g| g >= t).unwrap_or(TERMINATED);

        let mut c = open();
        let mut listed = Vec::new();
        while c.doc() != TERMINATED {
            listed.push(c.doc());
            c.advance();
        }
        assert_eq!(listed, gaps);
        assert_eq!(c.advance(), TERMINATED);

        // Targets that climb by uneven steps, landing on runs, on gaps and past the end.
        let mut c = open();
        let mut target = 0;
        let mut step = 1;
        while target < 1_100 {
            let want = next_gap(target.max(c.doc()));
            if step % 2 == 0 {
                assert_eq!(c.seek(target), want, "seek {target}");
            } else {
                let got = c.seek_danger(target);
                let expected = if want == target {
                    SeekDangerResult::Found
                } else {
                    SeekDangerResult::SeekLowerBound(want)
                };
                assert_eq!(got, expected, "seek_danger {target}");
            }
            target += step;
            step = step % 37 + 3;
        }
        assert_eq!(c.size_hint() as usize, gaps.len());
    }
}
