//! What changed between two versions of an article's text, for people to read.
//!
//! Input is plain text as [`text`](crate::text) makes it: paragraphs separated by a blank line.
//! Paragraphs are aligned first (patience diff); then a paragraph deleted in one place and
//! inserted unchanged, or nearly so, in another is a *move*, and a deleted and an inserted
//! paragraph in the same place that share most of their words are one *changed* paragraph,
//! shown with inline changes. Everything else is a plain insertion or deletion.
//!
//! Words: a *token* is the unit of inline changes. Each CJK character (Han, kana, CJK
//! punctuation, full-width forms) is one token, so a one-character typo fix in Chinese is one
//! character; a Latin-script (or Cyrillic, Greek, Hangul ...) word is one token, so English
//! changes read word by word; a run of whitespace is one token, any other character is one.
//! *Similarity* is the share of tokens two paragraphs have in common, in order (0 to 1).
//!
//! Pure: two strings in, a [`Diff`] out, with renderers for terminals ([`Diff::to_text`]) and
//! HTML ([`Diff::to_html`]).

use serde::Serialize;
use similar::{Algorithm, DiffOp, capture_diff_slices, diff_ratio};
use std::collections::{HashMap, VecDeque};
use std::fmt::Write;

/// Similarity from which a deleted and an inserted paragraph in the same place are one
/// changed paragraph.
const CHANGED_MIN: f32 = 0.5;
/// Similarity from which a paragraph deleted in one place and inserted in another is a move.
const MOVED_MIN: f32 = 0.8;
/// In a run of replaced paragraphs, how many new paragraphs ahead an old one is compared with.
const CHANGED_WINDOW: usize = 8;
/// Deleted × inserted paragraphs beyond which near moves are not searched (a rewrite).
const MOVE_SEARCH_MAX: usize = 10_000;

/// The differences between two texts, paragraph by paragraph, in reading order of the new
/// text; deleted paragraphs stand where they were in the old one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Every paragraph of both texts, each once (a moved paragraph at its new place).
    pub paragraphs: Vec<ParagraphOp>,
}

/// What became of one paragraph. Paragraph numbers count from 1 in their text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum ParagraphOp {
    /// In both texts, unchanged.
    Equal {
        /// Number in the old text.
        old: usize,
        /// Number in the new text.
        new: usize,
        /// The paragraph.
        text: String,
    },
    /// Only in the new text.
    Insert {
        /// Number in the new text.
        new: usize,
        /// The paragraph.
        text: String,
    },
    /// Only in the old text.
    Delete {
        /// Number in the old text.
        old: usize,
        /// The paragraph.
        text: String,
    },
    /// Elsewhere in the new text, unchanged or nearly so.
    Moved {
        /// Number in the old text.
        from: usize,
        /// Number in the new text.
        to: usize,
        /// The paragraph with its inline changes (one `equal` span when unchanged).
        inline: Vec<Span>,
    },
    /// In the same place, edited.
    Changed {
        /// Number in the old text.
        old: usize,
        /// Number in the new text.
        new: usize,
        /// The paragraph with its inline changes.
        inline: Vec<Span>,
    },
}

/// A piece of a changed paragraph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "op", content = "text", rename_all = "kebab-case")]
pub enum Span {
    /// In both versions.
    Equal(String),
    /// Only in the new version.
    Insert(String),
    /// Only in the old version.
    Delete(String),
}

/// Paragraph counts of a [`Diff`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DiffSummary {
    /// Unchanged in place.
    pub equal: usize,
    /// Edited in place.
    pub changed: usize,
    /// Moved (possibly with small edits).
    pub moved: usize,
    /// Added.
    pub inserted: usize,
    /// Removed.
    pub deleted: usize,
}

/// How [`Diff::to_text`] renders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// ANSI colours (for a terminal): deletions red, insertions green, moves cyan.
    pub color: bool,
    /// Unchanged paragraphs shown around each change; `None` shows every paragraph.
    pub context: Option<usize>,
}

