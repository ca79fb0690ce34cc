//! The analyzers: how folded text becomes index terms.
//!
//! **Exact field** (`nv_exact`, with positions). The folded text is read as a sequence of
//! *units*: each CJK character (Han, kana, Hangul, Bopomofo) is one unit; each maximal run of
//! other letters and digits (a *word*) is one unit; every other visible character
//! (punctuation, symbols) is one unit; and each run of whitespace between two units is one unit,
//! the space token `" "`. Units take consecutive positions, so the unit sequence is the folded
//! text itself, only with words kept whole. A term matches where its unit sequence appears at
//! consecutive positions; that is exactly "the folded text contains the folded term, and a
//! word at either end of the term is a whole word of the text". Words longer than
//! [`MAX_WORD_CHARS`] are cut into pieces of that length with their cut ends marked, the same
//! way in text and query, which keeps the rule exact.
//!
//! For speed, each CJK character that is directly followed by another also emits the
//! *bigram* of both at the same position as its unigram (Lucene's CJK bigrams with unigrams
//! kept). A query of two or more CJK characters then looks up a few bigrams (whose posting lists
//! are short) instead of intersecting the posting lists of single characters (which are nearly
//! every document). A bigram at position p pins the units at p and p + 1, so using bigrams
//! never changes which documents match.
//!
//! **Words field** (`nv_words`, frequencies only): jieba segmentation of the folded text with
//! its HMM off (the HMM invents words and loses short names), keeping tokens that contain a
//! letter or digit. It never decides *whether* a document matches, only how well: a document
//! where the term is a segmented word ranks above one where the term cuts through words
//! (美光 the company above 完美光影).

use std::sync::OnceLock;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name of the exact analyzer in the index's tokenizer registry.
pub(crate) const EXACT: &str = "nv_exact";
/// Name of the words analyzer in the index's tokenizer registry.
pub(crate) const WORDS: &str = "nv_words";
/// Longest word unit, in characters; longer runs are cut into pieces of this length.
pub const MAX_WORD_CHARS: usize = 64;

/// Whether `c` is a CJK character: indexed one character at a time, so any substring of CJK
/// text can be found.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF      // Hangul Jamo
        | 0x2E80..=0x2FDF    // CJK and Kangxi radicals
        | 0x3005..=0x3007    // 々 〆 〇
        | 0x3021..=0x3029    // Hangzhou numerals
        | 0x3031..=0x3035    // kana repeat marks
        | 0x3038..=0x303C
        | 0x3041..=0x309F    // Hiragana
        | 0x30A1..=0x30FA    // Katakana
        | 0x30FC..=0x30FF
        | 0x3105..=0x312F    // Bopomofo
        | 0x3131..=0x318E    // Hangul compatibility Jamo
        | 0x31A0..=0x31BF
        | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF    // extension A
        | 0x4E00..=0x9FFF    // unified ideographs
        | 0xA960..=0xA97F
        | 0xAC00..=0xD7FF    // Hangul syllables and Jamo extended B
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0x1B000..=0x1B16F  // kana supplement and extensions
        | 0x20000..=0x3134F  // extensions B to G
    )
}

/// Whether `c` belongs to a word unit: a letter or digit that is not CJK.
pub fn is_word_char(c: char) -> bool {
    !is_cjk(c) && c.is_alphanumeric()
}

/// Marks the cut ends of the pieces of a word longer than [`MAX_WORD_CHARS`]: a piece that
/// continues ends with it, a piece that continues another starts with it. A normal unit never
/// contains it next to letters, so a piece only matches the same piece of an equally long word,
/// and a term ending inside a long word cannot match its first piece.
const WORD_PIECE: char = '+';

/// The space unit's text.
pub(crate) const SPACE: &str = " ";

/// The exact analyzer (see the module documentation). Expects folded text.
#[derive(Clone, Default)]
pub(crate) struct ExactTokenizer {
    /// Leave the CJK bigrams out (only for measuring what they cost and save).
    pub(crate) units_only: bool,
}

impl Tokenizer for ExactTokenizer {
    type TokenStream<'a> = ExactStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ExactStream<'a> {
        ExactStream {
            text,
            at: 0,
            position: 0,
            started: false,
            bigram: None,
            bigrams: !self.units_only,
            in_word: false,
            token: Token::default(),
        }
    }
}

/// The token stream of [`ExactTokenizer`].
pub(crate) struct ExactStream<'a> {
    text: &'a str,
    /// Byte offset of the next unread character.
    at: usize,
    /// Position of the next unit.
    position: usize,
    /// Whether a unit was emitted (leading whitespace makes no space unit).
    started: bool,
    /// Byte range of a bigram to emit next, at the position of the unit just emitted.
    bigram: Option<(usize, usize)>,
    /// Whether to emit bigrams.
    bigrams: bool,
    /// The unit just emitted was a piece of a word that goes on.
    in_word: bool,
    token: Token,
}

impl ExactStream<'_> {
    fn emit(&mut self, from: usize, to: usize, text: &str, position: usize) {
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = position;
        self.token.position_length = 1;
        self.token.text.clear();
        self.token.text.push_str(text);
    }
}

