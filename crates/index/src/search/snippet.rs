//! Snippets: the best short passage of a hit's text, HTML-escaped, with the matched terms in
//! `<mark>…</mark>`.
//!
//! The passage is the window of about [`SNIPPET_CHARS`] characters that holds the most
//! distinct terms, then the most matches, then comes first. Matches are found the way search
//! defines them (folded text, whole words at the ends of a Latin term), on the text folded
//! character by character (as [`clean::fold_spans`] folds it), which maps each match back to
//! whole characters of the original: a snippet never cuts a character in half.
//!
//! When every term starts with a CJK character (most searches), matches are found without
//! folding the whole text ([`Snipper`]): the original text is searched for the characters that
//! fold to something holding a term's first character, and each place found is folded forward
//! only as far as the term goes. Folding a whole hit's text was about 7 % of a search page's CPU.

use super::analyzer::{is_cjk, is_word_char};
use aho_corasick::AhoCorasick;
use rustc_hash::FxHashMap;

/// Length of a snippet, in characters of the original text.
pub const SNIPPET_CHARS: usize = 160;
/// Characters of context kept before the first match of the passage.
const LEAD_CHARS: usize = 24;

/// A text folded character by character, with a sparse map back to the original: most
/// characters fold to one character of as many bytes (Han, ASCII), so only the others are
/// noted. A page of snippets folds every hit's whole text, and a map entry per byte (what
/// [`clean::FoldedSpans`] keeps) cost more than the folding.
struct Folded {
    text: String,
    /// The characters whose folded bytes do not line up with their own, in order.
    jumps: Vec<Jump>,
}

/// One character of the original (`orig..orig_end`) that folded to `folded..folded_end`
/// (maybe nothing, maybe several characters, maybe another length).
struct Jump {
    folded: usize,
    folded_end: usize,
    orig: usize,
    orig_end: usize,
}

impl Folded {
    /// The byte offset in `original` of the character that folded byte `f` came from: what
    /// [`clean::FoldedSpans::origin`] holds at `f`. Past the last jump at or before `f`,
    /// characters line up one to one with their bytes, so the byte lines up with a byte of the
    /// same character.
    fn origin(&self, original: &str, f: usize) -> usize {
        let i = self.jumps.partition_point(|j| j.folded <= f);
        let mut at = match i.checked_sub(1).map(|i| &self.jumps[i]) {
            None => f,
            Some(j) if f < j.folded_end => return j.orig,
            Some(j) => j.orig_end + (f - j.folded_end),
        };
        while !original.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    /// The original byte range that produced `text[range]` (not empty), widened to whole
    /// characters (as [`clean::FoldedSpans::original_range`]).
    fn original_range(&self, original: &str, range: std::ops::Range<usize>) -> (usize, usize) {
        let start = self.origin(original, range.start);
        let last = self.origin(original, range.end - 1);
        let end = last + original[last..].chars().next().map_or(0, char::len_utf8);
        (start, end)
    }
}

/// How a character folds on its own, for every character of the Basic Multilingual Plane
/// above ASCII: the one character it folds to, or [`SPACE`] or [`SLOW`]. Built on first use
/// from [`clean::fold_spans`] (65,408 calls, once per process: 7.5 ms in a release build on
/// the benchmark VM), so it folds exactly as that does, and a snippet's folding loop is one
/// lookup per character instead of the normalizer and the S/T table.
struct Table {
    /// Indexed by code point less 0x80.
    folded: Box<[u32]>,
    /// One bit per code point of the plane: the character folds to itself.
    same: Box<[u64]>,
    /// What the [`SLOW`] characters of the plane fold to (nothing, or several characters).
    slow: FxHashMap<u32, Box<str>>,
}

impl Table {
    /// Whether the character `u` (of the plane) folds to itself.
    fn same(&self, u: u32) -> bool {
        self.same
            .get(u as usize / 64)
            .is_some_and(|w| w >> (u % 64) & 1 == 1)
    }
}

static BMP: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
/// Folds to whitespace: one space, or nothing after another space.
const SPACE: u32 = u32::MAX - 1;
/// Folds to nothing or to several characters: [`Table::slow`] holds what (beyond the plane,
/// `clean::fold_spans` is asked when met).
const SLOW: u32 = u32::MAX;

fn bmp_table() -> &'static Table {
    BMP.get_or_init(|| {
        let mut buf = [0u8; 4];
        let mut slow = FxHashMap::default();
        let folded: Box<[u32]> = (0x80..0x1_0000)
            .map(|u| match char::from_u32(u) {
                None => SLOW, // surrogates, which no `str` holds
                Some(c) => {
                    let folded = clean::fold_spans(c.encode_utf8(&mut buf)).folded;
                    let mut chars = folded.chars();
                    match (chars.next(), chars.next()) {
                        (Some(' '), None) => SPACE,
                        (Some(f), None) => f as u32,
                        _ => {
                            slow.insert(u, folded.into_boxed_str());
                            SLOW
                        }
                    }
                }
            })
            .collect();
        let mut same = vec![0u64; 0x1_0000 / 64].into_boxed_slice();
        for (u, &f) in (0x80u32..).zip(folded.iter()) {
            if f == u {
                same[u as usize / 64] |= 1 << (u % 64);
            }
        }
        Table { folded, same, slow }
    })
}