/// The differences between `old` and `new`, two plain texts with paragraphs separated by
/// blank lines.
pub fn diff(old: &str, new: &str) -> Diff {
    let a = paragraphs(old);
    let b = paragraphs(new);
    let ops = capture_diff_slices(Algorithm::Patience, &a, &b);
    // What each new paragraph is paired with: (old number, how).
    let mut pair: Vec<Option<(usize, Pairing)>> = vec![None; b.len()];
    let mut old_used = vec![false; a.len()];
    let mut replaced = Vec::new();
    for op in &ops {
        match *op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                for k in 0..len {
                    pair[new_index + k] = Some((old_index + k, Pairing::Equal));
                    old_used[old_index + k] = true;
                }
            }
            DiffOp::Replace { .. } => replaced.push((op.old_range(), op.new_range())),
            DiffOp::Delete { .. } | DiffOp::Insert { .. } => {}
        }
    }

    // Exact moves: the same paragraph deleted here and inserted there.
    let mut unmatched_old: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for (i, p) in a.iter().enumerate().filter(|(i, _)| !old_used[*i]) {
        unmatched_old.entry(p).or_default().push_back(i);
    }
    for (j, p) in b.iter().enumerate() {
        if pair[j].is_none()
            && let Some(i) = unmatched_old
                .get_mut(p.as_str())
                .and_then(VecDeque::pop_front)
        {
            pair[j] = Some((i, Pairing::Moved));
            old_used[i] = true;
        }
    }

    // Edits in place: within each replaced run, in order, the most similar new paragraph.
    for (olds, news) in replaced {
        let mut from = news.start;
        for i in olds {
            if old_used[i] {
                continue;
            }
            let best = (from..news.end.min(from + CHANGED_WINDOW))
                .filter(|&j| pair[j].is_none())
                .map(|j| (j, similarity(&a[i], &b[j])))
                .filter(|&(_, s)| s >= CHANGED_MIN)
                .max_by(|x, y| x.1.total_cmp(&y.1));
            if let Some((j, _)) = best {
                pair[j] = Some((i, Pairing::Changed));
                old_used[i] = true;
                from = j + 1;
            }
        }
    }

    // Near moves: a deleted paragraph that reappears elsewhere with small edits.
    let lone_old: Vec<usize> = (0..a.len()).filter(|&i| !old_used[i]).collect();
    let lone_new: Vec<usize> = (0..b.len()).filter(|&j| pair[j].is_none()).collect();
    if lone_old.len() * lone_new.len() <= MOVE_SEARCH_MAX {
        for &j in &lone_new {
            let best = lone_old
                .iter()
                .filter(|&&i| !old_used[i] && may_reach(&a[i], &b[j], MOVED_MIN))
                .map(|&i| (i, similarity(&a[i], &b[j])))
                .filter(|&(_, s)| s >= MOVED_MIN)
                .max_by(|x, y| x.1.total_cmp(&y.1));
            if let Some((i, _)) = best {
                pair[j] = Some((i, Pairing::Moved));
                old_used[i] = true;
            }
        }
    }

    Diff {
        paragraphs: merge(&a, &b, &pair, &old_used),
    }
}

/// How a new paragraph relates to its old one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pairing {
    Equal,
    Changed,
    Moved,
}

