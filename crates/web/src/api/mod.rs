//! The JSON API, under `/api/v1`. One file per resource; every answer is JSON, errors included.

mod health;
mod sources;

use crate::WebState;
use crate::error::ApiError;
use axum::Router;
use axum::extract::OriginalUri;
use axum::http::Method;
use axum::routing::get;

/// The API's routes, relative to `/api/v1`.
pub(crate) fn routes() -> Router<WebState> {
    Router::new()
        .route("/health", get(health::health))
        .route("/sources", get(sources::list))
        .fallback(not_found)
}

/// Unknown API paths answer in JSON too, so clients parse one error shape.
async fn not_found(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::NotFound {
        method: method.to_string(),
        path: uri.path().to_owned(),
    }
}
