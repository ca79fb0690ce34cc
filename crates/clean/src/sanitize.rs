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

/// What the reader shows instead of an image that was never archived: a link to the original,
/// so that opening a page never makes the browser contact the source's servers.
pub const UNARCHIVED_IMAGE_LABEL: &str = "图片未存档：原图链接";

/// [`sanitize_with_assets`] for the web reader: images that were archived are served from
/// [`ASSET_PREFIX`], and every other image becomes a link to its original, labelled
/// [`UNARCHIVED_IMAGE_LABEL`] (with its `alt` text), classed `unarchived-image`. The page then
/// loads nothing from a third-party host. An image inside a link becomes the label alone (a
/// link cannot hold a link).
pub fn sanitize_for_reader(
    html: &str,
    base: Option<&Url>,
    asset: &dyn Fn(&str) -> Option<String>,
) -> String {
    unarchived_images_as_links(&sanitize_with_assets(html, base, asset))
}

/// Rewrites the `<img>` tags of sanitized HTML whose `src` is not under [`ASSET_PREFIX`].
///
/// The input is the sanitizer's serialization, so it is well formed: text never holds a raw
/// `<`, and attribute values are double-quoted with `&` and `"` escaped (but not `<`/`>`, which
/// is why a tag ends at the first `>` outside quotes).
fn unarchived_images_as_links(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    let mut in_link = 0usize;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let Some(len) = tag_len(&rest[lt..]) else {
            // Not a tag after all (cannot happen in sanitizer output): keep it as it is.
            out.push_str(&rest[lt..]);
            return out;
        };
        let tag = &rest[lt..lt + len];
        rest = &rest[lt + len..];
        match tag_name(tag) {
            "a" => in_link += 1,
            "/a" => in_link = in_link.saturating_sub(1),
            "img" => {
                if let Some(src) = attr(tag, "src").filter(|s| !s.starts_with(ASSET_PREFIX)) {
                    let alt = attr(tag, "alt").unwrap_or("").trim();
                    // Attribute values escape `&` and `"` only; text must not hold `<` or `>`.
                    let alt = alt.replace('<', "&lt;").replace('>', "&gt;");
                    let alt = if alt.is_empty() {
                        alt
                    } else {
                        format!("（{alt}）")
                    };
                    if in_link > 0 {
                        out.push_str(&format!(
                            "<span class=\"unarchived-image\">{UNARCHIVED_IMAGE_LABEL}{alt}</span>"
                        ));
                    } else {
                        out.push_str(&format!(
                            "<a class=\"unarchived-image\" href=\"{src}\" rel=\"noopener noreferrer nofollow\">{UNARCHIVED_IMAGE_LABEL}{alt}</a>"
                        ));
                    }
                    continue;
                }
            }
            _ => {}
        }
        out.push_str(tag);
    }
    out.push_str(rest);
    out
}

/// Length in bytes of the tag that `s` starts with (through its `>`), quotes respected.
fn tag_len(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i + 1),
            (None, '<') => return None,
            (None, _) => {}
        }
    }
    None
}

/// The name of a tag (`a`, `/a`, `img`), lower case as the serializer writes it.
fn tag_name(tag: &str) -> &str {
    let inner = &tag[1..];
    let end = inner
        .find(|c: char| c.is_whitespace() || c == '>' || (c == '/' && !inner.starts_with('/')))
        .unwrap_or(inner.len());
    &inner[..end]
}

/// The raw (still escaped) value of attribute `name` in a serialized tag.
fn attr<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let mut rest = tag[1..].trim_start_matches(|c: char| !c.is_whitespace() && c != '>');
    loop {
        rest = rest.trim_start();
        let end = rest.find(|c: char| c == '=' || c == '>' || c.is_whitespace())?;
        let (key, after) = rest.split_at(end);
        let Some(after) = after.strip_prefix("=\"") else {
            // The end of the tag, a valueless attribute or an unquoted value: skip one unit.
            if after.starts_with('>') || after.is_empty() {
                return None;
            }
            rest = if key.is_empty() { &after[1..] } else { after };
            continue;
        };
        let close = after.find('"')?;
        if key.eq_ignore_ascii_case(name) {
            return Some(&after[..close]);
        }
        rest = &after[close + 1..];
    }
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

#[cfg(test)]
mod reader_tests {
    use super::*;

    #[test]
    fn unarchived_images_become_labelled_links_and_archived_ones_stay() {
        let page = Url::parse("https://news.example/2026/a.html").unwrap();
        let html = concat!(
            r#"<p>文<img src="/img/a.jpg" alt="本地"></p>"#,
            r#"<p><img src="https://cdn.example/b.png?x=1&amp;y=2" alt="a>b &quot;c&quot;" title="t"></p>"#,
            r#"<p><a href="https://news.example/big.jpg"><img src="https://cdn.example/c.png"></a>后</p>"#,
            r#"<p>&lt;img src="https://cdn.example/text.png"&gt; is text</p>"#,
        );
        let out = sanitize_for_reader(html, Some(&page), &|u| {
            (u == "https://news.example/img/a.jpg").then(|| "assets/ab/ab12.jpg".to_owned())
        });
        assert!(
            out.contains(r#"<img src="/assets/ab/ab12.jpg" alt="本地">"#),
            "{out}"
        );
        assert!(
            out.contains(concat!(
                r#"<a class="unarchived-image" href="https://cdn.example/b.png?x=1&amp;y=2" "#,
                r#"rel="noopener noreferrer nofollow">图片未存档：原图链接（a&gt;b &quot;c&quot;）</a>"#
            )),
            "{out}"
        );
        // Inside a link: the label only, no nested link, the outer link intact.
        assert!(
            out.contains(r#"<span class="unarchived-image">图片未存档：原图链接</span></a>后"#),
            "{out}"
        );
        assert!(
            out.contains(r#"href="https://news.example/big.jpg""#),
            "{out}"
        );
        // Text that looks like a tag is left alone.
        assert!(out.contains("&lt;img src="), "{out}");
        // No image loads from anywhere but our assets.
        let imgs: Vec<&str> = out.match_indices("<img").map(|(i, _)| &out[i..]).collect();
        assert_eq!(imgs.len(), 1, "{out}");
    }

    #[test]
    fn tag_scanning_respects_quotes() {
        assert_eq!(tag_len(r#"<img alt="a>b" src="x">rest"#), Some(23));
        assert_eq!(tag_name("<img src=\"x\">"), "img");
        assert_eq!(tag_name("</a>"), "/a");
        assert_eq!(tag_name("<br>"), "br");
        assert_eq!(attr(r#"<img alt="a>b" src="x">"#, "src"), Some("x"));
        assert_eq!(attr(r#"<img alt="src=&quot;y&quot;">"#, "src"), None);
        assert_eq!(attr("<img>", "src"), None);
        assert_eq!(attr(r#"<img hidden x=y src="z">"#, "src"), Some("z"));
    }
}
