//! `newsvault export evidence URL|KEY DIR`
//!
//! Writes everything the archive holds about one article so that someone without newsvault
//! can check it with standard tools (`sha256sum`, `warcio`, Python's standard library):
//!
//! ```text
//! DIR/README.txt                         what is here and how to check it
//! DIR/SHA256SUMS                         every other file, in `sha256sum` format
//! DIR/article-lines.tsv                  the capture-log lines about the article
//! DIR/exchanges.warc.gz                  the raw HTTP exchanges those lines name
//! DIR/archive/<source>/captures.jsonl    each source's capture log up to its last line
//!                                        about the article: the whole prefix, as stored,
//!                                        so that the hash chain can be re-computed
//! DIR/archive/<source>/…/<key>/v<N>.md   every version record, as stored
//! ```
//!
//! The folder mirrors the data directory, so the `path` of a capture-log line names its
//! record inside `DIR` too, and an article seen by several sources keeps one log per source.
//! `exchanges.warc.gz` starts with a fresh `warcinfo` record; then, per WARC file of the
//! archive that holds any, that file's `warcinfo` and the named response records with the
//! request records paired with them, each gzip member copied byte for byte (digests stay
//! valid). Version records and log lines are checked against their hashes while copied: a
//! mismatch stops the export (run `newsvault verify`). WARC records named but not found are
//! listed on stderr (exit 2); the rest is still written. `DIR` is built beside its final name
//! and renamed when complete; an existing non-empty `DIR` is refused.

use super::history::find_article;
use crate::cli::ExportEvidenceArgs;
use crate::data::{open_archive, open_index};
use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, Utc};
use fetch::warc::{ReadError, WarcReader};
use model::{ArticleKey, Capture, SourceId};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// One capture-log line about the article.
struct Line {
    log: String,
    line_no: usize,
    capture: Capture,
    /// Offset of the named response record in `exchanges.warc.gz`, once copied.
    offset: Option<u64>,
}

pub(crate) fn run(data: &Path, args: &ExportEvidenceArgs) -> anyhow::Result<u8> {
    let archive = open_archive(data)?;
    let index = open_index(data, &archive)?;
    let (key, article) = find_article(&index, &args.article)?;
    let target = &args.dir;
    if target.exists()
        && std::fs::read_dir(target)
            .with_context(|| format!("cannot list {}", target.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} is not empty: evidence goes into a new or empty folder",
            target.display()
        );
    }
    let build = Building::create(target)?;
    let dir = build.path.clone();

    // The capture logs: each source's prefix up to its last line about the article.
    let mut last_seq: BTreeMap<String, u64> = BTreeMap::new();
    for c in index.captures(&key)? {
        let seq = last_seq.entry(c.source.clone()).or_default();
        *seq = (*seq).max(c.seq);
    }
    let mut lines = Vec::new();
    for (source, until) in &last_seq {
        lines.extend(copy_log(&archive, source, *until, &key, &dir)?);
    }
    if lines.is_empty() {
        bail!(
            "no capture-log line names article {key}: the index is out of date (run newsvault reindex)"
        );
    }

    // The version records, each checked against the hash its line recorded.
    let mut records = BTreeSet::new();
    for line in &lines {
        let (Some(path), Some(sha)) = (&line.capture.path, &line.capture.record_sha256) else {
            continue;
        };
        if !records.insert(path.clone()) {
            continue;
        }
        let from = archive.resolve(path);
        let bytes = std::fs::read(&from).with_context(|| {
            format!(
                "cannot read {} (named at {}:{})",
                from.display(),
                line.log,
                line.line_no
            )
        })?;
        if model::sha256_hex(&bytes) != *sha {
            bail!(
                "{} does not match the SHA-256 recorded at {}:{}: the archive is damaged (run newsvault verify)",
                from.display(),
                line.log,
                line.line_no
            );
        }
        write_file(&dir.join(path), &bytes)?;
    }

    // The raw exchanges.
    let wanted: HashSet<String> = lines
        .iter()
        .filter_map(|l| l.capture.warc_record_id.clone())
        .collect();
    let times: Vec<DateTime<Utc>> = lines
        .iter()
        .filter(|l| l.capture.warc_record_id.is_some())
        .filter_map(|l| DateTime::parse_from_rfc3339(&l.capture.time).ok())
        .map(|t| t.with_timezone(&Utc))
        .collect();
    let description = format!("newsvault export evidence {key} ({})", article.url);
    let copied = copy_exchanges(data, &wanted, &times, &dir, &description)?;
    let mut missing = BTreeSet::new();
    for line in &mut lines {
        if let Some(id) = &line.capture.warc_record_id {
            match copied.offsets.get(id) {
                Some(&offset) => line.offset = Some(offset),
                None => {
                    missing.insert(format!("{id} (named at {}:{})", line.log, line.line_no));
                }
            }
        }
    }

    write_file(
        &dir.join("article-lines.tsv"),
        lines_table(&key, &article.url, &lines).as_bytes(),
    )?;
    let logs: Vec<&String> = last_seq.keys().collect();
    write_file(
        &dir.join("README.txt"),
        readme(&key, &article, &logs, records.len(), &copied, &missing).as_bytes(),
    )?;
    write_sums(&dir)?;
    build.finish(target)?;

    for m in &missing {
        eprintln!("missing: WARC record {m} is not in warc/");
    }
    eprintln!(
        "exported article {key}: {} capture-log lines in {} logs, {} version records, {} WARC records ({} responses) to {}",
        lines.len(),
        last_seq.len(),
        records.len(),
        copied.records,
        copied.offsets.len(),
        target.display()
    );
    Ok(if missing.is_empty() && copied.damaged == 0 {
        0
    } else {
        crate::EXIT_PARTIAL
    })
}

