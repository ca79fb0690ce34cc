//! `GET /articles/{key}` (the latest version) and `GET /articles/{key}/v/{n}` (version `n`):
//! title, source, times, the original link, the cleaned body, badges, the list of versions and
//! the timeline of everything observed (versions and events: edited, gone, moved, back, ...).
//!
//! Words: the *shown* version is the one whose body the page displays; the *timeline* is the
//! article's captures in time order, except `unchanged` re-checks, which are only counted.

use super::body_cache;
use super::error::{PageError, PagePath};
use super::events;
use super::listing::{Names, display_title, source_href, web_href};
use super::page::{BODY_SLOT, Chrome, Feed, Reader, respond};
use super::time::When;
use super::zh::Zh;
use crate::WebState;
use crate::api::params::{article_key, version_number};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use index::{ArticleSummary, CaptureRow, Index, VersionRow};
use model::ArticleKey;
use std::path::Path;
use std::sync::Arc;

/// Everything the article and version pages read, in one index read.
pub(crate) struct Loaded {
    pub(crate) summary: ArticleSummary,
    pub(crate) versions: Vec<VersionRow>,
    pub(crate) captures: Vec<CaptureRow>,
    /// The shown version's sanitized body, in the reader's script.
    pub(crate) body: Option<Arc<str>>,
}

impl Loaded {
    /// Reads article `key` and, when `body` asks for it, the body of a version (the latest
    /// when the number is `None`) in a script. `None` when the archive has no such article.
    pub(crate) fn read(
        index: &Index,
        data_dir: &Path,
        key: &ArticleKey,
        body: Option<(Option<u32>, Zh)>,
    ) -> Result<Option<Loaded>, crate::error::ApiError> {
        let Some(summary) = index.article_summary(key.as_str())? else {
            return Ok(None);
        };
        let versions = index.versions(key)?;
        let captures = index.captures(key)?;
        let wanted = body.and_then(|(n, zh)| {
            let n = n.unwrap_or(summary.latest_version);
            Some((versions.iter().find(|v| v.version == n)?, zh))
        });
        let body = match wanted {
            Some((v, zh)) => Some(body_cache::body(index, data_dir, &v.sha256, &v.path, zh)?),
            None => None,
        };
        Ok(Some(Loaded {
            summary,
            versions,
            captures,
            body,
        }))
    }

    /// Version `n`, if stored.
    pub(crate) fn version(&self, n: u32) -> Option<&VersionRow> {
        self.versions.iter().find(|v| v.version == n)
    }

    /// Whether the source no longer serves the article: its re-check state says so, or its
    /// last takedown observation was not followed by one that found it served again.
    pub(crate) fn gone(&self) -> bool {
        let mut gone = false;
        for c in &self.captures {
            if events::is_takedown(&c.event) {
                gone = true;
            } else if matches!(c.event.as_str(), "back" | "new" | "edited") {
                gone = false;
            }
        }
        gone || self.summary.gone()
    }
}

/// One observation on the timeline.
#[derive(Clone, Debug)]
pub(crate) struct TimelineEntry {
    pub(crate) when: Option<When>,
    pub(crate) label: &'static str,
    pub(crate) class: &'static str,
    /// The article's version after it.
    pub(crate) version: u32,
    /// Whether it stored that version.
    pub(crate) stored: bool,
    pub(crate) status: Option<u16>,
    pub(crate) final_url: Option<String>,
    /// `final_url` when it may be a link.
    pub(crate) final_href: Option<String>,
    pub(crate) note: Option<String>,
    pub(crate) warc: Option<String>,
}

