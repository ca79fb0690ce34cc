//! From a parsed query and its options to a tantivy query.
//!
//! Per included term: *must* match the exact field of the title (boosted) or of the text, as a
//! phrase of its units; *should* match its jieba words in the words fields, which adds the
//! word-level bonus. Excluded terms must not match either exact field. Filters add no score.

use super::analyzer::{Unit, units, words};
use super::guard::Guarded;
use super::query::{DateField, ParsedQuery, Query};
use super::schema::Fields;
use std::ops::Bound;
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query as TQuery, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

/// Weight of a title match relative to a text match.
pub(crate) const TITLE_BOOST: f32 = 2.0;
/// Weight of the word-level bonus relative to the exact match it accompanies. Large enough that
/// one whole-word occurrence outranks several occurrences that cut through words.
pub(crate) const WORD_BOOST: f32 = 2.0;

/// The index lookups for one folded term on one exact field: a term query for a single unit,
/// else a phrase of units, where pairs of adjacent CJK characters are looked up as bigrams.
pub(crate) fn exact(field: Field, units: &[Unit]) -> Box<dyn TQuery> {
    let base = units.first().map_or(0, |u| u.position);
    let mut terms: Vec<(usize, Term)> = Vec::new();
    let mut i = 0;
    while i < units.len() {
        let u = &units[i];
        let offset = u.position - base;
        if u.cjk && units.get(i + 1).is_some_and(|n| n.cjk) {
            let bigram = format!("{}{}", u.text, units[i + 1].text);
            terms.push((offset, Term::from_field_text(field, &bigram)));
            i += 2;
        } else if u.cjk && i > 0 && units[i - 1].cjk {
            // The odd one out at the end of a CJK run: the bigram with its left neighbour.
            let bigram = format!("{}{}", units[i - 1].text, u.text);
            terms.push((offset - 1, Term::from_field_text(field, &bigram)));
            i += 1;
        } else {
            terms.push((offset, Term::from_field_text(field, &u.text)));
            i += 1;
        }
    }
    match terms.len() {
        0 => Box::new(BooleanQuery::new(Vec::new())),
        1 => {
            let (_, term) = terms.remove(0);
            Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
        }
        _ => Box::new(Guarded(Box::new(PhraseQuery::new_with_offset(terms)))),
    }
}

/// All `words` in `field` (no order): the word-level bonus.
fn bag(field: Field, words: &[&str]) -> Box<dyn TQuery> {
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = words
        .iter()
        .map(|w| {
            let q: Box<dyn TQuery> = Box::new(TermQuery::new(
                Term::from_field_text(field, w),
                IndexRecordOption::WithFreqs,
            ));
            (Occur::Must, q)
        })
        .collect();
    if clauses.len() == 1 {
        return clauses.remove(0).1;
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Matches `folded` in the title or the text.
fn either_field(f: &Fields, units: &[Unit]) -> Box<dyn TQuery> {
    Box::new(BooleanQuery::new(vec![
        (
            Occur::Should,
            Box::new(BoostQuery::new(exact(f.title_exact, units), TITLE_BOOST)),
        ),
        (Occur::Should, exact(f.body_exact, units)),
    ]))
}

fn filter(q: Box<dyn TQuery>) -> (Occur, Box<dyn TQuery>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
}

fn bool_term(field: Field, value: bool) -> Box<dyn TQuery> {
    Box::new(TermQuery::new(
        Term::from_field_bool(field, value),
        IndexRecordOption::Basic,
    ))
}

/// The whole tantivy query.
pub(crate) fn plan(f: &Fields, parsed: &ParsedQuery, q: &Query) -> Box<dyn TQuery> {
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    for term in &parsed.include {
        let folded = clean::fold(term);
        let units = units(&folded);
        let mut per_term: Vec<(Occur, Box<dyn TQuery>)> =
            vec![(Occur::Must, either_field(f, &units))];
        let words = words(&folded);
        if !words.is_empty() {
            per_term.push((
                Occur::Should,
                Box::new(BooleanQuery::new(vec![
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            bag(f.title_words, &words),
                            TITLE_BOOST * WORD_BOOST,
                        )),
                    ),
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(bag(f.body_words, &words), WORD_BOOST)),
                    ),
                ])),
            ));
        }
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(per_term))));
    }
    for term in &parsed.exclude {
        let units = units(&clean::fold(term));
        clauses.push((Occur::MustNot, either_field(f, &units)));
    }
    if !q.all_versions {
        clauses.push(filter(bool_term(f.latest, true)));
    }
    if !q.sources.is_empty() {
        let any: Vec<(Occur, Box<dyn TQuery>)> = q
            .sources
            .iter()
            .map(|s| {
                let t: Box<dyn TQuery> = Box::new(TermQuery::new(
                    Term::from_field_text(f.source, s),
                    IndexRecordOption::Basic,
                ));
                (Occur::Should, t)
            })
            .collect();
        clauses.push(filter(Box::new(BooleanQuery::new(any))));
    }
    if q.since_ms.is_some() || q.until_ms.is_some() {
        let field = match q.date_field {
            DateField::Published => f.date,
            DateField::Captured => f.captured,
        };
        let lower = q.since_ms.map_or(Bound::Unbounded, |t| {
            Bound::Included(Term::from_field_i64(field, t))
        });
        let upper = q.until_ms.map_or(Bound::Unbounded, |t| {
            Bound::Excluded(Term::from_field_i64(field, t))
        });
        clauses.push(filter(Box::new(RangeQuery::new(lower, upper))));
    }
    if let Some(language) = &q.language {
        clauses.push(filter(Box::new(TermQuery::new(
            Term::from_field_text(f.language, language),
            IndexRecordOption::Basic,
        ))));
    }
    if let Some(changed) = q.has_changed {
        clauses.push(filter(bool_term(f.changed, changed)));
    }
    if let Some(gone) = q.gone {
        clauses.push(filter(bool_term(f.gone, gone)));
    }
    Box::new(BooleanQuery::new(clauses))
}
