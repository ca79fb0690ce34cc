//! Writes the selected blocks as compact HTML: a few meaningful attributes, absolute URLs,
//! real image sources, each image once.

use crate::content::Selection;
use crate::images;
use ego_tree::iter::Edge;
use rustc_hash::FxHashSet;
use scraper::{Html, Node};
use url::Url;

/// Attributes kept on output elements (URLs are resolved separately).
const KEPT_ATTRS: &[&str] = &[
    "alt", "title", "datetime", "colspan", "rowspan", "lang", "dir",
];

/// Elements with no end tag.
fn is_void(tag: &str) -> bool {
    matches!(
        tag,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

/// The HTML of the selection, with URLs resolved against `base`.
pub(crate) fn to_html(doc: &Html, sel: &Selection, base: &Url) -> String {
    let mut out = String::new();
    let mut seen_images: FxHashSet<String> = FxHashSet::default();
    for &root in &sel.roots {
        let Some(node) = doc.tree.get(root) else {
            continue;
        };
        let mut skip_depth = 0u32;
        for edge in node.traverse() {
            match edge {
                Edge::Open(n) => {
                    if skip_depth > 0 {
                        if n.value().is_element() {
                            skip_depth += 1;
                        }
                        continue;
                    }
                    match n.value() {
                        Node::Text(t) => escape_text(&mut out, t),
                        Node::Element(e) => {
                            if e.name() == "noscript" {
                                // Parsed as raw text: its images are the real ones.
                                noscript_images(&mut out, n, base, &mut seen_images);
                                skip_depth = 1;
                                continue;
                            }
                            if sel.pruned.contains(&n.id()) {
                                skip_depth = 1;
                                continue;
                            }
                            let tag = e.name();
                            if matches!(tag, "picture" | "source") {
                                // Transparent: their <img> speaks for them.
                                continue;
                            }
                            if tag == "img" {
                                write_img(&mut out, e, base, &mut seen_images);
                                continue;
                            }
                            out.push('<');
                            out.push_str(tag);
                            if tag == "a"
                                && let Some(href) = e.attr("href").and_then(|h| resolve(base, h))
                            {
                                push_attr(&mut out, "href", &href);
                            }
                            for (name, value) in e.attrs() {
                                if KEPT_ATTRS.contains(&name) {
                                    push_attr(&mut out, name, value);
                                }
                            }
                            out.push('>');
                        }
                        _ => {}
                    }
                }
                Edge::Close(n) => {
                    let Node::Element(e) = n.value() else {
                        continue;
                    };
                    if skip_depth > 0 {
                        skip_depth -= 1;
                        continue;
                    }
                    let tag = e.name();
                    if is_void(tag) || matches!(tag, "picture" | "noscript" | "source") {
                        continue;
                    }
                    out.push_str("</");
                    out.push_str(tag);
                    out.push('>');
                }
            }
        }
    }
    out
}

/// Writes the images a `<noscript>` holds (its content is unparsed text).
fn noscript_images(
    out: &mut String,
    n: ego_tree::NodeRef<'_, Node>,
    base: &Url,
    seen: &mut FxHashSet<String>,
) {
    let raw: String = n
        .children()
        .filter_map(|c| c.value().as_text().map(|t| &**t))
        .collect();
    if !raw.contains("<img") {
        return;
    }
    let frag = Html::parse_fragment(&raw);
    for d in frag.tree.root().descendants() {
        if let Some(e) = d.value().as_element()
            && e.name() == "img"
        {
            write_img(out, e, base, seen);
        }
    }
}

fn write_img(
    out: &mut String,
    e: &scraper::node::Element,
    base: &Url,
    seen: &mut FxHashSet<String>,
) {
    if images::is_pixel(e) {
        return;
    }
    let Some(src) = images::image_src(e).and_then(|s| resolve(base, s)) else {
        return;
    };
    if !seen.insert(src.clone()) {
        return;
    }
    out.push_str("<img");
    push_attr(out, "src", &src);
    if let Some(alt) = e.attr("alt") {
        push_attr(out, "alt", alt);
    }
    out.push('>');
}

/// `href` resolved against `base`; `None` for script URLs and empty values.
pub(crate) fn resolve(base: &Url, href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.to_ascii_lowercase().starts_with("javascript:") {
        return None;
    }
    base.join(href).ok().map(String::from)
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
            '\u{a0}' => out.push_str("&nbsp;"),
            _ => out.push(c),
        }
    }
}
