//! `newsvault verify`: re-hash every record and re-check every capture-log chain, and the
//! WARC records the logs name ([`verify_warc`](crate::verify_warc)).
//!
//! Damage (exit 1 in the CLI) is anything that breaks the archive's promises: a log line that
//! does not parse, a gap in sequence numbers, a broken hash chain, a named record that is
//! missing, unreadable or whose bytes no longer match their hash, a named WARC record that is
//! missing or whose digests or payload hash do not match, a damaged WARC file. Warnings are
//! the harmless traces of a crash: a torn last log line, records no log names yet, leftovers in
//! staging; and WARC digests that cannot be checked (none, or an unknown algorithm).

use crate::verify_warc::NamedRecords;
use crate::{Archive, ArchiveError, CAPTURE_LOG, read_log};
use model::CHAIN_START;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// One problem found, located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The file.
    pub path: PathBuf,
    /// 1-based line in a capture log, when the finding is about one.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// What verify checked and found.
#[derive(Clone, Debug, Default)]
pub struct VerifyReport {
    /// Sources checked.
    pub sources: usize,
    /// Capture-log lines checked.
    pub lines: u64,
    /// Record files re-hashed.
    pub records: u64,
    /// WARC records named by capture logs, found and re-hashed.
    pub warc_records: u64,
    /// Broken promises.
    pub damage: Vec<Finding>,
    /// Harmless leftovers of crashes.
    pub warnings: Vec<Finding>,
}

impl VerifyReport {
    /// No damage found.
    pub fn is_ok(&self) -> bool {
        self.damage.is_empty()
    }
}

/// What [`verify_with`] checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Leave out the WARC records (reading every WARC file takes long on a large archive).
    pub skip_warc: bool,
}

/// Checks the whole archive, WARC records included. Errors only when the archive cannot be
/// listed at all.
pub fn verify(archive: &Archive) -> Result<VerifyReport, ArchiveError> {
    verify_with(archive, &VerifyOptions::default())
}

/// Checks the whole archive as `options` say. Errors only when the archive cannot be listed.
pub fn verify_with(
    archive: &Archive,
    options: &VerifyOptions,
) -> Result<VerifyReport, ArchiveError> {
    let mut report = VerifyReport::default();
    let mut named_warc = NamedRecords::default();
    let mut staged = Vec::new();
    walk(&archive.archive_dir().join(".staging"), &mut staged);
    for path in staged {
        report.warnings.push(Finding {
            path,
            line: None,
            message:
                "uncommitted staged record (a writer was interrupted); removed by the next writer"
                    .into(),
        });
    }
    // A record is named by the log of the source that observed it, which need not be the
    // source whose folder holds the article: collect names from every log before walking.
    let mut named = HashSet::new();
    let sources = archive.sources()?;
    for meta in &sources {
        report.sources += 1;
        let log_path = archive.source_dir(&meta.id).join(CAPTURE_LOG);
        let log_no = named_warc.log(log_path.clone());
        let mut reader = read_log(archive, &meta.id)?;
        let (mut expect_seq, mut prev) = (1u64, CHAIN_START.to_owned());
        let damage = |report: &mut VerifyReport, line: Option<usize>, message: String| {
            report.damage.push(Finding {
                path: log_path.clone(),
                line,
                message,
            })
        };
        for line in reader.by_ref() {
            let line = match line {
                Ok(line) => line,
                Err(ArchiveError::Invalid { line, message, .. }) => {
                    damage(&mut report, line, message);
                    // The chain cannot be followed past an unreadable line.
                    break;
                }
                Err(e) => return Err(e),
            };
            report.lines += 1;
            let c = &line.capture;
            if c.seq != expect_seq {
                damage(
                    &mut report,
                    Some(line.line_no),
                    format!(
                        "sequence number {} where {} was expected",
                        c.seq, expect_seq
                    ),
                );
            }
            if c.prev != prev {
                damage(
                    &mut report,
                    Some(line.line_no),
                    "hash chain broken: `prev` is not the SHA-256 of the previous line".into(),
                );
            }
            if c.source != meta.id {
                damage(
                    &mut report,
                    Some(line.line_no),
                    format!(
                        "line belongs to source {:?}, found in the log of {:?}",
                        c.source.as_str(),
                        meta.id.as_str()
                    ),
                );
            }
            if let Some(path) = &c.path {
                named.insert(path.clone());
                report.records += 1;
                check_record(
                    archive,
                    path,
                    c.record_sha256.as_deref(),
                    &mut report,
                    &log_path,
                    line.line_no,
                );
            }
            if let Some(id) = c.warc_record_id.as_deref()
                && !options.skip_warc
            {
                named_warc.add(
                    log_no,
                    line.line_no,
                    id,
                    c.body_sha256.as_deref(),
                    &mut report,
                );
            }
            expect_seq = c.seq + 1;
            prev = line.hash;
        }
        if let Some(line) = reader.torn_tail() {
            report.warnings.push(Finding {
                path: log_path.clone(),
                line: Some(line),
                message: "torn last line (a crash during an append); cut off by the next writer"
                    .into(),
            });
        }
    }
    for meta in &sources {
        let mut files = Vec::new();
        walk(&archive.source_dir(&meta.id), &mut files);
        for file in files {
            let Ok(relative) = file.strip_prefix(archive.root()) else {
                continue;
            };
            let relative = relative.to_string_lossy().replace('\\', "/");
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.contains(".orphan-") {
                report.warnings.push(Finding {
                    path: file,
                    line: None,
                    message: "record set aside after a crash (never logged)".into(),
                });
            } else if name.ends_with(".md") && !named.contains(&relative) {
                report.warnings.push(Finding { path: file, line: None, message: "record not named by any capture-log line (written before a crash); adopted by the next import".into() });
            }
        }
    }
    // An archive of imports alone names no WARC record: nothing to read.
    if !named_warc.is_empty() {
        named_warc.check(&archive.root().join("warc"), &mut report);
    }
    Ok(report)
}

fn check_record(
    archive: &Archive,
    path: &str,
    sha: Option<&str>,
    report: &mut VerifyReport,
    log: &Path,
    line: usize,
) {
    let file = archive.resolve(path);
    let mut damage = |message: String| {
        report.damage.push(Finding {
            path: file.clone(),
            line: None,
            message: format!("{message} (named at {}:{line})", log.display()),
        })
    };
    match std::fs::read(&file) {
        Ok(bytes) => {
            let actual = model::sha256_hex(&bytes);
            if Some(actual.as_str()) != sha {
                damage(format!(
                    "content changed: SHA-256 is {actual}, the capture log says {}",
                    sha.unwrap_or("nothing")
                ));
            } else if let Err(e) = record::parse(&bytes, &file.to_string_lossy()) {
                damage(format!("not a readable record: {e}"));
            }
        }
        Err(e) => damage(format!("missing or unreadable record: {e}")),
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, out),
            Ok(_) => out.push(path),
            Err(_) => {}
        }
    }
}
