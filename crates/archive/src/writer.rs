//! Writing to the archive in durable batches.
//!
//! Call order: [`Writer::stage`] any number of captures (each may carry a new version record),
//! then [`Writer::commit`]. A commit is three steps, each ended by a durability barrier:
//!
//! 1. write the staged records into `archive/.staging/`; flush them;
//! 2. rename each into its final `v<N>.md` path; flush the renames;
//! 3. append the capture-log lines (sequence numbers and hash chain assigned here); fdatasync.
//!
//! A bulk writer can split a commit to overlap batches: [`Writer::write_staged`] (the writes
//! of step 1) and [`Writer::take_lines`] for one batch, [`Placement::finish`] (the rest of
//! steps 1 and 2) on another thread while the next batch is written, then [`Writer::append`]
//! (step 3).
//!
//! A crash before 3 leaves at most records that no log line names (verify reports them as
//! orphans; re-running the same import adopts them); a crash during 3 leaves a torn last line,
//! which the next writer cuts off. Nothing a log line names is ever touched again.

use crate::durable::{sync_all, write_atomic};
use crate::{Archive, ArchiveError, CAPTURE_LOG, SOURCE_META, read_log};
use model::{CHAIN_START, Capture, SourceId, SourceMeta};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A new version record to store with a capture.
#[derive(Debug)]
pub struct StagedVersion<'a> {
    /// The article's folder relative to the data directory ([`Archive::article_dir`] for a new
    /// article, the folder of its earlier versions otherwise).
    pub dir: &'a str,
    /// The version number; the file is `v<version>.md`.
    pub version: u32,
    /// The record file bytes (moved in: a batch holds them until it commits).
    pub bytes: Vec<u8>,
    /// Their SHA-256, when the caller has it already (saves hashing twice).
    pub sha256: Option<&'a str>,
}

struct Pending {
    bytes: Vec<u8>,
    path: PathBuf,
}

/// Records written to staging by [`Writer::write_staged`], not yet in their final paths;
/// [`Placement::finish`] moves them there. It holds no bytes and does not need the writer,
/// so one batch's records can be placed on another thread while the writer stages the next.
#[must_use = "staged records reach their paths only through `finish`"]
pub struct Placement {
    root: PathBuf,
    moves: Vec<Move>,
}

struct Move {
    tmp: PathBuf,
    path: PathBuf,
}

struct LogState {
    file: File,
    path: PathBuf,
    next_seq: u64,
    prev: String,
}

/// The one writer of a data directory (holds `archive/.lock` while it lives).
pub struct Writer {
    archive: Archive,
    _lock: File,
    pub(crate) staging: PathBuf,
    logs: HashMap<SourceId, LogState>,
    versions: Vec<Pending>,
    lines: Vec<Capture>,
    /// Batches written to staging so far ([`Writer::write_staged`]).
    written: u64,
    /// Source descriptions already merged into `source.json` by this writer: asking again
    /// for one of them reads nothing (the store asks once per job).
    ensured: HashMap<SourceId, SourceMeta>,
    /// Sources whose `source.json` this writer wrote, until [`Writer::take_changed_sources`].
    changed: Vec<SourceId>,
}

impl Writer {
    pub(crate) fn open(archive: Archive) -> Result<Writer, ArchiveError> {
        let lock_path = archive.archive_dir().join(".lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| ArchiveError::io("open", &lock_path, e))?;
        lock_exclusive(&lock).map_err(|_| ArchiveError::Locked(archive.root().to_owned()))?;
        let staging = archive.archive_dir().join(".staging");
        // Whatever a crashed writer left in staging was never committed.
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .map_err(|e| ArchiveError::io("clear", &staging, e))?;
        }
        std::fs::create_dir_all(&staging)
            .map_err(|e| ArchiveError::io("create directory", &staging, e))?;
        Ok(Writer {
            archive,
            _lock: lock,
            staging,
            logs: HashMap::new(),
            versions: Vec::new(),
            lines: Vec::new(),
            written: 0,
            ensured: HashMap::new(),
            changed: Vec::new(),
        })
    }

    /// The archive being written.
    pub fn archive(&self) -> &Archive {
        &self.archive
    }

