//! Plain text of article HTML, for indexing and `--json` output: one paragraph per block,
//! paragraphs separated by a blank line, whitespace inside a paragraph collapsed, `<br>` a
//! line break. Scripts, styles and other non-text elements contribute nothing.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "dd"
            | "details"
            | "div"
            | "dl"
            | "dt"
            | "figcaption"
            | "figure"
            | "footer"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "li"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "ul"
            | "center"
            | "summary"
            | "caption"
            | "body"
    )
}

fn is_silent(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "template"
            | "head"
            | "title"
            | "noscript"
            | "svg"
            | "math"
            | "select"
            | "textarea"
            | "button"
    )
}

/// The plain text of `html`: paragraphs separated by a blank line.
pub fn text(html: &str) -> String {
    let doc = Html::parse_fragment(html);
    let mut paragraphs: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut silent = 0u32;
    let flush = |cur: &mut String, paragraphs: &mut Vec<String>| {
        let p = cur
            .split('\n')
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        if !p.is_empty() {
            paragraphs.push(p);
        }
        cur.clear();
    };
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(n) => match n.value() {
                Node::Text(t) if silent == 0 => {
                    // Line breaks in source text are spaces; only <br> breaks lines.
                    for c in t.chars() {
                        cur.push(if c == '\n' || c == '\r' { ' ' } else { c });
                    }
                }
                Node::Element(e) => {
                    let tag = e.name();
                    if is_silent(tag) {
                        silent += 1;
                    } else if silent == 0 {
                        if tag == "br" {
                            cur.push('\n');
                        } else if is_block(tag) {
                            flush(&mut cur, &mut paragraphs);
                        }
                    }
                }
                _ => {}
            },
            Edge::Close(n) => {
                let Node::Element(e) = n.value() else {
                    continue;
                };
                let tag = e.name();
                if is_silent(tag) {
                    silent -= 1;
                } else if silent == 0 && is_block(tag) {
                    flush(&mut cur, &mut paragraphs);
                }
            }
        }
    }
    flush(&mut cur, &mut paragraphs);
    paragraphs.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_breaks() {
        let html = "<div>26/05/2023</div><p><strong>导语</strong>  文字</p><p>a<br>b</p>\
                    <ul><li>一</li><li>二</li></ul><script>x()</script><p><span>中</span><span>文</span></p>";
        assert_eq!(
            text(html),
            "26/05/2023\n\n导语 文字\n\na\nb\n\n一\n\n二\n\n中文"
        );
    }
}
