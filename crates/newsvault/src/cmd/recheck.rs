//! `newsvault recheck [--source S]... [URL|KEY...]`: re-check articles now, whatever their
//! schedule says: the named ones, else every scheduled article of the named sources, else every
//! article that is due.

use crate::config::{self, Config};
use anyhow::{Context, bail};
use ingest::{Ingest, RefreshOptions};
use model::{ArticleKey, SourceConfig, SourceId};
use std::path::Path;

pub(crate) fn run(
    data: &Path,
    config_file: Option<&Path>,
    sources: &[String],
    articles: &[String],
) -> anyhow::Result<u8> {
    let path = config::path(data, config_file);
    let config = if path.exists() {
        Config::load(&path)?
    } else {
        Config::default()
    };
    let archive = crate::data::open_archive(data)?;
    let ingest = Ingest::open(
        archive,
        config.fetch.to_fetch_config(),
        RefreshOptions::default(),
    )
    .context("cannot open the archive for writing")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let result = runtime.block_on(pass(&ingest, &config.sources, sources, articles));
    ingest.close().context("cannot close the archive cleanly")?;
    let reports = result?;
    let mut failed = 0;
    for (what, r) in &reports {
        match r {
            Ok(r) => {
                let events: Vec<&str> = r.events.iter().map(|e| e.as_str()).collect();
                let outcome = match (&r.transient, events.is_empty()) {
                    (Some(why), _) => format!("transient failure: {why}"),
                    (None, true) => "unchanged".to_owned(),
                    (None, false) => events.join(", "),
                };
                println!(
                    "{:<16} {:>4}  {outcome}  {}",
                    r.key,
                    r.status.map_or("-".to_owned(), |s| s.to_string()),
                    r.url
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("failed: {what}: {e:#}");
            }
        }
    }
    eprintln!("{} articles re-checked, {failed} failed", reports.len());
    Ok(if failed > 0 { crate::EXIT_PARTIAL } else { 0 })
}

type Outcome = (String, Result<ingest::RecheckReport, ingest::IngestError>);

async fn pass(
    ingest: &Ingest,
    configured: &[SourceConfig],
    sources: &[String],
    articles: &[String],
) -> anyhow::Result<Vec<Outcome>> {
    let source_of = |id: &str| -> SourceConfig {
        configured
            .iter()
            .find(|s| s.id.as_str() == id)
            .cloned()
            .unwrap_or_else(|| {
                // An imported source without configuration: default schedule and rules.
                SourceConfig::new(
                    SourceId::new(id).unwrap_or_else(|_| SourceId::new("unknown").expect("valid")),
                    id,
                    "",
                )
            })
    };
    let index = index::Index::open(ingest.archive().root()).context("cannot open the index")?;
    let mut checks = Vec::new();
    if !articles.is_empty() {
        for a in articles {
            let key = ArticleKey::parse(a).unwrap_or_else(|| ArticleKey::for_url(a));
            let Some(row) = index.article(&key)? else {
                bail!("{a}: no such article in the archive");
            };
            let check = index
                .article_check(key.as_str())?
                .unwrap_or_else(|| index::ArticleCheck {
                    key: row.key.clone(),
                    source: row.source.clone(),
                    url: row.url.clone(),
                    first_seen: row.first_seen.clone(),
                    state: "live".into(),
                    ..index::ArticleCheck::default()
                });
            checks.push((a.clone(), check));
        }
    } else if !sources.is_empty() {
        for s in sources {
            for check in index.article_checks(Some(s))? {
                checks.push((check.url.clone(), check));
            }
        }
    } else {
        let now = ingest
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        for check in index.due_articles(&now, usize::MAX >> 1)? {
            checks.push((check.url.clone(), check));
        }
    }
    drop(index);
    let futures: Vec<_> = checks
        .into_iter()
        .map(|(what, check)| {
            let source = source_of(&check.source);
            async move { (what, ingest::recheck_article(ingest, &source, check).await) }
        })
        .collect();
    Ok(futures_util::future::join_all(futures).await)
}
