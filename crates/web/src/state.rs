//! What every handler shares, and the ways a handler reads the index and the search index.
//!
//! Words: the *pool* is a few idle read connections to `index.sqlite`, reused across requests
//! (opening one costs a file open, pragmas and a schema check, too much at thousands of
//! requests a second); the *search index* is `<data>/search/`, opened once per process, read
//! only.

use crate::admin::Admin;
use crate::error::ApiError;
use crate::readiness::{self, SearchCatchUp, SearchReadiness};
use index::search::{Query, SearchResults};
use index::{Index, IndexError, SearchIndex};
use model::SourceConfig;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;
use url::Url;

/// Plain texts of hit records kept for search snippets by default (`[server]
/// search_text_cache_mb`): on a miss, reading, parsing and cleaning the record is about a
/// sixth of a search page's CPU, and a server meets the same hits again and again. Filled only
/// as hits are shown. The texts of the web benchmark's 100,000 articles take about 270 MB, which
/// this holds: a search page took 0.98 and 1.26 ms of CPU against 1.44 and 1.41 ms with 64 MB
/// (two alternating pairs of 20 s runs, each after 20 s of warm-up), at a resident size of
/// 610 against 400 MB.
pub const DEFAULT_SEARCH_TEXT_CACHE_BYTES: usize = 320 * 1024 * 1024;

/// Results of recent searches kept: popular queries (the news of the day) repeat, and a kept
/// result is dropped as soon as the index changes.
const SEARCH_RESULT_CACHE_BYTES: usize = 16 * 1024 * 1024;

/// Stored fields of recent hits kept (about 450 bytes a hit): every hit of a 100,000-article
/// archive fits, and reading them from the doc store was about 9 % of a search page's CPU.
const SEARCH_DOC_CACHE_BYTES: usize = 48 * 1024 * 1024;

/// Searches run at once per core; the others wait their turn. Two, not one: while a search that
/// ended hands its core to the next (a wake-up, the HTTP work of both), the other one runs. On
/// 2 cores with 32 clients of distinct searches (scripts/bench-web.sh), 4 at once served about
/// as many searches a second as no limit and halved the slowest percent's time (p99 51-63 ms
/// against 94-102 ms); 2 at once lost a fifth of the throughput, 8 kept p99 near 70 ms.
const SEARCHES_PER_CORE: usize = 2;

/// Idle read connections kept for reuse; more may be open at once under load (each request on
/// a blocking thread takes one), but only this many are kept afterwards.
const POOL_IDLE: usize = 16;

/// The server's shared state: cheap to clone (a few `Arc`s), handed to every handler.
///
/// The source list sits behind a lock the caller may keep a handle to
/// ([`WebState::sources_handle`]), so a daemon that reloads its configuration (or an admin
/// adding a source) updates what the server reports without restarting it.
#[derive(Clone)]
pub struct WebState {
    inner: Arc<Inner>,
    admin: Option<AdminAccess>,
    base_url: Option<Arc<Url>>,
    /// Bytes of record texts the search index keeps for snippets.
    search_text_cache: usize,
    /// A search-index catch-up running beside the server, if any, and how long a search
    /// waits for it before answering 503.
    search_ready: Option<(tokio::sync::watch::Receiver<SearchReadiness>, Duration)>,
}

/// The admin actions and the token that unlocks them.
#[derive(Clone)]
pub(crate) struct AdminAccess {
    pub(crate) token: Arc<str>,
    pub(crate) actions: Arc<dyn Admin>,
}

struct Inner {
    data_dir: PathBuf,
    sources: Arc<RwLock<Vec<SourceConfig>>>,
    started: Instant,
    pool: Mutex<Vec<Index>>,
    search: OnceCell<Arc<SearchIndex>>,
    /// [`SEARCHES_PER_CORE`] searches per core at a time (see [`WebState::search`]).
    search_slots: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for WebState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The admin token is a secret: only whether admin is on is shown.
        f.debug_struct("WebState")
            .field("data_dir", &self.inner.data_dir)
            .field("admin", &self.admin.is_some())
            .field("base_url", &self.base_url.as_deref().map(Url::as_str))
            .finish_non_exhaustive()
    }
}