    /// Records what a source is (`source.json`), merging aliases with what is already there.
    pub fn ensure_source(&mut self, meta: &SourceMeta) -> Result<(), ArchiveError> {
        // Only this writer (it holds the lock) changes `source.json`.
        if self.ensured.get(&meta.id) == Some(meta) {
            return Ok(());
        }
        self.ensure_source_file(meta)?;
        self.ensured.insert(meta.id.clone(), meta.clone());
        Ok(())
    }

    fn ensure_source_file(&mut self, meta: &SourceMeta) -> Result<(), ArchiveError> {
        let mut current = self.archive.source_meta(&meta.id)?;
        let path = self.archive.source_dir(&meta.id).join(SOURCE_META);
        let existed = path.exists();
        if !existed {
            current.name = meta.name.clone();
            current.list_name = meta.list_name.clone();
        }
        let before = current.clone();
        for alias in &meta.aliases {
            if !current.aliases.contains(alias) {
                current.aliases.push(alias.clone());
            }
        }
        if current.list_name.is_none() {
            current.list_name = meta.list_name.clone();
        }
        if existed && current == before {
            return Ok(());
        }
        let mut bytes = serde_json::to_vec_pretty(&current).expect("source meta serializes");
        bytes.push(b'\n');
        write_atomic(&path, &bytes, &self.staging)
            .map_err(|e| ArchiveError::io("write", &path, e))?;
        self.changed.push(meta.id.clone());
        Ok(())
    }

    /// The sources whose `source.json` changed since the last call: what an index that follows
    /// this writer must read again even if their logs did not grow.
    pub fn take_changed_sources(&mut self) -> Vec<SourceId> {
        std::mem::take(&mut self.changed)
    }

    /// Stages one capture, with its version record when it stores one. The capture's `seq`
    /// and `prev` are assigned at commit; `path` and `record_sha256` are filled in here.
    pub fn stage(
        &mut self,
        mut capture: Capture,
        version: Option<StagedVersion<'_>>,
    ) -> Result<(), ArchiveError> {
        if let Some(v) = version {
            let relative = record_path(v.dir, v.version);
            let sha = v
                .sha256
                .map_or_else(|| model::sha256_hex(&v.bytes), str::to_owned);
            debug_assert_eq!(sha, model::sha256_hex(&v.bytes));
            capture.record_sha256 = Some(sha);
            capture.path = Some(relative.clone());
            self.versions.push(Pending {
                bytes: v.bytes,
                path: self.archive.resolve(&relative),
            });
        }
        self.lines.push(capture);
        Ok(())
    }

    /// Number of captures staged and not yet committed.
    pub fn pending(&self) -> usize {
        self.lines.len()
    }

    /// Makes everything staged durable (see the module doc) and returns the committed captures
    /// with their sequence numbers and chain hashes.
    pub fn commit(&mut self) -> Result<Vec<Capture>, ArchiveError> {
        if self.lines.is_empty() {
            return Ok(Vec::new());
        }
        self.place_records()?;
        let lines = self.take_lines();
        self.append(lines)
    }

    /// The captures staged since the last commit, taken out of the writer: what a caller that
    /// places records itself ([`Writer::write_staged`]) hands back to [`Writer::append`] once
    /// they are placed.
    pub fn take_lines(&mut self) -> Vec<Capture> {
        std::mem::take(&mut self.lines)
    }

    /// Step 3 of a commit: appends `lines` (from [`Writer::take_lines`]) to their capture logs,
    /// durably. The records they name must be placed already.
    pub fn append(&mut self, lines: Vec<Capture>) -> Result<Vec<Capture>, ArchiveError> {
        let mut committed = Vec::with_capacity(lines.len());
        let mut buffers: HashMap<SourceId, Vec<u8>> = HashMap::new();
        for mut capture in lines {
            let state = self.log_state(&capture.source)?;
            capture.seq = state.next_seq;
            capture.prev = state.prev.clone();
            let json = serde_json::to_vec(&capture).expect("captures serialize");
            state.prev = model::sha256_hex(&json);
            state.next_seq += 1;
            let buf = buffers.entry(capture.source.clone()).or_default();
            buf.extend_from_slice(&json);
            buf.push(b'\n');
            committed.push(capture);
        }
        for (source, buf) in buffers {
            let state = self.logs.get_mut(&source).expect("state opened above");
            state
                .file
                .write_all(&buf)
                .and_then(|()| state.file.sync_data())
                .map_err(|e| ArchiveError::io("append to", &state.path, e))?;
        }
        Ok(committed)
    }

