//! Images of stored articles: fetched once (to WARC too), stored content-addressed under
//! `assets/`, and their original URLs mapped, so a reader never needs the original CDN.
//! A failed image never fails its article: it is logged and tried again when the article is
//! stored again.

use crate::refresh::{Ingest, RefreshReport};
use crate::store::Job;
use fetch::Request;

/// Images fetched per article at most (galleries can list hundreds).
const MAX_IMAGES: usize = 40;

/// The image URLs an article body references, absolute, in order, without duplicates.
pub(crate) fn image_urls(body: &str, page: &str) -> Vec<String> {
    let base = url::Url::parse(page).ok();
    let doc = scraper::Html::parse_fragment(body);
    let selector = scraper::Selector::parse("img[src], source[srcset], img[srcset]")
        .expect("a valid selector");
    let mut out: Vec<String> = Vec::new();
    for el in doc.select(&selector) {
        let v = el.value();
        let candidate = v.attr("src").or_else(|| {
            v.attr("srcset")
                .and_then(|s| s.split(',').next())
                .and_then(|c| c.split_whitespace().next())
        });
        let Some(candidate) = candidate.map(str::trim).filter(|c| !c.is_empty()) else {
            continue;
        };
        let absolute = match &base {
            Some(b) => b.join(candidate).ok(),
            None => url::Url::parse(candidate).ok(),
        };
        let Some(absolute) = absolute.filter(|u| matches!(u.scheme(), "http" | "https")) else {
            continue;
        };
        let text = absolute.to_string();
        if !out.contains(&text) {
            out.push(text);
        }
        if out.len() >= MAX_IMAGES {
            break;
        }
    }
    out
}

/// Fetches and stores the images of one stored article body that are not archived yet.
pub(crate) async fn archive_images(
    ingest: &Ingest,
    source: &str,
    page: &str,
    body: &str,
    report: &mut RefreshReport,
) {
    for url in image_urls(body, page) {
        match ingest.read(|i| i.asset(&url)) {
            Ok(Some(_)) => continue,
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(%url, error = %e, "cannot look up an asset");
                continue;
            }
        }
        let exchange = match ingest.fetcher().fetch(&Request::get(url.clone())).await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!(%url, error = %e, "image not archived");
                continue;
            }
        };
        report.requests += exchange.hops.len() as u32;
        let (exchange, _) = match ingest.keep(source, exchange).await {
            Ok(kept) => kept,
            Err(e) => {
                tracing::warn!(%url, error = %e, "image not archived");
                continue;
            }
        };
        let mime = exchange.header("content-type").map(str::to_owned);
        let is_media = mime.as_deref().is_none_or(|m| {
            let m = m.to_ascii_lowercase();
            m.starts_with("image/")
                || m.starts_with("video/")
                || m.starts_with("audio/")
                || m.starts_with("application/octet-stream")
        });
        if exchange.status != 200 || exchange.body.is_empty() || !is_media {
            tracing::warn!(%url, status = exchange.status, ?mime, "image not archived: not an image response");
            continue;
        }
        let (reply, rx) = tokio::sync::oneshot::channel();
        let submitted = ingest.submit(Job::Asset {
            url: url.clone(),
            bytes: exchange.body,
            mime,
            time: crate::clock::rfc3339_ms(ingest.now()),
            reply,
        });
        let stored = match submitted {
            Ok(()) => crate::refresh::answer(rx).await,
            Err(e) => Err(e),
        };
        match stored {
            Ok(_) => report.images += 1,
            Err(e) => tracing::warn!(%url, error = %e, "image not stored"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_urls_are_absolute_unique_and_http_only() {
        let body = r#"<p><img src="/a.jpg"><img src="https://cdn.example/b.png">
            <img src="/a.jpg"><img src="data:image/png;base64,AAAA">
            <picture><source srcset="c.webp 1x, c2.webp 2x"></picture></p>"#;
        assert_eq!(
            image_urls(body, "https://news.example/2026/story.html"),
            vec![
                "https://news.example/a.jpg",
                "https://cdn.example/b.png",
                "https://news.example/2026/c.webp",
            ]
        );
    }
}