/// Copies the log of `source` up to and including line `until_seq` into `dir`, and returns
/// the lines about `key`.
fn copy_log(
    archive: &archive::Archive,
    source: &str,
    until_seq: u64,
    key: &ArticleKey,
    dir: &Path,
) -> anyhow::Result<Vec<Line>> {
    let id = SourceId::new(source.to_owned()).map_err(anyhow::Error::msg)?;
    let relative = format!("archive/{source}/{}", archive::CAPTURE_LOG);
    let mut reader = archive::read_log(archive, &id)?;
    let mut found = Vec::new();
    let mut end = 0;
    for line in reader.by_ref() {
        let line =
            line.with_context(|| format!("cannot read {relative} (run newsvault verify)"))?;
        end = line.end_offset;
        let seq = line.capture.seq;
        if line.capture.key == *key {
            found.push(Line {
                log: relative.clone(),
                line_no: line.line_no,
                capture: line.capture,
                offset: None,
            });
        }
        if seq >= until_seq {
            break;
        }
    }
    let from = reader.path().clone();
    let mut input = File::open(&from).with_context(|| format!("cannot read {}", from.display()))?;
    let to = dir.join(&relative);
    create_parent(&to)?;
    let mut output =
        File::create(&to).with_context(|| format!("cannot create {}", to.display()))?;
    let copied = std::io::copy(&mut (&mut input).take(end), &mut output)
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    if copied != end {
        bail!("{} became shorter while it was copied", from.display());
    }
    Ok(found)
}

/// What went into `exchanges.warc.gz`.
#[derive(Default)]
struct Copied {
    /// Offset in `exchanges.warc.gz` of each named response record copied.
    offsets: HashMap<String, u64>,
    /// Gzip members written, the fresh `warcinfo` included.
    records: usize,
    /// Input files that could not be read to their end.
    damaged: usize,
}

