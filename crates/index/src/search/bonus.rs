//! A required query plus bonus queries that only add to its score: the scored form of one
//! included term (its match, then the title and word-level bonuses).
//!
//! tantivy builds `+required bonus bonus` as its required scorer beside a *union* of the bonus
//! scorers, seeked to each required document. A union seeked past its buffered window refills
//! the next window (4,096 documents) from every bonus scorer, scoring each of their documents
//! there; when the required documents are fewer than the bonuses' (a phrase that crosses two
//! frequent words, whose words are the bonus), that is most of a search's time. Here each bonus
//! scorer is seeked on its own, only to the documents the required one stops at (a skip-list
//! seek), and the score is the same sum: the required score plus the bonuses' sum, added in
//! the order tantivy adds them.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term};

/// `required`, scored with the `bonuses` that match its documents.
#[derive(Debug)]
pub(crate) struct Bonus {
    pub(crate) required: Box<dyn Query>,
    pub(crate) bonuses: Vec<Box<dyn Query>>,
}

impl Clone for Bonus {
    fn clone(&self) -> Self {
        Bonus {
            required: self.required.box_clone(),
            bonuses: self.bonuses.iter().map(|b| b.box_clone()).collect(),
        }
    }
}

impl Query for Bonus {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let required = self.required.weight(enable_scoring)?;
        if !enable_scoring.is_scoring_enabled() {
            // Bonuses never change which documents match.
            return Ok(required);
        }
        let bonuses = self
            .bonuses
            .iter()
            .map(|b| b.weight(enable_scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(BonusWeight { required, bonuses }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.required.query_terms(visitor);
        for b in &self.bonuses {
            b.query_terms(visitor);
        }
    }
}

struct BonusWeight {
    required: Box<dyn Weight>,
    bonuses: Vec<Box<dyn Weight>>,
}

impl Weight for BonusWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(BonusScorer {
            required: self.required.scorer(reader, boost)?,
            bonuses: self
                .bonuses
                .iter()
                .map(|b| b.scorer(reader, boost))
                .collect::<tantivy::Result<_>>()?,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let required = self.required.explain(reader, doc)?;
        let mut bonus = 0.0;
        let mut details = Vec::new();
        for b in &self.bonuses {
            if let Ok(e) = b.explain(reader, doc) {
                bonus += e.value();
                details.push(e);
            }
        }
        let mut out = Explanation::new("required plus bonuses", required.value() + bonus);
        out.add_detail(required);
        for d in details {
            out.add_detail(d);
        }
        Ok(out)
    }
}

struct BonusScorer {
    required: Box<dyn Scorer>,
    bonuses: Vec<Box<dyn Scorer>>,
}

impl DocSet for BonusScorer {
    fn advance(&mut self) -> DocId {
        self.required.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.required.seek(target)
    }

    // The bonuses never decide a match: the required scorer answers (a phrase reads its
    // positions only at `target`, see `guard.rs`).
    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        self.required.seek_danger(target)
    }

    fn doc(&self) -> DocId {
        self.required.doc()
    }

    fn size_hint(&self) -> u32 {
        self.required.size_hint()
    }

    fn cost(&self) -> u64 {
        self.required.cost()
    }
}

impl Scorer for BonusScorer {
    fn score(&mut self) -> Score {
        let doc = self.required.doc();
        let required = self.required.score();
        let mut bonus: Option<Score> = None;
        for b in &mut self.bonuses {
            // Only forward: a bonus already past `doc` does not have it.
            if b.doc() < doc {
                b.seek(doc);
            }
            if b.doc() == doc {
                bonus = Some(bonus.unwrap_or(0.0) + b.score());
            }
        }
        match bonus {
            Some(b) => required + b,
            None => required,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{Index, doc};

    #[test]
    fn scores_and_matches_like_a_boolean_query_with_should_clauses() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        // Enough documents for several of the union's windows, with the bonuses dense and the
        // required term sparse.
        for i in 0..20_000u32 {
            let mut t = String::from("filler");
            if i % 3 == 0 {
                t.push_str(" title");
            }
            if i % 2 == 0 {
                t.push_str(" word word");
            }
            if i % 97 == 0 || i == 19_999 {
                t.push_str(" rare");
            }
            writer.add_document(doc!(text => t)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |s: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(text, s),
                IndexRecordOption::WithFreqs,
            ))
        };
        let ours = Bonus {
            required: term("rare"),
            bonuses: vec![term("title"), term("word")],
        };
        let tantivys = BooleanQuery::new(vec![
            (Occur::Must, term("rare")),
            (Occur::Should, term("title")),
            (Occur::Should, term("word")),
        ]);
        let top = |q: &dyn Query| searcher.search(q, &TopDocs::with_limit(1_000).order_by_score());
        let (got, want) = (top(&ours).unwrap(), top(&tantivys).unwrap());
        assert_eq!(got.len(), 208);
        assert_eq!(got, want, "same documents, same scores, same order");
        let count = |q: &dyn Query| searcher.search(q, &tantivy::collector::Count).unwrap();
        assert_eq!(count(&ours), count(&tantivys));
        // Bonuses really add: the best hits have both.
        let (best, worst) = (got[0].0, got[got.len() - 1].0);
        assert!(best > worst, "{best} > {worst}");
        let explained = ours
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap()
            .explain(searcher.segment_reader(0), got[0].1.doc_id)
            .unwrap();
        assert!((explained.value() - best).abs() < 1e-5);
    }
}