/// Folds `text` as [`clean::fold_spans`] does: ASCII here, the rest of the Basic Multilingual
/// Plane through [`bmp_table`], anything else through `clean::fold_spans` one character at a
/// time, once per distinct character.
///
/// Walks bytes, not `char`s: a run of characters that fold to themselves (most Han text, lower
/// case ASCII), found by one bit per character, is copied in one piece when the run ends. With
/// the bit table, this made a snippet without matches about a quarter faster than pushing
/// each character looked up in the full table.
fn fold(text: &str) -> Folded {
    let bmp = bmp_table();
    let table = &bmp.folded;
    let bytes = text.as_bytes();
    let mut out = Folded {
        text: String::with_capacity(text.len()),
        jumps: Vec::new(),
    };
    let mut in_space = false;
    // `text[copied..at]` folds to itself and is not yet in `out.text`.
    let mut copied = 0;
    let mut at = 0;
    let mut buf = [0u8; 4];
    let mut slow: FxHashMap<char, Box<str>> = FxHashMap::default();
    while at < bytes.len() {
        let b = bytes[at];
        let (len, f) = if b < 0x80 {
            let space = b.is_ascii_whitespace();
            if b == b' ' && !in_space || !space && !b.is_ascii_uppercase() {
                in_space = space;
                at += 1;
                continue;
            }
            (
                1,
                if space {
                    SPACE
                } else {
                    u32::from(b.to_ascii_lowercase())
                },
            )
        } else {
            let (len, u) = decode(bytes, at);
            // Most characters fold to themselves: one bit each is 8 KiB, which stays in the
            // first-level cache, where the full table (256 KiB) does not.
            if bmp.same(u) {
                in_space = false;
                at += len;
                continue;
            }
            let f = u
                .checked_sub(0x80)
                .and_then(|i| table.get(i as usize))
                .map_or(SLOW, |&f| f); // beyond the table: other planes
            (len, f)
        };
        out.text.push_str(&text[copied..at]);
        let before = out.text.len();
        // Whether the character folded to exactly one character (then equal lengths line up).
        let mut one = true;
        match f {
            SPACE => out.text.push_str(space(&mut in_space)),
            SLOW => {
                let c = text[at..].chars().next().expect("a character starts here");
                let folded = match bmp.slow.get(&(c as u32)) {
                    Some(folded) => folded,
                    None => slow.entry(c).or_insert_with(|| {
                        clean::fold_spans(c.encode_utf8(&mut buf))
                            .folded
                            .into_boxed_str()
                    }),
                };
                one = push_folded(&mut out.text, folded, &mut in_space) == 1;
            }
            f => {
                out.text
                    .push(char::from_u32(f).expect("the table holds characters"));
                in_space = false;
            }
        }
        let end = at + len;
        if !one || out.text.len() - before != len {
            out.jumps.push(Jump {
                folded: before,
                folded_end: out.text.len(),
                orig: at,
                orig_end: end,
            });
        }
        at = end;
        copied = end;
    }
    out.text.push_str(&text[copied..]);
    out
}

