//! `newsvault export warc FILE [--source S]... [--since D] [--until D]`
//!
//! Copies the raw HTTP exchanges kept under `<data>/warc/` into one `.warc.gz`: a fresh
//! `warcinfo` record first, then the selected records' gzip members byte for byte (their
//! digests stay valid). Selection: `WARC-Date` in `[since, until)` and `Newsvault-Source` one of
//! the sources (any when none is given). A request record goes with its response (paired by
//! `WARC-Concurrent-To`), never on its own. The `warcinfo` record of each input file that
//! contributes records is copied too, before its first record, so that the `WARC-Warcinfo-ID`
//! of the copied records still names a record in the export.
//!
//! Files last modified before `--since` are skipped unread: a record is written after its
//! exchange started, so such a file holds nothing dated at or after `--since`. (The day folder
//! names the day a file was opened; a writer kept open for days puts later records in an
//! earlier folder, so folder names alone cannot be trusted to skip.)
//!
//! A damaged input file is named on stderr with the offset of the bad record; the records
//! before it are exported, the rest of that file is skipped, and the exit code is 2. A file
//! still being written (`.warc.gz.open`) normally ends in a partial record: that is not damage.

use crate::cli::ExportWarcArgs;
use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, Utc};
use fetch::warc::{ReadError, Record, WarcReader};
use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Reads `D` of `--since D` / `--until D`: a `YYYY-MM-DD` date (UTC midnight) or an RFC 3339
/// time.
pub(crate) fn parse_when(value: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(day) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Ok(day.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!("{value:?} is neither a date (2024-05-01) nor an RFC 3339 time (2024-05-01T08:00:00Z)")
        })
}

pub(crate) fn run(data: &Path, args: &ExportWarcArgs) -> anyhow::Result<u8> {
    if !data.is_dir() {
        bail!("no data directory at {}", data.display());
    }
    if let (Some(since), Some(until)) = (args.since, args.until)
        && since >= until
    {
        bail!("--since ({since}) must be before --until ({until})");
    }
    let filter = Filter {
        sources: args.sources.iter().cloned().collect(),
        since: args.since,
        until: args.until,
    };
    let warc_root = data.join("warc");
    let (inputs, skipped) = input_files(&warc_root, args.since)?;

    let mut out = Output::create(&args.file)?;
    let filename = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let description = filter.describe();
    let (_, warcinfo) =
        fetch::warc::warcinfo_member(&filename, Utc::now(), &[("description", &description)])
            .context("cannot encode the warcinfo record")?;
    out.write(&warcinfo, "warcinfo")?;

    let mut damaged = 0;
    for input in &inputs {
        match copy_file(input, &filter, &mut out) {
            Ok(()) => {}
            Err(Problem::Write(e)) => return Err(e),
            Err(Problem::Read(ReadError::Truncated { .. })) if input.still_open => {
                tracing::debug!(path = %input.path.display(), "stopped at the record being written");
            }
            Err(Problem::Read(e)) => {
                damaged += 1;
                eprintln!("damaged: {e}; the rest of this file is skipped");
            }
            Err(Problem::Open(e)) => {
                damaged += 1;
                eprintln!("unreadable: {}: {e}", input.path.display());
            }
        }
    }
    let (records, bytes, by_type) = (out.records, out.bytes, out.by_type.clone());
    out.commit()
        .with_context(|| format!("cannot write {}", args.file.display()))?;

    let types: Vec<String> = by_type.iter().map(|(t, n)| format!("{n} {t}")).collect();
    eprintln!(
        "exported {records} records ({}) in {bytes} bytes to {} from {} WARC files ({} skipped as older than --since){}",
        types.join(", "),
        args.file.display(),
        inputs.len(),
        skipped,
        if damaged > 0 {
            format!("; damaged input files: {damaged}")
        } else {
            String::new()
        }
    );
    Ok(if damaged > 0 { crate::EXIT_PARTIAL } else { 0 })
}

