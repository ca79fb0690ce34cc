//! A phrase of exact-field lookups that reads more posting lists than it scores.
//!
//! A term of `n` run characters needs only every other bigram to pin each character
//! ([`super::plan`]'s lookups), but the bigrams in between are indexed too, and they are where a
//! phrase that crosses words is rare: 增长台积电 is 增长 + 台积 + 积电, three frequent bigrams
//! whose documents mostly do not have the phrase, while 长台 is in few. tantivy's phrase scorer
//! first intersects the documents of its terms, rarest first, and only then reads positions, so
//! giving it every bigram shrinks the documents whose positions it reads. It never changes
//! which documents match: the text has every one of those bigrams wherever it has the phrase.
//!
//! The score stays the one of the covering lookups (BM25 weighs a phrase by the sum of its
//! terms' idf): adding terms must not make one query term weigh more than another.

use tantivy::Term;
use tantivy::query::{BoostQuery, EnableScoring, PhraseQuery, Query, Weight};

/// `terms` (offset, term; at least two) as a phrase, scored as the phrase of `scored`.
#[derive(Clone, Debug)]
pub(crate) struct Phrase {
    pub(crate) terms: Vec<(usize, Term)>,
    pub(crate) scored: Vec<Term>,
}

impl Query for Phrase {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let phrase = Box::new(PhraseQuery::new_with_offset(self.terms.clone()));
        let EnableScoring::Enabled {
            statistics_provider: stats,
            ..
        } = enable_scoring
        else {
            return phrase.weight(enable_scoring);
        };
        // tantivy's phrase weight is proportional to its terms' idf sum (see `Bm25Weight::
        // for_terms`); scaling by the ratio of the sums gives the score of `scored`.
        let docs = stats.total_num_docs()?;
        let idf_sum = |terms: &[&Term]| -> tantivy::Result<f32> {
            terms
                .iter()
                .try_fold(0.0, |sum, t| Ok(sum + idf(stats.doc_freq(t)?, docs)))
        };
        let all = idf_sum(&self.terms.iter().map(|(_, t)| t).collect::<Vec<_>>())?;
        let wanted = idf_sum(&self.scored.iter().collect::<Vec<_>>())?;
        let ratio = if all > 0.0 { wanted / all } else { 1.0 };
        BoostQuery::new(phrase, ratio).weight(enable_scoring)
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, term) in &self.terms {
            visitor(term, true);
        }
    }
}

/// BM25's inverse document frequency, as tantivy computes it (`query::bm25::idf`, not public).
fn idf(doc_freq: u64, doc_count: u64) -> f32 {
    let x = (doc_count.saturating_sub(doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
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
}
