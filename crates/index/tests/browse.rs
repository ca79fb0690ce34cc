//! Listings by cursor (`browse.rs`): every article exactly once, newest first, across pages;
//! per source; changes newest first; counts per source.

mod search_support;
use model::EventKind;
use newsvault_index as index;
use search_support::*;

use index::{ArticleCursor, ChangeCursor, Index};

fn filled() -> (TestArchive, Index) {
    let mut a = TestArchive::new();
    // 25 articles in two sources; two share a publication time so the key breaks the tie.
    for i in 0..25i64 {
        let source = if i % 3 == 0 { "bbc" } else { "rfi" };
        let published = if i == 7 {
            1_700_000_006_000
        } else {
            1_700_000_000_000 + i * 1000
        };
        a.add(
            source,
            &format!("https://news.example/a/{i}"),
            &format!("标题{i}"),
            "<p>正文。</p>",
            published,
        );
    }
    a.add(
        "rfi",
        "https://news.example/a/4",
        "标题4（更新）",
        "<p>正文改了。</p>",
        1_700_000_004_000,
    );
    a.event("rfi", "https://news.example/a/5", EventKind::Gone);
    a.event("bbc", "https://news.example/a/9", EventKind::Moved);
    a.commit();
    let mut index = Index::open(a.data()).unwrap();
    index.sync(&a.archive).unwrap();
    (a, index)
}

#[test]
fn article_pages_cover_everything_once_newest_first() {
    let (_a, index) = filled();
    let mut seen = Vec::new();
    let mut after: Option<ArticleCursor> = None;
    loop {
        let page = index.list_articles(None, after.as_ref(), 4).unwrap();
        assert!(page.items.len() <= 4);
        seen.extend(
            page.items
                .iter()
                .map(|s| (s.published_ms.unwrap(), s.key.clone())),
        );
        match page.next {
            // The cursor survives its text form, as it does in a URL.
            Some(c) => after = Some(ArticleCursor::parse(&c.encode()).unwrap()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 25);
    let mut sorted = seen.clone();
    sorted.sort_by(|x, y| y.cmp(x));
    assert_eq!(seen, sorted, "newest first, key breaks ties, no repeats");
    assert_eq!(index.count_articles(None).unwrap(), 25);
}

#[test]
fn per_source_listing_counts_and_summaries() {
    let (_a, index) = filled();
    let bbc = index.list_articles(Some("bbc"), None, 100).unwrap();
    assert_eq!(bbc.items.len(), 9);
    assert!(bbc.next.is_none());
    assert!(bbc.items.iter().all(|s| s.source == "bbc"));
    assert_eq!(index.count_articles(Some("bbc")).unwrap(), 9);
    let counts = index.source_counts().unwrap();
    let rfi = counts.iter().find(|c| c.source == "rfi").unwrap();
    assert_eq!((rfi.articles, rfi.versions, rfi.changed), (16, 17, 1));
    let edited = model::ArticleKey::for_url("https://news.example/a/4");
    let s = index.article_summary(edited.as_str()).unwrap().unwrap();
    assert!(s.changed());
    assert_eq!(s.title, "标题4（更新）");
    assert!(index.article_summary("0000000000000000").unwrap().is_none());
}

#[test]
fn changes_newest_first_by_cursor() {
    let (_a, index) = filled();
    let first = index.list_changes(None, None, 2).unwrap();
    let events: Vec<&str> = first.items.iter().map(|c| c.event.as_str()).collect();
    assert_eq!(events, ["moved", "gone"]);
    assert_eq!(first.items[0].title, "标题9");
    let next = ChangeCursor::parse(&first.next.unwrap().encode()).unwrap();
    let rest = index.list_changes(None, Some(&next), 2).unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].event, "edited");
    assert!(rest.next.is_none());
    let bbc = index.list_changes(Some("bbc"), None, 10).unwrap();
    assert_eq!(bbc.items.len(), 1);
}
