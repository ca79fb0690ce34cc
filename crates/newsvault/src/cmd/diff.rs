//! `newsvault diff URL|KEY [--from N] [--to M] [--json] [--full]`
//!
//! Compares two stored versions of one article (default: the one before the latest with the
//! latest): the title when it changed, and the plain text of the bodies (`clean::text`) with
//! `clean::diff` (paragraph moves, CJK characters, Latin words). Colours when stdout is a
//! terminal and `NO_COLOR` is unset.

use super::history::find_article;
use crate::cli::DiffArgs;
use crate::data::{open_archive, open_index};
use anyhow::{Context, bail};
use clean::TextOptions;
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Unchanged paragraphs shown around each change unless `--full`.
const CONTEXT: usize = 1;

pub(crate) fn run(data: &Path, args: &DiffArgs) -> anyhow::Result<u8> {
    let archive = open_archive(data)?;
    let index = open_index(data, &archive)?;
    let (key, article) = find_article(&index, &args.article)?;
    let versions = index.versions(&key)?;
    let numbers: Vec<u32> = versions.iter().map(|v| v.version).collect();
    let Some(&latest) = numbers.last() else {
        bail!("article {key} has no stored version");
    };
    if numbers.len() < 2 {
        bail!("nothing to compare: article {key} has a single version (v{latest})");
    }
    let list = numbers
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let to = args.to.unwrap_or(latest);
    let from = match args.from {
        Some(from) => from,
        None => match numbers.iter().rev().find(|&&n| n < to) {
            Some(&before) => before,
            None => bail!(
                "nothing before v{to} of article {key} to compare with (its versions: {list}); \
                 name one with --from"
            ),
        },
    };
    let pick = |n: u32| {
        versions
            .iter()
            .find(|v| v.version == n)
            .with_context(|| format!("article {key} has no version {n} (its versions: {list})"))
    };
    let (old_row, new_row) = (pick(from)?, pick(to)?);
    let read = |path: &str| -> anyhow::Result<record::Record> {
        let file = archive.resolve(path);
        let bytes =
            std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
        Ok(record::parse(&bytes, &file.to_string_lossy())
            .with_context(|| format!("cannot read the record {}", file.display()))?
            .record)
    };
    let (old, new) = (read(&old_row.path)?, read(&new_row.path)?);
    let title = (old.title != new.title).then(|| clean::diff(&old.title, &new.title));
    let body = clean::diff(&clean::text(&old.body), &clean::text(&new.body));

    let mut out = std::io::stdout().lock();
    if args.json {
        let side = |v: &index::VersionRow, r: &record::Record| {
            json!({
                "version": v.version,
                "captured": v.captured,
                "title": r.title,
                "url": v.url,
                "path": v.path,
                "sha256": v.sha256,
            })
        };
        let doc = json!({
            "key": article.key,
            "source": article.source,
            "url": article.url,
            "from": side(old_row, &old),
            "to": side(new_row, &new),
            "title": title.as_ref().map(|t| json!({
                "old": old.title,
                "new": new.title,
                "paragraphs": t.paragraphs,
            })),
            "summary": body.summary(),
            "paragraphs": body.paragraphs,
        });
        writeln!(out, "{doc}")?;
        return Ok(0);
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let options = TextOptions {
        color,
        context: (!args.full).then_some(CONTEXT),
    };
    let s = body.summary();
    writeln!(out, "{}\n{}", new.title, article.url)?;
    writeln!(
        out,
        "v{from} (captured {}) → v{to} (captured {}): {}",
        old_row.captured,
        new_row.captured,
        if body.is_unchanged() {
            "text unchanged".to_owned()
        } else {
            format!(
                "{} changed, {} moved, {} deleted, {} inserted, {} unchanged paragraphs",
                s.changed, s.moved, s.deleted, s.inserted, s.equal
            )
        }
    )?;
    if let Some(title) = &title {
        writeln!(
            out,
            "\ntitle: {}",
            title.to_text(TextOptions {
                color,
                context: None
            })
        )?;
    }
    if !body.is_unchanged() {
        writeln!(out, "\n{}", body.to_text(options))?;
    }
    Ok(0)
}
