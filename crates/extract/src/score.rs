//! Readability-style candidate scoring: every paragraph gives points to its ancestors; the
//! best-scoring container, corrected for link density, holds the article.

use crate::analyze::Analysis;
use crate::patterns;
use crate::tags;
use ego_tree::NodeId;
use rustc_hash::FxHashMap;
use scraper::{Html, Node};

/// How many ancestor levels a paragraph's points reach.
const LEVELS: usize = 5;

/// Candidate containers and their scores (already corrected for link density).
#[derive(Debug, Default)]
pub(crate) struct Scores {
    /// Score by candidate element.
    pub(crate) score: FxHashMap<NodeId, f32>,
}

impl Scores {
    /// The score of `id`, if it is a candidate.
    pub(crate) fn get(&self, id: NodeId) -> Option<f32> {
        self.score.get(&id).copied()
    }
}

/// Scores every ancestor of every paragraph of `doc`.
pub(crate) fn score(doc: &Html, analysis: &Analysis) -> Scores {
    let mut raw: FxHashMap<NodeId, f32> = FxHashMap::default();
    for para in &analysis.paragraphs {
        let Some(p) = doc.tree.get(para.id) else {
            continue;
        };
        let points = 1.0 + para.text.commas as f32 + (para.text.len / 100.0).floor().min(3.0);
        let mut level = 0;
        let mut cur = if para.loose { Some(p) } else { p.parent() };
        while let Some(anc) = cur {
            if level >= LEVELS {
                break;
            }
            let Node::Element(e) = anc.value() else { break };
            if matches!(e.name(), "html") {
                break;
            }
            let entry = raw.entry(anc.id()).or_insert_with(|| {
                let names = analysis
                    .stats
                    .get(&anc.id())
                    .map(|s| s.names.as_str())
                    .unwrap_or("");
                tags::base_score(e.name()) + patterns::class_weight(names)
            });
            let divider = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f32 * 3.0,
            };
            *entry += points / divider;
            level += 1;
            cur = anc.parent();
        }
    }
    let score = raw
        .into_iter()
        .map(|(id, s)| {
            let ld = analysis.stats.get(&id).map_or(0.0, |st| st.link_density());
            (id, s * (1.0 - ld))
        })
        .collect();
    Scores { score }
}

/// The best candidate: the top scorer, or a common ancestor that several near-top
/// candidates share, climbed to its parent while it is the parent's only content.
pub(crate) fn pick(doc: &Html, analysis: &Analysis, scores: &Scores) -> Option<NodeId> {
    let mut ranked: Vec<(NodeId, f32)> = scores.score.iter().map(|(k, v)| (*k, *v)).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let &(top_id, top_score) = ranked.first()?;
    let mut top = top_id;
    // Several strong candidates under one ancestor: the article is split into sections.
    let strong: Vec<NodeId> = ranked
        .iter()
        .skip(1)
        .take(4)
        .filter(|(_, s)| *s >= top_score * 0.75)
        .map(|(id, _)| *id)
        .collect();
    if strong.len() >= 2 {
        let mut anc = doc.tree.get(top).and_then(|n| n.parent());
        while let Some(a) = anc {
            if !a.value().is_element()
                || matches!(
                    a.value().as_element().map(|e| e.name()),
                    Some("body" | "html")
                )
            {
                break;
            }
            let inside = strong
                .iter()
                .filter(|id| {
                    doc.tree
                        .get(**id)
                        .is_some_and(|n| n.ancestors().any(|x| x.id() == a.id()))
                })
                .count();
            if inside >= 2 {
                top = a.id();
                break;
            }
            anc = a.parent();
        }
    }
    // Climb while the parent holds little more text than the candidate.
    let text_of = |id: NodeId| analysis.stats.get(&id).map_or(0.0, |s| s.text.len);
    while let Some(parent) = doc.tree.get(top).and_then(|n| n.parent()) {
        let Some(pe) = parent.value().as_element() else {
            break;
        };
        if matches!(pe.name(), "body" | "html") {
            break;
        }
        let mine = text_of(top);
        let theirs = text_of(parent.id());
        if theirs > 0.0 && mine / theirs >= 0.92 {
            top = parent.id();
        } else {
            break;
        }
    }
    Some(split_article_root(doc, analysis, top))
}

/// Articles split into several blocks of one class (`<section class="content">` around each
/// run of paragraphs, figures between them): the ancestor of `top`, at most three levels up,
/// that has a sibling of its own class holding prose, else `top`.
fn split_article_root(doc: &Html, analysis: &Analysis, top: NodeId) -> NodeId {
    let mut cur = doc.tree.get(top);
    for _ in 0..3 {
        let Some(node) = cur else { break };
        let class = node.value().as_element().and_then(|e| e.attr("class"));
        if let Some(class) = class.filter(|c| !c.trim().is_empty()) {
            let twin = node
                .prev_siblings()
                .chain(node.next_siblings())
                .filter(|s| s.value().as_element().and_then(|e| e.attr("class")) == Some(class))
                .any(|s| {
                    analysis.stats.get(&s.id()).is_some_and(|st| {
                        !st.out && st.text.len >= 100.0 && st.link_density() < 0.3
                    })
                });
            if twin {
                return node.id();
            }
        }
        cur = node.parent().filter(|p| {
            p.value()
                .as_element()
                .is_some_and(|e| !matches!(e.name(), "body" | "html"))
        });
    }
    top
}
