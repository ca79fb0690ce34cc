//! `GET /articles/{key}/diff?from=N&to=M`: two versions side by side, old on the left and new
//! on the right, paragraph by paragraph (`clean::diff` of `clean::text` of both bodies).
//! Changed paragraphs show their inline changes (`<del>` on the left, `<ins>` on the right);
//! a moved paragraph stands at its new place, with where it came from. `to` defaults to the
//! latest version and `from` to the one before `to`.
//!
//! The row HTML is built here, every text escaped by [`escape`].

use super::article::Loaded;
use super::error::{PageError, PagePath};
use super::listing::display_title;
use super::page::{Chrome, Feed, Reader, respond};
use super::time::When;
use crate::WebState;
use crate::api::params::{article_key, version_number};
use crate::content;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use clean::{DiffSummary, ParagraphOp, Span};

/// One row of the side-by-side view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Row {
    /// `same`, `added`, `removed`, `changed` or `moved`.
    pub(crate) class: &'static str,
    /// The old column (escaped HTML; empty for an added paragraph).
    pub(crate) old: String,
    /// The new column (escaped HTML; empty for a removed paragraph).
    pub(crate) new: String,
}

/// A version in the version pickers.
#[derive(Clone, Debug)]
pub(crate) struct Choice {
    pub(crate) n: u32,
    pub(crate) label: String,
}

#[derive(Template)]
#[template(path = "diff.html")]
struct DiffPage {
    chrome: Chrome,
    key: String,
    title: String,
    from: u32,
    to: u32,
    from_captured: Option<When>,
    to_captured: Option<When>,
    choices: Vec<Choice>,
    title_row: Option<Row>,
    rows: Vec<Row>,
    summary: DiffSummary,
    unchanged: bool,
}

/// What the diff page reads in one go.
struct Texts {
    loaded: Loaded,
    old: Option<(String, String)>,
    new: Option<(String, String)>,
    from: u32,
    to: u32,
}

/// `GET /articles/{key}/diff`.
pub(crate) async fn diff(
    State(state): State<WebState>,
    reader: Reader,
    PagePath(key): PagePath<String>,
) -> Result<Response, PageError> {
    let key = article_key(&key)?;
    let params = reader.params();
    let from = params.get("from")?.map(version_number).transpose()?;
    let to = params.get("to")?.map(version_number).transpose()?;
    let wanted = key.clone();
    let texts = state
        .read_with(move |index, data_dir| {
            let Some(loaded) = Loaded::read(index, data_dir, &wanted, None)? else {
                return Ok(None);
            };
            let to = to.unwrap_or(loaded.summary.latest_version);
            let from = from.unwrap_or(to.saturating_sub(1).max(1));
            let text = |n: u32| -> Result<Option<(String, String)>, crate::error::ApiError> {
                match loaded.version(n) {
                    Some(v) => {
                        let record = content::read_record(data_dir, &v.path)?;
                        Ok(Some((record.title, clean::text(&record.body))))
                    }
                    None => Ok(None),
                }
            };
            let (old, new) = (text(from)?, text(to)?);
            Ok(Some(Texts {
                loaded,
                old,
                new,
                from,
                to,
            }))
        })
        .await?
        .ok_or_else(|| PageError::not_found(format!("存档中没有这篇文章：{key}")))?;
    let latest = texts.loaded.summary.latest_version;
    let (Some((old_title, old_text)), Some((new_title, new_text))) = (&texts.old, &texts.new)
    else {
        let n = if texts.old.is_none() {
            texts.from
        } else {
            texts.to
        };
        return Err(PageError::not_found(format!(
            "文章 {key} 没有第 {n} 版（共 {latest} 版）"
        )));
    };
    let diff = clean::diff(old_text, new_text);
    let title_row = (old_title != new_title).then(|| Row {
        class: "changed",
        old: format!("<del>{}</del>", escape(old_title)),
        new: format!("<ins>{}</ins>", escape(new_title)),
    });
    let loaded = &texts.loaded;
    let title = display_title(&loaded.summary.title);
    let captured = |n: u32| {
        loaded
            .version(n)
            .and_then(|v| When::from_rfc3339(&v.captured))
    };
    let page = DiffPage {
        chrome: reader.chrome(
            format!(
                "修改对比（第 {} 版 → 第 {} 版）：{title}",
                texts.from, texts.to
            ),
            Feed::changes(),
        ),
        key: key.to_string(),
        title,
        from: texts.from,
        to: texts.to,
        from_captured: captured(texts.from),
        to_captured: captured(texts.to),
        choices: loaded
            .versions
            .iter()
            .map(|v| Choice {
                n: v.version,
                label: format!(
                    "第 {} 版 · {}",
                    v.version,
                    When::from_rfc3339(&v.captured).map_or_else(String::new, |w| w.local)
                ),
            })
            .collect(),
        unchanged: diff.is_unchanged() && title_row.is_none(),
        summary: diff.summary(),
        title_row,
        rows: rows(&diff.paragraphs),
    };
    Ok(respond(&reader, StatusCode::OK, &page, None))
}