impl WebState {
    /// State for the data directory `data_dir` with the configured `sources`; the uptime clock
    /// starts now. Admin is off and links are made absolute from each request's `Host`.
    pub fn new(data_dir: impl Into<PathBuf>, sources: Vec<SourceConfig>) -> WebState {
        WebState::with_shared_sources(data_dir, Arc::new(RwLock::new(sources)))
    }

    /// Like [`WebState::new`], with a source list the caller keeps and may replace later.
    pub fn with_shared_sources(
        data_dir: impl Into<PathBuf>,
        sources: Arc<RwLock<Vec<SourceConfig>>>,
    ) -> WebState {
        WebState {
            inner: Arc::new(Inner {
                data_dir: data_dir.into(),
                sources,
                started: Instant::now(),
                pool: Mutex::new(Vec::new()),
                search: OnceCell::new(),
                search_slots: Arc::new(tokio::sync::Semaphore::new(
                    SEARCHES_PER_CORE * std::thread::available_parallelism().map_or(1, |n| n.get()),
                )),
            }),
            admin: None,
            base_url: None,
            search_text_cache: DEFAULT_SEARCH_TEXT_CACHE_BYTES,
            search_ready: None,
        }
    }

    /// Turns admin on: requests with `Authorization: Bearer <token>` may run `actions`. An
    /// empty token leaves admin off (a token nobody can guess is the only protection).
    pub fn with_admin(mut self, token: impl Into<String>, actions: Arc<dyn Admin>) -> WebState {
        let token = token.into();
        self.admin = (!token.is_empty()).then(|| AdminAccess {
            token: token.into(),
            actions,
        });
        self
    }

    /// The public address of the server (`[server] base_url`), used for absolute links in
    /// feeds instead of the request's `Host` (behind a reverse proxy, or to pin one name).
    pub fn with_base_url(mut self, base: Url) -> WebState {
        self.base_url = Some(Arc::new(base));
        self
    }

    /// Keeps up to `bytes` of record texts for search snippets (see
    /// [`DEFAULT_SEARCH_TEXT_CACHE_BYTES`]); 0 keeps none. Takes effect when the search index
    /// is first opened.
    pub fn with_search_text_cache(mut self, bytes: usize) -> WebState {
        self.search_text_cache = bytes;
        self
    }

    /// Serves while `catch_up` brings the search index up to date: a search waits up to `wait`
    /// for it ([`crate::SEARCH_WAIT`] in the daemon), then answers 503 with its progress until
    /// it is ready (see `readiness.rs`).
    pub fn with_search_catch_up(mut self, catch_up: &SearchCatchUp, wait: Duration) -> WebState {
        self.search_ready = Some((catch_up.watch(), wait));
        self
    }

    /// Where the search index's catch-up is: ready when there is none, or when it went away
    /// without saying so (as searches treat it, `readiness::settle`).
    pub(crate) fn search_readiness(&self) -> SearchReadiness {
        match &self.search_ready {
            Some((rx, _)) if rx.has_changed().is_ok() => *rx.borrow(),
            _ => SearchReadiness::Ready,
        }
    }

    /// The data directory the server reads.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// The shared source list (write to it to change what the server reports).
    pub fn sources_handle(&self) -> Arc<RwLock<Vec<SourceConfig>>> {
        Arc::clone(&self.inner.sources)
    }

    /// A copy of the configured sources, in configuration order.
    pub fn sources(&self) -> Vec<SourceConfig> {
        // A writer that panicked mid-update left a whole list behind (replacing a Vec is one
        // move), so a poisoned lock still holds usable data.
        match self.inner.sources.read() {
            Ok(list) => list.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Seconds since the state was created (the server's uptime).
    pub fn uptime_s(&self) -> u64 {
        self.inner.started.elapsed().as_secs()
    }

    /// The configured public address, if any.
    pub(crate) fn base_url(&self) -> Option<&Url> {
        self.base_url.as_deref()
    }

    /// The admin actions and their token, when admin is on.
    pub(crate) fn admin(&self) -> Option<&AdminAccess> {
        self.admin.as_ref()
    }

    /// Runs `read` on a read connection to the index (from the pool, or a new one), on a
    /// blocking thread.
    ///
    /// A connection that cannot be opened is [`ApiError::IndexUnavailable`] (503); an error
    /// from `read` itself is [`ApiError::Index`] (500), and that connection is not reused.
    pub(crate) async fn read_index<T, F>(&self, read: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Index) -> Result<T, IndexError> + Send + 'static,
    {
        self.read_with(move |index, _| read(index).map_err(ApiError::Index))
            .await
    }

    /// Like [`WebState::read_index`], for reads that also fail in the web's own terms (a
    /// missing article, an unreadable record): `read` gets the index and the data directory
    /// and returns an [`ApiError`] (an [`IndexError`] converts with `?`, as a 500).
    pub(crate) async fn read_with<T, F>(&self, read: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Index, &Path) -> Result<T, ApiError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let index = match inner.take_connection() {
                Some(index) => index,
                None => Index::open(&inner.data_dir).map_err(ApiError::IndexUnavailable)?,
            };
            let result = read(&index, &inner.data_dir);
            if !matches!(result, Err(ApiError::Index(_))) {
                inner.return_connection(index);
            }
            result
        })
        .await
        .map_err(|e| ApiError::Internal(format!("an index read did not finish: {e}")))?
    }

