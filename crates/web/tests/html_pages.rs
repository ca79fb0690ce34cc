//! The HTML reader's pages, called in-process on a small archive (`support::world`): status,
//! content type, what each page must show, feed autodiscovery, the 简/繁 toggle, and the 400
//! and 404 pages for malformed or unknown requests.

mod support;

use axum::http::StatusCode;
use support::world::{BRIDGE_URL, World, world};
use support::{Got, get};

const FEED_LINK: &str = r#"<link rel="alternate" type="application/atom+xml""#;

async fn page(w: &World, path: &str) -> Got {
    let got = get(&w.state, path, None).await;
    assert_eq!(
        got.content_type(),
        "text/html; charset=utf-8",
        "{path}: {}",
        got.status
    );
    got
}

async fn ok(w: &World, path: &str) -> String {
    let got = page(w, path).await;
    assert_eq!(got.status, StatusCode::OK, "{path}: {}", got.body);
    assert!(got.body.starts_with("<!DOCTYPE html>"), "{path}");
    assert!(got.body.contains(FEED_LINK), "{path} advertises a feed");
    got.body
}

/// The text of `html` between the first `<main>` and `</main>`.
fn main_of(html: &str) -> &str {
    let start = html.find("<main>").expect("a <main>");
    let end = html.find("</main>").expect("a </main>");
    &html[start..end]
}

