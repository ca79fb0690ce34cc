//! `GET /api/v1/articles` (newest first, by cursor), `/articles/{key}` (latest state and
//! cleaned body), `/articles/{key}/versions`, `/articles/{key}/versions/{n}` and
//! `/articles/{key}/events`.
//!
//! Bodies are always the sanitized HTML (`content::body_html`) plus its plain text; archived
//! HTML never leaves the server unsanitized.

use super::params::{ApiPath, Params, article_key, rfc3339_ms, version_number};
use crate::WebState;
use crate::content;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use index::{ArticleSummary, CaptureRow, VersionRow};
use model::ArticleKey;
use serde::Serialize;

/// Rows per page when `limit` is not given.
pub(crate) const DEFAULT_LIMIT: usize = 50;
/// Most rows one page may have.
pub(crate) const MAX_LIMIT: usize = 200;

/// One article in a listing.
#[derive(Debug, Serialize)]
pub(crate) struct ArticleItem {
    key: String,
    source: String,
    url: String,
    title: String,
    /// Publication time, RFC 3339 UTC; null when the source gave none.
    published: Option<String>,
    first_seen: String,
    last_seen: String,
    latest_version: u32,
    /// `live`, or the takedown class of its last re-check.
    state: String,
    /// Badge: a later version differs from the first.
    changed: bool,
    /// Badge: the source no longer serves it.
    gone: bool,
}

impl From<ArticleSummary> for ArticleItem {
    fn from(a: ArticleSummary) -> ArticleItem {
        ArticleItem {
            changed: a.changed(),
            gone: a.gone(),
            published: a.published_ms.and_then(rfc3339_ms),
            key: a.key,
            source: a.source,
            url: a.url,
            title: a.title,
            first_seen: a.first_seen,
            last_seen: a.last_seen,
            latest_version: a.latest_version,
            state: a.state,
        }
    }
}

/// A page of a listing.
#[derive(Debug, Serialize)]
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    /// The `after` of the next page; null on the last page.
    pub(crate) next: Option<String>,
}

/// `GET /api/v1/articles?source=&after=&limit=`.
pub(crate) async fn list(
    State(state): State<WebState>,
    params: Params,
) -> Result<Json<Page<ArticleItem>>, ApiError> {
    let source = params.source("source")?;
    let after = params.article_cursor("after")?;
    let limit = params.number("limit", 1, MAX_LIMIT, DEFAULT_LIMIT)?;
    let configured = source
        .as_ref()
        .is_some_and(|s| state.sources().iter().any(|c| &c.id == s));
    let page = state
        .read_with(move |index, _| {
            let source = source.as_ref().map(|s| s.as_str());
            let page = index.list_articles(source, after.as_ref(), limit)?;
            if let Some(id) = source
                && page.items.is_empty()
                && !configured
                && index.count_articles(Some(id))? == 0
            {
                return Err(ApiError::Missing(format!("no source {id:?}")));
            }
            Ok(page)
        })
        .await?;
    Ok(Json(Page {
        items: page.items.into_iter().map(ArticleItem::from).collect(),
        next: page.next.map(|c| c.encode()),
    }))
}

/// One stored version, without its body.
#[derive(Debug, Serialize)]
pub(crate) struct VersionItem {
    version: u32,
    source: String,
    title: String,
    url: String,
    published: Option<String>,
    /// When it was captured (RFC 3339).
    captured: String,
    /// SHA-256 of the record file as archived.
    sha256: String,
}

impl From<&VersionRow> for VersionItem {
    fn from(v: &VersionRow) -> VersionItem {
        VersionItem {
            version: v.version,
            source: v.source.clone(),
            title: v.title.clone(),
            url: v.url.clone(),
            published: v.published_ms.and_then(rfc3339_ms),
            captured: v.captured.clone(),
            sha256: v.sha256.clone(),
        }
    }
}

/// A version with its cleaned body.
#[derive(Debug, Serialize)]
pub(crate) struct VersionBody {
    key: String,
    #[serde(flatten)]
    version: VersionItem,
    /// The sanitized body HTML (archived images point at `/assets/...`).
    html: String,
    /// The body's plain text, paragraphs separated by a blank line.
    text: String,
}

/// An article's latest state with its badges and cleaned body.
#[derive(Debug, Serialize)]
pub(crate) struct ArticleDetail {
    #[serde(flatten)]
    summary: ArticleItem,
    /// What the last capture found (`new`, `unchanged`, `edited`, `gone`, ...).
    last_event: String,
    /// When the latest version was captured.
    captured: String,
    /// SHA-256 of the latest version's record.
    sha256: String,
    html: String,
    text: String,
}

/// The body of `version` read from its record: (sanitized HTML, plain text).
fn body(
    index: &index::Index,
    data_dir: &std::path::Path,
    version: &VersionRow,
) -> Result<(String, String), ApiError> {
    let record = content::read_record(data_dir, &version.path)?;
    Ok((
        content::body_html(index, &record),
        clean::text(&record.body),
    ))
}