/// Writes `exchanges.warc.gz`: a fresh warcinfo, then the `wanted` records and their paired
/// requests, with the warcinfo of each input file they come from. `times` (capture times of
/// the lines that name them) bound which input files can hold them.
fn copy_exchanges(
    data: &Path,
    wanted: &HashSet<String>,
    times: &[DateTime<Utc>],
    dir: &Path,
    description: &str,
) -> anyhow::Result<Copied> {
    const NAME: &str = "exchanges.warc.gz";
    let path = dir.join(NAME);
    let mut out = BufWriter::new(
        File::create(&path).with_context(|| format!("cannot create {}", path.display()))?,
    );
    let mut copied = Copied::default();
    let mut offset = 0u64;
    let (_, warcinfo) =
        fetch::warc::warcinfo_member(NAME, Utc::now(), &[("description", description)])
            .context("cannot encode the warcinfo record")?;
    out.write_all(&warcinfo)?;
    offset += warcinfo.len() as u64;
    copied.records += 1;
    let (Some(first), Some(last)) = (times.iter().min(), times.iter().max()) else {
        out.flush()?;
        return Ok(copied);
    };
    // A record is written after its exchange starts and before the line naming it, into a
    // file opened on or before that day: later day folders and files untouched since well
    // before the first capture cannot hold one (a day of slack for clocks and long exchanges).
    let slack = chrono::Duration::days(1);
    let (earliest, latest_day) = (*first - slack, (*last + slack).date_naive());
    for file in warc_files(&data.join("warc"), latest_day)? {
        let modified = std::fs::metadata(&file)
            .and_then(|m| m.modified())
            .map(DateTime::<Utc>::from)
            .with_context(|| format!("cannot read the time of {}", file.display()))?;
        if modified < earliest {
            continue;
        }
        let still_open = file.to_string_lossy().ends_with(".open");
        let reader =
            WarcReader::open(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let mut file_info = None;
        for record in reader {
            let record = match record {
                Ok(r) => r,
                Err(ReadError::Truncated { .. }) if still_open => break,
                Err(e) => {
                    eprintln!("damaged: {e}; the rest of this file is skipped");
                    copied.damaged += 1;
                    break;
                }
            };
            let id = record.id().unwrap_or_default().to_owned();
            let keep = match record.record_type() {
                Some("warcinfo") => {
                    file_info = Some(record);
                    continue;
                }
                Some("request") => record
                    .fields_named("WARC-Concurrent-To")
                    .any(|to| wanted.contains(to)),
                _ => wanted.contains(&id),
            };
            if !keep {
                continue;
            }
            if let Some(info) = file_info.take() {
                out.write_all(info.raw())?;
                offset += info.length;
                copied.records += 1;
            }
            if record.record_type() == Some("response") || wanted.contains(&id) {
                copied.offsets.entry(id).or_insert(offset);
            }
            out.write_all(record.raw())?;
            offset += record.length;
            copied.records += 1;
        }
    }
    out.into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(copied)
}

/// The `.warc.gz` and `.warc.gz.open` files under `root` in day and name order, leaving out
/// day folders after `last_day`.
fn warc_files(root: &Path, last_day: NaiveDate) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let Ok(days) = std::fs::read_dir(root) else {
        return Ok(out);
    };
    for day in days {
        let day = day.with_context(|| format!("cannot list {}", root.display()))?;
        let name = day.file_name().to_string_lossy().into_owned();
        if NaiveDate::parse_from_str(&name, "%Y-%m-%d").is_ok_and(|d| d > last_day)
            || !day.path().is_dir()
        {
            continue;
        }
        for entry in std::fs::read_dir(day.path())
            .with_context(|| format!("cannot list {}", day.path().display()))?
        {
            let path = entry
                .with_context(|| format!("cannot list {}", day.path().display()))?
                .path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.ends_with(".warc.gz") || name.ends_with(".warc.gz.open") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `article-lines.tsv`: one row per capture-log line about the article.
fn lines_table(key: &ArticleKey, url: &str, lines: &[Line]) -> String {
    let mut out = format!(
        "# Capture-log lines about article {key} ({url}), one per row, tab-separated.\n\
         # warc_offset: where the response record starts in exchanges.warc.gz.\n\
         log\tline\tseq\ttime\tevent\tversion\tstatus\tvia\trecord\trecord_sha256\tbody_sha256\twarc_record_id\twarc_offset\n"
    );
    for l in lines {
        let c = &l.capture;
        let cells = [
            l.log.clone(),
            l.line_no.to_string(),
            c.seq.to_string(),
            c.time.clone(),
            c.event.to_string(),
            c.version.to_string(),
            c.status.map(|s| s.to_string()).unwrap_or_default(),
            c.via.clone().unwrap_or_default(),
            c.path.clone().unwrap_or_default(),
            c.record_sha256.clone().unwrap_or_default(),
            c.body_sha256.clone().unwrap_or_default(),
            c.warc_record_id.clone().unwrap_or_default(),
            l.offset.map(|o| o.to_string()).unwrap_or_default(),
        ];
        let cells: Vec<String> = cells.iter().map(|c| c.replace(['\t', '\n'], " ")).collect();
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    out
}

/// The Python recipe that re-computes a capture log's hash chain (README.txt).
const CHAIN_RECIPE: &str = r#"import hashlib, json, sys
for log in sys.argv[1:]:
    prev, n = "0" * 64, 0
    for n, line in enumerate(open(log, "rb").read().split(b"\n")[:-1], 1):
        c = json.loads(line)
        assert c["prev"] == prev, f"{log}:{n}: prev is not the SHA-256 of line {n - 1}"
        assert c["seq"] == n, f"{log}:{n}: seq is {c['seq']}"
        prev = hashlib.sha256(line).hexdigest()
    print(f"{log}: chain intact, {n} lines, last line SHA-256 {prev}")
"#;

/// The Python recipe that prints the SHA-256 of each response payload (README.txt).
const PAYLOAD_RECIPE: &str = r#"import hashlib, zlib
data = open("exchanges.warc.gz", "rb").read()
while data:
    member = zlib.decompressobj(31)  # one gzip member = one WARC record
    record, data = member.decompress(data), member.unused_data
    head, _, rest = record.partition(b"\r\n\r\n")
    fields = dict(l.split(": ", 1) for l in head.decode().split("\r\n")[1:])
    if fields["WARC-Type"] == "response":
        payload = rest[: int(fields["Content-Length"])].partition(b"\r\n\r\n")[2]
        print(fields["WARC-Record-ID"], hashlib.sha256(payload).hexdigest())
"#;

fn readme(
    key: &ArticleKey,
    article: &index::ArticleRow,
    logs: &[&String],
    records: usize,
    copied: &Copied,
    missing: &BTreeSet<String>,
) -> String {
    let log_paths: Vec<String> = logs
        .iter()
        .map(|s| format!("archive/{s}/{}", archive::CAPTURE_LOG))
        .collect();
    let missing_note = if missing.is_empty() {
        String::new()
    } else {
        format!(
            "\nNOTE: {} WARC record(s) named by these lines were not in the archive's warc/\n\
             folder when this was exported; their rows in article-lines.tsv have no warc_offset.\n",
            missing.len()
        )
    };
    format!(
        "Evidence for one article, exported by newsvault {version} on {now}.

Article {key}: {title}
{url}
(source {source}; first seen {first}, last seen {last}, latest version v{latest})
{missing_note}
WHAT IS HERE

  article-lines.tsv   the capture-log lines about this article: one observation each (time,
                      event, HTTP status, the version record it stored, the SHA-256 of the
                      record and of the raw HTTP body, the WARC record of the raw exchange and
                      where that record starts in exchanges.warc.gz).
  {logs_list}
                      capture log(s), copied byte for byte from line 1 up to the last line
                      about this article. One JSON object per line. Each line's \"prev\" is the
                      SHA-256 of the previous line's bytes (without its newline), 64 zeros on
                      line 1, so that no line can be changed, removed or inserted without
                      breaking every later line.
  archive/…/v<N>.md   the {records} version record(s) of the article, as stored (UTF-8: a time
                      comment, the title as a Markdown link, the body HTML as published). The
                      \"path\" of a log line names its record relative to this folder.
  exchanges.warc.gz   the {exchanges} raw HTTP exchange(s) (requests and responses) named by the
                      lines, WARC/1.1, one gzip member per record, copied byte for byte from
                      the archive, after a warcinfo record describing this export. Bodies are
                      stored as they crossed the wire (still gzip/br-encoded when the server
                      sent them so); WARC-Block-Digest and WARC-Payload-Digest are SHA-1.
  SHA256SUMS          the SHA-256 of every other file here.

HOW TO CHECK IT

1. Nothing was changed since the export:

     sha256sum -c SHA256SUMS

2. The WARC file is well-formed and every record matches its digests
   (pip install warcio):

     warcio check -v exchanges.warc.gz

3. The capture-log hash chain is intact: save this as chain.py and run
   python3 chain.py {logs_args}

{chain}
4. Each version record is the one its line hashed:

     sha256sum archive/*/*/*/*/v*.md

   and compare with the record_sha256 column of article-lines.tsv (or the \"record_sha256\"
   of the log line whose \"path\" names the file).

5. Each raw body is the one its line hashed: this prints the SHA-256 of each response
   payload (as stored, still content-encoded), to compare with the body_sha256 column of
   article-lines.tsv for the same WARC record id (payload.py, Python standard library only):

{payload}
   With warcio: warcio extract --payload exchanges.warc.gz <warc_offset> | sha256sum
   (warcio decodes gzip/br bodies; the hashes agree for bodies sent unencoded).

The hash of a capture log's last line, published or handed to a third party when the export
is made, fixes everything before it.
",
        version = env!("CARGO_PKG_VERSION"),
        now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        title = article.title,
        url = article.url,
        source = article.source,
        first = article.first_seen,
        last = article.last_seen,
        latest = article.latest_version,
        logs_list = log_paths.join("\n  "),
        logs_args = log_paths.join(" "),
        exchanges = copied.offsets.len(),
        chain = indent(CHAIN_RECIPE),
        payload = indent(PAYLOAD_RECIPE),
    )
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("     {l}\n")).collect()
}

/// `SHA256SUMS`: `<hex>  <path>` for every file under `dir`, paths relative and sorted.
fn write_sums(dir: &Path) -> anyhow::Result<()> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in
            std::fs::read_dir(&d).with_context(|| format!("cannot list {}", d.display()))?
        {
            let path = entry
                .with_context(|| format!("cannot list {}", d.display()))?
                .path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                files.push((relative.to_string_lossy().replace('\\', "/"), path.clone()));
            }
        }
    }
    files.sort();
    let mut sums = String::new();
    for (relative, path) in files {
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        sums.push_str(&format!("{}  {relative}\n", model::sha256_hex(&bytes)));
    }
    write_file(&dir.join("SHA256SUMS"), sums.as_bytes())
}

fn create_parent(path: &Path) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    create_parent(path)?;
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// The export folder under construction: a hidden sibling of the target, removed unless
/// [`finish`](Self::finish) renames it into place.
struct Building {
    path: PathBuf,
    done: bool,
}

impl Building {
    fn create(target: &Path) -> anyhow::Result<Building> {
        let name = target
            .file_name()
            .with_context(|| format!("{} does not name a folder", target.display()))?
            .to_string_lossy()
            .into_owned();
        let path = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path)
                .with_context(|| format!("cannot clear {}", path.display()))?;
        }
        std::fs::create_dir_all(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Building { path, done: false })
    }

    fn finish(mut self, target: &Path) -> anyhow::Result<()> {
        if target.exists() {
            // Checked empty at the start.
            std::fs::remove_dir(target)
                .with_context(|| format!("cannot replace {}", target.display()))?;
        }
        std::fs::rename(&self.path, target).with_context(|| {
            format!(
                "cannot rename {} to {}",
                self.path.display(),
                target.display()
            )
        })?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Building {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
