//! The reader in a real browser: Debian's headless Chromium driven through `chromedriver` by
//! fantoccini, against the real server on 127.0.0.1 serving a small archive.
//!
//! Scenarios (one browser session, in order): load the home page; open an article by clicking
//! its title; search a Chinese term through the form and see `<mark>` highlights; flip the
//! 简/繁 toggle and see the text change (and stay changed on the next page); shrink the window
//! to 360 px and check that no page scrolls sideways; and open an article whose title and body
//! carry XSS vectors and check that nothing ran. Screenshots of each step go to
//! `$CARGO_TARGET_TMPDIR/browser-screenshots/` (`target/tmp/browser-screenshots/`).
//!
//! Chromium and chromedriver are found at `/usr/bin/chromium` and `/usr/bin/chromedriver`
//! (override with `CHROMIUM` and `CHROMEDRIVER`). When they are missing the test says so and
//! passes, except on CI (`CI=true`), where it fails.

mod support;

use fantoccini::{Client, ClientBuilder, Locator};
use model::EventKind;
use newsvault_web::WebState;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::world::{World, world};
use support::{Fixture, source};

/// The browser binaries, or `None` (after saying why) when they are not installed.
fn browser_binaries() -> Option<(PathBuf, PathBuf)> {
    let find = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(default))
    };
    let chromium = find("CHROMIUM", "/usr/bin/chromium");
    let driver = find("CHROMEDRIVER", "/usr/bin/chromedriver");
    let missing: Vec<String> = [&chromium, &driver]
        .iter()
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        return Some((chromium, driver));
    }
    let message = format!(
        "browser tests need Chromium and chromedriver; missing: {} (Debian: apt-get install chromium chromium-driver)",
        missing.join(", ")
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    eprintln!("browser tests skipped: {message}");
    None
}

/// A running chromedriver, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn start_driver(driver: &Path) -> Driver {
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver.display()));
    let driver = Driver { child, port };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    driver
}

async fn connect(driver: &Driver, chromium: &Path, profile: &Path) -> Client {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=1280,900",
        &format!("--user-data-dir={}", profile.display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": chromium.display().to_string(), "args": args }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session with headless Chromium")
}

/// Serves `state` on 127.0.0.1 until the returned sender is dropped.
async fn serve(state: WebState) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("a local address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(newsvault_web::serve(listener, state, async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

/// Where screenshots go.
fn shots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
    std::fs::create_dir_all(&dir).expect("create the screenshot directory");
    dir
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("a screenshot");
    std::fs::write(shots_dir().join(format!("{name}.png")), png).expect("save a screenshot");
}

/// Waits (up to 10 s) until the browser has loaded a page at `path` (and `query`, when given).
async fn wait_for(c: &Client, path: &str, query: Option<&str>) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let url = c.current_url().await.expect("a URL");
        let ready = js(c, "return document.readyState;").await;
        if url.path() == path
            && (query.is_none() || url.query() == query)
            && ready == json!("complete")
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "still at {url}, waiting for {path}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_path(c: &Client, path: &str) {
    wait_for(c, path, None).await;
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, Vec::new())
        .await
        .unwrap_or_else(|e| panic!("script {script:?} failed: {e}"))
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .text()
        .await
        .expect("element text")
}

