//! `newsvault fetch [--source S]...`: one check of each selected source now, all at once (the
//! per-host limits keep it polite), with a progress bar and a summary table.

use crate::cli::FetchArgs;
use crate::config::{self, Config};
use crate::signals;
use anyhow::{Context, bail};
use futures_util::StreamExt;
use ingest::{Ingest, IngestError, RefreshOptions, RefreshReport};
use model::SourceConfig;
use std::path::Path;
use std::time::Instant;
use tracing_indicatif::span_ext::IndicatifSpanExt;

pub(crate) fn run(data: &Path, config_file: Option<&Path>, args: &FetchArgs) -> anyhow::Result<u8> {
    let config = Config::load(&config::path(data, config_file))?;
    let sources = select(&config, &args.sources)?;
    if sources.is_empty() {
        eprintln!("no enabled sources to fetch; add one with `newsvault sources add ID URL`");
        return Ok(0);
    }
    let archive = crate::data::open_archive(data)?;
    let options = RefreshOptions {
        images: !args.no_images,
        ignore_freshness: args.force,
        ..RefreshOptions::default()
    };
    let ingest = Ingest::open(archive, config.fetch.to_fetch_config(), options)
        .context("cannot open the archive for writing")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let clock = Instant::now();
    let (results, interrupted) = runtime.block_on(pass(&ingest, &sources));
    // Committed work is durable; closing finishes the WARC file and releases the lock.
    ingest.close().context("cannot close the archive cleanly")?;
    let failed = results.iter().filter(|(_, r)| r.is_err()).count();
    if args.json {
        print_json(&results)?;
    } else {
        print_table(&results);
    }
    let total: u32 = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .map(|r| r.new + r.edited)
        .sum();
    eprintln!(
        "{} sources in {:.1} s: {total} articles stored, {failed} failed{}",
        results.len(),
        clock.elapsed().as_secs_f64(),
        if interrupted {
            " (interrupted: sources not listed were not checked)"
        } else {
            ""
        }
    );
    for (id, r) in &results {
        if let Err(e) = r {
            eprintln!("failed: {id}: {e}");
        }
    }
    Ok(if failed > 0 || interrupted {
        crate::EXIT_PARTIAL
    } else {
        0
    })
}

/// The configured sources named by `--source` (all enabled ones when none is named; a named
/// source is fetched even when disabled).
fn select(config: &Config, wanted: &[String]) -> anyhow::Result<Vec<SourceConfig>> {
    if wanted.is_empty() {
        return Ok(config
            .sources
            .iter()
            .filter(|s| s.enabled)
            .cloned()
            .collect());
    }
    let mut out = Vec::new();
    for id in wanted {
        match config.source(id) {
            Some(s) => out.push(s.clone()),
            None => bail!(
                "no source {id:?} in the configuration (configured: {})",
                config
                    .sources
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
    Ok(out)
}

type Outcome = (String, Result<RefreshReport, IngestError>);

/// Checks every source concurrently; stops early (keeping what finished) on SIGINT/SIGTERM.
async fn pass(ingest: &Ingest, sources: &[SourceConfig]) -> (Vec<Outcome>, bool) {
    let span = tracing::info_span!("fetch");
    span.pb_set_style(&crate::logging::bar_style(
        "{spinner} fetching {pos}/{len} sources [{bar:30}] {elapsed}",
    ));
    span.pb_set_length(sources.len() as u64);
    let _entered = span.enter();
    let mut checks = futures_util::stream::iter(
        sources
            .iter()
            .map(|s| async move { (s.id.to_string(), ingest::refresh_source(ingest, s).await) }),
    )
    .buffer_unordered(sources.len().max(1));
    let mut results = Vec::new();
    let stop = signals::shutdown_signal();
    tokio::pin!(stop);
    let interrupted = loop {
        tokio::select! {
            next = checks.next() => match next {
                Some(outcome) => {
                    span.pb_inc(1);
                    results.push(outcome);
                }
                None => break false,
            },
            () = &mut stop => break true,
        }
    };
    results.sort_by(|a, b| a.0.cmp(&b.0));
    (results, interrupted)
}

fn print_table(results: &[Outcome]) {
    println!(
        "{:<16} {:>5} {:>6} {:>9} {:>6} {:>8}  note",
        "source", "new", "edited", "unchanged", "errors", "time"
    );
    for (id, r) in results {
        match r {
            Ok(r) => {
                let note = if r.not_modified {
                    "not modified".to_owned()
                } else if let Some(first) = r.item_errors.first() {
                    first.clone()
                } else {
                    format!("{} items, {} images", r.items, r.images)
                };
                println!(
                    "{:<16} {:>5} {:>6} {:>9} {:>6} {:>7.1}s  {note}",
                    id,
                    r.new,
                    r.edited,
                    r.unchanged,
                    r.item_errors.len(),
                    r.duration_ms as f64 / 1000.0
                );
            }
            Err(e) => println!(
                "{:<16} {:>5} {:>6} {:>9} {:>6} {:>8}  {e}",
                id, "-", "-", "-", "failed", "-"
            ),
        }
    }
}

fn print_json(results: &[Outcome]) -> anyhow::Result<()> {
    let rows: Vec<serde_json::Value> = results
        .iter()
        .map(|(id, r)| match r {
            Ok(r) => serde_json::json!({
                "id": id, "ok": true, "status": r.status, "not_modified": r.not_modified,
                "items": r.items, "new": r.new, "edited": r.edited, "unchanged": r.unchanged,
                "errors": r.item_errors, "images": r.images, "requests": r.requests,
                "duration_ms": r.duration_ms, "via": r.via,
                "next_due": r.next_due.map(|t| t.to_rfc3339()),
            }),
            Err(e) => serde_json::json!({"id": id, "ok": false, "error": e.to_string()}),
        })
        .collect();
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &rows)?;
    use std::io::Write;
    writeln!(out)?;
    Ok(())
}
