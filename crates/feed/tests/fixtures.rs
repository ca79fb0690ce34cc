//! Fixture feeds read as the contract says (feedparser agreement is measured by
//! tools/feed-conformance/compare.py; these pin what it cannot: JSON Feed, warnings, exit paths).

use newsvault_feed as feed;
use std::path::Path;

fn read(name: &str) -> feed::Parsed {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/feeds")
        .join(name);
    feed::parse(&std::fs::read(path).expect("fixture"), None).expect("a feed")
}

#[test]
fn every_fixture_reads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/feeds");
    let mut n = 0;
    for e in std::fs::read_dir(dir).expect("fixtures/feeds") {
        let path = e.expect("entry").path();
        let parsed = feed::parse(&std::fs::read(&path).expect("read"), None);
        assert!(parsed.is_ok(), "{}: {:?}", path.display(), parsed.err());
        n += 1;
    }
    assert!(n >= 40, "only {n} fixtures");
}

#[test]
fn json_feed_11() {
    let f = read("jsonfeed-11.json").feed;
    assert_eq!(f.version, "json11");
    assert_eq!(f.title.as_deref(), Some("JSON 新闻"));
    assert_eq!(f.entries.len(), 2);
    let e = &f.entries[0];
    assert_eq!(e.categories, ["a", "b"]);
    assert_eq!(e.enclosures[0].length, Some(42));
    assert_eq!(e.author.as_deref(), Some("编辑部"));
    assert_eq!(f.entries[1].id.as_deref(), Some("2"));
    assert_eq!(
        f.entries[1].content_html.as_deref(),
        Some("纯文本 &lt;not a tag&gt;")
    );
    assert_eq!(f.entries[1].author.as_deref(), Some("客座作者"));
}

#[test]
fn gbk_big5_and_utf16_decode() {
    assert_eq!(
        read("gbk-declared.xml").feed.title.as_deref(),
        Some("联合早报")
    );
    assert_eq!(
        read("big5.xml").feed.title.as_deref(),
        Some("中央社即時新聞")
    );
    assert_eq!(
        read("utf16be-nobom.xml").feed.title.as_deref(),
        Some("UTF-16 大端")
    );
    let gb = read("gb2312-declared-gb18030-content.xml");
    assert_eq!(gb.feed.entries[0].title.as_deref(), Some("朱镕基谈改革"));
}

#[test]
fn repairs_are_located_warnings() {
    let p = read("broken-bare-ampersand.xml");
    assert_eq!(p.feed.title.as_deref(), Some("Tom & Jerry"));
    let w = p
        .warnings
        .iter()
        .find(|w| w.message.contains("bare '&'"))
        .expect("warning");
    assert_eq!((w.line, w.column), (1, 61));
}

#[test]
fn atom_id_is_never_a_link() {
    let f = read("atom-id-not-link.xml").feed;
    assert_eq!(f.link, None);
    assert_eq!(f.entries[0].link, None);
    assert_eq!(
        f.entries[1].link.as_deref(),
        Some("http://ids.example.com/p2.html")
    );
}

#[test]
fn nothing_usable_is_an_error() {
    assert!(feed::parse(b"", None).is_err());
    assert!(feed::parse(b"<html><body>hi</body></html>", None).is_err());
    assert!(feed::parse(b"{\"a\": 1}", None).is_err());
}
