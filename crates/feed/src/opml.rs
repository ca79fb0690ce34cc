//! OPML: the subscription lists feed readers import and export.
//!
//! Owns reading OPML 1.0/2.0 as readers really write it (folders nested to any depth, `type`
//! missing or `rss`/`atom`, `xmlUrl` in any letter case, a BOM, legacy encodings) and writing
//! OPML 2.0. Does not own: what a subscription becomes (the binary turns [`OpmlFeed`]s into
//! configured sources).
//!
//! Words: a *feed outline* is an `<outline>` with a non-empty `xmlUrl`; a *folder* is an
//! `<outline>` without one that holds other outlines. A feed's *category* is the path of the
//! folders around it, joined with `/` (`News/World`), so that nothing is lost on the way in;
//! [`write_opml`] writes each category as one folder.
//!
//! Reading uses the crate's forgiving tokenizer and encoding detection, but an OPML file is a
//! document a person is asked to fix, so broken structure (a tag closed in the wrong place, a tag
//! never closed, a `<` that starts no tag, an attribute quote never closed) is an error naming
//! its line. Only what is harmless to read past is tolerated: a bare `&` and unknown entities.

use crate::encoding;
use crate::xml::{Token, Tokenizer};
use std::fmt::Write as _;

/// One subscription of an OPML file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpmlFeed {
    /// The subscription's name (`title`, else `text`, else the feed URL).
    pub title: String,
    /// The feed URL (`xmlUrl`), trimmed, as written.
    pub xml_url: String,
    /// The site's page (`htmlUrl`), when given.
    pub html_url: Option<String>,
    /// The folders around the feed, outermost first, joined with `/`; `None` at the top level.
    pub category: Option<String>,
}

/// Why an OPML document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpmlError {
    /// The XML is broken at `line` (1-based).
    #[error("line {line}: {message}")]
    Syntax {
        /// 1-based line of the problem.
        line: usize,
        /// What is wrong there.
        message: String,
    },
    /// The document is XML but has no `<opml>` element.
    #[error("not an OPML document: no <opml> element (is this a feed rather than a feed list?)")]
    NotOpml,
}

/// Reads the feed outlines of an OPML document, in document order.
///
/// Outlines without an `xmlUrl` are folders (or notes) and give their name to the feeds inside.
/// The same URL listed twice is returned twice; deduplicating is the caller's choice.
pub fn parse_opml(bytes: &[u8]) -> Result<Vec<OpmlFeed>, OpmlError> {
    let decoded = encoding::decode(bytes);
    let text: &str = &decoded.text;
    let mut tokens = Tokenizer::new(text);
    // (element name, byte offset of its start tag, folder name it opened, if a folder outline)
    let mut open: Vec<(&str, usize, Option<String>)> = Vec::new();
    let mut feeds = Vec::new();
    let mut seen_opml = false;
    let mut error: Option<(usize, String)> = None;
    while let Some(token) = tokens.next() {
        let at = tokens.start;
        match token {
            Token::Start {
                name,
                attrs,
                self_closing,
            } => {
                seen_opml |= local_name(name).eq_ignore_ascii_case("opml");
                let mut folder = None;
                if local_name(name).eq_ignore_ascii_case("outline") {
                    let attr = |key: &str| {
                        attrs
                            .iter()
                            .find(|(k, _)| local_name(k).eq_ignore_ascii_case(key))
                            .map(|(_, v)| v.trim())
                            .filter(|v| !v.is_empty())
                    };
                    let label = attr("title").or_else(|| attr("text"));
                    match attr("xmlUrl") {
                        Some(url) => feeds.push(OpmlFeed {
                            title: label.unwrap_or(url).to_owned(),
                            xml_url: url.to_owned(),
                            html_url: attr("htmlUrl").map(str::to_owned),
                            category: category(&open),
                        }),
                        None => folder = label.map(str::to_owned),
                    }
                }
                if !self_closing {
                    open.push((name, at, folder));
                }
            }
            Token::End { name } => match open.pop() {
                Some((opened, _, _)) if opened == name => {}
                Some((opened, opened_at, _)) => {
                    let opened_line = line_of(text, opened_at);
                    error = Some((
                        at,
                        format!(
                            "</{name}> closes <{opened}>, which was opened on line {opened_line}"
                        ),
                    ));
                    break;
                }
                None => {
                    error = Some((at, format!("</{name}> closes nothing")));
                    break;
                }
            },
            Token::Text(_) | Token::CData(_) => {}
        }
    }
    // The tokenizer repairs what it meets; repairs other than entity ones are errors here. The
    // earliest error wins; an element left open is reported only when nothing else explains it
    // (an attribute quote never closed also leaves its element open).
    let repaired = tokens.problems.list.iter().find(|(_, message)| {
        !(message.starts_with("bare '&'") || message.starts_with("unknown entity"))
    });
    if let Some((at, message)) = repaired
        && error.as_ref().is_none_or(|(e, _)| at < e)
    {
        error = Some((*at, message.clone()));
    }
    if error.is_none()
        && let Some((name, at, _)) = open.last()
    {
        error = Some((*at, format!("<{name}> is never closed")));
    }
    if let Some((at, message)) = error {
        return Err(OpmlError::Syntax {
            line: line_of(text, at),
            message,
        });
    }
    if !seen_opml {
        return Err(OpmlError::NotOpml);
    }
    Ok(feeds)
}

