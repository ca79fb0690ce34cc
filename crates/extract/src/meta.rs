//! The page's own statements about itself: `<meta>` (OpenGraph, `article:*`, Twitter, Dublin
//! Core, `itemprop`), JSON-LD, `<html lang>`, `<base href>`, `<title>`, `<h1>`, `<time>` and
//! `itemprop` microdata in the body.

use crate::jsonld::{self, LdArticle};
use rustc_hash::FxHashMap;
use scraper::{Html, Node};

/// Everything the page declares, before choosing between sources.
#[derive(Debug, Default)]
pub(crate) struct PageMeta {
    /// `<meta>` values by lower-cased `property`, `name` or `itemprop` (first one wins).
    pub(crate) meta: FxHashMap<String, String>,
    /// The page's JSON-LD article, if any.
    pub(crate) ld: Option<LdArticle>,
    /// `<html lang>`.
    pub(crate) lang: Option<String>,
    /// `<base href>`.
    pub(crate) base: Option<String>,
    /// `<title>` text.
    pub(crate) title: Option<String>,
    /// Text of the first `<h1>`.
    pub(crate) h1: Option<String>,
    /// `datetime` of the first `<time>` (or `itemprop=datePublished` element) in the body.
    pub(crate) time: Option<String>,
    /// Text of the first `itemprop=author` / `rel=author` / byline element.
    pub(crate) author: Option<String>,
}

impl PageMeta {
    /// The first non-empty `<meta>` value among `keys`.
    pub(crate) fn first(&self, keys: &[&str]) -> Option<&str> {
        keys.iter()
            .filter_map(|k| self.meta.get(*k))
            .map(|v| v.trim())
            .find(|v| !v.is_empty())
    }
}

/// Reads the metadata of `doc` in one pass.
pub(crate) fn read(doc: &Html) -> PageMeta {
    let mut m = PageMeta::default();
    let mut ld_scripts: Vec<String> = Vec::new();
    for node in doc.tree.root().descendants() {
        let Node::Element(e) = node.value() else {
            continue;
        };
        match e.name() {
            "html" if m.lang.is_none() => {
                m.lang = e
                    .attr("lang")
                    .or_else(|| e.attr("xml:lang"))
                    .map(str::to_string);
            }
            "meta" => {
                let key = e
                    .attr("property")
                    .or_else(|| e.attr("name"))
                    .or_else(|| e.attr("itemprop"))
                    .or_else(|| e.attr("http-equiv"));
                if let (Some(k), Some(v)) = (key, e.attr("content"))
                    && !v.trim().is_empty()
                {
                    let k = k.trim().to_ascii_lowercase();
                    m.meta.entry(k).or_insert_with(|| v.trim().to_string());
                }
            }
            "base" if m.base.is_none() => m.base = e.attr("href").map(str::to_string),
            "title"
                if m.title.is_none()
                    && node
                        .ancestors()
                        .all(|a| a.value().as_element().is_none_or(|x| x.name() != "svg")) =>
            {
                m.title = Some(text_of(node));
            }
            "h1" if m.h1.is_none() => {
                let t = text_of(node);
                if !t.is_empty() {
                    m.h1 = Some(t);
                }
            }
            "script"
                if e.attr("type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) =>
            {
                ld_scripts.push(text_of(node));
            }
            "time" if m.time.is_none() => m.time = e.attr("datetime").map(str::to_string),
            _ => {}
        }
        if m.author.is_none() && is_author(e) {
            let t = text_of(node);
            if !t.is_empty() && t.chars().count() <= 80 {
                m.author = Some(t);
            }
        }
        if e.attr("itemprop") == Some("datePublished")
            && e.name() != "meta"
            && let Some(d) = e.attr("datetime").or_else(|| e.attr("content"))
        {
            m.time = Some(d.to_string());
        }
    }
    m.ld = jsonld::article(ld_scripts.iter().map(String::as_str));
    m
}

fn is_author(e: &scraper::node::Element) -> bool {
    if e.name() == "meta" || e.name() == "link" {
        return false;
    }
    e.attr("itemprop") == Some("author")
        || e.attr("rel") == Some("author")
        || e.attr("class").is_some_and(|c| {
            let c = c.to_ascii_lowercase();
            c.split_whitespace().any(|w| {
                matches!(
                    w,
                    "byline" | "author" | "author-name" | "byline__name" | "byline-name"
                )
            })
        })
}

/// The text of a node with whitespace collapsed.
pub(crate) fn text_of(node: ego_tree::NodeRef<'_, Node>) -> String {
    let mut s = String::new();
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            s.push_str(t);
        }
    }
    collapse(&s)
}

/// `s` with runs of whitespace made one space, trimmed.
pub(crate) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
