//! The tidy-up before sanitizing: what real article HTML carries that a reader never needs.
//!
//! - URLs made absolute (against the page URL, or the fragment's own `<base href>`) and
//!   stripped of tracking parameters; lazy images given their real `src`;
//! - tracking pixels (1×1 images, known beacon hosts) removed;
//! - `<span>`/`<font>` soup unwrapped, empty wrappers removed (no text, no image: the
//!   `data-selfpromo-*` placeholders of RFI), a wrapper holding only one other wrapper
//!   unwrapped;
//! - scripts, styles, forms and embeds removed with their content;
//! - block elements the sanitizer does not keep (`section`, `article`, ...) renamed `div`, so
//!   their paragraphs stay apart.
//!
//! The output is HTML for the sanitizer, not for display.

use crate::urls;
use ego_tree::NodeRef;
use ego_tree::iter::Edge;
use rustc_hash::FxHashSet;
use scraper::{Html, Node};
use url::Url;

/// Elements removed with everything inside them.
fn is_removed(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "template"
            | "iframe"
            | "object"
            | "embed"
            | "head"
            | "meta"
            | "link"
            | "base"
            | "title"
            | "svg"
            | "math"
            | "form"
            | "button"
            | "input"
            | "select"
            | "textarea"
            | "canvas"
            | "audio"
            | "video"
            | "dialog"
    )
}

/// Elements dropped while their content is kept.
fn is_unwrapped(tag: &str) -> bool {
    matches!(
        tag,
        "span"
            | "font"
            | "o:p"
            | "html"
            | "body"
            | "noscript"
            | "picture"
            | "source"
            | "center"
            | "big"
    )
}

/// Block elements written as `div`.
fn is_renamed_block(tag: &str) -> bool {
    matches!(
        tag,
        "section"
            | "article"
            | "main"
            | "header"
            | "footer"
            | "aside"
            | "nav"
            | "address"
            | "hgroup"
            | "fieldset"
    )
}

/// Tidies `html` for the sanitizer (see the module doc).
pub(crate) fn tidy(html: &str, page: Option<&Url>) -> String {
    tidy_with(html, page, &|_| None)
}

/// [`tidy`], pointing each image whose absolute URL `local` maps at the mapped URL instead.
pub(crate) fn tidy_with(
    html: &str,
    page: Option<&Url>,
    local: &dyn Fn(&str) -> Option<String>,
) -> String {
    let doc = Html::parse_fragment(html);
    let base_href = doc.tree.root().descendants().find_map(|n| {
        n.value()
            .as_element()
            .filter(|e| e.name() == "base")
            .and_then(|e| e.attr("href"))
    });
    let base = match (page, base_href) {
        (Some(p), Some(b)) => p.join(b).ok().or_else(|| Some(p.clone())),
        (None, Some(b)) => Url::parse(b).ok(),
        (Some(p), None) => Some(p.clone()),
        (None, None) => None,
    };
    let keep = content_bearing(&doc, base.as_ref());
    let mut out = String::with_capacity(html.len());
    let mut skip_depth = 0u32;
    let mut open: Vec<bool> = Vec::new();
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(n) => match n.value() {
                Node::Text(t) if skip_depth == 0 => escape_text(&mut out, t),
                Node::Element(e) => {
                    if skip_depth > 0 || !keep.contains(&n.id()) {
                        skip_depth += 1;
                        continue;
                    }
                    let tag = e.name();
                    let write = !is_unwrapped(tag) && !is_redundant_wrapper(n, &keep);
                    open.push(write);
                    if !write {
                        continue;
                    }
                    if tag == "img" {
                        write_img(&mut out, e, base.as_ref(), local);
                        continue;
                    }
                    let name = if is_renamed_block(tag) { "div" } else { tag };
                    out.push('<');
                    out.push_str(name);
                    for (k, v) in e.attrs() {
                        let v = if matches!(k, "href" | "cite") {
                            match urls::absolute(base.as_ref(), v) {
                                Some(u) => u,
                                None => continue,
                            }
                        } else {
                            v.to_string()
                        };
                        push_attr(&mut out, k, &v);
                    }
                    out.push('>');
                }
                _ => {}
            },
            Edge::Close(n) => {
                let Node::Element(e) = n.value() else {
                    continue;
                };
                if skip_depth > 0 {
                    skip_depth -= 1;
                    continue;
                }
                if open.pop() == Some(true)
                    && !matches!(e.name(), "img" | "br" | "hr" | "wbr" | "col")
                {
                    let tag = e.name();
                    out.push_str("</");
                    out.push_str(if is_renamed_block(tag) { "div" } else { tag });
                    out.push('>');
                }
            }
        }
    }
    out
}

