//! A phrase of exact-field lookups that reads more posting lists than it scores, and reads
//! positions rarest first.
//!
//! A term of `n` run characters needs only every other bigram to pin each character
//! ([`super::plan`]'s lookups), but the bigrams in between are indexed too, and they are where a
//! phrase that crosses words is rare: 增长台积电 is 增长 + 台积 + 积电, three frequent bigrams
//! whose documents mostly do not have the phrase, while 长台 is in few. The documents of every
//! term are intersected first (rarest term leading), so giving the phrase every bigram shrinks
//! the documents whose positions are read. It never changes which documents match: the text
//! has every one of those bigrams wherever it has the phrase.
//!
//! At a document of the intersection, positions are read in order of the terms' frequency *in
//! that document* (known from the postings without reading positions), and the check stops at
//! the first pair that does not line up. tantivy's phrase scorer reads them in phrase order, so
//! 拜登1月19 read every position of `1` and `月` (dozens in an article with dates) in each of the
//! thousands of articles that mention 拜登 and have those units somewhere; here the one or two
//! positions of 拜登 and of `19` usually settle it.
//!
//! The score stays the one of the covering lookups: BM25 of the phrase's frequency, weighed by
//! the sum of the covering lookups' idf (as tantivy weighs a phrase by its terms'), so that
//! adding terms does not make one query term weigh more than another.
//!
//! A phrase that only bounds ([`Check::Bound`]) reads no positions: it matches every document
//! of the intersection, scored as if the phrase were there as often as its rarest term is in
//! that document, which is at least its score. A search that looks only for the best hits
//! (`top.rs`) scores a document so first, and reads its positions only when that bound could
//! enter the page.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED, Term};

/// `terms` (offset, term; at least two, one field) as a phrase, scored as the phrase of
/// `scored`.
#[derive(Clone, Debug)]
pub(crate) struct Phrase {
    pub(crate) terms: Vec<(usize, Term)>,
    pub(crate) scored: Vec<Term>,
    pub(crate) check: Check,
}

/// What a phrase checks at a document that has every one of its terms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Check {
    /// That the terms line up: the document matches.
    #[default]
    Positions,
    /// Nothing: the document is a candidate, scored with the smallest frequency of a term
    /// there instead of the phrase's (at least the score of the phrase).
    Bound,
}

impl Query for Phrase {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weight = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider: stats,
                ..
            } => Some(Bm25Weight::for_terms(stats, &self.scored)?),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(PhraseWeight {
            terms: self.terms.clone(),
            weight,
            check: self.check,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, term) in &self.terms {
            visitor(term, true);
        }
    }
}

struct PhraseWeight {
    terms: Vec<(usize, Term)>,
    /// BM25 of the covering lookups; `None` when scoring is off.
    weight: Option<Bm25Weight>,
    check: Check,
}

impl PhraseWeight {
    fn phrase_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<PhraseScorer>> {
        let Some((_, first)) = self.terms.first() else {
            return Ok(None);
        };
        let field = first.field();
        let index = reader.inverted_index(field)?;
        let last = self.terms.iter().map(|(o, _)| *o).max().unwrap_or(0);
        let mut terms = Vec::with_capacity(self.terms.len());
        for (offset, term) in &self.terms {
            let Some(postings) =
                index.read_postings(term, IndexRecordOption::WithFreqsAndPositions)?
            else {
                return Ok(None); // a term the segment does not have: no match
            };
            // Shifted so that every term of one occurrence is at the same position.
            terms.push((postings, (last - offset) as u32));
        }
        terms.sort_by_key(|(p, _)| p.doc_freq());
        let scoring = match &self.weight {
            Some(w) => Some((reader.get_fieldnorms_reader(field)?, w.boost_by(boost))),
            None => None,
        };
        let mut scorer = PhraseScorer {
            terms,
            doc: 0,
            valid: true,
            count: 0,
            check: self.check,
            scoring,
            order: Vec::new(),
            left: Vec::new(),
            right: Vec::new(),
        };
        scorer.doc = scorer.find(0);
        Ok(Some(scorer))
    }
}

impl Weight for PhraseWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.phrase_scorer(reader, boost)? {
            Some(s) => Box::new(s),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let no =
            || tantivy::TantivyError::InvalidArgument(format!("document {doc} does not match"));
        let mut scorer = self.phrase_scorer(reader, 1.0)?.ok_or_else(no)?;
        if scorer.seek(doc) != doc {
            return Err(no());
        }
        let mut out = Explanation::new("phrase", scorer.score());
        if let (Some((norms, w)), Some(_)) = (&scorer.scoring, &self.weight) {
            out.add_detail(w.explain(norms.fieldnorm_id(doc), scorer.count));
        }
        Ok(out)
    }
}

