//! The fixed mixed query set: CJK terms of 1 to 6 characters (common, rare, sampled from the
//! corpus, in traditional script, misses), two-term AND, exclusions, Latin words, and some of
//! them again sorted by date.

use super::corpus::{Article, Corpus, Rng};

/// One benchmark query.
#[derive(Clone, Debug)]
pub(crate) struct BenchQuery {
    /// The query in newsvault's query language.
    pub(crate) text: String,
    /// What kind of query it is (for the per-class lines).
    pub(crate) class: &'static str,
    /// Newest first instead of by relevance.
    pub(crate) by_date: bool,
}

/// The classes in the order they are printed.
pub(crate) const CLASSES: &[&str] = &[
    "cjk 1 char common",
    "cjk 1 char rare",
    "cjk 2 chars common",
    "cjk 2 chars rare",
    "cjk 3-6 chars",
    "traditional",
    "miss",
    "and",
    "exclusion",
    "latin",
    "sort date",
];

fn q(text: impl Into<String>, class: &'static str) -> BenchQuery {
    BenchQuery {
        text: text.into(),
        class,
        by_date: false,
    }
}

/// A substring of `len` characters of a sample's text without whitespace or quotes, if one is
/// found in a few tries.
fn substring(rng: &mut Rng, samples: &[Article], len: usize) -> Option<String> {
    for _ in 0..20 {
        let a = &samples[rng.below(samples.len())];
        let p = &a.paragraphs[rng.below(a.paragraphs.len())];
        let chars: Vec<char> = p.chars().collect();
        if chars.len() < len {
            continue;
        }
        let start = rng.below(chars.len() - len + 1);
        let s: String = chars[start..start + len].iter().collect();
        let cjk = s
            .chars()
            .filter(|&c| newsvault_index::search::is_cjk(c))
            .count();
        if s.contains(|c: char| c.is_whitespace() || "\"“”＂".contains(c)) || cjk < len.min(2)
        {
            continue;
        }
        return Some(s);
    }
    None
}

/// The query set for a corpus (`samples` are articles of it).
pub(crate) fn build(corpus: &Corpus, samples: &[Article]) -> Vec<BenchQuery> {
    let mut rng = Rng::new(0x5EA2C4);
    let mut out = Vec::new();
    for t in ["的", "国", "人", "在"] {
        out.push(q(t, "cjk 1 char common"));
    }
    let filler = corpus.filler_chars();
    for rank in [filler.len() - 1, filler.len() - 7, filler.len() - 40, 700] {
        out.push(q(filler.rank(rank), "cjk 1 char rare"));
    }
    for t in ["表示", "中国", "美国", "经济"] {
        out.push(q(t, "cjk 2 chars common"));
    }
    let news = corpus.news_words();
    let mut rare2 = Vec::new();
    for rank in (news.len() / 2..news.len()).rev() {
        let w = news.rank(rank);
        if w.chars().count() == 2 {
            rare2.push(w.to_owned());
        }
        if rare2.len() == 2 {
            break;
        }
    }
    // Two characters that only meet in filler: rare pairs.
    rare2.push(format!("{}{}", filler.rank(300), filler.rank(301)));
    rare2.push(format!("{}{}", filler.rank(5), filler.rank(800)));
    for t in rare2 {
        out.push(q(t, "cjk 2 chars rare"));
    }
    for len in 3..=6 {
        for _ in 0..9 {
            if let Some(s) = substring(&mut rng, samples, len) {
                out.push(q(format!("\"{s}\""), "cjk 3-6 chars"));
            }
        }
    }
    for t in ["美國", "經濟", "臺灣"] {
        out.push(q(t, "traditional"));
    }
    for len in [2, 4, 5] {
        if let Some(s) = substring(&mut rng, samples, len) {
            out.push(q(clean::to_traditional(&s), "traditional"));
        }
    }
    for t in ["量子计算机", "火星探测器", "碳纳米管"] {
        out.push(q(t, "miss"));
    }
    for t in ["美国 总统", "香港 选举", "芯片 出口管制", "台湾 -美国 的"] {
        out.push(q(t, "and"));
    }
    for _ in 0..3 {
        if let (Some(a), Some(b)) = (
            substring(&mut rng, samples, 2),
            substring(&mut rng, samples, 3),
        ) {
            out.push(q(format!("\"{a}\" \"{b}\""), "and"));
        }
    }
    for t in ["香港 -台湾", "经济 -美国", "芯片 -美光", "的 -中国"] {
        out.push(q(t, "exclusion"));
    }
    for t in [
        "Reuters", "iPhone", "AI", "COVID-19", "G7", "PM2.5", "openai",
    ] {
        out.push(q(t, "latin"));
    }
    for t in [
        "的",
        "美国",
        "人工智能",
        "美国 总统",
        "香港 -台湾",
        "iPhone",
        "臺灣",
        "量子计算机",
    ] {
        out.push(BenchQuery {
            text: t.to_owned(),
            class: "sort date",
            by_date: true,
        });
    }
    out
}
