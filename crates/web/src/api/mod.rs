//! The JSON API, under `/api/v1`. One file per resource; every answer is JSON, errors included
//! (`{"error": "...", "code": "..."}`, see `error.rs`). `openapi.json` (served at
//! `/api/v1/openapi.json`) describes every route and shape; a test keeps the two in step.
//!
//! Everything is read-only except the admin routes on `/sources` (see `sources.rs`); other
//! methods answer 405.

mod articles;
mod changes;
mod health;
pub(crate) mod params;
pub(crate) mod search;
mod sources;

use crate::WebState;
use crate::error::ApiError;
use axum::Router;
use axum::extract::OriginalUri;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

/// The OpenAPI 3.1 document of this API, written by hand.
pub(crate) const OPENAPI: &str = include_str!("../../openapi.json");

/// The API's routes, relative to `/api/v1`.
pub(crate) fn routes() -> Router<WebState> {
    Router::new()
        .route("/health", get(health::health))
        .route("/openapi.json", get(openapi))
        .route("/sources", get(sources::list).post(sources::add))
        .route("/sources/{id}", get(sources::one).delete(sources::remove))
        .route("/sources/{id}/refresh", post(sources::refresh))
        .route("/articles", get(articles::list))
        .route("/articles/{key}", get(articles::one))
        .route("/articles/{key}/versions", get(articles::versions))
        .route("/articles/{key}/versions/{n}", get(articles::version))
        .route("/articles/{key}/events", get(articles::events))
        .route("/changes", get(changes::list))
        .route("/search", get(search::search))
        .fallback(not_found)
        .layer(axum::middleware::map_response(json_405))
}

/// `GET /api/v1/openapi.json`.
async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// Unknown API paths answer in JSON too, so clients parse one error shape.
async fn not_found(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::NotFound {
        method: method.to_string(),
        path: uri.path().to_owned(),
    }
}

/// axum answers a method a route does not have with an empty 405; give it the JSON error
/// body (the `Allow` header stays).
async fn json_405(method: Method, OriginalUri(uri): OriginalUri, response: Response) -> Response {
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut json = ApiError::MethodNotAllowed {
        method: method.to_string(),
        path: uri.path().to_owned(),
    }
    .into_response();
    if let Some(allow) = allow {
        json.headers_mut().insert(header::ALLOW, allow);
    }
    json
}