    /// Runs `q` on the search index, on a blocking thread.
    ///
    /// The index is opened on first use and kept. It is opened only when `search/meta.json`
    /// exists, because opening a missing index would create one (this server must not write
    /// it: the daemon's ingest does); until then a search is [`ApiError::Unavailable`] (503).
    /// A query the language does not accept is [`ApiError::BadRequest`] with the parser's
    /// message.
    pub(crate) async fn search(&self, q: Query) -> Result<SearchResults, ApiError> {
        if let Some((rx, wait)) = &self.search_ready {
            let now = readiness::settle(rx, *wait).await;
            if now != SearchReadiness::Ready {
                return Err(ApiError::CatchingUp(now));
            }
        }
        let index = self.search_index().await?;
        // A kept result needs no core. The others queue for a slot, first come first served
        // ([`SEARCHES_PER_CORE`]): run all at once, a few costly searches would share the
        // cores with every cheap one and each take many times its own time.
        if let Some(kept) = index.cached(&q) {
            return Ok(kept);
        }
        let slot = Arc::clone(&self.inner.search_slots)
            .acquire_owned()
            .await
            .map_err(|e| ApiError::Internal(format!("no search slot: {e}")))?;
        tokio::task::spawn_blocking(move || {
            // Held until the search ends, even if the request goes away meanwhile.
            let _slot = slot;
            index.search(&q)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("a search did not finish: {e}")))?
        .map_err(ApiError::from_search)
    }

    async fn search_index(&self) -> Result<Arc<SearchIndex>, ApiError> {
        let data_dir = self.inner.data_dir.clone();
        let text_cache = self.search_text_cache;
        self.inner
            .search
            .get_or_try_init(|| async move {
                let dir = data_dir.join(index::search::SEARCH_DIR);
                if !dir.join("meta.json").is_file() {
                    return Err(ApiError::Unavailable(format!(
                        "there is no search index at {} yet: run `newsvault reindex`, or let \
                         `newsvault run`/`fetch` archive something",
                        dir.display()
                    )));
                }
                tokio::task::spawn_blocking(move || {
                    // Read-only: the server never creates, wipes or writes `search/`; the
                    // writing process (`run`, `reindex`) owns it.
                    let mut index = SearchIndex::open_read_only(&data_dir)?;
                    index.cache_texts(text_cache);
                    index.cache_results(SEARCH_RESULT_CACHE_BYTES);
                    index.cache_docs(SEARCH_DOC_CACHE_BYTES);
                    Ok::<_, index::search::SearchError>(index)
                })
                .await
                .map_err(|e| {
                    ApiError::Internal(format!("opening the search index did not finish: {e}"))
                })?
                .map(Arc::new)
                .map_err(|e| {
                    ApiError::Unavailable(format!("the search index cannot be opened: {e}"))
                })
            })
            .await
            .cloned()
    }
}

impl Inner {
    fn take_connection(&self) -> Option<Index> {
        match self.pool.lock() {
            Ok(mut pool) => pool.pop(),
            Err(poisoned) => poisoned.into_inner().pop(),
        }
    }

    fn return_connection(&self, index: Index) {
        let mut pool = match self.pool.lock() {
            Ok(pool) => pool,
            Err(poisoned) => poisoned.into_inner(),
        };
        if pool.len() < POOL_IDLE && index.in_autocommit() {
            pool.push(index);
        }
    }
}
