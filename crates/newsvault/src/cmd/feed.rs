//! `newsvault feed parse FILE|URL`

use crate::cli::FeedParseArgs;
use anyhow::Context;
use std::io::{Read, Write};

pub(crate) fn run(args: &FeedParseArgs) -> anyhow::Result<u8> {
    let input = args.input.as_str();
    let (bytes, base) = if crate::net::is_url(input) {
        let fetched = crate::net::get(input)?;
        (
            fetched.body,
            Some(args.base.clone().unwrap_or(fetched.final_url)),
        )
    } else if input == "-" {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .context("reading the feed from standard input")?;
        (b, args.base.clone())
    } else {
        let b = std::fs::read(input).with_context(|| format!("reading feed file {input}"))?;
        (b, args.base.clone())
    };
    let parsed = match feed::parse(&bytes, base.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {input}: {e}");
            return Ok(1);
        }
    };
    for w in &parsed.warnings {
        eprintln!("warning: {input}:{w}");
    }
    let json = if args.pretty {
        serde_json::to_string_pretty(&parsed.feed)?
    } else {
        serde_json::to_string(&parsed.feed)?
    };
    writeln!(std::io::stdout(), "{json}")?;
    Ok(0)
}
