//! [`Fetcher`]: one polite HTTP client for everything newsvault fetches.
//!
//! Call order inside [`Fetcher::fetch`]: for each route in order → up to `max_attempts`
//! attempts → follow redirects by hand (each hop is an exchange of its own, kept for WARC) →
//! each hop waits for its host's permit, sends a conditional GET, streams the raw body under
//! the cap, then decodes it under the cap. Retryable answers (429, 5xx, timeouts, connection
//! errors) wait `Retry-After` or a jittered backoff; anything else is final.

use crate::decode::{DecodeError, decode};
use crate::politeness::HostLimits;
use crate::retry::{backoff, jitter, retry_after, retryable_status};
use crate::{FetchError, Validators};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use url::Url;

/// How the fetcher behaves; [`FetchConfig::default`] is polite.
#[derive(Clone, Debug)]
pub struct FetchConfig {
    /// Sent with every request.
    pub user_agent: String,
    /// Time allowed to establish a connection.
    pub connect_timeout: Duration,
    /// Time allowed for one exchange, from connecting to the last body byte.
    pub total_timeout: Duration,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// Largest body accepted, raw and decoded.
    pub max_body: u64,
    /// Requests in flight per host.
    pub per_host_concurrency: usize,
    /// Minimum time between request starts per host.
    pub min_interval: Duration,
    /// Attempts per route for retryable failures (1 = no retry).
    pub max_attempts: u32,
    /// First backoff step; doubles each attempt, jittered.
    pub backoff_base: Duration,
    /// Longest single wait, for backoff and for `Retry-After` inside one fetch. A longer
    /// `Retry-After` defers the host and ends the fetch with [`FetchError::Deferred`].
    pub max_wait: Duration,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: crate::DEFAULT_USER_AGENT.to_owned(),
            connect_timeout: Duration::from_secs(15),
            total_timeout: Duration::from_secs(60),
            max_redirects: crate::DEFAULT_MAX_REDIRECTS,
            max_body: crate::DEFAULT_MAX_BODY,
            per_host_concurrency: crate::DEFAULT_PER_HOST_CONCURRENCY,
            min_interval: crate::DEFAULT_MIN_INTERVAL,
            max_attempts: 3,
            backoff_base: Duration::from_secs(1),
            max_wait: Duration::from_secs(60),
        }
    }
}

/// One way to reach a URL.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    /// Straight to the origin.
    Direct,
    /// Through an HTTP(S) or SOCKS5 proxy, e.g. `socks5h://127.0.0.1:1080`.
    Proxy(String),
    /// The same path and query on a mirror, e.g. `https://mirror.example/rfi`.
    Mirror(String),
}

impl Route {
    /// How captures name the route: `direct`, `proxy:<url>`, `mirror:<url>`.
    pub fn label(&self) -> String {
        match self {
            Route::Direct => "direct".to_owned(),
            Route::Proxy(p) => format!("proxy:{p}"),
            Route::Mirror(m) => format!("mirror:{m}"),
        }
    }
}

/// What to fetch.
#[derive(Clone, Debug)]
pub struct Request {
    /// The URL.
    pub url: String,
    /// Validators from the last response, for a conditional GET.
    pub validators: Validators,
    /// Routes to try in order; empty means [`Route::Direct`].
    pub routes: Vec<Route>,
}

impl Request {
    /// A plain GET of `url`.
    pub fn get(url: impl Into<String>) -> Request {
        Request {
            url: url.into(),
            validators: Validators::default(),
            routes: Vec::new(),
        }
    }
}

/// One HTTP exchange as it crossed the wire (what WARC keeps).
#[derive(Clone, Debug)]
pub struct Hop {
    /// The URL requested.
    pub url: String,
    /// When the request started.
    pub started: DateTime<Utc>,
    /// Request headers sent (lower-case names).
    pub request_headers: Vec<(String, String)>,
    /// `HTTP/1.1`, `HTTP/2.0`.
    pub version: String,
    /// Response status.
    pub status: u16,
    /// Response headers (lower-case names, in order).
    pub headers: Vec<(String, String)>,
    /// The body exactly as received (still compressed if it was).
    pub raw_body: Vec<u8>,
}

