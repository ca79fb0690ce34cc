//! Bounded caches of a search server: the plain texts of record files (for snippets), the
//! stored fields of hits, and the results of recent searches.

use super::doc::{DocData, Flags};
use super::hits::SearchResults;
use super::query::Query;
use lru::LruCache;
use std::borrow::Borrow;
use std::hash::Hash;
use std::sync::Arc;
use tantivy::DocId;
use tantivy::index::SegmentId;

/// Entries least recently used dropped first, bounded by the sum of their sizes (as the
/// caller counts them): what the three caches share.
struct Bounded<K: Hash + Eq, V> {
    entries: LruCache<K, (V, usize)>,
    bytes: usize,
    max_bytes: usize,
}

impl<K: Hash + Eq, V> Bounded<K, V> {
    fn new(max_bytes: usize) -> Bounded<K, V> {
        Bounded {
            entries: LruCache::unbounded(),
            bytes: 0,
            max_bytes,
        }
    }

    fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.entries.get(key).map(|(v, _)| v)
    }

    /// Keeps `value`, counted as `size` bytes; one larger than the whole budget is not kept.
    fn put(&mut self, key: K, value: V, size: usize) {
        if size > self.max_bytes {
            return;
        }
        if let Some((_, (_, old))) = self.entries.push(key, (value, size)) {
            self.bytes -= old;
        }
        self.bytes += size;
        while self.bytes > self.max_bytes {
            match self.entries.pop_lru() {
                Some((_, (_, old))) => self.bytes -= old,
                None => break,
            }
        }
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
    }
}

/// The stored fields of a hit, as [`DocData::from_document`] reads them (no text).
pub(crate) type StoredDoc = Arc<(DocData, Flags)>;

/// Stored fields by document address, bounded by their total size. A segment never changes (a
/// version whose flags change is written again, at a new address), so a kept entry never goes
/// stale; the entries of merged-away segments age out.
pub(crate) struct DocCache(Bounded<(SegmentId, DocId), StoredDoc>);

/// About what an entry of [`DocCache`] holds: its strings, the struct, the map's node.
fn doc_size(doc: &StoredDoc) -> usize {
    let d = &doc.0;
    160 + d.key.len()
        + d.source.len()
        + d.url.len()
        + d.path.len()
        + d.title.len()
        + d.language.len()
}

impl DocCache {
    pub(crate) fn new(max_bytes: usize) -> DocCache {
        DocCache(Bounded::new(max_bytes))
    }

    pub(crate) fn get(&mut self, segment: SegmentId, doc: DocId) -> Option<StoredDoc> {
        self.0.get(&(segment, doc)).cloned()
    }

    pub(crate) fn put(&mut self, segment: SegmentId, doc: DocId, stored: StoredDoc) {
        let size = doc_size(&stored);
        self.0.put((segment, doc), stored, size);
    }
}

/// Texts by record path, bounded by their total size.
pub(crate) struct TextCache(Bounded<String, Arc<str>>);

impl TextCache {
    pub(crate) fn new(max_bytes: usize) -> TextCache {
        TextCache(Bounded::new(max_bytes))
    }

    pub(crate) fn get(&mut self, path: &str) -> Option<Arc<str>> {
        self.0.get(path).cloned()
    }

    /// Keeps `text` for `path`; a text larger than the whole budget is not kept.
    pub(crate) fn put(&mut self, path: &str, text: Arc<str>) {
        let size = text.len() + path.len();
        self.0.put(path.to_owned(), text, size);
    }
}

/// Results of recent searches, valid for one generation of the index's searcher (a search
/// against another generation drops them all: a commit may change any result), bounded by
/// their approximate size.
pub(crate) struct ResultCache {
    generation: u64,
    entries: Bounded<Query, SearchResults>,
}

/// Approximate bytes a kept result takes (its strings and a fixed part per hit).
fn size_of(q: &Query, results: &SearchResults) -> usize {
    let hit = |h: &super::hits::SearchHit| {
        160 + h.key.len() + h.url.len() + h.title.len() + h.source.len() + h.snippet.len()
    };
    256 + q.text.len() + results.hits.iter().map(hit).sum::<usize>()
}

impl ResultCache {
    pub(crate) fn new(max_bytes: usize) -> ResultCache {
        ResultCache {
            generation: 0,
            entries: Bounded::new(max_bytes),
        }
    }

    pub(crate) fn get(&mut self, generation: u64, q: &Query) -> Option<SearchResults> {
        if generation != self.generation {
            return None;
        }
        self.entries.get(q).cloned()
    }

    pub(crate) fn put(&mut self, generation: u64, q: &Query, results: &SearchResults) {
        if generation != self.generation {
            // Only a newer searcher replaces the kept ones; a search that began before a
            // reload and ends after it must not bring the old generation back.
            if generation < self.generation {
                return;
            }
            self.entries.clear();
            self.generation = generation;
        }
        self.entries
            .put(q.clone(), results.clone(), size_of(q, results));
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

    fn results(total: u64) -> SearchResults {
        SearchResults {
            total,
            total_exact: true,
            hits: Arc::from([]),
            took_ms: 1.0,
        }
    }

    #[test]
    fn results_are_kept_for_one_generation() {
        let one = size_of(&Query::new("a"), &results(1));
        let mut c = ResultCache::new(2 * one);
        let (a, b, z) = (Query::new("a"), Query::new("b"), Query::new("z"));
        c.put(5, &a, &results(1));
        c.put(5, &b, &results(2));
        assert_eq!(c.get(5, &a).map(|r| r.total), Some(1));
        assert_eq!(c.get(6, &a), None, "another generation: not this answer");
        // Room for two: `b` is the least recently used.
        c.put(5, &z, &results(3));
        assert_eq!(c.get(5, &b), None);
        assert_eq!(c.get(5, &z).map(|r| r.total), Some(3));
        // A newer generation drops everything; an older one cannot come back.
        c.put(6, &a, &results(10));
        assert_eq!(c.get(6, &z), None);
        c.put(5, &z, &results(3));
        assert_eq!(c.get(5, &z), None);
        assert_eq!(c.get(6, &a).map(|r| r.total), Some(10));
        // Another page or filter is another search.
        let mut page2 = Query::new("a");
        page2.offset = 20;
        assert_eq!(c.get(6, &page2), None);
    }
}
