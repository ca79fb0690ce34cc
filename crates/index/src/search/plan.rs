//! From a parsed query and its options to tantivy queries.
//!
//! Each included term *must* match (the exact field as a phrase of its units, or the characters
//! field for a single run character), which scores BM25 over title and text together; it
//! *should* match the title (boosted) and its jieba words (the word-level bonus). Excluded terms
//! must not match, and unless every version is searched, neither may the flag of an earlier
//! version: each included term carries these exclusions (`without.rs`). Filters add no score.
//!
//! Two queries come out of one search: the *matcher* (which documents hit: no bonus clauses,
//! for counting and for sorting by date) and the *scored* query (the matcher plus the bonuses),
//! with the index terms that bound the scored query's score ([`Plan::bounds`]). A query of one
//! term looked up as one index term (a word, one or two CJK characters) is marked
//! ([`Plan::one_term`]): its hits are counted apart, without scores.

use super::analyzer::{Unit, units, words};
use super::bonus::Bonus;
use super::guard::Guarded;
use super::phrase::{Check, Phrase};
use super::query::{DateField, ParsedQuery, Query};
use super::schema::Fields;
use super::without::{Excluded, Without};
use std::ops::Bound;
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query as TQuery, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

/// Weight of a title match relative to a match anywhere.
pub(crate) const TITLE_BOOST: f32 = 2.0;
/// Weight of the word-level bonus relative to the exact match it accompanies. Large enough that
/// one whole-word occurrence outranks several occurrences that cut through words.
pub(crate) const WORD_BOOST: f32 = 2.0;

/// The queries of one search.
pub(crate) struct Plan {
    /// Which documents hit (no scoring clauses beyond the matches themselves).
    pub(crate) matcher: Box<dyn TQuery>,
    /// The matcher with the ranking bonuses.
    pub(crate) scored: Box<dyn TQuery>,
    /// When a term is a phrase: `scored` with every included phrase only bounding
    /// (`phrase.rs`, [`Check::Bound`]): it matches a superset of `scored`'s hits, each scored
    /// at least as high. Exclusions still check positions (a bound would exclude too much).
    pub(crate) bounding: Option<Box<dyn TQuery>>,
    /// For a query of one term looked up as one index term: how its hits are counted.
    pub(crate) one_term: Option<OneTerm>,
    /// Index terms, each with its boost, whose BM25 scores add up to at least the score of
    /// `scored` at any document: each clause of `scored` is a term (or a bag of terms) scored
    /// at a boost, or a phrase, which scores no more than its covering lookups do (each has at
    /// least the phrase's frequency; see `phrase.rs`). Filters and exclusions score nothing.
    /// Their block-max scores bound a block of documents (`top.rs`).
    pub(crate) bounds: Vec<BoundTerm>,
}

/// A term of [`Plan::bounds`].
#[derive(Clone, Debug)]
pub(crate) struct BoundTerm {
    pub(crate) term: Term,
    pub(crate) boost: f32,
    /// `None` for a term of a match, which every hit has; else the bonus the term belongs to
    /// (numbered from 0 in the plan). A bonus is a bag of terms that all must be there
    /// ([`bag`]): a document scores it only when it has every term of the bonus.
    pub(crate) bonus: Option<usize>,
}

/// A query of one term looked up as one index term, whose hits are that term's documents
/// less the filters (`latest`, options) and exclusions: they are counted without scores, then
/// only the page is looked for (`hits.rs`).
pub(crate) struct OneTerm {
    /// The one index term, when the only filter is `latest` (or none): then the hits are
    /// counted from its document frequency (see `hits::count_one_term`).
    pub(crate) term: Option<Term>,
}

/// The index terms that look a folded term up, with their offsets: each word and space unit,
/// pairs of adjacent run characters as bigrams (the odd last character of a run as the bigram
/// with its left neighbour), a run character with no run neighbour as itself.
fn lookups(units: &[Unit]) -> Vec<(usize, String)> {
    let base = units.first().map_or(0, |u| u.position);
    let mut terms = Vec::with_capacity(units.len());
    let mut i = 0;
    while i < units.len() {
        let u = &units[i];
        let offset = u.position - base;
        if u.run && units.get(i + 1).is_some_and(|n| n.run) {
            terms.push((offset, format!("{}{}", u.text, units[i + 1].text)));
            i += 2;
        } else if u.run && i > 0 && units[i - 1].run {
            terms.push((offset - 1, format!("{}{}", units[i - 1].text, u.text)));
            i += 1;
        } else {
            // A word or space unit, or a run character alone between them (an edge).
            terms.push((offset, u.text.clone()));
            i += 1;
        }
    }
    terms
}

/// The lookups of a folded term on the exact field: a term query for a single lookup, else a
/// phrase that checks as `check` says. A single run character is looked up in `chars` (the
/// exact field only has characters at the edges of their runs).
pub(crate) fn exact(field: Field, chars: Field, units: &[Unit], check: Check) -> Box<dyn TQuery> {
    if let Some(term) = single_lookup(field, chars, units) {
        return Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
    }
    let term = |(offset, text): (usize, String)| (offset, Term::from_field_text(field, &text));
    let scored: Vec<Term> = lookups(units).into_iter().map(|t| term(t).1).collect();
    if scored.is_empty() {
        return Box::new(BooleanQuery::new(Vec::new()));
    }
    let terms = every_bigram(units).into_iter().map(term).collect();
    Box::new(Guarded(Box::new(Phrase {
        terms,
        scored,
        check,
    })))
}

