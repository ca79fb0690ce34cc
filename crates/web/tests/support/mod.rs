//! A data directory that web tests fill with articles, events and images, then serve.
//!
//! [`Fixture::add`] stages a version (the first add of a URL is `new`, each later add of the
//! same URL is the next version, `edited`); [`Fixture::event`] stages an observation without a
//! record (`gone`, `back`, `moved`, ...); [`Fixture::asset`] archives an image. Nothing is
//! visible until [`Fixture::state`] commits, brings `index.sqlite` and `search/` up to date
//! and returns a [`WebState`] for the directory. More can be added after that and `state`
//! called again.
//!
//! Everything is deterministic (capture times are one second apart from a fixed epoch, WARC
//! record ids count up), so rendered pages can be snapshot-tested. Texts are written by the
//! tests themselves.
#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the fixture"
)]

use archive::{Archive, StagedVersion, Writer};
use index::{ArticleCheck, Index, SearchIndex};
use model::{ArticleKey, Capture, EventKind, SourceConfig, SourceId};
use newsvault_web::WebState;
use std::collections::BTreeMap;
use std::path::Path;
use tempfile::TempDir;

pub(crate) mod world;

/// Capture times start here (2023-11-14T22:13:20Z) and advance one second per observation.
pub(crate) const EPOCH_S: u64 = 1_700_000_000;

/// What the fixture remembers of one article.
#[derive(Clone, Debug)]
struct Article {
    source: String,
    url: String,
    versions: u32,
    first_seen: String,
    /// `live`, or the takedown class of the last event.
    state: String,
}

/// A data directory being filled by a test.
pub(crate) struct Fixture {
    /// The temporary data directory (deleted when the fixture is dropped).
    pub(crate) tmp: TempDir,
    archive: Archive,
    writer: Writer,
    articles: BTreeMap<String, Article>,
    seconds: u64,
    warc_ids: u64,
}

impl Default for Fixture {
    fn default() -> Self {
        Fixture::new()
    }
}

impl Fixture {
    /// An empty data directory with the archive writer open.
    pub(crate) fn new() -> Fixture {
        let tmp = tempfile::tempdir().expect("a temporary directory");
        let archive = Archive::open(tmp.path()).expect("open the archive");
        let writer = archive.writer().expect("the archive writer");
        Fixture {
            tmp,
            archive,
            writer,
            articles: BTreeMap::new(),
            seconds: 0,
            warc_ids: 0,
        }
    }

    /// The data directory.
    pub(crate) fn data_dir(&self) -> &Path {
        self.tmp.path()
    }

    /// The next capture time, RFC 3339 UTC with milliseconds.
    fn tick(&mut self) -> String {
        self.seconds += 1;
        rfc3339(EPOCH_S + self.seconds)
    }

    fn capture(&mut self, source: &str, url: &str, version: u32, event: EventKind) -> Capture {
        Capture {
            seq: 0,
            time: self.tick(),
            source: SourceId::new(source).expect("a valid source id"),
            key: ArticleKey::for_url(url),
            version,
            url: url.into(),
            event,
            status: None,
            final_url: None,
            path: None,
            record_sha256: None,
            body_sha256: None,
            warc_record_id: None,
            via: None,
            origin: None,
            note: None,
            byline: None,
            prev: String::new(),
        }
    }

    /// Stages the next version of the article at `url` (version 1 is `new`, later ones
    /// `edited`) from a record written from the parts; returns the article key.
    pub(crate) fn add(
        &mut self,
        source: &str,
        url: &str,
        title: &str,
        body_html: &str,
        published_ms: i64,
    ) -> String {
        let rec = record::Record::compat(published_ms, title, url, body_html);
        self.add_bytes(source, url, record::write(&rec))
    }

    /// Like [`Fixture::add`], with the record file's bytes as given.
    pub(crate) fn add_bytes(&mut self, source: &str, url: &str, bytes: Vec<u8>) -> String {
        let key = ArticleKey::for_url(url);
        let parsed = record::parse(&bytes, url).expect("a valid record").record;
        let version = self.articles.get(key.as_str()).map_or(0, |a| a.versions) + 1;
        let event = if version == 1 {
            EventKind::New
        } else {
            EventKind::Edited
        };
        let sid = SourceId::new(source).expect("a valid source id");
        let dir = Archive::article_dir(&sid, &key, parsed.published_ms.unwrap_or(0));
        let mut capture = self.capture(source, url, version, event);
        self.warc_ids += 1;
        capture.status = Some(200);
        capture.via = Some("direct".into());
        capture.body_sha256 = Some(model::sha256_hex(parsed.body.as_bytes()));
        capture.warc_record_id = Some(format!(
            "<urn:uuid:00000000-0000-4000-8000-{:012}>",
            self.warc_ids
        ));
        let time = capture.time.clone();
        self.writer
            .stage(
                capture,
                Some(StagedVersion {
                    dir: &dir,
                    version,
                    bytes,
                    sha256: None,
                }),
            )
            .expect("stage a version");
        let entry = self
            .articles
            .entry(key.to_string())
            .or_insert_with(|| Article {
                source: source.to_owned(),
                url: url.to_owned(),
                versions: 0,
                first_seen: time,
                state: "live".into(),
            });
        entry.versions = version;
        key.to_string()
    }