impl TokenStream for ExactStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some((from, to)) = self.bigram.take() {
            let position = self.position - 1;
            let text = self.text;
            self.emit(from, to, &text[from..to], position);
            return true;
        }
        let text = self.text;
        let rest = &text[self.at..];
        let trimmed = rest.trim_start();
        let skipped = rest.len() - trimmed.len();
        let Some(c) = trimmed.chars().next() else {
            self.at = text.len();
            return false;
        };
        if skipped > 0 && self.started {
            let from = self.at;
            self.at += skipped;
            let position = self.position;
            self.position += 1;
            self.emit(from, self.at, SPACE, position);
            return true;
        }
        self.at += skipped;
        self.started = true;
        let from = self.at;
        let position = self.position;
        self.position += 1;
        if is_cjk(c) {
            let to = from + c.len_utf8();
            if let Some(next) = text[to..].chars().next()
                && self.bigrams
                && is_cjk(next)
            {
                self.bigram = Some((from, to + next.len_utf8()));
            }
            self.at = to;
        } else if is_word_char(c) {
            let mut to = from;
            for (n, (i, w)) in text[from..].char_indices().enumerate() {
                if n == MAX_WORD_CHARS || !is_word_char(w) {
                    break;
                }
                to = from + i + w.len_utf8();
            }
            self.at = to;
            let continues = text[to..].chars().next().is_some_and(is_word_char);
            let continued = std::mem::replace(&mut self.in_word, continues);
            if continued || continues {
                // A piece of a long word: marked so it only matches the same piece.
                self.emit(from, to, "", position);
                let t = &mut self.token.text;
                t.clear();
                if continued {
                    t.push(WORD_PIECE);
                }
                t.push_str(&text[from..to]);
                if continues {
                    t.push(WORD_PIECE);
                }
                return true;
            }
        } else {
            self.at = from + c.len_utf8();
        }
        let to = self.at;
        self.emit(from, to, &text[from..to], position);
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// One unit of a folded query term: its position and text, and whether it is a single CJK
/// character (which may be covered by a bigram).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unit {
    pub(crate) position: usize,
    pub(crate) text: String,
    pub(crate) cjk: bool,
}

/// The units of a folded term (bigrams left out: the query planner picks its own).
pub(crate) fn units(folded: &str) -> Vec<Unit> {
    let mut tokenizer = ExactTokenizer::default();
    let mut stream = tokenizer.token_stream(folded);
    let mut out: Vec<Unit> = Vec::new();
    while stream.advance() {
        let t = stream.token();
        if out.last().is_some_and(|u| u.position == t.position) {
            continue; // a bigram at the position of the unit before it
        }
        let mut chars = t.text.chars();
        let cjk = matches!((chars.next(), chars.next()), (Some(c), None) if is_cjk(c));
        out.push(Unit {
            position: t.position,
            text: t.text.clone(),
            cjk,
        });
    }
    out
}

/// The shared jieba instance (its dictionary loads once, on first use).
pub(crate) fn jieba() -> &'static jieba_rs::Jieba {
    static JIEBA: OnceLock<jieba_rs::Jieba> = OnceLock::new();
    JIEBA.get_or_init(jieba_rs::Jieba::new)
}

/// Words of folded text for the words field: jieba with the HMM off, keeping tokens with a
/// letter or digit.
pub(crate) fn words(folded: &str) -> Vec<&str> {
    jieba()
        .cut(folded, false)
        .into_iter()
        .map(|t| t.word)
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect()
}

/// The words analyzer (see the module documentation). Expects folded text.
#[derive(Clone, Default)]
pub(crate) struct WordsTokenizer;

impl Tokenizer for WordsTokenizer {
    type TokenStream<'a> = WordsStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordsStream<'a> {
        WordsStream {
            words: words(text).into_iter(),
            position: 0,
            token: Token::default(),
        }
    }
}

/// The token stream of [`WordsTokenizer`].
pub(crate) struct WordsStream<'a> {
    words: std::vec::IntoIter<&'a str>,
    position: usize,
    token: Token,
}

impl TokenStream for WordsStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(word) = self.words.next() else {
            return false;
        };
        self.token.text.clear();
        self.token.text.push_str(word);
        self.token.position = self.position;
        self.token.position_length = 1;
        self.position += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(usize, String)> {
        let mut t = ExactTokenizer::default();
        let mut s = t.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            out.push((s.token().position, s.token().text.clone()));
        }
        out
    }

    #[test]
    fn units_bigrams_spaces_and_words() {
        let got = tokens(" 美国 iphone15手机, ok ");
        let want: Vec<(usize, String)> = [
            (0, "美"),
            (0, "美国"),
            (1, "国"),
            (2, " "),
            (3, "iphone15"),
            (4, "手"),
            (4, "手机"),
            (5, "机"),
            (6, ","),
            (7, " "),
            (8, "ok"),
        ]
        .into_iter()
        .map(|(p, s)| (p, s.to_owned()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn long_words_are_cut_into_marked_pieces() {
        let long = "a".repeat(MAX_WORD_CHARS * 2 + 3);
        let got = tokens(&format!("{long} b"));
        let a = "a".repeat(MAX_WORD_CHARS);
        let texts: Vec<&str> = got.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(
            texts,
            [
                format!("{a}+").as_str(),
                format!("+{a}+").as_str(),
                "+aaa",
                " ",
                "b"
            ]
        );
    }

    #[test]
    fn query_units_leave_bigrams_out() {
        let u = units("中国 a");
        let texts: Vec<_> = u
            .iter()
            .map(|u| (u.position, u.text.as_str(), u.cjk))
            .collect();
        assert_eq!(
            texts,
            [
                (0, "中", true),
                (1, "国", true),
                (2, " ", false),
                (3, "a", false)
            ]
        );
    }

    #[test]
    fn words_are_segmented_without_the_hmm() {
        let w = words("完美光影");
        assert!(!w.contains(&"美光"), "{w:?}");
        assert!(words("hello, 世界").contains(&"hello"));
    }
}