fn no_article(key: &ArticleKey) -> ApiError {
    ApiError::Missing(format!("no article {key}"))
}

/// `GET /api/v1/articles/{key}`.
pub(crate) async fn one(
    State(state): State<WebState>,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<ArticleDetail>, ApiError> {
    let key = article_key(&key)?;
    let detail = state
        .read_with(move |index, data_dir| {
            let summary = index
                .article_summary(key.as_str())?
                .ok_or_else(|| no_article(&key))?;
            let row = index.article(&key)?.ok_or_else(|| no_article(&key))?;
            let versions = index.versions(&key)?;
            let latest = versions
                .iter()
                .find(|v| v.version == summary.latest_version)
                .or(versions.last())
                .ok_or_else(|| ApiError::Internal(format!("article {key} has no versions")))?;
            let (html, text) = body(index, data_dir, latest)?;
            Ok(ArticleDetail {
                last_event: row.last_event,
                captured: latest.captured.clone(),
                sha256: latest.sha256.clone(),
                summary: summary.into(),
                html,
                text,
            })
        })
        .await?;
    Ok(Json(detail))
}

/// The rows of one article, not paged (an article has a handful).
#[derive(Debug, Serialize)]
pub(crate) struct ArticleRows<T> {
    key: String,
    items: Vec<T>,
}

/// `GET /api/v1/articles/{key}/versions`: oldest first.
pub(crate) async fn versions(
    State(state): State<WebState>,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<ArticleRows<VersionItem>>, ApiError> {
    let key = article_key(&key)?;
    let rows = state
        .read_with(move |index, _| {
            let rows = index.versions(&key)?;
            if rows.is_empty() {
                return Err(no_article(&key));
            }
            Ok(ArticleRows {
                key: key.to_string(),
                items: rows.iter().map(VersionItem::from).collect(),
            })
        })
        .await?;
    Ok(Json(rows))
}

/// `GET /api/v1/articles/{key}/versions/{n}`.
pub(crate) async fn version(
    State(state): State<WebState>,
    ApiPath((key, n)): ApiPath<(String, String)>,
) -> Result<Json<VersionBody>, ApiError> {
    let key = article_key(&key)?;
    let n = version_number(&n)?;
    let body = state
        .read_with(move |index, data_dir| {
            let rows = index.versions(&key)?;
            if rows.is_empty() {
                return Err(no_article(&key));
            }
            let row = rows.iter().find(|v| v.version == n).ok_or_else(|| {
                ApiError::Missing(format!(
                    "article {key} has no version {n} (it has 1 to {})",
                    rows.len()
                ))
            })?;
            let (html, text) = body(index, data_dir, row)?;
            Ok(VersionBody {
                key: key.to_string(),
                version: row.into(),
                html,
                text,
            })
        })
        .await?;
    Ok(Json(body))
}

/// One observation of an article.
#[derive(Debug, Serialize)]
pub(crate) struct EventItem {
    /// Source whose capture log holds it.
    source: String,
    /// Its sequence number in that log.
    seq: u64,
    time: String,
    /// `new`, `unchanged`, `edited`, `gone`, `moved`, `redirected-home`, `soft-404`,
    /// `blocked`, `left-feed`, `back`, `byline` or `error`.
    event: String,
    version: u32,
    url: String,
    status: Option<u16>,
    final_url: Option<String>,
    note: Option<String>,
    via: Option<String>,
    body_sha256: Option<String>,
    warc_record_id: Option<String>,
    /// The byline the observation saw (the new one, for `byline`); absent when none was
    /// recorded, so older clients see the shape they know.
    #[serde(skip_serializing_if = "Option::is_none")]
    byline: Option<String>,
}

impl From<CaptureRow> for EventItem {
    fn from(c: CaptureRow) -> EventItem {
        EventItem {
            source: c.source,
            seq: c.seq,
            time: c.time,
            event: c.event,
            version: c.version,
            url: c.url,
            status: c.status,
            final_url: c.final_url,
            note: c.note,
            via: c.via,
            body_sha256: c.body_sha256,
            warc_record_id: c.warc_record_id,
            byline: c.byline,
        }
    }
}

/// `GET /api/v1/articles/{key}/events`: every observation, in capture order.
pub(crate) async fn events(
    State(state): State<WebState>,
    ApiPath(key): ApiPath<String>,
) -> Result<Json<ArticleRows<EventItem>>, ApiError> {
    let key = article_key(&key)?;
    let rows = state
        .read_with(move |index, _| {
            let rows = index.captures(&key)?;
            if rows.is_empty() {
                return Err(no_article(&key));
            }
            Ok(ArticleRows {
                key: key.to_string(),
                items: rows.into_iter().map(EventItem::from).collect(),
            })
        })
        .await?;
    Ok(Json(rows))
}