/// The side-by-side rows of a diff.
pub(crate) fn rows(paragraphs: &[ParagraphOp]) -> Vec<Row> {
    paragraphs
        .iter()
        .map(|p| match p {
            ParagraphOp::Equal { text, .. } => Row {
                class: "same",
                old: escape(text),
                new: escape(text),
            },
            ParagraphOp::Insert { text, .. } => Row {
                class: "added",
                old: String::new(),
                new: format!("<ins>{}</ins>", escape(text)),
            },
            ParagraphOp::Delete { text, .. } => Row {
                class: "removed",
                old: format!("<del>{}</del>", escape(text)),
                new: String::new(),
            },
            ParagraphOp::Changed { inline, .. } => Row {
                class: "changed",
                old: side(inline, Side::Old),
                new: side(inline, Side::New),
            },
            ParagraphOp::Moved { from, to, inline } => Row {
                class: "moved",
                old: format!(
                    "<span class=\"move-note\">第 {from} 段，移到第 {to} 段</span>{}",
                    side(inline, Side::Old)
                ),
                new: format!(
                    "<span class=\"move-note\">由第 {from} 段移来</span>{}",
                    side(inline, Side::New)
                ),
            },
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Old,
    New,
}

/// One side of a changed paragraph: the common text, and that side's own changes marked.
fn side(inline: &[Span], side: Side) -> String {
    let mut out = String::new();
    for span in inline {
        match (span, side) {
            (Span::Equal(t), _) => out.push_str(&escape(t)),
            (Span::Delete(t), Side::Old) => {
                out.push_str("<del>");
                out.push_str(&escape(t));
                out.push_str("</del>");
            }
            (Span::Insert(t), Side::New) => {
                out.push_str("<ins>");
                out.push_str(&escape(t));
                out.push_str("</ins>");
            }
            _ => {}
        }
    }
    out
}

/// `text` escaped for HTML, line breaks as `<br>`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_put_old_left_and_new_right_and_escape() {
        let old = "第一段<b>。\n\n第二段说了旧话。\n\n第三段。";
        let new = "第三段。\n\n第一段<b>。\n\n第二段说了新话。";
        let rows = rows(&clean::diff(old, new).paragraphs);
        assert!(rows.iter().any(|r| r.class == "moved"), "{rows:?}");
        let changed = rows
            .iter()
            .find(|r| r.class == "changed")
            .expect("a changed row");
        assert!(changed.old.contains("<del>旧</del>"), "{changed:?}");
        assert!(changed.new.contains("<ins>新</ins>"), "{changed:?}");
        assert!(!changed.old.contains("<ins>"), "{changed:?}");
        assert!(
            rows.iter()
                .all(|r| !r.old.contains("<b>") && !r.new.contains("<b>"))
        );
    }
}
