//! `fetch` and `run` end to end: the real binary against a fixture site on 127.0.0.1 (never the
//! internet), with a `newsvault.toml` written by the test (per-host limits relaxed, no retries).
//!
//! - `fetch` over a good, a broken and a failing source: a row per source, exit 2, the good
//!   source archived, the errors recorded on the sources; a second `fetch` asks conditionally
//!   and stores nothing.
//! - `run`: the health endpoint shows the sources' states after their first checks; SIGTERM
//!   while article pages are stalled mid-body: a check that finishes within the grace period is
//!   committed, one that does not is dropped whole, the process exits 0, `verify` passes, no WARC
//!   file is left open, a later `fetch` completes the interrupted source, and `export warc`
//!   of it all passes `warcio check`.

mod common;

use common::daemon::{Daemon, early_id, wait_health, write_config};
use common::http::free_port;
use common::site::{Fixture, Page, full_text_rss, ok, summary_rss};
use common::{code, nv, stderr, stdout};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// `run`'s grace period for checks in flight after a stop signal (`cmd/run.rs`).
const GRACE: Duration = Duration::from_secs(20);

/// An article page cut in two: the tail closes the article and the document.
fn stalled_page(title: &str, gate: &Arc<AtomicBool>) -> Page {
    let paragraphs: String = (1..=5)
        .map(|i| {
            format!("<p>{title}的第{i}段：记者在现场看到的情况被完整地记录下来，没有删节。</p>")
        })
        .collect();
    Page::Stalled {
        head: format!(
            "<!doctype html><html><head><title>{title} - 测试台</title></head><body>\
             <nav><a href=\"/\">首页</a></nav><article><h1>{title}</h1>{paragraphs}"
        ),
        tail: format!(
            "<p>{title}的最后一段。</p></article><footer>版权所有</footer></body></html>"
        ),
        gate: gate.clone(),
    }
}

