//! `newsvault sources list|add|remove`: the configured sources and their last checks.
//!
//! The configuration file says what is watched; the index says how the checks went
//! (`index::SourceState`, written by `fetch` and `run`). `list` joins the two by id.

use crate::cli::SourcesAddArgs;
use crate::config::{self, Config, ConfigFile};
use anyhow::{Context, bail};
use model::{SourceConfig, SourceId};
use serde_json::json;
use std::io::Write;
use std::path::Path;
use unicode_width::UnicodeWidthStr;

pub(crate) fn list(data: &Path, config_file: &Path, json: bool) -> anyhow::Result<u8> {
    let config = Config::load(config_file)?;
    let states = source_states(data)?;
    let state_of = |id: &SourceId| states.iter().find(|s| s.id == id.as_str());
    let mut stdout = std::io::stdout().lock();
    if json {
        let rows: Vec<serde_json::Value> = config
            .sources
            .iter()
            .map(|s| {
                let st = state_of(&s.id);
                json!({
                    "id": s.id,
                    "name": s.name,
                    "url": s.url,
                    "full_text": s.full_text,
                    "interval_minutes": s.interval_minutes,
                    "enabled": s.enabled,
                    "routes": s.routes.iter().map(config::route_text).collect::<Vec<_>>(),
                    "last_attempt": st.and_then(|st| st.last_attempt.clone()),
                    "last_success": st.and_then(|st| st.last_success.clone()),
                    "last_error": st.and_then(|st| st.last_error.clone()),
                    "last_error_time": st.and_then(|st| st.last_error_time.clone()),
                    "last_status": st.and_then(|st| st.last_status),
                    "last_new": st.map(|st| st.last_new),
                    "next_due": st.and_then(|st| st.next_due.clone()),
                    "failures": st.map(|st| st.failures),
                })
            })
            .collect();
        writeln!(stdout, "{}", serde_json::Value::Array(rows))?;
        return Ok(0);
    }
    if config.sources.is_empty() {
        eprintln!(
            "no sources in {}: add one with `newsvault sources add ID URL`",
            config_file.display()
        );
        return Ok(0);
    }
    let mut rows = vec![
        [
            "ID",
            "NAME",
            "EVERY",
            "FEED",
            "STATUS",
            "LAST SUCCESS",
            "URL",
        ]
        .map(str::to_owned),
    ];
    let mut errors = Vec::new();
    for s in &config.sources {
        let st = state_of(&s.id);
        let status = match st {
            _ if !s.enabled => "disabled".to_owned(),
            None => "never checked".to_owned(),
            Some(st) if st.last_error.is_some() => format!("failing ({})", st.failures),
            Some(st) if st.last_success.is_some() => "ok".to_owned(),
            Some(_) => "scheduled".to_owned(),
        };
        if let Some((error, time)) = st.and_then(|st| {
            st.last_error
                .as_ref()
                .map(|e| (e, st.last_error_time.as_deref().unwrap_or("?")))
        }) {
            errors.push(format!("{}: {time}: {error}", s.id));
        }
        rows.push([
            s.id.to_string(),
            s.name.clone(),
            minutes_text(s.interval_minutes),
            if s.full_text { "full" } else { "summary" }.to_owned(),
            status,
            st.and_then(|st| st.last_success.clone())
                .unwrap_or_else(|| "-".to_owned()),
            s.url.clone(),
        ]);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].width()).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < row.len() {
                line.push_str(&" ".repeat(widths[c] - cell.width() + 2));
            }
        }
        writeln!(stdout, "{}", line.trim_end())?;
    }
    if !errors.is_empty() {
        writeln!(stdout, "\nlast errors:")?;
        for e in errors {
            writeln!(stdout, "  {e}")?;
        }
    }
    Ok(0)
}

pub(crate) fn add(config_file: &Path, args: &SourcesAddArgs) -> anyhow::Result<u8> {
    let mut file = ConfigFile::open(config_file)?;
    let id = SourceId::new(args.id.trim()).map_err(anyhow::Error::msg)?;
    if let Some(existing) = file.config().source(id.as_str()) {
        bail!(
            "a source with id {:?} is already configured ({}); remove it first or pick another id",
            id.as_str(),
            existing.url
        );
    }
    let url = args.url.trim();
    config::check_http_url(url).map_err(|e| anyhow::anyhow!("feed {e}"))?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| config::default_name(&id));
    let mut source = SourceConfig::new(id, name, url);
    source.full_text = args.full_text;
    if let Some(interval) = &args.interval {
        source.interval_minutes = config::parse_interval(interval)
            .with_context(|| format!("--interval {interval:?}: {}", config::INTERVAL_EXPECTED))?;
    }
    for r in &args.routes {
        source
            .routes
            .push(config::parse_route(r).map_err(|e| anyhow::anyhow!("--route: {e}"))?);
    }
    file.add_source(&source)?;
    file.save()?;
    eprintln!(
        "added source {} ({}) to {}: {} every {}, {}",
        source.id,
        source.name,
        config_file.display(),
        source.url,
        minutes_text(source.interval_minutes),
        if source.full_text {
            "full text from the feed"
        } else {
            "article pages fetched"
        }
    );
    Ok(0)
}

pub(crate) fn remove(data: &Path, config_file: &Path, id: &str) -> anyhow::Result<u8> {
    let mut file = ConfigFile::open(config_file)?;
    if !file.remove_source(id) {
        let ids: Vec<&str> = file
            .config()
            .sources
            .iter()
            .map(|s| s.id.as_str())
            .collect();
        bail!(
            "no source {id:?} in {} (configured: {})",
            config_file.display(),
            ids.join(", ")
        );
    }
    file.save()?;
    if data.join(index::INDEX_FILE).exists() {
        index::Index::open(data)
            .and_then(|index| index.forget_source_state(id))
            .context("cannot forget the source's check state in the index")?;
    }
    eprintln!(
        "removed source {id} from {}; its archived articles stay in {} (delete that folder \
         and run `newsvault reindex` to drop them)",
        file.path().display(),
        data.join("archive").join(id).display()
    );
    Ok(0)
}

/// The check state of every source, or none when the data directory has no index yet.
fn source_states(data: &Path) -> anyhow::Result<Vec<index::SourceState>> {
    if !data.join(index::INDEX_FILE).exists() {
        return Ok(Vec::new());
    }
    index::Index::open(data)
        .and_then(|index| index.source_states())
        .context("cannot read the sources' check state from the index")
}

/// `30m`, `2h`, `1h30m`, `1d`.
fn minutes_text(minutes: u32) -> String {
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let mut s = String::new();
    for (n, unit) in [(d, "d"), (h, "h"), (m, "m")] {
        if n > 0 {
            s.push_str(&format!("{n}{unit}"));
        }
    }
    s
}
