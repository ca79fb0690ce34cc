//! The health and sources endpoints over a real data directory, called in-process and over a
//! real listener.

use archive::{Archive, StagedVersion};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use index::{CheckOutcome, Index};
use model::{ArticleKey, Capture, EventKind, SourceConfig, SourceId, SourceMeta};
use newsvault_web as web;
use serde_json::Value;
use std::path::Path;
use tower::ServiceExt;
use web::WebState;

fn source(id: &str, name: &str, enabled: bool) -> SourceConfig {
    let mut s = SourceConfig::new(
        SourceId::new(id).unwrap(),
        name,
        format!("http://127.0.0.1:9/{id}.xml"),
    );
    s.enabled = enabled;
    s
}

fn check(started: &str, result: Result<u32, String>) -> CheckOutcome {
    CheckOutcome {
        started: started.into(),
        result,
        status: Some(200),
        duration_ms: 5,
        next_due: "2026-11-26T01:00:00Z".into(),
    }
}

/// Stores one article with `versions` versions under source `src` and syncs the index.
fn store_article(data: &Path, src: &str, url: &str, versions: u32) {
    let archive = Archive::open(data).unwrap();
    let source = SourceId::new(src).unwrap();
    let mut w = archive.writer().unwrap();
    w.ensure_source(&SourceMeta {
        id: source.clone(),
        name: src.into(),
        aliases: Vec::new(),
        list_name: None,
    })
    .unwrap();
    let key = ArticleKey::for_url(url);
    let dir = Archive::article_dir(&source, &key, 1_700_000_000_000);
    for version in 1..=versions {
        let capture = Capture {
            seq: 0,
            time: format!("2026-11-26T00:00:0{version}.000Z"),
            source: source.clone(),
            key: key.clone(),
            version,
            url: url.into(),
            event: if version == 1 {
                EventKind::New
            } else {
                EventKind::Edited
            },
            status: None,
            final_url: None,
            path: None,
            record_sha256: None,
            body_sha256: None,
            warc_record_id: None,
            via: None,
            origin: None,
            note: None,
            byline: None,
            prev: String::new(),
        };
        let bytes = format!(
            "<!--1700000000000-->\n[A test title {version}]({url})\n------\n\nbody {version}\n"
        );
        w.stage(
            capture,
            Some(StagedVersion {
                dir: &dir,
                version,
                bytes: bytes.into_bytes(),
                sha256: None,
            }),
        )
        .unwrap();
    }
    w.commit().unwrap();
    Index::open(data).unwrap().sync(&archive).unwrap();
}

async fn get(state: WebState, path: &str) -> (StatusCode, Value) {
    let response = web::router(state)
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/json", "{path}");
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, serde_json::from_slice(&body).unwrap())
}

fn source_entry<'a>(health: &'a Value, id: &str) -> &'a Value {
    health["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no source {id} in {health}"))
}

#[tokio::test]
async fn health_reports_counts_and_per_source_state() {
    let tmp = tempfile::tempdir().unwrap();
    store_article(tmp.path(), "rfi", "https://www.rfi.fr/cn/test-1", 2);
    let index = Index::open(tmp.path()).unwrap();
    index
        .record_check("rfi", &check("2026-11-26T00:00:00Z", Ok(3)))
        .unwrap();
    let state = WebState::new(
        tmp.path(),
        vec![source("rfi", "法广", true), source("bbc", "BBC 中文", true)],
    );

    let (status, health) = get(state, "/api/v1/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        chrono::DateTime::parse_from_rfc3339(health["time"].as_str().unwrap()).is_ok(),
        "{health}"
    );
    assert!(health["uptime_s"].is_u64());
    assert_eq!(health["articles"], 1);
    assert_eq!(health["versions"], 2);
    assert_eq!(health["sources"].as_array().unwrap().len(), 2);

    let rfi = source_entry(&health, "rfi");
    assert_eq!(rfi["name"], "法广");
    assert_eq!(rfi["url"], "http://127.0.0.1:9/rfi.xml");
    assert_eq!(rfi["enabled"], true);
    assert_eq!(rfi["last_attempt"], "2026-11-26T00:00:00Z");
    assert_eq!(rfi["last_success"], "2026-11-26T00:00:00Z");
    assert_eq!(rfi["last_error"], Value::Null);
    assert_eq!(rfi["next_due"], "2026-11-26T01:00:00Z");
    assert_eq!(rfi["failures"], 0);
    assert_eq!(rfi["last_new"], 3);

    // Configured, never checked: every state field is present and null.
    let bbc = source_entry(&health, "bbc");
    for field in [
        "last_attempt",
        "last_success",
        "last_error",
        "last_error_time",
        "next_due",
        "failures",
        "last_new",
    ] {
        assert!(bbc.get(field).is_some_and(Value::is_null), "{field}: {bbc}");
    }
}