/// The outcome of a successful fetch: the last exchange, decoded, plus every hop.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// The URL asked for.
    pub url: String,
    /// The URL that answered, after redirects (on a mirror route, the mirror's URL).
    pub final_url: String,
    /// Final status (200, 304, 404, ...).
    pub status: u16,
    /// Final response headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// Final body, decompressed.
    pub body: Vec<u8>,
    /// Every exchange in order, redirects first; the last is the final one.
    pub hops: Vec<Hop>,
    /// The route that produced it.
    pub route: Route,
}

impl Exchange {
    /// 304: the validators matched, nothing changed.
    pub fn not_modified(&self) -> bool {
        self.status == 304
    }

    /// A response header by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The character set of the body: BOM, header charset, XML declaration, `<meta>`, else
    /// UTF-8 (see [`charset::detect`](crate::charset::detect)).
    pub fn charset(&self) -> &'static encoding_rs::Encoding {
        crate::charset::detect(self.header("content-type"), &self.body)
    }

    /// The body as text in its [`charset`](Self::charset), without a BOM; invalid bytes become
    /// U+FFFD.
    pub fn text(&self) -> String {
        self.charset()
            .decode_with_bom_removal(&self.body)
            .0
            .into_owned()
    }
}

/// The polite HTTP client. Cheap to share (`Arc`); limits are per host across all its users.
#[derive(Debug)]
pub struct Fetcher {
    config: FetchConfig,
    clients: Mutex<HashMap<Route, reqwest::Client>>,
    limits: HostLimits,
}

impl Fetcher {
    /// A fetcher with `config`.
    pub fn new(config: FetchConfig) -> Fetcher {
        // reqwest is built without a default crypto provider (STACK.md pitfall 1); installing
        // twice is harmless, so every constructor does it.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let limits = HostLimits::new(config.per_host_concurrency, config.min_interval);
        Fetcher {
            config,
            clients: Mutex::new(HashMap::new()),
            limits,
        }
    }

    /// The per-host limits (to inspect deferrals).
    pub fn limits(&self) -> &HostLimits {
        &self.limits
    }

    fn client(&self, route: &Route, url: &str) -> Result<reqwest::Client, FetchError> {
        let mut clients = self.clients.lock().expect("client table lock");
        if let Some(c) = clients.get(route) {
            return Ok(c.clone());
        }
        let mut builder = reqwest::Client::builder()
            .user_agent(&self.config.user_agent)
            .connect_timeout(self.config.connect_timeout)
            .timeout(self.config.total_timeout)
            .redirect(reqwest::redirect::Policy::none());
        if let Route::Proxy(proxy) = route {
            let p = reqwest::Proxy::all(proxy).map_err(|e| FetchError::Connect {
                url: url.to_owned(),
                message: format!("bad proxy {proxy:?}: {e}"),
            })?;
            builder = builder.proxy(p);
        } else {
            builder = builder.no_proxy();
        }
        let client = builder.build().map_err(|e| FetchError::Connect {
            url: url.to_owned(),
            message: format!("cannot build the HTTP client: {e}"),
        })?;
        clients.insert(route.clone(), client.clone());
        Ok(client)
    }

    /// Fetches `request`, trying its routes in order.
    pub async fn fetch(&self, request: &Request) -> Result<Exchange, FetchError> {
        let direct = [Route::Direct];
        let routes: &[Route] = if request.routes.is_empty() {
            &direct
        } else {
            &request.routes
        };
        let mut errors = Vec::new();
        for route in routes {
            match self.fetch_via(route, request).await {
                Ok(exchange) => return Ok(exchange),
                Err(e) if routes.len() == 1 => return Err(e),
                Err(e) => {
                    tracing::debug!(url = %request.url, route = %route.label(), error = %e, "route failed");
                    errors.push(format!("{}: {e}", route.label()));
                }
            }
        }
        Err(FetchError::AllRoutesFailed {
            url: request.url.clone(),
            errors,
        })
    }

