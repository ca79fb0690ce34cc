//! From the chosen container to the article's blocks: which siblings join it, and which
//! descendants are pruned (boilerplate names, link lists, media-only blocks, title headers).

use crate::analyze::{Analysis, Stats};
use crate::patterns;
use crate::score::Scores;
use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use rustc_hash::FxHashSet;
use scraper::{Html, Node};

/// The article's content: blocks in document order, minus pruned elements.
#[derive(Debug, Default)]
pub(crate) struct Selection {
    /// Top-level blocks of the article, in document order.
    pub(crate) roots: Vec<NodeId>,
    /// Elements left out of the output (with their subtrees).
    pub(crate) pruned: FxHashSet<NodeId>,
}

/// Short texts that are page furniture, not article text, when they make up a whole block.
const FURNITURE: &[&str] = &[
    "advertisement",
    "advertisements",
    "ad",
    "continue reading",
    "read more",
    "related",
    "related articles",
    "share",
    "share this",
    "share this article",
    "subscribe",
    "广告",
    "相关新闻",
    "相关文章",
    "相关报道",
    "分享",
    "延伸阅读",
    "推荐阅读",
    "更多新闻",
    "返回顶部",
    "打印",
    "点击",
    "订阅",
    "skip to content",
    "jump directly to the content",
    "skip to main content",
    "you may also like",
    "more from",
    "don't miss",
    "see more",
    "related stories",
    "recommended",
    "most popular",
    "most read",
    "read next",
    "trending",
    "top stories",
    "more stories",
    "also read",
    "read also",
    "sign up",
    "follow us",
    "advertisement - continue reading below",
    "story continues below advertisement",
    "listen to this article",
    "back to top",
    "comments",
    "leave a comment",
    "print this page",
    "email",
    "tweet",
    "share on facebook",
    "share on twitter",
];

/// The chosen container `top` with its qualifying siblings, and the pruning inside them.
pub(crate) fn select(doc: &Html, analysis: &Analysis, scores: &Scores, top: NodeId) -> Selection {
    let mut sel = Selection::default();
    let Some(top_node) = doc.tree.get(top) else {
        return sel;
    };
    let top_score = scores.get(top).unwrap_or(0.0).max(1.0);
    let threshold = (top_score * 0.2).max(10.0);
    let top_class = element(top_node)
        .and_then(|e| e.attr("class"))
        .unwrap_or("");
    match top_node.parent() {
        Some(parent) if !is_tag(parent, "html") => {
            for sib in parent.children() {
                let Some(e) = element(sib) else { continue };
                let Some(st) = analysis.stats.get(&sib.id()) else {
                    continue;
                };
                if st.out {
                    continue;
                }
                let twin = !top_class.trim().is_empty()
                    && e.attr("class") == Some(top_class)
                    && st.link_density() < 0.3;
                let include = sib.id() == top || twin || {
                    let bonus = if !top_class.is_empty() && e.attr("class") == Some(top_class) {
                        top_score * 0.2
                    } else {
                        0.0
                    };
                    let by_score = scores.get(sib.id()).is_some_and(|s| s + bonus >= threshold);
                    by_score || (is_text_block(e.name(), st) && reads_as_prose(sib, st))
                };
                let top_len = analysis.stats.get(&top).map_or(0.0, |s| s.text.len);
                if include && (sib.id() == top || !is_junk(sib, e.name(), st, scores, top_len)) {
                    sel.roots.push(sib.id());
                }
            }
        }
        _ => sel.roots.push(top),
    }
    let total = roots_len(analysis, &sel);
    for &root in &sel.roots {
        let Some(node) = doc.tree.get(root) else {
            continue;
        };
        prune(
            node,
            analysis,
            scores,
            total,
            Captions::Drop,
            &mut sel.pruned,
        );
    }
    sel
}

/// Whether figure captions are article text: not in a scored article (they describe
/// pictures beside the text), yes in blocks a site rule names (a gallery's captions are its
/// text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Captions {
    Keep,
    Drop,
}

fn is_text_block(tag: &str, st: &Stats) -> bool {
    tag == "p" || (matches!(tag, "div" | "section") && !st.has_block_child)
}

