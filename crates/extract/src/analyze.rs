//! One pass over the page that measures every element: its text, link text, commas, and the
//! paragraphs, images, list items, inputs and embeds inside it, and decides which elements are
//! out of the running (dropped tags, hidden blocks, unlikely names).
//!
//! An element that is out contributes nothing to its ancestors' measures; elements inside it
//! are measured but flagged `excluded`.

use crate::measure::Measure;
use crate::patterns;
use crate::tags;
use ego_tree::NodeId;
use ego_tree::iter::Edge;
use rustc_hash::FxHashMap;
use scraper::{Html, Node};

/// The measures of one element (its whole subtree, minus excluded descendants).
#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    /// Text of the subtree.
    pub(crate) text: Measure,
    /// Weighted length of the text inside links.
    pub(crate) link_len: f32,
    /// `<p>` descendants.
    pub(crate) p: u32,
    /// `<img>` descendants.
    pub(crate) img: u32,
    /// `<li>` descendants.
    pub(crate) li: u32,
    /// `<input>` descendants.
    pub(crate) input: u32,
    /// Embedded media descendants.
    pub(crate) embed: u32,
    /// Some child is a block element.
    pub(crate) has_block_child: bool,
    /// Text that is not inside a block child (loose text beside blocks).
    pub(crate) inline_text: Measure,
    /// The element itself is out (dropped tag, hidden or unlikely).
    pub(crate) out: bool,
    /// An ancestor is out.
    pub(crate) excluded: bool,
    /// `class` + `id`, lower-cased.
    pub(crate) names: String,
}

impl Stats {
    /// Share of the text that sits in links (0 when there is no text).
    pub(crate) fn link_density(&self) -> f32 {
        if self.text.len <= 0.0 {
            0.0
        } else {
            (self.link_len / self.text.len).min(1.0)
        }
    }
}

/// A run of text scored as one paragraph.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paragraph {
    /// The paragraph element, or the element whose loose text this is.
    pub(crate) id: NodeId,
    /// The text measured.
    pub(crate) text: Measure,
    /// Points go to `id` itself first (loose text), not to its parent.
    pub(crate) loose: bool,
}

/// The measures of a page, by element.
#[derive(Debug, Default)]
pub(crate) struct Analysis {
    /// Measures of every element.
    pub(crate) stats: FxHashMap<NodeId, Stats>,
    /// Paragraphs, in document order of their end: the element and whether its points
    /// start at the element itself (loose text beside blocks) rather than at its parent.
    pub(crate) paragraphs: Vec<Paragraph>,
}

/// Measures every element of `doc`. With `skip_unlikely`, blocks with boilerplate names are out.
pub(crate) fn analyze(doc: &Html, skip_unlikely: bool) -> Analysis {
    let mut analysis = Analysis::default();
    analysis.stats.reserve(doc.tree.nodes().len() / 2);
    let mut stack: Vec<Stats> = vec![Stats::default()];
    let mut out_depth = 0u32;
    let mut link_depth = 0u32;
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) => {
                    let tag = e.name();
                    let names = patterns::class_and_id(e.attr("class"), e.id());
                    let out = tags::is_dropped(tag)
                        || is_hidden(e)
                        || (skip_unlikely
                            && !matches!(tag, "body" | "article" | "main" | "a" | "html")
                            && patterns::is_unlikely(&names));
                    let excluded = out_depth > 0;
                    if out {
                        out_depth += 1;
                    }
                    if tag == "a" {
                        link_depth += 1;
                    }
                    stack.push(Stats {
                        out,
                        excluded,
                        names,
                        ..Stats::default()
                    });
                }
                Node::Text(t) => {
                    let m = Measure::of(t);
                    if let Some(top) = stack.last_mut() {
                        top.text.add(m);
                        top.inline_text.add(m);
                        if link_depth > 0 {
                            top.link_len += m.len;
                        }
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                let Node::Element(e) = node.value() else {
                    continue;
                };
                let tag = e.name();
                let Some(s) = stack.pop() else { break };
                if s.out {
                    out_depth -= 1;
                }
                if tag == "a" {
                    link_depth = link_depth.saturating_sub(1);
                }
                if let Some(parent) = stack.last_mut()
                    && !s.out
                {
                    parent.text.add(s.text);
                    parent.link_len += s.link_len;
                    parent.p += s.p + u32::from(tag == "p");
                    parent.img += s.img + u32::from(tag == "img");
                    parent.li += s.li + u32::from(tag == "li");
                    parent.input += s.input + u32::from(tag == "input");
                    parent.embed += s.embed + u32::from(tags::is_embed(tag));
                    let block = tags::is_block(tag);
                    parent.has_block_child |= block;
                    if !block {
                        parent.inline_text.add(s.inline_text);
                    }
                }
                if !s.out && !s.excluded {
                    let paragraph = tags::is_paragraph(tag)
                        || (matches!(tag, "div" | "section" | "span" | "font" | "center")
                            && !s.has_block_child);
                    if paragraph && s.text.len >= 25.0 {
                        analysis.paragraphs.push(Paragraph {
                            id: node.id(),
                            text: s.text,
                            loose: false,
                        });
                    } else if s.has_block_child
                        && s.inline_text.len >= 25.0
                        && !matches!(tag, "body" | "html")
                    {
                        analysis.paragraphs.push(Paragraph {
                            id: node.id(),
                            text: s.inline_text,
                            loose: true,
                        });
                    }
                }
                analysis.stats.insert(node.id(), s);
            }
        }
    }
    analysis
}

/// Hidden by the `hidden` attribute, `aria-hidden="true"` or an inline `display:none` /
/// `visibility:hidden` style.
fn is_hidden(e: &scraper::node::Element) -> bool {
    if e.attr("hidden").is_some() {
        return true;
    }
    if e.attr("aria-hidden") == Some("true") && !matches!(e.name(), "img" | "figure" | "picture") {
        return true;
    }
    if let Some(style) = e.attr("style") {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        return s.contains("display:none") || s.contains("visibility:hidden");
    }
    false
}
