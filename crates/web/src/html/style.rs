//! The stylesheet: one hand-written file (`static/style.css`) embedded in the binary and
//! served at `/static/style.<hash>.css`. The name changes with the content, so the file is
//! cached for a year as immutable and a new release is never shown with an old stylesheet.

use super::error::{PageError, PagePath};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;

/// The stylesheet.
const CSS: &str = include_str!("../../static/style.css");

/// `/static/style.<first 12 hex digits of its SHA-256>.css`.
static HREF: LazyLock<String> = LazyLock::new(|| {
    format!(
        "/static/style.{}.css",
        &model::sha256_hex(CSS.as_bytes())[..12]
    )
});

/// The path pages link the stylesheet from.
pub(crate) fn href() -> &'static str {
    HREF.as_str()
}

/// `GET /static/{file}`: the stylesheet under its current name; anything else is a 404.
pub(crate) async fn stylesheet(PagePath(file): PagePath<String>) -> Response {
    if Some(file.as_str()) != href().strip_prefix("/static/") {
        return PageError::not_found(format!("这里没有文件：/static/{file}")).into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        CSS,
    )
        .into_response()
}