#[tokio::test]
async fn a_failing_enabled_source_degrades_health_and_a_disabled_one_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    Archive::open(tmp.path()).unwrap();
    let index = Index::open(tmp.path()).unwrap();
    index
        .record_check(
            "voa",
            &check("2026-11-26T00:00:00Z", Err("connection refused".into())),
        )
        .unwrap();
    let sources = vec![
        source("rfi", "法广", true),
        source("voa", "美国之音", false),
    ];
    let state = WebState::new(tmp.path(), sources);

    let (status, health) = get(state.clone(), "/api/v1/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "ok", "voa is disabled: {health}");

    // Enabling the failing source through the shared handle degrades the next answer.
    state.sources_handle().write().unwrap()[1].enabled = true;
    let (status, health) = get(state.clone(), "/api/v1/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "degraded");
    let voa = source_entry(&health, "voa");
    assert_eq!(voa["last_error"], "connection refused");
    assert_eq!(voa["last_error_time"], "2026-11-26T00:00:00Z");
    assert_eq!(voa["last_success"], Value::Null);
    assert_eq!(voa["failures"], 1);

    // A success clears it.
    index
        .record_check("voa", &check("2026-11-26T00:30:00Z", Ok(0)))
        .unwrap();
    let (_, health) = get(state, "/api/v1/health").await;
    assert_eq!(health["status"], "ok");
}

#[tokio::test]
async fn sources_lists_the_same_array_as_health() {
    let tmp = tempfile::tempdir().unwrap();
    Archive::open(tmp.path()).unwrap();
    Index::open(tmp.path())
        .unwrap()
        .record_check("bbc", &check("2026-11-26T00:00:00Z", Ok(1)))
        .unwrap();
    let state = WebState::new(
        tmp.path(),
        vec![source("rfi", "法广", true), source("bbc", "BBC 中文", true)],
    );
    let (status, sources) = get(state.clone(), "/api/v1/sources").await;
    assert_eq!(status, StatusCode::OK);
    let (_, health) = get(state, "/api/v1/health").await;
    assert_eq!(sources, health["sources"]);
    let ids: Vec<&str> = sources
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["rfi", "bbc"], "configuration order");
}

#[tokio::test]
async fn an_index_that_cannot_be_opened_answers_503_in_json() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no/such/data");
    let state = WebState::new(&missing, vec![source("rfi", "法广", true)]);
    for path in ["/api/v1/health", "/api/v1/sources"] {
        let (status, body) = get(state.clone(), path).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        let message = body["error"].as_str().unwrap();
        assert!(
            message.contains("index.sqlite"),
            "names the file: {message}"
        );
    }
}

#[tokio::test]
async fn unknown_api_paths_answer_404_in_json() {
    let tmp = tempfile::tempdir().unwrap();
    let (status, body) = get(WebState::new(tmp.path(), Vec::new()), "/api/v1/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "no such endpoint: GET /api/v1/nope");
}

#[tokio::test]
async fn serve_answers_on_a_listener_and_stops_on_shutdown() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let tmp = tempfile::tempdir().unwrap();
    Archive::open(tmp.path()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(web::serve(
        listener,
        WebState::new(tmp.path(), Vec::new()),
        async {
            let _ = stopped.await;
        },
    ));

    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    conn.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains("\"status\":\"ok\""), "{response}");

    stop.send(()).unwrap();
    let result = tokio::time::timeout(std::time::Duration::from_secs(5), server)
        .await
        .expect("the server stops within 5 s of the shutdown signal")
        .unwrap();
    assert!(result.is_ok(), "{result:?}");
}
