//! `newsvault verify [--json] [--no-warc]`

use crate::cli::VerifyArgs;
use crate::data::open_archive;
use serde_json::json;
use std::io::Write;
use std::path::Path;

pub(crate) fn run(data: &Path, args: &VerifyArgs) -> anyhow::Result<u8> {
    let archive = open_archive(data)?;
    let report = archive::verify_with(
        &archive,
        &archive::VerifyOptions {
            skip_warc: args.no_warc,
        },
    )?;
    if args.json {
        let list = |f: &[archive::Finding]| {
            f.iter()
                .map(|f| json!({"path": f.path.display().to_string(), "line": f.line, "message": f.message}))
                .collect::<Vec<_>>()
        };
        let doc = json!({
            "ok": report.is_ok(),
            "sources": report.sources,
            "lines": report.lines,
            "records": report.records,
            "warc_records": report.warc_records,
            "damage": list(&report.damage),
            "warnings": list(&report.warnings),
        });
        writeln!(std::io::stdout(), "{doc}")?;
    }
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    for d in &report.damage {
        eprintln!("damage: {d}");
    }
    eprintln!(
        "verified {} sources, {} capture-log lines, {} records, {}: {}",
        report.sources,
        report.lines,
        report.records,
        if args.no_warc {
            "WARC not checked".to_owned()
        } else {
            format!("{} WARC records", report.warc_records)
        },
        if report.is_ok() {
            "ok".to_owned()
        } else {
            format!("{} problems", report.damage.len())
        }
    );
    Ok(if report.is_ok() { 0 } else { 1 })
}
