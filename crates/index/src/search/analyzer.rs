//! The analyzers: how folded text becomes index terms.
//!
//! The folded text is read as a sequence of *units*: each maximal run of letters and digits that
//! are not CJK (a *word*) is one unit; each run of whitespace between two units is one unit, the
//! space token `" "`; every other character (a CJK character — Han, kana, Hangul, Bopomofo — or
//! a punctuation mark or symbol: a *run character*) is one unit. Units take consecutive
//! positions, so the unit sequence is the folded text itself, only with words kept whole. A
//! term matches where its unit sequence appears at consecutive positions; that is exactly "the
//! folded text contains the folded term, and a word at either end of the term is a whole word
//! of the text". Words longer than [`MAX_WORD_CHARS`] are cut into pieces of that length with
//! their cut ends marked, the same way in text and query, which keeps the rule exact.
//!
//! A *run* is a maximal sequence of run characters with nothing between them (Chinese text
//! with its punctuation, up to a space or a Latin word); its first and last characters are its
//! *edges*.
//!
//! **Exact field** (`nv_exact`, with positions) gets, at each unit's position: every word and
//! space unit; for a run character directly followed by another, the *bigram* of both; and for a
//! run character at an edge of its run, the character itself. A query's unit sequence is looked
//! up as a phrase: a run of two or more characters as bigrams (pairs, and the odd last character
//! as the bigram with its left neighbour; the phrase also reads the bigrams in between, see
//! `phrase.rs`), a single run character between other units as itself. That character has a
//! word or space neighbour in the query, so the text character it must match has the same
//! neighbour and is an edge of its run: indexed. A bigram at position p
//! pins the units at p and p + 1, so using bigrams never changes which documents match.
//! Interior characters of a run are not indexed here: they are most of the text, and their
//! positions would be most of the index. Bigrams across punctuation (`国，`) keep a frequent mark
//! from being a long posting list that a phrase has to read.
//!
//! **Title field** (`nv_exact_full`, documents only): the same tokens with every run character,
//! for the title boost (a title that has every lookup of a term).
//!
//! **Characters field** (`nv_chars`, documents only): each distinct run character of a value
//! once. A query that is one run character is a term lookup here.
//!
//! **Words field** (`nv_words`, documents only): the distinct jieba words of the folded text,
//! segmented with the HMM off (the HMM invents words and loses short names), keeping tokens that
//! contain a CJK character. A token of Latin letters or digits only is left out: the exact
//! field matches it as a whole word anyway, so every document it matches would get its bonus
//! (and numbers are many rare terms). It never decides *whether* a document matches, only how well: a
//! document where the term is a segmented word ranks above one where the term cuts through
//! words (美光 the company above 完美光影).
//!
//! Both documents-only fields emit each distinct term once per value, and a document gives them
//! its title and text as one value: the index then records which documents have it, not how
//! often, which is what these fields are for (a one-character term scores on document length,
//! title and word matches; term frequency counts where the exact field has it, for longer
//! terms).

use rustc_hash::FxHashSet;
use std::sync::OnceLock;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name of the exact analyzer in the index's tokenizer registry.
pub(crate) const EXACT: &str = "nv_exact";
/// Name of the title's exact analyzer (every run character) in the tokenizer registry.
pub(crate) const EXACT_FULL: &str = "nv_exact_full";
/// Name of the characters analyzer in the index's tokenizer registry.
pub(crate) const CHARS: &str = "nv_chars";
/// Name of the words analyzer in the index's tokenizer registry.
pub(crate) const WORDS: &str = "nv_words";
/// Longest word unit, in characters; longer runs are cut into pieces of this length.
pub const MAX_WORD_CHARS: usize = 64;

/// Whether `c` is a CJK character: a unit of its own (never part of a word unit), so any
/// substring of CJK text can be found.
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
    // The common cases first: ASCII, unified ideographs and CJK punctuation (every character
    // is asked, and `is_alphanumeric` looks non-ASCII characters up in tables).
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if matches!(c as u32,
        0x4E00..=0x9FFF | 0x2000..=0x206F | 0x3000..=0x3004 | 0x3008..=0x3020 | 0xFF00..=0xFF0F)
    {
        return false;
    }
    !is_cjk(c) && c.is_alphanumeric()
}

/// Whether `c` is a run character: a unit of its own that bigrams join with its neighbours
/// (a CJK character, a punctuation mark or a symbol).
fn is_run_char(c: char) -> bool {
    !c.is_whitespace() && !is_word_char(c)
}

/// Marks the cut ends of the pieces of a word longer than [`MAX_WORD_CHARS`]: a piece that
/// continues ends with it, a piece that continues another starts with it. A normal unit never
/// contains it next to letters, so a piece only matches the same piece of an equally long word,
/// and a term ending inside a long word cannot match its first piece.
const WORD_PIECE: char = '+';

