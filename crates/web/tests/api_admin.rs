//! The admin routes with a fake `Admin`: off without a token, 401 without credentials, 403
//! with a wrong token, and the actions (with what they were given) with the right one.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use model::{SourceConfig, SourceId};
use newsvault_web as web;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, RwLock};
use support::{Fixture, source};
use tower::ServiceExt;
use web::{Admin, AdminError, AdminFuture, RefreshSummary, WebState};

const TOKEN: &str = "test-token-0123456789abcdef";

/// Records every call; edits the shared source list like the binary's admin does.
#[derive(Default)]
struct FakeAdmin {
    calls: Mutex<Vec<String>>,
    sources: Option<Arc<RwLock<Vec<SourceConfig>>>>,
    /// `refresh` answers this instead of a summary.
    refresh_error: Option<fn() -> AdminError>,
}

impl Admin for FakeAdmin {
    fn refresh(&self, source: SourceId) -> AdminFuture<'_, RefreshSummary> {
        Box::pin(async move {
            self.calls.lock().unwrap().push(format!("refresh {source}"));
            if let Some(error) = self.refresh_error {
                return Err(error());
            }
            Ok(RefreshSummary {
                source: source.to_string(),
                status: Some(200),
                items: 3,
                new: 2,
                unchanged: 1,
                duration_ms: 7,
                ..RefreshSummary::default()
            })
        })
    }

    fn add_source(&self, source: SourceConfig) -> AdminFuture<'_, ()> {
        Box::pin(async move {
            self.calls.lock().unwrap().push(format!(
                "add {} {} {} full_text={} every={} enabled={}",
                source.id,
                source.name,
                source.url,
                source.full_text,
                source.interval_minutes,
                source.enabled
            ));
            let list = self.sources.as_ref().expect("a source list");
            let mut list = list.write().unwrap();
            if list.iter().any(|s| s.id == source.id) {
                return Err(AdminError::Exists(source.id.to_string()));
            }
            list.push(source);
            Ok(())
        })
    }

    fn remove_source(&self, id: SourceId) -> AdminFuture<'_, ()> {
        Box::pin(async move {
            self.calls.lock().unwrap().push(format!("remove {id}"));
            let list = self.sources.as_ref().expect("a source list");
            let mut list = list.write().unwrap();
            let before = list.len();
            list.retain(|s| s.id != id);
            if list.len() == before {
                return Err(AdminError::UnknownSource(id.to_string()));
            }
            Ok(())
        })
    }
}

async fn call(
    state: &WebState,
    method: Method,
    uri: &str,
    auth: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value, Option<String>) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(auth) = auth {
        request = request.header(header::AUTHORIZATION, auth);
    }
    let body = match body {
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
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/json",
        "{uri}"
    );
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap(), challenge)
}

