//! `GET /assets/{aa}/{file}`: archived images and other media from `<data>/assets/`.
//!
//! Assets are content-addressed (`assets/<aa>/<sha256>.<ext>`, `aa` the first two hex digits
//! of the hash), so a name is either exactly that shape or rejected (400) before the file
//! system is touched, and a served file never changes: it is cached as immutable and its hash
//! is its ETag. The content type comes from the extension, from a fixed list; everything is
//! sent with `nosniff` and a CSP that runs nothing (an archived SVG cannot script).

use crate::WebState;
use crate::error::ApiError;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The content type of each extension the archive writes (`archive::assets`).
const TYPES: &[(&str, &str)] = &[
    ("jpg", "image/jpeg"),
    ("png", "image/png"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("avif", "image/avif"),
    ("svg", "image/svg+xml"),
    ("bmp", "image/bmp"),
    ("ico", "image/x-icon"),
    ("mp4", "video/mp4"),
    ("mp3", "audio/mpeg"),
    ("bin", "application/octet-stream"),
];

/// What an asset response may do if opened on its own: nothing but show itself.
const ASSET_CSP: &str = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; \
     form-action 'none'; base-uri 'none'; frame-ancestors 'none'; sandbox";

/// The media routes.
pub(crate) fn routes() -> Router<WebState> {
    Router::new().route("/assets/{aa}/{file}", get(asset))
}

/// Checks an asset name; returns (hash, content type).
fn parse_name<'a>(aa: &str, file: &'a str) -> Option<(&'a str, &'static str)> {
    let (hash, ext) = file.split_once('.')?;
    let hex = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let valid = aa.len() == 2 && hash.len() == 64 && hex(hash) && hash.starts_with(aa);
    let mime = TYPES.iter().find(|(e, _)| *e == ext).map(|(_, m)| *m)?;
    valid.then_some((hash, mime))
}

/// `GET /assets/{aa}/{file}`.
async fn asset(
    State(state): State<WebState>,
    Path((aa, file)): Path<(String, String)>,
) -> Response {
    let Some((hash, mime)) = parse_name(&aa, &file) else {
        return ApiError::BadRequest(format!(
            "/assets/{aa}/{file}: not an asset name (assets/<aa>/<sha256>.<ext>, lower-case hex)"
        ))
        .plain();
    };
    let path = state.data_dir().join("assets").join(&aa).join(&file);
    let bytes = match tokio::fs::read(&path).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return ApiError::Missing(format!("no archived asset /assets/{aa}/{file}")).plain();
        }
        Err(e) => {
            return ApiError::Internal(format!("cannot read {}: {e}", path.display())).plain();
        }
    };
    let etag = HeaderValue::from_str(&format!("\"{hash}\""));
    let mut response = (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(ASSET_CSP),
            ),
        ],
        bytes,
    )
        .into_response();
    if let Ok(etag) = etag {
        response.headers_mut().insert(header::ETAG, etag);
    }
    if mime == "application/octet-stream" {
        response.headers_mut().insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_content_addressed_names_pass() {
        let hash = "ab".to_owned() + &"0".repeat(62);
        assert_eq!(
            parse_name("ab", &format!("{hash}.png")),
            Some((hash.as_str(), "image/png"))
        );
        for (aa, file) in [
            ("ab", format!("{hash}.exe")),
            ("ab", format!("{hash}.png.png")),
            ("cd", format!("{hash}.png")),
            ("AB", format!("{hash}.png")),
            ("ab", "..".to_owned()),
            ("ab", format!("{}.png", &hash[..63])),
            ("ab", format!("{}.png", hash.to_uppercase())),
        ] {
            assert_eq!(parse_name(aa, &file), None, "{aa}/{file}");
        }
    }
}
