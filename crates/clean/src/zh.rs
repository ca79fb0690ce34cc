//! Simplified and traditional Chinese: phrase-level conversion for display, and the
//! character table that search folding uses.
//!
//! Two different jobs, two different tools:
//! - [`to_simplified`] and [`to_traditional`] convert running text at the *phrase* level with
//!   OpenCC's dictionaries (`ferrous-opencc`, Apache-2.0), so that 头发 becomes 頭髮 and 干部
//!   幹部, not 乾部: this is what a reader's 简/繁 toggle shows.
//! - [`simplified_char`] maps one character to its simplified form with no context. Folding
//!   for search needs exactly that: a per-character map commutes with taking substrings, so a
//!   term folds the same way wherever it is cut out of a document. The table is what OpenCC's
//!   traditional→simplified conversion (standard, Taiwan and Hong Kong variants) does to each
//!   character on its own, closed under repetition so that folding is idempotent. It is built
//!   once, lazily, by converting every CJK code point one at a time (one call per
//!   configuration over a string of about 76,000 separated characters: tens of milliseconds
//!   in an optimized build; see the `table_init_cost` test).
//!
//! OpenCC's dictionaries are compiled into the binary, so the converters cannot fail to load in
//! practice; if one ever did, text is returned unchanged rather than panicking.

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// Converts running text to simplified Chinese at the phrase level (OpenCC `t2s`).
///
/// For display (the reader's 简 toggle); search uses the context-free [`crate::fold`] instead.
pub fn to_simplified(text: &str) -> String {
    convert(&T2S, BuiltinConfig::T2s, text)
}

/// Converts running text to traditional Chinese at the phrase level (OpenCC `s2t`): 头发 →
/// 頭髮, 干部 → 幹部, 皇后 → 皇后 but 后面 → 後面.
pub fn to_traditional(text: &str) -> String {
    convert(&S2T, BuiltinConfig::S2t, text)
}

static T2S: OnceLock<Option<OpenCC>> = OnceLock::new();
static S2T: OnceLock<Option<OpenCC>> = OnceLock::new();

fn convert(cell: &'static OnceLock<Option<OpenCC>>, config: BuiltinConfig, text: &str) -> String {
    match cell.get_or_init(|| OpenCC::from_config(config).ok()) {
        Some(cc) => cc.convert(text),
        None => text.to_owned(),
    }
}

/// The simplified form of one character, without context (identity for anything that is not
/// a traditional or variant CJK character). Idempotent: `simplified_char(simplified_char(c))
/// == simplified_char(c)`.
pub fn simplified_char(c: char) -> char {
    let u = c as u32;
    if u < BMP_START {
        return c;
    }
    let table = TABLE.get_or_init(CharTable::build);
    if (u as usize) < BMP_END as usize {
        let folded = table.bmp[(u - BMP_START) as usize];
        if folded == 0 {
            c
        } else {
            char::from_u32(u32::from(folded)).unwrap_or(c)
        }
    } else {
        table.astral.get(&c).copied().unwrap_or(c)
    }
}

/// Code points converted one by one to build the table: CJK symbols, kana, Bopomofo, Hangul
/// compatibility letters, extension A and the unified ideographs, compatibility ideographs,
/// and the supplementary-plane extensions B to F (OpenCC's character dictionaries have keys
/// only in these ranges).
const RANGES: [(u32, u32); 3] = [(0x3000, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2EBEF)];
const BMP_START: u32 = 0x3000;
const BMP_END: u32 = 0x10000;

struct CharTable {
    /// `bmp[c - BMP_START]` is the folded BMP character, or 0 for "unchanged".
    bmp: Vec<u16>,
    astral: FxHashMap<char, char>,
}

