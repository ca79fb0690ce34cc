//! Reading capture logs (`archive/<source>/captures.jsonl`).
//!
//! One JSON object per line ([`model::Capture`]). A last line without its `\n` is a *torn
//! tail*: an append that a crash interrupted. It was never committed, so readers skip it and
//! the next writer cuts it off.

use crate::{Archive, ArchiveError, CAPTURE_LOG};
use model::{Capture, SourceId};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;

/// One committed line of a capture log.
#[derive(Clone, Debug)]
pub struct LogLine {
    /// 1-based line number in the file.
    pub line_no: usize,
    /// The parsed line.
    pub capture: Capture,
    /// SHA-256 of the line's bytes (what the next line's `prev` must be).
    pub hash: String,
    /// Byte offset just past this line's newline: where the next line starts.
    pub end_offset: u64,
}

/// A streaming reader over one capture log; memory does not grow with the log.
#[derive(Debug)]
pub struct LogReader {
    path: PathBuf,
    reader: Option<BufReader<File>>,
    line_no: usize,
    buf: Vec<u8>,
    offset: u64,
    torn_tail: Option<usize>,
}

impl LogReader {
    /// Line number of a torn tail, once iteration reached it.
    pub fn torn_tail(&self) -> Option<usize> {
        self.torn_tail
    }

    /// The log file.
    pub fn path(&self) -> &PathBuf {
        &self.path
    }
}

/// Opens the capture log of `source`; a source without a log reads as empty.
pub fn read_log(archive: &Archive, source: &SourceId) -> Result<LogReader, ArchiveError> {
    read_log_from(archive, source, 0, 0)
}

/// Opens the capture log of `source` at byte `offset`, which must be the start of line
/// `lines_before + 1` (an `end_offset` seen earlier). Used to catch up without re-reading.
pub fn read_log_from(
    archive: &Archive,
    source: &SourceId,
    offset: u64,
    lines_before: usize,
) -> Result<LogReader, ArchiveError> {
    use std::io::{Seek, SeekFrom};
    let path = archive.source_dir(source).join(CAPTURE_LOG);
    let reader = match File::open(&path) {
        Ok(mut f) => {
            f.seek(SeekFrom::Start(offset))
                .map_err(|e| ArchiveError::io("seek", &path, e))?;
            Some(BufReader::with_capacity(1 << 16, f))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(ArchiveError::io("read", &path, e)),
    };
    Ok(LogReader {
        path,
        reader,
        line_no: lines_before,
        buf: Vec::new(),
        offset,
        torn_tail: None,
    })
}

/// Length in bytes of the capture log of `source` (0 when it has none).
pub fn log_len(archive: &Archive, source: &SourceId) -> Result<u64, ArchiveError> {
    let path = archive.source_dir(source).join(CAPTURE_LOG);
    match std::fs::metadata(&path) {
        Ok(m) => Ok(m.len()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(ArchiveError::io("stat", &path, e)),
    }
}

impl Iterator for LogReader {
    type Item = Result<LogLine, ArchiveError>;

    fn next(&mut self) -> Option<Self::Item> {
        let reader = self.reader.as_mut()?;
        self.buf.clear();
        match reader.read_until(b'\n', &mut self.buf) {
            Ok(0) => {
                self.reader = None;
                None
            }
            Ok(n) => {
                self.line_no += 1;
                self.offset += n as u64;
                if self.buf.last() != Some(&b'\n') {
                    self.torn_tail = Some(self.line_no);
                    self.reader = None;
                    return None;
                }
                let line = &self.buf[..self.buf.len() - 1];
                let hash = model::sha256_hex(line);
                Some(
                    serde_json::from_slice::<Capture>(line)
                        .map(|capture| LogLine {
                            line_no: self.line_no,
                            capture,
                            hash,
                            end_offset: self.offset,
                        })
                        .map_err(|e| ArchiveError::Invalid {
                            path: self.path.clone(),
                            line: Some(self.line_no),
                            message: format!("not a capture-log line: {e}"),
                        }),
                )
            }
            Err(e) => {
                self.reader = None;
                Some(Err(ArchiveError::io("read", &self.path, e)))
            }
        }
    }
}
