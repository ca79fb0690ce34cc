//! The web server: the JSON API today; the HTML reader, Atom out and static assets later.
//!
//! This crate owns HTTP: routes, status codes, JSON shapes and how a request reaches the data.
//! It does not own business rules: what a source's state means, how articles are identified or
//! stored, or when a source is due are decided by `index`, `archive` and `ingest`, and a handler
//! only reads and presents them.
//!
//! Words: the *state* ([`WebState`]) is what every handler shares (the data directory, the
//! configured sources, when the server started); a *read* opens its own connection to
//! `index.sqlite` on a blocking thread, so the one writer (the daemon's ingest) and any number of
//! readers run side by side (the index is in WAL mode).
//!
//! [`router`] builds the routes; [`serve`] runs them on a listener the caller bound, until the
//! caller's shutdown future completes, so tests and the daemon boot the same server.

mod api;
mod content;
mod error;
mod state;

pub use state::WebState;

use axum::Router;
use std::future::Future;
use tokio::net::TcpListener;

/// Every route of the server, ready to serve or to call in-process (`tower::ServiceExt::oneshot`).
///
/// Routes are grouped by module; a new group (the reader, Atom) is one more `.merge` or `.nest`
/// here.
pub fn router(state: WebState) -> Router {
    Router::new()
        .nest("/api/v1", api::routes())
        .with_state(state)
}

/// Serves [`router`] on `listener` until `shutdown` completes, then finishes the requests in
/// flight and returns.
///
/// The caller binds the listener (so it picks the address, and a test can bind port 0) and
/// supplies the shutdown signal (SIGINT/SIGTERM in the binary, a channel in tests).
pub async fn serve(
    listener: TcpListener,
    state: WebState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "serving");
    }
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
