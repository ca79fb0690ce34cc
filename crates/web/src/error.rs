//! How a failed request answers: a status code and `{"error": "<message>"}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use index::IndexError;

/// Why a request failed. Each variant has one status code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ApiError {
    /// `index.sqlite` cannot be opened (missing data directory, permissions, corrupt file):
    /// the server is up but cannot answer from the archive right now.
    #[error("the index is unavailable: {0}")]
    IndexUnavailable(#[source] IndexError),
    /// A read on an open index failed.
    #[error("reading the index failed: {0}")]
    Index(#[source] IndexError),
    /// No route matches the request.
    #[error("no such endpoint: {method} {path}")]
    NotFound {
        /// The request method.
        method: String,
        /// The request path.
        path: String,
    },
    /// A record the index names cannot be read or parsed.
    #[error("cannot read the archived record {path}: {message}")]
    Record {
        /// The record path, relative to the data directory.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A bug or a runtime failure (a blocking task panicked or was cancelled).
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::IndexUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::Index(_) | ApiError::Record { .. } | ApiError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::warn!(error = %self, "request failed");
        }
        let body = serde_json::json!({ "error": self.to_string() });
        (status, Json(body)).into_response()
    }
}
