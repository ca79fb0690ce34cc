//! `newsvault sources import-opml FILE` and `newsvault export opml FILE`: subscription lists
//! in and out (the format lives in `feed::opml`).
//!
//! A feed is "already configured" when a source has the same feed URL, compared without the
//! scheme, fragment or a trailing slash; exporting and importing again therefore adds nothing.

use crate::config::{self, Config, ConfigFile};
use anyhow::Context;
use feed::opml::{OpmlFeed, parse_opml, write_opml};
use model::{SourceConfig, SourceId};
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::path::Path;

/// Exit code when some feeds of the file could not be used (named on stderr).
const EXIT_PARTIAL: u8 = 2;

pub(crate) fn import(config_file: &Path, file: &Path) -> anyhow::Result<u8> {
    let bytes = if file.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .context("cannot read OPML from standard input")?;
        b
    } else {
        std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?
    };
    let feeds =
        parse_opml(&bytes).with_context(|| format!("cannot read OPML file {}", file.display()))?;
    let mut cfg = ConfigFile::open(config_file)?;
    let mut taken: HashSet<String> = cfg
        .config()
        .sources
        .iter()
        .map(|s| s.id.to_string())
        .collect();
    let mut configured: HashMap<String, String> = cfg
        .config()
        .sources
        .iter()
        .map(|s| (url_key(&s.url), s.id.to_string()))
        .collect();
    let (mut added, mut present, mut unusable) = (0usize, 0usize, 0usize);
    for f in &feeds {
        // `feed://host/...` (an old convention for "open in a feed reader") means http.
        let url = match f.xml_url.trim().strip_prefix("feed://") {
            Some(rest) => format!("http://{rest}"),
            None => f.xml_url.trim().to_owned(),
        };
        let url = url.as_str();
        if let Some(id) = configured.get(&url_key(url)) {
            eprintln!("skipped {url}: already configured as {id}");
            present += 1;
            continue;
        }
        if let Err(e) = config::check_http_url(url) {
            eprintln!("error: {}: {:?}: feed {e}", file.display(), f.title);
            unusable += 1;
            continue;
        }
        let site = ingest::source_for_url(Some(url));
        let id = unique_id(&derive_id(f, &site), &taken);
        // A feed without a name gets its URL as title from the parser; its host reads better.
        let name = if f.title == f.xml_url {
            &site.name
        } else {
            f.title.trim()
        };
        let source = SourceConfig::new(
            SourceId::new(id.clone()).map_err(anyhow::Error::msg)?,
            name,
            url,
        );
        cfg.add_source(&source)?;
        eprintln!("added {id} ({}): {url}", source.name);
        taken.insert(id.clone());
        configured.insert(url_key(url), id);
        added += 1;
    }
    if added > 0 {
        cfg.save()?;
    }
    eprintln!(
        "{}: {} feeds, {added} added to {}, {present} already configured{}",
        file.display(),
        feeds.len(),
        config_file.display(),
        if unusable > 0 {
            format!(", {unusable} unusable")
        } else {
            String::new()
        }
    );
    if added > 0 {
        eprintln!(
            "new sources are summary-only, checked every {} minutes: edit full_text and \
             interval in {} as needed",
            SourceConfig::DEFAULT_INTERVAL_MINUTES,
            config_file.display()
        );
    }
    Ok(if unusable > 0 { EXIT_PARTIAL } else { 0 })
}

pub(crate) fn export(config_file: &Path, file: &Path) -> anyhow::Result<u8> {
    let config = Config::load(config_file)?;
    let feeds: Vec<OpmlFeed> = config
        .sources
        .iter()
        .map(|s| OpmlFeed {
            title: s.name.clone(),
            xml_url: s.url.clone(),
            html_url: None,
            category: None,
        })
        .collect();
    let date = chrono::Utc::now().to_rfc2822();
    let xml = write_opml("newsvault sources", Some(&date), &feeds);
    if file.as_os_str() == "-" {
        std::io::stdout().lock().write_all(xml.as_bytes())?;
    } else {
        config::write_atomically(file, xml.as_bytes())?;
        eprintln!("exported {} sources to {}", feeds.len(), file.display());
    }
    Ok(0)
}

/// What makes two feed URLs the same subscription: host case, default ports, the scheme, a
/// fragment and a trailing slash do not count.
fn url_key(url: &str) -> String {
    match url::Url::parse(url.trim()) {
        Ok(mut u) => {
            u.set_fragment(None);
            let s = u.as_str();
            let rest = s.split_once("://").map_or(s, |(_, r)| r);
            rest.trim_end_matches('/').to_owned()
        }
        Err(_) => url.trim().to_owned(),
    }
}

/// An id for a feed: the duty-machine id when the host is one of its sites (so that fetched and
/// imported archives share a folder), else a slug of the title, else the host.
fn derive_id(feed: &OpmlFeed, site: &model::SourceMeta) -> String {
    if record::layout::known_site(site.id.as_str()).is_some() {
        return site.id.to_string();
    }
    if feed.title != feed.xml_url
        && let Some(slug) = slug(&feed.title)
    {
        return slug;
    }
    site.id.to_string()
}

/// Lower-case ASCII letters and digits of `title`, other runs turned into one `-`; `None` when
/// fewer than two letters or digits remain (a title in Chinese only, say).
fn slug(title: &str) -> Option<String> {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_owned();
    if out.len() > 32 {
        out.truncate(32);
        out = out.trim_end_matches('-').to_owned();
    }
    (out.chars().filter(char::is_ascii_alphanumeric).count() >= 2).then_some(out)
}

/// `base`, or `base-2`, `base-3`, ... whichever is free.
fn unique_id(base: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !taken.contains(id))
        .unwrap_or_else(|| base.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opml_feed(title: &str, url: &str) -> OpmlFeed {
        OpmlFeed {
            title: title.to_owned(),
            xml_url: url.to_owned(),
            html_url: None,
            category: None,
        }
    }

    fn derive_id(feed: &OpmlFeed) -> String {
        super::derive_id(feed, &ingest::source_for_url(Some(&feed.xml_url)))
    }

    #[test]
    fn ids_prefer_known_sites_then_titles_then_hosts() {
        assert_eq!(
            derive_id(&opml_feed("RFI 华语", "https://www.rfi.fr/cn/中国/rss")),
            "rfi"
        );
        assert_eq!(
            derive_id(&opml_feed(
                "Example Daily — World!",
                "https://news.example.org/rss"
            )),
            "example-daily-world"
        );
        assert_eq!(
            derive_id(&opml_feed("联合早报", "https://www.zaobao.example/rss")),
            "zaobao.example"
        );
        assert_eq!(
            derive_id(&opml_feed(
                "https://x.example/feed",
                "https://x.example/feed"
            )),
            "x.example"
        );
        let taken: HashSet<String> = ["rfi".to_owned(), "rfi-2".to_owned()].into();
        assert_eq!(unique_id("rfi", &taken), "rfi-3");
        assert_eq!(unique_id("dw", &taken), "dw");
    }

    #[test]
    fn the_same_feed_is_recognised_across_spellings() {
        assert_eq!(
            url_key("https://Feeds.Example.com:443/rss/"),
            url_key("http://feeds.example.com/rss#x")
        );
        assert_ne!(
            url_key("https://a.example/rss?x=1"),
            url_key("https://a.example/rss?x=2")
        );
    }
}
