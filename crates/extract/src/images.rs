//! Where an image really is: lazy-loading attributes (`data-src`, `data-original`,
//! `data-srcset`, ...), the largest `srcset` candidate, and placeholders that are not images.

use scraper::node::Element;

/// Attributes lazy-loading scripts read the real URL from, most specific first.
const LAZY_SRC: &[&str] = &[
    "data-src",
    "data-original",
    "data-lazy-src",
    "data-lazy",
    "data-url",
    "data-hi-res-src",
    "data-full-src",
    "data-echo",
];

/// The URL an `<img>` (or `<source>`) shows once scripts have run, if any.
pub(crate) fn image_src(e: &Element) -> Option<&str> {
    for attr in LAZY_SRC {
        if let Some(v) = e.attr(attr).map(str::trim).filter(|v| looks_like_url(v)) {
            return Some(v);
        }
    }
    for attr in ["data-srcset", "data-lazy-srcset", "srcset"] {
        if let Some(best) = e.attr(attr).and_then(largest_in_srcset)
            && (attr != "srcset" || e.attr("src").is_none_or(is_placeholder))
        {
            return Some(best);
        }
    }
    e.attr("src").map(str::trim).filter(|s| !is_placeholder(s))
}

/// The widest (or densest) candidate of a `srcset` value.
pub(crate) fn largest_in_srcset(srcset: &str) -> Option<&str> {
    let mut best: Option<(&str, f32)> = None;
    for candidate in srcset.split(", ").flat_map(|c| c.split(",\n")) {
        let mut parts = candidate.split_whitespace();
        let Some(url) = parts.next() else { continue };
        let size = parts
            .next()
            .and_then(|d| d.trim_end_matches(['w', 'x']).parse::<f32>().ok())
            .unwrap_or(1.0);
        if looks_like_url(url) && best.is_none_or(|(_, s)| size > s) {
            best = Some((url, size));
        }
    }
    best.map(|(u, _)| u)
}

fn looks_like_url(v: &str) -> bool {
    !v.is_empty()
        && !v.starts_with("data:")
        && !v.contains(' ')
        && (v.contains('/') || v.contains('.'))
}

/// A blank, spacer or inline placeholder image.
fn is_placeholder(src: &str) -> bool {
    let s = src.trim();
    s.is_empty()
        || s.starts_with("data:")
        || s.contains("placeholder")
        || s.contains("blank.gif")
        || s.contains("spacer.gif")
        || s.contains("pixel.gif")
        || s.ends_with("/grey-placeholder.png")
}

/// A tracking pixel or a 1×1 spacer, by its declared size.
pub(crate) fn is_pixel(e: &Element) -> bool {
    let tiny = |a: &str| {
        e.attr(a)
            .and_then(|v| v.trim().trim_end_matches("px").parse::<u32>().ok())
            .is_some_and(|n| n <= 2)
    };
    tiny("width") && tiny("height")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srcset_picks_the_widest() {
        assert_eq!(
            largest_in_srcset("a.jpg 320w, b.jpg 1024w, c.jpg 640w"),
            Some("b.jpg")
        );
        assert_eq!(largest_in_srcset("a.jpg 1x, b.jpg 2x"), Some("b.jpg"));
    }

    #[test]
    fn lazy_images_resolve() {
        let html = scraper::Html::parse_fragment(
            r#"<img src="data:image/gif;base64,R0lG" data-src="/real.jpg">"#,
        );
        let sel = scraper::Selector::parse("img").unwrap();
        let img = html.select(&sel).next().unwrap();
        assert_eq!(image_src(img.value()), Some("/real.jpg"));
    }
}
