//! The brute-force baseline: every latest version's folded title and text in memory, each
//! query answered by `str::find` over all of them with newsvault's exact rule (CJK anywhere,
//! Latin terms as whole words), the 20 newest hits kept. It is also the oracle: newsvault's
//! totals must equal its totals.

use newsvault_index::search::is_word_char;

/// The folded documents.
#[derive(Default)]
pub(crate) struct Scan {
    docs: Vec<(String, String, i64)>,
}

impl Scan {
    pub(crate) fn add(&mut self, title: String, text: String, date: i64) {
        self.docs.push((title, text, date));
    }

    /// Bytes of folded text held.
    pub(crate) fn bytes(&self) -> usize {
        self.docs.iter().map(|(t, b, _)| t.len() + b.len()).sum()
    }

    /// Count of hits and the 20 newest (folded terms in, as `clean::fold(term).trim()`).
    pub(crate) fn search(&self, include: &[String], exclude: &[String]) -> u64 {
        let hit = |d: &(String, String, i64), n: &str| contains(&d.0, n) || contains(&d.1, n);
        let mut total = 0u64;
        let mut top: Vec<(i64, usize)> = Vec::with_capacity(21);
        for (i, d) in self.docs.iter().enumerate() {
            if include.iter().all(|n| hit(d, n)) && !exclude.iter().any(|n| hit(d, n)) {
                total += 1;
                if top.len() < 20 || d.2 > top[top.len() - 1].0 {
                    let at = top.partition_point(|t| t.0 >= d.2);
                    top.insert(at, (d.2, i));
                    top.truncate(20);
                }
            }
        }
        std::hint::black_box(top);
        total
    }
}

/// Whether folded `hay` contains folded `needle` as search defines it.
fn contains(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let word_start = needle.chars().next().is_some_and(is_word_char);
    let word_end = needle.chars().next_back().is_some_and(is_word_char);
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let (s, e) = (from + i, from + i + needle.len());
        let before_ok = !word_start || !hay[..s].chars().next_back().is_some_and(is_word_char);
        let after_ok = !word_end || !hay[e..].chars().next().is_some_and(is_word_char);
        if before_ok && after_ok {
            return true;
        }
        from = s + needle.chars().next().map_or(1, char::len_utf8);
    }
    false
}