    /// Stages an observation without a record (`gone`, `back`, `moved`, `unchanged`, ...) of
    /// the article at `url`, with the status a re-check would have seen.
    pub(crate) fn event(&mut self, source: &str, url: &str, kind: EventKind) {
        let status = match kind {
            EventKind::Gone => Some(404),
            EventKind::Blocked => Some(451),
            EventKind::Moved | EventKind::RedirectedHome => Some(301),
            EventKind::Error => None,
            _ => Some(200),
        };
        self.event_with(source, url, kind, status, None, None);
    }

    /// [`Fixture::event`] with every detail given.
    pub(crate) fn event_with(
        &mut self,
        source: &str,
        url: &str,
        kind: EventKind,
        status: Option<u16>,
        final_url: Option<&str>,
        note: Option<&str>,
    ) {
        let key = ArticleKey::for_url(url);
        let version = self.articles.get(key.as_str()).map_or(0, |a| a.versions);
        let mut capture = self.capture(source, url, version, kind);
        capture.status = status;
        capture.final_url = final_url.map(str::to_owned);
        capture.note = note.map(str::to_owned);
        self.writer.stage(capture, None).expect("stage an event");
        if let Some(article) = self.articles.get_mut(key.as_str()) {
            if kind.is_takedown() {
                article.state = kind.as_str().to_owned();
            } else if kind == EventKind::Back {
                article.state = "live".into();
            }
        }
    }

    /// Archives `bytes` as the image fetched from `url`; returns its path relative to the
    /// data directory (`assets/ab/ab12….png`).
    pub(crate) fn asset(&mut self, url: &str, bytes: &[u8], mime: &str) -> String {
        let fetched = self.tick();
        self.writer
            .store_asset(url, bytes, Some(mime), &fetched)
            .expect("store an asset")
            .path
    }

    /// Commits what was staged, brings `index.sqlite` (rows, asset map, re-check states) and
    /// `search/` up to date, and returns the state a server for this directory starts with.
    pub(crate) fn state(&mut self, sources: Vec<SourceConfig>) -> WebState {
        self.writer.commit().expect("commit");
        let data = self.tmp.path();
        let mut index = Index::open(data).expect("open the index");
        index.sync(&self.archive).expect("sync the index");
        index
            .sync_assets(&self.archive)
            .expect("sync the asset map");
        for (key, a) in &self.articles {
            // What a re-check would have recorded: listings read gone-ness from here.
            index
                .update_article_check(&ArticleCheck {
                    key: key.clone(),
                    source: a.source.clone(),
                    url: a.url.clone(),
                    first_seen: a.first_seen.clone(),
                    state: a.state.clone(),
                    ..ArticleCheck::default()
                })
                .expect("record the article's state");
        }
        let mut search = SearchIndex::open(data).expect("open the search index");
        search.sync(&self.archive).expect("sync the search index");
        drop(search);
        WebState::new(data, sources)
    }
}

/// A configured source with a local, unreachable feed URL.
pub(crate) fn source(id: &str, name: &str) -> SourceConfig {
    SourceConfig::new(
        SourceId::new(id).expect("a valid source id"),
        name,
        format!("http://127.0.0.1:9/{id}.xml"),
    )
}

/// A response read whole.
pub(crate) struct Got {
    /// Its status.
    pub(crate) status: axum::http::StatusCode,
    /// Its headers.
    pub(crate) headers: axum::http::HeaderMap,
    /// Its body as text (invalid UTF-8 replaced).
    pub(crate) body: String,
    /// Its body as sent.
    pub(crate) bytes: Vec<u8>,
}

impl Got {
    /// The `Content-Type` header ("" when absent).
    pub(crate) fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// `GET path` (with `cookie` when given) on the whole router, in-process.
pub(crate) async fn get(state: &WebState, path: &str, cookie: Option<&str>) -> Got {
    use tower::ServiceExt;
    let mut request = axum::http::Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = newsvault_web::router(state.clone())
        .oneshot(request.body(axum::body::Body::empty()).expect("a request"))
        .await
        .expect("the router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("a body");
    Got {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes: bytes.to_vec(),
    }
}

/// RFC 3339 UTC with milliseconds for epoch seconds.
pub(crate) fn rfc3339(secs: u64) -> String {
    chrono::DateTime::from_timestamp(secs as i64, 0)
        .expect("a time in range")
        .format("%Y-%m-%dT%H:%M:%S.000Z")
        .to_string()
}