/// The space unit's text.
pub(crate) const SPACE: &str = " ";

/// Which run tokens the exact analyzer emits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum RunTokens {
    /// Bigrams, and characters at the edges of their runs (the exact field).
    #[default]
    Edges,
    /// Bigrams and every character (the title field).
    All,
    /// Every character, no bigrams (the units of a query term).
    Units,
}

/// The exact analyzer (see the module documentation). Expects folded text.
#[derive(Clone, Copy, Default)]
pub(crate) struct ExactTokenizer {
    pub(crate) run: RunTokens,
}

impl Tokenizer for ExactTokenizer {
    type TokenStream<'a> = ExactStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ExactStream<'a> {
        ExactStream {
            text,
            at: 0,
            position: 0,
            started: false,
            after_run: false,
            bigram: None,
            run: self.run,
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
    /// The character just read was a run character (so the next one, if it is one too, is not
    /// its run's first).
    after_run: bool,
    /// Byte range of a bigram to emit next, at the position of the unit just read.
    bigram: Option<(usize, usize)>,
    run: RunTokens,
    /// The unit just emitted was a piece of a word that goes on.
    in_word: bool,
    token: Token,
}

impl ExactStream<'_> {
    fn emit(&mut self, from: usize, to: usize, position: usize) {
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = position;
        self.token.position_length = 1;
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
    }
}

impl TokenStream for ExactStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some((from, to)) = self.bigram.take() {
            self.emit(from, to, self.position - 1);
            return true;
        }
        {
            let text = self.text;
            let rest = &text[self.at..];
            let trimmed = rest.trim_start();
            let skipped = rest.len() - trimmed.len();
            let Some(c) = trimmed.chars().next() else {
                self.at = text.len();
                return false;
            };
            if skipped > 0 {
                self.after_run = false;
                if self.started {
                    let from = self.at;
                    self.at += skipped;
                    let position = self.position;
                    self.position += 1;
                    self.emit(from, self.at, position);
                    self.token.text.clear();
                    self.token.text.push_str(SPACE);
                    return true;
                }
            }
            self.at += skipped;
            self.started = true;
            let from = self.at;
            let position = self.position;
            self.position += 1;
            if !is_word_char(c) {
                let to = from + c.len_utf8();
                let first = !self.after_run;
                self.after_run = true;
                self.at = to;
                let next = text[to..].chars().next().filter(|&n| is_run_char(n));
                let bigram = next.is_some() && self.run != RunTokens::Units;
                let unigram = match self.run {
                    RunTokens::Edges => first || next.is_none(),
                    RunTokens::All | RunTokens::Units => true,
                };
                if let (true, Some(n)) = (bigram, next) {
                    let pair = (from, to + n.len_utf8());
                    if !unigram {
                        // An interior character of a run in `Edges`: its bigram only.
                        self.emit(pair.0, pair.1, position);
                        return true;
                    }
                    self.bigram = Some(pair);
                }
                self.emit(from, to, position);
                return true;
            }
            self.after_run = false;
            {
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
                self.emit(from, to, position);
                if continued || continues {
                    // A piece of a long word: marked so it only matches the same piece.
                    let t = &mut self.token.text;
                    t.clear();
                    if continued {
                        t.push(WORD_PIECE);
                    }
                    t.push_str(&text[from..to]);
                    if continues {
                        t.push(WORD_PIECE);
                    }
                }
                true
            }
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// One unit of a folded query term: its position and text, and whether it is a run character
/// (which bigrams may cover).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unit {
    pub(crate) position: usize,
    pub(crate) text: String,
    pub(crate) run: bool,
}

/// The units of a folded term (no bigrams: the query planner picks its own).
pub(crate) fn units(folded: &str) -> Vec<Unit> {
    let mut tokenizer = ExactTokenizer {
        run: RunTokens::Units,
    };
    let mut stream = tokenizer.token_stream(folded);
    let mut out: Vec<Unit> = Vec::new();
    while stream.advance() {
        let t = stream.token();
        let mut chars = t.text.chars();
        let run = t.text != SPACE
            && matches!((chars.next(), chars.next()), (Some(c), None) if is_run_char(c));
        out.push(Unit {
            position: t.position,
            text: t.text.clone(),
            run,
        });
    }
    out
}

/// The shared jieba instance (its dictionary loads once, on first use).
pub(crate) fn jieba() -> &'static jieba_rs::Jieba {
    static JIEBA: OnceLock<jieba_rs::Jieba> = OnceLock::new();
    JIEBA.get_or_init(jieba_rs::Jieba::new)
}

/// Words of folded text for the words field: jieba with the HMM off, keeping tokens with a CJK
/// character (see the module documentation). One-character words count: a name the dictionary lacks (美光) is cut into
/// characters, and a text where those characters stand alone as words ranks above one where
/// they are parts of other words (完美 光影).
pub(crate) fn words(folded: &str) -> Vec<&str> {
    jieba()
        .cut(folded, false)
        .into_iter()
        .map(|t| t.word)
        .filter(|w| w.chars().any(is_cjk))
        .collect()
}

