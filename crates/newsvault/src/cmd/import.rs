//! `newsvault import PATH...`

use crate::cli::ImportArgs;
use crate::data::{open_archive, open_index};
use anyhow::Context;
use std::path::Path;
use tracing::Span;
use tracing_indicatif::span_ext::IndicatifSpanExt;

struct Bar(Span);

impl ingest::ImportProgress for Bar {
    fn start(&self, total: u64) {
        self.0.pb_set_length(total);
    }
    fn advance(&self, n: u64) {
        self.0.pb_inc(n);
    }
}

pub(crate) fn run(data: &Path, args: &ImportArgs) -> anyhow::Result<u8> {
    let archive = open_archive(data)?;
    let mut writer = archive.writer().context("cannot write to the archive")?;
    let mut index = open_index(data, &archive)?;
    let span = tracing::info_span!("import");
    span.pb_set_style(&crate::logging::bar_style(
        "{spinner} importing {pos}/{len} records [{bar:30}] {per_sec} eta {eta}",
    ));
    let options = ingest::ImportOptions {
        batch: args.batch,
        threads: 0,
    };
    let summary = {
        let _entered = span.enter();
        ingest::import(
            &archive,
            &mut writer,
            &mut index,
            &args.paths,
            &options,
            &Bar(span.clone()),
        )
        .context("import stopped")?
    };
    drop(span);
    for r in &summary.rejected {
        eprintln!("rejected: {}: {}", r.path.display(), r.reason);
    }
    eprintln!(
        "imported {} files: {} new, {} unchanged, {} new versions, {} rejected{}",
        summary.files,
        summary.new,
        summary.unchanged,
        summary.new_versions,
        summary.rejected.len(),
        if summary.with_warnings > 0 {
            format!(
                " ({} read with deviations; RUST_LOG=debug lists them)",
                summary.with_warnings
            )
        } else {
            String::new()
        }
    );
    let stored = summary.new + summary.new_versions;
    if stored > 0 {
        eprintln!(
            "the search index adds the {stored} stored versions on the next `newsvault search`, `serve` or `run`"
        );
    }
    Ok(if summary.rejected.is_empty() {
        0
    } else {
        crate::EXIT_PARTIAL
    })
}
