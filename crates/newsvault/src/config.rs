//! The configuration file: `newsvault.toml` in the data directory, or `--config FILE`.
//!
//! Owns reading the file into a [`Config`], with errors that name the file, the line and the key
//! (`newsvault.toml:14: sources[2].interval: ...`), and editing it in place ([`ConfigFile`]) so
//! that `sources add/remove/import-opml` keep the user's comments and layout. The documented file
//! `init` writes (`cmd/init.rs`) is the reference for the format.
//!
//! The file is read from `toml_edit`'s spanned document rather than through serde, so that every
//! key and value keeps its position and every message is ours; the same crate does the edits.
//! Unknown keys are errors: a misspelt key would otherwise be silently ignored.
//!
//! Reading is in `config/read.rs`, editing in `config/edit.rs`, the source list a running
//! `run`/`serve` shares and keeps in step with the file in `config/live.rs`.
//!
//! Words: a key *path* is how a message names a key, `sources[2].rules.content[0]`; indices count
//! from 0, in file order.

mod edit;
mod live;
mod read;

pub(crate) use edit::{ConfigFile, write_atomically};
pub(crate) use live::LiveSources;

use anyhow::{Context, bail};
use model::{RouteSpec, SourceConfig, SourceId};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The configuration file's name in the data directory.
pub(crate) const FILE_NAME: &str = "newsvault.toml";
/// Where the web server listens unless configured otherwise.
pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The configuration file to use: `--config FILE`, else `DATA/newsvault.toml`.
pub(crate) fn path(data: &Path, config: Option<&Path>) -> PathBuf {
    config.map_or_else(|| data.join(FILE_NAME), Path::to_path_buf)
}

/// Everything `newsvault.toml` says.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Config {
    /// `[server]`.
    pub(crate) server: ServerConfig,
    /// `[fetch]`.
    pub(crate) fetch: FetchSettings,
    /// `[[sources]]`, in file order; ids are unique.
    pub(crate) sources: Vec<SourceConfig>,
}

/// `[server]`: the web reader and API.
#[derive(Clone, PartialEq)]
pub(crate) struct ServerConfig {
    /// `host:port` to listen on.
    pub(crate) listen: String,
    /// The secret that turns the admin API on (`Authorization: Bearer <token>`); `None`: off.
    pub(crate) admin_token: Option<String>,
    /// The public address for absolute links in feeds; `None`: each request's `Host`.
    pub(crate) base_url: Option<url::Url>,
    /// Bytes of record texts kept for search snippets; written in the file as
    /// `search_text_cache_mb` (MiB).
    pub(crate) search_text_cache_bytes: usize,
}

/// Largest `search_text_cache_mb` accepted (64 GiB): a larger number is a typo.
pub(crate) const MAX_SEARCH_TEXT_CACHE_MB: usize = 64 * 1024;

/// Shortest admin token accepted: a short secret can be guessed.
pub(crate) const MIN_ADMIN_TOKEN: usize = 16;

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: DEFAULT_LISTEN.to_owned(),
            admin_token: None,
            base_url: None,
            search_text_cache_bytes: web::DEFAULT_SEARCH_TEXT_CACHE_BYTES,
        }
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token is a secret: logs and panics show only whether it is set.
        f.debug_struct("ServerConfig")
            .field("listen", &self.listen)
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "<redacted>"),
            )
            .field("base_url", &self.base_url.as_ref().map(url::Url::as_str))
            .field("search_text_cache_bytes", &self.search_text_cache_bytes)
            .finish()
    }
}

/// `[fetch]`: the HTTP client's politeness and limits. Defaults are `fetch::FetchConfig`'s.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FetchSettings {
    /// `None` sends `fetch::DEFAULT_USER_AGENT`.
    pub(crate) user_agent: Option<String>,
    pub(crate) per_host_concurrency: usize,
    pub(crate) min_interval_ms: u64,
    pub(crate) connect_timeout_secs: u64,
    pub(crate) total_timeout_secs: u64,
    /// Written in the file as `max_body_mb` (MiB).
    pub(crate) max_body_bytes: u64,
    pub(crate) max_attempts: u32,
    pub(crate) max_redirects: usize,
}

impl Default for FetchSettings {
    fn default() -> Self {
        let d = fetch::FetchConfig::default();
        FetchSettings {
            user_agent: None,
            per_host_concurrency: d.per_host_concurrency,
            min_interval_ms: u64::try_from(d.min_interval.as_millis()).unwrap_or(u64::MAX),
            connect_timeout_secs: d.connect_timeout.as_secs(),
            total_timeout_secs: d.total_timeout.as_secs(),
            max_body_bytes: d.max_body,
            max_attempts: d.max_attempts,
            max_redirects: d.max_redirects,
        }
    }
}

