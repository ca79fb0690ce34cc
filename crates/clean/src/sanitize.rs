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

static BUILDER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| builder(false));

/// Like [`BUILDER`], letting through relative URLs under [`ASSET_PREFIX`] (archived assets,
/// served by us) and nothing else relative.
static LOCAL_BUILDER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| builder(true));

/// Where the web reader serves archived assets (`/assets/<aa>/<sha256>.<ext>`).
pub const ASSET_PREFIX: &str = "/assets/";

fn builder(local_assets: bool) -> ammonia::Builder<'static> {
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
        // Every URL was made absolute by `tidy`; what is still relative could not be, except
        // archived assets, which are ours.
        .url_relative(if local_assets {
            ammonia::UrlRelative::Custom(Box::new(keep_asset_url))
        } else {
            ammonia::UrlRelative::Deny
        })
        .clean_content_tags(
            ["script", "style", "template", "noscript"]
                .into_iter()
                .collect(),
        );
    b
}

/// The relative URLs the local builder keeps: archived assets only.
fn keep_asset_url(url: &str) -> Option<std::borrow::Cow<'_, str>> {
    url.starts_with(ASSET_PREFIX)
        .then_some(std::borrow::Cow::Borrowed(url))
}

/// Display-safe HTML of `html`: tidied (absolute URLs against `base` or the fragment's own
/// `<base href>`, tracking pixels and parameters, span soup and empty wrappers gone), then
/// sanitized with the allowlist. Relative URLs that cannot be resolved are removed.
pub fn sanitize(html: &str, base: Option<&Url>) -> String {
    let tidied = tidy::tidy(html, base);
    BUILDER.clean(&tidied).to_string()
}

/// [`sanitize`], with images pointed at archived copies: `asset` maps an image's absolute
/// original URL to its stored file relative to the data directory (`assets/ab/ab12….jpg`), and
/// the image is then served from [`ASSET_PREFIX`] so a reader never needs the original CDN.
pub fn sanitize_with_assets(
    html: &str,
    base: Option<&Url>,
    asset: &dyn Fn(&str) -> Option<String>,
) -> String {
    let local = |url: &str| {
        asset(url).and_then(|path| {
            let rest = path.strip_prefix("assets/")?;
            // Only plain content-addressed names: never a path that could climb out.
            rest.split('/')
                .all(|part| {
                    !part.is_empty()
                        && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
                        && part != ".."
                })
                .then(|| format!("{ASSET_PREFIX}{rest}"))
        })
    };
    let tidied = tidy::tidy_with(html, base, &local);
    LOCAL_BUILDER.clean(&tidied).to_string()
}

#[cfg(test)]
mod asset_tests {
    use super::*;

    #[test]
    fn archived_images_are_served_locally_and_nothing_else_relative_survives() {
        let page = Url::parse("https://news.example/2026/a.html").unwrap();
        let html = r#"<p>文<img src="/img/a.jpg" alt="图"><img src="https://cdn.example/b.png"><a href="/assets/x">x</a></p>"#;
        let out = sanitize_with_assets(html, Some(&page), &|u| {
            match u {
                "https://news.example/img/a.jpg" => Some("assets/ab/ab12.jpg".into()),
                // A hostile map entry must not escape the assets folder.
                "https://cdn.example/b.png" => Some("assets/../../etc/passwd".into()),
                _ => None,
            }
        });
        assert!(out.contains(r#"src="/assets/ab/ab12.jpg""#), "{out}");
        assert!(out.contains(r#"src="https://cdn.example/b.png""#), "{out}");
        assert!(
            out.contains(r#"href="https://news.example/assets/x""#),
            "{out}"
        );
        assert!(!out.contains("passwd"), "{out}");
    }
}