/// The paragraph ops in reading order: before each kept paragraph, the old paragraphs deleted
/// since the previous one, then the new ones inserted (or moved here).
fn merge(
    a: &[String],
    b: &[String],
    pair: &[Option<(usize, Pairing)>],
    old_used: &[bool],
) -> Vec<ParagraphOp> {
    let moved_away: Vec<bool> = {
        let mut v = vec![false; a.len()];
        for (i, _) in pair
            .iter()
            .flatten()
            .filter(|(_, how)| *how == Pairing::Moved)
        {
            v[*i] = true;
        }
        v
    };
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && !old_used[i] {
            out.push(ParagraphOp::Delete {
                old: i + 1,
                text: a[i].clone(),
            });
            i += 1;
            continue;
        }
        if i < a.len() && moved_away[i] {
            i += 1;
            continue;
        }
        let Some(new) = b.get(j) else {
            // Only reachable if pairs crossed; keep the paragraph rather than lose it.
            out.push(ParagraphOp::Delete {
                old: i + 1,
                text: a[i].clone(),
            });
            i += 1;
            continue;
        };
        match pair[j] {
            None => out.push(ParagraphOp::Insert {
                new: j + 1,
                text: new.clone(),
            }),
            Some((k, Pairing::Moved)) => out.push(ParagraphOp::Moved {
                from: k + 1,
                to: j + 1,
                inline: inline(&a[k], new),
            }),
            Some((k, how)) => {
                out.push(if how == Pairing::Equal {
                    ParagraphOp::Equal {
                        old: k + 1,
                        new: j + 1,
                        text: new.clone(),
                    }
                } else {
                    ParagraphOp::Changed {
                        old: k + 1,
                        new: j + 1,
                        inline: inline(&a[k], new),
                    }
                });
                // Pairs in place are monotone, so `k` is the old cursor; never step back.
                i = i.max(k + 1);
            }
        }
        j += 1;
    }
    out
}

/// The paragraphs of a plain text: blocks of non-blank lines, each line's trailing
/// whitespace removed (a line break inside a paragraph is kept).
fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if !cur.is_empty() {
            cur.push('\n');
        }
        cur.push_str(line);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a CJK character: each is a token of its own.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF       // radicals
        | 0x2FF0..=0x303F     // ideographic description, CJK symbols and punctuation
        | 0x3040..=0x31FF     // kana, bopomofo, kanbun, strokes
        | 0x3200..=0x33FF     // enclosed and compatibility forms
        | 0x3400..=0x4DBF     // extension A
        | 0x4E00..=0x9FFF     // unified ideographs
        | 0xF900..=0xFAFF     // compatibility ideographs
        | 0xFE30..=0xFE4F     // compatibility forms (vertical punctuation)
        | 0xFF00..=0xFFEF     // half-width and full-width forms
        | 0x20000..=0x3FFFF) // extensions B and later
}

/// Whether `c` continues a word.
fn is_word(c: char) -> bool {
    (c.is_alphanumeric() || c == '_') && !is_cjk(c)
}

/// The tokens of `text` (see the module doc), in order; they concatenate back to `text`.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let mut end = start + c.len_utf8();
        if is_word(c) {
            while let Some(&(at, next)) = chars.peek() {
                // An apostrophe or hyphen inside a word (don't, e-mail) belongs to it.
                let joiner = matches!(next, '\'' | '\u{2019}' | '-')
                    && text[at + next.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(is_word);
                if !(is_word(next) || joiner || is_mark(next)) {
                    break;
                }
                end = at + next.len_utf8();
                chars.next();
            }
        } else if c.is_whitespace() {
            while let Some(&(at, next)) = chars.peek() {
                if !next.is_whitespace() {
                    break;
                }
                end = at + next.len_utf8();
                chars.next();
            }
        }
        out.push(&text[start..end]);
    }
    out
}

/// Combining marks (accents written as separate code points) stay with their letter.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF)
}

/// Share of tokens `a` and `b` have in common, in order: 1 for equal texts.
fn similarity(a: &str, b: &str) -> f32 {
    let (x, y) = (tokens(a), tokens(b));
    let ops = capture_diff_slices(Algorithm::Myers, &x, &y);
    diff_ratio(&ops, x.len(), y.len())
}

/// Cheap bound: whether texts of these lengths can reach `min` similarity at all.
fn may_reach(a: &str, b: &str, min: f32) -> bool {
    let (x, y) = (a.chars().count(), b.chars().count());
    let total = x + y;
    total == 0 || 2.0 * x.min(y) as f32 / total as f32 >= min * 0.9
}