fn fixture_state() -> (Fixture, WebState, Arc<FakeAdmin>) {
    let mut f = Fixture::new();
    f.add(
        "rfi",
        "https://news.example/admin/1",
        "标题",
        "<p>正文</p>",
        1_714_521_600_000,
    );
    let plain = f.state(vec![source("rfi", "法广")]);
    let state = WebState::with_shared_sources(plain.data_dir(), plain.sources_handle());
    let admin = Arc::new(FakeAdmin {
        sources: Some(state.sources_handle()),
        ..FakeAdmin::default()
    });
    let state = state.with_admin(TOKEN, admin.clone());
    (f, state, admin)
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn without_a_token_admin_is_off() {
    let (_f, state, _) = fixture_state();
    let plain = WebState::new(state.data_dir(), state.sources());
    for state in [
        plain.clone(),
        plain.with_admin("", Arc::new(FakeAdmin::default())),
    ] {
        let (status, body, _) = call(
            &state,
            Method::POST,
            "/api/v1/sources/rfi/refresh",
            Some(&bearer(TOKEN)),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "forbidden");
        assert!(
            body["error"].as_str().unwrap().contains("admin_token"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn credentials_are_checked_before_anything_runs() {
    let (_f, state, admin) = fixture_state();
    let routes = [
        (Method::POST, "/api/v1/sources/rfi/refresh", None),
        (Method::DELETE, "/api/v1/sources/rfi", None),
        (
            Method::POST,
            "/api/v1/sources",
            Some(json!({"id": "new", "url": "https://feeds.example/new.xml"})),
        ),
    ];
    for (method, uri, body) in routes {
        let (status, reply, challenge) =
            call(&state, method.clone(), uri, None, body.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {uri}: {reply}");
        assert_eq!(reply["code"], "unauthorized");
        assert!(challenge.unwrap().starts_with("Bearer"));

        for auth in ["Basic dXNlcjpwYXNz", "Bearer", TOKEN] {
            let (status, _, _) = call(&state, method.clone(), uri, Some(auth), body.clone()).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {uri} with {auth}"
            );
        }
        for wrong in ["test-token-0123456789abcdeF", "test-token", "x"] {
            let (status, reply, _) = call(
                &state,
                method.clone(),
                uri,
                Some(&bearer(wrong)),
                body.clone(),
            )
            .await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{method} {uri} with {wrong:?}: {reply}"
            );
            assert_eq!(reply["code"], "forbidden");
        }
    }
    assert!(admin.calls.lock().unwrap().is_empty(), "nothing ran");
}

#[tokio::test]
async fn refresh_runs_with_the_right_token() {
    let (_f, state, admin) = fixture_state();
    let (status, summary, _) = call(
        &state,
        Method::POST,
        "/api/v1/sources/rfi/refresh",
        Some(&format!("bearer  {TOKEN} ")),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["source"], "rfi");
    assert_eq!(summary["new"], 2);
    assert_eq!(summary["item_errors"], json!([]));
    assert_eq!(*admin.calls.lock().unwrap(), ["refresh rfi"]);

    let (status, body, _) = call(
        &state,
        Method::POST,
        "/api/v1/sources/nobody/refresh",
        Some(&bearer(TOKEN)),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn refresh_failures_keep_their_meaning() {
    let (_f, state, _) = fixture_state();
    for (error, status, code) in [
        (
            (|| AdminError::Unavailable("serve has no fetcher".into())) as fn() -> AdminError,
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
        ),
        (
            || AdminError::Upstream("connection refused".into()),
            StatusCode::BAD_GATEWAY,
            "upstream_failed",
        ),
    ] {
        let admin = Arc::new(FakeAdmin {
            refresh_error: Some(error),
            ..FakeAdmin::default()
        });
        let state = WebState::new(state.data_dir(), state.sources()).with_admin(TOKEN, admin);
        let (got, body, _) = call(
            &state,
            Method::POST,
            "/api/v1/sources/rfi/refresh",
            Some(&bearer(TOKEN)),
            None,
        )
        .await;
        assert_eq!(got, status, "{body}");
        assert_eq!(body["code"], code);
        assert_eq!(body["error"], error().to_string());
    }
}

#[tokio::test]
async fn sources_are_added_and_removed() {
    let (_f, state, admin) = fixture_state();
    let auth = bearer(TOKEN);
    let new = json!({
        "id": "dw",
        "url": "https://feeds.example/dw.xml",
        "name": "德国之声",
        "full_text": true,
        "interval_minutes": 45
    });
    let (status, added, _) = call(
        &state,
        Method::POST,
        "/api/v1/sources",
        Some(&auth),
        Some(new.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["id"], "dw");
    assert_eq!(added["name"], "德国之声");
    assert_eq!(added["last_success"], Value::Null);
    let (status, list, _) = call(&state, Method::GET, "/api/v1/sources", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");

    let (status, body, _) = call(
        &state,
        Method::POST,
        "/api/v1/sources",
        Some(&auth),
        Some(new),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    for junk in [
        json!({"id": "x"}),
        json!({"id": "x", "url": "ftp://feeds.example/x"}),
        json!({"id": "x", "url": "not a url"}),
        json!({"id": "../x", "url": "https://feeds.example/x"}),
        json!({"id": "x", "url": "https://feeds.example/x", "interval_minutes": 0}),
        json!({"id": "x", "url": "https://feeds.example/x", "colour": "red"}),
        json!(["not", "an", "object"]),
    ] {
        let (status, body, _) = call(
            &state,
            Method::POST,
            "/api/v1/sources",
            Some(&auth),
            Some(junk.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{junk}: {body}");
    }

    let (status, removed, _) = call(
        &state,
        Method::DELETE,
        "/api/v1/sources/dw",
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{removed}");
    assert_eq!(removed, json!({"id": "dw", "removed": true}));
    let (status, _, _) = call(
        &state,
        Method::DELETE,
        "/api/v1/sources/dw",
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list, _) = call(&state, Method::GET, "/api/v1/sources", None, None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    let calls = admin.calls.lock().unwrap().clone();
    assert_eq!(
        calls,
        [
            "add dw 德国之声 https://feeds.example/dw.xml full_text=true every=45 enabled=true",
            "add dw 德国之声 https://feeds.example/dw.xml full_text=true every=45 enabled=true",
            "remove dw",
            "remove dw",
        ]
    );
}