/// Readability's test for a sibling paragraph: long with few links, or short, link-free and
/// ending a sentence.
fn reads_as_prose(node: NodeRef<'_, Node>, st: &Stats) -> bool {
    let len = st.text.len;
    let ld = st.link_density();
    if len > 80.0 {
        return ld < 0.25;
    }
    if len <= 0.0 || ld > 0.0 {
        return false;
    }
    let text: String = node
        .descendants()
        .filter_map(|n| n.value().as_text().map(|t| &**t))
        .collect();
    let t = text.trim_end();
    t.ends_with('.') || t.ends_with('。') || t.ends_with('！') || t.ends_with('？')
}

/// Marks the elements under `root` that are not article text.
fn prune(
    root: NodeRef<'_, Node>,
    analysis: &Analysis,
    scores: &Scores,
    total: f32,
    captions: Captions,
    pruned: &mut FxHashSet<NodeId>,
) {
    let mut skip_depth = 0u32;
    for edge in root.traverse() {
        match edge {
            Edge::Open(n) => {
                let Some(e) = element(n) else { continue };
                if skip_depth > 0 {
                    skip_depth += 1;
                    continue;
                }
                let Some(st) = analysis.stats.get(&n.id()) else {
                    continue;
                };
                let caption = captions == Captions::Keep && e.name() == "figcaption";
                if n.id() != root.id() && !caption && is_junk(n, e.name(), st, scores, total) {
                    pruned.insert(n.id());
                    skip_depth = 1;
                }
            }
            Edge::Close(n) => {
                if skip_depth > 0 && element(n).is_some() {
                    skip_depth -= 1;
                }
            }
        }
    }
}

/// True if the element inside the article is not part of its text.
fn is_junk(n: NodeRef<'_, Node>, tag: &str, st: &Stats, scores: &Scores, total: f32) -> bool {
    if st.out {
        return true;
    }
    let len = st.text.len;
    let major = total > 0.0 && len > total * 0.5;
    if patterns::is_boilerplate(&st.names) && !(major && st.link_density() < 0.3) {
        return true;
    }
    if matches!(tag, "h1" | "figcaption") {
        return true;
    }
    if tag == "header" {
        return !major;
    }
    if len > 0.0 && len < 60.0 && is_furniture(n) {
        return true;
    }
    // A paragraph that is one link: a teaser for another story or a call to action.
    if tag == "p" && len < 200.0 && st.link_density() > 0.9 && !is_cited_url(n) {
        return true;
    }
    if !matches!(
        tag,
        "div" | "section" | "ul" | "ol" | "table" | "fieldset" | "dl" | "form"
    ) {
        return false;
    }
    // Readability's conditional cleaning.
    let weight = patterns::class_weight(&st.names);
    let score = scores.get(n.id()).unwrap_or(0.0);
    if weight + score < 0.0 && !major {
        return true;
    }
    if st.text.commas >= 10 || major {
        return false;
    }
    let is_list = matches!(tag, "ul" | "ol" | "dl");
    let p = st.p as f32;
    let img = st.img as f32;
    let li = st.li as f32;
    let ld = st.link_density();
    (img > 1.0 && p / img < 0.5)
        || (!is_list && tag != "table" && li > p + 2.0 && ld > 0.2)
        || (st.input as f32) > (p / 3.0).floor()
        || (!is_list
            && tag != "table"
            && len < 25.0
            && st.img == 0
            && st.p == 0
            && len > 0.0
            && ld > 0.5)
        || (is_list && ld > 0.5)
        || (!is_list && weight < 25.0 && ld > 0.33)
        || (weight >= 25.0 && ld > 0.5)
        || (st.embed == 1 && len < 75.0 && st.img == 0)
        || st.embed > 1
}

/// A paragraph whose link text is a URL: a cited source, part of the article.
fn is_cited_url(n: NodeRef<'_, Node>) -> bool {
    let text: String = n
        .descendants()
        .filter_map(|d| d.value().as_text().map(|t| &**t))
        .collect();
    let t = text.trim_start();
    t.starts_with("http") || t.starts_with("www.")
}