/// The inline changes from `old` to `new`: token diff, then whitespace between two changes
/// folded into them, so that "quick brown" → "slow red" reads as one replacement.
fn inline(old: &str, new: &str) -> Vec<Span> {
    let (x, y) = (tokens(old), tokens(new));
    let ops = capture_diff_slices(Algorithm::Myers, &x, &y);
    let mut raw: Vec<Span> = Vec::new();
    let mut push = |span: Span| match (raw.last_mut(), span) {
        (Some(Span::Equal(t)), Span::Equal(s))
        | (Some(Span::Insert(t)), Span::Insert(s))
        | (Some(Span::Delete(t)), Span::Delete(s)) => t.push_str(&s),
        (_, span) => raw.push(span),
    };
    for op in ops {
        let (tag, olds, news) = op.as_tag_tuple();
        let old_text = x[olds].concat();
        let new_text = y[news].concat();
        match tag {
            similar::DiffTag::Equal => push(Span::Equal(new_text)),
            similar::DiffTag::Delete => push(Span::Delete(old_text)),
            similar::DiffTag::Insert => push(Span::Insert(new_text)),
            similar::DiffTag::Replace => {
                push(Span::Delete(old_text));
                push(Span::Insert(new_text));
            }
        }
    }
    let mut out = Vec::with_capacity(raw.len());
    let (mut del, mut ins) = (String::new(), String::new());
    let count = raw.len();
    for (k, span) in raw.into_iter().enumerate() {
        match span {
            Span::Delete(t) => del.push_str(&t),
            Span::Insert(t) => ins.push_str(&t),
            Span::Equal(t) => {
                let between = !del.is_empty()
                    && !ins.is_empty()
                    && k + 1 < count
                    && t.chars().all(char::is_whitespace);
                if between {
                    del.push_str(&t);
                    ins.push_str(&t);
                } else {
                    flush(&mut out, &mut del, &mut ins);
                    out.push(Span::Equal(t));
                }
            }
        }
    }
    flush(&mut out, &mut del, &mut ins);
    out
}

/// Appends the pending deletion, then insertion.
fn flush(out: &mut Vec<Span>, del: &mut String, ins: &mut String) {
    if !del.is_empty() {
        out.push(Span::Delete(std::mem::take(del)));
    }
    if !ins.is_empty() {
        out.push(Span::Insert(std::mem::take(ins)));
    }
}

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

impl Diff {
    /// Whether the two texts were the same, paragraph for paragraph.
    pub fn is_unchanged(&self) -> bool {
        self.paragraphs
            .iter()
            .all(|p| matches!(p, ParagraphOp::Equal { .. }))
    }

    /// How many paragraphs of each kind.
    pub fn summary(&self) -> DiffSummary {
        let mut s = DiffSummary::default();
        for p in &self.paragraphs {
            match p {
                ParagraphOp::Equal { .. } => s.equal += 1,
                ParagraphOp::Changed { .. } => s.changed += 1,
                ParagraphOp::Moved { .. } => s.moved += 1,
                ParagraphOp::Insert { .. } => s.inserted += 1,
                ParagraphOp::Delete { .. } => s.deleted += 1,
            }
        }
        s
    }

