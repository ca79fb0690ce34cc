//! Bringing the search index up to date with the capture logs: [`SearchIndex::sync`].
//!
//! Per capture-log line: a stored version (`new`, `edited`) is read from its record file and
//! added as its version document (replacing one left by an interrupted sync); a takedown event
//! marks the article's latest document gone and `back` (or a new version) clears it. When a
//! newer version arrives, the previous latest document is written again with `latest` off.
//! A document written again with new flags takes its text from its record file again (the index
//! does not store the text), and its other fields from the index.

use super::doc::{DocData, Flags};
use super::{SearchError, SearchIndex, schema};
use archive::{Archive, LogLine, log_len, read_log_from};
use model::{ArticleKey, EventKind};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyDocument, Term};

/// Lines applied per tantivy commit: bounds the work a crash throws away and the memory of
/// the per-article state kept between commits.
const LINES_PER_COMMIT: usize = 100_000;

/// How far the index got in each capture log: the payload of each tantivy commit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Watermarks {
    /// [`schema::FORMAT`] of the index that wrote this.
    pub(crate) format: u32,
    /// Per source: the last line applied.
    pub(crate) sources: BTreeMap<String, Mark>,
}

/// The last applied line of one capture log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Mark {
    /// Its seq (the number of lines applied).
    pub(crate) seq: u64,
    /// Byte offset just past it.
    pub(crate) offset: u64,
}

impl Watermarks {
    /// No commit yet.
    pub(crate) fn is_fresh(&self) -> bool {
        self.format == 0 && self.sources.is_empty()
    }
}

/// Told how far a [`SearchIndex::sync_with`] got, in bytes of capture logs.
pub trait SyncProgress {
    /// The sync has `total` bytes of capture-log lines to apply.
    fn start(&self, total: u64);
    /// `bytes` more were applied.
    fn advance(&self, bytes: u64);
}