/// The capture-log lines of one source (none when it has no log yet).
fn captures(data: &Path, source: &str) -> Vec<serde_json::Value> {
    let path = data.join("archive").join(source).join("captures.jsonl");
    match std::fs::read_to_string(&path) {
        Ok(text) => text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

fn events(data: &Path, source: &str) -> Vec<String> {
    captures(data, source)
        .iter()
        .map(|c| c["event"].as_str().unwrap().to_owned())
        .collect()
}

/// The row of `fetch`'s summary table for `source`, split on whitespace.
fn row(table: &str, source: &str) -> Vec<String> {
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| l.split_whitespace().next() == Some(source))
        .collect();
    assert_eq!(rows.len(), 1, "one row for {source} in:\n{table}");
    rows[0].split_whitespace().map(str::to_owned).collect()
}

/// Every file under `dir` whose name ends with `suffix`.
fn files_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(suffix) {
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn fetch_reports_every_source_then_asks_conditionally_and_stores_nothing_new() {
    let fx = Fixture::start();
    let items = [
        ("one", "第一篇", "<p>第一篇的正文，关于一次会议。</p>"),
        ("two", "第二篇", "<p>第二篇的正文，关于一场洪水。</p>"),
    ];
    fx.put(
        "/good.xml",
        ok("application/rss+xml", full_text_rss(&fx.base, &items)),
    );
    // Not a feed at all (a maintenance page). Broken feed XML is recovered when it is still
    // recognisably a feed, by design, so it would not fail.
    fx.put(
        "/broken.xml",
        ok(
            "application/rss+xml",
            "<html><body><p>系统维护中，请稍后再试</p></body></html>",
        ),
    );
    fx.put(
        "/down.xml",
        Page::Canned {
            status: 500,
            content_type: "text/plain",
            body: b"internal error".to_vec(),
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sources = [
        ("good", format!("{}/good.xml", fx.base), true),
        ("broken", format!("{}/broken.xml", fx.base), true),
        ("down", format!("{}/down.xml", fx.base), true),
    ];
    write_config(&data, "127.0.0.1:0", &sources);

    let out = nv(&data, &["fetch"]);
    let (table, err) = (stdout(&out), stderr(&out));
    assert_eq!(code(&out), 2, "stdout:\n{table}\nstderr:\n{err}");
    assert_eq!(row(&table, "good")[1], "2", "{table}");
    assert!(
        row(&table, "broken").contains(&"failed".to_owned()),
        "{table}"
    );
    assert!(
        row(&table, "down").contains(&"failed".to_owned()),
        "{table}"
    );
    assert!(
        err.contains("failed: broken") && err.contains("failed: down"),
        "{err}"
    );
    assert_eq!(events(&data, "good"), ["new", "new"]);
    assert!(events(&data, "broken").is_empty() && events(&data, "down").is_empty());

    let out = nv(&data, &["sources", "list", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let state = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("{id} listed in {list}"))
            .clone()
    };
    assert!(state("good")["last_error"].is_null(), "{list}");
    assert!(state("good")["last_success"].is_string(), "{list}");
    for (id, needle) in [("broken", "broken.xml"), ("down", "500")] {
        let e = state(id)["last_error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(e.contains(needle), "{id}: {e:?} in {list}");
    }

    // Again: the good feed is asked with its validator, answers 304, and nothing is stored.
    let out = nv(&data, &["fetch"]);
    let table = stdout(&out);
    assert_eq!(code(&out), 2, "{table}\n{}", stderr(&out));
    let asked = fx.requests("/good.xml");
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert!(asked[0].is_none() && asked[1].is_some(), "{asked:?}");
    assert_eq!(row(&table, "good")[1], "0", "{table}");
    assert!(table.contains("not modified"), "{table}");
    assert_eq!(events(&data, "good"), ["new", "new"]);
    // The articles' pages were never needed: the feed carries the full text.
    assert!(fx.requests("/a/one.html").is_empty());

    let out = nv(&data, &["verify"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn run_reports_sources_and_sigterm_mid_fetch_loses_nothing_and_a_restart_resumes() {
    let fx = Fixture::start();
    let (good, down, held, stalled) = (
        early_id("good"),
        early_id("down"),
        early_id("held"),
        early_id("stalled"),
    );
    fx.put(
        "/good.xml",
        ok(
            "application/rss+xml",
            full_text_rss(&fx.base, &[("g", "好消息", "<p>完整的正文。</p>")]),
        ),
    );
    fx.put(
        "/down.xml",
        Page::Canned {
            status: 500,
            content_type: "text/plain",
            body: b"internal error".to_vec(),
        },
    );
    // Two summary-only feeds whose article pages stall mid-body: `held` is released just after
    // the stop signal (its check must still be committed), `stalled` only after the daemon is
    // gone (its check is cut off at the end of the grace period).
    let held_gate = Arc::new(AtomicBool::new(false));
    let stalled_gate = Arc::new(AtomicBool::new(false));
    fx.put(
        "/held.xml",
        ok(
            "application/rss+xml",
            summary_rss(&fx.base, "/held.html", "被拖住的报道"),
        ),
    );
    fx.put("/held.html", stalled_page("被拖住的报道", &held_gate));
    fx.put(
        "/stalled.xml",
        ok(
            "application/rss+xml",
            summary_rss(&fx.base, "/stalled.html", "中断的报道"),
        ),
    );
    fx.put("/stalled.html", stalled_page("中断的报道", &stalled_gate));

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    write_config(
        &data,
        &listen,
        &[
            (good.as_str(), format!("{}/good.xml", fx.base), true),
            (down.as_str(), format!("{}/down.xml", fx.base), true),
            (held.as_str(), format!("{}/held.xml", fx.base), false),
            (stalled.as_str(), format!("{}/stalled.xml", fx.base), false),
        ],
    );
    let mut daemon = Daemon::start(&data, &listen);

    wait_health(&mut daemon, port, "the server", |_| true);
    let health = wait_health(&mut daemon, port, "the first checks", |h| {
        let Some(sources) = h["sources"].as_array() else {
            return false;
        };
        let source = |id: &str| sources.iter().find(|s| s["id"] == id).cloned();
        source(&good).is_some_and(|s| s["last_success"].is_string())
            && source(&down).is_some_and(|s| s["last_error"].is_string())
    });
    assert_eq!(health["status"], "degraded", "{health}");
    let sources = health["sources"].as_array().unwrap();
    let ids: Vec<&str> = sources.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [&good, &down, &held, &stalled], "{health}");
    let down_state = sources.iter().find(|s| s["id"] == down.as_str()).unwrap();
    assert!(
        down_state["last_error"].as_str().unwrap().contains("500"),
        "{health}"
    );
    assert_eq!(down_state["failures"], 1, "{health}");
    assert_eq!(events(&data, &good), ["new"]);

    // Both pages have started: their checks are in flight.
    let deadline = Instant::now() + Duration::from_secs(15);
    while fx.requests("/held.html").is_empty() || fx.requests("/stalled.html").is_empty() {
        daemon.assert_running();
        assert!(
            Instant::now() < deadline,
            "the pages were never requested\n{}",
            daemon.output()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    let pid = daemon.child.id() as libc::pid_t;
    // SAFETY: plain kill(2) of our own child, which has not been reaped yet.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let stopping = Instant::now();
    std::thread::sleep(Duration::from_millis(500));
    held_gate.store(true, Ordering::SeqCst);
    let status = loop {
        if let Some(status) = daemon.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            stopping.elapsed() < GRACE + Duration::from_secs(6),
            "still running {:?} after SIGTERM\n{}",
            stopping.elapsed(),
            daemon.output()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = daemon.output();
    assert_eq!(status.code(), Some(0), "{output}");
    assert!(output.contains("stopped cleanly"), "{output}");

    // The check that finished within the grace period is committed; the cut one left nothing.
    assert_eq!(events(&data, &held), ["new"], "{output}");
    assert!(events(&data, &stalled).is_empty(), "{output}");
    let open = files_ending(&data.join("warc"), ".open");
    assert!(open.is_empty(), "WARC files left open: {open:?}");
    assert!(!files_ending(&data.join("warc"), ".warc.gz").is_empty());
    let out = nv(&data, &["verify"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));

    // The page answers in full now; the interrupted source is completed by the next check.
    stalled_gate.store(true, Ordering::SeqCst);
    let out = nv(&data, &["fetch", "--source", &stalled]);
    let table = stdout(&out);
    assert_eq!(code(&out), 0, "{table}\n{}", stderr(&out));
    assert_eq!(row(&table, &stalled)[1], "1", "{table}");
    let log = captures(&data, &stalled);
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["event"], "new");
    assert_eq!(log[0]["url"], format!("{}/stalled.html", fx.base));
    let records = files_ending(&data.join("archive").join(&stalled), "/v1.md");
    assert_eq!(records.len(), 1, "{records:?}");
    let record = std::fs::read_to_string(&records[0]).unwrap();
    assert!(
        record.contains("中断的报道的最后一段"),
        "the whole page is archived: {record}"
    );
    let out = nv(&data, &["verify"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));

    // What the interrupted daemon and the resuming fetch wrote exports as one valid WARC.
    let export = dir.path().join("all.warc.gz");
    let out = nv(&data, &["export", "warc", export.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    warcio_check(&export);
}

/// `warcio check FILE` must pass. Runs whenever warcio is installed; on CI it must be.
fn warcio_check(file: &Path) {
    let Ok(out) = std::process::Command::new("warcio")
        .arg("check")
        .arg(file)
        .output()
    else {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI must install warcio (pip install warcio)"
        );
        eprintln!("skipped: warcio is not installed (pip install warcio)");
        return;
    };
    assert!(
        out.status.success(),
        "warcio check {} failed:\n{}{}",
        file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
