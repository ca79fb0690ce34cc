//! `GET /changes`: edits and takedowns, newest first, paged by cursor (`?after=`), of one
//! source with `?source=`. Each row links to the article and, for an edit, to its diff.

use super::error::PageError;
use super::events;
use super::listing::{Names, display_title};
use super::page::{Chrome, Feed, Reader, encode_segment, respond};
use super::time::When;
use crate::WebState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

/// Changes per page.
const PAGE: usize = 50;

/// One change as the page lists it.
#[derive(Clone, Debug)]
pub(crate) struct ChangeItem {
    pub(crate) key: String,
    pub(crate) title: String,
    pub(crate) source_name: String,
    pub(crate) when: Option<When>,
    pub(crate) label: &'static str,
    pub(crate) class: &'static str,
    pub(crate) version: u32,
    /// For an edit: the diff of the version before it and this one.
    pub(crate) diff: Option<String>,
    pub(crate) status: Option<u16>,
    pub(crate) final_url: Option<String>,
}

#[derive(Template)]
#[template(path = "changes.html")]
struct ChangesPage {
    chrome: Chrome,
    items: Vec<ChangeItem>,
    next: Option<String>,
    later: bool,
    source: Option<String>,
}

/// `GET /changes`.
pub(crate) async fn changes(
    State(state): State<WebState>,
    reader: Reader,
) -> Result<Response, PageError> {
    let params = reader.params();
    let after = params.change_cursor("after")?;
    let source = params.source("source")?.map(|s| s.to_string());
    let later = after.is_some();
    let filter = source.clone();
    let page = state
        .read_index(move |index| index.list_changes(filter.as_deref(), after.as_ref(), PAGE))
        .await?;
    let names = Names::new(&state.sources());
    let items = page
        .items
        .iter()
        .map(|c| ChangeItem {
            key: c.key.clone(),
            title: display_title(&c.title),
            source_name: names.name(&c.source),
            when: When::from_rfc3339(&c.time),
            label: events::label(&c.event),
            class: events::class(&c.event),
            version: c.version,
            diff: (c.event == "edited" && c.version > 1).then(|| {
                format!(
                    "/articles/{}/diff?from={}&to={}",
                    c.key,
                    c.version - 1,
                    c.version
                )
            }),
            status: c.status,
            final_url: c.final_url.clone(),
        })
        .collect();
    let next = page.next.map(|c| {
        let mut href = format!("/changes?after={}", encode_segment(&c.encode()));
        if let Some(s) = &source {
            href.push_str(&format!("&source={}", encode_segment(s)));
        }
        href
    });
    let page = ChangesPage {
        chrome: reader.chrome("修改与删除", Feed::changes()),
        items,
        next,
        later,
        source: source.map(|s| names.name(&s)),
    };
    Ok(respond(&reader, StatusCode::OK, &page, None))
}