    async fn fetch_via(&self, route: &Route, request: &Request) -> Result<Exchange, FetchError> {
        let url = route_url(route, &request.url)?;
        let client = self.client(route, &request.url)?;
        let attempts = self.config.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self.follow(&client, &url, &request.validators).await;
            let wait = match &result {
                Ok(x) if retryable_status(x.status) => {
                    let host = host_of(&x.final_url);
                    let asked = x
                        .header("retry-after")
                        .and_then(|v| retry_after(v, std::time::SystemTime::now()));
                    if let Some(asked) = asked {
                        // Honoured for every source on this host, not just this request.
                        self.limits
                            .defer(&host, tokio::time::Instant::now() + asked)
                            .await;
                        if asked > self.config.max_wait {
                            let until =
                                Utc::now() + chrono::Duration::from_std(asked).unwrap_or_default();
                            return Err(FetchError::Deferred {
                                url: request.url.clone(),
                                until: until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                            });
                        }
                    }
                    if attempt >= attempts {
                        return Err(FetchError::Status {
                            url: request.url.clone(),
                            status: x.status,
                            attempts: attempt,
                        });
                    }
                    // The host permit already enforces a Retry-After deferral.
                    asked.map_or_else(|| self.backoff(attempt), |_| Duration::ZERO)
                }
                Err(e) if e.is_retryable() && attempt < attempts => self.backoff(attempt),
                _ => {
                    return result.map(|mut x| {
                        x.url = request.url.clone();
                        x.route = route.clone();
                        x
                    });
                }
            };
            tracing::debug!(url = %request.url, attempt, ?wait, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        backoff(
            self.config.backoff_base,
            attempt - 1,
            self.config.max_wait,
            jitter(),
        )
    }

    /// One GET with redirects followed by hand, so that every hop is kept.
    async fn follow(
        &self,
        client: &reqwest::Client,
        url: &Url,
        validators: &Validators,
    ) -> Result<Exchange, FetchError> {
        let mut hops: Vec<Hop> = Vec::new();
        let mut current = url.clone();
        let mut seen = vec![current.to_string()];
        loop {
            // Validators belong to the URL they came from: only the first hop is conditional.
            let conditional = if hops.is_empty() {
                Some(validators)
            } else {
                None
            };
            let hop = self.exchange(client, &current, conditional).await?;
            let location = (300..400)
                .contains(&hop.status)
                .then(|| {
                    hop.headers
                        .iter()
                        .find(|(k, _)| k == "location")
                        .map(|(_, v)| v.clone())
                })
                .flatten();
            hops.push(hop);
            let Some(location) = location.filter(|_| hops.last().is_some_and(|h| h.status != 304))
            else {
                break;
            };
            let next = current.join(&location).map_err(|_| FetchError::BadUrl {
                url: location.clone(),
            })?;
            if hops.len() > self.config.max_redirects || seen.contains(&next.to_string()) {
                return Err(FetchError::TooManyRedirects {
                    url: url.to_string(),
                    count: hops.len(),
                    last: next.to_string(),
                });
            }
            seen.push(next.to_string());
            current = next;
        }
        let last = hops.last().expect("at least one hop").clone();
        let encoding = last
            .headers
            .iter()
            .find(|(k, _)| k == "content-encoding")
            .map(|(_, v)| v.as_str());
        let body =
            decode(last.raw_body.clone(), encoding, self.config.max_body).map_err(|e| match e {
                DecodeError::TooLarge => FetchError::TooLarge {
                    url: last.url.clone(),
                    limit: self.config.max_body,
                },
                DecodeError::Invalid(message) => FetchError::Decode {
                    url: last.url.clone(),
                    encoding: encoding.unwrap_or_default().to_owned(),
                    message,
                },
            })?;
        Ok(Exchange {
            url: url.to_string(),
            final_url: last.url.clone(),
            status: last.status,
            headers: last.headers.clone(),
            body,
            hops,
            route: Route::Direct,
        })
    }

    /// One request and its raw response, within the host's limits.
    async fn exchange(
        &self,
        client: &reqwest::Client,
        url: &Url,
        validators: Option<&Validators>,
    ) -> Result<Hop, FetchError> {
        let host = url.host_str().unwrap_or_default().to_owned();
        let _permit = self.limits.acquire(&host).await;
        let mut request_headers = vec![
            (
                "host".to_owned(),
                url.host_str().unwrap_or_default().to_owned(),
            ),
            ("user-agent".to_owned(), self.config.user_agent.clone()),
            ("accept".to_owned(), "*/*".to_owned()),
            ("accept-encoding".to_owned(), "gzip, deflate, br".to_owned()),
        ];
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                request_headers.push(("if-none-match".to_owned(), etag.clone()));
            }
            if let Some(lm) = &v.last_modified {
                request_headers.push(("if-modified-since".to_owned(), lm.clone()));
            }
        }
        let mut builder = client.get(url.clone());
        for (k, v) in request_headers
            .iter()
            .filter(|(k, _)| k != "host" && k != "user-agent")
        {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let started = Utc::now();
        let response = builder
            .send()
            .await
            .map_err(|e| self.transport_error(url, &e))?;
        let status = response.status().as_u16();
        let version = format!("{:?}", response.version());
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        if let Some(len) = response.content_length()
            && len > self.config.max_body
        {
            return Err(FetchError::TooLarge {
                url: url.to_string(),
                limit: self.config.max_body,
            });
        }
        let mut raw_body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.transport_error(url, &e))?;
            if raw_body.len() as u64 + chunk.len() as u64 > self.config.max_body {
                return Err(FetchError::TooLarge {
                    url: url.to_string(),
                    limit: self.config.max_body,
                });
            }
            raw_body.extend_from_slice(&chunk);
        }
        Ok(Hop {
            url: url.to_string(),
            started,
            request_headers,
            version,
            status,
            headers,
            raw_body,
        })
    }

    fn transport_error(&self, url: &Url, e: &reqwest::Error) -> FetchError {
        if e.is_timeout() {
            FetchError::Timeout {
                url: url.to_string(),
                after: self.config.total_timeout,
            }
        } else {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                message = format!("{message}: {s}");
                source = s.source();
            }
            FetchError::Connect {
                url: url.to_string(),
                message,
            }
        }
    }
}

/// The URL to request on `route`: the original, or its path and query on a mirror.
fn route_url(route: &Route, url: &str) -> Result<Url, FetchError> {
    let bad = || FetchError::BadUrl {
        url: url.to_owned(),
    };
    let parsed = Url::parse(url).map_err(|_| bad())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad());
    }
    match route {
        Route::Mirror(base) => {
            let mut target = format!("{}{}", base.trim_end_matches('/'), parsed.path());
            if let Some(q) = parsed.query() {
                target.push('?');
                target.push_str(q);
            }
            Url::parse(&target).map_err(|_| FetchError::BadUrl { url: target })
        }
        _ => Ok(parsed),
    }
}

fn host_of(url: &str) -> String {
    Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrors_keep_path_and_query() {
        let u = route_url(
            &Route::Mirror("https://mirror.example/rfi/".into()),
            "https://www.rfi.fr/cn/a?b=1",
        )
        .unwrap();
        assert_eq!(u.as_str(), "https://mirror.example/rfi/cn/a?b=1");
        assert!(route_url(&Route::Direct, "ftp://x/").is_err());
        assert_eq!(
            Route::Proxy("socks5h://127.0.0.1:1080".into()).label(),
            "proxy:socks5h://127.0.0.1:1080"
        );
    }
}
