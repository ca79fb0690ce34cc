//! Round-trips the real duty-machine records in the shared fixtures (`../shared`, outside this
//! repository): every record must write back byte for byte, the list file too, and every file and
//! folder name must be understood by the layout module.
//!
//! When the shared directory is absent the tests are skipped with a message, except on CI
//! (`CI=true`), where its absence is a failure.

use newsvault_record as record;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared");

/// The shared directory, or `None` (after saying so) when it is absent outside CI.
fn shared_dir(test: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(SHARED);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{test}: the shared fixtures directory {} is missing; CI must provide it \
             (the real duty-machine records live there)",
            dir.display()
        );
    }
    // Straight to stderr, not `eprintln!`, so that the test harness does not capture the line;
    // one write, so that lines of tests running in parallel do not interleave.
    let line = format!(
        "{test}: skipped: shared fixtures directory {} not found\n",
        dir.display()
    );
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    None
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

/// Parses `path`, checks it has a title and a URL, and that writing gives back the same bytes.
fn assert_roundtrip(path: &Path) {
    let label = path.display().to_string();
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("read {label}: {e}"));
    let parsed = record::parse(&bytes, &label).unwrap_or_else(|e| panic!("{e}"));
    let r = &parsed.record;
    assert!(!r.title.trim().is_empty(), "{label}: empty title");
    assert!(
        r.url.as_deref().is_some_and(|u| !u.is_empty()),
        "{label}: no URL"
    );
    let written = record::write(r);
    if written != bytes {
        let at = written
            .iter()
            .zip(&bytes)
            .position(|(a, b)| a != b)
            .unwrap_or(written.len().min(bytes.len()));
        panic!(
            "{label}: write(parse(bytes)) differs from bytes at byte {at} \
             (written {} bytes, file {} bytes)",
            written.len(),
            bytes.len()
        );
    }
}

#[test]
fn shared_seed_record_roundtrips() {
    let Some(shared) = shared_dir("shared_seed_record_roundtrips") else {
        return;
    };
    let seed = shared.join("fixtures/seed/rfi-20230526.md");
    assert_roundtrip(&seed);
    let r = record::parse(&fs::read(&seed).unwrap(), "seed")
        .unwrap()
        .record;
    assert_eq!(r.published_ms, Some(1685139303000));
    assert_eq!(r.form, record::Form::default(), "the seed is canonical");
}

#[test]
fn shared_duty_machine_articles_roundtrip() {
    let Some(shared) = shared_dir("shared_duty_machine_articles_roundtrip") else {
        return;
    };
    let files = md_files(&shared.join("fixtures/duty-machine/articles"));
    assert!(!files.is_empty(), "no records under articles/");
    for path in &files {
        assert_roundtrip(path);
    }
}

#[test]
fn shared_list_roundtrips() {
    let Some(shared) = shared_dir("shared_list_roundtrips") else {
        return;
    };
    let path = shared.join("fixtures/duty-machine/lists/法广.md");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let list = record::list::parse(&text)
        .unwrap_or_else(|| panic!("{} is not a list file", path.display()));
    assert_eq!(list.name, "法广");
    assert!(!list.entries.is_empty());
    assert_eq!(record::list::write(&list), text);
}

#[test]
fn shared_file_names_and_site_folders_are_known() {
    let Some(shared) = shared_dir("shared_file_names_and_site_folders_are_known") else {
        return;
    };
    let articles = shared.join("fixtures/duty-machine/articles");
    let mut folders = 0;
    for entry in fs::read_dir(&articles).expect("articles/") {
        let folder = entry.expect("directory entry").path();
        if !folder.is_dir() {
            continue;
        }
        folders += 1;
        let name = folder.file_name().unwrap().to_str().expect("UTF-8 folder");
        assert!(
            record::layout::known_site(name).is_some(),
            "site folder {name:?} is not a known site"
        );
    }
    assert!(folders > 0, "no site folders under articles/");
    for path in md_files(&articles) {
        let name = path.file_name().unwrap().to_str().expect("UTF-8 file name");
        let parsed = record::layout::parse_file_name(name);
        assert!(
            parsed.is_some(),
            "{}: not a record file name",
            path.display()
        );
        assert!(
            parsed.unwrap().id <= record::layout::FIRST_ID,
            "{}: id above FIRST_ID",
            path.display()
        );
    }
}
