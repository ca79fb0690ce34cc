//! The admin API on the real `newsvault run` (a fixture site on 127.0.0.1, never the internet):
//! the token guard, and that the daemon follows source changes without a restart.
//!
//! - no token → 401, a wrong one → 403, and nothing changes;
//! - a source added over the API is checked by the scheduler and its article archived;
//!   `newsvault.toml` lists it, comments intact;
//! - a refresh checks it now and logs a new capture;
//! - a removed source leaves the configuration and `/api/v1/sources`; its articles stay readable;
//! - a hand edit of `newsvault.toml` followed by SIGHUP adds a source the same way.

mod common;

use common::daemon::{Daemon, config_text, early_id, wait_health};
use common::http::{free_port, get, request};
use common::site::{Fixture, full_text_rss, ok};
use common::{code, nv, stderr, stdout};
use std::path::Path;
use std::time::{Duration, Instant};

const TOKEN: &str = "admin-token-for-the-test-0123";
const COMMENT: &str = "# 手写的注释：管理接口修改时必须保留";
const SOURCE_COMMENT: &str = "# the first source, kept by hand";

/// `GET path` as JSON, asserting a 200.
fn get_json(port: u16, path: &str) -> serde_json::Value {
    let (status, body) = get(port, path).unwrap();
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
}

