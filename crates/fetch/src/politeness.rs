//! Per-host politeness: at most N requests in flight to one host, starts spaced by a minimum
//! interval, and a host that answered `Retry-After` left alone until then.
//!
//! # Architecture
//! One [`HostState`] per host name, created on first use and shared by every source that
//! fetches from that host (so two feeds on one site do not double its load). A request first
//! takes a concurrency permit, then waits for the host's next start slot, then books the slot
//! after it. `Retry-After` pushes the next slot forward; it never moves it back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The per-host limits shared by every fetch of one [`crate::Fetcher`].
#[derive(Debug)]
pub struct HostLimits {
    per_host: usize,
    min_interval: Duration,
    hosts: Mutex<HashMap<String, Arc<HostState>>>,
}

#[derive(Debug)]
struct HostState {
    permits: Arc<Semaphore>,
    next_start: tokio::sync::Mutex<Instant>,
}

/// Held while a request to a host is in flight.
#[derive(Debug)]
pub(crate) struct HostPermit {
    _permit: OwnedSemaphorePermit,
}

impl HostLimits {
    /// Limits of `per_host` requests in flight and `min_interval` between starts, per host.
    pub fn new(per_host: usize, min_interval: Duration) -> HostLimits {
        HostLimits {
            per_host: per_host.max(1),
            min_interval,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn state(&self, host: &str) -> Arc<HostState> {
        let mut hosts = self.hosts.lock().expect("host table lock");
        hosts
            .entry(host.to_ascii_lowercase())
            .or_insert_with(|| {
                Arc::new(HostState {
                    permits: Arc::new(Semaphore::new(self.per_host)),
                    next_start: tokio::sync::Mutex::new(Instant::now()),
                })
            })
            .clone()
    }

    /// Waits until a request to `host` may start, and holds its slot while the permit lives.
    pub(crate) async fn acquire(&self, host: &str) -> HostPermit {
        let state = self.state(host);
        let permit = state
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("semaphores are never closed");
        let mut next = state.next_start.lock().await;
        let now = Instant::now();
        if *next > now {
            tokio::time::sleep_until(*next).await;
        }
        *next = Instant::now().max(*next) + self.min_interval;
        HostPermit { _permit: permit }
    }

    /// Sends nothing to `host` before `until` (a `Retry-After` answer).
    pub(crate) async fn defer(&self, host: &str, until: Instant) {
        let state = self.state(host);
        let mut next = state.next_start.lock().await;
        if until > *next {
            *next = until;
        }
    }

    /// When the next request to `host` may start, if that is in the future.
    pub async fn deferred_until(&self, host: &str) -> Option<Instant> {
        let state = self.state(host);
        let next = *state.next_start.lock().await;
        (next > Instant::now()).then_some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn starts_are_spaced_per_host_and_hosts_are_independent() {
        let limits = HostLimits::new(2, Duration::from_millis(500));
        let t0 = Instant::now();
        let _a = limits.acquire("a.example").await;
        let _b = limits.acquire("b.example").await;
        assert!(
            t0.elapsed() < Duration::from_millis(10),
            "different hosts do not wait"
        );
        let _a2 = limits.acquire("A.example").await;
        assert!(
            t0.elapsed() >= Duration::from_millis(500),
            "same host waits the interval"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn concurrency_is_capped_and_retry_after_defers() {
        let limits = Arc::new(HostLimits::new(1, Duration::ZERO));
        let first = limits.acquire("h").await;
        let l2 = limits.clone();
        let second = tokio::spawn(async move {
            let _p = l2.acquire("h").await;
            Instant::now()
        });
        tokio::time::sleep(Duration::from_secs(3)).await;
        let released = Instant::now();
        drop(first);
        assert!(
            second.await.unwrap() >= released,
            "the second waits for the first to finish"
        );

        let until = Instant::now() + Duration::from_secs(120);
        limits.defer("h", until).await;
        assert_eq!(limits.deferred_until("h").await, Some(until));
        let _p = limits.acquire("h").await;
        assert!(Instant::now() >= until);
    }
}
