//! Resolving links against `xml:base` and the document URL.

/// `uri` resolved against `base` (an absolute URL, or empty). An absolute `uri`, or one that
/// cannot be resolved, is returned as written, so that nothing is lost.
pub(crate) fn resolve(base: &str, uri: &str) -> String {
    let uri = uri.trim();
    if base.is_empty() || has_scheme(uri) {
        return uri.to_owned();
    }
    match url::Url::parse(base).and_then(|b| b.join(uri)) {
        Ok(u) => u.into(),
        Err(_) => uri.to_owned(),
    }
}

/// Whether `s` starts with `scheme:` (so resolving it would change nothing but its spelling).
pub(crate) fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) if i > 0 => {
            let scheme = &s[..i];
            scheme.as_bytes()[0].is_ascii_alphabetic()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        }
        _ => false,
    }
}

/// Whether `s` is an http(s) URL.
pub(crate) fn is_http(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_only() {
        assert_eq!(
            resolve("http://a.example/x/", "y.html"),
            "http://a.example/x/y.html"
        );
        assert_eq!(resolve("", "y.html"), "y.html");
        assert_eq!(resolve("http://a.example/", "tag:x,2004:1"), "tag:x,2004:1");
        assert!(is_http("HTTPS://x"));
    }
}
