//! The allowlist sanitizer: the last step before HTML is shown or exported. Everything not
//! listed here is removed; text of removed tags is kept, content of `script`/`style` is not.

use crate::tidy;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;
use url::Url;

/// Tags that survive, all without style or event attributes.
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
];

/// Attributes that survive, per tag.
const ATTRS: &[(&str, &[&str])] = &[
    ("a", &["href", "title"]),
    ("img", &["src", "alt", "title", "width", "height"]),
    ("td", &["colspan", "rowspan"]),
    ("th", &["colspan", "rowspan", "scope"]),
    ("time", &["datetime"]),
    ("ol", &["start"]),
    ("blockquote", &["cite"]),
    ("q", &["cite"]),
    ("abbr", &["title"]),
];

static BUILDER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.tags(TAGS.iter().copied().collect())
        .tag_attributes(
            ATTRS
                .iter()
                .map(|(t, a)| (*t, a.iter().copied().collect::<HashSet<_>>()))
                .collect::<HashMap<_, _>>(),
        )
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true)
        // Every URL was made absolute by `tidy`; what is still relative could not be.
        .url_relative(ammonia::UrlRelative::Deny)
        .clean_content_tags(
            ["script", "style", "template", "noscript"]
                .into_iter()
                .collect(),
        );
    b
});

/// Display-safe HTML of `html`: tidied (absolute URLs against `base` or the fragment's own
/// `<base href>`, tracking pixels and parameters, span soup and empty wrappers gone), then
/// sanitized with the allowlist. Relative URLs that cannot be resolved are removed.
pub fn sanitize(html: &str, base: Option<&Url>) -> String {
    let tidied = tidy::tidy(html, base);
    BUILDER.clean(&tidied).to_string()
}
