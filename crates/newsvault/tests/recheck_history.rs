//! `newsvault recheck` then `newsvault history`: a re-check that finds only the byline changed
//! logs a `byline` event (no new version), and the history shows it, in JSON and for people.
//! The article page is served by a fixture site on 127.0.0.1.

mod common;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use common::{code, nv, stderr, stdout};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Pages = Arc<Mutex<HashMap<String, (&'static str, String)>>>;

async fn answer(State(pages): State<Pages>, req: Request) -> Response {
    match pages.lock().unwrap().get(req.uri().path()).cloned() {
        Some((content_type, body)) => {
            let mut r = body.into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            r
        }
        None => (StatusCode::NOT_FOUND, "no such page").into_response(),
    }
}

fn page(byline: &str) -> String {
    let paragraphs: String = (1..=4)
        .map(|i| format!("<p>这是测试报道的第{i}段，记者在现场看到的情况被完整地记录了下来。</p>"))
        .collect();
    format!(
        "<!doctype html><html><head><title>署名测试</title><meta name=\"author\" content=\"{byline}\">\
         </head><body><article><h1>署名测试</h1>{paragraphs}</article></body></html>"
    )
}

#[test]
fn a_byline_change_is_an_event_in_the_history() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let pages = Pages::default();
    let app = Router::new().fallback(answer).with_state(pages.clone());
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
    let put = |path: &str, content_type: &'static str, body: String| {
        pages
            .lock()
            .unwrap()
            .insert(path.to_owned(), (content_type, body));
    };
    let url = format!("{base}/story.html");
    put(
        "/feed.xml",
        "application/rss+xml",
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>摘要台</title>\
             <item><title>署名测试</title><link>{url}</link><guid>{url}</guid>\
             <pubDate>Wed, 25 Nov 2026 09:00:00 GMT</pubDate><description>只有摘要。</description></item>\
             </channel></rss>"
        ),
    );
    put("/story.html", "text/html; charset=utf-8", page("王五"));

    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("newsvault.toml"),
        format!(
            "[fetch]\nmin_interval_ms = 0\nmax_attempts = 1\n\n\
             [[sources]]\nid = \"sum\"\nname = \"摘要台\"\nurl = \"{base}/feed.xml\"\nfull_text = false\n"
        ),
    )
    .unwrap();
    let run = nv(&data, &["fetch"]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));

    put(
        "/story.html",
        "text/html; charset=utf-8",
        page("王五、赵六"),
    );
    let run = nv(&data, &["recheck", &url]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    assert!(stdout(&run).contains("byline"), "{}", stdout(&run));
    // Seen again unchanged: no second event.
    let run = nv(&data, &["recheck", &url]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    assert!(!stdout(&run).contains("byline"), "{}", stdout(&run));

    let run = nv(&data, &["history", "--json", &url]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&run)).unwrap();
    assert_eq!(doc["versions"].as_array().unwrap().len(), 1, "{doc}");
    let events = doc["events"].as_array().unwrap();
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["new", "byline"], "{doc}");
    assert_eq!(events[0]["byline"], "王五");
    assert_eq!(events[1]["byline"], "王五、赵六");
    assert_eq!(events[1]["version"], 1);
    assert_eq!(
        events[1]["note"],
        r#"byline changed from "王五" to "王五、赵六""#
    );

    let human = stdout(&nv(&data, &["history", &url]));
    assert!(
        human.contains(r#"byline changed from "王五" to "王五、赵六""#),
        "{human}"
    );
    assert_eq!(code(&nv(&data, &["verify"])), 0);
}
