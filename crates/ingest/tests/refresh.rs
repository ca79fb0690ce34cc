//! `refresh_source` end to end against a fixture site on 127.0.0.1 (never the internet): feeds
//! in several dialects and encodings, summary-only feeds with article pages and images, and a
//! server that misbehaves on purpose.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use ingest::{Ingest, RefreshOptions, refresh_source};
use model::{SourceConfig, SourceId};
use newsvault_ingest as ingest;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One canned answer.
#[derive(Clone)]
struct Canned {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Canned {
    fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Canned {
        Canned {
            status: 200,
            headers: vec![("content-type", content_type.to_owned())],
            body: body.into(),
        }
    }
}

#[derive(Default)]
struct Site {
    pages: HashMap<String, Canned>,
    /// Every request: path and its If-None-Match.
    log: Vec<(String, Option<String>)>,
}

type Shared = Arc<Mutex<Site>>;

async fn answer(State(site): State<Shared>, headers: HeaderMap, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let inm = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut site = site.lock().unwrap();
    site.log.push((path.clone(), inm.clone()));
    let Some(canned) = site.pages.get(&path).cloned() else {
        return (StatusCode::NOT_FOUND, "no such page").into_response();
    };
    // Validators for every 200: an ETag from the body, honoured on the next request.
    let etag = format!("\"{}\"", &model::sha256_hex(&canned.body)[..12]);
    if canned.status == 200 && inm.as_deref() == Some(etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut response = (StatusCode::from_u16(canned.status).unwrap(), canned.body).into_response();
    for (k, v) in canned.headers {
        response
            .headers_mut()
            .insert(k, HeaderValue::from_str(&v).unwrap());
    }
    if canned.status == 200 {
        response
            .headers_mut()
            .insert(header::ETAG, HeaderValue::from_str(&etag).unwrap());
    }
    response
}

async fn serve() -> (String, Shared) {
    let site = Shared::default();
    let app = Router::new().fallback(answer).with_state(site.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, site)
}

fn put(site: &Shared, path: &str, canned: Canned) {
    site.lock().unwrap().pages.insert(path.to_owned(), canned);
}

fn requests(site: &Shared, path: &str) -> Vec<Option<String>> {
    site.lock()
        .unwrap()
        .log
        .iter()
        .filter(|(p, _)| p == path)
        .map(|(_, inm)| inm.clone())
        .collect()
}

fn fetch_config() -> fetch::FetchConfig {
    fetch::FetchConfig {
        min_interval: Duration::ZERO,
        backoff_base: Duration::from_millis(10),
        total_timeout: Duration::from_secs(3),
        max_body: 1024 * 1024,
        ..fetch::FetchConfig::default()
    }
}

fn source(id: &str, url: String, full_text: bool) -> SourceConfig {
    let mut s = SourceConfig::new(SourceId::new(id).unwrap(), id.to_uppercase(), url);
    s.full_text = full_text;
    s
}

fn rss(base: &str, items: &[(&str, &str, &str)]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>测试台</title>",
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

fn open(dir: &std::path::Path) -> Ingest {
    let archive = archive::Archive::open(dir).unwrap();
    Ingest::open(
        archive,
        fetch_config(),
        RefreshOptions {
            images: true,
            ..RefreshOptions::default()
        },
    )
    .unwrap()
}

fn log_events(dir: &std::path::Path, source: &str) -> Vec<String> {
    let archive = archive::Archive::open(dir).unwrap();
    archive::read_log(&archive, &SourceId::new(source).unwrap())
        .unwrap()
        .map(|l| l.unwrap().capture.event.to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_check_is_conditional_and_archives_nothing_new_then_an_edit_is_a_version() {
    let (base, site) = serve().await;
    let items = [
        ("one", "第一篇", "<p>第一篇的正文。</p>"),
        ("two", "第二篇", "<p>第二篇的正文。</p>"),
    ];
    put(
        &site,
        "/feed.xml",
        Canned::ok("application/rss+xml", rss(&base, &items)),
    );
    let dir = tempfile::tempdir().unwrap();
    let ingest = open(dir.path());
    let src = source("full", format!("{base}/feed.xml"), true);

    let first = refresh_source(&ingest, &src).await.unwrap();
    assert_eq!((first.items, first.new, first.edited), (2, 2, 0));
    let second = refresh_source(&ingest, &src).await.unwrap();
    assert!(second.not_modified, "{second:?}");
    assert_eq!(second.new + second.edited, 0);
    let conditional = requests(&site, "/feed.xml");
    assert_eq!(conditional.len(), 2);
    assert!(
        conditional[0].is_none() && conditional[1].is_some(),
        "{conditional:?}"
    );
    // No page was fetched: the feed carries the full text.
    assert!(requests(&site, "/a/one.html").is_empty());

    // Markup-only change: not an edit. Word change: a new version.
    let reformatted = [
        (
            "one",
            "第一篇",
            "<div><p class=\"x\">第一篇的正文。</p></div>",
        ),
        ("two", "第二篇", "<p>第二篇的正文，已更正。</p>"),
    ];
    put(
        &site,
        "/feed.xml",
        Canned::ok("application/rss+xml", rss(&base, &reformatted)),
    );
    let third = refresh_source(&ingest, &src).await.unwrap();
    assert_eq!(
        (third.new, third.edited, third.unchanged),
        (0, 1, 1),
        "{third:?}"
    );
    ingest.close().unwrap();

    assert_eq!(log_events(dir.path(), "full"), ["new", "new", "edited"]);
    let archive = archive::Archive::open(dir.path()).unwrap();
    assert!(archive::verify(&archive).unwrap().is_ok());
    // The index and the source state agree.
    let index = index::Index::open(dir.path()).unwrap();
    let key = model::ArticleKey::for_url(&format!("{base}/a/two.html"));
    assert_eq!(index.versions(&key).unwrap().len(), 2);
    let state = index.source_state("full").unwrap().unwrap();
    assert!(state.last_success.is_some() && state.last_error.is_none());
    let captures = index.captures(&key).unwrap();
    assert!(
        captures.iter().all(|c| c.warc_record_id.is_some()),
        "{captures:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summary_only_items_get_their_page_extracted_and_images_archived() {
    let (base, site) = serve().await;
    let feed = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>摘要台</title>\
         <entry><id>tag:x,2026:1</id><title>长篇报道</title><link href=\"{base}/story.html\"/>\
         <updated>2026-11-25T08:00:00Z</updated><summary>只有摘要。</summary></entry></feed>"
    );
    put(&site, "/atom.xml", Canned::ok("application/atom+xml", feed));
    let paragraphs: String = (1..=6)
        .map(|i| {
            format!("<p>这是报道的第{i}段，记者在现场看到的情况被完整地记录下来，没有删节。</p>")
        })
        .collect();
    let page = format!(
        "<html><head><title>长篇报道 - 测试台</title></head><body><nav><a href=\"/\">首页</a> <a href=\"/x\">国际</a></nav>\
         <article><h1>长篇报道</h1><img src=\"/img/photo.jpg\" alt=\"现场\">{paragraphs}</article>\
         <footer>版权所有</footer></body></html>"
    );
    put(
        &site,
        "/story.html",
        Canned::ok("text/html; charset=utf-8", page),
    );
    put(
        &site,
        "/img/photo.jpg",
        Canned::ok("image/jpeg", b"\xff\xd8\xff\xe0 fake jpeg bytes".to_vec()),
    );
    let dir = tempfile::tempdir().unwrap();
    let ingest = open(dir.path());
    let src = source("summary", format!("{base}/atom.xml"), false);
    let report = refresh_source(&ingest, &src).await.unwrap();
    assert_eq!((report.new, report.images), (1, 1), "{report:?}");
    // Known now: the next check neither re-fetches the page nor the image.
    put(&site, "/atom.xml", {
        let mut c = site.lock().unwrap().pages["/atom.xml"].clone();
        c.body.extend_from_slice(b"\n");
        c
    });
    let again = refresh_source(&ingest, &src).await.unwrap();
    assert_eq!(again.new, 0);
    assert_eq!(requests(&site, "/story.html").len(), 1);
    assert_eq!(requests(&site, "/img/photo.jpg").len(), 1);
    ingest.close().unwrap();

    let index = index::Index::open(dir.path()).unwrap();
    let key = model::ArticleKey::for_url(&format!("{base}/story.html"));
    let version = &index.versions(&key).unwrap()[0];
    let stored = std::fs::read_to_string(dir.path().join(&version.path)).unwrap();
    assert!(stored.contains("第6段"), "{stored}");
    assert!(
        !stored.contains("版权所有") && !stored.contains("首页"),
        "{stored}"
    );
    let asset = index
        .asset(&format!("{base}/img/photo.jpg"))
        .unwrap()
        .expect("the image is mapped");
    assert_eq!(
        std::fs::read(dir.path().join(&asset.path)).unwrap(),
        b"\xff\xd8\xff\xe0 fake jpeg bytes"
    );
    // The search index may lag the archive while ingest runs, never past its close.
    assert_eq!(
        index::SearchIndex::open(dir.path()).unwrap().num_docs(),
        1,
        "the search index caught up when ingest closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gbk_and_big5_feeds_are_read_correctly() {
    let (base, site) = serve().await;
    let gbk = rss(&base, &[("gb", "简体标题", "<p>简体中文正文。</p>")])
        .replace("encoding=\"UTF-8\"", "encoding=\"GBK\"");
    let (bytes, _, _) = encoding_rs::GBK.encode(&gbk);
    put(
        &site,
        "/gbk.xml",
        Canned::ok("application/rss+xml", bytes.into_owned()),
    );
    let big5 = rss(&base, &[("b5", "繁體標題", "<p>繁體中文內文。</p>")])
        .replace("encoding=\"UTF-8\"", "encoding=\"Big5\"");
    let (bytes, _, _) = encoding_rs::BIG5.encode(&big5);
    put(
        &site,
        "/big5.xml",
        Canned::ok("application/rss+xml", bytes.into_owned()),
    );
    // Declared only in the HTTP header: no XML declaration at all.
    let header_only = rss(
        &base,
        &[("hd", "头部声明", "<p>只在响应头里声明编码。</p>")],
    )
    .replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", "");
    let (bytes, _, _) = encoding_rs::GBK.encode(&header_only);
    put(
        &site,
        "/header.xml",
        Canned::ok("application/xml; charset=gbk", bytes.into_owned()),
    );
    let dir = tempfile::tempdir().unwrap();
    let ingest = open(dir.path());
    for (id, path) in [
        ("gbk", "/gbk.xml"),
        ("big5", "/big5.xml"),
        ("header", "/header.xml"),
    ] {
        let r = refresh_source(&ingest, &source(id, format!("{base}{path}"), true))
            .await
            .unwrap();
        assert_eq!(r.new, 1, "{id}: {r:?}");
    }
    ingest.close().unwrap();
    let index = index::Index::open(dir.path()).unwrap();
    let titles: Vec<String> = index
        .articles()
        .unwrap()
        .into_iter()
        .map(|a| a.title)
        .collect();
    assert!(titles.contains(&"简体标题".to_owned()), "{titles:?}");
    assert!(titles.contains(&"繁體標題".to_owned()), "{titles:?}");
    assert!(titles.contains(&"头部声明".to_owned()), "{titles:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_sources_fail_alone_with_their_error_recorded() {
    let (base, site) = serve().await;
    put(
        &site,
        "/good.xml",
        Canned::ok(
            "application/rss+xml",
            rss(&base, &[("g", "好的", "<p>正文</p>")]),
        ),
    );
    put(
        &site,
        "/broken.xml",
        Canned::ok("application/rss+xml", "<html><body>维护中</body></html>"),
    );
    put(
        &site,
        "/down.xml",
        Canned {
            status: 500,
            headers: Vec::new(),
            body: b"oops".to_vec(),
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let ingest = Arc::new(open(dir.path()));
    let sources = [
        source("good", format!("{base}/good.xml"), true),
        source("broken", format!("{base}/broken.xml"), true),
        source("down", format!("{base}/down.xml"), true),
        source("missing", format!("{base}/missing.xml"), true),
    ];
    let results =
        futures_util::future::join_all(sources.iter().map(|s| refresh_source(&ingest, s))).await;
    assert_eq!(results[0].as_ref().unwrap().new, 1);
    for (r, needle) in results[1..]
        .iter()
        .zip(["broken.xml", "down.xml", "missing.xml"])
    {
        let e = r.as_ref().unwrap_err().to_string();
        assert!(e.contains(needle), "{e}");
    }
    let ingest = Arc::try_unwrap(ingest).unwrap();
    ingest.close().unwrap();
    let index = index::Index::open(dir.path()).unwrap();
    let states = index.source_states().unwrap();
    assert_eq!(states.len(), 4);
    for s in &states {
        assert_eq!(s.last_error.is_some(), s.id != "good", "{s:?}");
        assert!(s.next_due.is_some());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_retry_after_is_kept_across_processes() {
    let (base, site) = serve().await;
    put(
        &site,
        "/busy.xml",
        Canned {
            status: 429,
            headers: vec![("retry-after", "3600".to_owned())],
            body: b"slow down".to_vec(),
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let src = source("busy", format!("{base}/busy.xml"), true);
    {
        let ingest = open(dir.path());
        let e = refresh_source(&ingest, &src).await.unwrap_err();
        assert!(e.deferred_until().is_some(), "{e}");
        ingest.close().unwrap();
    }
    // A new process (a new Ingest) must not ask the host again before the time it gave.
    let ingest = open(dir.path());
    let e = refresh_source(&ingest, &src).await.unwrap_err();
    assert!(e.deferred_until().is_some(), "{e}");
    ingest.close().unwrap();
    assert_eq!(requests(&site, "/busy.xml").len(), 1);
    let index = index::Index::open(dir.path()).unwrap();
    let state = index.source_state("busy").unwrap().unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(state.next_due.as_deref().unwrap()).unwrap();
    assert!(due > Utc::now() + chrono::Duration::minutes(59), "{due}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_article_in_two_sources_is_one_article() {
    let (base, site) = serve().await;
    let items = [("shared", "同一篇", "<p>两个频道都有这一篇。</p>")];
    put(
        &site,
        "/a.xml",
        Canned::ok("application/rss+xml", rss(&base, &items)),
    );
    put(
        &site,
        "/b.xml",
        Canned::ok("application/rss+xml", rss(&base, &items)),
    );
    let dir = tempfile::tempdir().unwrap();
    let ingest = open(dir.path());
    let a = source("a", format!("{base}/a.xml"), true);
    let b = source("b", format!("{base}/b.xml"), true);
    let (ra, rb) = tokio::join!(refresh_source(&ingest, &a), refresh_source(&ingest, &b));
    assert_eq!(ra.unwrap().new + rb.unwrap().new, 1);
    ingest.close().unwrap();
    let index = index::Index::open(dir.path()).unwrap();
    assert_eq!(index.articles().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reextract_writes_a_version_only_where_better_rules_change_the_text() {
    let (base, site) = serve().await;
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>\
         <item><title>规则测试</title><link>{base}/ruled.html</link><description>摘要</description></item>\
         </channel></rss>"
    );
    put(&site, "/ruled.xml", Canned::ok("application/rss+xml", feed));
    let paragraphs: String = (1..=5)
        .map(|i| {
            format!("<p>规则测试的第{i}段正文，内容足够长，可以被正确识别为文章的主体部分。</p>")
        })
        .collect();
    put(
        &site,
        "/ruled.html",
        Canned::ok(
            "text/html",
            format!(
                "<html><body><article>{paragraphs}</article><aside class=\"teaser\"><p>{}</p></aside></body></html>",
                "推荐阅读：另一篇报道的导语，版权所有，这一段不是本文的内容。".repeat(4)
            ),
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    // A bad rule first: the footer is taken for the article.
    let mut bad = source("ruled", format!("{base}/ruled.xml"), false);
    bad.rules = Some(model::RulesSpec {
        hosts: Vec::new(),
        content: vec![".teaser".into()],
        drop: Vec::new(),
    });
    let ingest = open(dir.path());
    assert_eq!(refresh_source(&ingest, &bad).await.unwrap().new, 1);
    // The rule is fixed: re-extraction from the raw page in WARC, no network.
    let fixed = source("ruled", format!("{base}/ruled.xml"), false);
    let pages_before = requests(&site, "/ruled.html").len();
    let first = ingest::reextract(&ingest, std::slice::from_ref(&fixed), &[])
        .await
        .unwrap();
    assert_eq!((first.candidates, first.changed), (1, 1), "{first:?}");
    let second = ingest::reextract(&ingest, &[fixed], &[]).await.unwrap();
    assert_eq!((second.changed, second.unchanged), (0, 1), "{second:?}");
    assert_eq!(requests(&site, "/ruled.html").len(), pages_before);
    ingest.close().unwrap();

    let index = index::Index::open(dir.path()).unwrap();
    let key = model::ArticleKey::for_url(&format!("{base}/ruled.html"));
    let versions = index.versions(&key).unwrap();
    assert_eq!(versions.len(), 2);
    let v1 = std::fs::read_to_string(dir.path().join(&versions[0].path)).unwrap();
    let v2 = std::fs::read_to_string(dir.path().join(&versions[1].path)).unwrap();
    assert!(v1.contains("版权所有") && !v1.contains("第3段"), "{v1}");
    assert!(v2.contains("第3段") && !v2.contains("版权所有"), "{v2}");
    let captures = index.captures(&key).unwrap();
    assert_eq!(captures.last().unwrap().via.as_deref(), Some("reextract"));
}

/// The article page of the scripted-life test, in one of its states, by the default author.
fn life_page(title: &str, paragraphs: &[&str], promo: &str) -> Canned {
    life_page_by(title, paragraphs, promo, "记者 李四")
}

/// [`life_page`] with its byline (`<meta name="author">`, read by the extractor).
fn life_page_by(title: &str, paragraphs: &[&str], promo: &str, byline: &str) -> Canned {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
    Canned::ok(
        "text/html; charset=utf-8",
        format!(
            "<html><head><title>{title}</title><meta name=\"author\" content=\"{byline}\"></head>\
             <body><nav><a href=\"/\">首页</a></nav>\
             <article><h1>{title}</h1>{body}</article>\
             <aside class=\"related\"><a href=\"/p/{promo}\">推荐：{promo}</a></aside></body></html>"
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_article_lives_its_scripted_life_and_every_event_is_classified() {
    let (base, site) = serve().await;
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>\
         <item><title>港口扩建计划公布</title><link>{base}/story-1.html</link><description>摘要</description>\
         <pubDate>Wed, 25 Nov 2026 08:00:00 GMT</pubDate></item></channel></rss>"
    );
    put(&site, "/life.xml", Canned::ok("application/rss+xml", feed));
    let p1 = "市政府周三公布了港口扩建计划，预计投资规模超过以往任何一次，工程将分三期完成。";
    let p2 = "批评者认为，扩建将影响周边渔民的生计，并要求政府公开环境评估报告的全部内容。";
    let p3 = "官员表示，相关报告将在下个月提交议会审议，届时公众可以提出意见和建议，政府也将举行多场公开听证会，听取各方声音。";
    let p1_typo = "市政府周三公布了港口扩建计划，预计投资规模超过以往任何一次，工程将分四期完成。";
    put(
        &site,
        "/story-1.html",
        life_page("港口扩建计划公布", &[p1, p2, p3], "甲"),
    );

    let start = chrono::DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let clock = Arc::new(ingest::ManualClock::new(start));
    let dir = tempfile::tempdir().unwrap();
    let ingest = Ingest::open_with_clock(
        archive::Archive::open(dir.path()).unwrap(),
        fetch_config(),
        RefreshOptions {
            images: false,
            ..RefreshOptions::default()
        },
        clock.clone(),
    )
    .unwrap();
    let src = source("life", format!("{base}/life.xml"), false);
    assert_eq!(refresh_source(&ingest, &src).await.unwrap().new, 1);
    let key = model::ArticleKey::for_url(&format!("{base}/story-1.html"));

    // Each step: what the server does, then the events the next due re-check must log.
    let step = |page: Canned| put(&site, "/story-1.html", page);
    let redirect = |to: &str| Canned {
        status: 301,
        headers: vec![("location", to.to_owned())],
        body: Vec::new(),
    };
    let status = |code: u16| Canned {
        status: code,
        headers: Vec::new(),
        body: b"<html><body>error</body></html>".to_vec(),
    };
    let script: Vec<(&str, Canned, Vec<&str>)> = vec![
        (
            "promo rotates",
            life_page("港口扩建计划公布", &[p1, p2, p3], "乙"),
            vec![],
        ),
        (
            "unchanged",
            life_page("港口扩建计划公布", &[p1, p2, p3], "乙"),
            vec![],
        ),
        (
            "whitespace in the byline",
            life_page_by("港口扩建计划公布", &[p1, p2, p3], "乙", "记者  李四 "),
            vec![],
        ),
        (
            "byline only",
            life_page_by("港口扩建计划公布", &[p1, p2, p3], "乙", "记者 李四、王五"),
            vec!["byline"],
        ),
        (
            "byline missing",
            life_page_by("港口扩建计划公布", &[p1, p2, p3], "乙", ""),
            vec![],
        ),
        (
            "typo fix and byline back to the first",
            life_page("港口扩建计划公布", &[p1_typo, p2, p3], "丙"),
            vec!["byline", "edited"],
        ),
        ("503", status(503), vec![]),
        ("503 again", status(503), vec![]),
        (
            "paragraph removed",
            life_page("港口扩建计划公布", &[p1_typo, p3], "丁"),
            vec!["edited"],
        ),
        (
            "headline",
            life_page("港口扩建计划暂缓", &[p1_typo, p3], "丁"),
            vec!["edited"],
        ),
        (
            "new slug",
            redirect("/story-1-port-plan.html"),
            vec!["moved"],
        ),
        ("404", status(404), vec!["gone"]),
        ("still 404", status(404), vec![]),
        (
            "back",
            life_page("港口扩建计划暂缓", &[p1_typo, p3], "丁"),
            vec!["back"],
        ),
        ("home", redirect("/"), vec!["redirected-home"]),
        (
            "back again",
            life_page("港口扩建计划暂缓", &[p1_typo, p3], "丁"),
            vec!["back"],
        ),
        (
            "soft 404",
            life_page("页面不存在", &["您访问的页面不存在或已被删除。"], "丁"),
            vec!["soft-404"],
        ),
        ("451", status(451), vec!["blocked"]),
    ];
    put(
        &site,
        "/story-1-port-plan.html",
        life_page("港口扩建计划暂缓", &[p1_typo, p3], "丁"),
    );
    put(
        &site,
        "/",
        Canned::ok(
            "text/html",
            "<html><body><a href=\"/a\">头条</a></body></html>",
        ),
    );
    let sources = [src.clone()];
    for (name, page, expected) in script {
        step(page);
        let due = {
            let index = index::Index::open(dir.path()).unwrap();
            index
                .article_check(key.as_str())
                .unwrap()
                .unwrap()
                .next_check
                .unwrap()
        };
        clock.set(
            chrono::DateTime::parse_from_rfc3339(&due)
                .unwrap()
                .with_timezone(&Utc),
        );
        let reports = ingest::recheck_due(&ingest, &sources, 10).await.unwrap();
        assert_eq!(reports.len(), 1, "{name}: one article due");
        let report = reports.into_iter().next().unwrap().unwrap();
        let events: Vec<String> = report.events.iter().map(|e| e.to_string()).collect();
        assert_eq!(events, expected, "{name}: {report:?}");
        if name == "unchanged" {
            // The validators of the last look were sent, and honoured.
            assert_eq!(report.status, Some(304), "{name}: {report:?}");
        }
    }
    ingest.close().unwrap();

    let index = index::Index::open(dir.path()).unwrap();
    assert_eq!(
        index.versions(&key).unwrap().len(),
        4,
        "v1 + typo + paragraph + headline (a byline alone is no version)"
    );
    let captures = index.captures(&key).unwrap();
    // Bylines as logged: the first page's, each change (with from what), each edit's.
    let bylines: Vec<(&str, u32, Option<&str>, Option<&str>)> = captures
        .iter()
        .filter(|c| c.byline.is_some())
        .map(|c| {
            (
                c.event.as_str(),
                c.version,
                c.byline.as_deref(),
                c.note.as_deref().filter(|_| c.event == "byline"),
            )
        })
        .collect();
    assert_eq!(
        bylines,
        [
            ("new", 1, Some("记者 李四"), None),
            (
                "byline",
                1,
                Some("记者 李四、王五"),
                Some(r#"byline changed from "记者 李四" to "记者 李四、王五""#)
            ),
            (
                "byline",
                1,
                Some("记者 李四"),
                Some(r#"byline changed from "记者 李四、王五" to "记者 李四""#)
            ),
            ("edited", 2, Some("记者 李四"), None),
            ("edited", 3, Some("记者 李四"), None),
            ("edited", 4, Some("记者 李四"), None),
        ]
    );
    let changes: Vec<String> = index
        .list_changes(None, None, 50)
        .unwrap()
        .items
        .into_iter()
        .map(|c| c.event)
        .collect();
    assert_eq!(
        changes.iter().filter(|e| *e == "byline").count(),
        2,
        "byline changes are listed as changes: {changes:?}"
    );
    let logged: Vec<String> = captures.into_iter().map(|c| c.event).collect();
    assert_eq!(
        logged,
        [
            "new",
            "byline",
            "byline",
            "edited",
            "edited",
            "edited",
            "moved",
            "gone",
            "back",
            "redirected-home",
            "back",
            "soft-404",
            "blocked"
        ]
    );
    let archive = archive::Archive::open(dir.path()).unwrap();
    assert!(archive::verify(&archive).unwrap().is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_become_gone_only_after_they_persist() {
    let (base, site) = serve().await;
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>\
         <item><title>稳定性测试</title><link>{base}/flaky.html</link><description>摘要</description></item>\
         </channel></rss>"
    );
    put(&site, "/flaky.xml", Canned::ok("application/rss+xml", feed));
    let text = "这是一篇用来测试服务器暂时故障的文章，正文足够长，可以被识别为文章的主体内容。";
    put(
        &site,
        "/flaky.html",
        life_page("稳定性测试", &[text, text], "甲"),
    );
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let clock = Arc::new(ingest::ManualClock::new(start));
    let dir = tempfile::tempdir().unwrap();
    let ingest = Ingest::open_with_clock(
        archive::Archive::open(dir.path()).unwrap(),
        fetch_config(),
        RefreshOptions::default(),
        clock.clone(),
    )
    .unwrap();
    let src = source("flaky", format!("{base}/flaky.xml"), false);
    refresh_source(&ingest, &src).await.unwrap();
    put(
        &site,
        "/flaky.html",
        Canned {
            status: 503,
            headers: Vec::new(),
            body: b"busy".to_vec(),
        },
    );
    let key = model::ArticleKey::for_url(&format!("{base}/flaky.html"));
    let mut all = Vec::new();
    for _ in 0..12 {
        let due = index::Index::open(dir.path())
            .unwrap()
            .article_check(key.as_str())
            .unwrap()
            .unwrap()
            .next_check
            .unwrap();
        clock.set(
            chrono::DateTime::parse_from_rfc3339(&due)
                .unwrap()
                .with_timezone(&Utc),
        );
        for r in ingest::recheck_due(&ingest, std::slice::from_ref(&src), 10)
            .await
            .unwrap()
        {
            all.push((clock_now(&clock), r.unwrap()));
        }
    }
    ingest.close().unwrap();
    let gone_at: Vec<_> = all
        .iter()
        .filter(|(_, r)| r.events.iter().any(|e| e.as_str() == "gone"))
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(gone_at.len(), 1, "gone exactly once: {all:?}");
    assert!(
        gone_at[0] - start >= ingest::TRANSIENT_SPAN,
        "not before the threshold"
    );
    let before: Vec<_> = all.iter().take_while(|(t, _)| *t < gone_at[0]).collect();
    assert!(
        before.len() as u32 >= ingest::TRANSIENT_CHECKS - 1,
        "{before:?}"
    );
    assert!(
        before
            .iter()
            .all(|(_, r)| r.events.is_empty() && r.transient.is_some())
    );
}

fn clock_now(clock: &ingest::ManualClock) -> chrono::DateTime<Utc> {
    use ingest::Clock;
    clock.now()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_removed_from_its_feed_while_older_ones_stay_has_left_the_feed() {
    let (base, site) = serve().await;
    let item = |slug: &str, day: u32| {
        format!(
            "<item><title>{slug}</title><link>{base}/{slug}.html</link><description>摘要</description>\
             <pubDate>{day} Nov 2026 08:00:00 GMT</pubDate><content:encoded><![CDATA[<p>{slug} 的正文。</p>]]></content:encoded></item>"
        )
    };
    let feed = |items: &[String]| {
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>t</title>{}</channel></rss>",
            items.concat()
        )
    };
    put(
        &site,
        "/f.xml",
        Canned::ok(
            "application/rss+xml",
            feed(&[item("c", 23), item("b", 22), item("a", 21)]),
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let ingest = open(dir.path());
    let src = source("f", format!("{base}/f.xml"), true);
    refresh_source(&ingest, &src).await.unwrap();
    // `b` is removed while the older `a` stays; then `a` ages out normally under new items.
    put(
        &site,
        "/f.xml",
        Canned::ok(
            "application/rss+xml",
            feed(&[item("d", 24), item("c", 23), item("a", 21)]),
        ),
    );
    refresh_source(&ingest, &src).await.unwrap();
    put(
        &site,
        "/f.xml",
        Canned::ok(
            "application/rss+xml",
            feed(&[item("e", 25), item("d", 24), item("c", 23)]),
        ),
    );
    refresh_source(&ingest, &src).await.unwrap();
    ingest.close().unwrap();
    let index = index::Index::open(dir.path()).unwrap();
    let events = |slug: &str| -> Vec<String> {
        index
            .captures(&model::ArticleKey::for_url(&format!("{base}/{slug}.html")))
            .unwrap()
            .into_iter()
            .map(|c| c.event)
            .collect()
    };
    assert_eq!(events("b"), ["new", "left-feed"]);
    assert_eq!(events("a"), ["new"]);
    // Its re-check is due now: that tells whether the page is still up.
    let check = index
        .article_check(model::ArticleKey::for_url(&format!("{base}/b.html")).as_str())
        .unwrap()
        .unwrap();
    assert!(check.next_check.is_some());
}

/// Regression: due articles of a source no longer scheduled (removed from the configuration
/// while the daemon runs, or disabled) came first in every batch of `recheck_due`, were skipped,
/// and stayed due, so other sources' re-checks never ran once enough of them piled up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn due_articles_of_an_unscheduled_source_do_not_starve_the_others() {
    let (base, site) = serve().await;
    let text = "这是一篇用来测试复查批次的文章，正文足够长，可以被识别为文章的主体内容。";
    for name in ["old", "kept"] {
        let feed = format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>\
             <item><title>{name}的报道</title><link>{base}/{name}.html</link>\
             <description>摘要</description></item></channel></rss>"
        );
        put(
            &site,
            &format!("/{name}.xml"),
            Canned::ok("application/rss+xml", feed),
        );
        put(
            &site,
            &format!("/{name}.html"),
            life_page(&format!("{name}的报道"), &[text, text], "甲"),
        );
    }
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let clock = Arc::new(ingest::ManualClock::new(start));
    let dir = tempfile::tempdir().unwrap();
    let ingest = Ingest::open_with_clock(
        archive::Archive::open(dir.path()).unwrap(),
        fetch_config(),
        RefreshOptions {
            images: false,
            ..RefreshOptions::default()
        },
        clock.clone(),
    )
    .unwrap();
    let old = source("old", format!("{base}/old.xml"), false);
    let kept = source("kept", format!("{base}/kept.xml"), false);
    // `old` is archived first, so its re-check falls due first.
    assert_eq!(refresh_source(&ingest, &old).await.unwrap().new, 1);
    clock.set(start + chrono::Duration::minutes(5));
    assert_eq!(refresh_source(&ingest, &kept).await.unwrap().new, 1);
    clock.set(start + chrono::Duration::days(2));

    // Only `kept` is scheduled now; a batch of one must still reach its article.
    let reports = ingest::recheck_due(&ingest, std::slice::from_ref(&kept), 1)
        .await
        .unwrap();
    ingest.close().unwrap();
    let urls: Vec<String> = reports.into_iter().map(|r| r.unwrap().url).collect();
    assert_eq!(urls, [format!("{base}/kept.html")]);
}