/// Which records an export keeps (request records follow their response).
struct Filter {
    sources: HashSet<String>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
}

impl Filter {
    fn keeps(&self, record: &Record) -> bool {
        if !self.sources.is_empty() && !record.source().is_some_and(|s| self.sources.contains(s)) {
            return false;
        }
        if self.since.is_none() && self.until.is_none() {
            return true;
        }
        record.date().is_some_and(|d| {
            self.since.is_none_or(|since| d >= since) && self.until.is_none_or(|until| d < until)
        })
    }

    /// The selection, for the warcinfo record.
    fn describe(&self) -> String {
        let mut text = String::from("newsvault export warc");
        let mut sources: Vec<&String> = self.sources.iter().collect();
        sources.sort();
        for s in sources {
            text.push_str(&format!(" --source {s}"));
        }
        if let Some(since) = self.since {
            text.push_str(&format!(" --since {}", since.to_rfc3339()));
        }
        if let Some(until) = self.until {
            text.push_str(&format!(" --until {}", until.to_rfc3339()));
        }
        text
    }
}

/// One WARC file under `warc/`.
struct Input {
    path: PathBuf,
    /// A `.warc.gz.open` file: a writer may still be appending to it.
    still_open: bool,
}

/// The `.warc.gz` (and `.warc.gz.open`) files under `warc_root` in day and number order, and
/// how many were skipped as last modified before `since`.
fn input_files(
    warc_root: &Path,
    since: Option<DateTime<Utc>>,
) -> anyhow::Result<(Vec<Input>, usize)> {
    let mut inputs = Vec::new();
    let mut skipped = 0;
    if !warc_root.is_dir() {
        return Ok((inputs, skipped));
    }
    let list = |dir: &Path| -> anyhow::Result<Vec<PathBuf>> {
        let mut paths = Vec::new();
        for entry in
            std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?
        {
            paths.push(
                entry
                    .with_context(|| format!("cannot list {}", dir.display()))?
                    .path(),
            );
        }
        Ok(paths)
    };
    let mut days: Vec<PathBuf> = list(warc_root)?
        .into_iter()
        .filter(|p| p.is_dir())
        .collect();
    days.sort();
    for day in days {
        let mut files: Vec<(u64, String, PathBuf)> = list(&day)?
            .into_iter()
            .filter_map(|path| {
                let name = path.file_name()?.to_str()?.to_owned();
                let is_warc = name.ends_with(".warc.gz") || name.ends_with(".warc.gz.open");
                let number = name.split('.').next()?.parse().unwrap_or(u64::MAX);
                (is_warc && path.is_file()).then_some((number, name, path))
            })
            .collect();
        files.sort();
        for (_, name, path) in files {
            if let Some(since) = since {
                let modified = std::fs::metadata(&path)
                    .and_then(|m| m.modified())
                    .with_context(|| format!("cannot read the time of {}", path.display()))?;
                if DateTime::<Utc>::from(modified) < since {
                    skipped += 1;
                    continue;
                }
            }
            inputs.push(Input {
                still_open: name.ends_with(".open"),
                path,
            });
        }
    }
    Ok((inputs, skipped))
}

/// Why copying one input file stopped early.
enum Problem {
    Open(std::io::Error),
    Read(ReadError),
    Write(anyhow::Error),
}

