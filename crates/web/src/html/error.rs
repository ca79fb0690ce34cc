//! The reader's error pages: the status of the failure (400 for a malformed key, number,
//! cursor, date or query; 404 for what does not exist; 503 when the archive cannot be read
//! now; 500 for our bugs) and its message, as an HTML page with the site's chrome.

use super::page::{Chrome, Feed};
use super::style;
use crate::api::params::ApiPath;
use crate::error::ApiError;
use askama::Template;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A failed page request.
#[derive(Debug)]
pub(crate) struct PageError {
    status: StatusCode,
    message: String,
}

impl PageError {
    /// A 404: `message` names what does not exist.
    pub(crate) fn not_found(message: impl Into<String>) -> PageError {
        PageError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    /// A 500: a bug or a runtime failure.
    pub(crate) fn internal(message: impl Into<String>) -> PageError {
        PageError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: message.into(),
        }
    }
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> PageError {
        PageError {
            status: error.status(),
            message: error.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    status: u16,
    heading: &'static str,
    message: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::warn!(status = self.status.as_u16(), error = %self.message, "page failed");
        }
        let heading = match self.status {
            StatusCode::BAD_REQUEST => "请求有误",
            StatusCode::NOT_FOUND => "找不到页面",
            StatusCode::SERVICE_UNAVAILABLE => "暂时无法读取存档",
            _ => "服务器出错",
        };
        let page = ErrorPage {
            chrome: Chrome {
                title: heading.to_owned(),
                feed: Feed::all(),
                lang: "zh",
                css: style::href(),
                q: String::new(),
                hans: "/?zh=hans".into(),
                hant: "/?zh=hant".into(),
                zh: "orig",
            },
            status: self.status.as_u16(),
            heading,
            message: &self.message,
        };
        // The template is plain; if it ever failed, the message still gets out as text.
        let (content_type, body) = match page.render() {
            Ok(html) => ("text/html; charset=utf-8", html),
            Err(_) => ("text/plain; charset=utf-8", format!("{}\n", self.message)),
        };
        (
            self.status,
            [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
            body,
        )
            .into_response()
    }
}

/// The HTML 404 for every path no route matches.
pub(crate) async fn not_found(OriginalUri(uri): OriginalUri) -> PageError {
    PageError::not_found(format!("这里没有页面：{}", uri.path()))
}

/// Path parameters, with a malformed segment (bad percent-encoding or UTF-8) answered by the
/// HTML 400 page.
pub(crate) struct PagePath<T>(pub(crate) T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for PagePath<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<PagePath<T>, PageError> {
        ApiPath::<T>::from_request_parts(parts, state)
            .await
            .map(|ApiPath(value)| PagePath(value))
            .map_err(PageError::from)
    }
}
