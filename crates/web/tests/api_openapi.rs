//! `crates/web/openapi.json` against the server: every route of the router is documented, and
//! real responses of every endpoint (successes and errors) validate against the documented
//! schemas, checked with Python's `openapi-spec-validator` and `jsonschema` (Draft 2020-12, as
//! OpenAPI 3.1 uses) by `tests/openapi_check.py`.
//!
//! Without python3 and those packages the schema check is skipped with a message, except on CI
//! (`CI=true`), where it fails. The route check needs nothing.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, header};
use model::{EventKind, SourceConfig, SourceId};
use newsvault_web as web;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use support::{Fixture, source};
use tower::ServiceExt;
use web::{Admin, AdminError, AdminFuture, RefreshSummary, WebState};

const TOKEN: &str = "openapi-test-token-0123456789";
const MAY_1: i64 = 1_714_521_600_000;

fn manifest(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn document() -> Value {
    serde_json::from_str(&std::fs::read_to_string(manifest("openapi.json")).unwrap()).unwrap()
}

/// The paths given to `.route(...)` in a source file, with the prefix it is nested under.
fn routes_in(file: &str, prefix: &str) -> Vec<String> {
    let text = std::fs::read_to_string(manifest(file)).unwrap();
    text.match_indices(".route(\"")
        .map(|(i, m)| {
            let rest = &text[i + m.len()..];
            format!("{prefix}{}", &rest[..rest.find('"').unwrap()])
        })
        .collect()
}

#[test]
fn every_route_is_documented_and_every_documented_path_is_a_route() {
    let doc = document();
    let paths = doc["paths"].as_object().unwrap();
    let mut routes = routes_in("src/api/mod.rs", "/api/v1");
    routes.extend(routes_in("src/atom.rs", ""));
    routes.extend(routes_in("src/media.rs", ""));
    assert!(routes.len() >= 17, "{routes:?}");
    for route in &routes {
        assert!(paths.contains_key(route), "{route} is not in openapi.json");
    }
    for path in paths.keys() {
        assert!(
            routes.contains(path),
            "openapi.json documents {path}, which is no route"
        );
    }
}

/// Adds and removes in a list; refreshes with a fixed report, or fails as configured.
struct FakeAdmin {
    sources: Arc<std::sync::RwLock<Vec<SourceConfig>>>,
    refresh: fn(SourceId) -> Result<RefreshSummary, AdminError>,
}

impl Admin for FakeAdmin {
    fn refresh(&self, source: SourceId) -> AdminFuture<'_, RefreshSummary> {
        Box::pin(async move { (self.refresh)(source) })
    }

    fn add_source(&self, source: SourceConfig) -> AdminFuture<'_, ()> {
        Box::pin(async move {
            let mut list = self.sources.write().unwrap();
            if list.iter().any(|s| s.id == source.id) {
                return Err(AdminError::Exists(source.id.to_string()));
            }
            list.push(source);
            Ok(())
        })
    }

    fn remove_source(&self, id: SourceId) -> AdminFuture<'_, ()> {
        Box::pin(async move {
            let mut list = self.sources.write().unwrap();
            let before = list.len();
            list.retain(|s| s.id != id);
            if list.len() == before {
                Err(AdminError::UnknownSource(id.to_string()))
            } else {
                Ok(())
            }
        })
    }
}

fn admin_state(
    plain: &WebState,
    refresh: fn(SourceId) -> Result<RefreshSummary, AdminError>,
) -> WebState {
    let state = WebState::with_shared_sources(
        plain.data_dir(),
        Arc::new(std::sync::RwLock::new(plain.sources())),
    );
    let admin = FakeAdmin {
        sources: state.sources_handle(),
        refresh,
    };
    state.with_admin(TOKEN, Arc::new(admin))
}

/// One request of the probe: what to send, under which documented path, and the status it
/// must get.
struct Probe {
    method: Method,
    path: &'static str,
    uri: String,
    headers: Vec<(&'static str, String)>,
    body: Option<Value>,
    status: u16,
}

fn probe(method: Method, path: &'static str, uri: impl Into<String>, status: u16) -> Probe {
    Probe {
        method,
        path,
        uri: uri.into(),
        headers: Vec::new(),
        body: None,
        status,
    }
}

impl Probe {
    fn auth(mut self, token: &str) -> Probe {
        self.headers
            .push(("authorization", format!("Bearer {token}")));
        self
    }