/// Copies the selected records of one input file, pairing requests with their responses.
fn copy_file(input: &Input, filter: &Filter, out: &mut Output) -> Result<(), Problem> {
    let reader = WarcReader::open(&input.path).map_err(Problem::Open)?;
    // This file's warcinfo, written before the first record copied from the file.
    let mut warcinfo: Option<Record> = None;
    // Ids of records decided (kept or not) and of the requests kept responses name.
    let mut kept: HashSet<String> = HashSet::new();
    let mut rejected: HashSet<String> = HashSet::new();
    let mut wanted_requests: HashSet<String> = HashSet::new();
    // Requests seen before the record they belong to.
    let mut pending: Vec<Record> = Vec::new();
    let mut emit = |record: Record, warcinfo: &mut Option<Record>| -> Result<(), Problem> {
        if let Some(info) = warcinfo.take() {
            out.write(info.raw(), "warcinfo").map_err(Problem::Write)?;
        }
        let kind = record.record_type().unwrap_or("untyped").to_owned();
        out.write(record.raw(), &kind).map_err(Problem::Write)
    };
    for record in reader {
        let record = record.map_err(Problem::Read)?;
        let links: Vec<String> = record
            .fields_named("WARC-Concurrent-To")
            .map(str::to_owned)
            .collect();
        let id = record.id().unwrap_or_default().to_owned();
        match record.record_type() {
            Some("warcinfo") => warcinfo = Some(record),
            Some("request") if !links.is_empty() => {
                if wanted_requests.contains(&id) || links.iter().any(|l| kept.contains(l)) {
                    emit(record, &mut warcinfo)?;
                } else if !links.iter().all(|l| rejected.contains(l)) {
                    pending.push(record);
                }
            }
            _ => {
                let keep = filter.keeps(&record);
                let (linked, rest): (Vec<Record>, Vec<Record>) =
                    pending.drain(..).partition(|request| {
                        links.iter().any(|l| request.id() == Some(l.as_str()))
                            || request.fields_named("WARC-Concurrent-To").any(|l| l == id)
                    });
                pending = rest;
                if keep {
                    for request in linked {
                        emit(request, &mut warcinfo)?;
                    }
                    emit(record, &mut warcinfo)?;
                    wanted_requests.extend(links);
                    kept.insert(id);
                } else {
                    rejected.insert(id);
                }
            }
        }
    }
    Ok(())
}

/// The export file, written to a temporary name beside `FILE` and renamed when complete.
struct Output {
    temp: PathBuf,
    target: PathBuf,
    file: Option<BufWriter<File>>,
    records: usize,
    bytes: u64,
    by_type: BTreeMap<String, usize>,
}

impl Output {
    fn create(target: &Path) -> anyhow::Result<Output> {
        let name = target
            .file_name()
            .with_context(|| format!("{} does not name a file", target.display()))?
            .to_string_lossy()
            .into_owned();
        let temp = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let file =
            File::create(&temp).with_context(|| format!("cannot create {}", temp.display()))?;
        Ok(Output {
            temp,
            target: target.to_owned(),
            file: Some(BufWriter::new(file)),
            records: 0,
            bytes: 0,
            by_type: BTreeMap::new(),
        })
    }

    fn write(&mut self, member: &[u8], kind: &str) -> anyhow::Result<()> {
        let file = self.file.as_mut().context("the export file is closed")?;
        file.write_all(member)
            .with_context(|| format!("cannot write {}", self.temp.display()))?;
        self.records += 1;
        self.bytes += member.len() as u64;
        *self.by_type.entry(kind.to_owned()).or_default() += 1;
        Ok(())
    }

    /// Flushes and syncs the temporary file, then renames it to the target.
    fn commit(mut self) -> anyhow::Result<()> {
        let file = self.file.take().context("the export file is closed")?;
        let finish = || -> std::io::Result<()> {
            let file = file.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            drop(file);
            std::fs::rename(&self.temp, &self.target)
        };
        if let Err(e) = finish() {
            let _ = std::fs::remove_file(&self.temp);
            return Err(e.into());
        }
        let dir = match self.target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        File::open(dir)?.sync_all()?;
        Ok(())
    }
}

impl Drop for Output {
    /// An export that did not commit leaves no temporary file behind.
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times() {
        assert_eq!(
            parse_when("2024-05-01").unwrap().to_rfc3339(),
            "2024-05-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_when("2024-05-01T10:00:00+08:00")
                .unwrap()
                .to_rfc3339(),
            "2024-05-01T02:00:00+00:00"
        );
        assert!(parse_when("May 1").unwrap_err().contains("\"May 1\""));
    }
}
