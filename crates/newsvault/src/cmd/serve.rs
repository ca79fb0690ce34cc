//! `newsvault serve [--listen ADDR]`: the web reader and JSON API, without fetching.
//!
//! The address is `--listen`, else `[server] listen` in the configuration, else
//! [`config::DEFAULT_LISTEN`]. The sources reported are the configuration's; with no
//! configuration file (and no `--config`), the archive's folders, without feed URLs, so a data
//! directory that was only imported into can still be served.

use crate::cli::ServeArgs;
use crate::config::{self, Config};
use crate::{data, signals};
use anyhow::Context;
use model::SourceConfig;
use std::path::Path;

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
    let (sources, configured_listen) = match config {
        Some(config) => (config.sources, config.server.listen),
        None => (
            archive_sources(&archive)?,
            config::DEFAULT_LISTEN.to_owned(),
        ),
    };
    let listen = args.listen.clone().unwrap_or(configured_listen);
    let state = web::WebState::new(data, sources);

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
