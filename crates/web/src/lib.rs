//! The web server: the HTML reader, the JSON API (`/api/v1`, described by `openapi.json`),
//! Atom feeds (`/feeds`) and archived media (`/assets`), behind one set of layers (security
//! headers, ETag/304, compression, limits: `layers.rs`).
//!
//! This crate owns HTTP: routes, status codes, JSON shapes and how a request reaches the data.
//! It does not own business rules: what a source's state means, how articles are identified or
//! stored, or when a source is due are decided by `index`, `archive` and `ingest`, and a handler
//! only reads and presents them.
//!
//! Words: the *state* ([`WebState`]) is what every handler shares (the data directory, the
//! configured sources, when the server started, a pool of read connections, the search index,
//! the admin actions); a *read* takes a connection to `index.sqlite` from the pool on a blocking
//! thread, so the one writer (the daemon's ingest) and any number of readers run side by side
//! (the index is in WAL mode). The server only reads the search index; it never creates it.
//!
//! [`router`] builds the routes; [`serve`] runs them on a listener the caller bound, until the
//! caller's shutdown future completes, so tests and the daemon boot the same server.

mod admin;
mod api;
mod atom;
mod content;
mod error;
mod gzip;
mod html;
mod layers;
mod media;
mod readiness;
mod state;

pub use admin::{Admin, AdminError, AdminFuture, RefreshSummary};
pub use readiness::{SEARCH_WAIT, SearchCatchUp, SearchReadiness};
pub use state::{DEFAULT_SEARCH_TEXT_CACHE_BYTES, WebState};

use axum::Router;
use std::future::Future;
use tokio::net::TcpListener;

/// Every route of the server, ready to serve or to call in-process (`tower::ServiceExt::oneshot`).
///
/// Routes are grouped by module; a new group (the reader, Atom) is one more `.merge` or `.nest`
/// here.
pub fn router(state: WebState) -> Router {
    let routes = Router::new()
        .nest("/api/v1", api::routes())
        .merge(atom::routes())
        .merge(media::routes())
        .merge(html::routes())
        .with_state(state);
    // Last, so that every route (and the fallback) gets the headers, validators and limits.
    layers::apply(routes)
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