impl FetchSettings {
    /// The client configuration these settings describe; what the file does not set keeps
    /// `fetch::FetchConfig`'s default.
    pub(crate) fn to_fetch_config(&self) -> fetch::FetchConfig {
        let d = fetch::FetchConfig::default();
        fetch::FetchConfig {
            user_agent: self.user_agent.clone().unwrap_or(d.user_agent),
            connect_timeout: Duration::from_secs(self.connect_timeout_secs),
            total_timeout: Duration::from_secs(self.total_timeout_secs),
            max_redirects: self.max_redirects,
            max_body: self.max_body_bytes,
            per_host_concurrency: self.per_host_concurrency,
            min_interval: Duration::from_millis(self.min_interval_ms),
            max_attempts: self.max_attempts,
            ..d
        }
    }
}

impl Config {
    /// Reads and checks the file at `path`. A missing file is an error that says how to make one.
    pub(crate) fn load(path: &Path) -> anyhow::Result<Config> {
        let text = read_text(path)?;
        Ok(Config::parse(&text, &path.display().to_string())?)
    }

    /// Reads and checks the text of a configuration file; `file` names it in errors.
    pub(crate) fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        // Some editors start UTF-8 files with a byte-order mark, which TOML does not allow.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let doc = toml_edit::Document::parse(text).map_err(|e| ConfigError {
            file: file.to_owned(),
            line: e.span().map_or(0, |s| line_of(text, s.start)),
            key: String::new(),
            message: e.message().trim().to_owned(),
        })?;
        read::Reader { text, file }.config(doc.as_table())
    }

    /// The configured source with this id.
    pub(crate) fn source(&self, id: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.id.as_str() == id)
    }
}

pub(crate) fn read_text(path: &Path) -> anyhow::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "{} does not exist: run `newsvault init` to write one with the default sources \
             (or pass --config FILE)",
            path.display()
        ),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// A configuration problem, located: `FILE:LINE: KEY: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigError {
    pub(crate) file: String,
    /// 1-based; 0 when the position is not known.
    pub(crate) line: usize,
    /// The key path (`sources[2].interval`); empty for a TOML syntax error.
    pub(crate) key: String,
    pub(crate) message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Minutes from `interval`: a whole number of minutes (`"45"`) or a duration made of `<n>m`,
/// `<n>h`, `<n>d` parts (`"15m"`, `"2h"`, `"1h30m"`, `"1d"`). Zero is not an interval.
pub(crate) fn parse_interval(s: &str) -> Option<u32> {
    let s = s.trim();
    if let Ok(minutes) = s.parse::<u32>() {
        return (minutes > 0).then_some(minutes);
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'm' => 1,
            'h' => 60,
            'd' => 24 * 60,
            _ => return None,
        };
        let n: u64 = digits.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        digits.clear();
    }
    if !digits.is_empty() {
        return None;
    }
    u32::try_from(total).ok().filter(|&m| m > 0)
}

pub(crate) const INTERVAL_EXPECTED: &str =
    "expected minutes (a positive integer) or a duration like \"30m\", \"2h\", \"1h30m\" or \"1d\"";

/// A route as written in `routes = [...]`: `"direct"`, a proxy URL (`http://`, `https://`,
/// `socks5://`, `socks5h://`) or `"mirror:https://..."`.
pub(crate) fn parse_route(s: &str) -> Result<RouteSpec, String> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("direct") {
        return Ok(RouteSpec::Direct);
    }
    if let Some(mirror) = s.strip_prefix("mirror:") {
        check_http_url(mirror).map_err(|e| format!("mirror {e}"))?;
        return Ok(RouteSpec::Mirror(mirror.to_owned()));
    }
    match url::Url::parse(s) {
        Ok(u)
            if matches!(u.scheme(), "http" | "https" | "socks5" | "socks5h")
                && u.host().is_some() =>
        {
            Ok(RouteSpec::Proxy(s.to_owned()))
        }
        _ => Err(format!(
            "{s:?} is not a route: expected \"direct\", a proxy URL (http://, https://, \
             socks5:// or socks5h://host:port) or \"mirror:https://...\""
        )),
    }
}

/// How a route is written in the file (the inverse of [`parse_route`]).
pub(crate) fn route_text(route: &RouteSpec) -> String {
    match route {
        RouteSpec::Direct => "direct".to_owned(),
        RouteSpec::Proxy(p) => p.clone(),
        RouteSpec::Mirror(m) => format!("mirror:{m}"),
    }
}

/// Checks that `s` is an absolute http(s) URL with a host (feeds and mirrors).
pub(crate) fn check_http_url(s: &str) -> Result<(), String> {
    match url::Url::parse(s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        Ok(u) => Err(format!(
            "URL {s:?} has scheme {:?}: expected http or https",
            u.scheme()
        )),
        Err(e) => Err(format!("{s:?} is not an absolute URL ({e})")),
    }
}

