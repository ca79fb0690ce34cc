//! Ranking, filters, snippets and query errors of the search index.

mod search_support;
use newsvault_index as index;
use search_support::*;

use index::SearchIndex;
use index::search::{DateField, Query, QueryError, SearchError, Sort};
use model::EventKind;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_700_000_000_000;

fn build(a: &mut TestArchive) -> SearchIndex {
    a.commit();
    let mut index = SearchIndex::open(a.data()).unwrap();
    index.sync(&a.archive).unwrap();
    index
}

fn keys(index: &SearchIndex, q: &Query) -> Vec<String> {
    index
        .search(q)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.key.clone())
        .collect()
}

#[test]
fn whole_words_rank_above_matches_that_cut_through_words() {
    let mut a = TestArchive::new();
    let cut = a.add(
        "rfi",
        "https://x.example/cut",
        "艺术展览开幕",
        "<p>完美光影展览今天开幕，完美光影令人惊叹。观众说完美光影难忘。</p>",
        T0 + 10 * DAY,
    );
    let word = a.add(
        "rfi",
        "https://x.example/word",
        "科技公司发布财报",
        "<p>美光今天在北京发布财报，分析师认为结果好于预期。</p>",
        T0,
    );
    let index = build(&mut a);
    let got = keys(&index, &Query::new("美光"));
    assert_eq!(
        got,
        [word, cut],
        "the company before the cut-through, even though older"
    );
}

#[test]
fn title_matches_rank_above_text_matches() {
    let mut a = TestArchive::new();
    let in_text = a.add(
        "bbc",
        "https://x.example/t1",
        "今日新闻",
        "<p>台风今天登陆广东沿海地区。</p>",
        T0 + DAY,
    );
    let in_title = a.add(
        "bbc",
        "https://x.example/t2",
        "台风登陆",
        "<p>今天广东沿海地区风雨交加。</p>",
        T0,
    );
    let index = build(&mut a);
    assert_eq!(keys(&index, &Query::new("台风")), [in_title, in_text]);
}

#[test]
fn recency_breaks_ties_and_date_sort_is_newest_first() {
    let mut a = TestArchive::new();
    let body = "<p>联合国今天讨论气候变化。</p>";
    let old = a.add("dw", "https://x.example/old", "会议", body, T0);
    let new = a.add("dw", "https://x.example/new", "会议", body, T0 + 30 * DAY);
    let mid = a.add(
        "dw",
        "https://x.example/mid",
        "气候变化会议",
        "<p>各国代表今天开会。</p>",
        T0 + 10 * DAY,
    );
    let index = build(&mut a);
    let relevance = keys(&index, &Query::new("气候变化"));
    assert_eq!(relevance, [mid.clone(), new.clone(), old.clone()]);
    let mut q = Query::new("气候变化");
    q.sort = Sort::Date;
    assert_eq!(keys(&index, &q), [new, mid, old]);
}

#[test]
fn simplified_and_traditional_queries_find_each_other() {
    let mut a = TestArchive::new();
    let s = a.add(
        "voa",
        "https://x.example/s",
        "美国总统",
        "<p>头发与发展。</p>",
        T0,
    );
    let t = a.add(
        "voa",
        "https://x.example/t",
        "美國總統",
        "<p>頭髮與發展。</p>",
        T0,
    );
    let w = a.add(
        "voa",
        "https://x.example/w",
        "ＡＰＰＬＥ發佈",
        "<p>Ｎｅｗ　Ｙｏｒｋ</p>",
        T0,
    );
    let index = build(&mut a);
    let mut both = vec![s.clone(), t.clone()];
    both.sort();
    for q in ["美国", "美國", "美国总统", "美國總統", "头发", "頭髮"] {
        let mut got = keys(&index, &Query::new(q));
        got.sort();
        assert_eq!(got, both, "{q}");
    }
    assert_eq!(keys(&index, &Query::new("apple")), vec![w.clone()]);
    assert_eq!(keys(&index, &Query::new("\"new york\"")), vec![w.clone()]);
    assert_eq!(
        keys(&index, &Query::new("appl")),
        Vec::<String>::new(),
        "whole words"
    );
}

