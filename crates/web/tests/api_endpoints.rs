//! Every JSON endpoint over a fixture archive, in-process: status, content type, shape, cursor
//! paging, and 400/404/405 answers (JSON, never 500) for junk.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use model::EventKind;
use newsvault_web as web;
use serde_json::Value;
use std::collections::HashSet;
use support::{Fixture, source};
use tower::ServiceExt;
use web::WebState;

/// 2024-05-01T00:00:00Z.
const MAY_1: i64 = 1_714_521_600_000;
const HOUR: i64 = 3_600_000;

async fn send(state: &WebState, method: Method, uri: &str) -> (StatusCode, Value) {
    let response = web::router(state.clone())
        .oneshot(
            Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("application/json"), "{uri}");
    for (name, expected) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
    ] {
        assert_eq!(response.headers()[name], expected, "{uri}: {name}");
    }
    assert!(
        response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'"),
        "{uri}"
    );
    let body = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {}", String::from_utf8_lossy(&body)));
    (status, json)
}

async fn get(state: &WebState, uri: &str) -> (StatusCode, Value) {
    send(state, Method::GET, uri).await
}

/// A small archive: two sources; one article edited, one gone, one back.
struct Archive {
    _fixture: Fixture,
    state: WebState,
    edited: String,
    gone: String,
    plain: String,
}

fn archive() -> Archive {
    let mut f = Fixture::new();
    let edited = f.add(
        "rfi",
        "https://news.example/rfi/edited",
        "测试标题：初版",
        "<p>第一段，我们自己写的测试文字。</p><script>alert(1)</script>",
        MAY_1 + 3 * HOUR,
    );
    f.add(
        "rfi",
        "https://news.example/rfi/edited",
        "测试标题：修订版",
        "<p>第一段，我们自己写的测试文字。</p><p>第二段是后来加上的。</p>",
        MAY_1 + 3 * HOUR,
    );
    let gone = f.add(
        "rfi",
        "https://news.example/rfi/gone",
        "后来被删除的文章",
        "<p>这篇文章后来从来源网站消失了。</p>",
        MAY_1 + 2 * HOUR,
    );
    f.event("rfi", "https://news.example/rfi/gone", EventKind::Gone);
    let plain = f.add(
        "bbc",
        "https://news.example/bbc/plain",
        "A plain English test article",
        "<p>Nothing happened to this one.</p>",
        MAY_1 + HOUR,
    );
    let state = f.state(vec![source("rfi", "法广"), source("bbc", "BBC 中文")]);
    Archive {
        _fixture: f,
        state,
        edited,
        gone,
        plain,
    }
}