/// The words analyzer (see the module documentation): each distinct word of a value once.
/// Expects folded text.
#[derive(Clone, Default)]
pub(crate) struct WordsTokenizer;

impl Tokenizer for WordsTokenizer {
    type TokenStream<'a> = DistinctStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> DistinctStream<'a> {
        let mut words = words(text);
        let mut seen = FxHashSet::with_capacity_and_hasher(words.len(), Default::default());
        words.retain(|w| seen.insert(*w));
        DistinctStream::new(words)
    }
}

/// The characters analyzer (see the module documentation): each distinct run character of a
/// value once. Expects folded text.
#[derive(Clone, Default)]
pub(crate) struct CharsTokenizer;

impl Tokenizer for CharsTokenizer {
    type TokenStream<'a> = DistinctStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> DistinctStream<'a> {
        // Sized up front (a long article has a few thousand distinct characters at most):
        // growing the set showed in profiles of a rebuild.
        let mut seen =
            FxHashSet::with_capacity_and_hasher(text.len().min(4096), Default::default());
        let chars = text
            .char_indices()
            .filter(|&(_, c)| is_run_char(c) && seen.insert(c))
            .map(|(i, c)| &text[i..i + c.len_utf8()])
            .collect();
        DistinctStream::new(chars)
    }
}

/// A token stream over a list of distinct terms.
pub(crate) struct DistinctStream<'a> {
    terms: std::vec::IntoIter<&'a str>,
    position: usize,
    token: Token,
}

impl<'a> DistinctStream<'a> {
    fn new(terms: Vec<&'a str>) -> DistinctStream<'a> {
        DistinctStream {
            terms: terms.into_iter(),
            position: 0,
            token: Token::default(),
        }
    }
}

impl TokenStream for DistinctStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(term) = self.terms.next() else {
            return false;
        };
        self.token.text.clear();
        self.token.text.push_str(term);
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
        tokens_with(RunTokens::Edges, text)
    }

    fn tokens_with(run: RunTokens, text: &str) -> Vec<(usize, String)> {
        let mut t = ExactTokenizer { run };
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
            (5, "机,"),
            (6, ","),
            (7, " "),
            (8, "ok"),
        ]
        .into_iter()
        .map(|(p, s)| (p, s.to_owned()))
        .collect();
        assert_eq!(got, want);
    }

    fn pairs(list: &[(usize, &str)]) -> Vec<(usize, String)> {
        list.iter().map(|(p, s)| (*p, (*s).to_owned())).collect()
    }

    #[test]
    fn interior_characters_of_a_run_only_have_their_bigram() {
        // Runs include punctuation: 是， is one run, bounded by a word and a space.
        let edges = pairs(&[
            (0, "中"),
            (0, "中华"),
            (1, "华人"),
            (2, "人民"),
            (3, "民"),
            (4, "a"),
            (5, "是"),
            (5, "是，"),
            (6, "，"),
            (7, " "),
            (8, "好"),
        ]);
        assert_eq!(tokens("中华人民a是， 好"), edges);
        let all = pairs(&[(0, "中"), (0, "中华"), (1, "华"), (1, "华人"), (2, "人")]);
        assert_eq!(tokens_with(RunTokens::All, "中华人"), all);
        let units = pairs(&[(0, "中"), (1, "华"), (2, "人")]);
        assert_eq!(tokens_with(RunTokens::Units, "中华人"), units);
    }

    #[test]
    fn documents_only_fields_emit_each_term_once() {
        let texts = |mut s: DistinctStream<'_>| {
            let mut out = Vec::new();
            while s.advance() {
                out.push(s.token().text.clone());
            }
            out
        };
        assert_eq!(
            texts(CharsTokenizer.token_stream("美国a美国，中")),
            ["美", "国", "，", "中"]
        );
        let words = texts(WordsTokenizer.token_stream("美国和美国"));
        assert_eq!(
            words.iter().filter(|w| *w == "美国").count(),
            1,
            "{words:?}"
        );
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
            .map(|u| (u.position, u.text.as_str(), u.run))
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
    fn the_fast_paths_of_word_characters_agree_with_the_rule() {
        for c in (0..=0x3_FFFF).filter_map(char::from_u32) {
            assert_eq!(
                is_word_char(c),
                !is_cjk(c) && c.is_alphanumeric(),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn words_are_segmented_without_the_hmm() {
        let w = words("完美光影");
        assert!(!w.contains(&"美光"), "{w:?}");
        // Latin words and numbers match whole words in the exact field: no bonus to add.
        assert_eq!(words("hello, 世界 2024"), ["世界"]);
    }
}
