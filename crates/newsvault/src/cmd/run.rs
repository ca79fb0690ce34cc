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
use std::sync::Arc;
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
    // Before the archive's writer starts (it keeps the search index current from then on, but
    // quietly): after an import this is minutes, shown like `serve` shows it.
    super::serve::sync_search(data, &archive);
    let ingest = Arc::new(
        Ingest::open(
            archive,
            config.fetch.to_fetch_config(),
            RefreshOptions::default(),
        )
        .context("cannot open the archive for writing")?,
    );
    let listen = listen.unwrap_or(&config.server.listen).to_owned();
    // One source list for the server, admin and the scheduler: admin edits and a SIGHUP reload
    // change what is checked without a restart. Admin (with `[server] admin_token`) refreshes
    // through this process's ingest.
    let live = LiveSources::new(&path, config.sources.clone());
    let state = super::serve::web_state(data, &live, &config, Some(ingest.clone()));
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
            .context("cannot read the bound address")?;
        // One signal stops every part.
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let reload = signals::reload_on_hangup(signals::stopped(stop_rx.clone()), || {
            super::serve::reload_sources(&live)
        });
        eprintln!(
            "listening on http://{addr}; watching {} sources",
            config.sources.iter().filter(|s| s.enabled).count()
        );
        let server = tokio::spawn(web::serve(
            listener,
            state,
            signals::stopped(stop_rx.clone()),
        ));
        let scheduler = ingest::schedule::run(
            ingest.clone(),
            live.handle(),
            signals::stopped(stop_rx),
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
        );
        let signal = async {
            signals::shutdown_signal().await;
            eprintln!("stopping: letting checks in flight finish (up to {GRACE:?})");
            let _ = stop_tx.send(true);
        };
        tokio::join!(scheduler, signal, reload);
        match server.await {
            Ok(result) => result.context("the web server failed"),
            Err(e) => Err(anyhow::anyhow!("the web server task failed: {e}")),
        }
    })?;
    drop(runtime);
    match Arc::try_unwrap(ingest) {
        Ok(ingest) => ingest.close().context("cannot close the archive cleanly")?,
        Err(_) => tracing::warn!("checks still hold the archive; it closes as the process exits"),
    }
    eprintln!("stopped cleanly");
    Ok(0)
}