fn keys(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn articles_list_newest_first_with_badges() {
    let a = archive();
    let (status, page) = get(&a.state, "/api/v1/articles").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(keys(&page), [a.edited.as_str(), &a.gone, &a.plain]);
    assert_eq!(page["next"], Value::Null);
    let first = &page["items"][0];
    assert_eq!(first["title"], "测试标题：修订版");
    assert_eq!(first["source"], "rfi");
    assert_eq!(first["url"], "https://news.example/rfi/edited");
    assert_eq!(first["published"], "2024-05-01T03:00:00Z");
    assert_eq!(first["latest_version"], 2);
    assert_eq!(first["changed"], true);
    assert_eq!(first["gone"], false);
    assert_eq!(page["items"][1]["gone"], true);
    assert_eq!(page["items"][1]["state"], "gone");

    let (status, page) = get(&a.state, "/api/v1/articles?source=bbc").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(keys(&page), [a.plain.as_str()]);
}

#[tokio::test]
async fn cursor_paging_covers_every_article_once() {
    let mut f = Fixture::new();
    let mut all = HashSet::new();
    for i in 0..23 {
        // Pairs share a publication time, so the key breaks ties; one has none at all.
        let published = if i == 22 { 0 } else { MAY_1 + (i / 2) * HOUR };
        all.insert(f.add(
            if i % 3 == 0 { "bbc" } else { "rfi" },
            &format!("https://news.example/page/{i}"),
            &format!("第 {i} 篇"),
            "<p>正文。</p>",
            published,
        ));
    }
    let state = f.state(vec![source("rfi", "法广"), source("bbc", "BBC 中文")]);
    let mut seen = Vec::new();
    let mut uri = "/api/v1/articles?limit=5".to_owned();
    for _ in 0..10 {
        let (status, page) = get(&state, &uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {page}");
        assert!(page["items"].as_array().unwrap().len() <= 5);
        seen.extend(keys(&page));
        match page["next"].as_str() {
            Some(next) => uri = format!("/api/v1/articles?limit=5&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 23, "{seen:?}");
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), all);

    // Per source, the same holds.
    let (_, page) = get(&state, "/api/v1/articles?source=bbc&limit=200").await;
    assert_eq!(keys(&page).len(), 8);
}

#[tokio::test]
async fn an_article_with_its_cleaned_body_versions_and_events() {
    let a = archive();
    let (status, article) = get(&a.state, &format!("/api/v1/articles/{}", a.edited)).await;
    assert_eq!(status, StatusCode::OK, "{article}");
    assert_eq!(article["key"], a.edited.as_str());
    assert_eq!(article["title"], "测试标题：修订版");
    assert_eq!(article["latest_version"], 2);
    assert_eq!(article["changed"], true);
    assert_eq!(article["last_event"], "edited");
    assert_eq!(article["sha256"].as_str().unwrap().len(), 64);
    let html = article["html"].as_str().unwrap();
    assert!(html.contains("第二段是后来加上的。"), "{html}");
    assert_eq!(
        article["text"],
        "第一段，我们自己写的测试文字。\n\n第二段是后来加上的。"
    );

    let (status, versions) =
        get(&a.state, &format!("/api/v1/articles/{}/versions", a.edited)).await;
    assert_eq!(status, StatusCode::OK);
    let items = versions["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["version"], 1);
    assert_eq!(items[0]["title"], "测试标题：初版");
    assert_eq!(items[1]["title"], "测试标题：修订版");

    let (status, v1) = get(
        &a.state,
        &format!("/api/v1/articles/{}/versions/1", a.edited),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v1["version"], 1);
    assert_eq!(v1["key"], a.edited.as_str());
    let html = v1["html"].as_str().unwrap();
    assert!(html.contains("第一段"), "{html}");
    assert!(!html.contains("<script"), "sanitized: {html}");
    assert!(!v1["text"].as_str().unwrap().contains("第二段"));

    let (status, events) = get(&a.state, &format!("/api/v1/articles/{}/events", a.gone)).await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["new", "gone"]);
    assert_eq!(events["items"][1]["status"], 404);
    assert_eq!(events["items"][0]["seq"], 3);

    let (status, gone) = get(&a.state, &format!("/api/v1/articles/{}", a.gone)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (gone["gone"].clone(), gone["state"].clone()),
        (Value::Bool(true), "gone".into())
    );
}

#[tokio::test]
async fn changes_list_edits_and_takedowns_newest_first() {
    let a = archive();
    let (status, page) = get(&a.state, "/api/v1/changes").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let items = page["items"].as_array().unwrap();
    let events: Vec<(&str, &str)> = items
        .iter()
        .map(|c| (c["key"].as_str().unwrap(), c["event"].as_str().unwrap()))
        .collect();
    assert_eq!(
        events,
        [(a.gone.as_str(), "gone"), (a.edited.as_str(), "edited")]
    );
    assert_eq!(items[0]["title"], "后来被删除的文章");
    assert_eq!(items[1]["version"], 2);

    let (_, first) = get(&a.state, "/api/v1/changes?limit=1").await;
    let next = first["next"].as_str().unwrap().to_owned();
    let (status, second) = get(&a.state, &format!("/api/v1/changes?limit=1&after={next}")).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["items"][0]["event"], "edited");
    assert_eq!(second["next"], Value::Null);

    let (_, bbc) = get(&a.state, "/api/v1/changes?source=bbc").await;
    assert_eq!(bbc["items"], Value::Array(Vec::new()));
}

/// Searches wait for a slot (two per core): many at once, far more than the slots, each gets
/// its own answer, and none is left waiting (a slot that were never given back would hang the
/// later ones).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_searches_at_once_all_get_their_own_answers() {
    let a = archive();
    let queries = [
        ("%E7%AC%AC%E4%BA%8C%E6%AE%B5", 1), // 第二段
        ("%E6%B8%AC%E8%A9%A6", 1),          // 測試
        ("%E7%9A%84", 2),                   // 的
        ("nothingmatches", 0),
    ];
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..64usize {
        let state = a.state.clone();
        let (q, want) = queries[i % queries.len()];
        // Distinct queries (the limit differs), so that the result cache answers none of them.
        let uri = format!("/api/v1/search?q={q}&limit={}", 1 + i);
        tasks.spawn(async move {
            let (status, results) = get(&state, &uri).await;
            (uri, status, results, want)
        });
    }
    let all = tokio::time::timeout(std::time::Duration::from_secs(60), tasks.join_all())
        .await
        .expect("every search answers");
    assert_eq!(all.len(), 64);
    for (uri, status, results, want) in all {
        assert_eq!(status, StatusCode::OK, "{uri}: {results}");
        assert_eq!(results["total"], want, "{uri}: {results}");
    }
}

#[tokio::test]
async fn search_answers_in_the_cli_json_shape() {
    let a = archive();
    let (status, results) = get(&a.state, "/api/v1/search?q=%E7%AC%AC%E4%BA%8C%E6%AE%B5").await;
    assert_eq!(status, StatusCode::OK, "{results}");
    let mut fields: Vec<&str> = results
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["hits", "query", "took_ms", "total", "total_exact"]);
    assert_eq!(results["total_exact"], true);
    assert_eq!(results["query"], "第二段");
    assert_eq!(results["total"], 1);
    let hit = &results["hits"][0];
    let mut fields: Vec<&str> = hit
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "key",
            "published",
            "score",
            "snippet",
            "source",
            "title",
            "url"
        ]
    );
    assert_eq!(hit["key"], a.edited.as_str());
    assert_eq!(hit["published"], "2024-05-01T03:00:00Z");
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>第二段</mark>"),
        "{hit}"
    );

    // Traditional characters find simplified text; filters narrow.
    let (_, results) = get(&a.state, "/api/v1/search?q=%E6%B8%AC%E8%A9%A6").await; // 測試
    assert_eq!(results["total"], 1, "{results}");
    assert_eq!(results["hits"][0]["key"], a.edited.as_str());
    let (_, results) = get(&a.state, "/api/v1/search?q=test&source=bbc&sort=date").await;
    assert_eq!(results["total"], 1, "{results}");
    let (_, results) = get(&a.state, "/api/v1/search?q=test&source=rfi").await;
    assert_eq!(results["total"], 0, "{results}");
    let (_, results) = get(
        &a.state,
        "/api/v1/search?q=%E6%96%87%E7%AB%A0&since=2024-05-01T02:30:00Z",
    )
    .await;
    assert_eq!(
        results["total"], 0,
        "only the gone article says 文章: {results}"
    );
    let (_, results) = get(
        &a.state,
        "/api/v1/search?q=%E6%96%87%E7%AB%A0&until=2024-05-02",
    )
    .await;
    assert_eq!(results["total"], 1, "{results}");
    let (_, results) = get(&a.state, "/api/v1/search?q=%E7%9A%84&limit=1&offset=1").await; // 的
    assert_eq!(
        (
            results["total"].clone(),
            results["hits"].as_array().unwrap().len()
        ),
        (2.into(), 1)
    );
    // A count limit stops counting after the page: the page is the same, the total a lower
    // bound that says so.
    let both = "/api/v1/search?q=%E7%9A%84+%E5%90%8E%E6%9D%A5&limit=1"; // 的 后来
    let (_, all) = get(&a.state, both).await;
    assert_eq!(
        (all["total"].clone(), all["total_exact"].clone()),
        (2.into(), true.into())
    );
    let (status, counted) = get(&a.state, &format!("{both}&count_limit=0")).await;
    assert_eq!(status, StatusCode::OK, "{counted}");
    assert_eq!(
        (counted["total"].clone(), counted["total_exact"].clone()),
        (1.into(), false.into()),
        "{counted}"
    );
    assert_eq!(counted["hits"], all["hits"]);
    let (status, _) = get(&a.state, &format!("{both}&count_limit=many")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn junk_is_a_json_400_that_names_the_problem() {
    let a = archive();
    let cases = [
        ("/api/v1/articles/zzz", "key"),
        ("/api/v1/articles/0123456789ABCDEF", "key"),
        ("/api/v1/articles/zzz/versions", "key"),
        ("/api/v1/articles/zzz/events", "key"),
        (
            &format!("/api/v1/articles/{}/versions/0", a.edited),
            "version",
        ),
        (
            &format!("/api/v1/articles/{}/versions/x", a.edited),
            "version",
        ),
        (
            &format!("/api/v1/articles/{}/versions/99999999999", a.edited),
            "version",
        ),
        ("/api/v1/articles?limit=-1", "limit"),
        ("/api/v1/articles?limit=0", "limit"),
        ("/api/v1/articles?limit=201", "limit"),
        ("/api/v1/articles?limit=ten", "limit"),
        ("/api/v1/articles?limit=1&limit=2", "limit"),
        ("/api/v1/articles?after=%ZZ", "after"),
        ("/api/v1/articles?after=12", "after"),
        ("/api/v1/articles?source=.hidden", "source"),
        ("/api/v1/changes?after=%ZZ", "after"),
        ("/api/v1/changes?after=yesterday~rfi~1", "after"),
        ("/api/v1/changes?limit=-1", "limit"),
        ("/api/v1/search", "q"),
        ("/api/v1/search?q=", "q"),
        ("/api/v1/search?q=%22unclosed", "q"),
        ("/api/v1/search?q=-only", "q"),
        ("/api/v1/search?q=a&since=yesterday", "since"),
        ("/api/v1/search?q=a&until=2024-13-01", "until"),
        (
            "/api/v1/search?q=a&since=2024-05-02&until=2024-05-01",
            "since",
        ),
        ("/api/v1/search?q=a&limit=-1", "limit"),
        ("/api/v1/search?q=a&limit=101", "limit"),
        ("/api/v1/search?q=a&offset=x", "offset"),
        ("/api/v1/search?q=a&sort=random", "sort"),
        ("/api/v1/sources/%2e%2e", "id"),
        ("/api/v1/articles/%FF%FE", "path"),
    ];
    for (uri, names) in cases {
        let (status, body) = get(&a.state, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_eq!(body["code"], "bad_request", "{uri}");
        let message = body["error"].as_str().unwrap();
        assert!(message.contains(names), "{uri}: {message:?} names {names}");
    }
}

#[tokio::test]
async fn unknown_things_are_a_json_404() {
    let a = archive();
    for uri in [
        "/api/v1/articles/0123456789abcdef",
        "/api/v1/articles/0123456789abcdef/versions",
        "/api/v1/articles/0123456789abcdef/versions/1",
        "/api/v1/articles/0123456789abcdef/events",
        &format!("/api/v1/articles/{}/versions/3", a.edited),
        "/api/v1/articles?source=nobody",
        "/api/v1/sources/nobody",
        "/api/v1/nope",
    ] {
        let (status, body) = get(&a.state, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
        assert_eq!(body["code"], "not_found", "{uri}");
    }
    let (_, body) = get(
        &a.state,
        &format!("/api/v1/articles/{}/versions/3", a.edited),
    )
    .await;
    assert!(body["error"].as_str().unwrap().contains("1 to 2"), "{body}");
}

#[tokio::test]
async fn everything_but_admin_is_read_only() {
    let a = archive();
    for (method, uri) in [
        (Method::POST, "/api/v1/articles"),
        (
            Method::DELETE,
            format!("/api/v1/articles/{}", a.edited).as_str(),
        ),
        (Method::PUT, "/api/v1/health"),
        (Method::PATCH, "/api/v1/sources/rfi"),
        (Method::GET, "/api/v1/sources/rfi/refresh"),
        (Method::POST, "/api/v1/search?q=a"),
    ] {
        let (status, body) = send(&a.state, method.clone(), uri).await;
        assert_eq!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}: {body}"
        );
        assert_eq!(body["code"], "method_not_allowed");
    }
}

#[tokio::test]
async fn one_source_and_the_openapi_document() {
    let a = archive();
    let (status, rfi) = get(&a.state, "/api/v1/sources/rfi").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rfi["name"], "法广");
    assert_eq!(rfi["last_success"], Value::Null);
    let (status, doc) = get(&a.state, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
}

#[tokio::test]
async fn search_without_a_search_index_is_503_and_does_not_create_one() {
    let tmp = tempfile::tempdir().unwrap();
    archive::Archive::open(tmp.path()).unwrap();
    let state = WebState::new(tmp.path(), Vec::new());
    let (status, body) = get(&state, "/api/v1/search?q=a").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["code"], "unavailable");
    assert!(body["error"].as_str().unwrap().contains("search"), "{body}");
    assert!(
        !tmp.path().join("search").exists(),
        "the server must not create it"
    );
}
