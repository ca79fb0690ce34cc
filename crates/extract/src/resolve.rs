//! Choosing each metadata field from the page's many statements, best source first.

use crate::dates;
use crate::measure::is_cjk;
use crate::meta::{PageMeta, collapse};
use chrono::{DateTime, Utc};

/// The title: the `<h1>` when it agrees with the declared title, else the declared title
/// (OpenGraph, JSON-LD, Twitter), else `<title>` without the site name.
pub(crate) fn title(m: &PageMeta) -> Option<String> {
    let declared = m
        .first(&["og:title", "twitter:title"])
        .map(str::to_string)
        .or_else(|| m.ld.as_ref().and_then(|l| l.headline.clone()));
    let page_title = m.title.as_deref().map(collapse).filter(|t| !t.is_empty());
    if let Some(h1) = m.h1.as_deref() {
        let agrees = |t: &str| !h1.is_empty() && (t.contains(h1) || h1.contains(t));
        if declared.as_deref().is_some_and(agrees) || page_title.as_deref().is_some_and(agrees) {
            return Some(h1.to_string());
        }
    }
    if let Some(d) = declared {
        return Some(collapse(&d));
    }
    page_title.map(|t| strip_site_name(&t))
}

/// `Headline - Site` → `Headline` (the longest part around a separator).
fn strip_site_name(t: &str) -> String {
    for sep in [" | ", " - ", " – ", " — ", " _ ", "｜", " :: "] {
        if t.contains(sep) {
            return t
                .split(sep)
                .max_by_key(|p| p.chars().count())
                .unwrap_or(t)
                .trim()
                .to_string();
        }
    }
    t.to_string()
}

/// The author(s), without a leading "By" or "作者：".
pub(crate) fn byline(m: &PageMeta) -> Option<String> {
    let raw =
        m.ld.as_ref()
            .and_then(|l| l.author.clone())
            .or_else(|| {
                m.first(&[
                    "author",
                    "article:author",
                    "byl",
                    "dc.creator",
                    "parsely-author",
                    "sailthru.author",
                ])
                .filter(|a| !a.starts_with("http"))
                .map(str::to_string)
            })
            .or_else(|| m.author.clone())?;
    let mut s = collapse(&raw);
    for prefix in [
        "By ",
        "by ",
        "BY ",
        "作者：",
        "作者:",
        "撰稿：",
        "记者：",
        "記者：",
        "文／",
        "文/",
    ] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim().to_string();
        }
    }
    (!s.is_empty()).then_some(s)
}

/// When the article was first published.
pub(crate) fn published(m: &PageMeta) -> Option<DateTime<Utc>> {
    let ld =
        m.ld.as_ref()
            .and_then(|l| l.published.as_deref())
            .and_then(dates::parse);
    ld.or_else(|| {
        m.first(&[
            "article:published_time",
            "og:published_time",
            "datepublished",
            "publishdate",
            "pubdate",
            "publish-date",
            "date",
            "dc.date",
            "dc.date.issued",
            "dcterms.created",
            "sailthru.date",
            "parsely-pub-date",
            "article.published",
            "cxenseparse:recs:publishtime",
        ])
        .and_then(dates::parse)
    })
    .or_else(|| m.time.as_deref().and_then(dates::parse))
}

/// When the article was last modified, if the page says.
pub(crate) fn modified(m: &PageMeta) -> Option<DateTime<Utc>> {
    m.ld.as_ref()
        .and_then(|l| l.modified.as_deref())
        .and_then(dates::parse)
        .or_else(|| {
            m.first(&[
                "article:modified_time",
                "og:updated_time",
                "datemodified",
                "last-modified",
                "dcterms.modified",
            ])
            .and_then(dates::parse)
        })
}

/// The language tag (`zh-CN`, `en`, ...), declared or, failing that, guessed from the script
/// of `text`.
pub(crate) fn language(m: &PageMeta, text: &str) -> Option<String> {
    let declared =
        m.ld.as_ref()
            .and_then(|l| l.language.clone())
            .or_else(|| m.lang.clone())
            .or_else(|| {
                m.first(&["content-language", "dc.language", "og:locale", "language"])
                    .map(str::to_string)
            });
    if let Some(d) = declared {
        let d = d.trim().replace('_', "-");
        if !d.is_empty() && d.len() <= 35 {
            return Some(d);
        }
    }
    guess_language(text)
}

/// `zh`, `ja` or `ko` when most letters of `text` are of that script.
fn guess_language(text: &str) -> Option<String> {
    let (mut han, mut kana, mut hangul, mut letters) = (0usize, 0usize, 0usize, 0usize);
    for c in text.chars().take(5000) {
        if c.is_alphabetic() {
            letters += 1;
        }
        match c as u32 {
            0x3040..=0x30FF => kana += 1,
            0xAC00..=0xD7AF => hangul += 1,
            _ if is_cjk(c) => han += 1,
            _ => {}
        }
    }
    if letters == 0 {
        return None;
    }
    let share = |n: usize| n as f32 / letters as f32;
    if share(hangul) > 0.3 {
        Some("ko".into())
    } else if share(kana) > 0.1 {
        Some("ja".into())
    } else if share(han) > 0.3 {
        Some("zh".into())
    } else {
        None
    }
}

/// The lead image URL, as declared (resolved by the caller).
pub(crate) fn lead_image(m: &PageMeta) -> Option<String> {
    m.first(&[
        "og:image:secure_url",
        "og:image",
        "og:image:url",
        "twitter:image",
        "twitter:image:src",
        "image",
    ])
    .map(str::to_string)
    .or_else(|| m.ld.as_ref().and_then(|l| l.image.clone()))
}
