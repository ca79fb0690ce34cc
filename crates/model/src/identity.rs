//! Article identity: the canonical URL and the key derived from it.
//!
//! Two URLs name the same article when their canonical forms are equal. Canonicalization keeps
//! what distinguishes articles and drops what only distinguishes visits: scheme (`http` and
//! `https` are one article), `www.` and `amp.` host prefixes, fragments, `utm_*` and other tracking parameters, AMP variants,
//! default ports and the case of the host.

use serde::{Deserialize, Serialize};
use std::fmt;
use url::Url;

/// Query parameters that never select content; dropped from canonical URLs.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "yclid",
    "_ga",
    "ref",
    "ref_src",
    "spm",
    "at_medium",
    "at_campaign",
    "at_custom1",
    "at_custom2",
    "at_custom3",
    "at_custom4",
    "ocid",
    "cmpid",
    "xtor",
    "amp",
    "outputtype",
];

/// A short, stable article identity: the first 16 hex digits of the SHA-256 of the
/// canonical URL (or of another identity string when an article has no URL).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ArticleKey(String);

impl ArticleKey {
    /// The key of an article whose canonical URL (or fallback identity) is `identity`.
    pub fn from_identity(identity: &str) -> Self {
        ArticleKey(crate::sha256_hex(identity.as_bytes())[..16].to_owned())
    }

    /// The key of the article at `url`; falls back to the trimmed text when it is not a URL.
    pub fn for_url(url: &str) -> Self {
        match canonical_url(url) {
            Some(c) => Self::from_identity(&c),
            None => Self::from_identity(url.trim()),
        }
    }

    /// Parses a key typed by a user: 16 lower-case hex digits.
    pub fn parse(text: &str) -> Option<Self> {
        let ok = text.len() == 16
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ok.then(|| ArticleKey(text.to_owned()))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ArticleKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The canonical form of `url`, or `None` when it is not an absolute http(s) URL.
pub fn canonical_url(url: &str) -> Option<String> {
    let mut u = Url::parse(url.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return None;
    }
    // One article, whichever scheme served it; the URL crate already lower-cases the host.
    u.set_scheme("https").ok()?;
    if u.port() == Some(443) || u.port() == Some(80) {
        u.set_port(None).ok()?;
    }
    u.set_fragment(None);
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.starts_with("utm_") && !TRACKING_PARAMS.contains(&k.as_str())
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        u.set_query(None);
    } else {
        u.query_pairs_mut().clear().extend_pairs(kept);
    }
    let path = strip_amp(u.path()).to_owned();
    u.set_path(&path);
    // `www.` and `amp.` hosts serve the same articles as the bare domain.
    let host = u.host_str().unwrap_or_default();
    let bare = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("amp."));
    if let Some(bare) = bare.filter(|b| b.contains('.')).map(str::to_owned) {
        u.set_host(Some(&bare)).ok()?;
    }
    Some(u.to_string())
}

/// Removes AMP suffixes: `/amp`, `/amp/`, `.amp`, `.amp.html`.
fn strip_amp(path: &str) -> &str {
    for suffix in ["/amp/", "/amp", ".amp.html", ".amp"] {
        if let Some(rest) = path.strip_suffix(suffix)
            && !rest.is_empty()
        {
            return rest;
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_fragment_scheme_and_amp_do_not_change_identity() {
        let base = ArticleKey::for_url("https://www.bbc.com/zhongwen/simp/world-53443864");
        for variant in [
            "http://www.bbc.com/zhongwen/simp/world-53443864",
            "https://WWW.BBC.COM/zhongwen/simp/world-53443864#comments",
            "https://www.bbc.com/zhongwen/simp/world-53443864?utm_source=rss&utm_medium=x",
            "https://www.bbc.com/zhongwen/simp/world-53443864.amp",
            "https://www.bbc.com:443/zhongwen/simp/world-53443864/amp",
            "https://amp.bbc.com/zhongwen/simp/world-53443864?at_medium=RSS",
        ] {
            assert_eq!(ArticleKey::for_url(variant), base, "{variant}");
        }
    }

    #[test]
    fn content_selecting_parts_keep_articles_apart() {
        let a = ArticleKey::for_url("https://example.com/story?id=1");
        let b = ArticleKey::for_url("https://example.com/story?id=2");
        let c = ArticleKey::for_url("https://example.com/story2?id=1");
        assert_ne!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn non_ascii_paths_match_their_percent_encoding() {
        let a = ArticleKey::for_url("https://www.rfi.fr/cn/要闻分析/20230526");
        let b = ArticleKey::for_url(
            "https://www.rfi.fr/cn/%E8%A6%81%E9%97%BB%E5%88%86%E6%9E%90/20230526",
        );
        assert_eq!(a, b);
    }

    #[test]
    fn keys_are_sixteen_hex_digits_and_parse_back() {
        let k = ArticleKey::for_url("https://example.com/a");
        assert_eq!(k.as_str().len(), 16);
        assert_eq!(ArticleKey::parse(k.as_str()), Some(k));
        assert_eq!(ArticleKey::parse("not-a-key"), None);
    }
}
