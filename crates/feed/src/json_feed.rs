//! JSON Feed 1 and 1.1 (<https://jsonfeed.org/version/1.1>). feedparser does not read JSON Feed,
//! so the spec is the reference here: an item inherits the feed's authors, `content_text` is
//! escaped into `content_html`, and `summary` (or the content's text) is the summary.

use crate::dates::parse_date;
use crate::model::{Enclosure, Entry, Feed, FeedError, Warning};
use crate::text;
use crate::urls;
use serde_json::Value;

/// Reads a JSON Feed document (already decoded).
pub(crate) fn parse(
    src: &str,
    base_url: Option<&str>,
    warnings: &mut Vec<Warning>,
) -> Result<Feed, FeedError> {
    let doc: Value = serde_json::from_str(src).map_err(|e| {
        FeedError::NotAFeed(format!(
            "invalid JSON at line {} column {}: {e}",
            e.line(),
            e.column()
        ))
    })?;
    let version = doc.get("version").and_then(Value::as_str).unwrap_or("");
    if !version.contains("jsonfeed.org/version/") {
        if doc.get("items").is_none() {
            return Err(FeedError::NotAFeed(
                "JSON without a JSON Feed version or items".to_owned(),
            ));
        }
        warnings.push(Warning {
            line: 0,
            column: 0,
            message: "JSON Feed without a version, read as 1.1".to_owned(),
        });
    }
    let base = base_url.unwrap_or("");
    let s = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let feed_author = author(&doc);
    let entries = doc
        .get("items")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|it| {
                    let content_html = s(it, "content_html")
                        .or_else(|| s(it, "content_text").map(|t| text::escape(&t)));
                    let summary = s(it, "summary").or_else(|| {
                        s(it, "content_html")
                            .map(|h| text::html_to_text(&h))
                            .or_else(|| s(it, "content_text"))
                    });
                    Entry {
                        id: match it.get("id") {
                            Some(Value::String(v)) if !v.is_empty() => Some(v.clone()),
                            Some(Value::Number(n)) => Some(n.to_string()),
                            _ => None,
                        },
                        title: s(it, "title").map(|t| text::html_to_text(&t)),
                        link: s(it, "url").map(|u| urls::resolve(base, &u)),
                        published: s(it, "date_published").and_then(|d| parse_date(&d)),
                        updated: s(it, "date_modified").and_then(|d| parse_date(&d)),
                        author: author(it).or_else(|| feed_author.clone()),
                        summary_text: summary,
                        content_html,
                        categories: it
                            .get("tags")
                            .and_then(Value::as_array)
                            .map(|t| {
                                let mut out: Vec<String> = Vec::new();
                                for v in t.iter().filter_map(Value::as_str) {
                                    if !v.trim().is_empty() && !out.iter().any(|o| o == v.trim()) {
                                        out.push(v.trim().to_owned());
                                    }
                                }
                                out
                            })
                            .unwrap_or_default(),
                        enclosures: it
                            .get("attachments")
                            .and_then(Value::as_array)
                            .map(|a| {
                                a.iter()
                                    .filter_map(|at| {
                                        Some(Enclosure {
                                            url: urls::resolve(base, &s(at, "url")?),
                                            mime_type: s(at, "mime_type"),
                                            length: at.get("size_in_bytes").and_then(Value::as_u64),
                                        })
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Feed {
        title: s(&doc, "title"),
        link: s(&doc, "home_page_url").map(|u| urls::resolve(base, &u)),
        language: s(&doc, "language").map(|l| l.replace('_', "-")),
        updated: None,
        version: if version.ends_with("/1") {
            "json1"
        } else {
            "json11"
        }
        .to_owned(),
        entries,
    })
}

/// The last author's name (1.1 `authors`, or 1.0 `author`).
fn author(v: &Value) -> Option<String> {
    let one = |a: &Value| {
        a.get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
    };
    v.get("authors")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().rev().find_map(one))
        .or_else(|| v.get("author").and_then(one))
}
