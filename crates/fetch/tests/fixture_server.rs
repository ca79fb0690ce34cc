//! The fetcher against a misbehaving fixture server on 127.0.0.1 (never the internet), and
//! the WARC it writes checked by a standard validator (warcio) when it is installed.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use fetch::{FetchConfig, FetchError, Fetcher, Request, Route, Validators};
use newsvault_fetch as fetch;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Seen {
    /// (path, when) of every request.
    requests: Vec<(String, Instant)>,
}

type Shared = Arc<Mutex<Seen>>;

fn note(state: &Shared, path: &str) -> usize {
    let mut s = state.lock().unwrap();
    s.requests.push((path.to_owned(), Instant::now()));
    s.requests.iter().filter(|(p, _)| p == path).count()
}

async fn feed(State(s): State<Shared>, headers: HeaderMap) -> Response {
    note(&s, "/feed");
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v == "\"v1\"")
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [
            (header::ETAG, "\"v1\""),
            (header::CONTENT_TYPE, "application/rss+xml"),
        ],
        "<rss><channel><title>新闻</title></channel></rss>",
    )
        .into_response()
}

async fn limited(State(s): State<Shared>) -> Response {
    if note(&s, "/limited") == 1 {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "2")],
            "slow down",
        )
            .into_response();
    }
    "ok".into_response()
}

async fn flaky(State(s): State<Shared>) -> Response {
    if note(&s, "/flaky") < 3 {
        return (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response();
    }
    "recovered".into_response()
}

async fn gone(State(s): State<Shared>) -> Response {
    note(&s, "/gone");
    (StatusCode::NOT_FOUND, "no such article").into_response()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

async fn compressed() -> Response {
    (
        [(header::CONTENT_ENCODING, "gzip")],
        gzip("压缩的正文".repeat(50).as_bytes()),
    )
        .into_response()
}

async fn bomb() -> Response {
    (
        [(header::CONTENT_ENCODING, "gzip")],
        gzip(&vec![b'a'; 20 * 1024 * 1024]),
    )
        .into_response()
}

async fn huge() -> Response {
    vec![b'x'; 3 * 1024 * 1024].into_response()
}

async fn stall() -> Response {
    let stream = futures_util::stream::unfold(0, |n| async move {
        if n > 0 {
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Some((
            Ok::<_, std::io::Error>(Bytes::from_static(b"partial ")),
            n + 1,
        ))
    });
    Body::from_stream(stream).into_response()
}

async fn hop(axum::extract::Path(n): axum::extract::Path<u32>) -> Response {
    if n == 0 {
        return "arrived".into_response();
    }
    (
        StatusCode::FOUND,
        [(header::LOCATION, format!("/hop/{}", n - 1))],
    )
        .into_response()
}

async fn looping() -> Response {
    (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/loop")]).into_response()
}

async fn serve() -> (String, Shared) {
    let state = Shared::default();
    let app = Router::new()
        .route("/feed", get(feed))
        .route("/limited", get(limited))
        .route("/flaky", get(flaky))
        .route("/gone", get(gone))
        .route("/compressed", get(compressed))
        .route("/bomb", get(bomb))
        .route("/huge", get(huge))
        .route("/stall", get(stall))
        .route("/hop/{n}", get(hop))
        .route("/loop", get(looping))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, state)
}

fn config() -> FetchConfig {
    FetchConfig {
        min_interval: Duration::ZERO,
        backoff_base: Duration::from_millis(10),
        total_timeout: Duration::from_secs(2),
        max_body: 1024 * 1024,
        ..FetchConfig::default()
    }
}

#[tokio::test]
async fn a_second_fetch_with_validators_gets_304() {
    let (base, _) = serve().await;
    let f = Fetcher::new(config());
    let first = f
        .fetch(&Request::get(format!("{base}/feed")))
        .await
        .unwrap();
    assert_eq!(first.status, 200);
    assert_eq!(
        String::from_utf8(first.body.clone()).unwrap(),
        "<rss><channel><title>新闻</title></channel></rss>"
    );
    let validators = Validators::from_headers(&first.headers);
    assert_eq!(validators.etag.as_deref(), Some("\"v1\""));
    let second = f
        .fetch(&Request {
            validators,
            ..Request::get(format!("{base}/feed"))
        })
        .await
        .unwrap();
    assert!(second.not_modified());
    assert!(second.body.is_empty());
}

#[tokio::test]
async fn retry_after_is_honoured_before_the_next_request() {
    let (base, state) = serve().await;
    let f = Fetcher::new(config());
    let x = f
        .fetch(&Request::get(format!("{base}/limited")))
        .await
        .unwrap();
    assert_eq!(x.status, 200);
    let seen = state.lock().unwrap();
    let times: Vec<Instant> = seen
        .requests
        .iter()
        .filter(|(p, _)| p == "/limited")
        .map(|(_, t)| *t)
        .collect();
    assert_eq!(times.len(), 2);
    assert!(
        times[1] - times[0] >= Duration::from_millis(1990),
        "asked again after {:?}",
        times[1] - times[0]
    );
}

#[tokio::test]
async fn a_long_retry_after_defers_the_host_instead_of_blocking() {
    let (base, state) = serve().await;
    let f = Fetcher::new(FetchConfig {
        max_wait: Duration::from_secs(1),
        ..config()
    });
    let err = f
        .fetch(&Request::get(format!("{base}/limited")))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Deferred { .. }), "{err}");
    assert!(f.limits().deferred_until("127.0.0.1").await.is_some());
    assert_eq!(state.lock().unwrap().requests.len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_and_client_errors_are_not() {
    let (base, state) = serve().await;
    let f = Fetcher::new(config());
    let x = f
        .fetch(&Request::get(format!("{base}/flaky")))
        .await
        .unwrap();
    assert_eq!((x.status, x.body.as_slice()), (200, &b"recovered"[..]));
    let x = f
        .fetch(&Request::get(format!("{base}/gone")))
        .await
        .unwrap();
    assert_eq!(x.status, 404, "a 404 is an answer, returned as is");
    let seen = state.lock().unwrap();
    assert_eq!(
        seen.requests.iter().filter(|(p, _)| p == "/flaky").count(),
        3
    );
    assert_eq!(
        seen.requests.iter().filter(|(p, _)| p == "/gone").count(),
        1
    );
}

#[tokio::test]
async fn redirects_are_followed_hop_by_hop_and_loops_stop() {
    let (base, _) = serve().await;
    let f = Fetcher::new(config());
    let x = f
        .fetch(&Request::get(format!("{base}/hop/3")))
        .await
        .unwrap();
    assert_eq!(x.final_url, format!("{base}/hop/0"));
    assert_eq!(
        x.hops.iter().map(|h| h.status).collect::<Vec<_>>(),
        [302, 302, 302, 200]
    );
    let err = f
        .fetch(&Request::get(format!("{base}/loop")))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooManyRedirects { .. }), "{err}");
    let f = Fetcher::new(FetchConfig {
        max_redirects: 2,
        ..config()
    });
    let err = f
        .fetch(&Request::get(format!("{base}/hop/5")))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooManyRedirects { .. }), "{err}");
}

