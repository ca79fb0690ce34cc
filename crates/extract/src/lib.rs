//! Page HTML → article: title, byline, published and modified times, language, lead image,
//! and the main content as HTML.
//!
//! Pure: bytes and the page URL in, an [`Article`] out; no clock, network or files. The
//! content HTML is *not* safe to display: the `clean` crate sanitizes it, last, before anything
//! is shown or exported.
//!
//! How the content is found, in order:
//! 1. a [site rule](SiteRules) for the page's host, when its selectors match text;
//! 2. otherwise Readability-style scoring ([`analyze`](crate::analyze) measures every element,
//!    paragraphs give points to their ancestors, link density discounts them), with lengths
//!    counted so that CJK text is not penalised ([`measure`](crate::measure)); blocks with
//!    boilerplate names are left out first and let back in if that leaves almost nothing;
//! 3. pruning inside the chosen blocks (share bars, related links, media-only blocks, ...);
//! 4. when the page's JSON-LD `articleBody` is much longer than what the DOM gave, the
//!    `articleBody` itself.
//!
//! Images keep their real source (lazy-loading attributes, `srcset`, `<noscript>` copies) and
//! absolute URLs. Hook for later: pointing images at archived assets is a pass over
//! [`Article::html`] by the caller (ingest), not done here.

mod analyze;
mod content;
mod dates;
mod decode;
mod images;
mod jsonld;
mod measure;
mod meta;
mod patterns;
mod resolve;
mod rules;
mod score;
mod serialize;
mod tags;

pub use rules::{RuleError, SiteRule, SiteRules};

use chrono::{DateTime, Utc};
use scraper::Html;
use url::Url;

/// An article as extracted from its page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Article {
    /// The page URL the article was extracted for.
    pub url: String,
    /// The headline.
    pub title: Option<String>,
    /// The author(s), as the page names them.
    pub byline: Option<String>,
    /// First publication time.
    pub published: Option<DateTime<Utc>>,
    /// Last modification time, when the page states one.
    pub modified: Option<DateTime<Utc>>,
    /// Language tag (`zh-CN`, `en`, ...), declared or guessed from the script.
    pub language: Option<String>,
    /// Absolute URL of the lead image.
    pub lead_image: Option<String>,
    /// The main content as HTML (absolute URLs; not sanitized).
    pub html: String,
    /// How the content was found.
    pub method: Method,
}

/// How an article's content was found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Method {
    /// No content was found.
    #[default]
    None,
    /// A site rule's selectors.
    SiteRule,
    /// Candidate scoring.
    Scored,
    /// The page's JSON-LD `articleBody`.
    JsonLd,
}

/// Extracts the article of the page `html` (raw bytes, any declared charset) at `url`, using
/// the built-in site rules.
pub fn extract(html: &[u8], url: &Url) -> Article {
    extract_with(html, url, SiteRules::builtin())
}

/// Extracts the article of the page `html` at `url` with the given site rules.
pub fn extract_with(html: &[u8], url: &Url, rules: &SiteRules) -> Article {
    extract_with_charset(html, url, None, rules)
}

/// Like [`extract_with`], for a page served with a charset in its HTTP `Content-Type` header:
/// `header_charset` is that parameter's value (`gbk` from `text/html; charset=gbk`).
///
/// The header comes before `<meta>` declarations; a byte-order mark still wins, and a header
/// naming US-ASCII, ISO-8859-1 or windows-1252 (a common server default) yields to `<meta>`
/// and to a page that is valid UTF-8.
pub fn extract_with_charset(
    html: &[u8],
    url: &Url,
    header_charset: Option<&str>,
    rules: &SiteRules,
) -> Article {
    let text = decode::decode_with(html, header_charset);
    let doc = Html::parse_document(&decode::strip_inert(&text));
    let page = meta::read(&doc);
    let base = page
        .base
        .as_deref()
        .and_then(|b| url.join(b).ok())
        .unwrap_or_else(|| url.clone());

    // A site rule names the content: measure everything, names do not rule blocks out.
    let ruled = url
        .host_str()
        .and_then(|h| rules.for_host(h))
        .and_then(|rule| {
            let analysis = analyze::analyze(&doc, false);
            let scores = score::Scores::default();
            content::select_by_rule(&doc, &analysis, &scores, rule).map(|s| (analysis, scores, s))
        });
    let (mut analysis, mut scores, mut selection, mut method) = match ruled {
        Some((a, s, sel)) => (a, s, Some(sel), Method::SiteRule),
        None => {
            let analysis = analyze::analyze(&doc, true);
            let scores = score::score(&doc, &analysis);
            let sel = score::pick(&doc, &analysis, &scores)
                .map(|top| content::select(&doc, &analysis, &scores, top));
            (analysis, scores, sel, Method::Scored)
        }
    };
    let found = |a: &analyze::Analysis, s: &Option<content::Selection>| {
        s.as_ref().map_or(0.0, |s| content::text_len(a, s))
    };
    if method == Method::Scored && found(&analysis, &selection) < RETRY_BELOW {
        // Boilerplate names hid the article: score everything.
        let all = analyze::analyze(&doc, false);
        let all_scores = score::score(&doc, &all);
        let retry = score::pick(&doc, &all, &all_scores)
            .map(|top| content::select(&doc, &all, &all_scores, top));
        if found(&all, &retry) > found(&analysis, &selection) {
            (analysis, scores, selection) = (all, all_scores, retry);
        }
    }
    let _ = &scores;
    let mut body_len = found(&analysis, &selection);
    let mut html_out = selection
        .as_ref()
        .map(|s| serialize::to_html(&doc, s, &base))
        .unwrap_or_default();
    if html_out.trim().is_empty() {
        method = Method::None;
        body_len = 0.0;
    }
    if let Some(ld_body) = page.ld.as_ref().and_then(|l| l.body.as_deref()) {
        let ld_len = measure::Measure::of(ld_body).len;
        if ld_len >= 400.0 && body_len < ld_len * 0.6 {
            html_out = paragraphs_html(ld_body);
            method = Method::JsonLd;
        }
    }

    let lead_image = resolve::lead_image(&page)
        .and_then(|i| serialize::resolve(&base, &i))
        .or_else(|| first_img(&html_out));
    Article {
        url: url.to_string(),
        title: resolve::title(&page),
        byline: resolve::byline(&page),
        published: resolve::published(&page),
        modified: resolve::modified(&page),
        language: resolve::language(&page, &html_out),
        lead_image,
        html: html_out,
        method,
    }
}

/// Below this weighted length, scoring is retried without dropping unlikely blocks.
const RETRY_BELOW: f32 = 250.0;

/// Plain text as `<p>` paragraphs, one per non-empty line.
fn paragraphs_html(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        out.push_str("<p>");
        for c in line.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                _ => out.push(c),
            }
        }
        out.push_str("</p>");
    }
    out
}

/// The `src` of the first `<img>` in our own serialized HTML.
fn first_img(html: &str) -> Option<String> {
    let at = html.find("<img src=\"")? + "<img src=\"".len();
    let end = html[at..].find('"')?;
    Some(html[at..at + end].replace("&amp;", "&"))
}