/// The articles the API lists now (the first page is enough here).
fn article_urls(port: u16) -> Vec<(String, String)> {
    let page = get_json(port, "/api/v1/articles?limit=200");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["url"].as_str().unwrap().to_owned(),
                a["key"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Polls `/api/v1/articles` until `url` is listed (30 s at most); returns its key.
fn wait_article(daemon: &mut Daemon, port: u16, url: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        daemon.assert_running();
        if let Some((_, key)) = article_urls(port).into_iter().find(|(u, _)| u == url) {
            return key;
        }
        assert!(
            Instant::now() < deadline,
            "{url} was never archived\n{}",
            daemon.output()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn source_ids(port: u16) -> Vec<String> {
    get_json(port, "/api/v1/sources")
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

fn capture_lines(data: &Path, source: &str) -> usize {
    std::fs::read_to_string(data.join("archive").join(source).join("captures.jsonl"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[test]
fn admin_edits_reach_the_running_daemon_and_keep_the_configuration_and_the_archive() {
    let fx = Fixture::start();
    let (first, added, hup) = (early_id("first"), early_id("added"), early_id("hup"));
    fx.put(
        "/first.xml",
        ok(
            "application/rss+xml",
            full_text_rss(&fx.base, &[("f1", "第一台的报道", "<p>第一台的正文。</p>")]),
        ),
    );
    fx.put(
        "/added.xml",
        ok(
            "application/rss+xml",
            full_text_rss(
                &fx.base,
                &[("a1", "新加的报道", "<p>新加入的来源的正文。</p>")],
            ),
        ),
    );
    fx.put(
        "/hup.xml",
        ok(
            "application/rss+xml",
            full_text_rss(
                &fx.base,
                &[("h1", "手改配置的报道", "<p>手改配置后的正文。</p>")],
            ),
        ),
    );

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let config = config_text(&listen, &[(&first, format!("{}/first.xml", fx.base), true)])
        .replacen(
            "[server]\n",
            &format!("{COMMENT}\n[server]\nadmin_token = \"{TOKEN}\"\n"),
            1,
        )
        .replacen(
            "\n[[sources]]\n",
            &format!("\n{SOURCE_COMMENT}\n[[sources]]\n"),
            1,
        );
    let config_file = data.join("newsvault.toml");
    std::fs::write(&config_file, &config).unwrap();
    let mut daemon = Daemon::start(&data, &listen);
    wait_health(&mut daemon, port, "the server", |_| true);
    wait_article(&mut daemon, port, &format!("{}/a/f1.html", fx.base));

    // The token guard: nothing is added without the token.
    let body = format!(
        r#"{{"id": "{added}", "name": "新来源", "url": "{}/added.xml", "full_text": true, "interval_minutes": 60}}"#,
        fx.base
    );
    let wrong = format!("Bearer {TOKEN}-not");
    let right = format!("Bearer {TOKEN}");
    let (status, text) = request(port, "POST", "/api/v1/sources", &[], Some(&body)).unwrap();
    assert_eq!(status, 401, "{text}");
    let (status, text) = request(
        port,
        "POST",
        "/api/v1/sources",
        &[("Authorization", &wrong)],
        Some(&body),
    )
    .unwrap();
    assert_eq!(status, 403, "{text}");
    assert_eq!(std::fs::read_to_string(&config_file).unwrap(), config);
    assert_eq!(source_ids(port), [first.as_str()]);

    // Added with the token: the scheduler of the running daemon archives its article.
    let (status, text) = request(
        port,
        "POST",
        "/api/v1/sources",
        &[("Authorization", &right)],
        Some(&body),
    )
    .unwrap();
    assert_eq!(status, 201, "{text}");
    assert_eq!(source_ids(port), [first.as_str(), added.as_str()]);
    let added_url = format!("{}/a/a1.html", fx.base);
    let key = wait_article(&mut daemon, port, &added_url);
    assert_eq!(fx.requests("/added.xml").len(), 1, "checked once");
    let saved = std::fs::read_to_string(&config_file).unwrap();
    assert!(
        saved.starts_with(&format!("{COMMENT}\n")) && saved.contains(SOURCE_COMMENT),
        "comments kept:\n{saved}"
    );
    assert!(saved.contains(&format!("id = \"{added}\"")), "{saved}");
    assert!(saved.contains(&format!("{}/added.xml", fx.base)), "{saved}");

    // A refresh checks it now: the feed has a new item, which is a new capture.
    fx.put(
        "/added.xml",
        ok(
            "application/rss+xml",
            full_text_rss(
                &fx.base,
                &[
                    ("a2", "新加的第二篇", "<p>第二篇的正文。</p>"),
                    ("a1", "新加的报道", "<p>新加入的来源的正文。</p>"),
                ],
            ),
        ),
    );
    let before = capture_lines(&data, &added);
    let (status, text) = request(
        port,
        "POST",
        &format!("/api/v1/sources/{added}/refresh"),
        &[("Authorization", &right)],
        None,
    )
    .unwrap();
    assert!((200..300).contains(&status), "{status}: {text}");
    let summary: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(summary["new"], 1, "{summary}");
    assert_eq!(capture_lines(&data, &added), before + 1);
    assert!(
        article_urls(port)
            .iter()
            .any(|(u, _)| u == &format!("{}/a/a2.html", fx.base))
    );

    // Removed: gone from the configuration and the API; what it archived stays readable.
    let (status, text) = request(
        port,
        "DELETE",
        &format!("/api/v1/sources/{added}"),
        &[("Authorization", &right)],
        None,
    )
    .unwrap();
    assert_eq!(status, 200, "{text}");
    assert_eq!(source_ids(port), [first.as_str()]);
    let saved = std::fs::read_to_string(&config_file).unwrap();
    assert!(!saved.contains(&added), "{saved}");
    assert!(
        saved.starts_with(&format!("{COMMENT}\n")) && saved.contains(SOURCE_COMMENT),
        "comments kept:\n{saved}"
    );
    let article = get_json(port, &format!("/api/v1/articles/{key}"));
    assert_eq!(article["url"], added_url.as_str(), "{article}");
    let (status, page) = get(port, &format!("/articles/{key}")).unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("新加入的来源的正文"), "{page}");
    assert_eq!(capture_lines(&data, &added), before + 1, "nothing deleted");

    // A hand edit takes effect on SIGHUP.
    let edited = format!(
        "{saved}\n# added by hand\n[[sources]]\nid = \"{hup}\"\nurl = \"{}/hup.xml\"\nfull_text = true\ninterval = 60\n",
        fx.base
    );
    std::fs::write(&config_file, &edited).unwrap();
    let pid = daemon.child.id() as libc::pid_t;
    // SAFETY: plain kill(2) of our own child, which has not been reaped yet.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
    wait_article(&mut daemon, port, &format!("{}/a/h1.html", fx.base));
    assert_eq!(source_ids(port), [first.as_str(), hup.as_str()]);

    // SAFETY: as above.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = daemon.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = daemon.output();
    assert_eq!(status.code(), Some(0), "{output}");
    assert!(output.contains("reloaded the sources"), "{output}");
    let out = nv(&data, &["verify"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
}