/// Like [`lookups`], with the bigram at *every* position of a run, not every other one, and
/// the characters the text must have at the edges of its runs: the terms that [`Phrase`]
/// reads (see there).
///
/// A run of the term that a word or a space follows (or precedes) inside the term ends (or
/// begins) a run of the text wherever the term matches, and the exact field indexes run edges
/// by themselves: 员 at the end of a run is far rarer than 员 anywhere, so 球员4 reads few
/// documents' positions. A run at an end of the term may go on in the text: no edge there.
fn every_bigram(units: &[Unit]) -> Vec<(usize, String)> {
    let base = units.first().map_or(0, |u| u.position);
    let mut terms = Vec::with_capacity(units.len());
    let run = |i: Option<usize>| i.and_then(|i| units.get(i)).map(|u| u.run);
    for (i, u) in units.iter().enumerate() {
        let offset = u.position - base;
        let (before, after) = (run(i.checked_sub(1)), run(Some(i + 1)));
        if !u.run {
            terms.push((offset, u.text.clone()));
            continue;
        }
        match (before, after) {
            // Inside a run of the term, or at a run's start with more of it to come.
            (_, Some(true)) => {
                terms.push((offset, format!("{}{}", u.text, units[i + 1].text)));
                if before == Some(false) {
                    terms.push((offset, u.text.clone())); // first of a run after a word
                }
            }
            // The last character of a run of two or more is in the bigram before it.
            (Some(true), Some(false)) => terms.push((offset, u.text.clone())), // before a word
            (Some(true), None) => {}
            // A run character alone between other units (or at an end of the term).
            _ => terms.push((offset, u.text.clone())),
        }
    }
    terms
}

/// The one index term that [`exact`] looks a folded term up as, when it is one: a single run
/// character in `chars`, else a single lookup in the exact field.
fn single_lookup(field: Field, chars: Field, units: &[Unit]) -> Option<Term> {
    if let [unit] = units
        && unit.run
    {
        return Some(Term::from_field_text(chars, &unit.text));
    }
    match lookups(units).as_slice() {
        [(_, text)] => Some(Term::from_field_text(field, text)),
        _ => None,
    }
}

/// Every lookup of a folded term in a documents-only field (no order): the title boost.
fn every_lookup(field: Field, units: &[Unit]) -> Box<dyn TQuery> {
    let texts = distinct_lookups(units);
    let words: Vec<&str> = texts.iter().map(String::as_str).collect();
    bag(field, &words)
}

