//! The team-written fixtures in `fixtures/` (repository root):
//!
//! - `duty-machine-mini/`: a small duty-machine tree with both layout generations (2020 folders
//!   named after the site with `<id>_<title>.md` files, later abbreviation folders with `<id>.md`),
//!   one old-CDT-layout record, two same-URL pairs and `lists/法广.md`. Every record and the list
//!   must write back byte for byte, and the tree must obey the layout rules it imitates.
//! - `records-odd/`: single records with one deviation each, which must be read (with the
//!   expected warning) and written back byte for byte; and `bad-*.md` files, which must be
//!   errors naming the file and the line.

use newsvault_record as record;
use record::layout::{self, FIRST_ID};
use record::{Parsed, list};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");

fn fixtures() -> PathBuf {
    PathBuf::from(FIXTURES)
}

/// Every `*.md` file under `dir`, recursively, sorted.
fn md_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap_or_else(|e| panic!("read {}: {e}", d.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `path` relative to `fixtures/`, the label used in errors.
fn label(path: &Path) -> String {
    path.strip_prefix(fixtures())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Parses `path` and asserts that writing the record gives back its bytes.
fn read_and_roundtrip(path: &Path) -> Parsed {
    let label = label(path);
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("read {label}: {e}"));
    let parsed = record::parse(&bytes, &label).unwrap_or_else(|e| panic!("{e}"));
    let written = record::write(&parsed.record);
    assert!(
        written == bytes,
        "{label}: write(parse(bytes)) != bytes\n written: {:?}\n    file: {:?}",
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(&bytes)
    );
    parsed
}

/// One record of the mini tree.
struct Article {
    folder: String,
    id: u32,
    file_title: Option<String>,
    parsed: Parsed,
}

fn mini_articles() -> Vec<Article> {
    let root = fixtures().join("duty-machine-mini/articles");
    let files = md_files(&root);
    assert!(
        files.len() >= 12,
        "expected about 15 records, found {}",
        files.len()
    );
    files
        .iter()
        .map(|path| {
            let rel = path.strip_prefix(&root).unwrap();
            let folder = rel.parent().unwrap().to_str().unwrap().to_owned();
            let name = rel.file_name().unwrap().to_str().unwrap();
            let file = layout::parse_file_name(name)
                .unwrap_or_else(|| panic!("{}: not a record file name", label(path)));
            Article {
                folder,
                id: file.id,
                file_title: file.title.map(str::to_owned),
                parsed: read_and_roundtrip(path),
            }
        })
        .collect()
}

#[test]
fn mini_articles_round_trip_byte_for_byte() {
    for a in mini_articles() {
        let r = &a.parsed.record;
        let name = format!("{}/{}", a.folder, a.id);
        assert!(!r.title.trim().is_empty(), "{name}: empty title");
        assert!(r.url.is_some(), "{name}: no URL");
        assert!(r.published_ms.is_some(), "{name}: no publication time");
    }
}

#[test]
fn mini_tree_follows_the_duty_machine_layout() {
    let articles = mini_articles();
    let mut by_folder: BTreeMap<&str, Vec<&Article>> = BTreeMap::new();
    for a in &articles {
        by_folder.entry(&a.folder).or_default().push(a);
    }
    for (folder, mut records) in by_folder {
        let site = layout::known_site(folder)
            .unwrap_or_else(|| panic!("folder {folder:?} is not a known site"));
        let current_layout = folder == site.abbr;
        for a in &records {
            assert!(a.id <= FIRST_ID, "{folder}/{}: id above {FIRST_ID}", a.id);
            if current_layout {
                assert_eq!(a.file_title, None, "{folder}/{}: `<id>.md` expected", a.id);
            } else {
                assert_eq!(
                    a.file_title.as_deref(),
                    Some(a.parsed.record.title.as_str()),
                    "{folder}/{}: a 2020 file is named `<id>_<title>.md`",
                    a.id
                );
            }
        }
        // Ids count down: the smallest id is the newest record.
        records.sort_by_key(|a| a.id);
        for pair in records.windows(2) {
            let (newer, older) = (&pair[0], &pair[1]);
            assert!(
                newer.parsed.record.published_ms > older.parsed.record.published_ms,
                "{folder}: {} has a smaller id than {} but is not newer",
                newer.id,
                older.id
            );
        }
    }
    let folders: Vec<&str> = articles.iter().map(|a| a.folder.as_str()).collect();
    for expected in ["法广", "BBC", "中国数字时代", "rfi", "bbc", "voa", "cdt"] {
        assert!(folders.contains(&expected), "no folder {expected}/");
    }
    let old_cdt: Vec<&Article> = articles
        .iter()
        .filter(|a| !a.parsed.record.form.timestamp_line)
        .collect();
    assert_eq!(old_cdt.len(), 1, "exactly one old-CDT-layout record");
    assert_eq!(old_cdt[0].folder, "中国数字时代");
    assert!(old_cdt[0].parsed.record.date_line.is_some());
}

#[test]
fn mini_tree_has_one_duplicate_and_one_edit() {
    let articles = mini_articles();
    let mut by_url: BTreeMap<&str, Vec<&Article>> = BTreeMap::new();
    for a in &articles {
        by_url
            .entry(a.parsed.record.url.as_deref().unwrap())
            .or_default()
            .push(a);
    }
    let pairs: Vec<&Vec<&Article>> = by_url.values().filter(|v| v.len() > 1).collect();
    assert_eq!(pairs.len(), 2, "exactly two URLs are shared");
    assert!(
        pairs.iter().all(|p| p.len() == 2),
        "each shared URL is a pair"
    );
    let (duplicates, edits): (Vec<_>, Vec<_>) = pairs
        .into_iter()
        .partition(|p| p[0].parsed.record.body == p[1].parsed.record.body);
    assert_eq!(duplicates.len(), 1, "one pair has identical bodies");
    assert_eq!(edits.len(), 1, "one pair is an edit (different bodies)");
    let mut folders = [
        duplicates[0][0].folder.as_str(),
        duplicates[0][1].folder.as_str(),
    ];
    folders.sort();
    assert_eq!(folders, ["BBC", "bbc"]);
}

#[test]
fn mini_list_round_trips_and_lists_the_site_folder() {
    let root = fixtures().join("duty-machine-mini");
    let text = fs::read_to_string(root.join("lists/法广.md")).expect("lists/法广.md");
    let parsed = list::parse(&text).expect("a list file");
    assert_eq!(list::write(&parsed), text);
    assert_eq!(parsed.name, "法广");
    assert_eq!(parsed.more.as_deref(), Some("/articles/法广"));

    let mut listed = Vec::new();
    for entry in &parsed.entries {
        let path = entry.href.strip_prefix('/').expect("absolute href");
        let file = root.join(path.replace("%20", " "));
        let r = read_and_roundtrip(&file).record;
        assert_eq!(entry.title, r.title, "{}", entry.href);
        assert_eq!(
            entry.date,
            list::list_date(r.published_ms.unwrap()),
            "{}",
            entry.href
        );
        assert_eq!(entry.href, list::href(path.replace("%20", " ").as_str()));
        listed.push(file);
    }
    let mut in_folder = md_files(&root.join("articles/法广"));
    in_folder.sort();
    // Newest first means ascending ids, i.e. ascending file names.
    assert_eq!(
        listed, in_folder,
        "the list holds every 法广 record, newest first"
    );
}

#[test]
fn odd_records_are_read_with_their_deviation_and_round_trip() {
    let files = md_files(&fixtures().join("records-odd"));
    let good: Vec<&PathBuf> = files
        .iter()
        .filter(|p| !p.file_name().unwrap().to_str().unwrap().starts_with("bad-"))
        .collect();
    assert!(good.len() >= 7, "expected the deviation records");
    for path in good {
        let name = path.file_name().unwrap().to_str().unwrap();
        let p = read_and_roundtrip(path);
        let (r, f) = (&p.record, &p.record.form);
        let warned = |text: &str| p.warnings.iter().any(|w| w.message.contains(text));
        let ok = match name {
            "crlf.md" => f.crlf && warned("CRLF"),
            "bom.md" => f.bom && warned("byte-order mark"),
            "no-final-newline.md" => !f.final_newline && warned("no line ending"),
            "empty-body.md" => r.body.is_empty() && warned("empty body"),
            "title-without-link.md" => r.url.is_none() && warned("not a Markdown link"),
            "multi-line-title.md" => r.title.contains('\n') && warned("several lines"),
            "body-cr-u2028.md" => r.body.contains('\r') && r.body.contains('\u{2028}'),
            "extra-blank-lines.md" => r.body.starts_with("\n\n"),
            "url-with-bracket-paren.md" => {
                f.raw_url
                    && r.url
                        .as_deref()
                        .is_some_and(|u| u.ends_with("](%E5%B7%B4%E9%BB%8E)"))
            }
            "raw-timestamp.md" => f.raw_timestamp.is_some() && warned("canonical form"),
            other => panic!("records-odd/{other}: add what it should show to this test"),
        };
        assert!(
            ok,
            "records-odd/{name}: not read as expected: {r:?}, warnings {:?}",
            p.warnings
        );
    }
}

#[test]
fn bad_records_are_errors_naming_the_file_and_line() {
    let dir = fixtures().join("records-odd");
    let expected = [
        ("bad-timestamp.md", 1, "publication time"),
        ("bad-missing-underline.md", 5, "setext underline"),
        ("bad-invalid-utf8.md", 5, "not valid UTF-8"),
    ];
    let bad: Vec<PathBuf> = md_files(&dir)
        .into_iter()
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("bad-"))
        .collect();
    assert_eq!(
        bad.len(),
        expected.len(),
        "every bad-* file has an expectation"
    );
    for (name, line, what) in expected {
        let path = dir.join(name);
        let label = label(&path);
        let bytes = fs::read(&path).unwrap_or_else(|e| panic!("read {label}: {e}"));
        let message = match record::parse(&bytes, &label) {
            Ok(p) => panic!("{label}: parsed, but must be an error: {:?}", p.record),
            Err(e) => e.to_string(),
        };
        let prefix = format!("{label}:{line}:");
        assert!(
            message.starts_with(&prefix),
            "{message:?} does not start with {prefix:?}"
        );
        assert!(message.contains(what), "{message:?} lacks {what:?}");
    }
}
