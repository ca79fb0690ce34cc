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

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use common::{bin, code, nv, stderr, stdout};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `run`'s grace period for checks in flight after a stop signal (`cmd/run.rs`).
const GRACE: Duration = Duration::from_secs(20);

/// One page of the fixture site.
#[derive(Clone)]
enum Page {
    /// A fixed answer; a 200 carries an ETag and a matching `If-None-Match` gets 304.
    Canned {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// An HTML page sent in two parts: `head` at once, `tail` once `gate` is open.
    Stalled {
        head: String,
        tail: String,
        gate: Arc<AtomicBool>,
    },
}

#[derive(Default)]
struct Site {
    pages: HashMap<String, Page>,
    /// Every request: path and its `If-None-Match`.
    log: Vec<(String, Option<String>)>,
}

type Shared = Arc<Mutex<Site>>;

async fn answer(State(site): State<Shared>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let inm = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let page = {
        let mut site = site.lock().unwrap();
        site.log.push((path.clone(), inm.clone()));
        site.pages.get(&path).cloned()
    };
    match page {
        None => (StatusCode::NOT_FOUND, "no such page").into_response(),
        Some(Page::Canned {
            status,
            content_type,
            body,
        }) => {
            let etag = format!("\"{}\"", &model::sha256_hex(&body)[..12]);
            if status == 200 && inm.as_deref() == Some(etag.as_str()) {
                return StatusCode::NOT_MODIFIED.into_response();
            }
            let mut r = (StatusCode::from_u16(status).unwrap(), body).into_response();
            let headers = r.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            if status == 200 {
                headers.insert(header::ETAG, HeaderValue::from_str(&etag).unwrap());
            }
            r
        }
        Some(Page::Stalled { head, tail, gate }) => {
            let tail = futures_util::stream::once(async move {
                while !gate.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Ok::<_, std::io::Error>(Bytes::from(tail))
            });
            let body = futures_util::stream::iter([Ok(Bytes::from(head))]).chain(tail);
            let mut r = Body::from_stream(body).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        }
    }
}

/// The fixture site, served from its own runtime for as long as this lives.
struct Fixture {
    base: String,
    site: Shared,
    _runtime: tokio::runtime::Runtime,
}

impl Fixture {
    fn start() -> Fixture {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let site = Shared::default();
        let app = Router::new().fallback(answer).with_state(site.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
        Fixture {
            base,
            site,
            _runtime: runtime,
        }
    }

    fn put(&self, path: &str, page: Page) {
        self.site
            .lock()
            .unwrap()
            .pages
            .insert(path.to_owned(), page);
    }

    /// The `If-None-Match` of every request for `path`, in order.
    fn requests(&self, path: &str) -> Vec<Option<String>> {
        let site = self.site.lock().unwrap();
        site.log
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, inm)| inm.clone())
            .collect()
    }
}

fn ok(content_type: &'static str, body: impl Into<Vec<u8>>) -> Page {
    Page::Canned {
        status: 200,
        content_type,
        body: body.into(),
    }
}

/// A full-text RSS feed of `(slug, title, body)` items linking to `base/a/<slug>.html`.
fn full_text_rss(base: &str, items: &[(&str, &str, &str)]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>测试台</title>",
    );
    for (slug, title, body) in items {
        out.push_str(&format!(
            "<item><title>{title}</title><link>{base}/a/{slug}.html</link><guid>{slug}</guid>\
             <pubDate>Wed, 25 Nov 2026 08:00:00 GMT</pubDate><description>摘要</description>\
             <content:encoded><![CDATA[{body}]]></content:encoded></item>"
        ));
    }
    out.push_str("</channel></rss>");
    out
}

/// A summary-only RSS feed with one item whose page is `base/<page>`.
fn summary_rss(base: &str, page: &str, title: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>摘要台</title>\
         <item><title>{title}</title><link>{base}{page}</link><guid>{base}{page}</guid>\
         <pubDate>Wed, 25 Nov 2026 09:00:00 GMT</pubDate><description>只有摘要。</description></item>\
         </channel></rss>"
    )
}

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

/// Writes `DATA/newsvault.toml`: `sources` are (id, feed URL, full text).
fn write_config(data: &Path, listen: &str, sources: &[(&str, String, bool)]) {
    std::fs::create_dir_all(data).unwrap();
    let mut text = format!(
        "[server]\nlisten = \"{listen}\"\n\n[fetch]\nper_host_concurrency = 16\nmin_interval_ms = 0\n\
         max_attempts = 1\nconnect_timeout_secs = 5\ntotal_timeout_secs = 60\n"
    );
    for (id, url, full_text) in sources {
        text.push_str(&format!(
            "\n[[sources]]\nid = \"{id}\"\nname = \"{id} 台\"\nurl = \"{url}\"\nfull_text = {full_text}\ninterval = 60\n"
        ));
    }
    std::fs::write(data.join("newsvault.toml"), text).unwrap();
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

/// A running `newsvault run`, killed if the test fails before it stops.
struct Daemon {
    child: Child,
    log: PathBuf,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    fn start(data: &Path, listen: &str) -> Daemon {
        let log = data.with_extension("run.log");
        let child = bin()
            .arg("--data")
            .arg(data)
            .args(["run", "--listen", listen])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start newsvault run");
        Daemon { child, log }
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Fails the test if the daemon has exited.
    fn assert_running(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("run exited early with {status}:\n{}", self.output());
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET path` over plain HTTP/1.1: (status code, body).
fn get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut conn = TcpStream::connect(("127.0.0.1", port))?;
    conn.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    conn.read_to_string(&mut response)?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// Polls `/api/v1/health` until it answers 200 and `ready` holds for its JSON (20 s at most).
fn wait_health(
    daemon: &mut Daemon,
    port: u16,
    what: &str,
    ready: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last = String::new();
    loop {
        daemon.assert_running();
        if let Ok((200, body)) = get(port, "/api/v1/health") {
            let health: serde_json::Value = serde_json::from_str(&body).unwrap();
            if ready(&health) {
                return health;
            }
            last = body;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; last health: {last}\n{}",
            daemon.output()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// An id starting with `prefix` that the scheduler checks within its first second (it spreads
/// never-checked sources over ten seconds by a hash of the id, `ingest::schedule::run`). Only
/// saves test time: the test waits for the checks either way.
fn early_id(prefix: &str) -> String {
    (0..)
        .map(|i| format!("{prefix}{i}"))
        .find(|id| {
            let hash = model::sha256_hex(id.as_bytes());
            u64::from_str_radix(&hash[..8], 16).unwrap() % 10_000 < 1_000
        })
        .unwrap()
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
