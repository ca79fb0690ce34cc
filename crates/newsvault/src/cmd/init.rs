//! `newsvault init [--force]`: the data directory and a documented `newsvault.toml`.
//!
//! The file written here is the documentation of the format: every key is explained where it
//! is used, and the `[fetch]` defaults are rendered from `fetch::FetchConfig`'s so that the
//! comments cannot drift from the code.

use crate::cli::InitArgs;
use crate::config::{self, Config, FetchSettings};
use crate::data::open_archive;
use anyhow::bail;
use std::fmt::Write as _;
use std::path::Path;

/// A source `init` writes: id, display name, feed URL, whether the feed carries whole
/// articles, and a note for the reader of the file.
struct DefaultSource {
    id: &'static str,
    name: Option<&'static str>,
    url: &'static str,
    full_text: bool,
    note: &'static str,
}

/// The Chinese-language international media of DESIGN.md. Names come from the duty-machine
/// site list (`record::layout::known_site`) where the id is one of its sites, so that imported
/// archives and fetched sources share ids and names.
const DEFAULT_SOURCES: &[DefaultSource] = &[
    DefaultSource {
        id: "rfi",
        name: None,
        url: "https://www.rfi.fr/cn/rss",
        full_text: true,
        note: "RFI 中文 (Radio France Internationale).",
    },
    DefaultSource {
        id: "bbc",
        name: None,
        url: "https://feeds.bbci.co.uk/zhongwen/simp/rss.xml",
        full_text: false,
        note: "BBC 中文, simplified characters.",
    },
    DefaultSource {
        id: "bbc-trad",
        name: Some("BBC 繁體"),
        url: "https://feeds.bbci.co.uk/zhongwen/trad/rss.xml",
        full_text: false,
        note: "BBC 中文, traditional characters.",
    },
    DefaultSource {
        id: "voa",
        name: None,
        url: "https://www.voachinese.com/api/zm_yql-vomx-tpeybti",
        full_text: false,
        note: "VOA 中文. VOA's feed addresses are opaque ids that change now and then: if this\n\
               # one fails, pick the current one from https://www.voachinese.com/rssfeeds",
    },
    DefaultSource {
        id: "dw",
        name: None,
        url: "https://rss.dw.com/rdf/rss-chi-all",
        full_text: false,
        note: "DW 中文 (Deutsche Welle), an RSS 1.0 (RDF) feed.",
    },
    DefaultSource {
        id: "rfa",
        name: None,
        url: "https://www.rfa.org/mandarin/RSS",
        full_text: false,
        note: "RFA 普通话 (Radio Free Asia).",
    },
    DefaultSource {
        id: "nyt",
        name: None,
        url: "https://cn.nytimes.com/rss/",
        full_text: false,
        note: "NYT 中文 (纽约时报中文网).",
    },
    DefaultSource {
        id: "cdt",
        name: None,
        url: "https://chinadigitaltimes.net/chinese/feed/",
        full_text: true,
        note: "CDT 中国数字时代 (China Digital Times).",
    },
];

pub(crate) fn run(data: &Path, config_file: &Path, args: &InitArgs) -> anyhow::Result<u8> {
    if config_file.exists() && !args.force {
        bail!(
            "{} already exists; pass --force to overwrite it (its sources and comments would be lost)",
            config_file.display()
        );
    }
    open_archive(data)?;
    let text = template();
    // What init writes must load; a failure here is a bug in the template.
    let config = Config::parse(&text, &config_file.display().to_string())?;
    config::write_atomically(config_file, text.as_bytes())?;
    eprintln!(
        "wrote {} with {} sources (data directory {})",
        config_file.display(),
        config.sources.len(),
        data.display()
    );
    eprintln!(
        "next: `newsvault sources list`, then `newsvault fetch` for one pass or `newsvault run`"
    );
    Ok(0)
}

