//! Logging (`RUST_LOG`, default `warn`) and progress bars that stay clean under log output.

use tracing::Level;
use tracing_indicatif::IndicatifLayer;
use tracing_subscriber::filter::{LevelFilter, filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, fmt};

pub(crate) fn init() {
    // Bars are drawn from tracing spans so that log lines print above them (STACK.md pitfall 17).
    // `RUST_LOG` filters the log lines only: the binary's own spans always get their bar, which
    // indicatif hides by itself when stderr is not a terminal.
    let indicatif = IndicatifLayer::new();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let log_crate_level = log_level(filter.max_level_hint());
    let log = fmt::layer()
        .with_writer(indicatif.get_stderr_writer())
        .with_target(false)
        // Colour only for people: logs of a daemon go to files and journals.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_filter(filter);
    let bars = indicatif.with_filter(filter_fn(|meta| {
        meta.is_span() && meta.target().starts_with("newsvault")
    }));
    if tracing_subscriber::registry()
        .with(log)
        .with(bars)
        .try_init()
        .is_ok()
    {
        // Records of the `log` crate (html5ever, under ammonia, scraper and extraction) can only
        // become log lines, so they get the log lines' level. Left to `try_init`, it would be
        // the bars' (every level, as their filter gives no hint), and html5ever, seeing debug
        // enabled, formats every token it parses: most of the CPU of an article or search
        // page went there.
        log::set_max_level(log_crate_level);
    }
}

/// The style of the binary's progress bars: `template` with indicatif's placeholders, the
/// bar drawn with `=>`.
pub(crate) fn bar_style(template: &str) -> indicatif::ProgressStyle {
    indicatif::ProgressStyle::with_template(template)
        .expect("valid template")
        .progress_chars("=> ")
}

/// The `log` crate's level for a tracing filter's most verbose level (`None`: no hint, so
/// anything may pass).
fn log_level(hint: Option<LevelFilter>) -> log::LevelFilter {
    let Some(hint) = hint else {
        return log::LevelFilter::Trace;
    };
    match hint.into_level() {
        None => log::LevelFilter::Off,
        Some(level) if level == Level::ERROR => log::LevelFilter::Error,
        Some(level) if level == Level::WARN => log::LevelFilter::Warn,
        Some(level) if level == Level::INFO => log::LevelFilter::Info,
        Some(level) if level == Level::DEBUG => log::LevelFilter::Debug,
        Some(_) => log::LevelFilter::Trace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_crate_gets_the_filters_level() {
        let level = |text: &str| log_level(EnvFilter::new(text).max_level_hint());
        assert_eq!(level("warn"), log::LevelFilter::Warn);
        assert_eq!(level("info,newsvault=debug"), log::LevelFilter::Debug);
        assert_eq!(level("off"), log::LevelFilter::Off);
        assert_eq!(log_level(None), log::LevelFilter::Trace);
    }
}
