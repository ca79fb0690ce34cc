//! `GET /api/v1/changes?after=&source=&limit=`: edits and takedowns, newest first, by cursor.
//!
//! A *change* is a capture whose event is one of `index::CHANGE_EVENTS` (edited, a takedown
//! class, left-feed or back), shown with the article's current title.

use super::articles::{DEFAULT_LIMIT, MAX_LIMIT, Page};
use super::params::Params;
use crate::WebState;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use index::ChangeRow;
use serde::Serialize;

/// One change.
#[derive(Debug, Serialize)]
pub(crate) struct ChangeItem {
    key: String,
    /// The article's current title.
    title: String,
    source: String,
    seq: u64,
    /// When it was observed (RFC 3339).
    time: String,
    event: String,
    /// The article's version after it.
    version: u32,
    url: String,
    status: Option<u16>,
    final_url: Option<String>,
    note: Option<String>,
}

impl From<ChangeRow> for ChangeItem {
    fn from(c: ChangeRow) -> ChangeItem {
        ChangeItem {
            key: c.key,
            title: c.title,
            source: c.source,
            seq: c.seq,
            time: c.time,
            event: c.event,
            version: c.version,
            url: c.url,
            status: c.status,
            final_url: c.final_url,
            note: c.note,
        }
    }
}

/// `GET /api/v1/changes`.
pub(crate) async fn list(
    State(state): State<WebState>,
    params: Params,
) -> Result<Json<Page<ChangeItem>>, ApiError> {
    let source = params.source("source")?;
    let after = params.change_cursor("after")?;
    let limit = params.number("limit", 1, MAX_LIMIT, DEFAULT_LIMIT)?;
    let page = state
        .read_index(move |index| {
            index.list_changes(source.as_ref().map(|s| s.as_str()), after.as_ref(), limit)
        })
        .await?;
    Ok(Json(Page {
        items: page.items.into_iter().map(ChangeItem::from).collect(),
        next: page.next.map(|c| c.encode()),
    }))
}