    /// Steps 1 and 2 of a commit: the staged records become durable in their final paths, and
    /// no log line is written yet. [`Writer::commit`] does this itself when it has not been
    /// done; calling it first lets a caller overlap the record work with reading the logs
    /// (which do not change until `commit`).
    pub fn place_records(&mut self) -> Result<(), ArchiveError> {
        self.write_staged()?.finish()
    }

    /// The first half of step 1: writes the staged records into staging (not yet durable)
    /// and lets go of their bytes. The records are placed by [`Placement::finish`]; their
    /// capture lines stay staged until [`Writer::commit`] or [`Writer::take_lines`].
    pub fn write_staged(&mut self) -> Result<Placement, ArchiveError> {
        let versions = std::mem::take(&mut self.versions);
        // Creating a file locks its folder, and so does renaming one out of it: each thread
        // writes into a folder of its own, and consecutive batches alternate between two sets
        // of folders, so that one batch is written while the one before is placed.
        self.written += 1;
        let side = self.staging.join((self.written % 2).to_string());
        let part = part_size(versions.len());
        let moves: Vec<Move> = versions
            .iter()
            .enumerate()
            .map(|(i, p)| Move {
                tmp: side.join(format!("{}/{i}.tmp", i / part)),
                path: p.path.clone(),
            })
            .collect();
        for folder in 0..versions.len().div_ceil(part) {
            let dir = side.join(folder.to_string());
            std::fs::create_dir_all(&dir)
                .map_err(|e| ArchiveError::io("create directory", &dir, e))?;
        }
        let writes: Vec<(&Pending, &Move)> = versions.iter().zip(&moves).collect();
        // File-system work is mostly kernel CPU (inode and directory allocation): spread it
        // over the cores, keeping the barriers between the steps.
        in_parallel(&writes, |(p, m)| {
            std::fs::write(&m.tmp, &p.bytes).map_err(|e| ArchiveError::io("write", &m.tmp, e))
        })?;
        Ok(Placement {
            root: self.archive.archive_dir(),
            moves,
        })
    }

    /// The append state of a source's log: next sequence number and the last line's hash.
    /// Opening cuts off a torn tail left by a crash.
    fn log_state(&mut self, source: &SourceId) -> Result<&mut LogState, ArchiveError> {
        if !self.logs.contains_key(source) {
            let dir = self.archive.source_dir(source);
            std::fs::create_dir_all(&dir)
                .map_err(|e| ArchiveError::io("create directory", &dir, e))?;
            let path = dir.join(CAPTURE_LOG);
            let mut reader = read_log(&self.archive, source)?;
            let (mut next_seq, mut prev) = (1, CHAIN_START.to_owned());
            for line in reader.by_ref() {
                let line = line?;
                next_seq = line.capture.seq + 1;
                prev = line.hash;
            }
            let torn = reader.torn_tail().is_some();
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .read(true)
                .open(&path)
                .map_err(|e| ArchiveError::io("open", &path, e))?;
            if torn {
                cut_torn_tail(&file, &path)?;
            }
            self.logs.insert(
                source.clone(),
                LogState {
                    file,
                    path,
                    next_seq,
                    prev,
                },
            );
        }
        Ok(self.logs.get_mut(source).expect("inserted above"))
    }
}

impl Placement {
    /// The rest of steps 1 and 2: the staged records become durable, move to their final
    /// paths, and the moves become durable.
    pub fn finish(self) -> Result<(), ArchiveError> {
        if self.moves.is_empty() {
            return Ok(());
        }
        let root = &self.root;
        let staged: Vec<&Path> = self.moves.iter().map(|m| m.tmp.as_path()).collect();
        sync_all(root, &staged).map_err(|e| ArchiveError::io("sync", root, e))?;
        in_parallel(&self.moves, place)?;
        let placed: Vec<&Path> = self.moves.iter().map(|m| m.path.as_path()).collect();
        sync_all(root, &placed).map_err(|e| ArchiveError::io("sync", root, e))
    }
}

/// Runs `f` over `items` on up to one thread per core; the first error wins.
fn in_parallel<T: Sync>(
    items: &[T],
    f: impl Fn(&T) -> Result<(), ArchiveError> + Sync,
) -> Result<(), ArchiveError> {
    let chunk = part_size(items.len());
    if chunk >= items.len() {
        return items.iter().try_for_each(&f);
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().try_for_each(&f)))
            .collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().expect("archive worker threads do not panic"))
    })
}