    /// Plain text for a terminal: paragraphs separated by blank lines, deletions as
    /// `[-…-]`, insertions as `{+…+}`, a moved paragraph led by `[moved ¶3 → ¶7]`, and runs
    /// of unchanged paragraphs beyond the context as `[… N unchanged paragraphs …]`.
    pub fn to_text(&self, options: TextOptions) -> String {
        let paint = |code: &'static str, text: &str| {
            if options.color {
                format!("{code}{text}{RESET}")
            } else {
                text.to_owned()
            }
        };
        let spans = |inline: &[Span]| {
            let mut s = String::new();
            for span in inline {
                match span {
                    Span::Equal(t) => s.push_str(t),
                    Span::Delete(t) => s.push_str(&paint(RED, &format!("[-{t}-]"))),
                    Span::Insert(t) => s.push_str(&paint(GREEN, &format!("{{+{t}+}}"))),
                }
            }
            s
        };
        let shown = self.shown(options.context);
        let mut blocks: Vec<String> = Vec::new();
        let mut hidden = 0;
        for (p, show) in self.paragraphs.iter().zip(shown) {
            if !show {
                hidden += 1;
                continue;
            }
            if hidden > 0 {
                blocks.push(paint(DIM, &unchanged_note(hidden)));
                hidden = 0;
            }
            blocks.push(match p {
                ParagraphOp::Equal { text, .. } => text.clone(),
                ParagraphOp::Insert { text, .. } => paint(GREEN, &format!("{{+{text}+}}")),
                ParagraphOp::Delete { text, .. } => paint(RED, &format!("[-{text}-]")),
                ParagraphOp::Changed { inline, .. } => spans(inline),
                ParagraphOp::Moved { from, to, inline } => format!(
                    "{} {}",
                    paint(CYAN, &format!("[moved ¶{from} → ¶{to}]")),
                    spans(inline)
                ),
            });
        }
        if hidden > 0 {
            blocks.push(paint(DIM, &unchanged_note(hidden)));
        }
        blocks.join("\n\n")
    }

    /// HTML for the web reader: one `<p>` per paragraph in a `<div class="diff">`, classed
    /// `diff-equal`, `diff-insert`, `diff-delete`, `diff-changed` or `diff-moved`, with
    /// `data-old`/`data-new` (`data-from`/`data-to` for moves) paragraph numbers; changes as
    /// `<del>`/`<ins>`. All text is escaped; a line break inside a paragraph is a `<br>`.
    pub fn to_html(&self) -> String {
        let mut out = String::from("<div class=\"diff\">\n");
        for p in &self.paragraphs {
            // Writing to a String cannot fail.
            let _ = match p {
                ParagraphOp::Equal { old, new, text } => writeln!(
                    out,
                    "<p class=\"diff-equal\" data-old=\"{old}\" data-new=\"{new}\">{}</p>",
                    escape(text)
                ),
                ParagraphOp::Insert { new, text } => writeln!(
                    out,
                    "<p class=\"diff-insert\" data-new=\"{new}\"><ins>{}</ins></p>",
                    escape(text)
                ),
                ParagraphOp::Delete { old, text } => writeln!(
                    out,
                    "<p class=\"diff-delete\" data-old=\"{old}\"><del>{}</del></p>",
                    escape(text)
                ),
                ParagraphOp::Changed { old, new, inline } => writeln!(
                    out,
                    "<p class=\"diff-changed\" data-old=\"{old}\" data-new=\"{new}\">{}</p>",
                    spans_html(inline)
                ),
                ParagraphOp::Moved { from, to, inline } => writeln!(
                    out,
                    "<p class=\"diff-moved\" data-from=\"{from}\" data-to=\"{to}\">{}</p>",
                    spans_html(inline)
                ),
            };
        }
        out.push_str("</div>\n");
        out
    }

    /// Which paragraphs [`to_text`](Self::to_text) shows: every change, and up to `context`
    /// unchanged paragraphs on each side of one.
    fn shown(&self, context: Option<usize>) -> Vec<bool> {
        let Some(context) = context else {
            return vec![true; self.paragraphs.len()];
        };
        let changed: Vec<usize> = self
            .paragraphs
            .iter()
            .enumerate()
            .filter(|(_, p)| !matches!(p, ParagraphOp::Equal { .. }))
            .map(|(k, _)| k)
            .collect();
        let mut shown = vec![false; self.paragraphs.len()];
        for k in changed {
            let end = (k + context + 1).min(shown.len());
            for s in &mut shown[k.saturating_sub(context)..end] {
                *s = true;
            }
        }
        shown
    }
}

