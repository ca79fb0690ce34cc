//! Class and id words that say what a block is: content, boilerplate, or hidden.
//!
//! Matching is on the lower-cased `class` and `id` joined by a space, by substring, as
//! Readability does with its regular expressions.

/// Words of blocks that are almost never the article; such blocks are not scored at all.
const UNLIKELY: &[&str] = &[
    "-ad-",
    "ai2html",
    "banner",
    "breadcrumb",
    "combx",
    "comment",
    "community",
    "cover-wrap",
    "disqus",
    "extra",
    "footer",
    "gdpr",
    "header",
    "legends",
    "menu",
    "related",
    "remark",
    "replies",
    "rss",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "social",
    "sponsor",
    "supplemental",
    "ad-break",
    "agegate",
    "pagination",
    "pager",
    "popup",
    "yom-remote",
    "newsletter",
    "cookie",
    "consent",
    "share",
    "promo",
    "recommend",
    "outbrain",
    "taboola",
    "subscribe",
];

/// Words that rescue an [`UNLIKELY`] match.
const MAYBE: &[&str] = &[
    "and", "article", "body", "column", "content", "main", "shadow", "story", "embed",
];

/// Words that raise a block's score.
const POSITIVE: &[&str] = &[
    "article",
    "body",
    "content",
    "entry",
    "hentry",
    "h-entry",
    "main",
    "page",
    "post",
    "text",
    "blog",
    "story",
    "prose",
    "rich-text",
    "richtext",
];

/// Words that lower a block's score.
const NEGATIVE: &[&str] = &[
    "hidden",
    "banner",
    "combx",
    "comment",
    "com-",
    "contact",
    "foot",
    "footnote",
    "gdpr",
    "masthead",
    "media",
    "meta",
    "outbrain",
    "promo",
    "related",
    "scroll",
    "share",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "shopping",
    "tags",
    "tool",
    "widget",
    "byline",
    "author",
    "dateline",
    "caption",
    "newsletter",
    "subscribe",
    "recirc",
    "trending",
    "popular",
    "signup",
    "most-read",
    "mostread",
    "read-more",
    "readmore",
    "more-stories",
    "teaser",
    "advert",
];

/// Words of blocks removed from the chosen content whatever their text says.
const BOILERPLATE: &[&str] = &[
    "share",
    "social",
    "related",
    "newsletter",
    "subscribe",
    "promo",
    "advert",
    "sponsor",
    "recommend",
    "outbrain",
    "taboola",
    "comment",
    "breadcrumb",
    "tags",
    "tag-list",
    "toolbar",
    "signup",
    "sign-up",
    "paywall",
    "most-read",
    "mostread",
    "popular",
    "trending",
    "read-more",
    "readmore",
    "more-stories",
    "recirc",
    "author-bio",
    "byline",
    "print",
    "cookie",
    "modal",
    "follow",
    "donate",
    "login",
    "inline-ad",
    "ad-container",
    "adslot",
    "ad-slot",
    "dfp",
    "selfpromo",
    "self-promo",
    "interstitial",
    "see-also",
    "seealso",
    "nav",
    "copyright",
    "caption",
    "rollover",
    "tooltip",
    "popover",
    "hovercard",
    "credit",
];

/// The `class` and `id` of an element, lower-cased and joined by a space.
pub(crate) fn class_and_id(class: Option<&str>, id: Option<&str>) -> String {
    let mut s = String::new();
    if let Some(c) = class {
        s.push_str(c);
    }
    if let Some(i) = id {
        s.push(' ');
        s.push_str(i);
    }
    s.make_ascii_lowercase();
    s
}

/// True if `s` contains one of `words`.
///
/// Scans `s` once, trying at each byte only the words that start with it: this runs for every
/// element with a class or id, and is several times faster than one search per word.
fn any(words: &[&str], s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut first = [false; 256];
    for w in words {
        if let Some(&b) = w.as_bytes().first() {
            first[b as usize] = true;
        }
    }
    (0..bytes.len()).any(|i| {
        first[bytes[i] as usize] && words.iter().any(|w| bytes[i..].starts_with(w.as_bytes()))
    })
}

/// True if the block should not be scored (boilerplate by its name, and not rescued).
pub(crate) fn is_unlikely(names: &str) -> bool {
    !names.is_empty() && any(UNLIKELY, names) && !any(MAYBE, names)
}

/// True if the block is boilerplate by its name (used inside the chosen content).
pub(crate) fn is_boilerplate(names: &str) -> bool {
    // Captions and credits are never text, even inside an embed.
    if names.contains("caption") || names.contains("credit") {
        return true;
    }
    !names.is_empty()
        && any(BOILERPLATE, names)
        && !any(
            &[
                "article-body",
                "content-body",
                "story-body",
                "post-body",
                "entry-content",
                "embed",
            ],
            names,
        )
}

/// Readability's class weight: +25 for a positive name, −25 for a negative one (each of
/// class and id may count).
pub(crate) fn class_weight(names: &str) -> f32 {
    if names.is_empty() {
        return 0.0;
    }
    let mut w = 0.0;
    // Embedded posts (tweets, videos) inside an article are its content.
    if any(NEGATIVE, names) && !names.contains("embed") {
        w -= 25.0;
    }
    if any(POSITIVE, names) {
        w += 25.0;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_classify() {
        assert!(is_unlikely("sidebar-widget"));
        assert!(!is_unlikely("main-sidebar"));
        assert!(is_boilerplate("share-bar"));
        assert!(!is_boilerplate("article-body share-enabled"));
        assert_eq!(class_weight("article-content"), 25.0);
        assert_eq!(class_weight("comment-list"), -25.0);
    }
}
