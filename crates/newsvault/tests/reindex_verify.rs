//! `reindex` reaches the same state; `verify` finds damage and names where.

mod common;
use common::*;

fn imported() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let out = nv(&data, &["import", mini_tree().to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    (tmp, data)
}

#[test]
fn reindex_rebuilds_the_same_rows_from_the_archive_alone() {
    let (_tmp, data) = imported();
    let before = index::Index::open(&data).unwrap().dump().unwrap();
    assert!(
        before
            .lines()
            .filter(|l| l.starts_with("versions\t"))
            .count()
            >= 10,
        "{before}"
    );
    std::fs::remove_file(data.join("index.sqlite")).unwrap();
    let out = nv(&data, &["reindex"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let after = index::Index::open(&data).unwrap().dump().unwrap();
    assert_eq!(before, after);
    // And again over an existing index.
    assert_eq!(code(&nv(&data, &["reindex"])), 0);
    assert_eq!(before, index::Index::open(&data).unwrap().dump().unwrap());
}

#[test]
fn verify_names_a_changed_record() {
    let (_tmp, data) = imported();
    let out = nv(
        &data,
        &["history", "--json", "https://www.rfi.fr/cn/does-not-exist"],
    );
    assert_eq!(code(&out), 1);
    let archive = archive::Archive::open(&data).unwrap();
    let log = archive::read_log(&archive, &model::SourceId::new("rfi").unwrap()).unwrap();
    let first = log.into_iter().next().unwrap().unwrap();
    let path = data.join(first.capture.path.unwrap());
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"<p>tampered</p>");
    std::fs::write(&path, bytes).unwrap();
    let out = nv(&data, &["verify"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("damage: {}: content changed", path.display())),
        "{}",
        stderr(&out)
    );
}

#[test]
fn verify_names_a_broken_chain_by_line() {
    let (_tmp, data) = imported();
    let log = data.join("archive/rfi/captures.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    assert!(lines.len() >= 2);
    lines[0] = lines[0].replace("\"via\":\"import\"", "\"via\":\"forged\"");
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    let out = nv(&data, &["verify", "--json"]);
    assert_eq!(code(&out), 1);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["ok"], false);
    let damage = &doc["damage"][0];
    assert_eq!(damage["line"], 2, "{doc}");
    assert!(
        damage["message"]
            .as_str()
            .unwrap()
            .contains("hash chain broken"),
        "{doc}"
    );
}

#[test]
fn a_torn_log_line_is_a_warning_and_the_next_import_cuts_it() {
    let (_tmp, data) = imported();
    let log = data.join("archive/rfi/captures.jsonl");
    let mut bytes = std::fs::read(&log).unwrap();
    let clean_len = bytes.len();
    bytes.extend_from_slice(b"{\"seq\":99,\"time\":\"2026");
    std::fs::write(&log, bytes).unwrap();
    let out = nv(&data, &["verify"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("torn last line"), "{}", stderr(&out));
    let out = nv(&data, &["import", mini_tree().to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let after = std::fs::read(&log).unwrap();
    assert!(
        after.len() > clean_len && !after.windows(6).any(|w| w == b"\"2026\""),
        "torn tail must be cut"
    );
    let out = nv(&data, &["verify"]);
    assert_eq!(code(&out), 0);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}
