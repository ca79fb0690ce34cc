//! `newsvault reindex`: rebuilds `index.sqlite` and `search/` from `archive/` alone.

use crate::data::open_archive;
use anyhow::Context;
use std::path::Path;

pub(crate) fn run(data: &Path) -> anyhow::Result<u8> {
    let archive = open_archive(data)?;
    // Hold the writer lock so no import changes the archive while it is replayed.
    let _writer = archive.writer().context("cannot lock the archive")?;
    let index = index::Index::rebuild(data, &archive).context("cannot rebuild the index")?;
    let (sources, articles, versions, captures) = index.counts()?;
    eprintln!(
        "rebuilt {}: {sources} sources, {articles} articles, {versions} versions, {captures} captures",
        index.path().display()
    );
    let started = std::time::Instant::now();
    let search = crate::catch_up::CatchUp::new("rebuilding the search index")
        .run(|bar| index::SearchIndex::rebuild_with(data, &archive, bar))
        .context("cannot rebuild the search index")?;
    eprintln!(
        "rebuilt {}: {} searchable versions in {:.1} s",
        search.dir().display(),
        search.num_docs(),
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}
