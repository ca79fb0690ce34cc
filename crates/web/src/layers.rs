//! What wraps every route: security headers, validators and 304s, compression, limits, HEAD.
//!
//! From the outside in (the order [`apply`] stacks them):
//!
//! 1. `HEAD` is answered as the `GET` it mirrors, minus the body, so both carry the same
//!    headers (ETag, Content-Type, Content-Length when known).
//! 2. Request limits: a URI longer than [`MAX_URI_BYTES`] is 414; a body longer than
//!    [`MAX_BODY_BYTES`] is 413 (the only bodies taken are admin JSON).
//! 3. Security headers on every response, errors and 404s included: [`CSP`] (unless the
//!    route set a stricter one), `X-Content-Type-Options: nosniff`, `Referrer-Policy:
//!    no-referrer` (a reader's visit tells no source site anything), `X-Frame-Options: DENY`.
//! 4. The encoding tag: a compressed response's ETag gets `-gzip`/`-br` inside the quotes, so
//!    each representation has its own strong validator (RFC 9110 §8.8.3).
//! 5. Compression: gzip and br, as `Accept-Encoding` asks (not for images; not under 32 bytes),
//!    at the fastest level: gzip when a client takes it at least as gladly as br, in one call
//!    with a deflate state kept per thread ([`gzip`], `gzip.rs`); br, for clients that prefer
//!    it, by tower-http ([`COMPRESSION`]).
//! 6. Validators: a `GET` answered 200 with a body of known size gets a strong `ETag` (the
//!    body's 128-bit XXH3, hex: [`etag_of`]) unless the handler set one, and
//!    `Cache-Control: no-cache` (always revalidate) unless the handler set its own;
//!    `If-None-Match` that matches (with or without an encoding tag) and, failing that,
//!    `If-Modified-Since` not older than a handler's `Last-Modified` answer 304.

use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// The Content-Security-Policy of every page: nothing loads from anywhere but this server, no
/// script runs, no form posts elsewhere, no page frames ours.
pub(crate) const CSP: &str = "default-src 'none'; img-src 'self' data:; style-src 'self'; \
     form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Compression level of tower-http's br (and of gzip for the rare body of unknown size): the
/// fastest. Pages are a few KB of text, which the fast levels shrink nearly as well, while
/// brotli at tower-http's default (quality 4) took about 40% of the server's CPU on article
/// pages (`scripts/bench-web.sh`).
const COMPRESSION: CompressionLevel = CompressionLevel::Fastest;

/// Largest request body accepted (admin JSON is a few hundred bytes).
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

/// Longest request URI accepted (path and query string).
pub(crate) const MAX_URI_BYTES: usize = 8 * 1024;

/// Largest response body given an ETag (bodies are buffered to hash them).
const MAX_ETAG_BODY: u64 = 16 * 1024 * 1024;

/// Wraps `router` in every layer above; call it last, after all routes are added.
pub(crate) fn apply(router: Router) -> Router {
    router
        .layer(middleware::from_fn(validators))
        .layer(middleware::from_fn(gzip))
        .layer(
            CompressionLayer::new()
                .gzip(true)
                .br(true)
                .quality(COMPRESSION),
        )
        .layer(middleware::from_fn(encoding_tag))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(middleware::from_fn(limit_uri))
        .layer(middleware::from_fn(head_as_get))
}

/// Answers `HEAD` with the headers of the `GET`, and no body.
async fn head_as_get(mut request: Request, next: Next) -> Response {
    if request.method() != Method::HEAD {
        return next.run(request).await;
    }
    *request.method_mut() = Method::GET;
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    if let Some(len) = body.size_hint().exact()
        && !parts.headers.contains_key(header::CONTENT_LENGTH)
    {
        parts
            .headers
            .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    Response::from_parts(parts, Body::empty())
}

/// 414 for a request URI longer than [`MAX_URI_BYTES`].
async fn limit_uri(request: Request, next: Next) -> Response {
    let len = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if len > MAX_URI_BYTES {
        return (
            StatusCode::URI_TOO_LONG,
            format!("the request URI is {len} bytes long; at most {MAX_URI_BYTES} are accepted\n"),
        )
            .into_response();
    }
    next.run(request).await
}

/// Adds the ETag and Cache-Control of a 200 and answers conditional requests with 304.
async fn validators(request: Request, next: Next) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let if_modified_since = request.headers().get(header::IF_MODIFIED_SINCE).cloned();
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let body = if parts.headers.contains_key(header::ETAG) {
        body
    } else {
        match body.size_hint().exact() {
            Some(len) if len <= MAX_ETAG_BODY => {
                let bytes = match axum::body::to_bytes(body, len as usize).await {
                    Ok(bytes) => bytes,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot read a response body to tag it");
                        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                    }
                };
                if let Ok(tag) = HeaderValue::from_str(&etag_of(&bytes)) {
                    parts.headers.insert(header::ETAG, tag);
                }
                Body::from(bytes)
            }
            _ => body,
        }
    };
    if parts.headers.contains_key(header::ETAG)
        && !parts.headers.contains_key(header::CACHE_CONTROL)
    {
        parts
            .headers
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    // The tag a 304 repeats: the one the client sent that matched (it may carry an
    // encoding tag this layer cannot see: compression happens outside it).
    let matched: Option<HeaderValue> = match (&if_none_match, parts.headers.get(header::ETAG)) {
        (Some(condition), Some(tag)) => matching_tag(condition, tag),
        (Some(_), None) => None,
        (None, tag) => match (&if_modified_since, parts.headers.get(header::LAST_MODIFIED)) {
            (Some(since), Some(modified)) if not_modified_since(since, modified) => {
                Some(tag.cloned().unwrap_or_else(|| HeaderValue::from_static("")))
            }
            _ => None,
        },
    };
    if let Some(tag) = matched {
        if !tag.is_empty() {
            parts.headers.insert(header::ETAG, tag);
        }
        return not_modified_response(&parts.headers);
    }
    Response::from_parts(parts, body)
}

