//! A corpus of known XSS vectors (`fixtures/xss-vectors.txt`: scripts, event handlers,
//! `javascript:`/`data:` URLs, SVG and MathML, CSS expressions, frames, mutation XSS): after
//! [`newsvault_clean::sanitize`], none survives, neither in the output text nor in the tree a
//! browser would build by parsing the output again.

use scraper::{Html, Node};
use url::Url;

const CORPUS: &str = include_str!("fixtures/xss-vectors.txt");

/// Substrings that must never appear in sanitized output (lower-cased).
const FORBIDDEN: &[&str] = &[
    "<script",
    "<svg",
    "<math",
    "<iframe",
    "<object",
    "<embed",
    "<applet",
    "<style",
    "<link",
    "<meta",
    "<base",
    "<form",
    "<button",
    "<input",
    "<textarea",
    "<template",
    "<noscript",
    "<xmp",
    "<listing",
    "javascript:",
    "vbscript:",
    "data:",
    "expression(",
    "style=",
    "srcdoc",
    "formaction",
    "xlink:href",
    "-moz-binding",
    "<!--",
];

/// Elements that must not exist when the output is parsed again.
const DANGEROUS_TAGS: &[&str] = &[
    "script", "svg", "math", "iframe", "object", "embed", "applet", "style", "link", "meta",
    "base", "form", "button", "input", "textarea", "template", "noscript", "frame", "frameset",
];

fn vectors() -> impl Iterator<Item = &'static str> {
    CORPUS
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

#[test]
fn no_vector_survives() {
    let base = Url::parse("https://news.example/a/b.html").unwrap();
    let mut count = 0;
    for vector in vectors() {
        count += 1;
        // Also with every image mapped to an archived asset (the web reader's path).
        let mapped = |_: &str| Some("assets/ab/ab12.jpg".to_owned());
        for (b, local) in [(Some(&base), false), (None, false), (Some(&base), true)] {
            let out = if local {
                newsvault_clean::sanitize_with_assets(vector, b, &mapped)
            } else {
                newsvault_clean::sanitize(vector, b)
            };
            let lower = out.to_ascii_lowercase();
            for f in FORBIDDEN {
                assert!(
                    !lower.contains(f),
                    "{f:?} survived in {out:?} (from {vector:?})"
                );
            }
            assert_reparse_is_safe(&out, vector);
        }
    }
    assert!(count >= 60, "the corpus has {count} vectors");
}

/// Parses the sanitized output as a browser would and checks the tree.
fn assert_reparse_is_safe(out: &str, vector: &str) {
    let doc = Html::parse_fragment(out);
    for node in doc.tree.root().descendants() {
        let Node::Element(e) = node.value() else {
            continue;
        };
        assert!(
            !DANGEROUS_TAGS.contains(&e.name()),
            "<{}> in the reparsed output {out:?} (from {vector:?})",
            e.name()
        );
        for (name, value) in e.attrs() {
            assert!(
                !name.starts_with("on"),
                "event handler {name} in {out:?} (from {vector:?})"
            );
            assert!(
                name != "style",
                "style attribute in {out:?} (from {vector:?})"
            );
            if matches!(name, "href" | "src" | "cite" | "action") {
                let v = value.trim().to_ascii_lowercase();
                assert!(
                    v.starts_with("https://")
                        || v.starts_with("http://")
                        || v.starts_with("mailto:")
                        || (name == "src" && v.starts_with("/assets/") && !v.contains("..")),
                    "URL {value:?} in {out:?} (from {vector:?})"
                );
            }
        }
    }
}

#[test]
fn safe_markup_survives() {
    let base = Url::parse("https://news.example/a/b.html").unwrap();
    let out = newsvault_clean::sanitize(
        r#"<p>文字 <a href="/c?utm_source=x&id=1">链接</a> <img src="i.jpg" alt="图"></p>"#,
        Some(&base),
    );
    assert_eq!(
        out,
        r#"<p>文字 <a href="https://news.example/c?id=1" rel="noopener noreferrer nofollow">链接</a> <img src="https://news.example/a/i.jpg" alt="图"></p>"#
    );
}
