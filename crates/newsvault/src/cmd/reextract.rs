//! `newsvault reextract [--source S]...`: extraction run again over the raw pages in WARC
//! (no network); a new version only where the extracted text changes.

use crate::config::{self, Config};
use anyhow::Context;
use ingest::{Ingest, RefreshOptions};
use std::path::Path;

pub(crate) fn run(
    data: &Path,
    config_file: Option<&Path>,
    sources: &[String],
) -> anyhow::Result<u8> {
    // Rules come from the configuration when there is one; without it the built-in ones apply.
    let path = config::path(data, config_file);
    let configured = if path.exists() {
        Config::load(&path)?.sources
    } else {
        Vec::new()
    };
    let archive = crate::data::open_archive(data)?;
    let ingest = Ingest::open(
        archive,
        fetch::FetchConfig::default(),
        RefreshOptions::default(),
    )
    .context("cannot open the archive for writing")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let summary = runtime
        .block_on(ingest::reextract(&ingest, &configured, sources))
        .context("re-extraction stopped")?;
    ingest.close().context("cannot close the archive cleanly")?;
    for e in &summary.errors {
        eprintln!("failed: {e}");
    }
    eprintln!(
        "{} articles with a raw page: {} re-extracted, {} new versions, {} unchanged, {} pages missing from warc/, {} failed",
        summary.candidates,
        summary.extracted,
        summary.changed,
        summary.unchanged,
        summary.missing,
        summary.errors.len()
    );
    Ok(if summary.errors.is_empty() {
        0
    } else {
        crate::EXIT_PARTIAL
    })
}