fn is_furniture(n: NodeRef<'_, Node>) -> bool {
    let text: String = n
        .descendants()
        .filter_map(|d| d.value().as_text().map(|t| &**t))
        .collect();
    let t = text
        .trim()
        .trim_end_matches([':', '：', '»', '›', '>', '.', '…'])
        .trim()
        .to_lowercase();
    FURNITURE.contains(&t.as_str()) || is_dateline(&t)
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A block that only states a date (and maybe a time or an author): `November 18, 2019`,
/// `By Jane Doe - 11/18/19 11:04 PM EST`, `2023年5月26日`.
fn is_dateline(t: &str) -> bool {
    let words = t.split_whitespace().count();
    if words == 0 || words > 10 || t.ends_with(['.', '。', '！', '？', '!', '?']) {
        return false;
    }
    // A CJK sentence has no spaces: count its characters other than the date's own.
    let cjk_words = t
        .chars()
        .filter(|c| crate::measure::is_cjk(*c) && !"年月日时分秒點点：，".contains(*c))
        .count();
    if cjk_words > 6 || t.contains('，') {
        return false;
    }
    let has_year = t.as_bytes().windows(4).any(|w| {
        w.iter().all(u8::is_ascii_digit) && (w.starts_with(b"19") || w.starts_with(b"20"))
    });
    let short_date = t
        .split(|c: char| !(c.is_ascii_digit() || c == '/'))
        .any(|w| {
            let parts: Vec<&str> = w.split('/').collect();
            parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.len() <= 4)
        });
    let month = MONTHS.iter().any(|m| t.contains(m));
    (has_year && (month || t.contains('年') || t.contains('-') || t.contains('/'))) || short_date
}

fn element<'a>(n: NodeRef<'a, Node>) -> Option<&'a scraper::node::Element> {
    n.value().as_element()
}

fn is_tag(n: NodeRef<'_, Node>, tag: &str) -> bool {
    element(n).is_some_and(|e| e.name() == tag)
}

/// The blocks a site rule names, or `None` when its selectors find no text on this page.
pub(crate) fn select_by_rule(
    doc: &Html,
    analysis: &Analysis,
    scores: &Scores,
    rule: &crate::rules::CompiledRule,
) -> Option<Selection> {
    for selector in &rule.content {
        let matched: Vec<NodeId> = doc.select(selector).map(|e| e.id()).collect();
        let roots: Vec<NodeId> = matched
            .iter()
            .copied()
            .filter(|id| {
                doc.tree
                    .get(*id)
                    .is_some_and(|n| !n.ancestors().any(|a| matched.contains(&a.id())))
            })
            .collect();
        let total: f32 = roots
            .iter()
            .filter_map(|id| analysis.stats.get(id))
            .map(|s| s.text.len)
            .sum();
        if total < 50.0 {
            continue;
        }
        let mut sel = Selection {
            roots,
            pruned: FxHashSet::default(),
        };
        if let Some(drop) = &rule.drop {
            sel.pruned.extend(doc.select(drop).map(|e| e.id()));
        }
        for &root in &sel.roots {
            if let Some(node) = doc.tree.get(root) {
                prune(
                    node,
                    analysis,
                    scores,
                    total,
                    Captions::Keep,
                    &mut sel.pruned,
                );
            }
        }
        return Some(sel);
    }
    None
}

/// Weighted length of the text under the selection's roots, before pruning.
fn roots_len(analysis: &Analysis, sel: &Selection) -> f32 {
    sel.roots
        .iter()
        .filter_map(|id| analysis.stats.get(id))
        .map(|s| s.text.len)
        .sum()
}

/// Weighted length of the selection's text.
pub(crate) fn text_len(analysis: &Analysis, sel: &Selection) -> f32 {
    let total = roots_len(analysis, sel);
    let pruned: f32 = sel
        .pruned
        .iter()
        .filter_map(|id| analysis.stats.get(id))
        .filter(|s| !s.excluded && !s.out)
        .map(|s| s.text.len)
        .sum();
    (total - pruned).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::is_dateline;

    #[test]
    fn datelines_are_dates_not_sentences() {
        assert!(is_dateline("november 18, 2019"));
        assert!(is_dateline("by justine coleman - 11/18/19 11:04 pm est"));
        assert!(is_dateline("2023年5月26日 23:51"));
        assert!(is_dateline("发表时间：2023-05-26"));
        assert!(!is_dateline("2023年5月，他回到了北京"));
        assert!(!is_dateline("2023年5月他回到了北京。"));
        assert!(!is_dateline("prices rose in 2019."));
    }
}