/// How many consecutive items of `n` one thread of [`in_parallel`] takes: all of them when
/// there is one core or too few items to be worth a thread.
fn part_size(n: usize) -> usize {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || n < 64 {
        n.max(1)
    } else {
        n.div_ceil(threads)
    }
}

/// The path of version `version` of the article whose folder is `dir`: `<dir>/v<version>.md`.
pub fn record_path(dir: &str, version: u32) -> String {
    format!("{dir}/v{version}.md")
}

/// Moves a staged record to its final path. An existing file there that no log names (a
/// crash between rename and log append) is adopted when identical and set aside when not.
fn place(pending: &Move) -> Result<(), ArchiveError> {
    let path = &pending.path;
    let dir = path.parent().expect("record paths have a folder");
    std::fs::create_dir_all(dir).map_err(|e| ArchiveError::io("create directory", dir, e))?;
    match rename_noreplace(&pending.tmp, path) {
        Ok(()) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(ArchiveError::io("rename", &pending.tmp, e)),
    }
    let old = std::fs::read(path).map_err(|e| ArchiveError::io("read", path, e))?;
    let new = std::fs::read(&pending.tmp).map_err(|e| ArchiveError::io("read", &pending.tmp, e))?;
    if old == new {
        let _ = std::fs::remove_file(&pending.tmp);
        return Ok(());
    }
    let aside = path.with_extension(format!("md.orphan-{}", std::process::id()));
    tracing::warn!(path = %path.display(), aside = %aside.display(), "unlogged record differs; setting it aside");
    std::fs::rename(path, &aside).map_err(|e| ArchiveError::io("rename", path, e))?;
    std::fs::rename(&pending.tmp, path).map_err(|e| ArchiveError::io("rename", &pending.tmp, e))
}

/// Truncates the log after its last newline.
fn cut_torn_tail(file: &File, path: &Path) -> Result<(), ArchiveError> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = file;
    let len = f
        .metadata()
        .map_err(|e| ArchiveError::io("stat", path, e))?
        .len();
    let mut keep = 0u64;
    let mut pos = len;
    let mut chunk = vec![0u8; 1 << 16];
    while pos > 0 {
        let start = pos.saturating_sub(chunk.len() as u64);
        let n = (pos - start) as usize;
        f.seek(SeekFrom::Start(start))
            .map_err(|e| ArchiveError::io("seek", path, e))?;
        f.read_exact(&mut chunk[..n])
            .map_err(|e| ArchiveError::io("read", path, e))?;
        if let Some(i) = chunk[..n].iter().rposition(|&b| b == b'\n') {
            keep = start + i as u64 + 1;
            break;
        }
        pos = start;
    }
    tracing::warn!(path = %path.display(), cut = len - keep, "cutting a torn capture-log line left by a crash");
    file.set_len(keep)
        .map_err(|e| ArchiveError::io("truncate", path, e))?;
    file.sync_data()
        .map_err(|e| ArchiveError::io("sync", path, e))
}

/// `rename` that fails with `AlreadyExists` instead of replacing: the check and the move are
/// one atomic step on Linux (`renameat2(RENAME_NOREPLACE)`), a check then a move elsewhere.
fn rename_noreplace(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let from = CString::new(from.as_os_str().as_bytes())?;
        let to = CString::new(to.as_os_str().as_bytes())?;
        // SAFETY: both paths are valid NUL-terminated strings for the duration of the call.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                from.as_ptr(),
                libc::AT_FDCWD,
                to.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        // File systems without RENAME_NOREPLACE answer EINVAL; fall through to check-then-move.
        if err.raw_os_error() != Some(libc::EINVAL) {
            return Err(err);
        }
    }
    if to.exists() {
        return Err(std::io::ErrorKind::AlreadyExists.into());
    }
    std::fs::rename(from, to)
}

