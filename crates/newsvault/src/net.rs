//! One-off fetches for commands that take a URL (`feed parse URL`, `extract URL`), through the
//! same polite client the archive uses.

use anyhow::{Context, bail};

/// A fetched document: its bytes and the URL that answered (after redirects).
pub(crate) struct Fetched {
    pub(crate) body: Vec<u8>,
    pub(crate) final_url: String,
}

/// Whether `input` names an http(s) URL rather than a file.
pub(crate) fn is_url(input: &str) -> bool {
    let lower = input.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// GETs `url`; anything but a 2xx answer is an error naming the status.
pub(crate) fn get(url: &str) -> anyhow::Result<Fetched> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let fetcher = fetch::Fetcher::new(fetch::FetchConfig::default());
    let exchange = runtime
        .block_on(fetcher.fetch(&fetch::Request::get(url)))
        .with_context(|| format!("cannot fetch {url}"))?;
    if !(200..300).contains(&exchange.status) {
        bail!(
            "{url}: the server answered HTTP {} ({})",
            exchange.status,
            exchange.final_url
        );
    }
    Ok(Fetched {
        final_url: exchange.final_url,
        body: exchange.body,
    })
}
