//! Snippets: the best short passage of a hit's text, HTML-escaped, with the matched terms in
//! `<mark>…</mark>`.
//!
//! The passage is the window of about [`SNIPPET_CHARS`] characters that holds the most
//! distinct terms, then the most matches, then comes first. Matches are found the way search
//! defines them (folded text, whole words at the ends of a Latin term), on the text folded
//! character by character ([`clean::fold_spans`]), which maps each match back to whole
//! characters of the original: a snippet never cuts a character in half.

use super::analyzer::is_word_char;
use rustc_hash::FxHashMap;

/// Length of a snippet, in characters of the original text.
pub const SNIPPET_CHARS: usize = 160;
/// Characters of context kept before the first match of the passage.
const LEAD_CHARS: usize = 24;

/// [`clean::fold_spans`], with the characters that fold on their own handled here: ASCII,
/// full-width ASCII forms (NFKC gives the ASCII character), and unified Han ideographs (NFKC
/// and lower case leave them alone; only the S/T mapping applies). Everything else goes through
/// `clean::fold_spans` one character at a time, as it does itself, once per distinct character.
/// The result is the same; the normalizer is only called for the rare characters (a page of
/// snippets folds every hit's text). Also gives the byte offset of every character of `text`,
/// from the same pass.
fn fold_spans(text: &str) -> (clean::FoldedSpans, Vec<usize>) {
    let mut spans = clean::FoldedSpans {
        folded: String::with_capacity(text.len()),
        origin: Vec::with_capacity(text.len()),
    };
    let mut starts = Vec::with_capacity(text.len() / 2);
    let mut in_space = false;
    let mut push = |spans: &mut clean::FoldedSpans, c: char| {
        if c.is_whitespace() {
            if !in_space {
                spans.folded.push(' ');
                in_space = true;
            }
        } else {
            spans.folded.push(c);
            in_space = false;
        }
    };
    let mut buf = [0u8; 4];
    let mut slow: FxHashMap<char, Box<str>> = FxHashMap::default();
    for (at, c) in text.char_indices() {
        starts.push(at);
        match c {
            _ if c.is_ascii() => push(&mut spans, c.to_ascii_lowercase()),
            '\u{FF01}'..='\u{FF5E}' => {
                let ascii = char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
                push(&mut spans, ascii.to_ascii_lowercase());
            }
            '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' => {
                push(&mut spans, clean::simplified_char(c));
            }
            _ => {
                // Mostly CJK punctuation, which repeats: each distinct character is folded once.
                let folded = slow.entry(c).or_insert_with(|| {
                    clean::fold_spans(c.encode_utf8(&mut buf))
                        .folded
                        .into_boxed_str()
                });
                for f in folded.chars() {
                    push(&mut spans, f);
                }
            }
        }
        spans.origin.resize(spans.folded.len(), at);
    }
    (spans, starts)
}

/// Byte ranges of `text` (folded as `spans`) where the folded `terms` occur.
fn matches(text: &str, spans: &clean::FoldedSpans, terms: &[String]) -> Vec<(usize, usize, usize)> {
    let hay = spans.folded.as_str();
    let mut found = Vec::new();
    for (t, term) in terms.iter().enumerate() {
        let needle = term.trim();
        if needle.is_empty() {
            continue;
        }
        let word_start = needle.chars().next().is_some_and(is_word_char);
        let word_end = needle.chars().next_back().is_some_and(is_word_char);
        let mut from = 0;
        while let Some(i) = hay[from..].find(needle) {
            let (s, e) = (from + i, from + i + needle.len());
            let bounded = !(word_start && hay[..s].chars().next_back().is_some_and(is_word_char)
                || word_end && hay[e..].chars().next().is_some_and(is_word_char));
            if bounded {
                let (os, oe) = spans.original_range(text, s..e);
                found.push((os, oe, t));
            }
            from = s + needle.chars().next().map_or(1, char::len_utf8);
        }
    }
    found.sort_unstable();
    found
}

/// Appends `s` HTML-escaped, with each run of whitespace (paragraph breaks too) as one space.
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_whitespace() => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c => out.push(c),
        }
    }
}

