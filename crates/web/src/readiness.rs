//! Whether search can answer yet.
//!
//! A server may start while the search index catches up with the archive: after an import
//! (which leaves the search index to the next sync) that is minutes, and after a change of the
//! index format it is a rebuild. Everything but search reads `index.sqlite` and the record
//! files, so it is served at once; a search waits a moment for the catch-up
//! ([`SEARCH_WAIT`]), then answers 503 with how far it got instead of results that would miss
//! what the index has not seen yet.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How long a search waits for a catch-up in progress before answering 503: a small catch-up
/// (a few new captures) ends within it, and the reader gets results instead of an error.
pub const SEARCH_WAIT: Duration = Duration::from_secs(5);

/// Where the search index is, as the server reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchReadiness {
    /// Up to date with the archive as of the server's start (writes since then follow).
    Ready,
    /// Applying the capture logs.
    CatchingUp {
        /// Bytes applied.
        done: u64,
        /// Bytes to apply in all (0 until the catch-up has measured them).
        total: u64,
    },
}

impl SearchReadiness {
    /// Percent done, rounded down; 0 before the total is known.
    pub fn percent(self) -> u64 {
        match self {
            SearchReadiness::Ready => 100,
            SearchReadiness::CatchingUp { total: 0, .. } => 0,
            SearchReadiness::CatchingUp { done, total } => (done.min(total) * 100) / total,
        }
    }
}

/// The catch-up's side: it reports progress and then readiness to every server state made
/// with [`crate::WebState::with_search_catch_up`]. Dropping it without [`SearchCatchUp::ready`]
/// (the catch-up failed or panicked) also lets searches through, on what the index has.
#[derive(Clone, Debug)]
pub struct SearchCatchUp {
    tx: Arc<watch::Sender<SearchReadiness>>,
}

impl Default for SearchCatchUp {
    fn default() -> Self {
        SearchCatchUp::new()
    }
}

impl SearchCatchUp {
    /// A catch-up that has started and measured nothing yet.
    pub fn new() -> SearchCatchUp {
        let (tx, _) = watch::channel(SearchReadiness::CatchingUp { done: 0, total: 0 });
        SearchCatchUp { tx: Arc::new(tx) }
    }

    /// The catch-up has `total` bytes of capture logs to apply.
    pub fn start(&self, total: u64) {
        self.tx
            .send_replace(SearchReadiness::CatchingUp { done: 0, total });
    }

    /// `bytes` more were applied.
    pub fn advance(&self, bytes: u64) {
        self.tx.send_modify(|r| {
            if let SearchReadiness::CatchingUp { done, .. } = r {
                *done += bytes;
            }
        });
    }

    /// The catch-up is over: searches answer from now on.
    pub fn ready(&self) {
        self.tx.send_replace(SearchReadiness::Ready);
    }

    pub(crate) fn watch(&self) -> watch::Receiver<SearchReadiness> {
        self.tx.subscribe()
    }
}

/// Waits up to `wait` for `rx` to be ready; returns where it is then. A closed channel (the
/// catch-up is gone) counts as ready.
pub(crate) async fn settle(
    rx: &watch::Receiver<SearchReadiness>,
    wait: Duration,
) -> SearchReadiness {
    let mut rx = rx.clone();
    let now = *rx.borrow_and_update();
    if now == SearchReadiness::Ready {
        return now;
    }
    let waited = tokio::time::timeout(wait, rx.wait_for(|r| *r == SearchReadiness::Ready))
        .await
        .is_ok();
    if waited {
        SearchReadiness::Ready
    } else {
        *rx.borrow()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_search_waits_for_a_short_catch_up_and_not_for_a_long_one() {
        let catch_up = SearchCatchUp::new();
        let rx = catch_up.watch();
        catch_up.start(1000);
        catch_up.advance(250);
        let waited = settle(&rx, Duration::from_millis(50)).await;
        assert_eq!(
            waited,
            SearchReadiness::CatchingUp {
                done: 250,
                total: 1000
            }
        );
        assert_eq!(waited.percent(), 25);

        let later = catch_up.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            later.ready();
        });
        assert_eq!(
            settle(&rx, Duration::from_secs(5)).await,
            SearchReadiness::Ready
        );
    }

    #[tokio::test]
    async fn a_catch_up_that_went_away_lets_searches_through() {
        let catch_up = SearchCatchUp::new();
        let rx = catch_up.watch();
        drop(catch_up);
        assert_eq!(
            settle(&rx, Duration::from_secs(5)).await,
            SearchReadiness::Ready
        );
    }
}