impl CharTable {
    fn build() -> CharTable {
        let mut probe = String::with_capacity(80_000 * 4);
        let mut chars = Vec::with_capacity(80_000);
        for (lo, hi) in RANGES {
            for c in (lo..=hi).filter_map(char::from_u32) {
                chars.push(c);
                probe.push(c);
                probe.push('\n');
            }
        }
        let mut map: FxHashMap<char, char> = FxHashMap::default();
        for config in [BuiltinConfig::T2s, BuiltinConfig::Tw2s, BuiltinConfig::Hk2s] {
            let Ok(cc) = OpenCC::from_config(config) else {
                continue;
            };
            let converted = cc.convert(&probe);
            for (&c, line) in chars.iter().zip(converted.split('\n')) {
                let mut it = line.chars();
                if let (Some(s), None) = (it.next(), it.next())
                    && s != c
                {
                    // The standard table wins; variant tables only add what it leaves alone.
                    map.entry(c).or_insert(s);
                }
            }
        }
        // Close chains (a → b → c becomes a → c) so that folding twice changes nothing.
        let keys: Vec<char> = map.keys().copied().collect();
        for c in keys {
            let mut target = map[&c];
            for _ in 0..8 {
                match map.get(&target) {
                    Some(&next) if next != target && next != c => target = next,
                    _ => break,
                }
            }
            map.insert(c, target);
        }
        // A cycle (a → b → a) would break idempotence; such pairs are left unfolded.
        let cyclic: Vec<char> = map
            .iter()
            .filter(|(_, t)| map.get(t).is_some_and(|&back| back != **t))
            .map(|(&c, _)| c)
            .collect();
        for c in cyclic {
            map.remove(&c);
        }
        let mut bmp = vec![0u16; (BMP_END - BMP_START) as usize];
        let mut astral = FxHashMap::default();
        for (c, s) in map {
            let (u, t) = (c as u32, s as u32);
            if (BMP_START..BMP_END).contains(&u) && t < BMP_END {
                bmp[(u - BMP_START) as usize] = t as u16;
            } else if u >= BMP_START {
                astral.insert(c, s);
            }
        }
        CharTable { bmp, astral }
    }
}

static TABLE: OnceLock<CharTable> = OnceLock::new();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrase_level_conversion_uses_context() {
        assert_eq!(to_traditional("头发"), "頭髮");
        assert_eq!(to_traditional("干部"), "幹部");
        assert_eq!(to_traditional("皇后"), "皇后");
        assert_eq!(to_traditional("后面"), "後面");
        assert_eq!(to_traditional("美国总统"), "美國總統");
        assert_eq!(to_simplified("頭髮"), "头发");
        assert_eq!(to_simplified("幹部"), "干部");
        assert_eq!(to_simplified("後面"), "后面");
        assert_eq!(to_simplified("美國總統"), "美国总统");
        assert_eq!(to_simplified("Latin text, 123"), "Latin text, 123");
    }

    #[test]
    fn characters_fold_to_simplified() {
        for (t, s) in [
            ('國', '国'),
            ('髮', '发'),
            ('發', '发'),
            ('後', '后'),
            ('幹', '干'),
            ('乾', '干'),
            ('臺', '台'),
            ('裡', '里'),
            ('爲', '为'),
            ('為', '为'),
            ('国', '国'),
            ('a', 'a'),
        ] {
            assert_eq!(simplified_char(t), s, "{t}");
        }
    }

    #[test]
    fn the_table_is_idempotent() {
        for (lo, hi) in RANGES {
            for c in (lo..=hi).filter_map(char::from_u32) {
                let once = simplified_char(c);
                assert_eq!(simplified_char(once), once, "{c} → {once}");
            }
        }
    }

    #[test]
    fn table_init_cost() {
        let start = std::time::Instant::now();
        let table = CharTable::build();
        let folded = table.bmp.iter().filter(|&&v| v != 0).count() + table.astral.len();
        eprintln!(
            "S/T character table: {folded} characters folded, built in {:?}",
            start.elapsed()
        );
        assert!(folded > 3000, "{folded}");
    }
}
