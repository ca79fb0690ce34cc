//! Moving records into and out of the archive, with identity and dedupe.
//!
//! - [`import`]: duty-machine trees, folders of records or single records → new articles,
//!   new versions or `unchanged` observations, never a duplicate, never an overwrite.
//! - [`export_duty_machine`]: the archive → a duty-machine tree, byte-exact for what was
//!   imported, incremental on re-export.
//!
//! Later issues add `refresh_source` (feeds) here; they share [`identify`] and the dedupe rules.
//! Words: a *site folder* is a folder under `articles/` of a duty-machine tree; an *origin* is
//! the tree path (`articles/<site>/<file>.md`) a record was imported from.

mod error;
mod export;
mod import;
mod sites;

pub use error::IngestError;
pub use export::{ExportSummary, MANIFEST as EXPORT_MANIFEST, export_duty_machine};
pub use import::{ImportOptions, ImportProgress, ImportSummary, Rejected, import};
pub use sites::{identify, source_for_folder, source_for_url};
