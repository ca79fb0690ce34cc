//! The signals that stop a long-running command (`serve`, `run`) cleanly, and SIGHUP, which
//! makes it read its sources from the configuration file again.

use std::future::Future;
use tokio::sync::watch;

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

/// Completes once `stop` holds `true`: one stop signal, seen by every half of a command.
pub(crate) async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Calls `reload` on every SIGHUP until `stop` completes. The handler is installed by this
/// call, not when the future is first polled, so call it before announcing the address: from
/// then on a SIGHUP reloads instead of ending the process. Where SIGHUP cannot be listened for
/// (not Unix, or the handler fails to install, which is logged), the future only waits for
/// `stop`.
pub(crate) fn reload_on_hangup(
    stop: impl Future<Output = ()>,
    mut reload: impl FnMut(),
) -> impl Future<Output = ()> {
    #[cfg(unix)]
    let hangup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(hangup) => Some(hangup),
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGHUP: reload sources by restarting");
            None
        }
    };
    async move {
        tokio::pin!(stop);
        #[cfg(unix)]
        if let Some(mut hangup) = hangup {
            loop {
                tokio::select! {
                    () = &mut stop => return,
                    Some(()) = hangup.recv() => reload(),
                }
            }
        }
        #[cfg(not(unix))]
        let _ = &mut reload;
        stop.await;
    }
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