/// The snippet of `text` for the folded `terms` (see the module documentation).
pub fn snippet(text: &str, terms: &[String]) -> String {
    let (spans, starts) = fold_spans(text);
    let found = matches(text, &spans, terms);
    let byte_of = |char_index: usize| starts.get(char_index).copied().unwrap_or(text.len());
    let (start, end) = best_window(&starts, text.len(), &found, terms.len())
        .unwrap_or((0, byte_of(SNIPPET_CHARS)));
    let mut out = String::with_capacity((end - start) * 2);
    if start > 0 {
        out.push('…');
    }
    let mut at = start;
    for &(s, e, _) in &found {
        if s < at || e > end {
            continue; // overlapping an earlier mark, or outside the window
        }
        escape_into(&mut out, &text[at..s]);
        out.push_str("<mark>");
        escape_into(&mut out, &text[s..e]);
        out.push_str("</mark>");
        at = e;
    }
    escape_into(&mut out, &text[at..end]);
    if end < text.len() {
        out.push('…');
    }
    out.trim().to_owned()
}

/// The window (byte range) with the most distinct terms, then the most matches, then the first:
/// for each match, the window of [`SNIPPET_CHARS`] characters that starts [`LEAD_CHARS`]
/// before it (`starts` holds the byte offset of every character of a text of `len` bytes).
fn best_window(
    starts: &[usize],
    len: usize,
    found: &[(usize, usize, usize)],
    num_terms: usize,
) -> Option<(usize, usize)> {
    let byte_of = |char_index: usize| starts.get(char_index).copied().unwrap_or(len);
    let mut per_term = vec![0usize; num_terms];
    let mut distinct = 0;
    let mut j = 0; // matches found[i..j] end inside the window of match i
    let mut best: Option<((usize, usize), (usize, usize))> = None;
    for (i, &(s, _, _)) in found.iter().enumerate() {
        let at = starts.partition_point(|&b| b < s);
        let start = byte_of(at.saturating_sub(LEAD_CHARS));
        let end = byte_of(at.saturating_sub(LEAD_CHARS) + SNIPPET_CHARS);
        if j < i {
            j = i;
        }
        while j < found.len() && found[j].1 <= end {
            let t = found[j].2;
            if per_term[t] == 0 {
                distinct += 1;
            }
            per_term[t] += 1;
            j += 1;
        }
        let score = (distinct, j - i);
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, (start, end)));
        }
        if j > i {
            let t = found[i].2;
            per_term[t] -= 1;
            if per_term[t] == 0 {
                distinct -= 1;
            }
        }
    }
    best.map(|(_, w)| w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold_all(terms: &[&str]) -> Vec<String> {
        terms.iter().map(|t| clean::fold(t)).collect()
    }

    #[test]
    fn marks_matches_in_the_original_script() {
        let s = snippet("美國總統今天訪問台灣。", &fold_all(&["美国"]));
        assert_eq!(s, "<mark>美國</mark>總統今天訪問台灣。");
    }

    #[test]
    fn escapes_html_and_keeps_whole_words() {
        let s = snippet("a <b> & trumpet, Trump.", &fold_all(&["trump"]));
        assert_eq!(s, "a &lt;b&gt; &amp; trumpet, <mark>Trump</mark>.");
    }

    #[test]
    fn picks_the_passage_with_the_most_terms() {
        let filler = "无关的句子。".repeat(60);
        let text = format!("香港{filler}香港和台湾{filler}");
        let s = snippet(&text, &fold_all(&["香港", "台湾"]));
        assert!(s.contains("<mark>香港</mark>和<mark>台湾</mark>"), "{s}");
        assert!(s.starts_with('…') && s.ends_with('…'));
        assert!(s.chars().count() < SNIPPET_CHARS + 40);
    }

    #[test]
    fn paragraph_breaks_become_one_space() {
        let s = snippet("第一段。\n\n第二段 有  空格。", &fold_all(&["第二"]));
        assert_eq!(s, "第一段。 <mark>第二</mark>段 有 空格。");
    }

    #[test]
    fn fast_folding_equals_clean_fold_spans() {
        let text = "美國 ＡＢＣ　ｶﾅ Straße\u{00A0}\u{00A0}x\u{200B}y ①② ﬁ ＂引號＂，說：「好」。\
                    Ὀδυσσεύς 한국어 ㄅ e\u{0301} \u{2028}z\u{F900}\u{2F00}Ⅻ ¨ \t\n end";
        let (fast, starts) = fold_spans(text);
        let slow = clean::fold_spans(text);
        let want: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        assert_eq!(starts, want);
        assert_eq!(fast.folded, slow.folded);
        assert_eq!(fast.origin, slow.origin);
    }

    #[test]
    fn no_match_gives_the_beginning() {
        let text = "字".repeat(500);
        let s = snippet(&text, &fold_all(&["无"]));
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
    }
}
