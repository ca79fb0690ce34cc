//! Moving records into and out of the archive, with identity and dedupe.
//!
//! - [`import`]: duty-machine trees, folders of records or single records → new articles,
//!   new versions or `unchanged` observations, never a duplicate, never an overwrite.
//! - [`export_duty_machine`]: the archive → a duty-machine tree, byte-exact for what was
//!   imported, incremental on re-export.
//! - [`refresh_source`]: one check of a watched source (feed → items → pages → archive), run
//!   by `fetch`, the `run` scheduler and the web; [`schedule`] says when a source is due.
//! - [`reextract`]: extraction run again over raw pages kept in WARC.
//!
//! Words: a *site folder* is a folder under `articles/` of a duty-machine tree; an *origin* is
//! the tree path (`articles/<site>/<file>.md`) a record was imported from.

mod clock;
mod error;
mod export;
mod import;
mod media;
mod recheck;
mod reextract;
mod refresh;
pub mod schedule;
mod sites;
mod store;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::IngestError;
pub use export::{ExportSummary, MANIFEST as EXPORT_MANIFEST, export_duty_machine};
pub use import::{ImportOptions, ImportProgress, ImportSummary, Rejected, import};
pub use recheck::{
    RecheckReport, TRANSIENT_CHECKS, TRANSIENT_SPAN, next_check, recheck_article, recheck_due,
};
pub use reextract::{ReextractSummary, reextract};
pub use refresh::{Ingest, RefreshOptions, RefreshReport, refresh_source};
pub use sites::{identify, source_for_folder, source_for_url};

/// Now, as capture logs write times: RFC 3339 UTC with milliseconds.
pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
