//! Snippets: the best short passage of a hit's text, HTML-escaped, with the matched terms in
//! `<mark>…</mark>`.
//!
//! The passage is the window of about [`SNIPPET_CHARS`] characters that holds the most
//! distinct terms, then the most matches, then comes first. Matches are found the way search
//! defines them (folded text, whole words at the ends of a Latin term), on the text folded
//! character by character ([`clean::fold_spans`]), which maps each match back to whole
//! characters of the original: a snippet never cuts a character in half.

use super::analyzer::is_word_char;

/// Length of a snippet, in characters of the original text.
pub const SNIPPET_CHARS: usize = 160;
/// Characters of context kept before the first match of the passage.
const LEAD_CHARS: usize = 24;

/// Byte ranges of `text` where the folded `terms` occur.
fn matches(text: &str, terms: &[String]) -> Vec<(usize, usize, usize)> {
    let spans = clean::fold_spans(text);
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

/// Byte offset `n` characters after `at` (or the end).
fn chars_after(text: &str, at: usize, n: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| at + i)
}

/// Byte offset `n` characters before `at` (or the start).
fn chars_before(text: &str, at: usize, n: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

/// The snippet of `text` for the folded `terms` (see the module documentation).
pub fn snippet(text: &str, terms: &[String]) -> String {
    let found = matches(text, terms);
    let (start, end) = match best_window(text, &found) {
        Some(w) => w,
        None => (0, chars_after(text, 0, SNIPPET_CHARS)),
    };
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

/// The window (byte range) with the most distinct terms, then the most matches.
fn best_window(text: &str, found: &[(usize, usize, usize)]) -> Option<(usize, usize)> {
    let mut best: Option<((usize, usize), (usize, usize))> = None;
    for (i, &(s, _, _)) in found.iter().enumerate() {
        let start = chars_before(text, s, LEAD_CHARS);
        let end = chars_after(text, start, SNIPPET_CHARS);
        let inside = found[i..].iter().take_while(|m| m.1 <= end);
        let mut distinct: Vec<usize> = inside.clone().map(|m| m.2).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let score = (distinct.len(), inside.count());
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, (start, end)));
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
    fn no_match_gives_the_beginning() {
        let text = "字".repeat(500);
        let s = snippet(&text, &fold_all(&["无"]));
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
    }
}
