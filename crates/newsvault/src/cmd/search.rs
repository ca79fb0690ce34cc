//! `newsvault search QUERY`
//!
//! Brings the search index up to date with the archive (unless a running daemon is writing it,
//! which keeps it current itself), runs the query and prints the hits. A query the language
//! does not accept exits 64 with the parser's message.

use crate::cli::{SearchArgs, SearchDates, SearchSort};
use crate::data::open_archive;
use anyhow::Context;
use chrono::{TimeZone, Utc};
use index::SearchIndex;
use index::search::{DateField, Query, SearchError, SearchHit, Sort, parse_query};
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::Path;

pub(crate) fn run(data: &Path, args: &SearchArgs) -> anyhow::Result<u8> {
    let text = query_text(&args.query);
    if let Err(e) = parse_query(&text) {
        eprintln!("error: {e}");
        return Ok(crate::EXIT_USAGE);
    }
    if args.limit > index::search::MAX_LIMIT {
        eprintln!(
            "error: --limit {} is more than the maximum {}",
            args.limit,
            index::search::MAX_LIMIT
        );
        return Ok(crate::EXIT_USAGE);
    }
    if !data.is_dir() {
        anyhow::bail!(
            "no data directory at {} (import or fetch something first)",
            data.display()
        );
    }
    let archive = open_archive(data)?;
    let mut search = SearchIndex::open(data).context("cannot open the search index")?;
    match crate::catch_up::CatchUp::new("bringing the search index up to date")
        .run(|bar| search.sync_with(&archive, bar))
    {
        Ok(_) => {}
        Err(SearchError::Busy { .. }) => {
            tracing::debug!(
                "the search index is being written by another process; searching what it has"
            );
        }
        Err(e) => {
            return Err(e).context("cannot bring the search index up to date with the archive");
        }
    }
    let mut q = Query::new(text.clone());
    q.sources = args.sources.clone();
    q.since_ms = args.since.map(|t| t.timestamp_millis());
    q.until_ms = args.until.map(|t| t.timestamp_millis());
    q.date_field = match args.dates {
        SearchDates::Published => DateField::Published,
        SearchDates::Captured => DateField::Captured,
    };
    q.language = args.language.clone();
    q.has_changed = args.changed.then_some(true);
    q.gone = args.gone.then_some(true);
    q.limit = args.limit;
    q.offset = args.offset;
    q.sort = match args.sort {
        SearchSort::Relevance => Sort::Relevance,
        SearchSort::Date => Sort::Date,
    };
    q.all_versions = args.all_versions;
    let results = search.search(&q).context("search failed")?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let doc = json!({
            "query": text,
            "total": results.total,
            "took_ms": (results.took_ms * 1000.0).round() / 1000.0,
            "hits": results.hits.iter().map(|h| json!({
                "key": h.key,
                "url": h.url,
                "title": h.title,
                "source": h.source,
                "published": h.published_ms.map(rfc3339),
                "snippet": h.snippet,
                "score": h.score,
            })).collect::<Vec<_>>(),
        });
        writeln!(out, "{doc}")?;
        return Ok(0);
    }
    let tty = std::io::stdout().is_terminal();
    let first = args.offset + 1;
    let last = args.offset + results.hits.len();
    if results.hits.is_empty() {
        writeln!(out, "no results for {text} ({:.1} ms)", results.took_ms)?;
    } else {
        writeln!(
            out,
            "{first}–{last} of {} results for {text} ({:.1} ms)\n",
            results.total, results.took_ms
        )?;
    }
    for (i, h) in results.hits.iter().enumerate() {
        print_hit(&mut out, first + i, h, tty)?;
    }
    Ok(0)
}

/// The query from the command line's words: one word is the query as written; of several, a
/// word that holds whitespace (a shell word like `"new york"`) is one phrase.
fn query_text(words: &[String]) -> String {
    if let [one] = words {
        return one.clone();
    }
    words
        .iter()
        .map(|w| {
            let quoted = w.contains(['"', '“', '＂']);
            if !quoted && w.trim().contains(char::is_whitespace) {
                let (minus, rest) = match w.trim().strip_prefix('-') {
                    Some(rest) => ("-", rest),
                    None => ("", w.trim()),
                };
                format!("{minus}\"{rest}\"")
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn print_hit(out: &mut impl Write, n: usize, h: &SearchHit, tty: bool) -> std::io::Result<()> {
    let date = h
        .published_ms
        .map(rfc3339)
        .map(|d| d[..10.min(d.len())].to_owned())
        .unwrap_or_else(|| "undated".into());
    let version = if h.latest {
        String::new()
    } else {
        format!("  v{} (not the latest)", h.version)
    };
    let gone = if h.gone { "  [gone at source]" } else { "" };
    writeln!(out, "{n}. {}", h.title)?;
    writeln!(out, "   {date}  {}  {}{version}{gone}", h.source, h.url)?;
    writeln!(out, "   {}\n", terminal_snippet(&h.snippet, tty))
}

/// The HTML snippet for a terminal: entities decoded, marks bold on a terminal, dropped
/// otherwise.
fn terminal_snippet(html: &str, tty: bool) -> String {
    let (open, close) = if tty {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    html.replace("<mark>", open)
        .replace("</mark>", close)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn rfc3339(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_with_spaces_become_phrases() {
        let words = |w: &[&str]| query_text(&w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(words(&["美国", "new york"]), "美国 \"new york\"");
        assert_eq!(words(&["-new york", "\"a b\""]), "-\"new york\" \"a b\"");
        assert_eq!(words(&["a", "-b"]), "a -b");
        assert_eq!(
            words(&["美国 -体育 \"new york\""]),
            "美国 -体育 \"new york\""
        );
    }

    #[test]
    fn snippets_for_terminals() {
        assert_eq!(
            terminal_snippet("<mark>美国</mark> &lt;b&gt; &amp;", false),
            "美国 <b> &"
        );
        assert_eq!(terminal_snippet("<mark>x</mark>", true), "\x1b[1mx\x1b[0m");
    }
}
