//! A fixture news site on 127.0.0.1 (never the internet): canned feeds and pages, answers that
//! stall mid-body, and a log of what was asked. Served from its own runtime, so tests of the
//! real binary (which run synchronously) can use it.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One page of the fixture site.
#[derive(Clone)]
pub(crate) enum Page {
    /// A fixed answer; a 200 carries an ETag and a matching `If-None-Match` gets 304.
    Canned {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// An HTML page sent in two parts: `head` at once, `tail` once `gate` is open.
    Stalled {
        head: String,
        tail: String,
        gate: Arc<AtomicBool>,
    },
}

#[derive(Default)]
pub(crate) struct Site {
    pages: HashMap<String, Page>,
    /// Every request: path and its `If-None-Match`.
    log: Vec<(String, Option<String>)>,
}

pub(crate) type Shared = Arc<Mutex<Site>>;

pub(crate) async fn answer(State(site): State<Shared>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let inm = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let page = {
        let mut site = site.lock().unwrap();
        site.log.push((path.clone(), inm.clone()));
        site.pages.get(&path).cloned()
    };
    match page {
        None => (StatusCode::NOT_FOUND, "no such page").into_response(),
        Some(Page::Canned {
            status,
            content_type,
            body,
        }) => {
            let etag = format!("\"{}\"", &model::sha256_hex(&body)[..12]);
            if status == 200 && inm.as_deref() == Some(etag.as_str()) {
                return StatusCode::NOT_MODIFIED.into_response();
            }
            let mut r = (StatusCode::from_u16(status).unwrap(), body).into_response();
            let headers = r.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            if status == 200 {
                headers.insert(header::ETAG, HeaderValue::from_str(&etag).unwrap());
            }
            r
        }
        Some(Page::Stalled { head, tail, gate }) => {
            let tail = futures_util::stream::once(async move {
                while !gate.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Ok::<_, std::io::Error>(Bytes::from(tail))
            });
            let body = futures_util::stream::iter([Ok(Bytes::from(head))]).chain(tail);
            let mut r = Body::from_stream(body).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        }
    }
}

/// The fixture site, served from its own runtime for as long as this lives.
pub(crate) struct Fixture {
    pub(crate) base: String,
    site: Shared,
    _runtime: tokio::runtime::Runtime,
}

impl Fixture {
    pub(crate) fn start() -> Fixture {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let site = Shared::default();
        let app = Router::new().fallback(answer).with_state(site.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
        Fixture {
            base,
            site,
            _runtime: runtime,
        }
    }

    pub(crate) fn put(&self, path: &str, page: Page) {
        self.site
            .lock()
            .unwrap()
            .pages
            .insert(path.to_owned(), page);
    }

    /// The `If-None-Match` of every request for `path`, in order.
    pub(crate) fn requests(&self, path: &str) -> Vec<Option<String>> {
        let site = self.site.lock().unwrap();
        site.log
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, inm)| inm.clone())
            .collect()
    }
}

pub(crate) fn ok(content_type: &'static str, body: impl Into<Vec<u8>>) -> Page {
    Page::Canned {
        status: 200,
        content_type,
        body: body.into(),
    }
}

/// A full-text RSS feed of `(slug, title, body)` items linking to `base/a/<slug>.html`.
pub(crate) fn full_text_rss(base: &str, items: &[(&str, &str, &str)]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>测试台</title>",
    );
    for (slug, title, body) in items {
        out.push_str(&format!(
            "<item><title>{title}</title><link>{base}/a/{slug}.html</link><guid>{slug}</guid>\
             <pubDate>Wed, 25 Nov 2026 08:00:00 GMT</pubDate><description>摘要</description>\
             <content:encoded><![CDATA[{body}]]></content:encoded></item>"
        ));
    }
    out.push_str("</channel></rss>");
    out
}

/// A summary-only RSS feed with one item whose page is `base/<page>`.
pub(crate) fn summary_rss(base: &str, page: &str, title: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>摘要台</title>\
         <item><title>{title}</title><link>{base}{page}</link><guid>{base}{page}</guid>\
         <pubDate>Wed, 25 Nov 2026 09:00:00 GMT</pubDate><description>只有摘要。</description></item>\
         </channel></rss>"
    )
}
