//! A server started while the search index catches up with the archive: searches (page, API,
//! feed) answer 503 with the progress and `Retry-After`, everything else is served, health says
//! where the catch-up is, and once it is done searches answer.

mod support;

use axum::http::StatusCode;
use newsvault_web::{SearchCatchUp, WebState};
use serde_json::Value;
use std::time::Duration;
use support::{Fixture, get, source};

/// 2024-05-01T00:00:00Z.
const MAY_1: i64 = 1_714_521_600_000;
/// 港口 (percent-encoded).
const HARBOUR: &str = "%E6%B8%AF%E5%8F%A3";

/// A server for a one-article archive whose search index is catching up; searches wait up to
/// `wait` for it.
struct Server {
    /// Keeps the data directory: bind it to a name when destructuring (`..` would drop it, and
    /// the directory with it).
    _archive: Fixture,
    key: String,
    catch_up: SearchCatchUp,
    state: WebState,
}

fn server(wait: Duration) -> Server {
    let mut f = Fixture::new();
    let key = f.add(
        "rfi",
        "https://www.rfi.fr/cn/harbour",
        "港口扩建",
        "<p>港口今年扩建。</p>",
        MAY_1,
    );
    let catch_up = SearchCatchUp::new();
    let state = f
        .state(vec![source("rfi", "法广")])
        .with_search_catch_up(&catch_up, wait);
    Server {
        _archive: f,
        key,
        catch_up,
        state,
    }
}

#[tokio::test]
async fn while_the_search_index_catches_up_searches_answer_503_and_the_rest_is_served() {
    let Server {
        key,
        catch_up,
        state,
        _archive: _kept,
    } = server(Duration::from_millis(50));
    catch_up.start(2_000_000);
    catch_up.advance(500_000);

    let api = get(&state, &format!("/api/v1/search?q={HARBOUR}"), None).await;
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE, "{}", api.body);
    assert_eq!(api.headers["retry-after"], "30");
    let body: Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(body["code"], "unavailable", "{body}");
    let message = body["error"].as_str().unwrap();
    assert!(
        message.contains("being brought up to date") && message.contains("25 % of 2.0 MB"),
        "{message}"
    );

    let page = get(&state, &format!("/search?q={HARBOUR}"), None).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        page.content_type().starts_with("text/html"),
        "{}",
        page.content_type()
    );
    assert!(
        page.body.contains("being brought up to date"),
        "{}",
        page.body
    );
    assert_eq!(page.headers["retry-after"], "30");

    let feed = get(&state, &format!("/feeds/search.atom?q={HARBOUR}"), None).await;
    assert_eq!(
        feed.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        feed.body
    );
    assert_eq!(feed.headers["retry-after"], "30");

    let health = get(&state, "/api/v1/health", None).await;
    assert_eq!(health.status, StatusCode::OK);
    let health: Value = serde_json::from_str(&health.body).unwrap();
    assert_eq!(
        health["search"],
        serde_json::json!({"state": "catching_up", "done_bytes": 500_000, "total_bytes": 2_000_000})
    );

    // Reading does not wait for search.
    for path in [
        "/".to_owned(),
        format!("/articles/{key}"),
        "/api/v1/sources".to_owned(),
    ] {
        let got = get(&state, &path, None).await;
        assert_eq!(got.status, StatusCode::OK, "{path}: {}", got.body);
    }

    catch_up.ready();
    let api = get(&state, &format!("/api/v1/search?q={HARBOUR}"), None).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let body: Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(body["total"], 1, "{body}");
    let health = get(&state, "/api/v1/health", None).await;
    let health: Value = serde_json::from_str(&health.body).unwrap();
    assert_eq!(health["search"]["state"], "ready", "{health}");
}

#[tokio::test]
async fn a_search_during_a_short_catch_up_waits_for_it_and_answers() {
    let Server {
        catch_up,
        state,
        _archive: _kept,
        ..
    } = server(Duration::from_secs(10));
    let done = catch_up.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        done.ready();
    });
    let api = get(&state, &format!("/api/v1/search?q={HARBOUR}"), None).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let body: Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(body["total"], 1, "{body}");
}

#[tokio::test]
async fn a_catch_up_that_went_away_without_a_word_leaves_search_to_the_index() {
    let Server {
        catch_up,
        state,
        _archive: _kept,
        ..
    } = server(Duration::from_millis(50));
    catch_up.start(1_000);
    // What a catch-up thread that panicked leaves: no sender, and no `ready`.
    drop(catch_up);
    let health = get(&state, "/api/v1/health", None).await;
    let health: Value = serde_json::from_str(&health.body).unwrap();
    assert_eq!(health["search"]["state"], "ready", "{health}");
    let api = get(&state, &format!("/api/v1/search?q={HARBOUR}"), None).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
}
