//! Our Atom feeds, read by Python's feedparser (the reference parser) over a real listener:
//! no `bozo`, and title, link, dates and content of every entry are what the test archived.
//!
//! Needs `python3` with `feedparser` (scripts/test.sh installs 6.0.14). Without them the test
//! is skipped with a message, except on CI (`CI=true`), where it fails.

mod support;

use axum::body::Body;
use axum::http::Request;
use model::EventKind;
use newsvault_web as web;
use serde_json::{Value, json};
use std::path::Path;
use support::{Fixture, source};
use tower::ServiceExt;
use web::WebState;

/// 2024-05-01T00:00:00Z.
const MAY_1: i64 = 1_714_521_600_000;
const HOUR: i64 = 3_600_000;

/// Whether `python3` can import feedparser; on CI its absence is a failure.
fn feedparser_available() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import feedparser"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "python3 with feedparser is required on CI (scripts/test.sh installs it)"
        );
        eprintln!(
            "skipping: python3 with feedparser is not installed (pip install feedparser==6.0.14)"
        );
    }
    ok
}

async fn api(state: &WebState, uri: &str) -> Value {
    let response = web::router(state.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{uri}: {}",
        response.status()
    );
    let body = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    serde_json::from_slice(&body).unwrap()
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The expected entry of article `key` in its latest version.
async fn article_entry(state: &WebState, base: &str, key: &str, contains: &[&str]) -> Value {
    let a = api(state, &format!("/api/v1/articles/{key}")).await;
    let content = a["html"]
        .as_str()
        .unwrap()
        .replace("=\"/assets/", &format!("=\"{base}/assets/"));
    json!({
        "id": format!("urn:newsvault:{key}"),
        "title": a["title"],
        "link": format!("{base}/articles/{key}"),
        "published": a["published"],
        "updated": a["captured"],
        "content": content,
        "contains": contains,
    })
}

/// The expected entry of the `n`th observation of `key`.
async fn change_entry(
    state: &WebState,
    base: &str,
    key: &str,
    n: usize,
    title: &str,
    link: &str,
    contains: &[&str],
) -> Value {
    let events = api(state, &format!("/api/v1/articles/{key}/events")).await;
    let e = &events["items"][n];
    json!({
        "id": format!("urn:newsvault:change:{}:{}", e["source"].as_str().unwrap(), e["seq"]),
        "title": title,
        "link": format!("{base}{link}"),
        "published": e["time"],
        "updated": e["time"],
        "contains": contains,
    })
}

fn run_feedcheck(spec: &Value, dir: &Path) {
    let spec_file = dir.join("feedcheck-spec.json");
    std::fs::write(&spec_file, serde_json::to_vec_pretty(spec).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/feedcheck.py");
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(&spec_file)
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(
        output.status.success(),
        "feedparser disagrees:\n{stdout}{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedparser_reads_every_feed_cleanly_and_completely() {
    if !feedparser_available() {
        return;
    }
    let mut f = Fixture::new();
    let image = b"\x89PNG\r\n\x1a\n test bytes we made up";
    f.asset("https://img.example/chart.png", image, "image/png");
    let edited = f.add(
        "rfi",
        "https://news.example/rfi/feed-edited",
        "初版标题 & <测试>",
        "<p>原来的第一段文字。</p>",
        MAY_1 + 3 * HOUR,
    );
    f.add(
        "rfi",
        "https://news.example/rfi/feed-edited",
        "修订后的标题 R&D <测试>",
        "<p>原来的第一段文字。</p><p>新增的第二段，附图：</p>\
         <img src=\"https://img.example/chart.png\" alt=\"图表\"><p>引号\"与'撇号'。</p>",
        MAY_1 + 3 * HOUR,
    );
    let gone = f.add(
        "rfi",
        "https://news.example/rfi/feed-gone",
        "一篇后来消失的报道",
        "<p>这段文字只在存档里还看得到。</p>",
        MAY_1 + 2 * HOUR,
    );
    f.event("rfi", "https://news.example/rfi/feed-gone", EventKind::Gone);
    let plain = f.add(
        "bbc",
        "https://news.example/bbc/feed-plain",
        "An English headline",
        "<p>Plain text written for this test.</p>",
        MAY_1 + HOUR,
    );
    let state = f.state(vec![source("rfi", "法广"), source("bbc", "BBC 中文")]);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(web::serve(listener, state.clone(), async {
        let _ = stopped.await;
    }));

    let e_edited = article_entry(&state, &base, &edited, &["新增的第二段", "/assets/"]).await;
    assert!(
        e_edited["content"]
            .as_str()
            .unwrap()
            .contains(&format!("src=\"{base}/assets/")),
        "archived images are linked absolutely: {e_edited}"
    );
    let e_gone = article_entry(&state, &base, &gone, &["只在存档里还看得到"]).await;
    let e_plain = article_entry(
        &state,
        &base,
        &plain,
        &["Plain text written for this test."],
    )
    .await;
    assert_eq!(e_edited["published"], rfc3339(MAY_1 + 3 * HOUR));

    let spec = json!([
        {
            "url": format!("{base}/feeds/all.atom"),
            "title": "newsvault：全部文章",
            "entries": [e_edited, e_gone, e_plain],
        },
        {
            "url": format!("{base}/feeds/sources/rfi.atom"),
            "title": "newsvault：法广",
            "entries": [e_edited, e_gone],
        },
        {
            "url": format!("{base}/feeds/sources/bbc.atom"),
            "title": "newsvault：BBC 中文",
            "entries": [e_plain],
        },
        {
            "url": format!("{base}/feeds/search.atom?q=%E7%AC%AC%E4%BA%8C%E6%AE%B5"),
            "title": "newsvault 搜索：第二段",
            "entries": [e_edited],
        },
        {
            "url": format!("{base}/feeds/changes.atom"),
            "title": "newsvault：修改与下架",
            "entries": [
                change_entry(
                    &state, &base, &gone, 1,
                    "已下架（gone）：一篇后来消失的报道",
                    &format!("/articles/{gone}"),
                    &["gone", "HTTP 404", "只在存档里还看得到"],
                ).await,
                change_entry(
                    &state, &base, &edited, 1,
                    "已修改：修订后的标题 R&D <测试>",
                    &format!("/articles/{edited}/diff?from=1&to=2"),
                    &["edited", "新增的第二段"],
                ).await,
            ],
        },
    ]);
    let dir = f.data_dir().to_owned();
    tokio::task::spawn_blocking(move || run_feedcheck(&spec, &dir))
        .await
        .unwrap();

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn feed_errors_are_plain_text() {
    let mut f = Fixture::new();
    f.add(
        "rfi",
        "https://news.example/x",
        "标题",
        "<p>正文</p>",
        MAY_1,
    );
    let state = f.state(vec![source("rfi", "法广")]);
    for (uri, status) in [
        ("/feeds/sources/rfi", 404),
        ("/feeds/sources/nobody.atom", 404),
        ("/feeds/sources/.hidden.atom", 400),
        ("/feeds/search.atom", 400),
        ("/feeds/search.atom?q=%22open", 400),
        ("/feeds/changes.atom?source=..", 400),
    ] {
        let response = web::router(state.clone())
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{uri}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain"),
            "{uri}"
        );
    }
    let response = web::router(state)
        .oneshot(Request::get("/feeds/all.atom").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
}