#[test]
fn filters_narrow_the_hits() {
    let mut a = TestArchive::new();
    let rfi = a.add("rfi", "https://x.example/1", "香港新闻", "<p>香港</p>", T0);
    let bbc = a.add(
        "bbc",
        "https://x.example/2",
        "香港新闻",
        "<p>香港</p>",
        T0 + 5 * DAY,
    );
    let edited = a.add(
        "bbc",
        "https://x.example/3",
        "香港旧闻",
        "<p>香港</p>",
        T0 + 9 * DAY,
    );
    a.add(
        "bbc",
        "https://x.example/3",
        "香港新闻",
        "<p>香港改了</p>",
        T0 + 9 * DAY,
    );
    a.event("rfi", "https://x.example/1", EventKind::Gone);
    let index = build(&mut a);

    let mut q = Query::new("香港");
    q.sources = vec!["rfi".into()];
    assert_eq!(keys(&index, &q), vec![rfi.clone()]);

    let mut q = Query::new("香港");
    q.since_ms = Some(T0 + DAY);
    q.until_ms = Some(T0 + 6 * DAY);
    assert_eq!(keys(&index, &q), vec![bbc.clone()]);

    let mut q = Query::new("香港");
    q.date_field = DateField::Captured;
    q.since_ms = Some(0);
    assert_eq!(index.search(&q).unwrap().total, 3);

    let mut q = Query::new("香港");
    q.has_changed = Some(true);
    assert_eq!(keys(&index, &q), vec![edited.clone()]);

    let mut q = Query::new("香港");
    q.gone = Some(true);
    assert_eq!(keys(&index, &q), vec![rfi.clone()]);

    let mut q = Query::new("香港");
    q.language = Some("zh".into());
    assert_eq!(index.search(&q).unwrap().total, 3);
    q.language = Some("en".into());
    assert_eq!(index.search(&q).unwrap().total, 0);

    // The old title of the edited article is only found in history.
    assert_eq!(index.search(&Query::new("旧闻")).unwrap().total, 0);
    let mut q = Query::new("旧闻");
    q.all_versions = true;
    let r = index.search(&q).unwrap();
    assert_eq!(
        (r.total, r.hits[0].version, r.hits[0].latest),
        (1, 1, false)
    );

    // Paging.
    let mut q = Query::new("香港");
    q.limit = 2;
    let first = index.search(&q).unwrap();
    q.offset = 2;
    let second = index.search(&q).unwrap();
    assert_eq!(
        (first.total, first.hits.len(), second.hits.len()),
        (3, 2, 1)
    );
}

#[test]
fn gone_and_back_follow_the_events() {
    gone_and_back(false);
}

#[test]
fn gone_and_back_follow_the_events_through_the_caches() {
    // A kept hit must not outlive the flags it was read with.
    gone_and_back(true);
}

fn gone_and_back(cached: bool) {
    let mut a = TestArchive::new();
    let key = a.add("rfi", "https://x.example/g", "标题", "<p>正文</p>", T0);
    a.commit();
    let mut index = SearchIndex::open(a.data()).unwrap();
    if cached {
        index.cache_docs(1 << 20);
        index.cache_texts(1 << 20);
    }
    index.sync(&a.archive).unwrap();
    let gone = |index: &SearchIndex| index.search(&Query::new("正文")).unwrap().hits[0].gone;
    assert!(!gone(&index));
    a.event("rfi", "https://x.example/g", EventKind::Gone);
    a.commit();
    index.sync(&a.archive).unwrap();
    assert!(gone(&index));
    a.event("rfi", "https://x.example/g", EventKind::Back);
    a.commit();
    index.sync(&a.archive).unwrap();
    assert!(!gone(&index));
    assert_eq!(
        index.num_docs(),
        1,
        "{key}: flags rewrite the document, never duplicate it"
    );
}

#[test]
fn one_sync_of_a_whole_life_keeps_one_document_per_version() {
    // Everything in one sync of an empty index (a rebuild): documents are added without
    // deleting first, so the rewrites of a version written earlier in the same sync must
    // still replace it.
    let mut a = TestArchive::new();
    let url = "https://x.example/life";
    a.add("rfi", url, "标题", "<p>初版正文</p>", T0);
    a.event("rfi", url, EventKind::Gone);
    a.event("rfi", url, EventKind::Back);
    a.add("rfi", url, "标题", "<p>改版正文</p>", T0);
    a.event("rfi", url, EventKind::Gone);
    a.add("rfi", "https://x.example/other", "别的", "<p>正文</p>", T0);
    a.commit();
    let mut index = SearchIndex::open(a.data()).unwrap();
    index.sync(&a.archive).unwrap();
    assert_eq!(index.num_docs(), 3, "two versions and another article");
    assert_eq!(index.search(&all_versions("正文")).unwrap().total, 3);
    let latest = index.search(&Query::new("改版")).unwrap();
    assert_eq!(latest.total, 1);
    assert!(latest.hits[0].latest && latest.hits[0].gone);
    let first = index.search(&all_versions("初版")).unwrap();
    assert_eq!(first.total, 1);
    assert!(!first.hits[0].latest && !first.hits[0].gone);
}

