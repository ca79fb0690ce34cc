//! A wrapper that answers tantivy's "seek danger" questions about earlier documents.
//!
//! tantivy 0.27 asks an excluded (`MustNot`) scorer about documents *before* its current one
//! when it sets up an exclusion, which the `seek_danger` protocol otherwise rules out (tantivy's
//! own phrase scorer asserts it never happens; ours, `phrase.rs`, would answer from postings
//! already moved past). The wrapper answers such a question itself, from what it knows (the
//! current document of a scorer in a valid state is its next match; after a "lower bound"
//! answer, nothing matches below that bound), and passes every other `seek_danger` on to the
//! phrase scorer, whose own `seek_danger` reads positions only at the document asked about.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED, Term};

/// `inner`, with the safe `seek_danger`.
#[derive(Debug)]
pub(crate) struct Guarded(pub(crate) Box<dyn Query>);

impl Clone for Guarded {
    fn clone(&self) -> Self {
        Guarded(self.0.box_clone())
    }
}

impl Query for Guarded {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(GuardedWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct GuardedWeight(Box<dyn Weight>);

impl Weight for GuardedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(GuardedScorer {
            inner: self.0.scorer(reader, boost)?,
            below: None,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct GuardedScorer {
    inner: Box<dyn Scorer>,
    /// After `seek_danger` answered a lower bound (the inner scorer may then be in tantivy's
    /// "invalid" state, and only `seek_danger` with larger targets follows): that bound.
    below: Option<DocId>,
}

impl DocSet for GuardedScorer {
    fn advance(&mut self) -> DocId {
        self.below = None;
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.below.is_none() && self.inner.doc() >= target {
            return self.inner.doc();
        }
        self.below = None;
        self.inner.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= TERMINATED {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        let doc = self.inner.doc();
        match self.below {
            // Valid state: `doc` is the next match, and nothing matches between the last
            // target and it. The inner scorer stays valid.
            None if target <= doc => {
                return if target == doc {
                    SeekDangerResult::Found
                } else {
                    SeekDangerResult::SeekLowerBound(doc)
                };
            }
            // Nothing matches below the bound given for an earlier (smaller) target.
            Some(bound) if target < bound && target < doc => {
                return SeekDangerResult::SeekLowerBound(bound);
            }
            _ => {}
        }
        let answer = self.inner.seek_danger(target);
        self.below = match answer {
            SeekDangerResult::Found => None,
            SeekDangerResult::SeekLowerBound(bound) => Some(bound),
        };
        answer
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for GuardedScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A scorer over `docs` whose `seek_danger` behaves like a phrase scorer's: at a document
    /// it does not have, it answers `target + 1` and stays there (tantivy's invalid state).
    /// It panics when asked about a document below its current one, as the phrase scorer's
    /// `debug_assert!` does.
    struct Fake {
        docs: Vec<DocId>,
        at: DocId,
        asked: Arc<Mutex<Vec<DocId>>>,
    }

    impl Fake {
        fn next_from(&self, target: DocId) -> DocId {
            self.docs
                .iter()
                .copied()
                .find(|&d| d >= target)
                .unwrap_or(TERMINATED)
        }
    }

    impl DocSet for Fake {
        fn advance(&mut self) -> DocId {
            self.at = self.next_from(self.at + 1);
            self.at
        }
        fn seek(&mut self, target: DocId) -> DocId {
            self.at = self.next_from(target);
            self.at
        }
        fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
            assert!(target >= self.at, "asked about {target} below {}", self.at);
            self.asked.lock().unwrap().push(target);
            self.at = target;
            if self.docs.contains(&target) {
                SeekDangerResult::Found
            } else {
                SeekDangerResult::SeekLowerBound(target + 1)
            }
        }
        fn doc(&self) -> DocId {
            self.at
        }
        fn size_hint(&self) -> u32 {
            self.docs.len() as u32
        }
    }

    impl Scorer for Fake {
        fn score(&mut self) -> Score {
            1.0
        }
    }

    /// A guarded [`Fake`], and the documents its `seek_danger` was asked about.
    fn guarded(docs: &[DocId]) -> (GuardedScorer, Arc<Mutex<Vec<DocId>>>) {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let fake = Fake {
            docs: docs.to_vec(),
            at: docs[0],
            asked: Arc::clone(&asked),
        };
        let g = GuardedScorer {
            inner: Box::new(fake),
            below: None,
        };
        (g, asked)
    }

    #[test]
    fn answers_below_the_current_document_itself_and_passes_the_rest_on() {
        use SeekDangerResult::{Found, SeekLowerBound};
        let (mut g, log) = guarded(&[5, 10, 20]);
        let asked = || log.lock().unwrap().clone();
        // An exclusion set up asks about a document before the first match.
        assert_eq!(g.seek_danger(3), SeekLowerBound(5));
        assert_eq!(g.seek_danger(5), Found);
        assert_eq!(
            asked(),
            Vec::<DocId>::new(),
            "both answered from the current match"
        );
        // Forward questions reach the inner scorer, which reads only the document asked.
        assert_eq!(g.seek_danger(7), SeekLowerBound(8));
        assert_eq!(g.seek_danger(10), Found);
        assert_eq!(asked(), vec![7, 10]);
        // After a valid seek, a question below the match is answered from it.
        assert_eq!(g.seek(12), 20);
        assert_eq!(g.seek_danger(15), SeekLowerBound(20));
        assert_eq!(g.seek_danger(20), Found);
        assert_eq!(g.seek_danger(TERMINATED), SeekLowerBound(TERMINATED));
        assert_eq!(
            asked(),
            vec![7, 10],
            "none of these needed the inner scorer"
        );
    }
}