fn unchanged_note(n: usize) -> String {
    if n == 1 {
        "[… 1 unchanged paragraph …]".to_owned()
    } else {
        format!("[… {n} unchanged paragraphs …]")
    }
}

fn spans_html(inline: &[Span]) -> String {
    let mut s = String::new();
    for span in inline {
        match span {
            Span::Equal(t) => s.push_str(&escape(t)),
            Span::Delete(t) => {
                let _ = write!(s, "<del>{}</del>", escape(t));
            }
            Span::Insert(t) => {
                let _ = write!(s, "<ins>{}</ins>", escape(t));
            }
        }
    }
    s
}

/// Text as HTML: the five special characters escaped, line breaks as `<br>`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(s: &str) -> Span {
        Span::Equal(s.into())
    }
    fn del(s: &str) -> Span {
        Span::Delete(s.into())
    }
    fn ins(s: &str) -> Span {
        Span::Insert(s.into())
    }

    #[test]
    fn identical_texts_are_all_equal() {
        let text = "第一段。\n\n第二段。\n\nThird paragraph.";
        let d = diff(text, text);
        assert!(d.is_unchanged());
        assert_eq!(d.summary().equal, 3);
        assert_eq!(
            d.to_text(TextOptions::default()),
            text,
            "an unchanged text renders as itself"
        );
        assert_eq!(
            d.to_text(TextOptions {
                color: false,
                context: Some(1)
            }),
            "[… 3 unchanged paragraphs …]"
        );
        assert!(diff("", "").paragraphs.is_empty());
    }

    #[test]
    fn a_cjk_typo_fix_is_one_character() {
        let old = "记者在北京报导。\n\n政府昨天宣布新的政策，引起各界关注。\n\n结尾。";
        let new = "记者在北京报导。\n\n政府昨天宣布新的政策，引起各界关註。\n\n结尾。";
        let d = diff(old, new);
        assert_eq!(
            d.paragraphs[1],
            ParagraphOp::Changed {
                old: 2,
                new: 2,
                inline: vec![
                    eq("政府昨天宣布新的政策，引起各界关"),
                    del("注"),
                    ins("註"),
                    eq("。")
                ],
            }
        );
        assert_eq!(
            d.summary(),
            DiffSummary {
                equal: 2,
                changed: 1,
                ..DiffSummary::default()
            }
        );
        assert_eq!(
            d.to_text(TextOptions {
                color: false,
                context: Some(0)
            }),
            "[… 1 unchanged paragraph …]\n\n政府昨天宣布新的政策，引起各界关[-注-]{+註+}。\n\n[… 1 unchanged paragraph …]"
        );
    }

    #[test]
    fn a_removed_paragraph_is_a_deletion() {
        let old = "甲段落的内容。\n\n乙段落将被删除，这里说了一些后来收回的话。\n\n丙段落的内容。";
        let new = "甲段落的内容。\n\n丙段落的内容。";
        let d = diff(old, new);
        assert_eq!(
            d.paragraphs,
            vec![
                ParagraphOp::Equal {
                    old: 1,
                    new: 1,
                    text: "甲段落的内容。".into()
                },
                ParagraphOp::Delete {
                    old: 2,
                    text: "乙段落将被删除，这里说了一些后来收回的话。".into()
                },
                ParagraphOp::Equal {
                    old: 3,
                    new: 2,
                    text: "丙段落的内容。".into()
                },
            ]
        );
    }

    #[test]
    fn a_paragraph_moved_elsewhere_is_a_move_even_with_a_small_edit() {
        let p = [
            "第一段：事件的经过。",
            "第二段：官方的说法，以及随后公布的一些数字和细节。",
            "第三段：目击者的描述。",
            "第四段：专家的分析。",
        ];
        let old = p.join("\n\n");
        let new = [p[0], p[2], p[3], p[1]].join("\n\n");
        let d = diff(&old, &new);
        assert_eq!(d.summary().moved, 1, "{d:#?}");
        assert_eq!(d.summary().deleted + d.summary().inserted, 0, "{d:#?}");
        assert_eq!(
            d.paragraphs[3],
            ParagraphOp::Moved {
                from: 2,
                to: 4,
                inline: vec![eq(p[1])]
            }
        );
        // Nearly unchanged: one character edited on the way.
        let edited = p[1].replace("一些", "若干");
        let new = [p[0], p[2], p[3], edited.as_str()].join("\n\n");
        let d = diff(&old, &new);
        let ParagraphOp::Moved { from, to, inline } = &d.paragraphs[3] else {
            panic!("{d:#?}")
        };
        assert_eq!((*from, *to), (2, 4));
        assert!(inline.contains(&del("一些")) && inline.contains(&ins("若干")));
        assert!(
            d.to_text(TextOptions::default())
                .contains("[moved ¶2 → ¶4]")
        );
    }

    #[test]
    fn latin_text_changes_word_by_word() {
        let d = diff(
            "The minister said the quick brown fox was fine.",
            "The minister said the slow red fox was fine.",
        );
        assert_eq!(
            d.paragraphs,
            vec![ParagraphOp::Changed {
                old: 1,
                new: 1,
                inline: vec![
                    eq("The minister said the "),
                    del("quick brown"),
                    ins("slow red"),
                    eq(" fox was fine.")
                ],
            }]
        );
        // A word, not its letters: "fine" → "finer" replaces the whole word.
        let d = diff("It was fine today.", "It was finer today.");
        let ParagraphOp::Changed { inline, .. } = &d.paragraphs[0] else {
            panic!("{d:#?}")
        };
        assert_eq!(inline[1..3], [del("fine"), ins("finer")]);
        assert_eq!(
            tokens("don't e-mail 中文x"),
            ["don't", " ", "e-mail", " ", "中", "文", "x"]
        );
    }

    #[test]
    fn an_unrelated_replacement_is_a_deletion_and_an_insertion() {
        let d = diff("旧的段落讲的是一件事。", "Completely different words here.");
        assert_eq!(d.summary().deleted, 1);
        assert_eq!(d.summary().inserted, 1);
        assert!(matches!(d.paragraphs[0], ParagraphOp::Delete { .. }));
    }

    #[test]
    fn html_is_escaped_and_marked() {
        let d = diff(
            "a <b> & c\n\nsame",
            "a <i> & c\n\nsame\n\nnew \"line\"\nnext",
        );
        let html = d.to_html();
        assert!(html.starts_with("<div class=\"diff\">\n"), "{html}");
        assert!(
            html.contains(
                "<p class=\"diff-changed\" data-old=\"1\" data-new=\"1\">a &lt;<del>b</del><ins>i</ins>&gt; &amp; c</p>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<p class=\"diff-insert\" data-new=\"3\"><ins>new &quot;line&quot;<br>next</ins></p>"),
            "{html}"
        );
        assert!(!html.contains("<b>") && !html.contains("<i>"));
    }

    #[test]
    fn colours_only_when_asked() {
        let d = diff("甲", "乙");
        let plain = d.to_text(TextOptions::default());
        assert!(!plain.contains('\x1b'));
        assert_eq!(plain, "[-甲-]\n\n{+乙+}");
        let colored = d.to_text(TextOptions {
            color: true,
            context: None,
        });
        assert!(colored.contains("\x1b[31m[-甲-]\x1b[0m"), "{colored:?}");
    }

    #[test]
    fn json_names_the_ops() {
        let d = diff("一二三", "一二四");
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"paragraphs": [{"op": "changed", "old": 1, "new": 1, "inline": [
                {"op": "equal", "text": "一二"},
                {"op": "delete", "text": "三"},
                {"op": "insert", "text": "四"},
            ]}]})
        );
    }
}
