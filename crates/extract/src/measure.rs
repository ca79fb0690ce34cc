//! How much text a string holds, in units that are fair to every script.
//!
//! Scoring thresholds (a paragraph needs 25 units, one point per 100 units, ...) were tuned on
//! space-separated languages, where a word is about six characters. A CJK character carries about
//! as much as a word, so it counts as [`CJK_WEIGHT`] units; whitespace counts nothing.

/// Units one CJK character (Han, kana, hangul, CJK punctuation) is worth.
pub(crate) const CJK_WEIGHT: f32 = 3.0;

/// Text amount and commas of one string.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Measure {
    /// Weighted length: non-space characters, CJK ones counted [`CJK_WEIGHT`] times.
    pub(crate) len: f32,
    /// Commas and clause separators, in any script.
    pub(crate) commas: u32,
}

impl Measure {
    /// Measures `text`.
    pub(crate) fn of(text: &str) -> Measure {
        let mut len = 0.0;
        let mut commas = 0;
        for c in text.chars() {
            if c.is_whitespace() {
                continue;
            }
            if is_cjk(c) {
                len += CJK_WEIGHT;
            } else {
                len += 1.0;
            }
            if matches!(c, ',' | '，' | '、' | '；' | '،') {
                commas += 1;
            }
        }
        Measure { len, commas }
    }

    /// Adds `other` to `self`.
    pub(crate) fn add(&mut self, other: Measure) {
        self.len += other.len;
        self.commas += other.commas;
    }
}

/// True for characters of scripts written without spaces between words.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF       // hangul jamo
        | 0x2E80..=0x2FDF     // CJK radicals
        | 0x3000..=0x303F     // CJK punctuation
        | 0x3040..=0x30FF     // kana
        | 0x3100..=0x31FF     // bopomofo, kana ext
        | 0x3400..=0x4DBF     // CJK ext A
        | 0x4E00..=0x9FFF     // CJK unified
        | 0xAC00..=0xD7AF     // hangul syllables
        | 0xF900..=0xFAFF     // compatibility ideographs
        | 0xFF00..=0xFFEF     // full-width forms
        | 0x20000..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_counts_more_than_latin() {
        let en = Measure::of("The cat sat, on the mat.");
        assert_eq!(en.len, 19.0);
        assert_eq!(en.commas, 1);
        let zh = Measure::of("中美关系，解冻。");
        assert_eq!(zh.len, 8.0 * CJK_WEIGHT);
        assert_eq!(zh.commas, 1);
    }
}