/// The length and scalar value of the UTF-8 sequence that starts at `bytes[at]` (a lead byte
/// of a valid `str`).
fn decode(bytes: &[u8], at: usize) -> (usize, u32) {
    let cont = |i: usize| u32::from(bytes[at + i] & 0x3f);
    let b = u32::from(bytes[at]);
    if b < 0xe0 {
        (2, (b & 0x1f) << 6 | cont(1))
    } else if b < 0xf0 {
        (3, (b & 0x0f) << 12 | cont(1) << 6 | cont(2))
    } else {
        (4, (b & 0x07) << 18 | cont(1) << 12 | cont(2) << 6 | cont(3))
    }
}

/// Appends the fold of one character, `folded`, to a folded text that ends with a space when
/// `*in_space` (a space it starts with is then left out). Returns its number of characters.
fn push_folded(out: &mut String, folded: &str, in_space: &mut bool) -> usize {
    let mut n = 0;
    for f in folded.chars() {
        n += 1;
        if f == ' ' {
            out.push_str(space(in_space));
        } else {
            out.push(f);
            *in_space = false;
        }
    }
    n
}

/// Where the folded `terms` occur in the folded text `hay`: each match as the original byte
/// range that `original` gives for its folded range, with the index of the term, in order.
fn matches(
    hay: &str,
    terms: &[String],
    original: impl Fn(std::ops::Range<usize>) -> (usize, usize),
) -> Vec<(usize, usize, usize)> {
    let mut found = Vec::new();
    for (t, term) in terms.iter().enumerate() {
        let needle = term.trim();
        if needle.is_empty() {
            continue;
        }
        let word_start = needle.chars().next().is_some_and(is_word_char);
        let word_end = needle.chars().next_back().is_some_and(is_word_char);
        let finder = memchr::memmem::Finder::new(needle);
        let mut from = 0;
        while let Some(i) = finder.find(&hay.as_bytes()[from..]) {
            let (s, e) = (from + i, from + i + needle.len());
            let bounded = !(word_start && hay[..s].chars().next_back().is_some_and(is_word_char)
                || word_end && hay[e..].chars().next().is_some_and(is_word_char));
            if bounded {
                let (os, oe) = original(s..e);
                found.push((os, oe, t));
            }
            from = s + needle.chars().next().map_or(1, char::len_utf8);
        }
    }
    found.sort_unstable();
    found
}

/// Appends `s` HTML-escaped, with each run of whitespace (paragraph breaks too) as one space.
///
/// Copies the pieces between characters that need care in one go, and reads bytes, decoding
/// only the few lead bytes that can start a whitespace character above ASCII (asking each
/// character `is_whitespace` was about 1.5 % of a search page).
fn escape_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut from = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (len, escaped) = match b {
            b'<' => (1, "&lt;"),
            b'>' => (1, "&gt;"),
            b'&' => (1, "&amp;"),
            b'"' => (1, "&quot;"),
            b'\'' => (1, "&#39;"),
            b if b.is_ascii_whitespace() || b == 0x0B => (1, " "),
            // U+0085 and U+00A0; U+1680; U+2000 to U+205F; U+3000.
            0xC2 | 0xE1 | 0xE2 | 0xE3 => {
                let c = s[i..].chars().next().expect("a character starts here");
                if !c.is_whitespace() {
                    i += c.len_utf8();
                    continue;
                }
                (c.len_utf8(), " ")
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&s[from..i]);
        i += len;
        from = i;
        if escaped != " " || !out.ends_with(' ') {
            out.push_str(escaped);
        }
    }
    out.push_str(&s[from..]);
}

/// The snippet of `text` for the folded `terms` (see the module documentation). A page of
/// hits makes one [`Snipper`] and asks it for each.
pub fn snippet(text: &str, terms: &[String]) -> String {
    Snipper::new(terms).snippet(text)
}

/// The terms of a search, prepared once for the snippets of its hits.
pub(crate) struct Snipper<'a> {
    terms: &'a [String],
    /// `None` when a term does not start with a CJK character of the Basic Multilingual Plane:
    /// then every text is folded whole.
    starts: Option<Starts>,
}