/// The documents where every term is at its offset from a common start, with the number of
/// such starts (the phrase frequency).
struct PhraseScorer {
    /// Each term's postings and shift, rarest term first (it leads the intersection).
    terms: Vec<(SegmentPostings, u32)>,
    /// The current match (`TERMINATED` at the end), when `valid`; else (after a `seek_danger`
    /// that did not find its target) the bound it answered: no match lies below it.
    doc: DocId,
    valid: bool,
    /// The phrase frequency at `doc` (the smallest term frequency when only bounding).
    count: u32,
    check: Check,
    /// Field norms and weight, when scoring.
    scoring: Option<(FieldNormReader, Bm25Weight)>,
    // Buffers.
    order: Vec<usize>,
    left: Vec<u32>,
    right: Vec<u32>,
}

/// `postings` at its first document at or after `target`.
fn reach(postings: &mut SegmentPostings, target: DocId) -> DocId {
    if postings.doc() < target {
        postings.seek(target)
    } else {
        postings.doc()
    }
}

/// Keeps the values of `left` that are also in `right` (both ascending).
pub(crate) fn retain_common(left: &mut Vec<u32>, right: &[u32]) {
    let (mut kept, mut j) = (0, 0);
    for i in 0..left.len() {
        let v = left[i];
        while j < right.len() && right[j] < v {
            j += 1;
        }
        if j == right.len() {
            break;
        }
        if right[j] == v {
            left[kept] = v;
            kept += 1;
        }
    }
    left.truncate(kept);
}

impl PhraseScorer {
    /// The first document at or after `target` that every term has.
    fn intersect(&mut self, mut target: DocId) -> DocId {
        'candidate: loop {
            let (lead, rest) = self.terms.split_first_mut().expect("at least one term");
            let doc = reach(&mut lead.0, target);
            if doc == TERMINATED {
                return TERMINATED;
            }
            for (postings, _) in rest.iter_mut() {
                let d = reach(postings, doc);
                if d > doc {
                    target = d;
                    continue 'candidate;
                }
            }
            return doc;
        }
    }

    /// Whether the terms line up at the document every term is at (when checked); sets
    /// `count`.
    fn lines_up(&mut self) -> bool {
        if self.check == Check::Bound {
            self.count = self
                .terms
                .iter()
                .map(|t| t.0.term_freq())
                .min()
                .unwrap_or(0);
            return true;
        }
        self.order.clear();
        self.order.extend(0..self.terms.len());
        let terms = &self.terms;
        self.order.sort_by_key(|&i| terms[i].0.term_freq());
        let (first, rest) = self.order.split_first().expect("at least one term");
        let (postings, shift) = &mut self.terms[*first];
        postings.positions_with_offset(*shift, &mut self.left);
        for &i in rest {
            let (postings, shift) = &mut self.terms[i];
            postings.positions_with_offset(*shift, &mut self.right);
            retain_common(&mut self.left, &self.right);
            if self.left.is_empty() {
                return false;
            }
        }
        self.count = self.left.len() as u32;
        true
    }

    /// The first match at or after `target`.
    fn find(&mut self, mut target: DocId) -> DocId {
        loop {
            let doc = self.intersect(target);
            if doc == TERMINATED || self.lines_up() {
                return doc;
            }
            target = doc + 1;
        }
    }
}

