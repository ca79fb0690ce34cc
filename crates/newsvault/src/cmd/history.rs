//! `newsvault history (URL|KEY)`

use crate::cli::HistoryArgs;
use crate::data::{open_archive, open_index};
use chrono::{TimeZone, Utc};
use model::ArticleKey;
use serde_json::json;
use std::io::Write;
use std::path::Path;

pub(crate) fn run(data: &Path, args: &HistoryArgs) -> anyhow::Result<u8> {
    let archive = open_archive(data)?;
    let index = open_index(data, &archive)?;
    let (key, article) = find_article(&index, &args.article)?;
    let versions = index.versions(&key)?;
    let events = index.captures(&key)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let doc = json!({
            "key": article.key,
            "source": article.source,
            "url": article.url,
            "title": article.title,
            "published": article.published_ms.map(rfc3339),
            "versions": versions.iter().map(|v| json!({
                "version": v.version,
                "captured": v.captured,
                "published": v.published_ms.map(rfc3339),
                "title": v.title,
                "url": v.url,
                "sha256": v.sha256,
                "path": v.path,
                "source": v.source,
            })).collect::<Vec<_>>(),
            "events": events.iter().map(|e| json!({
                "time": e.time,
                "event": e.event,
                "version": e.version,
                "source": e.source,
                "seq": e.seq,
                "url": e.url,
                "status": e.status,
                "via": e.via,
                "origin": e.origin,
                "note": e.note,
                "byline": e.byline,
            })).collect::<Vec<_>>(),
        });
        writeln!(out, "{doc}")?;
        return Ok(0);
    }
    writeln!(
        out,
        "{}\n{}\nkey {}  source {}  published {}",
        article.title,
        article.url,
        article.key,
        article.source,
        article
            .published_ms
            .map(rfc3339)
            .unwrap_or_else(|| "unknown".into())
    )?;
    writeln!(out, "\nversions:")?;
    for v in &versions {
        writeln!(
            out,
            "  v{:<3} captured {}  sha256 {}  {}",
            v.version,
            v.captured,
            &v.sha256[..12.min(v.sha256.len())],
            v.path
        )?;
    }
    writeln!(out, "\nevents:")?;
    for e in &events {
        let origin = e
            .origin
            .as_deref()
            .map(|o| format!("  from {o}"))
            .unwrap_or_default();
        // A byline change has no version to diff: its note is the whole story.
        let origin = match (e.event.as_str(), &e.note) {
            ("byline", Some(note)) => format!("{origin}  {note}"),
            _ => origin,
        };
        writeln!(
            out,
            "  {}  {:<9} v{}  {}#{}{}",
            e.time, e.event, e.version, e.source, e.seq, origin
        )?;
    }
    Ok(0)
}

/// The article that `input` names: its 16-digit key, or a URL in any form that canonicalizes
/// to it. Shared by the commands that take `URL|KEY`.
pub(crate) fn find_article(
    index: &index::Index,
    input: &str,
) -> anyhow::Result<(ArticleKey, index::ArticleRow)> {
    let key = ArticleKey::parse(input.trim()).unwrap_or_else(|| ArticleKey::for_url(input));
    match index.article(&key)? {
        Some(article) => Ok((key, article)),
        None => anyhow::bail!("no article with URL or key {input:?} in the archive (key {key})"),
    }
}

fn rfc3339(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}
