//! `newsvault extract (FILE|URL) [--url URL] [--json]`

use crate::cli::ExtractArgs;
use crate::net;
use anyhow::Context;
use chrono::SecondsFormat;
use serde_json::json;
use std::io::{Read, Write};
use url::Url;

pub(crate) fn run(args: &ExtractArgs) -> anyhow::Result<u8> {
    let input = args.input.as_str();
    let (bytes, fetched_url) = if net::is_url(input) {
        let fetched = net::get(input)?;
        (fetched.body, Some(fetched.final_url))
    } else if input == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("reading the page from standard input")?;
        (buf, None)
    } else {
        let bytes = std::fs::read(input).with_context(|| format!("reading page {input:?}"))?;
        (bytes, None)
    };
    let url = match (&args.url, fetched_url) {
        (Some(u), _) => {
            Url::parse(u).with_context(|| format!("--url {u:?} is not an absolute URL"))?
        }
        (None, Some(f)) => Url::parse(&f).with_context(|| format!("fetched URL {f:?}"))?,
        (None, None) => file_url(input)?,
    };
    let article = extract::extract(&bytes, &url);
    // The sanitizer runs last, before anything is shown.
    let html = clean::sanitize(&article.html, Some(&url));
    let text = clean::text(&html);
    let published = article
        .published
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true));
    let mut out = std::io::stdout().lock();
    if args.json {
        let doc = json!({
            "url": article.url,
            "title": article.title,
            "byline": article.byline,
            "published": published,
            "language": article.language,
            "lead_image": article.lead_image,
            "html": html,
            "text": text,
        });
        writeln!(out, "{doc}")?;
    } else {
        writeln!(out, "{}", article.title.as_deref().unwrap_or("(no title)"))?;
        let mut line = Vec::new();
        if let Some(b) = &article.byline {
            line.push(b.clone());
        }
        if let Some(p) = &published {
            line.push(p.clone());
        }
        if !line.is_empty() {
            writeln!(out, "{}", line.join("  "))?;
        }
        writeln!(out, "{}\n\n{text}", article.url)?;
    }
    if text.is_empty() {
        eprintln!("warning: no article text found in {input:?}");
        return Ok(1);
    }
    Ok(0)
}

/// `file:///absolute/path` of a local page, the base URL when no `--url` is given.
fn file_url(path: &str) -> anyhow::Result<Url> {
    if path == "-" {
        return Ok(Url::parse("file:///dev/stdin").expect("valid URL"));
    }
    let abs = std::fs::canonicalize(path).with_context(|| format!("resolving path {path:?}"))?;
    Url::from_file_path(&abs)
        .map_err(|()| anyhow::anyhow!("cannot make a URL of {}", abs.display()))
}