/// Where matches can start in an original text: the characters whose fold holds the first
/// character of a term.
struct Starts {
    finder: Finder,
    /// The character of each pattern of `finder`.
    chars: Vec<char>,
    /// The first character of each term (the terms are folded: this is folded too).
    firsts: Vec<char>,
}

impl<'a> Snipper<'a> {
    /// Prepares the folded `terms`.
    pub(crate) fn new(terms: &'a [String]) -> Snipper<'a> {
        Snipper {
            terms,
            starts: Starts::new(terms, true),
        }
    }

    /// [`Snipper::new`] with the automaton where Teddy would be used (for tests: this
    /// processor has Teddy).
    #[cfg(test)]
    fn without_teddy(terms: &'a [String]) -> Snipper<'a> {
        Snipper {
            terms,
            starts: Starts::new(terms, false),
        }
    }

    /// The snippet of `text`.
    pub(crate) fn snippet(&self, text: &str) -> String {
        let found = match &self.starts {
            // Characters beyond the plane are folded through `clean::fold_spans` one by one,
            // and no table says which of them fold to what: such a text is folded whole.
            Some(starts) if !beyond_the_plane(text) => starts.matches(text, self.terms),
            _ => {
                let folded = fold(text);
                matches(&folded.text, self.terms, |r| folded.original_range(text, r))
            }
        };
        let (start, end) = best_window(text, &found, self.terms.len())
            .unwrap_or_else(|| (0, Chars::new(text).byte_of(SNIPPET_CHARS)));
        render(text, &found, start, end)
    }

    /// Whether matches are found without folding whole texts (for tests).
    #[cfg(test)]
    fn searches_originals(&self) -> bool {
        self.starts.is_some()
    }
}

/// Whether `text` has a character beyond the Basic Multilingual Plane (a four-byte sequence).
fn beyond_the_plane(text: &str) -> bool {
    // In blocks, so that the comparison is vectorised: a lead byte of four is 0xF0 or more.
    let bytes = text.as_bytes();
    let mut blocks = bytes.chunks_exact(64);
    blocks.any(|b| b.iter().fold(false, |any, &x| any | (x >= 0xF0)))
        || blocks.remainder().iter().any(|&x| x >= 0xF0)
}

/// For each CJK character of the Basic Multilingual Plane, the other characters of the plane
/// whose fold holds it. Built on first use from [`bmp_table`].
static PREIMAGES: std::sync::OnceLock<FxHashMap<u32, Vec<char>>> = std::sync::OnceLock::new();

fn preimages() -> &'static FxHashMap<u32, Vec<char>> {
    PREIMAGES.get_or_init(|| {
        let table = bmp_table();
        let mut of: FxHashMap<u32, Vec<char>> = FxHashMap::default();
        for (u, &f) in (0x80u32..).zip(table.folded.iter()) {
            let Some(c) = char::from_u32(u) else {
                continue; // surrogates
            };
            if f == SLOW {
                let folded = table.slow.get(&u).map_or("", |s| s);
                for x in folded.chars().filter(|&x| is_cjk(x)) {
                    let list = of.entry(x as u32).or_default();
                    if !list.contains(&c) {
                        list.push(c);
                    }
                }
            } else if f != SPACE && f != u && char::from_u32(f).is_some_and(is_cjk) {
                of.entry(f).or_default().push(c);
            }
        }
        of
    })
}

impl Starts {
    /// `None` unless every term starts with a CJK character of the plane. `teddy`: the packed
    /// searcher where the processor has it.
    fn new(terms: &[String], teddy: bool) -> Option<Starts> {
        let mut firsts = Vec::with_capacity(terms.len());
        let mut chars: Vec<char> = Vec::new();
        for term in terms {
            let first = term.trim().chars().next()?;
            if !is_cjk(first) || first as u32 > 0xFFFF {
                return None;
            }
            firsts.push(first);
            let itself = bmp_table().same(first as u32).then_some(first);
            let others = preimages().get(&(first as u32)).into_iter().flatten();
            for &c in itself.iter().chain(others) {
                if !chars.contains(&c) {
                    chars.push(c);
                }
            }
        }
        let mut buf = [0u8; 4];
        let patterns: Vec<String> = chars
            .iter()
            .map(|c| c.encode_utf8(&mut buf).to_owned())
            .collect();
        // Teddy (SIMD) where the processor has it: the patterns are a few characters of three
        // bytes whose first bytes are those of most Chinese text, which leaves the automaton's
        // own prefilters nothing to skip by.
        let packed = teddy
            .then(|| aho_corasick::packed::Searcher::new(patterns.iter()))
            .flatten();
        let finder = match packed {
            Some(packed) => Finder::Packed(packed),
            None => Finder::Automaton(AhoCorasick::new(&patterns).ok()?),
        };
        Some(Starts {
            finder,
            chars,
            firsts,
        })
    }

