//! What the home and source pages list: articles (newest first, with their badges) and sources
//! (with their health: the configured sources joined with their check state and counts).

use super::page::encode_segment;
use super::time::When;
use index::{ArticleSummary, SourceCounts, SourceState};
use model::SourceConfig;
use std::collections::HashMap;

/// Articles per page of a listing.
pub(crate) const PAGE: usize = 30;

/// One article in a list.
#[derive(Clone, Debug)]
pub(crate) struct ArticleItem {
    pub(crate) key: String,
    pub(crate) title: String,
    /// The source page's path.
    pub(crate) source_href: String,
    pub(crate) source_name: String,
    pub(crate) published: Option<When>,
    pub(crate) changed: bool,
    pub(crate) gone: bool,
}

impl ArticleItem {
    pub(crate) fn new(a: &ArticleSummary, names: &Names) -> ArticleItem {
        ArticleItem {
            key: a.key.clone(),
            title: display_title(&a.title),
            source_href: source_href(&a.source),
            source_name: names.name(&a.source),
            published: a.published_ms.and_then(When::from_ms),
            changed: a.changed(),
            gone: a.gone(),
        }
    }
}

/// The path of a source's page.
pub(crate) fn source_href(id: &str) -> String {
    format!("/sources/{}", encode_segment(id))
}

/// `url` when it may be a link target (`http`/`https`); other schemes (`javascript:`) are
/// shown as text only.
pub(crate) fn web_href(url: &str) -> Option<String> {
    let lower: String = url.chars().take(8).collect::<String>().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then(|| url.to_owned())
}

/// A title to show: the stored one, or a placeholder when it is empty.
pub(crate) fn display_title(title: &str) -> String {
    if title.trim().is_empty() {
        "（无标题）".to_owned()
    } else {
        title.to_owned()
    }
}

/// Display names of sources by id: the configured name, else the id.
#[derive(Clone, Debug, Default)]
pub(crate) struct Names(HashMap<String, String>);

impl Names {
    pub(crate) fn new(configured: &[SourceConfig]) -> Names {
        Names(
            configured
                .iter()
                .map(|s| (s.id.to_string(), s.name.clone()))
                .collect(),
        )
    }

    pub(crate) fn name(&self, id: &str) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }
}

/// One source and how it is doing.
#[derive(Clone, Debug)]
pub(crate) struct SourceHealth {
    pub(crate) id: String,
    /// The source page's path.
    pub(crate) href: String,
    pub(crate) name: String,
    pub(crate) articles: u64,
    pub(crate) versions: u64,
    pub(crate) changed: u64,
    pub(crate) last_capture: Option<When>,
    pub(crate) last_success: Option<When>,
    pub(crate) last_error: Option<String>,
    pub(crate) last_error_time: Option<When>,
    /// `ok`, `failing`, `unchecked` (never checked here: imported, or new) or `disabled`.
    pub(crate) status: &'static str,
}

impl SourceHealth {
    /// The status's label.
    pub(crate) fn status_label(&self) -> &'static str {
        match self.status {
            "ok" => "正常",
            "failing" => "出错",
            "disabled" => "已停用",
            _ => "未检查",
        }
    }
}

/// Every configured source (configuration order), then the sources the archive holds that
/// are not configured (by id), each with its counts and check state.
pub(crate) fn health(
    configured: &[SourceConfig],
    counts: &[SourceCounts],
    states: &[SourceState],
) -> Vec<SourceHealth> {
    let counts: HashMap<&str, &SourceCounts> =
        counts.iter().map(|c| (c.source.as_str(), c)).collect();
    let states: HashMap<&str, &SourceState> = states.iter().map(|s| (s.id.as_str(), s)).collect();
    let one = |id: &str, name: &str, enabled: bool| {
        let c = counts.get(id).copied().cloned().unwrap_or_default();
        let s = states.get(id).copied();
        let status = match s {
            _ if !enabled => "disabled",
            None => "unchecked",
            Some(s) if s.last_error.is_some() => "failing",
            Some(_) => "ok",
        };
        SourceHealth {
            id: id.to_owned(),
            href: source_href(id),
            name: name.to_owned(),
            articles: c.articles,
            versions: c.versions,
            changed: c.changed,
            last_capture: c.last_capture.as_deref().and_then(When::from_rfc3339),
            last_success: s
                .and_then(|s| s.last_success.as_deref())
                .and_then(When::from_rfc3339),
            last_error: s.and_then(|s| s.last_error.clone()),
            last_error_time: s
                .and_then(|s| s.last_error_time.as_deref())
                .and_then(When::from_rfc3339),
            status,
        }
    };
    let mut list: Vec<SourceHealth> = configured
        .iter()
        .map(|c| one(c.id.as_str(), &c.name, c.enabled))
        .collect();
    for c in counts.values() {
        if !configured.iter().any(|s| s.id.as_str() == c.source) {
            list.push(one(&c.source, &c.source, true));
        }
    }
    let configured_len = configured.len();
    list[configured_len..].sort_by(|a, b| a.id.cmp(&b.id));
    list
}