impl DocSet for PhraseScorer {
    fn advance(&mut self) -> DocId {
        let from = if self.valid {
            self.doc.saturating_add(1)
        } else {
            self.doc
        };
        self.valid = true;
        if self.doc != TERMINATED {
            self.doc = self.find(from);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if !self.valid || target > self.doc {
            self.doc = self.find(target.max(self.doc));
            self.valid = true;
        }
        self.doc
    }

    /// Reads positions at `target` only: in an intersection or an exclusion, the other side
    /// decides where to look next.
    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if self.valid && target <= self.doc {
            return if target == self.doc {
                SeekDangerResult::Found
            } else {
                SeekDangerResult::SeekLowerBound(self.doc)
            };
        }
        if target >= TERMINATED {
            self.doc = TERMINATED;
            self.valid = true;
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        let doc = self.intersect(target);
        if doc == target && self.lines_up() {
            self.doc = target;
            self.valid = true;
            return SeekDangerResult::Found;
        }
        // Nothing matches before `bound`; the next seek starts there.
        let bound = if doc == target { target + 1 } else { doc };
        self.doc = bound;
        self.valid = bound == TERMINATED;
        SeekDangerResult::SeekLowerBound(bound)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        // Like tantivy's phrase scorer: far fewer matches than documents with every term.
        self.terms[0].0.size_hint() / (10 * self.terms.len() as u32)
    }

    fn cost(&self) -> u64 {
        // Each candidate costs a position check.
        u64::from(self.terms[0].0.size_hint()) * 10 * self.terms.len() as u64
    }
}

impl Scorer for PhraseScorer {
    fn score(&mut self) -> Score {
        match &self.scoring {
            Some((norms, weight)) => weight.score(norms.fieldnorm_id(self.doc), self.count),
            None => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::PhraseQuery;
    use tantivy::schema::{Schema, TEXT, Value};
    use tantivy::{Index, TantivyDocument, doc};

    /// Scores of `query` over the documents of `index`, by the text of each hit.
    fn scores(index: &Index, query: &dyn Query) -> Vec<(String, f32)> {
        let searcher = index.reader().unwrap().searcher();
        let field = index.schema().get_field("text").unwrap();
        let mut out: Vec<(String, f32)> = searcher
            .search(query, &TopDocs::with_limit(10).order_by_score())
            .unwrap()
            .into_iter()
            .map(|(score, address)| {
                let d: TantivyDocument = searcher.doc(address).unwrap();
                let text = d.get_first(field).and_then(|v| v.as_str()).unwrap();
                (text.to_owned(), score)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    #[test]
    fn reads_every_term_and_scores_like_the_covering_terms() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT | tantivy::schema::STORED);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for t in [
            "a b c d",
            "a b c d x y a b c d",
            "x a b c d y z w v u",
            "a q c d",
            "b c",
        ] {
            writer.add_document(doc!(text => t)).unwrap();
        }
        writer.commit().unwrap();
        let term = |s: &str| Term::from_field_text(text, s);
        let covering = vec![(0, term("a")), (2, term("c")), (3, term("d"))];
        let every = Phrase {
            terms: vec![
                (0, term("a")),
                (1, term("b")),
                (2, term("c")),
                (3, term("d")),
            ],
            scored: covering.iter().map(|(_, t)| t.clone()).collect(),
            check: Check::Positions,
        };
        let got = scores(&index, &every);
        let texts: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            texts,
            ["a b c d", "a b c d x y a b c d", "x a b c d y z w v u"],
            "`a q c d` has the covering terms at their offsets, not `b`"
        );
        let plain = scores(&index, &PhraseQuery::new_with_offset(covering));
        for (text, score) in &got {
            let (_, want) = plain.iter().find(|(t, _)| t == text).unwrap();
            assert!(
                (score - want).abs() <= want * 1e-5,
                "{text}: {score} against the covering phrase's {want}"
            );
        }
        // Phrase frequency still counts: twice in ten words beats once in ten.
        assert!(got[1].1 > got[2].1, "{got:?}");
    }

    #[test]
    fn a_bounding_phrase_matches_every_document_with_its_terms_at_no_less_than_the_phrase() {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT | tantivy::schema::STORED);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for t in [
            "a b c a b c a",
            "a b x a b c",
            "b a c",
            "c b a c b a b a",
            "a c",
        ] {
            writer.add_document(doc!(text => t)).unwrap();
        }
        writer.commit().unwrap();
        let term = |s: &str| Term::from_field_text(text, s);
        let phrase = |check| Phrase {
            terms: vec![(0, term("a")), (1, term("b")), (2, term("c"))],
            scored: vec![term("a"), term("c")],
            check,
        };
        let exact = scores(&index, &phrase(Check::Positions));
        let bound = scores(&index, &phrase(Check::Bound));
        let texts = |hits: &[(String, f32)]| -> Vec<String> {
            let mut t: Vec<String> = hits.iter().map(|(t, _)| t.clone()).collect();
            t.sort();
            t
        };
        assert_eq!(texts(&exact), ["a b c a b c a", "a b x a b c"]);
        assert_eq!(
            texts(&bound),
            ["a b c a b c a", "a b x a b c", "b a c", "c b a c b a b a"],
            "every document with all three terms, lined up or not"
        );
        for (t, score) in &exact {
            let (_, b) = bound.iter().find(|(u, _)| u == t).unwrap();
            assert!(b >= score, "{t}: bound {b} below the phrase's {score}");
        }
        // The bound is the phrase scored at the smallest term frequency: `c` once in
        // "a b x a b c", where the phrase is once too, so it is exact there.
        let (_, b) = bound.iter().find(|(u, _)| u == "a b x a b c").unwrap();
        let (_, e) = exact.iter().find(|(u, _)| u == "a b x a b c").unwrap();
        assert!((b - e).abs() <= e * 1e-6, "{b} against {e}");
    }
}
