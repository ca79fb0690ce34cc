//! Logging (`RUST_LOG`, default `warn`) and progress bars that stay clean under log output.

use tracing_indicatif::IndicatifLayer;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, fmt};

pub(crate) fn init() {
    // Bars are drawn from tracing spans so that log lines print above them (STACK.md pitfall 17).
    // `RUST_LOG` filters the log lines only: the binary's own spans always get their bar, which
    // indicatif hides by itself when stderr is not a terminal.
    let indicatif = IndicatifLayer::new();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let log = fmt::layer()
        .with_writer(indicatif.get_stderr_writer())
        .with_target(false)
        // Colour only for people: logs of a daemon go to files and journals.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_filter(filter);
    let bars = indicatif.with_filter(filter_fn(|meta| {
        meta.is_span() && meta.target().starts_with("newsvault")
    }));
    let _ = tracing_subscriber::registry()
        .with(log)
        .with(bars)
        .try_init();
}
