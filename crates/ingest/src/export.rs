//! `newsvault export duty-machine DIR`: the archive as a duty-machine tree.
//!
//! - Every imported file goes back to its origin path with the bytes of the version imported
//!   from it, so an imported tree exports back to itself.
//! - An article whose latest version was not imported (captured later, or edited since) is
//!   written as `articles/<source>/<id>.md`, with ids counting down from 1048575 in
//!   publication order. Ids, once given, are kept in `DIR/.newsvault-export.json`, so a later
//!   export puts every article where it was and writes only files whose bytes changed.
//! - `lists/<site name>.md` lists each source's newest 300 articles, as the generator did.

use crate::IngestError;
use archive::Archive;
use index::Index;
use record::layout::{FIRST_ID, article_path, list_path, parse_file_name};
use record::list::{LIST_LEN, List, ListEntry, href, list_date};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Name of the file in an export folder that remembers which id each article got.
pub const MANIFEST: &str = ".newsvault-export.json";

/// What an export did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Article files written (new or changed).
    pub written: u64,
    /// Article files already up to date.
    pub unchanged: u64,
    /// List files written (new or changed).
    pub lists_written: u64,
}

#[derive(Default, Serialize, Deserialize)]
struct Manifest {
    /// Article key → path of its file in the export folder.
    assigned: BTreeMap<String, String>,
}

struct Entry {
    version_path: String,
    source: String,
    key: String,
    published_ms: Option<i64>,
    title: String,
}

/// Writes the archive as a duty-machine tree into `dir` (created if needed).
pub fn export_duty_machine(
    archive: &Archive,
    index: &Index,
    dir: &Path,
) -> Result<ExportSummary, IngestError> {
    let io = |op, path: &Path| {
        let path = path.to_owned();
        move |source| IngestError::Io { op, path, source }
    };
    std::fs::create_dir_all(dir).map_err(io("create", dir))?;
    let manifest_path = dir.join(MANIFEST);
    let mut manifest: Manifest = match std::fs::read(&manifest_path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| IngestError::Io {
            op: "read the export manifest",
            path: manifest_path.clone(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{e}; it records which id each article was given, so repair or restore it rather than delete it"),
            ),
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Manifest::default(),
        Err(e) => return Err(io("read", &manifest_path)(e)),
    };

    // 1. Imported files go back where they came from.
    let mut files: BTreeMap<String, Entry> = BTreeMap::new();
    let mut imported_paths: HashSet<String> = HashSet::new();
    for row in index.origins()? {
        imported_paths.insert(row.path.clone());
        files.insert(
            row.origin,
            Entry {
                version_path: row.path,
                source: row.source,
                key: row.key,
                published_ms: row.published_ms,
                title: row.title,
            },
        );
    }

    // 2. Articles whose latest version was not imported get (or keep) an id of their own.
    let mut lowest: HashMap<String, u32> = HashMap::new();
    let mut scanned: HashSet<String> = HashSet::new();
    for path in files.keys().chain(manifest.assigned.values()) {
        if let Some((folder, id)) = folder_and_id(path) {
            let low = lowest.entry(folder).or_insert(id);
            *low = (*low).min(id);
        }
    }
    for article in index.articles()? {
        let latest = format!("{}/v{}.md", article.dir, article.latest_version);
        if imported_paths.contains(&latest) {
            continue;
        }
        let path = match manifest.assigned.get(&article.key) {
            Some(p) => p.clone(),
            None => {
                let folder = article.source.clone();
                // Files already in the folder (an existing checkout) keep their ids too.
                let low = lowest.entry(folder.clone()).or_insert(FIRST_ID + 1);
                if scanned.insert(folder.clone())
                    && let Some(id) = lowest_id_in(&dir.join("articles").join(&folder))
                {
                    *low = (*low).min(id);
                }
                *low -= 1;
                let p = article_path(&folder, *low);
                manifest.assigned.insert(article.key.clone(), p.clone());
                p
            }
        };
        files.insert(
            path,
            Entry {
                version_path: latest,
                source: article.source,
                key: article.key,
                published_ms: article.published_ms,
                title: article.title,
            },
        );
    }

    // 3. Write what changed.
    let mut summary = ExportSummary::default();
    for (path, entry) in &files {
        let bytes = std::fs::read(archive.resolve(&entry.version_path))
            .map_err(io("read", &archive.resolve(&entry.version_path)))?;
        if write_if_changed(&dir.join(path), &bytes)? {
            summary.written += 1;
        } else {
            summary.unchanged += 1;
        }
    }

    // 4. One list per source: its newest articles, one line per article.
    let mut by_source: BTreeMap<&str, HashMap<&str, (&String, &Entry)>> = BTreeMap::new();
    for (path, entry) in &files {
        let per_key = by_source.entry(entry.source.as_str()).or_default();
        match per_key.get(entry.key.as_str()) {
            Some((_, e)) if e.published_ms >= entry.published_ms => {}
            _ => {
                per_key.insert(entry.key.as_str(), (path, entry));
            }
        }
    }
    for meta in index.sources()? {
        let Some(per_key) = by_source.get(meta.id.as_str()) else {
            continue;
        };
        let mut rows: Vec<&(&String, &Entry)> = per_key.values().collect();
        rows.sort_by(|a, b| {
            b.1.published_ms
                .cmp(&a.1.published_ms)
                .then_with(|| a.0.cmp(b.0))
        });
        let name = meta.list_name.clone().unwrap_or_else(|| meta.name.clone());
        let list = List {
            name: name.clone(),
            entries: rows
                .iter()
                .take(LIST_LEN)
                .map(|(path, e)| ListEntry {
                    date: list_date(e.published_ms.unwrap_or(0)),
                    title: e.title.clone(),
                    href: href(path),
                })
                .collect(),
            more: Some(format!("/articles/{}", meta.id)),
        };
        if write_if_changed(
            &dir.join(list_path(&name)),
            record::list::write(&list).as_bytes(),
        )? {
            summary.lists_written += 1;
        }
    }

    let mut bytes = serde_json::to_vec_pretty(&manifest).expect("manifest serializes");
    bytes.push(b'\n');
    write_if_changed(&manifest_path, &bytes)?;
    Ok(summary)
}

/// The lowest record id among the files of an export folder, if it has any.
fn lowest_id_in(folder: &Path) -> Option<u32> {
    std::fs::read_dir(folder)
        .ok()?
        .flatten()
        .filter_map(|e| parse_file_name(&e.file_name().to_string_lossy()).map(|f| f.id))
        .min()
}

/// `articles/<folder>/<id>...md` → (folder, id).
fn folder_and_id(path: &str) -> Option<(String, u32)> {
    let mut parts = path.split('/');
    (parts.next()? == "articles").then_some(())?;
    let folder = parts.next()?;
    let name = parts.next()?;
    Some((folder.to_owned(), parse_file_name(name)?.id))
}

/// Writes `bytes` to `path` (temporary file + rename) unless it already holds them.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool, IngestError> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    let err = |op, p: &Path| {
        let p = p.to_owned();
        move |source| IngestError::Io {
            op,
            path: p,
            source,
        }
    };
    let dir = path.parent().expect("export paths have a folder");
    std::fs::create_dir_all(dir).map_err(err("create", dir))?;
    let tmp = dir.join(format!(".newsvault-tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(err("write", &tmp))?;
    std::fs::rename(&tmp, path).map_err(err("rename", path))?;
    Ok(true)
}
