//! URLs in article HTML: resolved against the page (or its `<base>`), stripped of tracking
//! parameters.

use url::Url;

/// Query parameters that only track the reader.
fn is_tracking_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("utm_")
        || matches!(
            n.as_str(),
            "fbclid"
                | "gclid"
                | "dclid"
                | "msclkid"
                | "mc_cid"
                | "mc_eid"
                | "igshid"
                | "yclid"
                | "_hsenc"
                | "_hsmi"
                | "mkt_tok"
                | "ocid"
                | "at_medium"
                | "at_campaign"
                | "at_custom1"
                | "at_custom2"
                | "at_custom3"
                | "at_custom4"
                | "xtor"
                | "ito"
                | "cmpid"
                | "spm"
                | "smid"
                | "smtyp"
        )
}

/// `url` without `utm_*` and other tracking query parameters (unchanged if it has none).
pub fn strip_tracking_params(url: &Url) -> Url {
    if url.query().is_none() || !url.query_pairs().any(|(k, _)| is_tracking_param(&k)) {
        return url.clone();
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking_param(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut out = url.clone();
    if kept.is_empty() {
        out.set_query(None);
    } else {
        out.query_pairs_mut().clear().extend_pairs(kept);
    }
    out
}

/// `href` made absolute against `base` and stripped of tracking parameters. `None` when it
/// cannot be resolved.
pub(crate) fn absolute(base: Option<&Url>, href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = match base {
        Some(b) => b.join(href).ok()?,
        None => Url::parse(href).ok()?,
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Some(href.to_string());
    }
    Some(strip_tracking_params(&url).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_utm_and_keeps_the_rest() {
        let u = Url::parse("https://a.org/x?id=3&utm_source=rss&utm_medium=feed#top").unwrap();
        assert_eq!(
            strip_tracking_params(&u).as_str(),
            "https://a.org/x?id=3#top"
        );
        let u = Url::parse("https://a.org/x?utm_campaign=c").unwrap();
        assert_eq!(strip_tracking_params(&u).as_str(), "https://a.org/x");
    }

    #[test]
    fn resolves_relative() {
        let base = Url::parse("https://www.rfi.fr/cn/a/b").unwrap();
        assert_eq!(
            absolute(Some(&base), "/cn/c?utm_source=x").as_deref(),
            Some("https://www.rfi.fr/cn/c")
        );
    }
}
