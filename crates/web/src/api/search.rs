//! `GET /api/v1/search?q=&source=&since=&until=&limit=&offset=&sort=&count_limit=`: full-text
//! search, in the JSON shape of `newsvault search --json` (DESIGN.md):
//! `{"query","total","took_ms","hits":[{"key","url","title","source","published","snippet","score"}]}`,
//! plus `total_exact` (false when `count_limit` let the count stop early; `total` is then a
//! lower bound).
//!
//! A query the query language does not accept is a 400 with the parser's message.

use super::params::{Params, rfc3339_ms, source_id};
use crate::WebState;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use index::search::{Query, SearchResults, Sort};
use serde_json::{Value, json};

/// Most hits one page may have (the search index allows more; the API keeps pages small).
pub(crate) const MAX_LIMIT: usize = 100;
/// Deepest offset accepted (each page costs the hits before it).
pub(crate) const MAX_OFFSET: usize = 10_000;

/// Reads the search parameters shared by the API and the search feed: `q` (required),
/// `source` (repeatable or comma-separated), `since`/`until` (dates or RFC 3339 times),
/// `sort` (`relevance` or `date`); `limit` and `offset` with the given default limit.
pub(crate) fn query_from(params: &Params, default_limit: usize) -> Result<Query, ApiError> {
    let text = params
        .get("q")?
        .ok_or_else(|| ApiError::BadRequest("q: missing; give a query, e.g. q=美国".into()))?;
    let mut q = Query::new(text);
    for source in params.all("source") {
        q.sources.push(source_id("source", source)?.to_string());
    }
    q.since_ms = params.date_ms("since")?;
    q.until_ms = params.date_ms("until")?;
    if let (Some(since), Some(until)) = (q.since_ms, q.until_ms)
        && since >= until
    {
        return Err(ApiError::BadRequest(
            "since must be before until".to_owned(),
        ));
    }
    q.limit = params.number("limit", 1, MAX_LIMIT, default_limit)?;
    q.offset = params.number("offset", 0, MAX_OFFSET, 0)?;
    if params.get("count_limit")?.is_some() {
        q.count_limit = Some(params.number("count_limit", 0, 1_000_000_000, 0)?);
    }
    q.sort = match params.get("sort")? {
        None | Some("relevance") => Sort::Relevance,
        Some("date") => Sort::Date,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "sort: {other:?} is not an order; use relevance or date"
            )));
        }
    };
    Ok(q)
}

/// The search JSON document of DESIGN.md for `results` of `query`.
pub(crate) fn document(query: &str, results: &SearchResults) -> Value {
    json!({
        "query": query,
        "total": results.total,
        "total_exact": results.total_exact,
        "took_ms": (results.took_ms * 1000.0).round() / 1000.0,
        "hits": results.hits.iter().map(|h| json!({
            "key": h.key,
            "url": h.url,
            "title": h.title,
            "source": h.source,
            "published": h.published_ms.and_then(rfc3339_ms),
            "snippet": h.snippet,
            "score": h.score,
        })).collect::<Vec<_>>(),
    })
}

/// `GET /api/v1/search`.
pub(crate) async fn search(
    State(state): State<WebState>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let q = query_from(&params, index::search::DEFAULT_LIMIT)?;
    let text = q.text.clone();
    let results = state.search(q).await?;
    Ok(Json(document(&text, &results)))
}