/// Loads `url` and checks the page does not scroll sideways at the current width.
async fn fits(c: &Client, base: &str, path: &str, shot: &str) {
    c.goto(&format!("{base}{path}")).await.expect("load a page");
    let sizes = js(
        c,
        "return [document.documentElement.scrollWidth, window.innerWidth, document.body.scrollWidth];",
    )
    .await;
    let (scroll, inner, body) = (sizes[0].as_i64(), sizes[1].as_i64(), sizes[2].as_i64());
    assert!(
        scroll.zip(inner).is_some_and(|(s, i)| s <= i)
            && body.zip(inner).is_some_and(|(b, i)| b <= i),
        "{path} overflows at {inner:?} px: document {scroll:?} px, body {body:?} px"
    );
    screenshot(c, shot).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reader_works_in_headless_chromium() {
    let Some((chromium, driver_bin)) = browser_binaries() else {
        return;
    };
    let w = world();
    let xss = xss_archive();
    let (addr, _stop) = serve(w.state.clone()).await;
    let (xss_addr, _stop_xss) = serve(xss.1.clone()).await;
    let base = format!("http://{addr}");
    let driver = start_driver(&driver_bin);
    let profile = tempfile::tempdir().expect("a profile directory");
    let c = connect(&driver, &chromium, profile.path()).await;

    // The scenarios run in their own task so that a failure still closes the browser.
    let session = c.clone();
    let xss_base = format!("http://{xss_addr}");
    let scenarios = tokio::spawn(async move {
        home_and_article(&session, &base, &w).await;
        search(&session, &base).await;
        toggle(&session, &base, &w).await;
        narrow(&session, &base, &w).await;
        nothing_executes(&session, &xss_base, &xss.2).await;
        (w, xss)
    })
    .await;
    let _ = c.close().await;
    drop(driver);
    if let Err(e) = scenarios {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn home_and_article(c: &Client, base: &str, w: &World) {
    c.goto(&format!("{base}/"))
        .await
        .expect("load the home page");
    assert_eq!(c.title().await.expect("a title"), "最新文章 · newsvault");
    assert_eq!(text(c, "h1").await, "最新文章");
    let sources = c
        .find_all(Locator::Css("ul.sources li.source"))
        .await
        .expect("sources");
    assert_eq!(sources.len(), 3, "three sources with their health");
    let feed = js(
        c,
        "return document.querySelector('link[rel=alternate][type=\"application/atom+xml\"]').href;",
    )
    .await;
    assert_eq!(feed, json!(format!("{base}/feeds/all.atom")));
    // The stylesheet applied (the body uses the CJK font stack).
    let font = js(c, "return getComputedStyle(document.body).fontFamily;").await;
    assert!(
        font.as_str().is_some_and(|f| f.contains("PingFang SC")),
        "{font}"
    );
    screenshot(c, "01-home-desktop").await;

    c.find(Locator::LinkText("港口新桥今日通车，市长出席"))
        .await
        .expect("the bridge story's link")
        .click()
        .await
        .expect("click it");
    wait_path(c, &format!("/articles/{}", w.bridge)).await;
    assert_eq!(text(c, "h1").await, "港口新桥今日通车，市长出席");
    assert!(text(c, ".body").await.contains("市长在通车仪式上致辞"));
    assert!(text(c, ".badges").await.contains("已修改"));
    let events = c
        .find_all(Locator::Css("ol.events li.event"))
        .await
        .expect("timeline");
    assert_eq!(events.len(), 2, "new and edited");
    screenshot(c, "02-article-desktop").await;

    // The diff page, side by side.
    c.find(Locator::LinkText("与上一版比较"))
        .await
        .expect("the diff link")
        .click()
        .await
        .expect("click it");
    wait_path(c, &format!("/articles/{}/diff", w.bridge)).await;
    let columns = js(
        c,
        "const r = document.querySelector('.sbs-row.changed'); \
         const [a, b] = r.children; \
         return [a.getBoundingClientRect().left < b.getBoundingClientRect().left, a.querySelector('del') !== null, b.querySelector('ins') !== null];",
    )
    .await;
    assert_eq!(
        columns,
        json!([true, true, true]),
        "old on the left, new on the right"
    );
    screenshot(c, "03-diff-desktop").await;
}

async fn search(c: &Client, base: &str) {
    c.goto(&format!("{base}/"))
        .await
        .expect("load the home page");
    let form = c
        .form(Locator::Css("form.search-box"))
        .await
        .expect("the search box");
    form.set_by_name("q", "新桥")
        .await
        .expect("type the query")
        .submit()
        .await
        .expect("submit");
    wait_path(c, "/search").await;
    let marks = c
        .find_all(Locator::Css(".snippet mark"))
        .await
        .expect("marks");
    assert!(!marks.is_empty(), "highlighted matches");
    for m in marks {
        assert_eq!(m.text().await.expect("mark text"), "新桥");
    }
    let style = js(
        c,
        "return getComputedStyle(document.querySelector('mark')).backgroundColor;",
    )
    .await;
    assert_ne!(style, json!("rgba(0, 0, 0, 0)"), "marks are highlighted");
    assert!(text(c, ".result-count").await.contains("找到 1 篇"));
    screenshot(c, "04-search-desktop").await;

    // A query error is shown on the page, not as a server error.
    c.goto(&format!("{base}/search?q=%22unclosed"))
        .await
        .expect("load");
    assert!(text(c, "p.error").await.contains("查询有误"));
}

async fn toggle(c: &Client, base: &str, w: &World) {
    c.goto(&format!("{base}/articles/{}", w.barber))
        .await
        .expect("load");
    assert_eq!(text(c, "h1").await, "老街理发店的干部顾客");
    c.find(Locator::Id("zh-hant"))
        .await
        .expect("the 繁 link")
        .click()
        .await
        .expect("click it");
    wait_for(c, &format!("/articles/{}", w.barber), Some("zh=hant")).await;
    assert_eq!(text(c, "h1").await, "老街理髮店的幹部顧客");
    assert!(text(c, ".body").await.contains("理頭髮"));
    screenshot(c, "05-article-hant").await;
    // The choice persists (cookie) on the next page, without ?zh=.
    c.goto(&format!("{base}/"))
        .await
        .expect("load the home page");
    assert!(
        text(c, "ol.articles")
            .await
            .contains("老街理髮店的幹部顧客"),
        "the home page in traditional characters"
    );
    c.find(Locator::Id("zh-hans"))
        .await
        .expect("the 简 link")
        .click()
        .await
        .expect("click it");
    wait_for(c, "/", Some("zh=hans")).await;
    assert!(
        text(c, "ol.articles")
            .await
            .contains("老街理发店的干部顾客")
    );
}

async fn narrow(c: &Client, base: &str, w: &World) {
    c.set_window_size(360, 740).await.expect("resize to 360 px");
    let inner = js(c, "return window.innerWidth;").await;
    assert!(
        inner.as_i64().is_some_and(|i| i <= 360),
        "the viewport is {inner} px wide"
    );
    let bridge = &w.bridge;
    let pages = [
        ("/".to_owned(), "10-home-360"),
        ("/sources/bbc".to_owned(), "11-source-360"),
        (format!("/articles/{bridge}"), "12-article-360"),
        (format!("/articles/{}", w.library), "13-article-images-360"),
        (format!("/articles/{}", w.rain), "14-article-moved-360"),
        (format!("/articles/{bridge}/v/1"), "15-version-360"),
        (
            format!("/articles/{bridge}/diff?from=1&to=2"),
            "16-diff-360",
        ),
        (format!("/articles/{bridge}/raw/2"), "17-raw-360"),
        ("/changes".to_owned(), "18-changes-360"),
        ("/search?q=%E6%96%B0%E6%A1%A5".to_owned(), "19-search-360"),
        ("/search?q=%22unclosed".to_owned(), "20-search-error-360"),
        ("/articles/not-a-key".to_owned(), "21-error-360"),
        (
            format!("/articles/{}?zh=hant", w.barber),
            "22-article-hant-360",
        ),
    ];
    for (path, shot) in pages {
        fits(c, base, &path, shot).await;
    }
    c.set_window_size(1280, 900).await.expect("resize back");
}

/// An archive with one article whose title and body carry XSS vectors (each would set
/// `window.__xss` or change `document.title` if it ran), and a moved event to a
/// `javascript:` URL. Returns its key.
fn xss_archive() -> (Fixture, WebState, String) {
    const URL: &str = "https://xss.example/2023/probe";
    let title = r#"XSS 探针 <script>window.__xss='title';document.title='pwned'</script><img src=x onerror="window.__xss='title-img'">"#;
    let body = concat!(
        "<p>XSS 探针正文：下面每一项如果执行，都会留下痕迹。</p>",
        "<script>window.__xss='script';document.title='pwned'</script>",
        r#"<img src="x" onerror="window.__xss='onerror';document.title='pwned'">"#,
        r#"<img src="/assets/00/none.png" onerror="window.__xss='onerror-local'">"#,
        r#"<p><a id="js1" href="javascript:window.__xss='js-link';document.title='pwned'">链接一</a></p>"#,
        r#"<p><a id="js2" href="  JaVaScRiPt:window.__xss='js-link-case'">链接二</a></p>"#,
        r#"<p><a id="js3" href="java&#x09;script:window.__xss='js-link-tab'">链接三</a></p>"#,
        r#"<p><a id="data1" href="data:text/html,<script>window.__xss='data'</script>">链接四</a></p>"#,
        r#"<svg onload="window.__xss='svg'"><script>window.__xss='svg-script'</script></svg>"#,
        r#"<iframe srcdoc="<script>parent.__xss='srcdoc';parent.document.title='pwned'</script>"></iframe>"#,
        r#"<div style="background:url(javascript:window.__xss='style-url');width:expression(window.__xss='expression')">样式</div>"#,
        r#"<math><mtext><table><mglyph><style><img src=x onerror="window.__xss='mxss'"></style></mglyph></table></mtext></math>"#,
        r#"<object data="javascript:window.__xss='object'"></object>"#,
        r#"<embed src="javascript:window.__xss='embed'">"#,
        r#"<form action="javascript:window.__xss='form'"><button id="formbtn">提交</button></form>"#,
        r#"<details open ontoggle="window.__xss='ontoggle'"><summary>详情</summary>内容</details>"#,
        r#"<meta http-equiv="refresh" content="0;url=javascript:window.__xss='refresh'">"#,
        r#"<base href="javascript:window.__xss='base'//">"#,
        r#"<noscript><p title="</noscript><img src=x onerror=window.__xss='noscript'>"></noscript>"#,
        r#"<img src="x" alt="<script>window.__xss='alt'</script>">"#,
        r#"<template><script>window.__xss='template'</script></template>"#,
        r#"<video><source onerror="window.__xss='video'"></video>"#,
        r#"<input autofocus onfocus="window.__xss='autofocus'">"#,
        r#"<marquee onstart="window.__xss='marquee'">跑马灯</marquee>"#,
        r#"<link rel="stylesheet" href="https://evil.example/x.css">"#,
        r#"<p>&lt;script&gt;window.__xss='escaped'&lt;/script&gt; 是文字。</p>"#,
    );
    let mut f = Fixture::new();
    let key = f.add("rfi", URL, title, body, support::world::PUBLISHED_MS);
    f.event_with(
        "rfi",
        URL,
        EventKind::Moved,
        Some(301),
        Some("javascript:window.__xss='final-url'"),
        Some("<img src=x onerror=\"window.__xss='note'\">"),
    );
    let state = f.state(vec![source("rfi", "法广")]);
    (f, state, key)
}

async fn nothing_executes(c: &Client, base: &str, key: &str) {
    let pages = [
        format!("/articles/{key}"),
        format!("/articles/{key}?zh=hant"),
        format!("/articles/{key}/raw/1"),
        "/?zh=orig".to_owned(),
        "/changes".to_owned(),
        "/search?q=XSS".to_owned(),
    ];
    for path in pages {
        c.goto(&format!("{base}{path}")).await.expect("load a page");
        // Give event handlers and timers a moment, then try the links and the button too.
        tokio::time::sleep(Duration::from_millis(300)).await;
        for id in ["js1", "js2", "js3", "data1", "formbtn"] {
            if let Ok(e) = c.find(Locator::Id(id)).await {
                let _ = e.click().await;
                // A click that navigated away is itself a failure of the sanitizer.
                let url = c.current_url().await.expect("a URL");
                assert_eq!(
                    url.path(),
                    path.split('?').next().unwrap_or(""),
                    "{path}: #{id} navigated to {url}"
                );
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let found = js(
            c,
            "return { xss: window.__xss === undefined ? null : String(window.__xss), \
               title: document.title, \
               scripts: document.querySelectorAll('script, iframe, object, embed, svg, math, base, meta[http-equiv], link[rel=stylesheet]:not([href^=\"/static/\"])').length, \
               handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length, \
               styles: document.querySelectorAll('main [style]').length, \
               jsUrls: [...document.querySelectorAll('[href],[src],[action],[data]')].filter(e => /^\\s*(javascript|data):/i.test(e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || e.getAttribute('data') || '')).length };",
        )
        .await;
        assert_eq!(found["xss"], Value::Null, "{path}: a vector ran: {found}");
        // The vectors set the title to exactly "pwned"; ours ends with the site name.
        assert!(
            found["title"]
                .as_str()
                .is_some_and(|t| t.ends_with(" · newsvault")),
            "{path}: the title was changed: {found}"
        );
        for count in ["scripts", "handlers", "styles", "jsUrls"] {
            assert_eq!(found[count], json!(0), "{path}: {count}: {found}");
        }
        if path == format!("/articles/{key}") {
            // The vectors are shown as text where they were text.
            assert!(text(c, "h1").await.contains("<script>window.__xss='title'"));
            assert!(
                text(c, ".body")
                    .await
                    .contains("<script>window.__xss='escaped'</script> 是文字。")
            );
            screenshot(c, "30-xss-article").await;
        }
    }
}