/// Elements worth writing: not removed, and holding text or a real image (or being one).
fn content_bearing(doc: &Html, base: Option<&Url>) -> FxHashSet<ego_tree::NodeId> {
    let mut keep = FxHashSet::default();
    // Per open element: does it hold content so far?
    let mut stack: Vec<bool> = vec![false];
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(n) => match n.value() {
                Node::Element(_) => stack.push(false),
                Node::Text(t) => {
                    if !t.trim().is_empty()
                        && let Some(top) = stack.last_mut()
                    {
                        *top = true;
                    }
                }
                _ => {}
            },
            Edge::Close(n) => {
                let Node::Element(e) = n.value() else {
                    continue;
                };
                let mut has = stack.pop().unwrap_or(false);
                let tag = e.name();
                if is_removed(tag) {
                    continue;
                }
                if tag == "img" {
                    has = image_src(e, base).is_some() && !is_pixel(e);
                } else if matches!(tag, "hr" | "br" | "wbr" | "col" | "td" | "th" | "tr") {
                    has = true;
                }
                if has {
                    keep.insert(n.id());
                    if let Some(top) = stack.last_mut()
                        && !matches!(tag, "br" | "wbr" | "hr" | "col")
                    {
                        *top = true;
                    }
                }
            }
        }
    }
    keep
}

/// A `div` whose only content is one other `div`: written as that child alone.
fn is_redundant_wrapper(n: NodeRef<'_, Node>, keep: &FxHashSet<ego_tree::NodeId>) -> bool {
    if n.value()
        .as_element()
        .is_none_or(|e| e.name() != "div" || e.attrs().next().is_some())
    {
        return false;
    }
    let mut only: Option<NodeRef<'_, Node>> = None;
    for c in n.children() {
        match c.value() {
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Element(_) if !keep.contains(&c.id()) => {}
            Node::Element(_) if only.is_none() => only = Some(c),
            Node::Comment(_) => {}
            _ => return false,
        }
    }
    only.and_then(|c| c.value().as_element())
        .is_some_and(|e| e.name() == "div")
}

fn image_src(e: &scraper::node::Element, base: Option<&Url>) -> Option<String> {
    let lazy = ["data-src", "data-original", "data-lazy-src", "data-url"]
        .iter()
        .find_map(|a| e.attr(a))
        .filter(|s| !s.trim().is_empty() && !s.starts_with("data:"));
    let src = lazy.or_else(|| {
        e.attr("src")
            .filter(|s| !s.trim().is_empty() && !s.trim().starts_with("data:"))
    })?;
    urls::absolute(base, src).filter(|u| u.starts_with("http"))
}

/// Hosts and paths of tracking beacons.
const BEACONS: &[&str] = &[
    "feeds.feedburner.com/~r/",
    "feedsportal.com",
    "/pixel",
    "pixel.",
    "doubleclick.net",
    "google-analytics.com",
    "scorecardresearch.com",
    "stats.wp.com",
    "facebook.com/tr",
    "/beacon",
    "quantserve.com",
    "chartbeat",
    "/b/ss/",
    "/track/open",
    "spacer.gif",
];

fn is_pixel(e: &scraper::node::Element) -> bool {
    let tiny = |a: &str| {
        e.attr(a)
            .and_then(|v| v.trim().trim_end_matches("px").parse::<u32>().ok())
            .is_some_and(|n| n <= 2)
    };
    if tiny("width") || tiny("height") {
        return true;
    }
    e.attr("src").is_some_and(|s| {
        let s = s.to_ascii_lowercase();
        BEACONS.iter().any(|b| s.contains(b))
    })
}

fn write_img(
    out: &mut String,
    e: &scraper::node::Element,
    base: Option<&Url>,
    local: &dyn Fn(&str) -> Option<String>,
) {
    let Some(src) = image_src(e, base) else {
        return;
    };
    let src = local(&src).unwrap_or(src);
    out.push_str("<img");
    push_attr(out, "src", &src);
    for k in ["alt", "title", "width", "height"] {
        if let Some(v) = e.attr(k) {
            push_attr(out, k, v);
        }
    }
    out.push('>');
}

fn push_attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out.push('"');
}

fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://news.example/cn/a/b.html").unwrap()
    }

    #[test]
    fn honours_base_href() {
        let out = tidy(
            r#"<base href="https://cdn.example/x/"><p><a href="y.html">y</a></p>"#,
            Some(&page()),
        );
        assert_eq!(
            out,
            r#"<p><a href="https://cdn.example/x/y.html">y</a></p>"#
        );
    }

    #[test]
    fn drops_tracking_pixels_and_params() {
        let out = tidy(
            r#"<p>文<img src="/t.gif" width="1" height="1"><img src="https://feeds.feedburner.com/~r/x/~4/abc"><a href="/c?utm_source=rss&amp;p=2">c</a></p>"#,
            Some(&page()),
        );
        assert_eq!(
            out,
            r#"<p>文<a href="https://news.example/c?p=2">c</a></p>"#
        );
    }

    #[test]
    fn unwraps_span_soup_and_drops_empty_wrappers() {
        let out = tidy(
            "<div><div><p><span><span>段落</span></span></p><div data-selfpromo-newsletter></div><p> </p></div></div>",
            Some(&page()),
        );
        assert_eq!(out, "<div><p>段落</p></div>");
    }

    #[test]
    fn lazy_images_get_their_real_source() {
        let out = tidy(
            r#"<p><img src="data:image/gif;base64,R0l" data-src="/real.jpg" alt="图"></p>"#,
            Some(&page()),
        );
        assert_eq!(
            out,
            r#"<p><img src="https://news.example/real.jpg" alt="图"></p>"#
        );
    }
}
