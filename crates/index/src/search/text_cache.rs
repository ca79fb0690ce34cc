//! A bounded cache of the plain texts of record files, for snippets.

use lru::LruCache;
use std::sync::Arc;

/// Texts by record path, least recently used dropped first, bounded by their total size.
pub(crate) struct TextCache {
    entries: LruCache<String, Arc<str>>,
    bytes: usize,
    max_bytes: usize,
}

impl TextCache {
    pub(crate) fn new(max_bytes: usize) -> TextCache {
        TextCache {
            entries: LruCache::unbounded(),
            bytes: 0,
            max_bytes,
        }
    }

    pub(crate) fn get(&mut self, path: &str) -> Option<Arc<str>> {
        self.entries.get(path).cloned()
    }

    /// Keeps `text` for `path`; a text larger than the whole budget is not kept.
    pub(crate) fn put(&mut self, path: &str, text: Arc<str>) {
        let size = text.len() + path.len();
        if size > self.max_bytes {
            return;
        }
        if let Some(old) = self.entries.put(path.to_owned(), text) {
            self.bytes -= old.len() + path.len();
        }
        self.bytes += size;
        while self.bytes > self.max_bytes {
            match self.entries.pop_lru() {
                Some((p, t)) => self.bytes -= t.len() + p.len(),
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_most_recently_used_within_the_budget() {
        let mut c = TextCache::new(30);
        c.put("a", Arc::from("0123456789"));
        c.put("b", Arc::from("0123456789"));
        assert!(c.get("a").is_some());
        // 33 bytes > 30: "b" (least recently used) goes.
        c.put("c", Arc::from("0123456789"));
        assert!(c.get("b").is_none());
        assert_eq!(c.get("a").as_deref(), Some("0123456789"));
        assert!(c.get("c").is_some());
        c.put("big", Arc::from("x".repeat(40).as_str()));
        assert!(c.get("big").is_none(), "larger than the budget: not kept");
        assert!(c.get("a").is_some(), "and nothing evicted for it");
    }
}
