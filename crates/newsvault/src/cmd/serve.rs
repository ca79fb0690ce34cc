//! `newsvault serve [--listen ADDR]`: the web reader and JSON API, without fetching.
//!
//! The address is `--listen`, else `[server] listen` in the configuration, else
//! [`config::DEFAULT_LISTEN`]. The sources reported are the configuration's; with no
//! configuration file (and no `--config`), the archive's folders, without feed URLs, so a data
//! directory that was only imported into can still be served.
//!
//! With `[server] admin_token` set, the API's admin routes are on: adding and removing sources
//! edit the configuration file ([`WebAdmin`], shared with `run`); refreshing answers 503 here,
//! since `serve` has no fetcher.
//!
//! The configuration's sources are live ([`LiveSources`]): admin edits show at once, and a hand
//! edit of the file shows after a SIGHUP (`kill -HUP PID`). Without SIGHUP a hand edit shows at
//! the next admin edit (which reads the file as it is) or restart. `[server]` and `[fetch]`
//! are read at start only.

use crate::cli::ServeArgs;
use crate::config::{self, Config, LiveSources};
use crate::{data, signals};
use anyhow::Context;
use ingest::Ingest;
use model::{SourceConfig, SourceId};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use web::{Admin, AdminError, AdminFuture, RefreshSummary};

pub(crate) fn run(data: &Path, config_file: Option<&Path>, args: &ServeArgs) -> anyhow::Result<u8> {
    let path = config::path(data, config_file);
    let config = if config_file.is_some() || path.exists() {
        Some(Config::load(&path)?)
    } else {
        None
    };
    let archive = data::open_archive(data)?;
    // Catch the index up with the archive once, so counts are current. A failure still serves:
    // health then shows what the index holds, or answers 503 if it cannot be opened.
    if let Err(e) = data::open_index(data, &archive) {
        tracing::warn!(
            error = format!("{e:#}"),
            "serving an index that is not up to date"
        );
    }
    let (catch_up, _) = catch_up_search(data, &archive);
    let listen = args.listen.clone().unwrap_or_else(|| match &config {
        Some(config) => config.server.listen.clone(),
        None => config::DEFAULT_LISTEN.to_owned(),
    });
    // With a configuration, its sources follow the file on SIGHUP.
    let live = config
        .as_ref()
        .map(|config| LiveSources::new(&path, config.sources.clone()));
    let state = match (&config, &live) {
        (Some(config), Some(live)) => web_state(data, live, config, None),
        _ => web::WebState::new(data, archive_sources(&archive)?),
    }
    .with_search_catch_up(&catch_up, web::SEARCH_WAIT);
    drop(catch_up);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let addr = listener
            .local_addr()
            .with_context(|| format!("cannot read the address bound for {listen}"))?;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let reload = live.as_ref().map(|live| {
            signals::reload_on_hangup(signals::stopped(stop_rx), || reload_sources(live))
        });
        eprintln!("listening on http://{addr}");
        let server = web::serve(listener, state, async move {
            signals::shutdown_signal().await;
            let _ = stop_tx.send(true);
        });
        let reload = async {
            if let Some(reload) = reload {
                reload.await;
            }
        };
        let (served, ()) = tokio::join!(server, reload);
        served.with_context(|| format!("the web server on {addr} failed"))
    })?;
    Ok(0)
}

/// The sources the archive knows, as enabled sources without feed URLs.
fn archive_sources(archive: &archive::Archive) -> anyhow::Result<Vec<SourceConfig>> {
    let metas = archive.sources().with_context(|| {
        format!(
            "cannot list the sources of {}",
            archive.archive_dir().display()
        )
    })?;
    Ok(metas
        .into_iter()
        .map(|meta| SourceConfig::new(meta.id, meta.name, ""))
        .collect())
}

/// Starts bringing the search index up to date on a thread of its own, so the server (which
/// only reads it) finds it current and in this version's format. The server listens at once
/// and serves everything but search meanwhile (after an import this is minutes; after a change
/// of index format, a rebuild).
///
/// Returns the handle the web state waits on (drop it once the web state has it, so that only
/// the thread's own handle decides) and a receiver that hears when the catch-up is over or
/// could not start. A daemon writing the index meanwhile keeps it current itself; any other
/// failure still serves search, with what the index has.
pub(crate) fn catch_up_search(
    data: &Path,
    archive: &archive::Archive,
) -> (web::SearchCatchUp, tokio::sync::oneshot::Receiver<()>) {
    let catch_up = web::SearchCatchUp::new();
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    let (data, archive, progress) = (data.to_owned(), archive.clone(), catch_up.clone());
    let spawned = std::thread::Builder::new()
        .name("nv-search-catch-up".into())
        .spawn(move || {
            sync_search(&data, &archive, &progress);
            progress.ready();
            let _ = done_tx.send(());
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start the search index catch-up; serving the index as it is");
        catch_up.ready();
    }
    (catch_up, done_rx)
}

/// Brings the search index up to date, reporting to a bar (or lines on stderr) and to `web`.
fn sync_search(data: &Path, archive: &archive::Archive, web: &web::SearchCatchUp) {
    let result = index::SearchIndex::open(data).and_then(|mut search| {
        let bar = crate::catch_up::CatchUp::new("bringing the search index up to date");
        bar.run(|bar| search.sync_with(archive, &Both(bar, web)))
    });
    match result {
        Ok(_) | Err(index::SearchError::Busy { .. }) => {}
        Err(e) => tracing::warn!(error = %e, "serving a search index that is not up to date"),
    }
}

/// Progress to the terminal and to the web server.
struct Both<'a>(&'a crate::catch_up::CatchUp, &'a web::SearchCatchUp);

impl index::search::SyncProgress for Both<'_> {
    fn start(&self, total: u64) {
        self.0.start(total);
        self.1.start(total);
    }

    fn advance(&self, bytes: u64) {
        self.0.advance(bytes);
        self.1.advance(bytes);
    }
}

