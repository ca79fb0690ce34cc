//! Commands that take a URL fetch it through the fetch crate (from a server on 127.0.0.1).

mod common;
use common::*;
use std::io::{Read, Write};

/// Serves `responses` (status line, content type, body), one per connection, on 127.0.0.1.
fn serve(responses: Vec<(&'static str, &'static str, &'static str)>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for (status, content_type, body) in responses {
            let (mut conn, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(body.as_bytes());
        }
    });
    base
}

#[test]
fn feed_parse_reads_a_url_and_resolves_against_it() {
    let rss = r#"<rss version="2.0"><channel><title>测试频道</title><item><title>第一条</title><link>/a/1.html</link></item></channel></rss>"#;
    let base = serve(vec![("200 OK", "application/rss+xml; charset=utf-8", rss)]);
    let out = bin()
        .args(["feed", "parse", &format!("{base}/feed.xml")])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["title"], "测试频道");
    assert_eq!(doc["entries"][0]["link"], format!("{base}/a/1.html"));
}

#[test]
fn a_url_that_answers_404_is_a_named_failure() {
    let base = serve(vec![("404 Not Found", "text/plain", "gone")]);
    let out = bin()
        .args(["feed", "parse", &format!("{base}/missing.xml")])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("HTTP 404"), "{}", stderr(&out));
}

#[test]
fn extract_prints_the_contract_json_for_a_file_and_a_url() {
    let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/pages/rfi/article.html");
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(page.with_file_name("article.expected.json")).unwrap(),
    )
    .unwrap();
    let url = expected["url"].as_str().unwrap();
    let out = bin()
        .args(["extract", page.to_str().unwrap(), "--url", url, "--json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    for key in [
        "url",
        "title",
        "byline",
        "published",
        "language",
        "lead_image",
        "html",
        "text",
    ] {
        assert!(doc.get(key).is_some(), "missing {key}: {doc}");
    }
    for key in ["title", "byline", "published", "text"] {
        assert_eq!(doc[key], expected[key], "{key}");
    }

    // The same page served over HTTP.
    let html: &'static str = Box::leak(std::fs::read_to_string(&page).unwrap().into_boxed_str());
    let base = serve(vec![("200 OK", "text/html; charset=utf-8", html)]);
    let out = bin()
        .args(["extract", &format!("{base}/cn/a.html"), "--json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["title"], expected["title"]);
    assert_eq!(doc["text"], expected["text"]);
}