fn distinct_lookups(units: &[Unit]) -> Vec<String> {
    let mut texts: Vec<String> = lookups(units).into_iter().map(|(_, t)| t).collect();
    texts.sort();
    texts.dedup();
    texts
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

/// The documents of `q` that no query of `excluded` matches, scored as `q` (see `without.rs`
/// for why each included term carries the exclusions).
fn without(q: Box<dyn TQuery>, excluded: &[Excluded]) -> Box<dyn TQuery> {
    if excluded.is_empty() {
        return q;
    }
    Box::new(Without {
        include: q,
        excluded: excluded.to_vec(),
    })
}

fn boost(q: Box<dyn TQuery>, by: f32) -> Box<dyn TQuery> {
    Box::new(BoostQuery::new(q, by))
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

/// One included term, folded and cut into units, with its words.
struct Included {
    units: Vec<Unit>,
    words: Vec<String>,
}

impl Included {
    fn new(term: &str) -> Included {
        let folded = clean::fold(term);
        let units = units(&folded);
        // A term of words only (Latin script, numbers) already matches whole words: the
        // word-level bonus has nothing to add.
        let words = if units.iter().any(|u| u.run) {
            words(&folded).into_iter().map(str::to_owned).collect()
        } else {
            Vec::new()
        };
        Included { units, words }
    }

    fn matches(&self, f: &Fields, check: Check) -> Box<dyn TQuery> {
        exact(f.exact, f.chars, &self.units, check)
    }

    /// The title and word-level bonuses.
    fn bonuses(&self, f: &Fields) -> Vec<Box<dyn TQuery>> {
        let mut out = vec![boost(every_lookup(f.title_exact, &self.units), TITLE_BOOST)];
        if !self.words.is_empty() {
            let words: Vec<&str> = self.words.iter().map(String::as_str).collect();
            out.push(boost(bag(f.words, &words), WORD_BOOST));
        }
        out
    }

    /// The terms of [`Plan::bounds`] for this term's scored query: its match (the one term,
    /// or the covering lookups of its phrase), its title lookups and its words, at their
    /// boosts. The title and the words are bonuses numbered from `bonuses` on, which is moved
    /// past them.
    fn bounds(&self, f: &Fields, bonuses: &mut usize) -> Vec<BoundTerm> {
        let bound = |term, boost, bonus| BoundTerm { term, boost, bonus };
        let mut out: Vec<BoundTerm> = match single_lookup(f.exact, f.chars, &self.units) {
            Some(term) => vec![bound(term, 1.0, None)],
            None => lookups(&self.units)
                .into_iter()
                .map(|(_, t)| bound(Term::from_field_text(f.exact, &t), 1.0, None))
                .collect(),
        };
        let title = *bonuses;
        *bonuses += 1;
        for t in distinct_lookups(&self.units) {
            out.push(bound(
                Term::from_field_text(f.title_exact, &t),
                TITLE_BOOST,
                Some(title),
            ));
        }
        if !self.words.is_empty() {
            let words = *bonuses;
            *bonuses += 1;
            for w in &self.words {
                out.push(bound(
                    Term::from_field_text(f.words, w),
                    WORD_BOOST,
                    Some(words),
                ));
            }
        }
        out
    }

    /// A term looked up as one index term (one unit, or two run characters as their bigram):
    /// its hits are that term's documents.
    fn is_one_lookup(&self) -> bool {
        lookups(&self.units).len() == 1
    }
}

/// The filters of `q`'s options (no score). `latest` is not one of them: it is an exclusion
/// (see [`plan`]).
fn filters(f: &Fields, q: &Query) -> Vec<(Occur, Box<dyn TQuery>)> {
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
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
    clauses
}

/// The queries for `parsed` with the options of `q`.
pub(crate) fn plan(f: &Fields, parsed: &ParsedQuery, q: &Query) -> Plan {
    let included: Vec<Included> = parsed.include.iter().map(|t| Included::new(t)).collect();
    let mut excluded: Vec<Excluded> = parsed
        .exclude
        .iter()
        .map(|t| {
            let units = units(&clean::fold(t));
            match single_lookup(f.exact, f.chars, &units) {
                Some(term) => Excluded::Term(term),
                None => Excluded::Query(exact(f.exact, f.chars, &units, Check::Positions)),
            }
        })
        .collect();
    // Every document is flagged one way or the other, so "latest" is "not an earlier
    // version": an exclusion of the few earlier versions, not an intersection with nearly
    // every document.
    if !q.all_versions {
        excluded.push(Excluded::Term(Term::from_field_bool(f.latest, false)));
    }
    let mut matcher: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    for term in &included {
        matcher.push((
            Occur::Must,
            without(term.matches(f, Check::Positions), &excluded),
        ));
    }
    matcher.extend(filters(f, q));
    let scored = |check| -> Box<dyn TQuery> {
        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        for term in &included {
            let per_term = Bonus {
                required: without(term.matches(f, check), &excluded),
                bonuses: term.bonuses(f),
            };
            clauses.push((Occur::Must, Box::new(per_term)));
        }
        clauses.extend(filters(f, q));
        Box::new(BooleanQuery::new(clauses))
    };
    let one_term = match included.as_slice() {
        [one] if one.is_one_lookup() => Some(OneTerm {
            // Counting from the term's document frequency accounts for `latest` only.
            term: (parsed.exclude.is_empty() && filters(f, q).is_empty())
                .then(|| single_lookup(f.exact, f.chars, &one.units))
                .flatten(),
        }),
        _ => None,
    };
    Plan {
        matcher: Box::new(BooleanQuery::new(matcher)),
        scored: scored(Check::Positions),
        bounding: included
            .iter()
            .any(|t| lookups(&t.units).len() > 1)
            .then(|| scored(Check::Bound)),
        one_term,
        bounds: {
            let mut bonuses = 0;
            included
                .iter()
                .flat_map(|t| t.bounds(f, &mut bonuses))
                .collect()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every(term: &str) -> Vec<(usize, String)> {
        every_bigram(&units(&clean::fold(term)))
    }

    fn owned(terms: &[(usize, &str)]) -> Vec<(usize, String)> {
        terms.iter().map(|&(o, t)| (o, t.to_owned())).collect()
    }

    #[test]
    fn every_bigram_of_a_run_and_the_other_units_as_they_are() {
        assert_eq!(
            every("增长台积电"),
            owned(&[(0, "增长"), (1, "长台"), (2, "台积"), (3, "积电")])
        );
        assert_eq!(
            lookups(&units("增长台积电")),
            owned(&[(0, "增长"), (2, "台积"), (3, "积电")]),
            "the covering lookups, for comparison"
        );
        assert_eq!(every("中国"), owned(&[(0, "中国")]));
        assert_eq!(
            every("拜登1月19"),
            owned(&[(0, "拜登"), (1, "登"), (2, "1"), (3, "月"), (4, "19")]),
            "登 ends a run before a word"
        );
        assert_eq!(
            every("美国 总统府"),
            owned(&[
                (0, "美国"),
                (1, "国"),
                (2, " "),
                (3, "总统"),
                (3, "总"),
                (4, "统府")
            ])
        );
        assert_eq!(
            every("a中国b"),
            owned(&[(0, "a"), (1, "中国"), (1, "中"), (2, "国"), (3, "b")])
        );
    }
}