/// No progress reports.
impl SyncProgress for () {
    fn start(&self, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// Bytes applied and not yet reported: reports go out about every [`REPORT_BYTES`], not
/// for every line.
#[derive(Default)]
struct Reported {
    unreported: u64,
}

const REPORT_BYTES: u64 = 64 * 1024;

impl Reported {
    fn add(&mut self, bytes: u64, progress: &dyn SyncProgress) {
        self.unreported += bytes;
        if self.unreported >= REPORT_BYTES {
            self.flush(progress);
        }
    }

    fn flush(&mut self, progress: &dyn SyncProgress) {
        if self.unreported > 0 {
            progress.advance(std::mem::take(&mut self.unreported));
        }
    }
}

/// What this sync knows about an article it touched since the last commit.
#[derive(Clone, Debug)]
struct ArticleState {
    /// The latest version document as last written (possibly not committed yet).
    latest: Option<(DocData, Flags)>,
    /// No document of the article was committed before this sync: a version it has not
    /// written yet has no document to replace.
    fresh: bool,
    /// Versions this sync wrote, while `fresh`.
    written: Vec<u32>,
}

impl ArticleState {
    /// Whether writing `version` must first delete a document of it: always, unless the
    /// article is fresh and this sync has not written that version (most documents of a
    /// rebuild; every delete is a term lookup in every segment when tantivy applies it).
    fn replaces(&mut self, version: u32) -> bool {
        if !self.fresh || self.written.contains(&version) {
            return true;
        }
        self.written.push(version);
        false
    }
}

/// The article keys one sync has met, when it started from an empty index.
struct Seen {
    /// The index had no documents when the sync started.
    from_empty: bool,
    /// Hashes of the keys met (a collision only costs a lookup).
    keys: FxHashSet<u64>,
}

fn key_hash(key: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(key)
}

impl SearchIndex {
    /// The watermarks of the last commit (all zero for a new index).
    pub(crate) fn watermarks(&self) -> Result<Watermarks, SearchError> {
        let metas = self
            .index
            .load_metas()
            .map_err(SearchError::tantivy("read the commit of", &self.dir))?;
        match metas.payload {
            None => Ok(Watermarks::default()),
            Some(p) => serde_json::from_str(&p).map_err(|e| SearchError::Watermarks {
                path: self.dir.clone(),
                message: e.to_string(),
            }),
        }
    }

    /// Applies every capture-log line the search index has not seen yet and commits. Returns
    /// how many lines were applied. A log shorter than the index remembers (the archive was
    /// replaced by an older copy) clears the index and replays everything.
    /// [`SearchError::Busy`] when another process holds the writer. After an error, nothing
    /// of this sync that was not committed stays in the writer.
    pub fn sync(&mut self, archive: &Archive) -> Result<u64, SearchError> {
        self.sync_with(archive, &())
    }

    /// [`SearchIndex::sync`], telling `progress` how many capture-log bytes there are to
    /// apply and how many were applied: after an import, this is minutes of work.
    pub fn sync_with(
        &mut self,
        archive: &Archive,
        progress: &dyn SyncProgress,
    ) -> Result<u64, SearchError> {
        let result = self.sync_lines(archive, progress);
        if result.is_err()
            && let Some(writer) = self.writer.as_mut()
            && let Err(e) = writer.rollback()
        {
            tracing::warn!(error = %e, dir = %self.dir.display(), "cannot roll back the search index writer");
        }
        result
    }

    fn sync_lines(
        &mut self,
        archive: &Archive,
        progress: &dyn SyncProgress,
    ) -> Result<u64, SearchError> {
        let mut marks = self.watermarks()?;
        marks.format = schema::FORMAT;
        let sources = archive.sources()?;
        let mut lens = Vec::with_capacity(sources.len());
        let mut restart = false;
        for meta in &sources {
            let len = log_len(archive, &meta.id)?;
            let mark = marks
                .sources
                .get(meta.id.as_str())
                .copied()
                .unwrap_or_default();
            restart |= len < mark.offset;
            lens.push(len);
        }
        if restart {
            tracing::warn!(
                "a capture log is shorter than the search index remembers; rebuilding the search index"
            );
            self.writer()?
                .delete_all_documents()
                .map_err(SearchError::tantivy("clear", &self.dir))?;
            marks.sources.clear();
            // Committed before replaying, so that lookups of earlier documents see none.
            self.commit(&marks)?;
        }
        let total: u64 = sources
            .iter()
            .zip(&lens)
            .map(|(meta, len)| {
                let mark = marks.sources.get(meta.id.as_str());
                len - mark.map_or(0, |m| m.offset)
            })
            .sum();
        progress.start(total);
        let mut reported = Reported::default();
        let mut applied = 0u64;
        let mut pending = 0usize;
        let mut state: HashMap<ArticleKey, ArticleState> = HashMap::new();
        let mut seen = Seen {
            from_empty: self.reader.searcher().num_docs() == 0,
            keys: FxHashSet::default(),
        };
        for (meta, len) in sources.iter().zip(lens) {
            let mark = marks
                .sources
                .get(meta.id.as_str())
                .copied()
                .unwrap_or_default();
            if len == mark.offset {
                continue;
            }
            let reader = read_log_from(archive, &meta.id, mark.offset, mark.seq as usize)?;
            let mut offset = mark.offset;
            for line in reader {
                let line: LogLine = line?;
                self.apply(archive, &line, &mut state, &mut seen)?;
                reported.add(line.end_offset - offset, progress);
                offset = line.end_offset;
                marks.sources.insert(
                    meta.id.to_string(),
                    Mark {
                        seq: line.capture.seq,
                        offset: line.end_offset,
                    },
                );
                applied += 1;
                pending += 1;
                if pending >= LINES_PER_COMMIT {
                    self.commit(&marks)?;
                    state.clear();
                    pending = 0;
                }
            }
        }
        if pending > 0 {
            self.commit(&marks)?;
        }
        reported.flush(progress);
        Ok(applied)
    }

    /// Commits what was added, with `marks` as the payload, and makes it visible.
    fn commit(&mut self, marks: &Watermarks) -> Result<(), SearchError> {
        let payload = serde_json::to_string(marks).expect("watermarks serialize");
        let dir = self.dir.clone();
        let writer = self.writer()?;
        let mut prepared = writer
            .prepare_commit()
            .map_err(SearchError::tantivy("prepare a commit of", &dir))?;
        prepared.set_payload(&payload);
        prepared
            .commit()
            .map_err(SearchError::tantivy("commit", &dir))?;
        self.reload()
    }

    fn apply(
        &mut self,
        archive: &Archive,
        line: &LogLine,
        state: &mut HashMap<ArticleKey, ArticleState>,
        seen: &mut Seen,
    ) -> Result<(), SearchError> {
        let c = &line.capture;
        let gone_change = if c.event.is_takedown() {
            Some(true)
        } else if matches!(c.event, EventKind::Back) {
            Some(false)
        } else {
            None
        };
        let new_doc = if c.event.stores_version() {
            DocData::from_capture(archive, c)
        } else {
            None
        };
        if new_doc.is_none() && gone_change.is_none() {
            return Ok(());
        }
        if !state.contains_key(&c.key) {
            // A key this sync has not seen in an index that was empty when it started has no
            // committed document: skip the lookup (most keys of a rebuild).
            let fresh = seen.from_empty && seen.keys.insert(key_hash(c.key.as_str()));
            let latest = if fresh {
                None
            } else {
                self.committed_latest(c.key.as_str())?
            };
            state.insert(
                c.key.clone(),
                ArticleState {
                    latest,
                    fresh,
                    written: Vec::new(),
                },
            );
        }
        let root = archive.root();
        let entry = state.get_mut(&c.key).expect("inserted above");
        let mut latest = entry.latest.take();
        if let Some(mut data) = new_doc {
            match latest {
                Some((old, old_flags)) if old.version > data.version => {
                    // An older version replayed after a newer one: never the latest.
                    let replace = entry.replaces(data.version);
                    self.write(&data, Flags::default(), replace)?;
                    latest = Some((old, old_flags));
                }
                previous => {
                    if let Some((old, _)) = previous
                        && old.version != data.version
                    {
                        self.rewrite(root, old, Flags::default())?;
                    }
                    // A new version was just served: the article is not gone.
                    let flags = Flags {
                        latest: true,
                        gone: gone_change.unwrap_or(false),
                    };
                    let replace = entry.replaces(data.version);
                    self.write(&data, flags, replace)?;
                    // Kept without its text: it is read again if the document is rewritten.
                    data.text = String::new();
                    latest = Some((data, flags));
                }
            }
        } else if let (Some(gone), Some((data, flags))) = (gone_change, latest.as_mut())
            && flags.gone != gone
        {
            flags.gone = gone;
            let (data, flags) = (data.clone(), *flags);
            self.rewrite(root, data, flags)?;
        }
        entry.latest = latest;
        Ok(())
    }

    /// Writes an earlier document again with new `flags`, its text read from its record. A
    /// record that cannot be read any more (a damaged archive: `verify` reports it) loses its
    /// document rather than keep wrong flags.
    fn rewrite(&mut self, root: &Path, data: DocData, flags: Flags) -> Result<(), SearchError> {
        match data.clone().load(root) {
            Some(full) => self.write(&full, flags, true),
            None => {
                let dir = self.dir.clone();
                self.delete_version(&data.key, data.version)?;
                tracing::warn!(dir = %dir.display(), key = data.key, version = data.version,
                    "dropped a search document whose record cannot be read");
                Ok(())
            }
        }
    }

    /// Adds `data` (with its text) as its version document, replacing any earlier one when
    /// `replace`.
    fn write(&mut self, data: &DocData, flags: Flags, replace: bool) -> Result<(), SearchError> {
        if replace {
            self.delete_version(&data.key, data.version)?;
        }
        let fields = self.fields;
        let dir = self.dir.clone();
        self.writer()?
            .add_document(data.to_document(&fields, flags))
            .map_err(SearchError::tantivy("add a document to", &dir))?;
        Ok(())
    }

    /// Deletes the document of one version (when the next commit applies it). Found by its key
    /// and version terms rather than by a term of its own: such a term would be unique to
    /// every document (0.6 % of the index at 100,000 articles) for this alone.
    fn delete_version(&mut self, key: &str, version: u32) -> Result<(), SearchError> {
        let f = self.fields;
        let dir = self.dir.clone();
        let term = |t| -> Box<dyn tantivy::query::Query> {
            Box::new(TermQuery::new(t, IndexRecordOption::Basic))
        };
        let query = BooleanQuery::intersection(vec![
            term(Term::from_field_text(f.key, key)),
            term(Term::from_field_u64(f.version, u64::from(version))),
        ]);
        self.writer()?
            .delete_query(Box::new(query))
            .map_err(SearchError::tantivy("delete a document from", &dir))?;
        Ok(())
    }

    /// The committed latest document of `key`, if any.
    fn committed_latest(&self, key: &str) -> Result<Option<(DocData, Flags)>, SearchError> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.key, key),
                    IndexRecordOption::Basic,
                )),
            ),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_bool(f.latest, true),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        let top = searcher
            .search(&query, &TopDocs::with_limit(4).order_by_score())
            .map_err(SearchError::tantivy("look up an article in", &self.dir))?;
        let mut best: Option<(DocData, Flags)> = None;
        for (_, address) in top {
            let doc: TantivyDocument = searcher
                .doc(address)
                .map_err(SearchError::tantivy("read a document of", &self.dir))?;
            if let Some(found) = DocData::from_document(&doc, f)
                && best.as_ref().is_none_or(|b| found.0.version > b.0.version)
            {
                best = Some(found);
            }
        }
        Ok(best)
    }
}