    /// What [`matches`] finds in the folded `text`, found in `text` itself.
    fn matches(&self, text: &str, terms: &[String]) -> Vec<(usize, usize, usize)> {
        let mut found = Vec::new();
        let mut one = [0u8; 4];
        let mut at = |start: usize, after: usize, pattern: usize| {
            let c = self.chars[pattern];
            // What `c` folds to (it starts no space run: it holds a CJK character).
            let folded: &str = match bmp_table().slow.get(&(c as u32)) {
                Some(s) => s,
                None => fold_one(c).encode_utf8(&mut one),
            };
            for (t, term) in terms.iter().enumerate() {
                let needle = term.trim();
                let word_end = needle.chars().next_back().is_some_and(is_word_char);
                for (k, _) in folded.match_indices(self.firsts[t]) {
                    if let Some(end) = match_from(text, after, &folded[k..], needle, word_end) {
                        found.push((start, end, t));
                    }
                }
            }
        };
        match &self.finder {
            Finder::Packed(f) => {
                for m in f.find_iter(text) {
                    at(m.start(), m.end(), m.pattern().as_usize());
                }
            }
            Finder::Automaton(f) => {
                for m in f.find_iter(text) {
                    at(m.start(), m.end(), m.pattern().as_usize());
                }
            }
        }
        found.sort_unstable();
        found
    }
}

/// A search for a few short patterns at once.
enum Finder {
    Packed(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
}

/// The one character that `c` (of the plane, above ASCII, not [`SLOW`] nor whitespace) folds
/// to.
fn fold_one(c: char) -> char {
    let table = bmp_table();
    let u = c as u32;
    if table.same(u) {
        return c;
    }
    char::from_u32(table.folded[u as usize - 0x80]).expect("the table holds characters")
}

/// Whether the folded text that goes on with `first` (the rest of the fold of the character
/// that ends at byte `at` of `text`, from a term's first character) and then the fold of
/// `text[at..]` starts with `needle`, and, when `word_end`, is followed by no word character.
/// Returns the end of the original character that folded to the needle's last byte.
///
/// Folds one character at a time exactly as [`fold`] does (a run of whitespace is one space;
/// `text` has no character beyond the plane).
fn match_from(text: &str, at: usize, first: &str, needle: &str, word_end: bool) -> Option<usize> {
    let want = needle.as_bytes();
    let mut got = 0;
    let mut pending: &str = first;
    let mut end = at;
    let mut forward = Forward {
        text,
        pos: at,
        // `first` starts with a CJK character, so what came before it does not matter.
        in_space: first.ends_with(' '),
        buf: [0; 4],
        expanded: String::new(),
    };
    loop {
        let n = pending.len().min(want.len() - got);
        if pending.as_bytes()[..n] != want[got..got + n] {
            return None;
        }
        got += n;
        if got == want.len() {
            if !word_end {
                return Some(end);
            }
            if let Some(next) = pending[n..].chars().next() {
                return (!is_word_char(next)).then_some(end);
            }
            // The match ended with this character's fold: the next one tells.
            while !forward.at_end() {
                if let Some(next) = forward.next().0.chars().next() {
                    return (!is_word_char(next)).then_some(end);
                }
            }
            return Some(end);
        }
        if forward.at_end() {
            return None;
        }
        (pending, end) = forward.next();
    }
}

/// Folds a text from a place on, one character at a time, as [`fold`] does.
struct Forward<'t> {
    text: &'t str,
    /// The next character to fold.
    pos: usize,
    /// Whether the folded text so far ends with a space.
    in_space: bool,
    buf: [u8; 4],
    expanded: String,
}

impl Forward<'_> {
    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    /// Folds the next character: what it adds to the folded text (maybe nothing), and where it
    /// ends in the original.
    fn next(&mut self) -> (&str, usize) {
        let table = bmp_table();
        let text = self.text;
        let at = self.pos;
        let b = text.as_bytes()[at];
        if b < 0x80 {
            self.pos += 1;
            let folded = if b.is_ascii_whitespace() {
                space(&mut self.in_space)
            } else {
                self.in_space = false;
                if b.is_ascii_uppercase() {
                    self.buf[0] = b.to_ascii_lowercase();
                    std::str::from_utf8(&self.buf[..1]).expect("ASCII")
                } else {
                    &text[at..at + 1]
                }
            };
            return (folded, self.pos);
        }
        let (len, u) = decode(text.as_bytes(), at);
        self.pos += len;
        if table.same(u) {
            self.in_space = false;
            return (&text[at..at + len], self.pos);
        }
        let folded: &str = match table.folded[u as usize - 0x80] {
            SPACE => space(&mut self.in_space),
            SLOW => {
                self.expanded.clear();
                let folded = table.slow.get(&u).map_or("", |s| s);
                push_folded(&mut self.expanded, folded, &mut self.in_space);
                &self.expanded
            }
            f => {
                self.in_space = false;
                char::from_u32(f)
                    .expect("the table holds characters")
                    .encode_utf8(&mut self.buf)
            }
        };
        (folded, self.pos)
    }
}

