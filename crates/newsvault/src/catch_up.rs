//! Progress of bringing the search index up to date (`search`, `serve`, `reindex`): after an
//! import that is minutes of work, and a command that says nothing meanwhile looks hung.

use index::search::SyncProgress;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tracing::Span;
use tracing_indicatif::span_ext::IndicatifSpanExt;

/// Capture-log bytes from which a catch-up is announced (about a thousand lines): smaller
/// ones take a moment and stay quiet.
const ANNOUNCE_BYTES: u64 = 256 * 1024;

/// A bar on a terminal (indicatif hides it elsewhere), and for a long catch-up a line on
/// stderr when it starts and when it ends.
pub(crate) struct CatchUp {
    /// What is done, for the lines on stderr ("rebuilding the search index").
    what: &'static str,
    span: Span,
    total: AtomicU64,
    started: Instant,
}

impl CatchUp {
    pub(crate) fn new(what: &'static str) -> CatchUp {
        let span = tracing::info_span!("search_index");
        span.pb_set_style(&crate::logging::bar_style(
            "{spinner} updating the search index [{bar:30}] {percent}% eta {eta}",
        ));
        CatchUp {
            what,
            span,
            total: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    /// Runs `work` with the bar shown, then says how long a long catch-up took.
    pub(crate) fn run<T>(&self, work: impl FnOnce(&CatchUp) -> T) -> T {
        let out = {
            let _shown = self.span.enter();
            work(self)
        };
        if self.total.load(Ordering::Relaxed) >= ANNOUNCE_BYTES {
            eprintln!(
                "{}: done in {:.1} s",
                self.what,
                self.started.elapsed().as_secs_f64()
            );
        }
        out
    }
}

impl SyncProgress for CatchUp {
    fn start(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.span.pb_set_length(total);
        if total >= ANNOUNCE_BYTES {
            eprintln!(
                "{} from {:.1} MB of capture logs; this takes a while",
                self.what,
                total as f64 / 1e6
            );
        }
    }

    fn advance(&self, bytes: u64) {
        self.span.pb_inc(bytes);
    }
}
