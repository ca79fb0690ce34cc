//! What wraps every route: security headers, ETag/304, Last-Modified, gzip and br, HEAD,
//! request limits, and archived assets.

mod support;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use newsvault_web as web;
use std::io::Read;
use support::{Fixture, source};
use tower::ServiceExt;
use web::WebState;

const MAY_1: i64 = 1_714_521_600_000;

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

async fn send(state: &WebState, request: Request<Body>) -> Reply {
    let response = web::router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

fn get(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::empty()).unwrap()
}

fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply.headers.get(name).map_or("", |v| v.to_str().unwrap())
}

fn state() -> (Fixture, WebState) {
    let mut f = Fixture::new();
    for i in 0..3 {
        f.add(
            "rfi",
            &format!("https://news.example/layers/{i}"),
            &format!("压缩测试第 {i} 篇"),
            &"<p>一段足够长、可以压缩的测试正文。</p>".repeat(20),
            MAY_1 + i,
        );
    }
    let state = f.state(vec![source("rfi", "法广")]);
    (f, state)
}

fn assert_security_headers(reply: &Reply, what: &str) {
    let csp = header(reply, "content-security-policy");
    for directive in [
        "default-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action '",
    ] {
        assert!(csp.contains(directive), "{what}: {csp}");
    }
    assert_eq!(header(reply, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(reply, "referrer-policy"), "no-referrer", "{what}");
    assert_eq!(header(reply, "x-frame-options"), "DENY", "{what}");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let (_f, state) = state();
    for (uri, status) in [
        ("/api/v1/articles", StatusCode::OK),
        ("/api/v1/articles/zzz", StatusCode::BAD_REQUEST),
        ("/api/v1/nope", StatusCode::NOT_FOUND),
        ("/feeds/all.atom", StatusCode::OK),
        ("/feeds/sources/nobody.atom", StatusCode::NOT_FOUND),
        ("/assets/zz/nothing.png", StatusCode::BAD_REQUEST),
        ("/no/such/page/anywhere", StatusCode::NOT_FOUND),
    ] {
        let reply = send(&state, get(uri, &[])).await;
        assert_eq!(reply.status, status, "{uri}");
        assert_security_headers(&reply, uri);
    }
}

#[tokio::test]
async fn a_matching_if_none_match_is_a_304() {
    let (_f, state) = state();
    for uri in [
        "/api/v1/articles",
        "/feeds/all.atom",
        "/api/v1/openapi.json",
    ] {
        let first = send(&state, get(uri, &[])).await;
        assert_eq!(first.status, StatusCode::OK, "{uri}");
        let etag = header(&first, "etag").to_owned();
        assert!(
            etag.len() == 34 && etag.starts_with('"') && etag.ends_with('"'),
            "{uri}: a strong tag: {etag}"
        );
        assert_eq!(header(&first, "cache-control"), "no-cache", "{uri}");

        let again = send(&state, get(uri, &[("if-none-match", &etag)])).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{uri}");
        assert!(again.body.is_empty());
        assert_eq!(header(&again, "etag"), etag);
        assert_security_headers(&again, uri);

        let listed = format!("\"other\", {etag}");
        let again = send(&state, get(uri, &[("if-none-match", &listed)])).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{uri}");

        let other = send(&state, get(uri, &[("if-none-match", "\"other\"")])).await;
        assert_eq!(other.status, StatusCode::OK, "{uri}");
        assert_eq!(other.body, first.body, "{uri}: same body, same tag");
    }
}

#[tokio::test]
async fn feeds_carry_last_modified_and_honour_if_modified_since() {
    let (_f, state) = state();
    let first = send(&state, get("/feeds/all.atom", &[])).await;
    let modified = header(&first, "last-modified").to_owned();
    assert!(modified.ends_with(" GMT"), "{modified}");
    let again = send(
        &state,
        get("/feeds/all.atom", &[("if-modified-since", &modified)]),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let older = send(
        &state,
        get(
            "/feeds/all.atom",
            &[("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT")],
        ),
    )
    .await;
    assert_eq!(older.status, StatusCode::OK);
}

#[tokio::test]
async fn gzip_and_br_when_asked() {
    let (_f, state) = state();
    let plain = send(&state, get("/api/v1/articles", &[])).await;
    assert_eq!(header(&plain, "content-encoding"), "");
    let plain_tag = header(&plain, "etag").to_owned();

    let gzip = send(
        &state,
        get("/api/v1/articles", &[("accept-encoding", "gzip")]),
    )
    .await;
    assert_eq!(header(&gzip, "content-encoding"), "gzip");
    assert!(
        header(&gzip, "vary")
            .to_ascii_lowercase()
            .contains("accept-encoding")
    );
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&gzip.body[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain.body);
    assert!(gzip.body.len() < plain.body.len());
    let gzip_tag = header(&gzip, "etag").to_owned();
    assert_eq!(
        gzip_tag,
        format!("{}-gzip\"", &plain_tag[..plain_tag.len() - 1])
    );

    let br = send(&state, get("/feeds/all.atom", &[("accept-encoding", "br")])).await;
    assert_eq!(header(&br, "content-encoding"), "br");
    let mut decoded = Vec::new();
    brotli_decompressor::Decompressor::new(&br.body[..], 4096)
        .read_to_end(&mut decoded)
        .unwrap();
    let identity = send(&state, get("/feeds/all.atom", &[])).await;
    assert_eq!(decoded, identity.body);
    assert!(
        header(&br, "etag").ends_with("-br\""),
        "{}",
        header(&br, "etag")
    );

    // A browser takes both: gzip, which is no larger at our level and cheaper to make.
    let browser = send(
        &state,
        get(
            "/feeds/all.atom",
            &[("accept-encoding", "gzip, deflate, br")],
        ),
    )
    .await;
    assert_eq!(header(&browser, "content-encoding"), "gzip");
    let preferred = send(
        &state,
        get("/feeds/all.atom", &[("accept-encoding", "gzip;q=0.5, br")]),
    )
    .await;
    assert_eq!(header(&preferred, "content-encoding"), "br");

    // The encoded representation's tag revalidates too.
    let again = send(
        &state,
        get(
            "/api/v1/articles",
            &[("accept-encoding", "gzip"), ("if-none-match", &gzip_tag)],
        ),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_eq!(header(&again, "etag"), gzip_tag);
}

#[tokio::test]
async fn head_answers_the_headers_of_get_without_a_body() {
    let (_f, state) = state();
    for uri in [
        "/api/v1/articles",
        "/feeds/all.atom",
        "/api/v1/articles/zzz",
    ] {
        let full = send(&state, get(uri, &[])).await;
        let head = send(&state, Request::head(uri).body(Body::empty()).unwrap()).await;
        assert_eq!(head.status, full.status, "{uri}");
        assert!(head.body.is_empty(), "{uri}");
        for name in ["content-type", "etag", "content-security-policy"] {
            assert_eq!(header(&head, name), header(&full, name), "{uri}: {name}");
        }
        assert_eq!(
            header(&head, "content-length"),
            full.body.len().to_string(),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn oversized_requests_are_refused() {
    let (_f, state) = state();
    let long = format!("/api/v1/articles?after={}", "x".repeat(9000));
    let reply = send(&state, get(&long, &[])).await;
    assert_eq!(reply.status, StatusCode::URI_TOO_LONG);

    let body = format!("{{\"id\": \"x\", \"url\": \"{}\"}}", "y".repeat(70_000));
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/sources")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from(body))
        .unwrap();
    let reply = send(&state, request).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn archived_assets_are_served_immutable_by_exact_name() {
    let mut f = Fixture::new();
    let png = b"\x89PNG\r\n\x1a\n our own test bytes, not a real image";
    let path = f.asset("https://img.example/a.png", png, "image/png");
    f.add(
        "rfi",
        "https://news.example/with-image",
        "有图的文章",
        "<p>图：</p><img src=\"https://img.example/a.png\">",
        MAY_1,
    );
    let state = f.state(vec![source("rfi", "法广")]);
    let uri = format!("/{path}");
    let reply = send(&state, get(&uri, &[])).await;
    assert_eq!(reply.status, StatusCode::OK, "{uri}");
    assert_eq!(reply.body, png);
    assert_eq!(header(&reply, "content-type"), "image/png");
    assert_eq!(
        header(&reply, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let hash = path.rsplit('/').next().unwrap().split('.').next().unwrap();
    assert_eq!(header(&reply, "etag"), format!("\"{hash}\""));
    assert!(header(&reply, "content-security-policy").contains("sandbox"));
    assert_security_headers(&reply, &uri);
    let again = send(
        &state,
        get(&uri, &[("if-none-match", &format!("\"{hash}\""))]),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    let aa = &hash[..2];
    let missing = format!("/assets/{aa}/{aa}{}.png", "0".repeat(62));
    for (uri, status) in [
        (missing.as_str(), StatusCode::NOT_FOUND),
        (&format!("/assets/{aa}/{hash}.exe"), StatusCode::BAD_REQUEST),
        (
            &format!("/assets/{aa}/{}.png", hash.to_uppercase()),
            StatusCode::BAD_REQUEST,
        ),
        (
            &format!("/assets/{aa}/%2e%2e%2f%2e%2e%2findex.sqlite"),
            StatusCode::BAD_REQUEST,
        ),
        ("/assets/00/urls.jsonl", StatusCode::BAD_REQUEST),
    ] {
        let reply = send(&state, get(uri, &[])).await;
        assert_eq!(reply.status, status, "{uri}");
        assert!(
            header(&reply, "content-type").starts_with("text/plain"),
            "{uri}"
        );
    }
}