/// The timeline of `captures` and how many `unchanged` re-checks it leaves out.
fn timeline(captures: &[CaptureRow]) -> (Vec<TimelineEntry>, usize) {
    let unchanged = captures.iter().filter(|c| c.event == "unchanged").count();
    let entries = captures
        .iter()
        .filter(|c| c.event != "unchanged")
        .map(|c| TimelineEntry {
            when: When::from_rfc3339(&c.time),
            label: events::label(&c.event),
            class: events::class(&c.event),
            version: c.version,
            stored: matches!(c.event.as_str(), "new" | "edited"),
            status: c.status,
            final_url: c.final_url.clone(),
            final_href: c.final_url.as_deref().and_then(web_href),
            note: c.note.clone(),
            warc: c.warc_record_id.clone(),
        })
        .collect();
    (entries, unchanged)
}

/// A link to one version in the version list.
#[derive(Clone, Debug)]
pub(crate) struct VersionLink {
    pub(crate) n: u32,
    pub(crate) title: String,
    pub(crate) captured: Option<When>,
    /// Whether the page shows this version.
    pub(crate) current: bool,
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    chrome: Chrome,
    key: String,
    title: String,
    url: String,
    /// `url` when it may be a link.
    url_href: Option<String>,
    source_href: String,
    source_name: String,
    published: Option<When>,
    first_seen: Option<When>,
    last_seen: Option<When>,
    /// The version shown, and when it was captured.
    shown: u32,
    shown_captured: Option<When>,
    latest: u32,
    changed: bool,
    gone: bool,
    versions: Vec<VersionLink>,
    timeline: Vec<TimelineEntry>,
    unchanged: usize,
    body_slot: &'static str,
}

/// `GET /articles/{key}`.
pub(crate) async fn article(
    State(state): State<WebState>,
    reader: Reader,
    PagePath(key): PagePath<String>,
) -> Result<Response, PageError> {
    show(state, reader, &key, None).await
}

/// Shows version `n` of article `key` (the latest when `None`).
pub(crate) async fn show(
    state: WebState,
    reader: Reader,
    key: &str,
    n: Option<&str>,
) -> Result<Response, PageError> {
    let key = article_key(key)?;
    let n = n.map(version_number).transpose()?;
    let zh = reader.zh;
    let wanted = key.clone();
    let loaded = state
        .read_with(move |index, data_dir| Loaded::read(index, data_dir, &wanted, Some((n, zh))))
        .await?
        .ok_or_else(|| PageError::not_found(format!("存档中没有这篇文章：{key}")))?;
    let latest = loaded.summary.latest_version;
    let shown = n.unwrap_or(latest);
    let (Some(version), Some(body)) = (loaded.version(shown), loaded.body.as_deref()) else {
        return Err(PageError::not_found(format!(
            "文章 {key} 没有第 {shown} 版（共 {latest} 版）"
        )));
    };
    let names = Names::new(&state.sources());
    let source_name = names.name(&loaded.summary.source);
    let title = display_title(&version.title);
    let (timeline, unchanged) = timeline(&loaded.captures);
    let page_title = if shown == latest {
        title.clone()
    } else {
        format!("{title}（第 {shown} 版）")
    };
    let page = ArticlePage {
        chrome: reader.chrome(
            page_title,
            Feed::source(&loaded.summary.source, &source_name),
        ),
        key: key.to_string(),
        title,
        url: version.url.clone(),
        url_href: web_href(&version.url),
        source_href: source_href(&loaded.summary.source),
        source_name,
        published: version.published_ms.and_then(When::from_ms),
        first_seen: When::from_rfc3339(&loaded.summary.first_seen),
        last_seen: When::from_rfc3339(&loaded.summary.last_seen),
        shown,
        shown_captured: When::from_rfc3339(&version.captured),
        latest,
        changed: loaded.summary.changed(),
        gone: loaded.gone(),
        versions: loaded
            .versions
            .iter()
            .map(|v| VersionLink {
                n: v.version,
                title: display_title(&v.title),
                captured: When::from_rfc3339(&v.captured),
                current: v.version == shown,
            })
            .collect(),
        timeline,
        unchanged,
        body_slot: BODY_SLOT,
    };
    Ok(respond(&reader, StatusCode::OK, &page, Some(body)))
}