    fn json(mut self, body: Value) -> Probe {
        self.body = Some(body);
        self
    }

    fn header(mut self, name: &'static str, value: String) -> Probe {
        self.headers.push((name, value));
        self
    }
}

/// Sends `p`, checks its status, and returns the record the Python check reads.
async fn run(state: &WebState, p: Probe) -> Value {
    let mut request = Request::builder().method(p.method.clone()).uri(&p.uri);
    for (name, value) in &p.headers {
        request = request.header(*name, value);
    }
    let body = match &p.body {
        Some(b) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let response = web::router(state.clone())
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned());
    let etag = response
        .headers()
        .get(header::ETAG)
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    assert_eq!(
        status.as_u16(),
        p.status,
        "{} {}: {}",
        p.method,
        p.uri,
        String::from_utf8_lossy(&bytes)
    );
    let json_body = match content_type.as_deref() {
        Some("application/json") => Some(serde_json::from_slice::<Value>(&bytes).unwrap()),
        _ => None,
    };
    json!({
        "method": p.method.as_str().to_ascii_lowercase(),
        "path": p.path,
        "uri": p.uri,
        "status": status.as_u16(),
        "content_type": content_type,
        "body": json_body,
        "etag": etag,
    })
}

fn python_checker_available() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import jsonschema, openapi_spec_validator"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "python3 with jsonschema and openapi-spec-validator is required on CI (scripts/test.sh installs them)"
        );
        eprintln!(
            "skipping: python3 with jsonschema and openapi-spec-validator is not installed \
             (pip install openapi-spec-validator)"
        );
    }
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_responses_validate_against_the_document() {
    let mut f = Fixture::new();
    let asset = f.asset(
        "https://img.example/p.png",
        b"\x89PNG test bytes",
        "image/png",
    );
    let edited = f.add(
        "rfi",
        "https://news.example/o/1",
        "初版",
        "<p>第一段。</p>",
        MAY_1,
    );
    f.add(
        "rfi",
        "https://news.example/o/1",
        "修订版",
        "<p>第一段。</p><p>第二段。</p>",
        MAY_1,
    );
    let gone = f.add(
        "rfi",
        "https://news.example/o/2",
        "消失的文章",
        "<p>正文。</p>",
        MAY_1 - 1,
    );
    f.event("rfi", "https://news.example/o/2", EventKind::Gone);
    f.add(
        "bbc",
        "https://news.example/o/3",
        "English",
        "<p>Text.</p>",
        0,
    );
    let plain = f.state(vec![source("rfi", "法广"), source("bbc", "BBC 中文")]);
    let state = admin_state(&plain, |id| {
        Ok(RefreshSummary {
            source: id.to_string(),
            status: Some(200),
            ..RefreshSummary::default()
        })
    });
    let serve_like = admin_state(&plain, |_| {
        Err(AdminError::Unavailable("no fetcher".into()))
    });
    let failing = admin_state(&plain, |_| Err(AdminError::Upstream("refused".into())));
    let empty_dir = tempfile::tempdir().unwrap();
    archive::Archive::open(empty_dir.path()).unwrap();
    let no_search = WebState::new(empty_dir.path(), Vec::new());
    let missing_dir = WebState::new(empty_dir.path().join("missing"), Vec::new());

    let g = Method::GET;
    let a = |s: &str| format!("/api/v1/articles/{s}");
    let probes = vec![
        probe(g.clone(), "/api/v1/health", "/api/v1/health", 200),
        probe(
            g.clone(),
            "/api/v1/openapi.json",
            "/api/v1/openapi.json",
            200,
        ),
        probe(g.clone(), "/api/v1/sources", "/api/v1/sources", 200),
        probe(
            g.clone(),
            "/api/v1/sources/{id}",
            "/api/v1/sources/rfi",
            200,
        ),
        probe(
            g.clone(),
            "/api/v1/sources/{id}",
            "/api/v1/sources/nobody",
            404,
        ),
        probe(
            g.clone(),
            "/api/v1/sources/{id}",
            "/api/v1/sources/%2e%2e",
            400,
        ),
        probe(g.clone(), "/api/v1/articles", "/api/v1/articles", 200),
        probe(
            g.clone(),
            "/api/v1/articles",
            "/api/v1/articles?limit=1",
            200,
        ),
        probe(
            g.clone(),
            "/api/v1/articles",
            "/api/v1/articles?limit=-1",
            400,
        ),
        probe(
            g.clone(),
            "/api/v1/articles",
            "/api/v1/articles?source=nobody",
            404,
        ),
        probe(g.clone(), "/api/v1/articles/{key}", a(&edited), 200),
        probe(g.clone(), "/api/v1/articles/{key}", a(&gone), 200),
        probe(g.clone(), "/api/v1/articles/{key}", a("zzz"), 400),
        probe(
            g.clone(),
            "/api/v1/articles/{key}",
            a("0123456789abcdef"),
            404,
        ),
        probe(
            g.clone(),
            "/api/v1/articles/{key}/versions",
            a(&format!("{edited}/versions")),
            200,
        ),
        probe(
            g.clone(),
            "/api/v1/articles/{key}/versions",
            a("zzz/versions"),
            400,
        ),
        probe(
            g.clone(),
            "/api/v1/articles/{key}/versions",
            a("0123456789abcdef/versions"),
            404,
        ),
        probe(
            g.clone(),
            "/api/v1/articles/{key}/versions/{n}",
            a(&format!("{edited}/versions/2")),
            200,
        ),
        probe(
            g.clone(),
            "/api/v1/articles/{key}/versions/{n}",
            a(&format!("{edited}/versions/x")),
            400,
        ),
        probe(
            g.clone(),
            "/api/v1/articles/{key}/versions/{n}",
            a(&format!("{edited}/versions/9")),
            404,
        ),
        probe(
            g.clone(),
            "/api/v1/articles/{key}/events",
            a(&format!("{gone}/events")),
            200,
        ),
        probe(
            g.clone(),
            "/api/v1/articles/{key}/events",
            a("zzz/events"),
            400,
        ),
        probe(
            g.clone(),
            "/api/v1/articles/{key}/events",
            a("0123456789abcdef/events"),
            404,
        ),
        probe(g.clone(), "/api/v1/changes", "/api/v1/changes", 200),
        probe(g.clone(), "/api/v1/changes", "/api/v1/changes?limit=1", 200),
        probe(
            g.clone(),
            "/api/v1/changes",
            "/api/v1/changes?after=%ZZ",
            400,
        ),
        probe(
            g.clone(),
            "/api/v1/search",
            "/api/v1/search?q=%E7%AC%AC%E4%BA%8C%E6%AE%B5",
            200,
        ),
        probe(g.clone(), "/api/v1/search", "/api/v1/search?q=%22open", 400),
        probe(g.clone(), "/feeds/all.atom", "/feeds/all.atom", 200),
        probe(
            g.clone(),
            "/feeds/sources/{file}",
            "/feeds/sources/rfi.atom",
            200,
        ),
        probe(
            g.clone(),
            "/feeds/sources/{file}",
            "/feeds/sources/nobody.atom",
            404,
        ),
        probe(
            g.clone(),
            "/feeds/sources/{file}",
            "/feeds/sources/.x.atom",
            400,
        ),
        probe(
            g.clone(),
            "/feeds/search.atom",
            "/feeds/search.atom?q=%E6%AE%B5",
            200,
        ),
        probe(g.clone(), "/feeds/search.atom", "/feeds/search.atom", 400),
        probe(g.clone(), "/feeds/changes.atom", "/feeds/changes.atom", 200),
        probe(
            g.clone(),
            "/feeds/changes.atom",
            "/feeds/changes.atom?source=..",
            400,
        ),
        probe(g.clone(), "/assets/{aa}/{file}", format!("/{asset}"), 200),
        probe(g.clone(), "/assets/{aa}/{file}", "/assets/zz/x.png", 400),
        probe(
            g.clone(),
            "/assets/{aa}/{file}",
            format!("/assets/ab/ab{}.png", "0".repeat(62)),
            404,
        ),
        probe(Method::POST, "/api/v1/sources", "/api/v1/sources", 401)
            .json(json!({"id": "dw", "url": "https://feeds.example/dw.xml"})),
        probe(Method::POST, "/api/v1/sources", "/api/v1/sources", 403)
            .auth("wrong")
            .json(json!({"id": "dw", "url": "https://feeds.example/dw.xml"})),
        probe(Method::POST, "/api/v1/sources", "/api/v1/sources", 201)
            .auth(TOKEN)
            .json(json!({"id": "dw", "url": "https://feeds.example/dw.xml", "full_text": true})),
        probe(Method::POST, "/api/v1/sources", "/api/v1/sources", 409)
            .auth(TOKEN)
            .json(json!({"id": "dw", "url": "https://feeds.example/dw.xml"})),
        probe(Method::POST, "/api/v1/sources", "/api/v1/sources", 400)
            .auth(TOKEN)
            .json(json!({"id": "dw"})),
        probe(Method::POST, "/api/v1/sources", "/api/v1/sources", 413)
            .auth(TOKEN)
            .json(json!({"id": "x", "url": "y".repeat(70_000)})),
        probe(
            Method::DELETE,
            "/api/v1/sources/{id}",
            "/api/v1/sources/dw",
            401,
        ),
        probe(
            Method::DELETE,
            "/api/v1/sources/{id}",
            "/api/v1/sources/dw",
            200,
        )
        .auth(TOKEN),
        probe(
            Method::DELETE,
            "/api/v1/sources/{id}",
            "/api/v1/sources/dw",
            404,
        )
        .auth(TOKEN),
        probe(
            Method::POST,
            "/api/v1/sources/{id}/refresh",
            "/api/v1/sources/rfi/refresh",
            200,
        )
        .auth(TOKEN),
        probe(
            Method::POST,
            "/api/v1/sources/{id}/refresh",
            "/api/v1/sources/nobody/refresh",
            404,
        )
        .auth(TOKEN),
        probe(
            Method::POST,
            "/api/v1/sources/{id}/refresh",
            "/api/v1/sources/rfi/refresh",
            403,
        )
        .auth("wrong"),
    ];
    let mut records = Vec::new();
    for p in probes {
        records.push(run(&state, p).await);
    }
    // A 304 for the first feed, revalidated with its tag.
    let tag = records
        .iter()
        .find(|r| r["uri"] == "/feeds/all.atom")
        .and_then(|r| r["etag"].as_str())
        .unwrap()
        .to_owned();
    records.push(
        run(
            &state,
            probe(g.clone(), "/feeds/all.atom", "/feeds/all.atom", 304)
                .header("if-none-match", tag),
        )
        .await,
    );
    let refresh = || {
        probe(
            Method::POST,
            "/api/v1/sources/{id}/refresh",
            "/api/v1/sources/rfi/refresh",
            0,
        )
        .auth(TOKEN)
    };
    records.push(
        run(
            &serve_like,
            Probe {
                status: 503,
                ..refresh()
            },
        )
        .await,
    );
    records.push(
        run(
            &failing,
            Probe {
                status: 502,
                ..refresh()
            },
        )
        .await,
    );
    records.push(
        run(
            &no_search,
            probe(g.clone(), "/api/v1/search", "/api/v1/search?q=a", 503),
        )
        .await,
    );
    records.push(
        run(
            &missing_dir,
            probe(g.clone(), "/api/v1/health", "/api/v1/health", 503),
        )
        .await,
    );
    records.push(
        run(
            &missing_dir,
            probe(g.clone(), "/api/v1/sources", "/api/v1/sources", 503),
        )
        .await,
    );

    // Every documented operation was exercised.
    let doc = document();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "delete"] {
            if item.get(method).is_some() {
                assert!(
                    records
                        .iter()
                        .any(|r| r["path"] == path.as_str() && r["method"] == method),
                    "{method} {path} is not probed"
                );
            }
        }
    }

    if !python_checker_available() {
        return;
    }
    let file = f.data_dir().join("openapi-responses.json");
    std::fs::write(&file, serde_json::to_vec(&records).unwrap()).unwrap();
    let output = std::process::Command::new("python3")
        .arg(manifest("tests/openapi_check.py"))
        .arg(manifest("openapi.json"))
        .arg(&file)
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(
        output.status.success(),
        "openapi_check failed:\n{stdout}{stderr}"
    );
}
