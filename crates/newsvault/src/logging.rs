//! Logging (`RUST_LOG`, default `warn`) and progress bars that stay clean under log output.

use tracing_indicatif::IndicatifLayer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, fmt};

pub(crate) fn init() {
    // Bars are drawn from tracing spans so that log lines print above them (STACK.md pitfall 17).
    let indicatif = IndicatifLayer::new();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(
            fmt::layer()
                .with_writer(indicatif.get_stderr_writer())
                .with_target(false),
        )
        .with(indicatif)
        .try_init();
}
