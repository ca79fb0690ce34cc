//! Folding: the one normalization applied to documents and to queries before search compares
//! them. Search semantics are defined by it: a term hits a text when `fold(text)` contains
//! `fold(term)` (see the `index` crate's search module for the word-boundary rule of Latin
//! words).
//!
//! [`fold`] does, in order:
//! 1. Unicode NFKC over the whole text: full-width ＡＢＣ and half-width ｶﾅ become their
//!    ordinary forms, compatibility ideographs and Kangxi radicals become unified ideographs,
//!    ligatures and circled or parenthesized characters are spelled out, ideographic and
//!    no-break spaces become spaces;
//! 2. drops invisible format characters that split words without showing: soft hyphen,
//!    zero-width spaces and joiners, bidirectional marks, word joiners, the BOM and variation
//!    selectors;
//! 3. turns every run of whitespace into one ASCII space (a term never depends on how a page
//!    wrapped its lines);
//! 4. lower-cases each character on its own (no context rules: Σ always becomes σ);
//! 5. maps each character to its simplified form ([`crate::simplified_char`]): 美國 and 美国
//!    fold alike.
//!
//! Steps 2–5 work character by character, so folding commutes with cutting text into pieces
//! except where NFKC composes across a boundary (a base letter and a separate combining mark).
//! [`fold_spans`] does the same character by character and remembers where each folded byte
//! came from, for highlighting matches in the original text.

use crate::zh::simplified_char;
use icu_normalizer::ComposingNormalizerBorrowed;

/// Folds `text` for search (see the module documentation for the steps).
pub fn fold(text: &str) -> String {
    let nfkc = ComposingNormalizerBorrowed::new_nfkc().normalize(text);
    let mut out = String::with_capacity(nfkc.len());
    let mut in_space = false;
    for c in nfkc.chars() {
        push_folded(c, &mut out, &mut in_space);
    }
    out
}

/// Whether folding drops `c`: an invisible format character that can sit inside a word.
pub fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// Steps 2–5 for one NFKC character.
fn push_folded(c: char, out: &mut String, in_space: &mut bool) {
    if c.is_ascii() {
        if c.is_ascii_whitespace() {
            if !*in_space {
                out.push(' ');
                *in_space = true;
            }
        } else {
            out.push(c.to_ascii_lowercase());
            *in_space = false;
        }
        return;
    }
    // Unified ideographs (most of the text): no white space, nothing to ignore, no case; the
    // checks below would look each one up in tables.
    if matches!(c, '\u{4E00}'..='\u{9FFF}') {
        *in_space = false;
        out.push(simplified_char(c));
        return;
    }
    if c.is_whitespace() {
        if !*in_space {
            out.push(' ');
            *in_space = true;
        }
        return;
    }
    if is_ignorable(c) {
        return;
    }
    *in_space = false;
    for lower in c.to_lowercase() {
        out.push(simplified_char(lower));
    }
}

/// A text folded piece by piece, with the origin of every folded byte.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FoldedSpans {
    /// The folded text. It equals [`fold`] of the original unless the original has combining
    /// sequences that NFKC composes across characters.
    pub folded: String,
    /// For each byte of `folded`, the byte offset in the original of the character it came
    /// from (always a character boundary of the original).
    pub origin: Vec<usize>,
}

impl FoldedSpans {
    /// The original byte range that produced `folded[range]`, widened to whole characters.
    pub fn original_range(&self, original: &str, range: std::ops::Range<usize>) -> (usize, usize) {
        if range.is_empty() || range.end > self.origin.len() {
            let at = self
                .origin
                .get(range.start)
                .copied()
                .unwrap_or(original.len());
            return (at, at);
        }
        let start = self.origin[range.start];
        let last = self.origin[range.end - 1];
        let end = last + original[last..].chars().next().map_or(0, char::len_utf8);
        (start, end)
    }
}

/// Folds `text` character by character (NFKC of each character on its own, then the same steps
/// as [`fold`]) and records where each folded byte came from.
pub fn fold_spans(text: &str) -> FoldedSpans {
    let nfkc = ComposingNormalizerBorrowed::new_nfkc();
    let mut spans = FoldedSpans {
        folded: String::with_capacity(text.len()),
        origin: Vec::with_capacity(text.len()),
    };
    let mut in_space = false;
    let mut buf = [0u8; 4];
    for (at, c) in text.char_indices() {
        let before = spans.folded.len();
        if c.is_ascii() {
            push_folded(c, &mut spans.folded, &mut in_space);
        } else {
            let one = nfkc.normalize(c.encode_utf8(&mut buf));
            for n in one.chars() {
                push_folded(n, &mut spans.folded, &mut in_space);
            }
        }
        spans
            .origin
            .extend(std::iter::repeat_n(at, spans.folded.len() - before));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_of_ideographs_skips_nothing_the_full_steps_do() {
        for c in '\u{4E00}'..='\u{9FFF}' {
            assert!(!c.is_whitespace() && !is_ignorable(c), "U+{:04X}", c as u32);
            assert!(c.to_lowercase().eq([c]), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn simplified_and_traditional_fold_alike() {
        assert_eq!(fold("美國"), fold("美国"));
        assert_eq!(fold("美國"), "美国");
        assert_eq!(fold("頭髮和發展"), "头发和发展");
    }

    #[test]
    fn width_case_and_compatibility_forms() {
        assert_eq!(fold("ＡＢＣ"), "abc");
        assert_eq!(fold("ＡＢＣ"), fold("abc"));
        assert_eq!(fold("ｶﾀｶﾅ"), "カタカナ");
        assert_eq!(fold("１２３，Ｘ"), "123,x");
        assert_eq!(fold("ﬁle"), "file");
        assert_eq!(fold("①"), "1");
        assert_eq!(
            fold("\u{F900}"),
            fold("\u{8C48}"),
            "compatibility ideograph"
        );
        assert_eq!(fold("⼈"), "人", "Kangxi radical");
        assert_eq!(fold("ΣΑΣ"), "σασ", "no final-sigma context");
    }

    #[test]
    fn nfkc_composes_combining_sequences() {
        assert_eq!(fold("e\u{301}"), fold("\u{E9}"));
        assert_eq!(fold("Å"), "å");
    }

    #[test]
    fn whitespace_runs_become_one_space_and_invisibles_go() {
        assert_eq!(fold("a \t\n b"), "a b");
        assert_eq!(fold("美\u{3000}国"), "美 国", "ideographic space");
        assert_eq!(fold("a\u{00A0}b"), "a b", "no-break space");
        assert_eq!(fold("美\u{200B}国"), "美国", "zero-width space");
        assert_eq!(fold("co\u{00AD}operate"), "cooperate", "soft hyphen");
        assert_eq!(fold("\u{FEFF}x"), "x");
    }

    #[test]
    fn folding_is_idempotent_on_every_character() {
        for c in (0..=0x2FFFFu32).filter_map(char::from_u32) {
            let s = c.to_string();
            let once = fold(&s);
            assert_eq!(fold(&once), once, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn spans_map_back_to_whole_characters() {
        let text = "美國ＡＢＣ  news";
        let spans = fold_spans(text);
        assert_eq!(spans.folded, fold(text));
        assert_eq!(spans.origin.len(), spans.folded.len());
        let at = spans.folded.find("国ab").unwrap();
        let (s, e) = spans.original_range(text, at..at + "国ab".len());
        assert_eq!(&text[s..e], "國ＡＢ");
        let at = spans.folded.find("news").unwrap();
        let (s, e) = spans.original_range(text, at..at + 4);
        assert_eq!(&text[s..e], "news");
    }
}
