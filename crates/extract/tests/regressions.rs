//! Regressions found on real pages, each pinned with a minimal page.

use newsvault_extract::{self as extract, Method};
use url::Url;

fn text_of(html: &str, url: &str) -> (extract::Article, String) {
    let url = Url::parse(url).unwrap();
    let a = extract::extract(html.as_bytes(), &url);
    let t = clean::text(&a.html);
    (a, t)
}

const PARA: &str = "This paragraph is long enough to be scored as article text, with commas, clauses, and a full stop at the end.";

/// ASP.NET pages wrap the whole body in one `<form>`: dropping forms dropped the article.
#[test]
fn regression_page_wrapped_in_a_form_keeps_its_article() {
    let page = format!(
        "<html><body><form id=form1 action=/x><input type=hidden name=v><div class=article-body><p>{PARA}</p><p>{PARA}</p></div></form></body></html>"
    );
    let (_, t) = text_of(&page, "https://asp.example/a");
    assert!(t.contains("long enough"), "got {t:?}");
}

/// Blogger posts hold loose text separated by `<br>` beside block children: the text was
/// never scored.
#[test]
fn regression_loose_text_beside_blocks_is_scored() {
    let page = format!(
        "<html><body><div class=sidebar><a href=/1>one</a> <a href=/2>two</a></div>\
         <div class=post-body>{PARA}<br><div class=separator><img src=/i.jpg></div><br>{PARA}<br><br>{PARA}</div></body></html>"
    );
    let (a, t) = text_of(&page, "https://blog.example/p");
    assert_eq!(t.matches("long enough").count(), 3, "got {t:?}");
    assert!(a.html.contains("https://blog.example/i.jpg"));
}

/// `<noscript>` content is raw text to the parser: it leaked into the text as markup.
#[test]
fn regression_noscript_images_are_images_not_text() {
    let page = format!(
        "<html><body><article><p>{PARA}</p><img src=\"data:image/gif;base64,R0lGOD\" data-src=\"/lazy.jpg\" class=lazy>\
         <noscript><img src=\"/lazy.jpg\"></noscript><noscript><img src=\"/only-here.jpg\"></noscript><p>{PARA}</p></article></body></html>"
    );
    let (a, t) = text_of(&page, "https://news.example/a");
    assert!(!t.contains("<img"), "markup leaked into text: {t:?}");
    assert_eq!(
        a.html.matches("https://news.example/lazy.jpg").count(),
        1,
        "{}",
        a.html
    );
    assert!(
        a.html.contains("https://news.example/only-here.jpg"),
        "{}",
        a.html
    );
}

/// Chinese paragraphs are short in characters; scored by words or raw characters they lost
/// to a sidebar of link lists.
#[test]
fn cjk_article_beats_a_link_sidebar() {
    let para = "今年以来，多地出台措施鼓励年轻人返乡创业，但实际效果参差不齐。";
    let links: String = (0..30)
        .map(|i| format!("<li><a href=/n/{i}>今日热点新闻标题第{i}条，某地某事最新进展</a></li>"))
        .collect();
    let page = format!(
        "<html><body><div class=main><div class=con><p>{para}</p><p>{para}</p><p>{para}</p></div></div>\
         <div class=right><ul>{links}</ul></div></body></html>"
    );
    let (a, t) = text_of(&page, "https://news.example.cn/a");
    assert_eq!(t.matches("返乡创业").count(), 3, "got {t:?}");
    assert!(!t.contains("热点"), "sidebar leaked: {t:?}");
    assert_eq!(a.language.as_deref(), Some("zh"));
}

/// When the DOM gives little but JSON-LD carries the whole `articleBody`, the body wins.
#[test]
fn json_ld_article_body_fills_in_for_a_script_rendered_page() {
    let body = format!("{PARA}\\n{PARA}\\n{PARA}\\n{PARA}\\n{PARA}");
    let page = format!(
        r#"<html><head><script type="application/ld+json">{{"@type":"NewsArticle","headline":"H","articleBody":"{body}","datePublished":"2024-01-02T03:04:05+08:00","author":{{"@type":"Person","name":"A. Writer"}}}}</script></head>
        <body><div id=app><p>Loading…</p></div></body></html>"#
    );
    let (a, t) = text_of(&page, "https://spa.example/a");
    assert_eq!(a.method, Method::JsonLd);
    assert_eq!(t.matches("long enough").count(), 5);
    assert_eq!(a.byline.as_deref(), Some("A. Writer"));
    assert_eq!(
        a.published.unwrap().to_rfc3339(),
        "2024-01-01T19:04:05+00:00"
    );
}

/// Share bars, captions and "related" lists inside the article container are not text.
#[test]
fn boilerplate_inside_the_article_is_pruned() {
    let page = format!(
        "<html><body><article><h1>Title</h1><div class=share-bar><a href=/f>Facebook</a><a href=/t>Twitter</a></div>\
         <figure><img src=/a.jpg><figcaption>A caption under the picture</figcaption></figure>\
         <p>{PARA}</p><p>Advertisement</p><p>{PARA}</p>\
         <div class=related-links><h3>Related</h3><ul><li><a href=/r1>Other story one here</a></li><li><a href=/r2>Other story two here</a></li></ul></div>\
         <p>{PARA}</p></article></body></html>"
    );
    let (_, t) = text_of(&page, "https://news.example/a");
    assert_eq!(t.matches("long enough").count(), 3, "got {t:?}");
    for junk in [
        "Facebook",
        "caption",
        "Advertisement",
        "Other story",
        "Title",
    ] {
        assert!(!t.contains(junk), "{junk:?} leaked: {t:?}");
    }
}