fn lock_exclusive(file: &File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: flock only reads the descriptor, which `file` keeps open.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    let _ = file;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{read_log, verify};
    use model::{ArticleKey, EventKind};

    const ONE: &[u8] = b"<!--1-->\n[one](https://a.example/1)\n------\n\n<p>1</p>\n";

    fn capture(source: &str, url: &str, event: EventKind, version: u32) -> Capture {
        Capture {
            seq: 0,
            time: "2026-11-26T00:00:00.000Z".into(),
            source: SourceId::new(source).unwrap(),
            key: ArticleKey::for_url(url),
            version,
            url: url.into(),
            event,
            status: None,
            final_url: None,
            path: None,
            record_sha256: None,
            body_sha256: None,
            warc_record_id: None,
            via: Some("test".into()),
            origin: None,
            note: None,
            byline: None,
            prev: String::new(),
        }
    }

    #[test]
    fn commits_chain_lines_and_place_records() {
        let tmp = tempfile::tempdir().unwrap();
        let archive = Archive::open(tmp.path()).unwrap();
        let mut w = archive.writer().unwrap();
        let c = capture("rfi", "https://a.example/1", EventKind::New, 1);
        let dir = Archive::article_dir(&c.source, &c.key, 0);
        w.stage(
            c,
            Some(StagedVersion {
                dir: &dir,
                version: 1,
                bytes: ONE.to_vec(),
                sha256: None,
            }),
        )
        .unwrap();
        w.stage(
            capture("rfi", "https://a.example/1", EventKind::Unchanged, 1),
            None,
        )
        .unwrap();
        let committed = w.commit().unwrap();
        assert_eq!(committed.iter().map(|c| c.seq).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(committed[0].prev, CHAIN_START);
        assert_eq!(committed[0].path.as_deref(), Some(&*record_path(&dir, 1)));
        assert_eq!(
            std::fs::read(archive.resolve(&record_path(&dir, 1))).unwrap(),
            ONE
        );
        let lines: Vec<_> = read_log(&archive, &SourceId::new("rfi").unwrap())
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(committed[1].prev, lines[0].hash);
        assert!(verify(&archive).unwrap().is_ok());

        // A second writer continues the same chain.
        drop(w);
        let mut w = archive.writer().unwrap();
        w.stage(
            capture("rfi", "https://a.example/2", EventKind::Error, 0),
            None,
        )
        .unwrap();
        let more = w.commit().unwrap();
        assert_eq!(more[0].seq, 3);
        assert_eq!(more[0].prev, lines[1].hash);
    }

    #[test]
    fn an_unlogged_file_in_the_way_is_adopted_or_set_aside_never_lost() {
        let tmp = tempfile::tempdir().unwrap();
        let archive = Archive::open(tmp.path()).unwrap();
        let c = capture("bbc", "https://b.example/1", EventKind::New, 1);
        let dir = Archive::article_dir(&c.source, &c.key, 0);
        let path = archive.resolve(&record_path(&dir, 1));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"left by a crash").unwrap();
        let mut w = archive.writer().unwrap();
        w.stage(
            c,
            Some(StagedVersion {
                dir: &dir,
                version: 1,
                bytes: b"new".to_vec(),
                sha256: None,
            }),
        )
        .unwrap();
        w.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let aside: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".orphan-"))
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(std::fs::read(aside[0].path()).unwrap(), b"left by a crash");
    }

    #[test]
    fn only_one_writer_at_a_time() {
        let tmp = tempfile::tempdir().unwrap();
        let archive = Archive::open(tmp.path()).unwrap();
        let _w = archive.writer().unwrap();
        assert!(matches!(archive.writer(), Err(ArchiveError::Locked(_))));
    }

    #[test]
    fn a_source_is_described_once_and_changes_are_reported_once() {
        let tmp = tempfile::tempdir().unwrap();
        let archive = Archive::open(tmp.path()).unwrap();
        let mut w = archive.writer().unwrap();
        let mut meta = SourceMeta {
            id: SourceId::new("rfi").unwrap(),
            name: "法广".into(),
            aliases: Vec::new(),
            list_name: None,
        };
        w.ensure_source(&meta).unwrap();
        w.ensure_source(&meta).unwrap();
        assert_eq!(w.take_changed_sources(), [meta.id.clone()]);
        assert!(w.take_changed_sources().is_empty());
        // Asked again with what is there already: nothing to write or report.
        let path = tmp.path().join("archive/rfi/source.json");
        let written = std::fs::read(&path).unwrap();
        w.ensure_source(&meta).unwrap();
        assert!(w.take_changed_sources().is_empty());
        // A new alias is merged in and reported.
        meta.aliases.push("法广中文".into());
        w.ensure_source(&meta).unwrap();
        assert_eq!(w.take_changed_sources(), [meta.id.clone()]);
        assert_ne!(std::fs::read(&path).unwrap(), written);
        assert_eq!(archive.source_meta(&meta.id).unwrap().aliases, ["法广中文"]);
    }
}
