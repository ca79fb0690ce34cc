//! The signals that stop a long-running command (`serve`, `run`) cleanly.

/// Completes on the first SIGINT (Ctrl-C) or SIGTERM (what `kill`, systemd and Docker send).
///
/// Pass it as a shutdown future: the caller then stops taking work, finishes what is in
/// flight and returns, so the process exits 0. A signal whose handler cannot be installed is
/// logged and never fires; the other one still works.
pub(crate) async fn shutdown_signal() {
    let interrupt = async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "SIGINT",
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGINT");
                std::future::pending().await
            }
        }
    };
    let terminate = terminate();
    let name = tokio::select! {
        name = interrupt => name,
        name = terminate => name,
    };
    tracing::info!(signal = name, "shutting down");
}

#[cfg(unix)]
async fn terminate() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            term.recv().await;
            "SIGTERM"
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGTERM");
            std::future::pending().await
        }
    }
}

#[cfg(not(unix))]
async fn terminate() -> &'static str {
    std::future::pending().await
}
