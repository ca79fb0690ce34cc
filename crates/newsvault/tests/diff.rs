//! `newsvault diff`: versions of one article made by importing three revisions of its record
//! (a typo fix with a headline change, then a paragraph moved and one removed); the default
//! pair, chosen pairs, JSON, and the errors.

mod common;

use common::{code, nv, stderr, stdout};
use std::path::{Path, PathBuf};

const URL: &str = "https://www.voachinese.com/a/diff-test.html";

const P1: &str = "记者从现场发回的第一段报道。";
const P2: &str = "官员表示，这项政策将在下个月生效，引起各界关注。";
const P3: &str = "第三段：目击者描述了当时的情况，以及随后发生的一系列事情。";
const P4: &str = "第四段：专家认为此事影响深远。";
const P5: &str = "第五段：这段话后来被删除了。";

fn record(title: &str, paragraphs: &[&str]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
    format!("<!--1700000000000-->\n[{title}]({URL})\n------\n\n{body}\n")
}

/// A data dir where the article has three versions, and a second article with one.
fn data_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let fixed = P2.replace('注', "註");
    let revisions = [
        record("政策将于下月生效", &[P1, P2, P3, P4, P5]),
        record("政策将于下月正式生效", &[P1, fixed.as_str(), P3, P4, P5]),
        record("政策将于下月正式生效", &[P1, fixed.as_str(), P4, P3]),
    ];
    for (n, text) in revisions.iter().enumerate() {
        let file = tmp.path().join(format!("r{n}.md"));
        std::fs::write(&file, text).unwrap();
        let run = nv(&data, &["import", file.to_str().unwrap()]);
        assert_eq!(code(&run), 0, "{}", stderr(&run));
    }
    let single = tmp.path().join("single.md");
    std::fs::write(
        &single,
        "<!--1700000000000-->\n[只有一版](https://www.voachinese.com/a/single.html)\n------\n\n<p>一</p>\n",
    )
    .unwrap();
    assert_eq!(code(&nv(&data, &["import", single.to_str().unwrap()])), 0);
    (tmp, data)
}

fn diff(data: &Path, args: &[&str]) -> std::process::Output {
    let mut full = vec!["diff"];
    full.extend_from_slice(args);
    nv(data, &full)
}

#[test]
fn the_latest_change_by_default_then_any_pair() {
    let (_tmp, data) = data_dir();
    let history = nv(&data, &["history", URL, "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&history)).unwrap();
    assert_eq!(doc["versions"].as_array().unwrap().len(), 3, "{doc}");

    // v2 → v3: a paragraph moved up past another, one removed; the typo fix is old news.
    let run = diff(&data, &[URL]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let out = stdout(&run);
    assert!(
        !out.contains('\x1b'),
        "no colours when stdout is not a terminal"
    );
    assert!(out.starts_with("政策将于下月正式生效\n"), "{out}");
    assert!(out.contains("v2 (captured "), "{out}");
    assert!(out.contains("1 moved, 1 deleted, 0 inserted"), "{out}");
    assert!(out.contains(&format!("[-{P5}-]")), "{out}");
    assert!(out.contains("[moved ¶"), "{out}");
    assert!(!out.contains("title:"), "the title did not change: {out}");
    // Paragraphs next to a change are context; the first is folded away.
    assert!(out.contains(" unchanged paragraph"), "{out}");
    assert!(!out.contains(P1), "{out}");
    let full = stdout(&diff(&data, &[URL, "--full"]));
    assert!(full.contains(P1), "{full}");

    // v1 → v2: one character of the text and the headline.
    let run = diff(&data, &[URL, "--from", "1", "--to", "2"]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let out = stdout(&run);
    assert!(out.contains("title: 政策将于下月{+正式+}生效"), "{out}");
    assert!(out.contains("引起各界关[-注-]{+註+}。"), "{out}");
    assert!(
        out.contains("1 changed, 0 moved, 0 deleted, 0 inserted"),
        "{out}"
    );
    // --to alone compares with the version before it.
    assert_eq!(stdout(&diff(&data, &[URL, "--to", "2"])), out);
}

#[test]
fn json_is_the_structure() {
    let (_tmp, data) = data_dir();
    let run = diff(&data, &[URL, "--from", "1", "--to", "2", "--json"]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&run)).unwrap();
    assert_eq!(doc["url"], URL);
    assert_eq!(doc["from"]["version"], 1);
    assert_eq!(doc["to"]["version"], 2);
    assert_eq!(doc["title"]["old"], "政策将于下月生效");
    assert_eq!(doc["title"]["new"], "政策将于下月正式生效");
    assert_eq!(doc["summary"]["changed"], 1);
    assert_eq!(doc["summary"]["equal"], 4);
    let changed = &doc["paragraphs"][1];
    assert_eq!(changed["op"], "changed", "{doc}");
    assert_eq!(
        changed["inline"],
        serde_json::json!([
            {"op": "equal", "text": "官员表示，这项政策将在下个月生效，引起各界关"},
            {"op": "delete", "text": "注"},
            {"op": "insert", "text": "註"},
            {"op": "equal", "text": "。"},
        ])
    );
    let latest: serde_json::Value =
        serde_json::from_str(&stdout(&diff(&data, &[URL, "--json"]))).unwrap();
    assert!(latest["title"].is_null(), "{latest}");
    let ops: Vec<&str> = latest["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["op"].as_str().unwrap())
        .collect();
    assert!(ops.contains(&"moved") && ops.contains(&"delete"), "{ops:?}");
}

#[test]
fn errors_name_what_is_missing() {
    let (_tmp, data) = data_dir();
    let run = diff(&data, &["https://www.voachinese.com/a/never.html"]);
    assert_eq!(code(&run), 1);
    assert!(
        stderr(&run).contains("no article with URL or key"),
        "{}",
        stderr(&run)
    );

    let run = diff(&data, &[URL, "--to", "7"]);
    assert_eq!(code(&run), 1);
    assert!(
        stderr(&run).contains("has no version 7 (its versions: 1, 2, 3)"),
        "{}",
        stderr(&run)
    );
    let run = diff(&data, &[URL, "--to", "1"]);
    assert_eq!(code(&run), 1);
    assert!(
        stderr(&run).contains("nothing before v1"),
        "{}",
        stderr(&run)
    );

    let run = diff(&data, &["https://www.voachinese.com/a/single.html"]);
    assert_eq!(code(&run), 1);
    assert!(
        stderr(&run).contains("nothing to compare") && stderr(&run).contains("single version"),
        "{}",
        stderr(&run)
    );
}
