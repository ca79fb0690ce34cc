//! Reading the spanned document into a [`Config`]: every error names the line and key path.

use super::{
    Config, ConfigError, DEFAULT_LISTEN, FetchSettings, INTERVAL_EXPECTED,
    MAX_SEARCH_TEXT_CACHE_MB, MIN_ADMIN_TOKEN, check_http_url, default_name, line_of,
    parse_interval, parse_route,
};
use model::{RulesSpec, SourceConfig, SourceId};
use std::collections::HashMap;
use std::ops::Range;
use toml_edit::{Item, TableLike, Value};

/// Walks the spanned document; every error it returns is located.
pub(super) struct Reader<'a> {
    pub(super) text: &'a str,
    pub(super) file: &'a str,
}

type Located<T> = Result<T, ConfigError>;

impl Reader<'_> {
    fn error(
        &self,
        span: Option<Range<usize>>,
        key: &str,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError {
            file: self.file.to_owned(),
            line: span.map_or(0, |s| line_of(self.text, s.start)),
            key: key.to_owned(),
            message: message.into(),
        }
    }

    pub(super) fn config(&self, root: &toml_edit::Table) -> Located<Config> {
        self.known_keys(root, "", &["server", "fetch", "sources"])?;
        let mut config = Config::default();
        if let Some(item) = root.get("server") {
            let t = self.table(item, "server")?;
            self.known_keys(
                t,
                "server",
                &["listen", "admin_token", "base_url", "search_text_cache_mb"],
            )?;
            if let Some(v) = t.get("listen") {
                let listen = self.string(v, "server.listen")?;
                let port = listen.rsplit_once(':').map(|(_, p)| p.parse::<u16>());
                if !matches!(port, Some(Ok(_))) {
                    return Err(self.error(
                        v.span(),
                        "server.listen",
                        format!("{listen:?}: expected host:port, e.g. \"{DEFAULT_LISTEN}\""),
                    ));
                }
                config.server.listen = listen;
            }
            if let Some(v) = t.get("admin_token") {
                let token = self.string(v, "server.admin_token")?;
                if token.chars().count() < MIN_ADMIN_TOKEN
                    || token.chars().any(|c| c.is_whitespace() || c.is_control())
                {
                    return Err(self.error(
                        v.span(),
                        "server.admin_token",
                        format!(
                            "expected a secret of at least {MIN_ADMIN_TOKEN} characters without \
                             spaces (e.g. the output of `openssl rand -hex 24`)"
                        ),
                    ));
                }
                config.server.admin_token = Some(token);
            }
            if let Some(v) = t.get("base_url") {
                let text = self.string(v, "server.base_url")?;
                match url::Url::parse(&text) {
                    Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                        config.server.base_url = Some(u);
                    }
                    _ => {
                        return Err(self.error(
                            v.span(),
                            "server.base_url",
                            format!(
                                "{text:?}: expected the absolute http(s) address readers use, \
                                 e.g. \"https://news.example.org\""
                            ),
                        ));
                    }
                }
            }
            if let Some(v) = t.get("search_text_cache_mb") {
                match v.as_integer().and_then(|n| usize::try_from(n).ok()) {
                    Some(mb) if mb <= MAX_SEARCH_TEXT_CACHE_MB => {
                        config.server.search_text_cache_bytes = mb << 20;
                    }
                    _ => {
                        return Err(self.error(
                            v.span(),
                            "server.search_text_cache_mb",
                            format!(
                                "expected an integer from 0 (keep none) to \
                                 {MAX_SEARCH_TEXT_CACHE_MB} (MiB)"
                            ),
                        ));
                    }
                }
            }
        }
        if let Some(item) = root.get("fetch") {
            config.fetch = self.fetch(self.table(item, "fetch")?)?;
        }
        if let Some(item) = root.get("sources") {
            config.sources = self.sources(item)?;
        }
        Ok(config)
    }

    fn fetch(&self, t: &dyn TableLike) -> Located<FetchSettings> {
        const KEYS: &[&str] = &[
            "user_agent",
            "per_host_concurrency",
            "min_interval_ms",
            "connect_timeout_secs",
            "total_timeout_secs",
            "max_body_mb",
            "max_attempts",
            "max_redirects",
        ];
        self.known_keys(t, "fetch", KEYS)?;
        let mut f = FetchSettings::default();
        let int = |key: &str, min: i64| -> Located<Option<u64>> {
            let Some(v) = t.get(key) else {
                return Ok(None);
            };
            let path = format!("fetch.{key}");
            match v.as_integer() {
                Some(n) if n >= min => Ok(Some(n as u64)),
                _ => Err(self.error(v.span(), &path, format!("expected an integer >= {min}"))),
            }
        };
        if let Some(v) = t.get("user_agent") {
            let ua = self.string(v, "fetch.user_agent")?;
            if ua.trim().is_empty() || ua.chars().any(char::is_control) {
                return Err(self.error(
                    v.span(),
                    "fetch.user_agent",
                    "expected a non-empty single-line string",
                ));
            }
            f.user_agent = Some(ua);
        }
        let small = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        if let Some(n) = int("per_host_concurrency", 1)? {
            f.per_host_concurrency = small(n);
        }
        if let Some(n) = int("min_interval_ms", 0)? {
            f.min_interval_ms = n;
        }
        if let Some(n) = int("connect_timeout_secs", 1)? {
            f.connect_timeout_secs = n;
        }
        if let Some(n) = int("total_timeout_secs", 1)? {
            f.total_timeout_secs = n;
        }
        if let Some(n) = int("max_body_mb", 1)? {
            f.max_body_bytes = n.saturating_mul(1024 * 1024);
        }
        if let Some(n) = int("max_attempts", 1)? {
            f.max_attempts = u32::try_from(n).unwrap_or(u32::MAX);
        }
        if let Some(n) = int("max_redirects", 0)? {
            f.max_redirects = small(n);
        }
        Ok(f)
    }

    fn sources(&self, item: &Item) -> Located<Vec<SourceConfig>> {
        let tables: Vec<(&dyn TableLike, Option<Range<usize>>)> =
            if let Some(aot) = item.as_array_of_tables() {
                aot.iter()
                    .map(|t| (t as &dyn TableLike, t.span()))
                    .collect()
            } else if let Some(array) = item.as_array() {
                let mut tables = Vec::new();
                for (i, v) in array.iter().enumerate() {
                    match v.as_inline_table() {
                        Some(t) => tables.push((t as &dyn TableLike, v.span())),
                        None => {
                            return Err(self.error(
                                v.span(),
                                &format!("sources[{i}]"),
                                "expected a table",
                            ));
                        }
                    }
                }
                tables
            } else {
                return Err(self.error(
                    item.span(),
                    "sources",
                    "expected [[sources]] tables (or an array of tables)",
                ));
            };
        let mut sources: Vec<SourceConfig> = Vec::new();
        let mut first_seen: HashMap<String, usize> = HashMap::new();
        for (i, (t, span)) in tables.into_iter().enumerate() {
            let path = format!("sources[{i}]");
            let source = self.source(t, span.clone(), &path)?;
            let id_line = t
                .get("id")
                .and_then(Item::span)
                .map_or(0, |s| line_of(self.text, s.start));
            if let Some(line) = first_seen.get(source.id.as_str()) {
                return Err(self.error(
                    t.get("id").and_then(Item::span),
                    &format!("{path}.id"),
                    format!(
                        "duplicate source id {:?} (first defined on line {line})",
                        source.id.as_str()
                    ),
                ));
            }
            first_seen.insert(source.id.as_str().to_owned(), id_line);
            sources.push(source);
        }
        Ok(sources)
    }

    fn source(
        &self,
        t: &dyn TableLike,
        span: Option<Range<usize>>,
        path: &str,
    ) -> Located<SourceConfig> {
        const KEYS: &[&str] = &[
            "id",
            "name",
            "url",
            "full_text",
            "interval",
            "routes",
            "enabled",
            "rules",
            "recheck",
        ];
        self.known_keys(t, path, KEYS)?;
        let required = |key: &str| {
            t.get(key).ok_or_else(|| {
                self.error(
                    span.clone(),
                    &format!("{path}.{key}"),
                    "missing (every source needs an id and a url)",
                )
            })
        };
        let id_item = required("id")?;
        let id_path = format!("{path}.id");
        let id = SourceId::new(self.string(id_item, &id_path)?)
            .map_err(|e| self.error(id_item.span(), &id_path, e))?;
        let url_item = required("url")?;
        let url_path = format!("{path}.url");
        let url = self.string(url_item, &url_path)?.trim().to_owned();
        check_http_url(&url)
            .map_err(|e| self.error(url_item.span(), &url_path, format!("feed {e}")))?;
        let name = match t.get("name") {
            Some(v) => self.string(v, &format!("{path}.name"))?,
            None => default_name(&id),
        };
        let mut source = SourceConfig::new(id, name, url);
        if let Some(v) = t.get("full_text") {
            source.full_text = self.boolean(v, &format!("{path}.full_text"))?;
        }
        if let Some(v) = t.get("enabled") {
            source.enabled = self.boolean(v, &format!("{path}.enabled"))?;
        }
        if let Some(v) = t.get("interval") {
            let minutes = match (v.as_integer(), v.as_str()) {
                (Some(n), _) => u32::try_from(n).ok().filter(|&m| m > 0),
                (_, Some(s)) => parse_interval(s),
                _ => None,
            };
            source.interval_minutes = minutes.ok_or_else(|| {
                self.error(v.span(), &format!("{path}.interval"), INTERVAL_EXPECTED)
            })?;
        }
        if let Some(v) = t.get("routes") {
            let key = format!("{path}.routes");
            for (j, r) in self.strings(v, &key)?.into_iter().enumerate() {
                let (text, span) = r;
                let route =
                    parse_route(&text).map_err(|e| self.error(span, &format!("{key}[{j}]"), e))?;
                source.routes.push(route);
            }
        }
        if let Some(v) = t.get("recheck") {
            // `false` turns re-checks off; a list of durations replaces the default steps.
            let key = format!("{path}.recheck");
            source.recheck_minutes = Some(match v.as_bool() {
                Some(false) => Vec::new(),
                Some(true) => SourceConfig::DEFAULT_RECHECK_MINUTES.to_vec(),
                None => {
                    let mut steps = Vec::new();
                    for (j, (text, span)) in self.strings(v, &key)?.into_iter().enumerate() {
                        let minutes = parse_interval(&text).ok_or_else(|| {
                            self.error(span, &format!("{key}[{j}]"), INTERVAL_EXPECTED)
                        })?;
                        steps.push(minutes);
                    }
                    steps
                }
            });
        }
        if let Some(v) = t.get("rules") {
            source.rules = Some(self.rules(v, &format!("{path}.rules"), source.id.as_str())?);
        }
        Ok(source)
    }

    /// `[sources.rules]`; every selector is compiled as extraction will compile it.
    fn rules(&self, item: &Item, path: &str, source: &str) -> Located<RulesSpec> {
        let t = self.table(item, path)?;
        self.known_keys(t, path, &["hosts", "content", "drop"])?;
        let mut rules = RulesSpec::default();
        for (key, list) in [
            ("hosts", &mut rules.hosts),
            ("content", &mut rules.content),
            ("drop", &mut rules.drop),
        ] {
            let Some(v) = t.get(key) else { continue };
            let key_path = format!("{path}.{key}");
            for (j, (text, span)) in self.strings(v, &key_path)?.into_iter().enumerate() {
                if key != "hosts" {
                    check_selector(source, &text)
                        .map_err(|e| self.error(span, &format!("{key_path}[{j}]"), e))?;
                }
                list.push(text);
            }
        }
        Ok(rules)
    }

    fn known_keys(&self, t: &dyn TableLike, path: &str, known: &[&str]) -> Located<()> {
        for (key, _) in t.iter() {
            if known.contains(&key) {
                continue;
            }
            let key_path = if path.is_empty() {
                key.to_owned()
            } else {
                format!("{path}.{key}")
            };
            let hint = match known.iter().find(|k| close_to(key, k)) {
                Some(k) => format!(" (did you mean `{k}`?)"),
                None => format!(" (known keys here: {})", known.join(", ")),
            };
            return Err(self.error(
                t.key(key).and_then(|k| k.span()),
                &key_path,
                format!("unknown key{hint}"),
            ));
        }
        Ok(())
    }

    fn table<'i>(&self, item: &'i Item, path: &str) -> Located<&'i dyn TableLike> {
        item.as_table_like().ok_or_else(|| {
            self.error(
                item.span(),
                path,
                format!("expected a table, found {}", item.type_name()),
            )
        })
    }

    fn string(&self, item: &Item, path: &str) -> Located<String> {
        item.as_str().map(str::to_owned).ok_or_else(|| {
            self.error(
                item.span(),
                path,
                format!("expected a string, found {}", item.type_name()),
            )
        })
    }

    fn boolean(&self, item: &Item, path: &str) -> Located<bool> {
        item.as_bool().ok_or_else(|| {
            self.error(
                item.span(),
                path,
                format!("expected true or false, found {}", item.type_name()),
            )
        })
    }

    /// An array of strings, each with its span.
    fn strings(&self, item: &Item, path: &str) -> Located<Vec<(String, Option<Range<usize>>)>> {
        let array = item.as_array().ok_or_else(|| {
            self.error(
                item.span(),
                path,
                format!("expected an array of strings, found {}", item.type_name()),
            )
        })?;
        array
            .iter()
            .enumerate()
            .map(|(j, v): (usize, &Value)| {
                v.as_str().map(|s| (s.to_owned(), v.span())).ok_or_else(|| {
                    self.error(
                        v.span(),
                        &format!("{path}[{j}]"),
                        format!("expected a string, found {}", v.type_name()),
                    )
                })
            })
            .collect()
    }
}

/// Compiles `selector` the way extraction will, so that a bad one fails at load time.
fn check_selector(source: &str, selector: &str) -> Result<(), String> {
    let rule = extract::SiteRule {
        name: source.to_owned(),
        hosts: Vec::new(),
        content: vec![selector.to_owned()],
        drop: Vec::new(),
    };
    extract::SiteRules::none()
        .with(vec![rule])
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Whether `typed` is probably a misspelling of `known` (edit distance at most 2).
fn close_to(typed: &str, known: &str) -> bool {
    let a: Vec<char> = typed.to_lowercase().chars().collect();
    let b: Vec<char> = known.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()] <= 2
}
