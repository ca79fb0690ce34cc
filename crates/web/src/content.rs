//! Archived content as the reader shows it: a stored record read back, its body sanitized.
//!
//! Shared by the HTML pages, the JSON API and Atom out, so all three show the same cleaned body
//! and none of them ever serves archived HTML that did not pass the sanitizer.

use crate::error::ApiError;
use index::Index;
use record::Record;
use std::path::Path;

/// Reads the record at `rel` (a path relative to the data directory, as the index stores it).
///
/// The path comes from the index, not from a request, but it is still checked to stay inside
/// `archive/`: a damaged index must not make the server read arbitrary files.
pub(crate) fn read_record(data_dir: &Path, rel: &str) -> Result<Record, ApiError> {
    let inside = rel.starts_with("archive/")
        && rel
            .split('/')
            .all(|part| !part.is_empty() && part != ".." && part != ".");
    if !inside {
        return Err(ApiError::Record {
            path: rel.to_owned(),
            message: "not a record path inside archive/".into(),
        });
    }
    let bytes = std::fs::read(data_dir.join(rel)).map_err(|e| ApiError::Record {
        path: rel.to_owned(),
        message: e.to_string(),
    })?;
    record::parse(&bytes, rel)
        .map(|p| p.record)
        .map_err(|e| ApiError::Record {
            path: rel.to_owned(),
            message: e.to_string(),
        })
}

/// The display-safe body of `record`: tidied and sanitized, images that were archived pointed
/// at `/assets/...` (looked up in the index's URL → asset map), and images that were not shown
/// as a labelled link to the original ([`clean::UNARCHIVED_IMAGE_LABEL`]), so that showing it
/// makes no request to a third-party host.
pub(crate) fn body_html(index: &Index, record: &Record) -> String {
    let base = record.url.as_deref().and_then(|u| url::Url::parse(u).ok());
    clean::sanitize_for_reader(&record.body, base.as_ref(), &|original| {
        // An unreadable map entry only costs the local copy: the image stays a link.
        index.asset(original).ok().flatten().map(|a| a.path)
    })
}