/// The duty-machine display name for a known id (so fetched and imported sources agree), else the id.
pub(crate) fn default_name(id: &SourceId) -> String {
    record::layout::known_site(id.as_str()).map_or_else(|| id.to_string(), |s| s.name.to_owned())
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    1 + text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_as_minutes() {
        for (s, m) in [
            ("45", Some(45)),
            ("15m", Some(15)),
            ("2h", Some(120)),
            ("1h30m", Some(90)),
            ("1d", Some(1440)),
        ] {
            assert_eq!(parse_interval(s), m, "{s}");
        }
        for s in ["", "0", "0m", "m", "15s", "1.5h", "-5", "h1"] {
            assert_eq!(parse_interval(s), None, "{s}");
        }
    }

    #[test]
    fn routes_read_and_write_back() {
        for s in [
            "direct",
            "http://127.0.0.1:8118",
            "socks5h://127.0.0.1:1080",
            "mirror:https://mirror.example/rfi",
        ] {
            let route = parse_route(s).unwrap();
            assert_eq!(route_text(&route), s);
        }
        assert!(parse_route("ftp://x").is_err());
        assert!(parse_route("mirror:ftp://x").is_err());
        assert!(parse_route("proxy").is_err());
    }

    #[test]
    fn fetch_settings_override_only_what_is_set() {
        let config = Config::parse(
            "[fetch]\nmax_body_mb = 2\nuser_agent = \"test/1\"\n",
            "t.toml",
        )
        .unwrap();
        let f = config.fetch.to_fetch_config();
        let d = fetch::FetchConfig::default();
        assert_eq!(f.max_body, 2 * 1024 * 1024);
        assert_eq!(f.user_agent, "test/1");
        assert_eq!(f.per_host_concurrency, d.per_host_concurrency);
        assert_eq!(f.min_interval, d.min_interval);
        assert_eq!(
            Config::default().fetch.to_fetch_config().max_body,
            d.max_body
        );
    }

    #[test]
    fn server_search_text_cache() {
        let config = Config::parse("[server]\nsearch_text_cache_mb = 16\n", "n.toml").unwrap();
        assert_eq!(config.server.search_text_cache_bytes, 16 << 20);
        let none = Config::parse("[server]\nsearch_text_cache_mb = 0\n", "n.toml").unwrap();
        assert_eq!(none.server.search_text_cache_bytes, 0);
        assert_eq!(
            Config::default().server.search_text_cache_bytes,
            web::DEFAULT_SEARCH_TEXT_CACHE_BYTES
        );
        for bad in ["-1", "\"64\"", "1.5", "99999999"] {
            let e = Config::parse(
                &format!("[server]\nsearch_text_cache_mb = {bad}\n"),
                "n.toml",
            )
            .unwrap_err()
            .to_string();
            assert!(
                e.starts_with("n.toml:2: server.search_text_cache_mb: expected an integer"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn server_admin_token_and_base_url() {
        let config = Config::parse(
            "[server]\nadmin_token = \"0123456789abcdef0123\"\nbase_url = \"https://n.example/\"\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!(
            config.server.admin_token.as_deref(),
            Some("0123456789abcdef0123")
        );
        assert_eq!(
            config.server.base_url.as_ref().map(url::Url::as_str),
            Some("https://n.example/")
        );
        assert!(
            !format!("{config:?}").contains("0123456789abcdef0123"),
            "redacted"
        );
        let e = Config::parse("[server]\nadmin_token = \"short\"\n", "n.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("n.toml:2: server.admin_token: expected a secret"),
            "{e}"
        );
        let e = Config::parse("[server]\nbase_url = \"news.example\"\n", "n.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("n.toml:2: server.base_url: "), "{e}");
        assert_eq!(Config::default().server.admin_token, None);
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let text = "[server]\nlisten = \"127.0.0.1:8080\"\n\n[[sources]]\nid = \"a\"\nurl = \"https://a.example/rss\"\nintervall = 5\n";
        let e = Config::parse(text, "n.toml").unwrap_err().to_string();
        assert_eq!(
            e,
            "n.toml:7: sources[0].intervall: unknown key (did you mean `interval`?)"
        );
        let e = Config::parse("[[sources]]\nid = \"a\"\n", "n.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("n.toml:1: sources[0].url: missing"), "{e}");
        let e = Config::parse("[fetch]\nmax_attempts = 0\n", "n.toml")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "n.toml:2: fetch.max_attempts: expected an integer >= 1");
        let e = Config::parse("[server\n", "n.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("n.toml:1: "), "{e}");
    }
}