/// What a whitespace character adds to the folded text: a space, unless it already ends with one.
fn space(in_space: &mut bool) -> &'static str {
    if std::mem::replace(in_space, true) {
        ""
    } else {
        " "
    }
}

/// `text[start..end]` HTML-escaped, with the matches in `found` that lie inside it marked, and
/// an ellipsis on each side that cuts the text.
fn render(text: &str, found: &[(usize, usize, usize)], start: usize, end: usize) -> String {
    let mut out = String::with_capacity((end - start) * 2);
    if start > 0 {
        out.push('…');
    }
    let mut at = start;
    for &(s, e, _) in found {
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

/// Converts between character indexes and byte offsets of a text, moving forward only: the
/// windows of matches in order only move forward, so one walk over the text serves them all.
struct Chars<'a> {
    text: &'a str,
    /// The character index and byte offset reached.
    index: usize,
    byte: usize,
}

impl<'a> Chars<'a> {
    fn new(text: &'a str) -> Chars<'a> {
        Chars {
            text,
            index: 0,
            byte: 0,
        }
    }

    /// The byte offset of character `index` (the text's length past its end); `index` must
    /// not be below the last one asked.
    fn byte_of(&mut self, index: usize) -> usize {
        debug_assert!(index >= self.index);
        let mut rest = self.text[self.byte..].chars();
        // `nth` skips by counting lead bytes, many at a time: stepping a `char` at a time was
        // the slowest part of a snippet with many matches.
        if let Some(skip) = (index - self.index).checked_sub(1) {
            rest.nth(skip);
        }
        self.byte = self.text.len() - rest.as_str().len();
        self.index = index;
        self.byte
    }

    /// The character index of byte offset `byte` (a character boundary); `byte` must not be
    /// below the last one asked.
    fn index_of(&mut self, byte: usize) -> usize {
        debug_assert!(byte >= self.byte);
        self.index += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.index
    }
}

/// The window (byte range) with the most distinct terms, then the most matches, then the first:
/// for each match, the window of [`SNIPPET_CHARS`] characters that starts [`LEAD_CHARS`]
/// before it. `found` is sorted by start.
fn best_window(
    text: &str,
    found: &[(usize, usize, usize)],
    num_terms: usize,
) -> Option<(usize, usize)> {
    let mut at_match = Chars::new(text);
    let mut at_start = Chars::new(text);
    let mut at_end = Chars::new(text);
    best_window_by(found, num_terms, |s| {
        let first = at_match.index_of(s).saturating_sub(LEAD_CHARS);
        (
            at_start.byte_of(first),
            at_end.byte_of(first + SNIPPET_CHARS),
        )
    })
}

/// [`best_window`], with the window of the match that starts at byte `s` given by `window(s)`
/// (asked in order of `s`).
fn best_window_by(
    found: &[(usize, usize, usize)],
    num_terms: usize,
    mut window: impl FnMut(usize) -> (usize, usize),
) -> Option<(usize, usize)> {
    let mut per_term = vec![0usize; num_terms];
    let mut distinct = 0;
    let mut j = 0; // matches found[i..j] end inside the window of match i
    let mut best: Option<((usize, usize), (usize, usize))> = None;
    for (i, &(s, _, _)) in found.iter().enumerate() {
        let (start, end) = window(s);
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

    /// Characters of every kind the fast folding treats apart: Han in both scripts, ASCII,
    /// full-width forms, whitespace runs, ignorables, NFKC expansions and compositions.
    const MIXED: &str = "美國 ＡＢＣ　ｶﾅ Straße\u{00A0}\u{00A0}x\u{200B}y ①② ﬁ ＂引號＂，說：「好」。\
                         Ὀδυσσεύς 한국어 ㄅ e\u{0301} \u{2028}z\u{F900}\u{2F00}Ⅻ ¨ \t\n end\
                         𠀀𝐀😀 𝟏";

    fn assert_folds_like_clean(text: &str) {
        let fast = fold(text);
        let slow = clean::fold_spans(text);
        assert_eq!(fast.text, slow.folded, "{text:?}");
        for (f, &origin) in slow.origin.iter().enumerate() {
            assert_eq!(
                fast.origin(text, f),
                origin,
                "byte {f} of {:?} from {text:?}",
                slow.folded
            );
        }
    }

    #[test]
    fn fast_folding_equals_clean_fold_spans() {
        assert_folds_like_clean(MIXED);
        assert_folds_like_clean("");
        assert_folds_like_clean("  \u{200B} ，x");
    }

    #[test]
    fn every_character_of_the_table_folds_like_clean() {
        let all: String = (0x80..0x1_0000).filter_map(char::from_u32).collect();
        assert_folds_like_clean(&all);
        let spaced: String = all.chars().flat_map(|c| [c, ' ']).collect();
        assert_folds_like_clean(&spaced);
    }

    /// A small deterministic generator (xorshift), so the random cases repeat.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// What `snippet` gave when it kept `clean::fold_spans`' map entry per byte and the byte
    /// offset of every character: the reference for the folding, the sparse map and the moving
    /// cursors (finding matches in the folded text, choosing among windows and rendering the
    /// chosen one are shared).
    fn reference_snippet(text: &str, terms: &[String]) -> String {
        let spans = clean::fold_spans(text);
        let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        let byte_of = |i: usize| starts.get(i).copied().unwrap_or(text.len());
        let found = matches(&spans.folded, terms, |r| spans.original_range(text, r));
        let best = best_window_by(&found, terms.len(), |s| {
            let first = starts
                .partition_point(|&b| b < s)
                .saturating_sub(LEAD_CHARS);
            (byte_of(first), byte_of(first + SNIPPET_CHARS))
        });
        let (start, end) = best.unwrap_or((0, byte_of(SNIPPET_CHARS)));
        render(text, &found, start, end)
    }

    #[test]
    fn random_texts_fold_and_snip_like_the_reference() {
        let alphabet: Vec<char> = format!("{MIXED}美国台湾香港的是。，、\n\n")
            .chars()
            .collect();
        let mut rng = Rng(0x5eed_f01d_5a1e);
        for case in 0..400 {
            let len = rng.below(600);
            let text: String = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            assert_folds_like_clean(&text);
            let chars: Vec<char> = text.chars().collect();
            let terms: Vec<String> = (0..1 + rng.below(3))
                .map(|_| {
                    if chars.is_empty() {
                        return "美国".to_owned();
                    }
                    let from = rng.below(chars.len());
                    let n = 1 + rng.below(4);
                    clean::fold(
                        &chars[from..(from + n).min(chars.len())]
                            .iter()
                            .collect::<String>(),
                    )
                })
                .collect();
            assert_eq!(
                snippet(&text, &terms),
                reference_snippet(&text, &terms),
                "case {case}: {text:?} for {terms:?}"
            );
        }
    }

    #[test]
    fn originals_are_searched_when_every_term_starts_with_a_cjk_character() {
        let fast = |terms: &[&str]| Snipper::new(&fold_all(terms)).searches_originals();
        assert!(fast(&["美国"]));
        assert!(fast(&["美國", "カナ", "한국"]));
        assert!(fast(&["美国 trump"]));
        assert!(!fast(&["trump"]));
        assert!(!fast(&["美国", "trump"]));
        assert!(!fast(&["，美国"]));
        assert!(!fast(&["𠀀"]));
        // A text with a character beyond the plane is folded whole, with the same result.
        let terms = fold_all(&["美国"]);
        let text = "𠀀美國總統😀，美国";
        assert_eq!(
            Snipper::new(&terms).snippet(text),
            reference_snippet(text, &terms)
        );
    }

    #[test]
    fn matches_found_in_originals_equal_those_of_the_folded_text() {
        // Characters whose folds hold CJK characters in every way the plane has: traditional
        // and compatibility ideographs, Kangxi radicals, half-width kana, enclosed and squared
        // forms that fold to several characters (㈱ to (株), ㍿ to 株式会社), ignorables,
        // whitespace of every kind, Latin words in both cases.
        let alphabet: Vec<char> = "美國国美国台灣台湾的是株式会社㈱㍿⼈人\u{F900}豈ｶカナ한국\
                                   。，、「」 \u{3000}\u{A0}\t\n\n\u{200B}aAbZ9 ＡＢ"
            .chars()
            .collect();
        let mut rng = Rng(0x0c1a_551c_5eed);
        let mut fast = 0;
        for case in 0..3_000 {
            let len = rng.below(300);
            let text: String = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            let folded = clean::fold(&text);
            let chars: Vec<char> = folded.chars().collect();
            // Terms cut from the folded text, from a CJK character (or a fixed one).
            let terms: Vec<String> = (0..1 + rng.below(3))
                .map(|_| {
                    let starts: Vec<usize> =
                        (0..chars.len()).filter(|&i| is_cjk(chars[i])).collect();
                    if starts.is_empty() {
                        return "株式".to_owned();
                    }
                    let from = starts[rng.below(starts.len())];
                    let n = 1 + rng.below(5);
                    chars[from..(from + n).min(chars.len())]
                        .iter()
                        .collect::<String>()
                })
                .collect();
            let snipper = if case % 2 == 0 {
                Snipper::new(&terms)
            } else {
                Snipper::without_teddy(&terms)
            };
            fast += usize::from(snipper.searches_originals());
            assert_eq!(
                snipper.snippet(&text),
                reference_snippet(&text, &terms),
                "case {case}: {text:?} for {terms:?}"
            );
        }
        assert!(fast > 2_500, "only {fast} cases searched the originals");
    }

    #[test]
    fn escaping_copies_pieces_as_pushing_each_character_did() {
        let reference = |s: &str| {
            let mut out = String::new();
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
            out
        };
        // Every whitespace character above ASCII, and characters that share their lead bytes.
        let alphabet: Vec<char> =
            "<>&\"' \n\t\u{B}\u{C}\r\u{1C}\u{3000}\u{A0}\u{85}\u{1680}\u{2000}\u{200A}\u{2028}\
             \u{202F}\u{205F}¢ᚁ€あa美，。é"
                .chars()
                .collect();
        let mut rng = Rng(0x00e5_ca9e);
        for _ in 0..2_000 {
            let text: String = (0..rng.below(12))
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            let mut out = String::new();
            escape_into(&mut out, &text);
            assert_eq!(out, reference(&text), "{text:?}");
        }
    }

    #[test]
    fn no_match_gives_the_beginning() {
        let text = "字".repeat(500);
        let s = snippet(&text, &fold_all(&["无"]));
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
    }
}