/// Reads the configuration file's sources again (on SIGHUP) and logs what changed; a file
/// that does not load is logged and the sources stay as they were.
pub(crate) fn reload_sources(live: &LiveSources) {
    use std::io::Write;
    let file = live.file().display();
    let line = match tokio::task::block_in_place(|| live.reload()) {
        Ok(r) => {
            tracing::info!(file = %file, added = ?r.added, removed = ?r.removed, changed = ?r.changed, "sources reloaded");
            format!(
                "reloaded the sources of {file}: added {:?}, removed {:?}, changed {:?}",
                r.added, r.removed, r.changed
            )
        }
        Err(e) => format!("sources not reloaded (they stay as they were): {e:#}"),
    };
    // On stderr like "listening on": the operator who sent the signal looks there. A closed
    // stderr (the terminal that sent SIGHUP went away) is no reason to fail.
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The web state of `serve` and `run`: the configured sources (`sources`, shared with the admin
/// actions and the daemon's scheduler, so an added source shows and is checked at once), the
/// public address, and admin when a token is set.
pub(crate) fn web_state(
    data: &Path,
    sources: &Arc<LiveSources>,
    config: &Config,
    ingest: Option<Arc<OnceLock<Arc<Ingest>>>>,
) -> web::WebState {
    let mut state = web::WebState::with_shared_sources(data, sources.handle())
        .with_search_text_cache(config.server.search_text_cache_bytes);
    if let Some(base) = &config.server.base_url {
        state = state.with_base_url(base.clone());
    }
    if let Some(token) = &config.server.admin_token {
        let admin = WebAdmin {
            sources: Arc::clone(sources),
            ingest,
        };
        state = state.with_admin(token.clone(), Arc::new(admin));
    }
    state
}

/// The admin actions of the API: sources are added and removed in the configuration file
/// (comments kept, as `newsvault sources add/remove` do) and in the list the server shows and
/// the daemon's scheduler checks; a refresh runs `ingest::refresh_source` on the daemon's
/// `Ingest`, when there is one (`run` sets it once the search index has caught up).
pub(crate) struct WebAdmin {
    sources: Arc<LiveSources>,
    ingest: Option<Arc<OnceLock<Arc<Ingest>>>>,
}

impl Admin for WebAdmin {
    fn refresh(&self, id: SourceId) -> AdminFuture<'_, RefreshSummary> {
        Box::pin(async move {
            let Some(ingest) = &self.ingest else {
                return Err(AdminError::Unavailable(
                    "`newsvault serve` does not fetch: refresh a source through `newsvault run`, \
                     or run `newsvault fetch --source ID`"
                        .into(),
                ));
            };
            let Some(ingest) = ingest.get() else {
                return Err(AdminError::Unavailable(
                    "the daemon starts fetching once the search index is up to date with the \
                     archive (GET /api/v1/health shows how far it is); try again then"
                        .into(),
                ));
            };
            let source = self
                .sources
                .get(id.as_str())
                .ok_or_else(|| AdminError::UnknownSource(id.to_string()))?;
            let r = ingest::refresh_source(ingest, &source)
                .await
                .map_err(|e| AdminError::Upstream(format!("{}: {e}", source.id)))?;
            Ok(RefreshSummary {
                source: r.source,
                status: r.status,
                not_modified: r.not_modified,
                items: r.items,
                new: r.new,
                edited: r.edited,
                unchanged: r.unchanged,
                item_errors: r.item_errors,
                duration_ms: r.duration_ms,
            })
        })
    }

    fn add_source(&self, mut source: SourceConfig) -> AdminFuture<'_, ()> {
        Box::pin(async move {
            config::check_http_url(&source.url)
                .map_err(|e| AdminError::Invalid(format!("url: feed {e}")))?;
            if source.name == source.id.as_str() {
                source.name = config::default_name(&source.id);
            }
            tokio::task::block_in_place(|| {
                self.sources.edit(
                    |file| {
                        if file.config().source(source.id.as_str()).is_some() {
                            return Err(AdminError::Exists(source.id.to_string()));
                        }
                        file.add_source(&source)
                            .map_err(|e| AdminError::Invalid(format!("{e:#}")))
                    },
                    failed,
                )
            })?;
            tracing::info!(source = %source.id, file = %self.sources.file().display(), "source added");
            Ok(())
        })
    }

    fn remove_source(&self, id: SourceId) -> AdminFuture<'_, ()> {
        Box::pin(async move {
            tokio::task::block_in_place(|| {
                self.sources.edit(
                    |file| {
                        if file.remove_source(id.as_str()) {
                            Ok(())
                        } else {
                            Err(AdminError::UnknownSource(id.to_string()))
                        }
                    },
                    failed,
                )
            })?;
            tracing::info!(source = %id, file = %self.sources.file().display(), "source removed; its archive stays");
            Ok(())
        })
    }
}

/// A configuration file that cannot be read or written, as an admin error (500).
fn failed(e: anyhow::Error) -> AdminError {
    AdminError::Failed(format!("{e:#}"))
}
