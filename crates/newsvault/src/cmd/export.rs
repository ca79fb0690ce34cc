//! `newsvault export duty-machine DIR`

use crate::data::{open_archive, open_index};
use anyhow::Context;
use std::path::Path;

pub(crate) fn run(data: &Path, dir: &Path) -> anyhow::Result<u8> {
    let archive = open_archive(data)?;
    let index = open_index(data, &archive)?;
    let summary = ingest::export_duty_machine(&archive, &index, dir)
        .with_context(|| format!("cannot export to {}", dir.display()))?;
    eprintln!(
        "exported to {}: {} article files written, {} unchanged, {} lists written",
        dir.display(),
        summary.written,
        summary.unchanged,
        summary.lists_written
    );
    Ok(0)
}
