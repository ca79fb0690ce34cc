//! `GET /articles/{key}/v/{n}` (version `n`, shown like the article page) and
//! `GET /articles/{key}/raw/{n}`: the evidence behind version `n`, the capture that stored it
//! (time, status, URLs, the WARC record holding the raw exchange, hashes) and its record file.

use super::article::{Loaded, show};
use super::error::{PageError, PagePath};
use super::events;
use super::listing::{Names, display_title};
use super::page::{Chrome, Feed, Reader, respond};
use super::time::When;
use crate::WebState;
use crate::api::params::{article_key, version_number};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

/// `GET /articles/{key}/v/{n}`.
pub(crate) async fn version(
    State(state): State<WebState>,
    reader: Reader,
    PagePath((key, n)): PagePath<(String, String)>,
) -> Result<Response, PageError> {
    show(state, reader, &key, Some(&n)).await
}

#[derive(Template)]
#[template(path = "raw.html")]
struct RawPage {
    chrome: Chrome,
    key: String,
    n: u32,
    title: String,
    captured: Option<When>,
    event_label: &'static str,
    url: String,
    status: Option<u16>,
    final_url: Option<String>,
    via: Option<String>,
    origin: Option<String>,
    warc: Option<String>,
    body_sha256: Option<String>,
    record_path: String,
    record_sha256: String,
    note: Option<String>,
}

/// `GET /articles/{key}/raw/{n}`.
pub(crate) async fn raw(
    State(state): State<WebState>,
    reader: Reader,
    PagePath((key, n)): PagePath<(String, String)>,
) -> Result<Response, PageError> {
    let key = article_key(&key)?;
    let n = version_number(&n)?;
    let wanted = key.clone();
    let loaded = state
        .read_with(move |index, data_dir| Loaded::read(index, data_dir, &wanted, None))
        .await?
        .ok_or_else(|| PageError::not_found(format!("存档中没有这篇文章：{key}")))?;
    let latest = loaded.summary.latest_version;
    let missing = || PageError::not_found(format!("文章 {key} 没有第 {n} 版（共 {latest} 版）"));
    let version = loaded.version(n).ok_or_else(missing)?;
    let capture = loaded
        .captures
        .iter()
        .find(|c| c.version == n && matches!(c.event.as_str(), "new" | "edited"))
        .ok_or_else(missing)?;
    let page = RawPage {
        chrome: reader.chrome(
            format!("第 {n} 版的原始存档：{}", display_title(&version.title)),
            Feed::source(
                &loaded.summary.source,
                &Names::new(&state.sources()).name(&loaded.summary.source),
            ),
        ),
        key: key.to_string(),
        n,
        title: display_title(&version.title),
        captured: When::from_rfc3339(&capture.time),
        event_label: events::label(&capture.event),
        url: capture.url.clone(),
        status: capture.status,
        final_url: capture.final_url.clone(),
        via: capture.via.clone(),
        origin: capture.origin.clone(),
        warc: capture.warc_record_id.clone(),
        body_sha256: capture.body_sha256.clone(),
        record_path: version.path.clone(),
        record_sha256: version.sha256.clone(),
        note: capture.note.clone(),
    };
    Ok(respond(&reader, StatusCode::OK, &page, None))
}
