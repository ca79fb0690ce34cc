//! Sanitized article bodies kept in memory, so that showing an article again costs a lookup
//! instead of reading, parsing and sanitizing its record (sanitizing is most of the cost of an
//! article page).
//!
//! A version's record never changes, so its SHA-256 names its body for good: the key is the
//! data directory, the record's SHA-256 and the script it is shown in. One exception: a body
//! with an image that was not archived *yet* (shown as a link to the original) changes once
//! the image is archived, so such a body is kept only for [`PROVISIONAL_TTL`].
//!
//! The cache is bounded in entries ([`MAX_ENTRIES`]) and bytes ([`MAX_BYTES`]); the least
//! recently used bodies go first.

use super::zh::Zh;
use crate::content;
use crate::error::ApiError;
use index::Index;
use lru::LruCache;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

/// Most bodies kept.
const MAX_ENTRIES: usize = 2048;
/// Most bytes of bodies kept (about 1,000 long articles).
const MAX_BYTES: usize = 48 * 1024 * 1024;
/// How long a body with an unarchived image is kept (the image may be archived meanwhile).
const PROVISIONAL_TTL: Duration = Duration::from_secs(60);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    /// A hash of the data directory (one process may serve several in tests).
    data_dir: u64,
    /// SHA-256 of the record.
    sha256: String,
    zh: Zh,
}

struct Entry {
    html: Arc<str>,
    expires: Option<Instant>,
}

struct Cache {
    lru: LruCache<Key, Entry>,
    bytes: usize,
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(|| {
    Mutex::new(Cache {
        lru: LruCache::new(NonZeroUsize::new(MAX_ENTRIES).unwrap_or(NonZeroUsize::MIN)),
        bytes: 0,
    })
});

fn lock() -> std::sync::MutexGuard<'static, Cache> {
    // A panic while holding the lock leaves a consistent map (every change is one call).
    CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The display-safe body of the record at `path` (relative to `data_dir`) whose SHA-256 is
/// `sha256`, in script `zh`: from the cache, or read, sanitized, converted and kept.
///
/// Runs on the blocking thread of an index read (`index` resolves archived images).
pub(crate) fn body(
    index: &Index,
    data_dir: &Path,
    sha256: &str,
    path: &str,
    zh: Zh,
) -> Result<Arc<str>, ApiError> {
    let key = Key {
        data_dir: hash(data_dir),
        sha256: sha256.to_owned(),
        zh,
    };
    if let Some(html) = get(&key) {
        return Ok(html);
    }
    let html = match zh {
        Zh::Original => {
            let record = content::read_record(data_dir, path)?;
            content::body_html(index, &record)
        }
        zh => zh.html(&body(index, data_dir, sha256, path, Zh::Original)?),
    };
    Ok(put(key, html))
}

fn hash(path: &Path) -> u64 {
    let mut h = DefaultHasher::new();
    path.hash(&mut h);
    h.finish()
}

fn get(key: &Key) -> Option<Arc<str>> {
    let mut cache = lock();
    let expired = match cache.lru.get(key) {
        None => return None,
        Some(entry) => entry.expires.is_some_and(|t| t <= Instant::now()),
    };
    if expired {
        if let Some(old) = cache.lru.pop(key) {
            cache.bytes -= old.html.len();
        }
        return None;
    }
    cache.lru.get(key).map(|e| Arc::clone(&e.html))
}

fn put(key: Key, html: String) -> Arc<str> {
    let expires = html
        .contains("unarchived-image")
        .then(|| Instant::now() + PROVISIONAL_TTL);
    let html: Arc<str> = html.into();
    if html.len() > MAX_BYTES / 8 {
        return html; // one huge body would push out everything else
    }
    let mut cache = lock();
    cache.bytes += html.len();
    if let Some((_, old)) = cache.lru.push(
        key,
        Entry {
            html: Arc::clone(&html),
            expires,
        },
    ) {
        cache.bytes -= old.html.len();
    }
    while cache.bytes > MAX_BYTES {
        match cache.lru.pop_lru() {
            Some((_, old)) => cache.bytes -= old.html.len(),
            None => break,
        }
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(sha: &str) -> Key {
        Key {
            data_dir: 1,
            sha256: sha.into(),
            zh: Zh::Original,
        }
    }

    #[test]
    fn bodies_are_kept_and_provisional_ones_expire() {
        put(key("test-final"), "<p>正文</p>".into());
        assert_eq!(get(&key("test-final")).as_deref(), Some("<p>正文</p>"));
        put(
            key("test-provisional"),
            "<a class=\"unarchived-image\" href=\"x\">图</a>".into(),
        );
        assert!(get(&key("test-provisional")).is_some());
        // Age the entry past its time to live.
        lock()
            .lru
            .get_mut(&key("test-provisional"))
            .expect("kept")
            .expires = Some(Instant::now() - Duration::from_secs(1));
        assert_eq!(get(&key("test-provisional")), None);
        assert_eq!(get(&key("test-never-put")), None);
    }
}