/// Writes `feeds` as an OPML 2.0 document titled `title`.
///
/// Feeds without a category come at the top level in their order; the feeds of one category are
/// written together, as one folder outline, where the category first appears. `date_created` is
/// written as given (RFC 822, e.g. `Thu, 26 Nov 2026 08:00:00 +0000`), so this stays pure.
pub fn write_opml(title: &str, date_created: Option<&str>, feeds: &[OpmlFeed]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n");
    out.push_str("  <head>\n");
    let _ = writeln!(out, "    <title>{}</title>", escape(title));
    if let Some(date) = date_created {
        let _ = writeln!(out, "    <dateCreated>{}</dateCreated>", escape(date));
    }
    out.push_str("  </head>\n  <body>\n");
    let mut written: Vec<&str> = Vec::new();
    for feed in feeds {
        match feed.category.as_deref() {
            None => write_feed(&mut out, feed, 4),
            Some(folder) if written.contains(&folder) => {}
            Some(folder) => {
                written.push(folder);
                let name = escape(folder);
                let _ = writeln!(out, "    <outline text=\"{name}\" title=\"{name}\">");
                for member in feeds
                    .iter()
                    .filter(|f| f.category.as_deref() == Some(folder))
                {
                    write_feed(&mut out, member, 6);
                }
                out.push_str("    </outline>\n");
            }
        }
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

fn write_feed(out: &mut String, feed: &OpmlFeed, indent: usize) {
    let title = escape(&feed.title);
    let _ = write!(
        out,
        "{:indent$}<outline type=\"rss\" text=\"{title}\" title=\"{title}\" xmlUrl=\"{}\"",
        "",
        escape(&feed.xml_url)
    );
    if let Some(html) = &feed.html_url {
        let _ = write!(out, " htmlUrl=\"{}\"", escape(html));
    }
    out.push_str("/>\n");
}

/// Escapes text for an attribute value or element content. Line breaks and tabs become
/// character references so that attribute values read back unchanged; other control characters
/// cannot appear in XML 1.0 and are dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The folders enclosing the current element, outermost first.
fn category(open: &[(&str, usize, Option<String>)]) -> Option<String> {
    let names: Vec<&str> = open.iter().filter_map(|(_, _, f)| f.as_deref()).collect();
    (!names.is_empty()).then(|| names.join("/"))
}

/// `outline` for `outline` and `x:outline`.
fn local_name(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..end]).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(title: &str, url: &str, category: Option<&str>) -> OpmlFeed {
        OpmlFeed {
            title: title.to_owned(),
            xml_url: url.to_owned(),
            html_url: None,
            category: category.map(str::to_owned),
        }
    }

    #[test]
    fn round_trip_keeps_every_field_and_escapes() {
        let feeds = vec![
            OpmlFeed {
                html_url: Some("https://a.example/?x=1&y=2".to_owned()),
                ..feed("A & \"B\" <C>", "https://a.example/feed?x=1&y=2", None)
            },
            feed("法广 中文", "https://b.example/rss", Some("新闻")),
            feed("Tab\there", "https://c.example/atom.xml", None),
            feed("Second in folder", "https://d.example/rss", Some("新闻")),
            feed("Deep", "https://e.example/rss", Some("Outer/Inner")),
        ];
        let xml = write_opml("My feeds", Some("Thu, 26 Nov 2026 08:00:00 +0000"), &feeds);
        assert!(xml.contains("<dateCreated>Thu, 26 Nov 2026 08:00:00 +0000</dateCreated>"));
        assert!(xml.contains("xmlUrl=\"https://a.example/feed?x=1&amp;y=2\""));
        let back = parse_opml(xml.as_bytes()).unwrap();
        // Folder members are written together, so the order groups them.
        let expected = vec![
            feeds[0].clone(),
            feeds[1].clone(),
            feeds[3].clone(),
            feeds[2].clone(),
            feeds[4].clone(),
        ];
        assert_eq!(back, expected);
        // Writing what was read gives the same document.
        assert_eq!(
            write_opml("My feeds", Some("Thu, 26 Nov 2026 08:00:00 +0000"), &back),
            xml
        );
    }

    #[test]
    fn nested_folders_become_a_category_path() {
        let xml = r#"<?xml version="1.0"?>
<opml version="1.0"><head><title>t</title></head><body>
  <outline text="Top level" xmlUrl="https://top.example/feed"/>
  <outline text="World">
    <outline text="Asia">
      <outline type="rss" text="Asia news" xmlUrl="https://asia.example/rss"/>
    </outline>
    <outline text="Europe news" type="rss" xmlUrl="https://eu.example/rss"/>
  </outline>
  <outline text="Empty folder"></outline>
  <outline text="A note without a feed"/>
</body></opml>"#;
        let feeds = parse_opml(xml.as_bytes()).unwrap();
        let got: Vec<(&str, Option<&str>)> = feeds
            .iter()
            .map(|f| (f.title.as_str(), f.category.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Top level", None),
                ("Asia news", Some("World/Asia")),
                ("Europe news", Some("World")),
            ]
        );
    }

    /// Shaped like the exports of common readers: a BOM, a doctype-free OPML 2.0 head with
    /// owner fields, `title` and `text` that differ, `xmlURL`/`htmlurl` spelled oddly, a feed
    /// with no name, entities, a bare `&`, and comments.
    #[test]
    fn reads_a_real_world_shaped_export() {
        let xml = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<!-- exported by SomeReader 4.2 -->
<opml version=\"2.0\">
  <head>
    <title>Subscriptions of reader@example.org</title>
    <dateCreated>Mon, 02 Nov 2026 10:00:00 GMT</dateCreated>
    <ownerEmail>reader@example.org</ownerEmail>
  </head>
  <body>
    <outline text=\"中文新闻\" title=\"中文新闻\">
      <outline type=\"rss\" text=\"renamed by me\" title=\"示例新闻 &#8211; 首页\"
               xmlUrl=\"https://news.example.com/rss?lang=zh&amp;full=1\" htmlUrl=\"https://news.example.com/\"/>
      <outline text=\"Tom &amp; Jerry's &nbsp;blog\" xmlURL=\"https://blog.example.net/feed/\" htmlurl=\"https://blog.example.net\"/>
    </outline>
    <outline type=\"rss\" xmlUrl=\"  https://nameless.example/atom.xml  \"/>
    <outline text=\"Q & A\" type=\"rss\" xmlUrl=\"https://qa.example/rss\"></outline>
  </body>
</opml>
";
        let feeds = parse_opml(xml.as_bytes()).unwrap();
        assert_eq!(feeds.len(), 4);
        assert_eq!(feeds[0].title, "示例新闻 – 首页");
        assert_eq!(
            feeds[0].xml_url,
            "https://news.example.com/rss?lang=zh&full=1"
        );
        assert_eq!(
            feeds[0].html_url.as_deref(),
            Some("https://news.example.com/")
        );
        assert_eq!(feeds[0].category.as_deref(), Some("中文新闻"));
        assert_eq!(feeds[1].title, "Tom & Jerry's \u{a0}blog");
        assert_eq!(feeds[1].xml_url, "https://blog.example.net/feed/");
        assert_eq!(
            feeds[1].html_url.as_deref(),
            Some("https://blog.example.net")
        );
        assert_eq!(feeds[2].title, "https://nameless.example/atom.xml");
        assert_eq!(feeds[2].category, None);
        assert_eq!(feeds[3].title, "Q & A");
    }

    #[test]
    fn legacy_encodings_are_decoded() {
        let text = "<?xml version=\"1.0\" encoding=\"gb2312\"?>\n<opml version=\"1.0\"><body>\
                    <outline text=\"联合早报\" xmlUrl=\"https://gbk.example/rss\"/></body></opml>";
        let (bytes, _, _) = encoding_rs::GB18030.encode(text);
        let feeds = parse_opml(&bytes).unwrap();
        assert_eq!(feeds[0].title, "联合早报");
    }

    #[test]
    fn broken_xml_is_an_error_naming_the_line() {
        let cases = [
            (
                "<opml>\n<body>\n<outline text=\"a\" xmlUrl=\"https://a/\">\n</body>\n</opml>",
                4,
                "</body> closes <outline>, which was opened on line 3",
            ),
            (
                "<opml>\n<body>\n\n<outline text=\"a\">\n",
                4,
                "never closed",
            ),
            (
                "<opml><body>\n</body>\n</opml>\n</opml>",
                4,
                "closes nothing",
            ),
            (
                "<opml>\n<body>\n<outline text=\"a\n</body></opml>",
                3,
                "no closing quote",
            ),
            (
                "<opml>\n<body>\n< outline/>\n</body></opml>",
                3,
                "starts no tag",
            ),
        ];
        for (xml, line, message) in cases {
            match parse_opml(xml.as_bytes()) {
                Err(OpmlError::Syntax {
                    line: l,
                    message: m,
                }) => {
                    assert_eq!(l, line, "{xml:?}: {m}");
                    assert!(m.contains(message), "{xml:?}: {m}");
                }
                other => panic!("{xml:?}: expected a syntax error, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_feed_is_not_an_opml_file() {
        let rss = "<rss version=\"2.0\"><channel><title>x</title></channel></rss>";
        assert_eq!(parse_opml(rss.as_bytes()), Err(OpmlError::NotOpml));
    }
}