/// A strong entity tag for `body`: its 128-bit XXH3, hex, quoted. A tag only has to change
/// when the body does, against accident, not an adversary (a client compares it with the tag
/// it was given for the same URL); SHA-256 of every page was 1.2 % of a search page's CPU.
pub(crate) fn etag_of(body: &[u8]) -> String {
    let hash = twox_hash::XxHash3_128::oneshot(body);
    format!("\"{hash:032x}\"")
}

/// The opaque part of an entity tag (`W/"abc-br"` → `abc`): weak comparison (what
/// `If-None-Match` uses), ignoring the encoding tag [`encoding_tag`] adds.
fn opaque(tag: &str) -> &str {
    let tag = tag.trim();
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    let tag = tag.trim_matches('"');
    tag.strip_suffix("-gzip")
        .or_else(|| tag.strip_suffix("-br"))
        .unwrap_or(tag)
}

/// The entity tag of an `If-None-Match` value that names `tag` (`tag` itself for `*`).
fn matching_tag(condition: &HeaderValue, tag: &HeaderValue) -> Option<HeaderValue> {
    let (Ok(condition), Ok(ours)) = (condition.to_str(), tag.to_str()) else {
        return None;
    };
    condition.split(',').map(str::trim).find_map(|c| {
        if c == "*" {
            Some(tag.clone())
        } else if opaque(c) == opaque(ours) {
            HeaderValue::from_str(c.strip_prefix("W/").unwrap_or(c)).ok()
        } else {
            None
        }
    })
}

/// Whether `Last-Modified: modified` is not later than `If-Modified-Since: since`.
fn not_modified_since(since: &HeaderValue, modified: &HeaderValue) -> bool {
    let parse = |v: &HeaderValue| {
        v.to_str()
            .ok()
            .and_then(|s| httpdate::parse_http_date(s).ok())
    };
    match (parse(since), parse(modified)) {
        (Some(since), Some(modified)) => modified <= since,
        _ => false,
    }
}

/// A 304 carrying the validators and caching headers of the 200 it stands for.
fn not_modified_response(headers: &HeaderMap) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    for name in [
        header::ETAG,
        header::LAST_MODIFIED,
        header::CACHE_CONTROL,
        header::EXPIRES,
        header::VARY,
        header::CONTENT_LOCATION,
    ] {
        if let Some(value) = headers.get(&name) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}

/// gzip for a client that takes it at least as gladly as br ([`crate::gzip::takes_gzip`]):
/// the whole body in one call, sent with its length. Others (br, or a body of unknown size)
/// go on to tower-http's layer outside, which leaves an encoded response alone.
async fn gzip(request: Request, next: Next) -> Response {
    let wanted = crate::gzip::takes_gzip(request.headers());
    let response = next.run(request).await;
    if !wanted || !crate::gzip::compressible(response.headers()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let len = match body.size_hint().exact() {
        Some(len) if (crate::gzip::MIN_BYTES..=MAX_ETAG_BODY).contains(&len) => len,
        _ => return Response::from_parts(parts, body),
    };
    let bytes = match axum::body::to_bytes(body, len as usize).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read a response body to compress it");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let compressed = crate::gzip::compress(&bytes);
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    parts.headers.remove(header::CONTENT_LENGTH);
    crate::gzip::add_vary(&mut parts.headers);
    Response::from_parts(parts, Body::from(compressed))
}

/// Gives a compressed response's ETag the encoding (`"abc"` → `"abc-br"`), so the gzip, br
/// and identity bodies have different strong tags.
async fn encoding_tag(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers();
    let encoding = match headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
    {
        Some("gzip") => "gzip",
        Some("br") => "br",
        _ => return response,
    };
    let Some(tag) = headers.get(header::ETAG).and_then(|v| v.to_str().ok()) else {
        return response;
    };
    if tag.starts_with("W/") || !tag.ends_with('"') {
        return response;
    }
    let tagged = format!("{}-{encoding}\"", &tag[..tag.len() - 1]);
    if let Ok(value) = HeaderValue::from_str(&tagged) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_ignores_the_encoding() {
        let tag = HeaderValue::from_static("\"abc\"");
        for (condition, echoed) in [
            ("\"abc\"", "\"abc\""),
            ("W/\"abc\"", "\"abc\""),
            ("\"abc-br\"", "\"abc-br\""),
            ("\"x\", \"abc-gzip\"", "\"abc-gzip\""),
            ("*", "\"abc\""),
        ] {
            let hit = matching_tag(&HeaderValue::from_static(condition), &tag);
            assert_eq!(hit, Some(HeaderValue::from_static(echoed)), "{condition}");
        }
        for miss in ["\"abd\"", "\"ab\"", ""] {
            assert_eq!(
                matching_tag(&HeaderValue::from_static(miss), &tag),
                None,
                "{miss}"
            );
        }
        assert_eq!(etag_of(b"").len(), 34);
    }

    #[test]
    fn if_modified_since_compares_dates() {
        let at = |s: &'static str| HeaderValue::from_static(s);
        let modified = at("Sun, 06 Nov 1994 08:49:37 GMT");
        assert!(not_modified_since(
            &at("Sun, 06 Nov 1994 08:49:37 GMT"),
            &modified
        ));
        assert!(!not_modified_since(
            &at("Sun, 06 Nov 1994 08:49:36 GMT"),
            &modified
        ));
        assert!(!not_modified_since(&at("yesterday"), &modified));
    }
}