fn all_versions(text: &str) -> Query {
    let mut q = Query::new(text);
    q.all_versions = true;
    q
}

#[test]
fn snippets_mark_terms_in_the_best_passage() {
    let mut a = TestArchive::new();
    let filler = "<p>无关的内容。</p>".repeat(40);
    a.add(
        "rfi",
        "https://x.example/s",
        "标题",
        &format!("<p>开头。</p>{filler}<p>美國總統 Trump 今天表示 <关税> 将提高。</p>{filler}"),
        T0,
    );
    let index = build(&mut a);
    let r = index.search(&Query::new("美国总统 trump")).unwrap();
    let s = &r.hits[0].snippet;
    assert!(
        s.contains("<mark>美國總統</mark> <mark>Trump</mark>"),
        "{s}"
    );
    assert!(s.contains("&lt;关税&gt;"), "{s}");
    assert!(s.starts_with('…'), "{s}");
}

#[test]
fn query_errors_are_errors_not_panics() {
    let mut a = TestArchive::new();
    a.add("rfi", "https://x.example/e", "标题", "<p>正文</p>", T0);
    let index = build(&mut a);
    for (q, want) in [
        ("", QueryError::Empty),
        ("\"美国", QueryError::UnbalancedQuote { at: 1 }),
        ("-美国", QueryError::OnlyExclusions),
    ] {
        match index.search(&Query::new(q)) {
            Err(SearchError::Query(e)) => assert_eq!(e, want, "{q:?}"),
            other => panic!("{q:?}: {other:?}"),
        }
    }
    let mut q = Query::new("正文");
    q.limit = index::search::MAX_LIMIT + 1;
    assert!(matches!(index.search(&q), Err(SearchError::Option { .. })));
    // Odd but valid queries.
    for q in [
        "-",
        "--x",
        "\"-\"",
        "。",
        "+",
        "正文 -正文",
        "a\u{200B}b",
        "\"  正 文 \"",
    ] {
        let _ = index.search(&Query::new(q));
    }
    assert_eq!(index.search(&Query::new("正文 -正文")).unwrap().total, 0);
}

/// Indexes written before the doc store moved from zstd to lz4 keep zstd in their settings and
/// segments: they must still read (titles and URLs come from the doc store), and keep growing.
/// This is what keeps tantivy's `zstd-compression` feature in the workspace.
#[test]
fn an_index_whose_doc_store_is_zstd_still_reads_and_grows() {
    let mut a = TestArchive::new();
    let first = a.add(
        "rfi",
        "https://x.example/zstd-1",
        "港口扩建工程开工",
        "<p>港口扩建工程今天正式开工，预计三年完成。</p>",
        T0,
    );
    a.commit();
    // An empty index, then its settings as an older newsvault wrote them.
    drop(SearchIndex::open(a.data()).unwrap());
    let meta = a.data().join("search/meta.json");
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&meta).unwrap()).unwrap();
    json["index_settings"]["docstore_compression"] = "zstd(compression_level=3)".into();
    std::fs::write(&meta, serde_json::to_vec(&json).unwrap()).unwrap();
    let mut index = SearchIndex::open(a.data()).unwrap();
    index.sync(&a.archive).unwrap();
    let second = a.add(
        "bbc",
        "https://x.example/zstd-2",
        "港口扩建计划公布",
        "<p>另一座港口扩建计划今天公布。</p>",
        T0 + DAY,
    );
    a.commit();
    index.sync(&a.archive).unwrap();
    drop(index);
    let settings = &serde_json::from_slice::<serde_json::Value>(&std::fs::read(&meta).unwrap())
        .unwrap()["index_settings"];
    assert!(
        settings["docstore_compression"]
            .as_str()
            .is_some_and(|c| c.starts_with("zstd")),
        "the index kept its compressor: {settings}"
    );
    let index = SearchIndex::open_read_only(a.data()).unwrap();
    let mut q = Query::new("港口扩建");
    q.sort = Sort::Date;
    let r = index.search(&q).unwrap();
    let got: Vec<(&str, &str, &str)> = r
        .hits
        .iter()
        .map(|h| (h.key.as_str(), h.title.as_str(), h.url.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                second.as_str(),
                "港口扩建计划公布",
                "https://x.example/zstd-2"
            ),
            (
                first.as_str(),
                "港口扩建工程开工",
                "https://x.example/zstd-1"
            ),
        ]
    );
    assert!(r.hits.iter().all(|h| h.snippet.contains("<mark>")), "{r:?}");
}
