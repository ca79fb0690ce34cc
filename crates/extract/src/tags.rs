//! What HTML tag names mean to extraction.

/// Elements whose content is never article text (dropped before scoring and from output).
pub(crate) fn is_dropped(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "template"
            | "svg"
            | "canvas"
            | "iframe"
            | "object"
            | "embed"
            | "button"
            | "input"
            | "select"
            | "textarea"
            | "nav"
            | "aside"
            | "footer"
            | "link"
            | "meta"
            | "head"
            | "title"
            | "dialog"
            | "label"
            | "option"
            | "math"
            | "noscript"
    )
}

/// Block-level elements: a `div` holding none of them is a paragraph in disguise, and text
/// on either side of one is a separate paragraph.
pub(crate) fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "dd"
            | "details"
            | "dialog"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
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
            | "tbody"
            | "thead"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "ul"
            | "center"
            | "summary"
            | "body"
            | "html"
            | "caption"
    )
}

/// Elements scored as paragraphs (plus `div`s without block children).
pub(crate) fn is_paragraph(tag: &str) -> bool {
    matches!(tag, "p" | "pre" | "td" | "blockquote")
}

/// Readability's starting score of a candidate container, by tag.
pub(crate) fn base_score(tag: &str) -> f32 {
    match tag {
        "div" | "article" | "main" | "section" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    }
}

/// Embedded media that count against a block in conditional cleaning.
pub(crate) fn is_embed(tag: &str) -> bool {
    matches!(tag, "object" | "embed" | "iframe" | "video" | "audio")
}