/// The documented configuration file with the default sources.
pub(crate) fn template() -> String {
    let f = FetchSettings::default();
    let mut out = format!(
        r#"# newsvault configuration.
#
# Written by `newsvault init`. Edit it freely: `newsvault sources add/remove/import-opml` keep
# your comments. Unknown keys are errors (so that a typo is not silently ignored), and every error
# names the line and the key.

[server]
# Where the web reader and JSON API listen (`newsvault run`, `newsvault serve`). Use
# "0.0.0.0:8080" to listen on every interface, e.g. behind a reverse proxy on another machine.
listen = "{listen}"
# The admin API (refresh a source now, add or remove a source) is off until this is set. Clients
# then send `Authorization: Bearer <token>`; everything else stays read-only. Use a long random
# secret (at least 16 characters), e.g. the output of `openssl rand -hex 24`:
# admin_token = "..."
# The address readers use, for the absolute links in Atom feeds [default: each request's Host
# header, over http]. Set it behind a reverse proxy or for https, e.g.:
# base_url = "https://news.example.org"
# MiB of article texts kept for search-result snippets, filled as results are shown (reading
# a text again costs about a sixth of a search page). 0 keeps none. Default:
# search_text_cache_mb = {text_cache}

[fetch]
# How newsvault talks to news sites. These are the defaults; delete a line to keep the default.
# The User-Agent sent with every request (default: newsvault's name, version and homepage).
# Sites are more tolerant of archivers that say who they are, e.g.:
# user_agent = "newsvault (archive of example.org; contact: you@example.org)"
# Requests in flight to one host at a time.
per_host_concurrency = {concurrency}
# Minimum milliseconds between the starts of two requests to one host.
min_interval_ms = {min_interval}
# Seconds allowed to connect, and for a whole request (connect to last byte).
connect_timeout_secs = {connect}
total_timeout_secs = {total}
# Largest response accepted, in MiB (before and after decompression).
max_body_mb = {max_body}
# Attempts per route for retryable failures (timeouts, 429, 5xx); 1 = no retry.
max_attempts = {attempts}
# Redirects followed before giving up.
max_redirects = {redirects}

# Sources: one [[sources]] table per feed. Keys:
#   id         the source's folder under archive/ and its name in URLs and commands; letters,
#              digits and '-' are safest. Never change it once something is archived.
#   name       display name [default: the duty-machine site name for a known id, else the id]
#   url        the feed (RSS, RDF, Atom or JSON Feed), http or https
#   full_text  true when the feed's items carry whole articles; false (the default) means each
#              article page is fetched and its text extracted
#   interval   time between checks of the feed: minutes (30) or a duration like "15m", "2h",
#              "1h30m", "1d" [default: {default_interval}]
#   routes     ways to reach the source, tried in order until one works [default: direct]:
#                "direct"                          straight to the site
#                "http://127.0.0.1:8118"           an HTTP(S) proxy
#                "socks5h://127.0.0.1:1080"        a SOCKS5 proxy (socks5h: the proxy resolves names)
#                "mirror:https://mirror.example/x" the same path and query on a mirror
#              e.g. routes = ["direct", "socks5h://127.0.0.1:1080"]
#   enabled    false keeps the source and its archive but stops checking it [default: true]
#   recheck    when each archived article is fetched again to catch edits and takedowns, counted
#              from its capture; the last step repeats; false turns re-checks off
#              [default: ["15m", "1h", "3h", "1d", "3d", "7d", "30d", "90d"]]
# Optional extraction rules for a source's article pages (CSS selectors), added to the built-in
# rules, in a table right after the source's own keys:
#   [sources.rules]
#   hosts = ["www.example.com"]      pages the rules apply to [default: the feed's host]
#   content = ["article .body"]      the article's blocks, tried in order
#   drop = [".related", ".share"]    blocks removed from the content
#
# The defaults below are Chinese-language international media; `full_text` says whether each
# feed carries whole articles.
"#,
        listen = config::DEFAULT_LISTEN,
        text_cache = web::DEFAULT_SEARCH_TEXT_CACHE_BYTES >> 20,
        concurrency = f.per_host_concurrency,
        min_interval = f.min_interval_ms,
        connect = f.connect_timeout_secs,
        total = f.total_timeout_secs,
        max_body = f.max_body_bytes / (1024 * 1024),
        attempts = f.max_attempts,
        redirects = f.max_redirects,
        default_interval = model::SourceConfig::DEFAULT_INTERVAL_MINUTES,
    );
    for s in DEFAULT_SOURCES {
        let name = match s.name {
            Some(n) => n.to_owned(),
            None => record::layout::known_site(s.id)
                .map_or(s.id, |site| site.name)
                .to_owned(),
        };
        let text = if s.full_text {
            "true    # the feed carries whole articles"
        } else {
            "false   # summaries only: article pages are fetched"
        };
        let _ = write!(
            out,
            "\n# {note}\n[[sources]]\nid = \"{id}\"\nname = \"{name}\"\nurl = \"{url}\"\n\
             full_text = {text}\ninterval = \"30m\"\n",
            note = s.note,
            id = s.id,
            url = s.url,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_loads_with_the_default_sources() {
        let config = Config::parse(&template(), "newsvault.toml").unwrap();
        let ids: Vec<&str> = config.sources.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            ["rfi", "bbc", "bbc-trad", "voa", "dw", "rfa", "nyt", "cdt"]
        );
        assert_eq!(config.fetch, FetchSettings::default());
        assert_eq!(config.server.listen, config::DEFAULT_LISTEN);
        for s in &config.sources {
            assert_eq!(s.interval_minutes, 30);
            assert!(s.enabled && s.routes.is_empty() && s.rules.is_none());
            // Ids the duty-machine archive knows keep its display names.
            if let Some(site) = record::layout::known_site(s.id.as_str()) {
                assert_eq!(s.name, site.name, "{}", s.id);
            }
        }
        let full: Vec<&str> = config
            .sources
            .iter()
            .filter(|s| s.full_text)
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(full, ["rfi", "cdt"]);
    }
}
