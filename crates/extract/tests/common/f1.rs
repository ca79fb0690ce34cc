//! The benchmark's metric, as `shared/bench/extraction/score.py` computes it: texts become
//! multisets of 4-token shingles (tokens are `\w+` runs); per page TP/FP/FN are normalized to
//! sum to 1; precision and recall are averaged over pages; F1 comes from the two averages.

use std::collections::HashMap;

/// Shingle size.
const SHINGLE: usize = 4;

fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let word = c.is_alphanumeric() || c == '_';
        match (word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(&text[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

fn shingles<'a>(toks: &[&'a str]) -> HashMap<Vec<&'a str>, usize> {
    let mut m = HashMap::new();
    if toks.is_empty() {
        return m;
    }
    if toks.len() < SHINGLE {
        m.insert(toks.to_vec(), 1);
        return m;
    }
    for w in toks.windows(SHINGLE) {
        *m.entry(w.to_vec()).or_insert(0) += 1;
    }
    m
}

/// Normalized (tp, fp, fn) of one page.
pub(crate) fn page_counts(truth: &str, pred: &str) -> (f64, f64, f64) {
    let (t, p) = (shingles(&tokens(truth)), shingles(&tokens(pred)));
    let mut tp = 0usize;
    let mut fp = 0usize;
    let mut fnn = 0usize;
    for (k, &pc) in &p {
        let tc = t.get(k).copied().unwrap_or(0);
        tp += pc.min(tc);
        fp += pc.saturating_sub(tc);
    }
    for (k, &tc) in &t {
        let pc = p.get(k).copied().unwrap_or(0);
        fnn += tc.saturating_sub(pc);
    }
    let total = (tp + fp + fnn) as f64;
    if total == 0.0 {
        return (0.0, 0.0, 0.0);
    }
    (tp as f64 / total, fp as f64 / total, fnn as f64 / total)
}

/// Precision, recall and F1 over pages of (tp, fp, fn).
pub(crate) fn aggregate(counts: &[(f64, f64, f64)]) -> (f64, f64, f64) {
    let mut precs = Vec::new();
    let mut recs = Vec::new();
    for &(tp, fp, fnn) in counts {
        let perfect = fp == 0.0 && fnn == 0.0;
        if tp + fp > 0.0 {
            precs.push(if perfect { 1.0 } else { tp / (tp + fp) });
        }
        if tp + fnn > 0.0 {
            recs.push(if perfect { 1.0 } else { tp / (tp + fnn) });
        }
    }
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let (p, r) = (mean(&precs), mean(&recs));
    let f1 = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f1)
}