#[tokio::test]
async fn home_lists_the_newest_articles_with_badges_and_every_source_with_its_health() {
    let w = world();
    let html = ok(&w, "/").await;
    assert!(html.contains(r#"href="/feeds/all.atom""#), "{html}");
    // Newest first: the barber story (day 4) before the river story (day 2) before the bridge.
    let pos = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("{needle} in {html}"))
    };
    assert!(pos("老街理发店的干部顾客") < pos("河流治理计划公布"));
    assert!(pos("河流治理计划公布") < pos("港口新桥今日通车，市长出席"));
    assert!(html.contains(&format!(r#"href="/articles/{}""#, w.bridge)));
    // Badges: the bridge changed, the river is gone at its source.
    let item = |key: &str| {
        let start = pos(&format!("/articles/{key}\""));
        let end = html[start..]
            .find("</li>")
            .map_or(html.len(), |e| start + e);
        &html[start..end]
    };
    assert!(
        item(&w.bridge).contains("badge-changed"),
        "{}",
        item(&w.bridge)
    );
    assert!(item(&w.river).contains("badge-gone"), "{}", item(&w.river));
    assert!(!item(&w.barber).contains("badge"), "{}", item(&w.barber));
    // Sources with health: rfi fine, bbc failing with its error, voa never checked.
    assert!(html.contains(r#"href="/sources/rfi">法广</a> <span class="health health-ok">"#));
    assert!(html.contains(r#"<span class="health health-failing">出错</span>"#));
    assert!(html.contains("connection refused"));
    assert!(
        html.contains(r#"href="/sources/voa">美国之音</a> <span class="health health-unchecked">"#)
    );
    assert!(
        html.contains("2 篇文章 · 3 个版本 · 1 篇有修改"),
        "rfi's counts: {html}"
    );
    assert!(html.contains("存档共 5 篇文章"));
    // The stylesheet it links is served, cacheable for a year.
    let css_start = pos("/static/style.");
    let css_end = css_start + html[css_start..].find('"').unwrap_or(0);
    let css = get(&w.state, &html[css_start..css_end], None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.content_type(), "text/css; charset=utf-8");
    assert!(
        css.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(css.body.contains("prefers-color-scheme: dark"));
}

#[tokio::test]
async fn listings_page_by_cursor_and_reject_a_bad_one() {
    let mut w = world();
    // 40 more articles: the home page shows 30, then a link to the rest.
    for i in 0..40 {
        w.fixture.add(
            "voa",
            &format!("https://news.example/voa/filler-{i}"),
            &format!("填充文章 {i:02}"),
            "<p>用来测试翻页的文字。</p>",
            support::world::PUBLISHED_MS - i64::from(i) * 60_000,
        );
    }
    let state = w.fixture.state(Vec::new());
    let w = World { state, ..w };
    let first = ok(&w, "/").await;
    let next = first
        .split(r#"<a rel="next" href=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a next link")
        .replace("&#38;", "&");
    assert!(next.starts_with("/?after="), "{next}");
    let second = ok(&w, &next).await;
    assert!(second.contains("填充文章 39"), "the oldest is on page 2");
    assert!(!second.contains("老街理发店"), "the newest is not");
    assert!(!second.contains(r#"rel="next""#), "page 2 is the last");

    let source = ok(&w, "/sources/voa").await;
    assert!(source.contains(r#"href="/feeds/sources/voa.atom""#));
    assert!(
        source.contains(r#"rel="next" href="/sources/voa?after="#),
        "{source}"
    );

    for bad in [
        "/?after=yesterday",
        "/sources/voa?after=1.a/b",
        "/changes?after=x",
    ] {
        let got = page(&w, bad).await;
        assert_eq!(got.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(got.body.contains("请求有误"), "{bad}: {}", got.body);
        assert!(got.body.contains("is not a cursor"), "{bad}: {}", got.body);
    }
}

#[tokio::test]
async fn a_source_page_shows_its_articles_and_health_and_unknown_sources_are_404() {
    let w = world();
    let html = ok(&w, "/sources/bbc").await;
    assert!(
        html.contains("<title>BBC 中文 · newsvault</title>"),
        "{html}"
    );
    assert!(html.contains(r#"href="/feeds/sources/bbc.atom""#));
    assert!(html.contains("河流治理计划公布") && html.contains("暴雨预警升级"));
    assert!(
        !main_of(&html).contains("港口新桥"),
        "rfi's articles are not listed"
    );
    assert!(html.contains("connection refused"));
    let got = page(&w, "/sources/nope").await;
    assert_eq!(got.status, StatusCode::NOT_FOUND);
    assert!(got.body.contains("没有这个来源：nope"));
}

#[tokio::test]
async fn the_article_page_shows_body_times_link_timeline_and_badges() {
    let w = world();
    let html = ok(&w, &format!("/articles/{}", w.bridge)).await;
    assert!(
        html.contains("<h1>港口新桥今日通车，市长出席</h1>"),
        "{html}"
    );
    assert!(html.contains(r#"href="/feeds/sources/rfi.atom""#));
    assert!(html.contains(r#"<a href="/sources/rfi">法广</a>"#));
    // Published in UTC+8 and UTC, with a machine-readable time.
    assert!(html.contains(
        r#"<time datetime="2023-11-10T00:00:00Z">2023-11-10 08:00（北京时间）</time> <span class="utc">2023-11-10 00:00 UTC</span>"#
    ));
    assert!(html.contains(&format!(
        r#"<a class="original" href="{BRIDGE_URL}" rel="noreferrer noopener">"#
    )));
    assert!(
        html.contains("<p>市长在通车仪式上致辞。</p>"),
        "the latest body"
    );
    assert!(html.contains("badge-changed") && !html.contains("badge-gone"));
    // Versions and the timeline, with links to each version, the diff and the raw capture.
    let key = &w.bridge;
    for link in [
        format!("/articles/{key}/v/1"),
        format!("/articles/{key}/v/2"),
        format!("/articles/{key}/diff?from=1&amp;to=2"),
        format!("/articles/{key}/raw/2"),
    ] {
        assert!(html.contains(&format!("href=\"{link}\"")), "{link}");
    }
    assert!(html.contains(r#"<li class="event ev-new">"#));
    assert!(html.contains(r#"<li class="event ev-edited">"#));
    assert!(html.contains("WARC 记录 <code>&#60;urn:uuid:"), "{html}");
}

#[tokio::test]
async fn gone_and_moved_articles_say_so() {
    let w = world();
    let html = ok(&w, &format!("/articles/{}", w.river)).await;
    assert!(html.contains(r#"<span class="badge badge-gone">来源已删除</span>"#));
    assert!(html.contains(r#"<li class="event ev-gone">"#));
    assert!(html.contains("HTTP 404"));
    assert!(
        html.contains("另有 1 次复查，内容未变。"),
        "unchanged re-checks are counted"
    );
    let html = ok(&w, &format!("/articles/{}", w.rain)).await;
    assert!(html.contains(r#"<li class="event ev-moved">"#));
    assert!(html.contains(
        r#"<a href="https://news.example/bbc/2023/rain-warning-orange" rel="noreferrer noopener">"#
    ));
}

#[tokio::test]
async fn archived_images_are_local_and_unarchived_ones_are_links() {
    let w = world();
    let html = ok(&w, &format!("/articles/{}", w.library)).await;
    let body = main_of(&html);
    assert!(body.contains(r#"<img src="/assets/"#), "{body}");
    assert!(
        !body.contains("img.news.example"),
        "the archived image's origin: {body}"
    );
    assert!(
        body.contains(
            r#"<a class="unarchived-image" href="https://cdn.elsewhere.example/reading.jpg" rel="noopener noreferrer nofollow">图片未存档：原图链接（读者）</a>"#
        ),
        "{body}"
    );
    // Every image the page would load comes from this server.
    for (i, _) in html.match_indices("<img ") {
        let tag = &html[i..i + html[i..].find('>').unwrap_or(0)];
        assert!(tag.contains(r#"src="/assets/"#), "{tag}");
    }
    // And the image is served.
    let src = body
        .split(r#"<img src=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("an image");
    let image = get(&w.state, src, None).await;
    assert_eq!(image.status, StatusCode::OK, "{src}");
    assert_eq!(image.content_type(), "image/png");
    assert_eq!(image.bytes, support::world::PNG);
}

#[tokio::test]
async fn versions_diffs_and_raw_captures() {
    let w = world();
    let key = &w.bridge;
    let v1 = ok(&w, &format!("/articles/{key}/v/1")).await;
    assert!(v1.contains("<h1>港口新桥今日通车</h1>"), "{v1}");
    assert!(v1.contains("这是第 1 版（共 2 版）"));
    assert!(v1.contains("约二十分钟") && !v1.contains("约三十分钟"));

    let diff = ok(&w, &format!("/articles/{key}/diff?from=1&to=2")).await;
    assert!(diff.contains("修改对比"));
    assert!(
        diff.contains(r#"<div class="sbs-row changed"><div class="old">"#),
        "{diff}"
    );
    assert!(
        diff.contains("<del>二</del>") && diff.contains("<ins>三</ins>"),
        "{diff}"
    );
    assert!(
        diff.contains(r#"<div class="sbs-row moved">"#),
        "the moved paragraph: {diff}"
    );
    assert!(diff.contains("<ins>市长在通车仪式上致辞。</ins>"));
    assert!(diff.contains("<del>附近居民说，施工期间噪音问题一直没有解决。</del>"));
    assert!(
        diff.contains("<del>港口新桥今日通车</del>"),
        "the headline change"
    );
    // Defaults: the latest version against the one before.
    let default = ok(&w, &format!("/articles/{key}/diff")).await;
    assert_eq!(main_of(&default), main_of(&diff));

    let raw = ok(&w, &format!("/articles/{key}/raw/2")).await;
    assert!(raw.contains("原始抓取记录"));
    assert!(raw.contains("<dt>HTTP 状态</dt><dd>200</dd>"));
    assert!(
        raw.contains("&#60;urn:uuid:00000000-0000-4000-8000-"),
        "{raw}"
    );
    assert!(raw.contains("<dt>记录 SHA-256</dt><dd><code>"));

    for (path, status) in [
        (format!("/articles/{key}/v/3"), StatusCode::NOT_FOUND),
        (format!("/articles/{key}/v/0"), StatusCode::BAD_REQUEST),
        (format!("/articles/{key}/v/x"), StatusCode::BAD_REQUEST),
        (format!("/articles/{key}/raw/9"), StatusCode::NOT_FOUND),
        (
            format!("/articles/{key}/diff?from=1&to=7"),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/articles/{key}/diff?from=one"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/articles/{key}/diff?from=1&from=2"),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let got = page(&w, &path).await;
        assert_eq!(got.status, status, "{path}: {}", got.body);
    }
}

#[tokio::test]
async fn the_changes_page_lists_edits_and_takedowns_with_diff_links() {
    let w = world();
    let html = ok(&w, "/changes").await;
    assert!(html.contains(r#"href="/feeds/changes.atom""#));
    let body = main_of(&html);
    assert!(
        body.contains(r#"<li class="change event ev-edited">"#),
        "{body}"
    );
    assert!(body.contains(r#"<li class="change event ev-gone">"#));
    assert!(body.contains(r#"<li class="change event ev-moved">"#));
    assert!(
        body.contains(&format!(
            r#"href="/articles/{}/diff?from=1&#38;to=2""#,
            w.bridge
        )),
        "{body}"
    );
    let pos = |needle: &str| body.find(needle).unwrap_or_else(|| panic!("{needle}"));
    assert!(pos("ev-moved") < pos("ev-gone"), "newest first");
    let bbc = ok(&w, "/changes?source=bbc").await;
    assert!(!main_of(&bbc).contains("ev-edited"), "only bbc's changes");
}

#[tokio::test]
async fn search_shows_highlighted_hits_filters_and_errors_on_the_page() {
    let w = world();
    let html = ok(&w, "/search").await;
    assert!(html.contains(r#"<input type="search" name="q" value="""#));
    assert!(!html.contains("找到"), "no search without a query");

    let html = ok(&w, "/search?q=%E6%96%B0%E6%A1%A5").await; // 新桥
    assert!(
        html.contains(r#"href="/feeds/search.atom?q=%E6%96%B0%E6%A1%A5""#),
        "{html}"
    );
    assert!(html.contains("找到 1 篇"), "{html}");
    assert!(html.contains(&format!(
        r#"<a class="title" href="/articles/{}">"#,
        w.bridge
    )));
    assert!(html.contains("<mark>新桥</mark>"), "{html}");
    assert!(
        html.contains(r#"value="新桥""#),
        "the query stays in the box"
    );

    // Traditional characters find the simplified text.
    let html = ok(&w, "/search?q=%E9%A0%AD%E9%AB%AE").await; // 頭髮
    assert!(
        html.contains("找到 1 篇") && html.contains("<mark>头发</mark>"),
        "{html}"
    );

    // Filters: the source narrows it; empty fields (as a form sends them) are ignored.
    let html = ok(
        &w,
        "/search?q=%E8%AE%A1%E5%88%92&source=rfi&since=&until=&sort=",
    )
    .await; // 计划
    assert!(html.contains("找到 0 篇"), "{html}");
    let html = ok(
        &w,
        "/search?q=%E8%AE%A1%E5%88%92&source=bbc&since=2023-11-12&until=2023-11-12&sort=date",
    )
    .await;
    assert!(html.contains("找到 1 篇"), "{html}");
    assert!(html.contains(r#"<option value="bbc" selected>"#));
    assert!(html.contains(r#"<option value="date" selected>"#));
    let html = ok(&w, "/search?q=%E8%AE%A1%E5%88%92&until=2023-11-11").await;
    assert!(
        html.contains("找到 0 篇"),
        "published on the 12th (UTC+8): {html}"
    );

    for bad in [
        "/search?q=%22unclosed",
        "/search?q=-%E4%BD%93%E8%82%B2",
        "/search?q=a&page=0",
        "/search?q=a&page=x",
        "/search?q=a&since=yesterday",
        "/search?q=a&sort=best",
        "/search?q=a&since=2025-11-23&until=2025-11-22",
    ] {
        let got = page(&w, bad).await;
        assert_eq!(got.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            got.body
                .contains(r#"<p class="error" role="alert">查询有误："#),
            "{bad}: {}",
            got.body
        );
        assert!(
            got.body.contains(r#"<form class="search-form""#),
            "{bad}: the form is still there"
        );
    }
}

/// The small archive with `n` more articles of one source, each with 渡轮航线 in its title and
/// text, a millisecond apart.
fn with_ferries(n: u32) -> World {
    let mut w = world();
    for i in 0..n {
        w.fixture.add(
            "voa",
            &format!("https://news.example/voa/ferry-{i}"),
            &format!("渡轮航线第 {i} 条"),
            "<p>渡轮航线调整。</p>",
            support::world::PUBLISHED_MS + i64::from(i),
        );
    }
    let state = w.fixture.state(Vec::new());
    World { state, ..w }
}

#[tokio::test]
async fn search_pages_through_many_hits() {
    let w = with_ferries(45);
    let html = ok(&w, "/search?q=%E6%B8%A1%E8%BD%AE&sort=date").await; // 渡轮
    assert!(html.contains("找到 45 篇，第 1 / 3 页"), "{html}");
    assert_eq!(html.matches(r#"<li class="hit">"#).count(), 20);
    assert!(
        html.contains(
            r#"<a rel="next" href="/search?q=%E6%B8%A1%E8%BD%AE&#38;sort=date&#38;page=2">"#
        ),
        "{html}"
    );
    let last = ok(&w, "/search?q=%E6%B8%A1%E8%BD%AE&sort=date&page=3").await;
    assert_eq!(last.matches(r#"<li class="hit">"#).count(), 5);
    assert!(last.contains(r#"rel="prev""#) && !last.contains(r#"rel="next""#));
}

/// A search with more hits than a page counts (1,000) says "at least" and pages on while there
/// are hits; the last page counts them all.
#[tokio::test]
async fn a_count_that_stops_says_at_least_and_pages_on() {
    let w = with_ferries(1_030);
    // 渡轮航线: a phrase, whose count may stop.
    let q = "/search?q=%E6%B8%A1%E8%BD%AE%E8%88%AA%E7%BA%BF";
    let first = ok(&w, q).await;
    assert!(first.contains("找到至少 "), "{first}");
    assert!(first.contains("篇，第 1 页</p>"), "{first}");
    assert!(first.contains(r#"rel="next""#), "{first}");
    // Page 51 counts as far as its own hits (1,020), and there are more.
    let deep = ok(&w, &format!("{q}&page=51")).await;
    assert_eq!(deep.matches(r#"<li class="hit">"#).count(), 20);
    assert!(
        deep.contains("找到至少 ") && deep.contains("篇，第 51 页</p>"),
        "{deep}"
    );
    assert!(deep.contains(r#"rel="next""#), "{deep}");
    // Page 52 asks for more than there are: every hit is counted.
    let last = ok(&w, &format!("{q}&page=52")).await;
    assert!(last.contains("找到 1030 篇，第 52 / 52 页"), "{last}");
    assert_eq!(last.matches(r#"<li class="hit">"#).count(), 10);
    assert!(last.contains(r#"rel="prev""#) && !last.contains(r#"rel="next""#));
}

#[tokio::test]
async fn the_zh_toggle_converts_text_sets_a_cookie_and_leaves_urls_alone() {
    let w = world();
    let path = format!("/articles/{}", w.barber);
    let original = ok(&w, &path).await;
    assert!(original.contains("很多退休干部都来这里理头发"));
    assert!(original.contains(&format!(r#"id="zh-hant" href="{path}?zh=hant""#)));

    let got = page(&w, &format!("{path}?zh=hant")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(
        got.body.contains("很多退休幹部都來這裏理頭髮"),
        "{}",
        got.body
    );
    assert!(got.body.contains("<h1>老街理髮店的幹部顧客</h1>"));
    assert!(got.body.contains(r#"<html lang="zh-Hant">"#));
    assert!(
        got.body
            .contains(&format!(r#"href="{}""#, support::world::BARBER_URL)),
        "URLs are not converted"
    );
    let cookie = got.headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("zh=hant;") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(got.headers["vary"].to_str().unwrap().contains("Cookie"));

    // The cookie carries the choice to the next page.
    let home = get(&w.state, "/", Some("zh=hant")).await;
    assert!(home.body.contains("老街理髮店的幹部顧客"), "{}", home.body);
    assert!(home.headers.get("set-cookie").is_none());
    assert!(
        home.body
            .contains(r#"id="zh-hant" href="/?zh=hant" aria-current="true""#)
    );

    // And back to simplified, from a traditional page.
    let hans = get(&w.state, &format!("{path}?zh=hans"), Some("zh=hant")).await;
    assert!(
        hans.body.contains("很多退休干部都来这里理头发"),
        "{}",
        hans.body
    );

    // Search snippets are converted too, marks intact.
    let search = get(&w.state, "/search?q=%E5%A4%B4%E5%8F%91&zh=hant", None).await;
    assert!(search.body.contains("<mark>頭髮</mark>"), "{}", search.body);
    assert!(
        search.body.contains(r#"value="头发""#),
        "the query box is not converted"
    );
}

#[tokio::test]
async fn malformed_and_unknown_requests_get_html_error_pages() {
    let w = world();
    for (path, status, says) in [
        (
            "/articles/xyz",
            StatusCode::BAD_REQUEST,
            "is not an article key",
        ),
        (
            "/articles/0123456789ABCDEF",
            StatusCode::BAD_REQUEST,
            "is not an article key",
        ),
        ("/articles/%FF%FE", StatusCode::BAD_REQUEST, "请求有误"),
        (
            "/articles/0123456789abcdef",
            StatusCode::NOT_FOUND,
            "存档中没有这篇文章",
        ),
        (
            "/articles/0123456789abcdef/diff",
            StatusCode::NOT_FOUND,
            "存档中没有这篇文章",
        ),
        ("/sources/..", StatusCode::BAD_REQUEST, "invalid source id"),
        (
            "/no/such/page",
            StatusCode::NOT_FOUND,
            "这里没有页面：/no/such/page",
        ),
        ("/static/style.css", StatusCode::NOT_FOUND, "这里没有文件"),
        (
            "/?after=1&after=2",
            StatusCode::BAD_REQUEST,
            "given more than once",
        ),
    ] {
        let got = page(&w, path).await;
        assert_eq!(got.status, status, "{path}: {}", got.body);
        assert!(got.body.contains(says), "{path}: {}", got.body);
        assert!(got.body.contains(FEED_LINK), "{path}");
    }
    // A message that carries markup is escaped.
    let got = page(&w, "/articles/%3Cscript%3E").await;
    assert_eq!(got.status, StatusCode::BAD_REQUEST);
    assert!(!got.body.contains("<script>"), "{}", got.body);
}

#[tokio::test]
async fn an_archive_that_cannot_be_read_is_a_503_page() {
    let tmp = tempfile::tempdir().unwrap();
    let state = newsvault_web::WebState::new(tmp.path().join("missing/dir"), Vec::new());
    let got = get(&state, "/", None).await;
    assert_eq!(got.status, StatusCode::SERVICE_UNAVAILABLE, "{}", got.body);
    assert_eq!(got.content_type(), "text/html; charset=utf-8");
    assert!(got.body.contains("暂时无法读取存档"));
}
