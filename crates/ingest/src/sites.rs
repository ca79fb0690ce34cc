//! Which source a record belongs to, and which article it is.

use model::{ArticleKey, SourceId, SourceMeta};
use record::layout::known_site;

/// Hosts of the duty-machine sites, for records found outside a site folder.
const HOSTS: &[(&str, &str)] = &[
    ("rfi.fr", "rfi"),
    ("bbc.com", "bbc"),
    ("bbc.co.uk", "bbc"),
    ("voachinese.com", "voa"),
    ("voanews.com", "voa"),
    ("dw.com", "dw"),
    ("nytimes.com", "nyt"),
    ("rfa.org", "rfa"),
    ("chinadigitaltimes.net", "cdt"),
    ("reuters.com", "reuters"),
    ("ftchinese.com", "ft"),
];

/// The source of a duty-machine site folder: a known site by abbreviation or name, else a
/// source named after the folder.
pub fn source_for_folder(folder: &str) -> Result<SourceMeta, String> {
    match known_site(folder) {
        Some(site) => Ok(SourceMeta {
            id: SourceId::new(site.abbr)?,
            name: site.name.to_owned(),
            aliases: vec![folder.to_owned()],
            list_name: Some(site.name.to_owned()),
        }),
        None => Ok(SourceMeta {
            id: SourceId::new(folder.to_lowercase())?,
            name: folder.to_owned(),
            aliases: vec![folder.to_owned()],
            list_name: Some(folder.to_owned()),
        }),
    }
}

/// The source of a loose record, from its URL's host (a known site, else the host itself).
pub fn source_for_url(url: Option<&str>) -> SourceMeta {
    let host = url
        .and_then(|u| url_host(u))
        .map(|h| h.trim_start_matches("www.").to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    let known = HOSTS
        .iter()
        .find(|(h, _)| host == *h || host.ends_with(&format!(".{h}")))
        .and_then(|(_, abbr)| known_site(abbr));
    match known {
        Some(site) => SourceMeta {
            id: SourceId::new(site.abbr).expect("known ids are valid"),
            name: site.name.to_owned(),
            aliases: Vec::new(),
            list_name: Some(site.name.to_owned()),
        },
        None => SourceMeta {
            id: SourceId::new(host.clone())
                .unwrap_or_else(|_| SourceId::new("unknown").expect("valid")),
            name: host,
            aliases: Vec::new(),
            list_name: None,
        },
    }
}

fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?.split(':').next()?;
    (!host.is_empty()).then_some(host)
}

/// The identity of a record: its canonical URL, or, for a record without one, a fingerprint
/// of its body (so that the same text imported twice is still one article).
pub fn identify(record: &record::Record) -> ArticleKey {
    match record.url.as_deref() {
        Some(url) if model::canonical_url(url).is_some() => ArticleKey::for_url(url),
        Some(url) => ArticleKey::from_identity(&format!("url:{}", url.trim())),
        None => ArticleKey::from_identity(&format!(
            "body:{}",
            model::sha256_hex(record.body.as_bytes())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_and_hosts_map_to_the_same_sources() {
        assert_eq!(source_for_folder("法广").unwrap().id.as_str(), "rfi");
        assert_eq!(source_for_folder("rfi").unwrap().name, "法广");
        assert_eq!(
            source_for_folder("Other Site").unwrap().id.as_str(),
            "other site"
        );
        assert_eq!(
            source_for_url(Some("https://www.rfi.fr/cn/x")).id.as_str(),
            "rfi"
        );
        assert_eq!(
            source_for_url(Some("https://cn.nytimes.com/a")).id.as_str(),
            "nyt"
        );
        assert_eq!(
            source_for_url(Some("https://news.example.org:8080/a"))
                .id
                .as_str(),
            "news.example.org"
        );
        assert_eq!(source_for_url(None).id.as_str(), "unknown");
        assert!(source_for_folder("..").is_err());
    }
}
