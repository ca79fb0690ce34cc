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

use crate::cli::ServeArgs;
use crate::config::{self, Config, ConfigFile};
use crate::{data, signals};
use anyhow::Context;
use ingest::Ingest;
use model::{SourceConfig, SourceId};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
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
    sync_search(data, &archive);
    let listen = args.listen.clone().unwrap_or_else(|| match &config {
        Some(config) => config.server.listen.clone(),
        None => config::DEFAULT_LISTEN.to_owned(),
    });
    let state = match config {
        Some(config) => web_state(data, &path, &config, None),
        None => web::WebState::new(data, archive_sources(&archive)?),
    };

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
        eprintln!("listening on http://{addr}");
        web::serve(listener, state, signals::shutdown_signal())
            .await
            .with_context(|| format!("the web server on {addr} failed"))
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

/// Brings the search index up to date once before serving, so the server (which only reads
/// it) finds it current and in this version's format. A daemon writing it meanwhile keeps it
/// current itself; any other failure still serves, with what the index has.
fn sync_search(data: &Path, archive: &archive::Archive) {
    let result = index::SearchIndex::open(data).and_then(|mut search| search.sync(archive));
    match result {
        Ok(_) | Err(index::SearchError::Busy { .. }) => {}
        Err(e) => tracing::warn!(error = %e, "serving a search index that is not up to date"),
    }
}

/// The web state of `serve` and `run`: the configured sources (shared with the admin actions,
/// so an added source shows at once), the public address, and admin when a token is set.
pub(crate) fn web_state(
    data: &Path,
    config_file: &Path,
    config: &Config,
    ingest: Option<Arc<Ingest>>,
) -> web::WebState {
    let sources = Arc::new(RwLock::new(config.sources.clone()));
    let mut state = web::WebState::with_shared_sources(data, Arc::clone(&sources));
    if let Some(base) = &config.server.base_url {
        state = state.with_base_url(base.clone());
    }
    if let Some(token) = &config.server.admin_token {
        let admin = WebAdmin {
            config_file: config_file.to_owned(),
            sources,
            ingest,
            editing: Mutex::new(()),
        };
        state = state.with_admin(token.clone(), Arc::new(admin));
    }
    state
}

/// The admin actions of the API: sources are added and removed in the configuration file
/// (comments kept, as `newsvault sources add/remove` do) and in the list the server shows;
/// a refresh runs `ingest::refresh_source` on the daemon's `Ingest`, when there is one.
///
/// The daemon's scheduler keeps the sources it started with: a source added here is checked
/// on a schedule from the next start (a refresh checks it now), and a removed one until then.
pub(crate) struct WebAdmin {
    config_file: PathBuf,
    sources: Arc<RwLock<Vec<SourceConfig>>>,
    ingest: Option<Arc<Ingest>>,
    /// One configuration edit at a time.
    editing: Mutex<()>,
}

impl WebAdmin {
    fn configured(&self, id: &SourceId) -> Option<SourceConfig> {
        let list = match self.sources.read() {
            Ok(list) => list,
            Err(poisoned) => poisoned.into_inner(),
        };
        list.iter().find(|s| &s.id == id).cloned()
    }

    /// Runs `edit` on the configuration file, saves it, and shows the saved source list.
    fn edit_config(
        &self,
        edit: impl FnOnce(&mut ConfigFile) -> Result<(), AdminError>,
    ) -> Result<(), AdminError> {
        let _one_at_a_time = match self.editing.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let failed = |e: anyhow::Error| AdminError::Failed(format!("{e:#}"));
        let mut file = ConfigFile::open(&self.config_file).map_err(failed)?;
        edit(&mut file)?;
        let sources = file.save().map_err(failed)?.sources.clone();
        match self.sources.write() {
            Ok(mut list) => *list = sources,
            Err(poisoned) => *poisoned.into_inner() = sources,
        }
        Ok(())
    }
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
            let source = self
                .configured(&id)
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
                self.edit_config(|file| {
                    if file.config().source(source.id.as_str()).is_some() {
                        return Err(AdminError::Exists(source.id.to_string()));
                    }
                    file.add_source(&source)
                        .map_err(|e| AdminError::Invalid(format!("{e:#}")))
                })
            })?;
            tracing::info!(source = %source.id, file = %self.config_file.display(), "source added");
            Ok(())
        })
    }

    fn remove_source(&self, id: SourceId) -> AdminFuture<'_, ()> {
        Box::pin(async move {
            tokio::task::block_in_place(|| {
                self.edit_config(|file| {
                    if file.remove_source(id.as_str()) {
                        Ok(())
                    } else {
                        Err(AdminError::UnknownSource(id.to_string()))
                    }
                })
            })?;
            tracing::info!(source = %id, file = %self.config_file.display(), "source removed; its archive stays");
            Ok(())
        })
    }
}
