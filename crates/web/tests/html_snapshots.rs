//! Snapshots of the reader's pages (`tests/snapshots/`, reviewed with `cargo insta review`).
//!
//! The archive (`support::world`) is deterministic: capture times, WARC ids, keys and hashes
//! come out the same on every run. The one part that changes with the code rather than the
//! data, the stylesheet's content hash in its URL, is replaced by `HASH`.

mod support;

use support::get;
use support::world::{World, world};

/// The page at `path`, with the stylesheet hash replaced.
async fn html(w: &World, path: &str) -> String {
    let got = get(&w.state, path, None).await;
    stable(&got.body)
}

fn stable(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("/static/style.") {
        let start = i + "/static/style.".len();
        out.push_str(&rest[..start]);
        let end = rest[start..].find(".css").map_or(start, |e| start + e);
        out.push_str("HASH");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn pages() {
    let w = world();
    let bridge = &w.bridge;
    let pages = [
        ("home", "/".to_owned()),
        ("source_bbc", "/sources/bbc".to_owned()),
        ("article_edited", format!("/articles/{bridge}")),
        ("article_images", format!("/articles/{}", w.library)),
        ("article_gone", format!("/articles/{}", w.river)),
        ("article_moved", format!("/articles/{}", w.rain)),
        ("article_hant", format!("/articles/{}?zh=hant", w.barber)),
        ("version_1", format!("/articles/{bridge}/v/1")),
        ("diff_1_2", format!("/articles/{bridge}/diff?from=1&to=2")),
        ("raw_2", format!("/articles/{bridge}/raw/2")),
        ("changes", "/changes".to_owned()),
        ("search_form", "/search".to_owned()),
        ("search_hits", "/search?q=%E6%96%B0%E6%A1%A5".to_owned()),
        ("search_error", "/search?q=%22unclosed".to_owned()),
        ("error_400", "/articles/not-a-key".to_owned()),
        ("error_404", "/no/such/page".to_owned()),
    ];
    for (name, path) in pages {
        insta::assert_snapshot!(name, html(&w, &path).await, &path);
    }
}
