//! `newsvault run`: the daemon. The scheduler checks each enabled source on its interval and
//! the web server serves, together, until SIGINT or SIGTERM; then checks in flight get a grace
//! period to commit, the WARC file is finished and the writer lock released.
//!
//! The sources are live (`config::LiveSources`): one added through the admin API is checked
//! within seconds, one removed is not started again (a check in flight finishes; its archive
//! stays). A hand edit of `newsvault.toml` takes effect on SIGHUP (`kill -HUP PID`), or at the
//! next admin edit (which reads the file as it is), or at restart; only `[[sources]]` reloads,
//! `[server]` and `[fetch]` need a restart.

use crate::config::{self, Config, LiveSources};
use crate::signals;
use anyhow::Context;
use ingest::{Ingest, RefreshOptions};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How long checks in flight may take to finish after a stop signal.
const GRACE: Duration = Duration::from_secs(20);

pub(crate) fn run(
    data: &Path,
    config_file: Option<&Path>,
    listen: Option<&str>,
) -> anyhow::Result<u8> {
    let path = config::path(data, config_file);
    if !path.exists() && config_file.is_none() {
        // The main job works out of the box: a first run writes what `init` would.
        crate::data::open_archive(data)?;
        config::write_atomically(&path, super::init::template().as_bytes())?;
        eprintln!(
            "no configuration yet: wrote {} with the default sources (edit it, or use `newsvault sources`)",
            path.display()
        );
    }
    let config = Config::load(&path)?;
    let archive = crate::data::open_archive(data)?;
    // The server listens at once; the archive's writer (which keeps the search index current
    // from then on, and is the index's only writer) starts once the search index has caught up
    // with the archive: after an import that is minutes, shown like `serve` shows it.
    let (catch_up, caught_up) = super::serve::catch_up_search(data, &archive);
    let listen = listen.unwrap_or(&config.server.listen).to_owned();
    // One source list for the server, admin and the scheduler: admin edits and a SIGHUP reload
    // change what is checked without a restart. Admin (with `[server] admin_token`) refreshes
    // through this process's ingest, once it is open.
    let live = LiveSources::new(&path, config.sources.clone());
    let ingest: Arc<OnceLock<Arc<Ingest>>> = Arc::new(OnceLock::new());
    let state = super::serve::web_state(data, &live, &config, Some(ingest.clone()))
        .with_search_catch_up(&catch_up, web::SEARCH_WAIT);
    drop(catch_up);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let watched = config.sources.iter().filter(|s| s.enabled).count();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let addr = listener
            .local_addr()
            .context("cannot read the bound address")?;
        // One signal stops every part.
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let reload = signals::reload_on_hangup(signals::stopped(stop_rx.clone()), || {
            super::serve::reload_sources(&live)
        });
        eprintln!("listening on http://{addr}; watching {watched} sources");
        let server = tokio::spawn(web::serve(
            listener,
            state,
            signals::stopped(stop_rx.clone()),
        ));
        let daemon = async {
            tokio::select! {
                _ = caught_up => {}
                () = signals::stopped(stop_rx.clone()) => return Ok(()),
            }
            let opened = tokio::task::block_in_place(|| {
                Ingest::open(
                    archive,
                    config.fetch.to_fetch_config(),
                    RefreshOptions::default(),
                )
            })
            .context("cannot open the archive for writing")?;
            let opened = ingest.get_or_init(|| Arc::new(opened)).clone();
            ingest::schedule::run(
                opened,
                live.handle(),
                signals::stopped(stop_rx.clone()),
                GRACE,
                |id, result| match result {
                    Ok(r) if r.new + r.edited > 0 || !r.item_errors.is_empty() => tracing::info!(
                        source = id,
                        new = r.new,
                        edited = r.edited,
                        errors = r.item_errors.len(),
                        "checked"
                    ),
                    Ok(_) => tracing::debug!(source = id, "checked, nothing new"),
                    Err(e) => tracing::warn!(source = id, error = %e, "check failed"),
                },
            )
            .await;
            anyhow::Ok(())
        };
        // A writer that cannot open stops every part too: the daemon is both or nothing.
        let daemon = async {
            let result = daemon.await;
            if result.is_err() {
                let _ = stop_tx.send(true);
            }
            result
        };
        let signal = async {
            tokio::select! {
                () = signals::shutdown_signal() => {
                    eprintln!("stopping: letting checks in flight finish (up to {GRACE:?})");
                    let _ = stop_tx.send(true);
                }
                () = signals::stopped(stop_rx.clone()) => {}
            }
        };
        let (daemon, (), ()) = tokio::join!(daemon, signal, reload);
        if let Err(e) = daemon {
            let _ = server.await;
            return Err(e);
        }
        match server.await {
            Ok(result) => result.context("the web server failed"),
            Err(e) => Err(anyhow::anyhow!("the web server task failed: {e}")),
        }
    })?;
    drop(runtime);
    // The server is gone with its state: this is the last handle on the writer, unless checks
    // still hold it.
    let ingest = Arc::try_unwrap(ingest).ok().and_then(OnceLock::into_inner);
    match ingest.map(Arc::try_unwrap) {
        Some(Ok(ingest)) => ingest.close().context("cannot close the archive cleanly")?,
        Some(Err(_)) => {
            tracing::warn!("checks still hold the archive; it closes as the process exits")
        }
        None => {
            // Stopped before the search index caught up: its committed part stays, and the
            // next start goes on from there.
            eprintln!("stopped before the search index was up to date; the next start goes on");
            return Ok(0);
        }
    }
    eprintln!("stopped cleanly");
    Ok(0)
}