#[tokio::test]
async fn bodies_are_decoded_and_capped_before_and_after_decompression() {
    let (base, _) = serve().await;
    let f = Fetcher::new(config());
    let x = f
        .fetch(&Request::get(format!("{base}/compressed")))
        .await
        .unwrap();
    assert_eq!(String::from_utf8(x.body).unwrap(), "压缩的正文".repeat(50));
    assert_eq!(
        x.hops[0].raw_body[..2],
        [0x1f, 0x8b],
        "WARC keeps the bytes as sent"
    );
    for path in ["/bomb", "/huge"] {
        let err = f
            .fetch(&Request::get(format!("{base}{path}")))
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::TooLarge { .. }), "{path}: {err}");
    }
}

#[tokio::test]
async fn a_stalled_body_times_out() {
    let (base, _) = serve().await;
    let f = Fetcher::new(FetchConfig {
        total_timeout: Duration::from_millis(500),
        max_attempts: 1,
        ..config()
    });
    let started = Instant::now();
    let err = f
        .fetch(&Request::get(format!("{base}/stall")))
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn routes_are_tried_in_order_and_the_winner_is_reported() {
    let (base, _) = serve().await;
    let f = Fetcher::new(FetchConfig {
        max_attempts: 1,
        ..config()
    });
    // A mirror nobody listens on, then a proxy that does not exist, then the origin.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_addr = dead.local_addr().unwrap();
    drop(dead);
    let request = Request {
        routes: vec![
            Route::Mirror(format!("http://{dead_addr}/mirror")),
            Route::Proxy(format!("socks5h://{dead_addr}")),
            Route::Direct,
        ],
        ..Request::get(format!("{base}/feed"))
    };
    let x = f.fetch(&request).await.unwrap();
    assert_eq!(x.route, Route::Direct);
    let only_dead = Request {
        routes: vec![Route::Mirror(format!("http://{dead_addr}/m"))],
        ..Request::get(format!("{base}/feed"))
    };
    assert!(matches!(
        f.fetch(&only_dead).await.unwrap_err(),
        FetchError::Connect { .. }
    ));
}

#[tokio::test]
async fn requests_to_one_host_are_spaced() {
    let (base, _) = serve().await;
    let f = Arc::new(Fetcher::new(FetchConfig {
        min_interval: Duration::from_millis(200),
        ..config()
    }));
    let started = Instant::now();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let f = f.clone();
            let url = format!("{base}/feed");
            tokio::spawn(async move { f.fetch(&Request::get(url)).await.unwrap() })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
}

/// Our WARC must pass a standard validator. Runs whenever warcio is installed; on CI it must be.
#[tokio::test]
async fn warc_output_validates_with_warcio() {
    let warcio = std::process::Command::new("warcio").arg("--help").output();
    if warcio.is_err() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI must install warcio (pip install warcio)"
        );
        eprintln!("skipped: warcio is not installed (pip install warcio)");
        return;
    }
    let (base, _) = serve().await;
    let f = Fetcher::new(config());
    let tmp = tempfile::tempdir().unwrap();
    let mut w = fetch::warc::WarcWriter::open(tmp.path(), chrono::Utc::now()).unwrap();
    for path in ["/feed", "/compressed", "/hop/2", "/gone"] {
        let x = f
            .fetch(&Request::get(format!("{base}{path}")))
            .await
            .unwrap();
        for hop in &x.hops {
            w.write_exchange(hop).unwrap();
        }
    }
    let file = w.finish().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new("warcio")
            .args(args)
            .arg(&file)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "warcio {args:?} failed:\n{text}");
        text
    };
    let check = run(&["check", "-v"]);
    assert!(
        check.contains("digest pass") && !check.contains("fail"),
        "{check}"
    );
    let index = run(&["index"]);
    // 6 exchanges: /feed, /compressed, three hops of /hop/2, /gone.
    assert_eq!(
        index
            .lines()
            .filter(|l| l.contains("\"warc-type\": \"response\""))
            .count(),
        6,
        "{index}"
    );
    assert_eq!(
        index
            .lines()
            .filter(|l| l.contains("\"warc-type\": \"request\""))
            .count(),
        6,
        "{index}"
    );
}
