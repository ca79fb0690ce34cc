//! Opening the data directory: the archive, and the index brought up to date with it.

use anyhow::Context;
use std::path::Path;

pub(crate) fn open_archive(data: &Path) -> anyhow::Result<archive::Archive> {
    archive::Archive::open(data)
        .with_context(|| format!("cannot open the data directory {}", data.display()))
}

/// The index, synced with the archive (heals a crash between an archive commit and its index update).
pub(crate) fn open_index(data: &Path, archive: &archive::Archive) -> anyhow::Result<index::Index> {
    let mut index = index::Index::open(data).context("cannot open the index")?;
    index
        .sync(archive)
        .context("cannot bring the index up to date with the archive")?;
    Ok(index)
}
