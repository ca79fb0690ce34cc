//! The query language and the options of a search.
//!
//! A query is terms separated by whitespace, all of which must match (AND). A term is a bare
//! word (`美国`, `iphone`), a phrase in quotes (`"new york"`, also `“…”` and full-width
//! `＂…＂`), or either of those after `-` to exclude documents that match it. What a term
//! matches is defined by folding (see the module documentation of `search`).

use super::error::QueryError;

/// Most terms one query may have (each becomes a few index lookups).
pub const MAX_TERMS: usize = 32;

/// A query split into terms, as typed (not folded).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Terms every hit must match.
    pub include: Vec<String>,
    /// Terms no hit may match.
    pub exclude: Vec<String>,
}

fn closing_quote(open: char) -> Option<&'static [char]> {
    match open {
        '"' | '＂' => Some(&['"', '＂']),
        '“' => Some(&['”', '"']),
        _ => None,
    }
}

/// Splits a query into terms. Errors name the character position (1-based) of the problem.
pub fn parse_query(text: &str) -> Result<ParsedQuery, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut parsed = ParsedQuery::default();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let mut negative = false;
        if c == '-' || c == '－' {
            negative = true;
            i += 1;
            if i == chars.len() || chars[i].is_whitespace() {
                return Err(QueryError::DanglingMinus { at: i });
            }
        }
        let term: String;
        if let Some(closers) = closing_quote(chars[i]) {
            let open = i;
            let Some(len) = chars[open + 1..].iter().position(|c| closers.contains(c)) else {
                return Err(QueryError::UnbalancedQuote { at: open + 1 });
            };
            term = chars[open + 1..open + 1 + len].iter().collect();
            if term.trim().is_empty() || clean::fold(&term).trim().is_empty() {
                return Err(QueryError::EmptyPhrase { at: open + 1 });
            }
            i = open + len + 2;
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && closing_quote(chars[i]).is_none()
            {
                i += 1;
            }
            term = chars[start..i].iter().collect();
            if clean::fold(&term).trim().is_empty() {
                continue; // only invisible characters: nothing to match
            }
        }
        let term = term.trim().to_owned();
        if negative {
            parsed.exclude.push(term);
        } else {
            parsed.include.push(term);
        }
    }
    let count = parsed.include.len() + parsed.exclude.len();
    if count > MAX_TERMS {
        return Err(QueryError::TooManyTerms {
            count,
            max: MAX_TERMS,
        });
    }
    if parsed.include.is_empty() {
        return Err(if parsed.exclude.is_empty() {
            QueryError::Empty
        } else {
            QueryError::OnlyExclusions
        });
    }
    Ok(parsed)
}

/// How hits are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Sort {
    /// Best match first: BM25 with the title boosted, whole-word matches above matches that cut
    /// through words, and a mild preference for recent articles.
    #[default]
    Relevance,
    /// Newest first (publication time, else capture time).
    Date,
}

/// Which time `since` and `until` compare with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DateField {
    /// The publication time (the capture time for records without one).
    #[default]
    Published,
    /// When this version was captured.
    Captured,
}

/// A search: the query text and its filters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Query {
    /// The query in the query language.
    pub text: String,
    /// Only these sources (ids); empty means all.
    pub sources: Vec<String>,
    /// Only versions dated at or after this time (epoch ms).
    pub since_ms: Option<i64>,
    /// Only versions dated before this time (epoch ms, exclusive).
    pub until_ms: Option<i64>,
    /// The time `since_ms`/`until_ms` compare with.
    pub date_field: DateField,
    /// Only this language tag (`zh`, `ja`, `ko`, `en`, `und`).
    pub language: Option<String>,
    /// Only articles that changed after first capture (`true`), or never did (`false`).
    pub has_changed: Option<bool>,
    /// Only articles gone at the source (`true`), or still served (`false`).
    pub gone: Option<bool>,
    /// Hits to return.
    pub limit: usize,
    /// Hits to skip (paging).
    pub offset: usize,
    /// Order of hits.
    pub sort: Sort,
    /// Search every stored version, not only the latest of each article.
    pub all_versions: bool,
    /// Hits to count at least before the count may stop (`None`: count every hit). A query
    /// of several terms or a phrase by relevance then stops counting there and only scores
    /// documents that can still enter the page (see `top.rs`); the results' `total` is then
    /// a lower bound and `total_exact` false. Other queries always count every hit.
    pub count_limit: Option<usize>,
}

/// Hits returned when a query does not say.
pub const DEFAULT_LIMIT: usize = 20;
/// Most hits one search returns.
pub const MAX_LIMIT: usize = 1000;

impl Query {
    /// A search for `text` over the latest versions, by relevance, first [`DEFAULT_LIMIT`] hits.
    pub fn new(text: impl Into<String>) -> Query {
        Query {
            text: text.into(),
            sources: Vec::new(),
            since_ms: None,
            until_ms: None,
            date_field: DateField::default(),
            language: None,
            has_changed: None,
            gone: None,
            limit: DEFAULT_LIMIT,
            offset: 0,
            sort: Sort::default(),
            all_versions: false,
            count_limit: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &str) -> (Vec<String>, Vec<String>) {
        let p = parse_query(q).unwrap();
        (p.include, p.exclude)
    }

    #[test]
    fn terms_phrases_and_exclusions() {
        assert_eq!(
            terms(" 美国  \"new  york\" -体育 -\"a b\" “香港 大学”"),
            (
                vec!["美国".into(), "new  york".into(), "香港 大学".into()],
                vec!["体育".into(), "a b".into()]
            )
        );
        assert_eq!(terms("a\"b c\""), (vec!["a".into(), "b c".into()], vec![]));
        assert_eq!(
            terms("美国\u{3000}中国"),
            (vec!["美国".into(), "中国".into()], vec![])
        );
    }

    #[test]
    fn syntax_errors_say_where() {
        assert_eq!(parse_query(""), Err(QueryError::Empty));
        assert_eq!(parse_query("   "), Err(QueryError::Empty));
        assert_eq!(parse_query("\u{200B}"), Err(QueryError::Empty));
        assert_eq!(
            parse_query("美国 \"香港"),
            Err(QueryError::UnbalancedQuote { at: 4 })
        );
        assert_eq!(
            parse_query("a \"\" b"),
            Err(QueryError::EmptyPhrase { at: 3 })
        );
        assert_eq!(parse_query("a -"), Err(QueryError::DanglingMinus { at: 3 }));
        assert_eq!(parse_query("-a -b"), Err(QueryError::OnlyExclusions));
        let many = vec!["x"; MAX_TERMS + 1].join(" ");
        assert!(matches!(
            parse_query(&many),
            Err(QueryError::TooManyTerms { .. })
        ));
        for bad in ["\"", "-", "-\"", "\"\"", "“", "--"] {
            let _ = parse_query(bad); // never panics
        }
    }
}
