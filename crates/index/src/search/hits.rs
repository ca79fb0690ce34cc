//! Running a search: [`SearchIndex::search`].

use super::doc::DocData;
use super::plan::plan;
use super::query::{MAX_LIMIT, Query, Sort, parse_query};
use super::snippet::snippet;
use super::{SearchError, SearchIndex};
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::{DocAddress, DocId, Score, SegmentReader, TantivyDocument};

/// Weight of recency in relevance order: the newest article gets up to this fraction on top of
/// its score, halving every [`RECENCY_HALF_LIFE_DAYS`] of age (relative to the newest document
/// in the index). Small enough that it only reorders near-equal matches.
const RECENCY_WEIGHT: f32 = 0.1;
/// See [`RECENCY_WEIGHT`].
const RECENCY_HALF_LIFE_DAYS: f32 = 365.0;
const DAY_MS: f32 = 86_400_000.0;

/// One matching article version.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SearchHit {
    /// The article key.
    pub key: String,
    /// The version.
    pub version: u32,
    /// The article URL.
    pub url: String,
    /// The title as published.
    pub title: String,
    /// The source id.
    pub source: String,
    /// Publication time (epoch ms), when the record has one.
    pub published_ms: Option<i64>,
    /// Capture time of this version (epoch ms).
    pub captured_ms: i64,
    /// The language tag.
    pub language: String,
    /// Whether this is the article's latest version.
    pub latest: bool,
    /// Whether the source no longer serves the article.
    pub gone: bool,
    /// The best passage of the text, HTML-escaped, matches in `<mark>…</mark>`.
    pub snippet: String,
    /// Relevance (higher is better; with [`Sort::Date`] still the relevance score).
    pub score: f32,
}

/// The hits of one search.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SearchResults {
    /// Number of matching versions (all of them, not just this page).
    pub total: u64,
    /// This page of hits.
    pub hits: Vec<SearchHit>,
    /// Time spent searching, in milliseconds.
    pub took_ms: f64,
}

impl SearchIndex {
    /// Runs `q`. A query the language does not accept is [`SearchError::Query`].
    pub fn search(&self, q: &Query) -> Result<SearchResults, SearchError> {
        let started = std::time::Instant::now();
        let parsed = parse_query(&q.text)?;
        if q.limit > MAX_LIMIT {
            return Err(SearchError::Option {
                option: "limit",
                message: format!("{} is more than the maximum {MAX_LIMIT}", q.limit),
            });
        }
        let query = plan(&self.fields, &parsed, q);
        let searcher = self.reader.searcher();
        let err = |op| SearchError::tantivy(op, &self.dir);
        let limit = q.limit.max(1);
        let (total, top): (usize, Vec<(f32, DocAddress)>) = match q.sort {
            Sort::Relevance => {
                let newest = newest_date(&searcher);
                let top = TopDocs::with_limit(limit).and_offset(q.offset).tweak_score(
                    move |segment: &SegmentReader| {
                        let dates = segment
                            .fast_fields()
                            .i64("date")
                            .ok()
                            .map(|c| c.first_or_default_col(newest));
                        move |doc: DocId, score: Score| {
                            let date = dates.as_ref().map_or(newest, |d| d.get_val(doc));
                            let age_days = (newest - date).max(0) as f32 / DAY_MS;
                            let recency = (-age_days / RECENCY_HALF_LIFE_DAYS).exp2();
                            score * (1.0 + RECENCY_WEIGHT * recency)
                        }
                    },
                );
                searcher
                    .search(query.as_ref(), &(Count, top))
                    .map_err(err("search"))?
            }
            Sort::Date => {
                let top = TopDocs::with_limit(limit).and_offset(q.offset).tweak_score(
                    move |segment: &SegmentReader| {
                        let dates = segment
                            .fast_fields()
                            .i64("date")
                            .ok()
                            .map(|c| c.first_or_default_col(i64::MIN));
                        move |doc: DocId, score: Score| {
                            (dates.as_ref().map_or(i64::MIN, |d| d.get_val(doc)), score)
                        }
                    },
                );
                let (total, top) = searcher
                    .search(query.as_ref(), &(Count, top))
                    .map_err(err("search"))?;
                (total, top.into_iter().map(|((_, s), a)| (s, a)).collect())
            }
        };
        self.finish(q, &parsed.include, total, top, started)
    }

    fn finish(
        &self,
        q: &Query,
        include: &[String],
        total: usize,
        top: Vec<(f32, DocAddress)>,
        started: std::time::Instant,
    ) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let terms: Vec<String> = include.iter().map(|t| clean::fold(t.trim())).collect();
        let mut hits = Vec::with_capacity(top.len());
        if q.limit > 0 {
            for (score, address) in top {
                let doc: TantivyDocument = searcher
                    .doc(address)
                    .map_err(SearchError::tantivy("read a hit of", &self.dir))?;
                let Some((data, flags)) = DocData::from_document(&doc, &self.fields) else {
                    continue;
                };
                hits.push(SearchHit {
                    snippet: snippet(&data.text, &terms),
                    key: data.key,
                    version: data.version,
                    url: data.url,
                    title: data.title,
                    source: data.source,
                    published_ms: data.published_ms,
                    captured_ms: data.captured_ms,
                    language: data.language,
                    latest: flags.latest,
                    gone: flags.gone,
                    score,
                });
            }
        }
        Ok(SearchResults {
            total: total as u64,
            hits,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }
}

/// The newest `date` in the index (recency is measured from it, so ranking does not depend on
/// the clock).
fn newest_date(searcher: &tantivy::Searcher) -> i64 {
    searcher
        .segment_readers()
        .iter()
        .filter_map(|s| s.fast_fields().i64("date").ok())
        .map(|c| c.max_value())
        .max()
        .unwrap_or(0)
}
