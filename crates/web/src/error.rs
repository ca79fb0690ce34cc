//! How a failed request answers: a status code and `{"error": "<message>", "code": "<code>"}`.
//!
//! The `code` is one of a small, stable set ([`ApiError::code`]) that clients can branch on;
//! the `error` message is for people and names what was wrong (the parameter, the key, the
//! file). Feeds and other non-JSON routes answer the same message as plain text
//! ([`ApiError::plain`]).

use crate::admin::AdminError;
use crate::readiness::SearchReadiness;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use index::{IndexError, SearchError};

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
    /// The route exists but the thing it names does not (an unknown article key, version or
    /// source). The message names it.
    #[error("{0}")]
    Missing(String),
    /// A malformed parameter, path segment, cursor, date or body. The message names it and
    /// says what is expected.
    #[error("{0}")]
    BadRequest(String),
    /// An admin action without credentials (`Authorization: Bearer <token>`).
    #[error("{0}")]
    Unauthorized(String),
    /// An admin action with the wrong token, or while admin is off.
    #[error("{0}")]
    Forbidden(String),
    /// The route exists but does not answer this method (everything but admin is read-only).
    #[error("method {method} is not allowed on {path}")]
    MethodNotAllowed {
        /// The request method.
        method: String,
        /// The request path.
        path: String,
    },
    /// The request conflicts with what exists (adding a source id that is configured).
    #[error("{0}")]
    Conflict(String),
    /// A request body larger than the server accepts.
    #[error("the request body is too large (at most {limit} bytes)")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Something the request needs is not available here (no search index yet, no fetcher in
    /// `serve`). The message says why and what to do.
    #[error("{0}")]
    Unavailable(String),
    /// The search index is catching up with the archive (see `readiness.rs`).
    #[error("{}", catching_up(*.0))]
    CatchingUp(SearchReadiness),
    /// A source could not be fetched when asked to refresh it now.
    #[error("{0}")]
    Upstream(String),
    /// A record the index names cannot be read or parsed.
    #[error("cannot read the archived record {path}: {message}")]
    Record {
        /// The record path, relative to the data directory.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The search index failed (not the query: a bad query is [`ApiError::BadRequest`]).
    #[error("searching failed: {0}")]
    Search(#[source] SearchError),
    /// A bug or a runtime failure (a blocking task panicked or was cancelled).
    #[error("internal error: {0}")]
    Internal(String),
}

/// Seconds a client is told to wait while the search index catches up.
const CATCH_UP_RETRY_S: &str = "30";

fn catching_up(now: SearchReadiness) -> String {
    let progress = match now {
        SearchReadiness::CatchingUp { total, .. } if total > 0 => format!(
            "{} % of {:.1} MB of capture logs applied",
            now.percent(),
            total as f64 / 1e6
        ),
        SearchReadiness::CatchingUp { .. } => "starting".to_owned(),
        SearchReadiness::Ready => "done".to_owned(),
    };
    format!(
        "the search index is being brought up to date with the archive ({progress}); search \
         answers when that is done, and everything else can be read now"
    )
}

impl ApiError {
    /// The HTTP status of this error.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            ApiError::IndexUnavailable(_) | ApiError::Unavailable(_) | ApiError::CatchingUp(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::NotFound { .. } | ApiError::Missing(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Upstream(_) => StatusCode::BAD_GATEWAY,
            ApiError::Index(_)
            | ApiError::Record { .. }
            | ApiError::Search(_)
            | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code of the error body (documented in `openapi.json`).
    pub(crate) fn code(&self) -> &'static str {
        match self.status() {
            StatusCode::BAD_REQUEST => "bad_request",
            StatusCode::UNAUTHORIZED => "unauthorized",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::CONFLICT => "conflict",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::BAD_GATEWAY => "upstream_failed",
            StatusCode::SERVICE_UNAVAILABLE => "unavailable",
            _ => "internal",
        }
    }

    /// The error as a plain-text response (feeds, assets: clients that do not read JSON).
    pub(crate) fn plain(self) -> Response {
        let status = self.status();
        self.log(status);
        let mut response = (status, format!("{self}\n")).into_response();
        self.add_headers(&mut response);
        response
    }

    fn log(&self, status: StatusCode) {
        if status.is_server_error() {
            tracing::warn!(error = %self, "request failed");
        }
    }

    fn add_headers(&self, response: &mut Response) {
        if let Some(retry) = self.retry_after() {
            response.headers_mut().insert(header::RETRY_AFTER, retry);
        }
        if matches!(self, ApiError::Unauthorized(_)) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"newsvault admin\""),
            );
        }
    }

    /// `Retry-After` for an error that passes by itself (the search index catching up).
    pub(crate) fn retry_after(&self) -> Option<HeaderValue> {
        matches!(self, ApiError::CatchingUp(_)).then(|| HeaderValue::from_static(CATCH_UP_RETRY_S))
    }

    /// Maps a search failure: a query or option the search does not accept is the client's
    /// (400, with the parser's message); anything else is ours.
    pub(crate) fn from_search(error: SearchError) -> ApiError {
        match error {
            SearchError::Query(q) => ApiError::BadRequest(format!("q: {q}")),
            SearchError::Option { .. } => ApiError::BadRequest(error.to_string()),
            other => ApiError::Search(other),
        }
    }
}

impl From<IndexError> for ApiError {
    fn from(error: IndexError) -> ApiError {
        ApiError::Index(error)
    }
}

impl From<AdminError> for ApiError {
    fn from(error: AdminError) -> ApiError {
        let message = error.to_string();
        match error {
            AdminError::UnknownSource(_) => ApiError::Missing(message),
            AdminError::Exists(_) => ApiError::Conflict(message),
            AdminError::Invalid(_) => ApiError::BadRequest(message),
            AdminError::Unavailable(_) => ApiError::Unavailable(message),
            AdminError::Upstream(_) => ApiError::Upstream(message),
            AdminError::Failed(_) => ApiError::Internal(message),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        self.log(status);
        let body = serde_json::json!({ "error": self.to_string(), "code": self.code() });
        let mut response = (status, Json(body)).into_response();
        self.add_headers(&mut response);
        response
    }
}
