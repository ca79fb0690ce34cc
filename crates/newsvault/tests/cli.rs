//! The command-line contract: help, usage errors, exit codes.

mod common;
use common::*;

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["import", "--help"],
        vec!["export", "--help"],
        vec!["export", "duty-machine", "--help"],
        vec!["history", "--help"],
        vec!["reindex", "--help"],
        vec!["verify", "--help"],
    ] {
        let out = bin().args(&args).output().unwrap();
        assert_eq!(code(&out), 0, "{args:?}");
        assert!(
            stdout(&out).contains("Usage: newsvault"),
            "{args:?}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn usage_errors_exit_64() {
    for args in [
        vec!["no-such-command"],
        vec!["import"],
        vec!["history"],
        vec!["--bogus", "verify"],
    ] {
        let out = bin().args(&args).output().unwrap();
        assert_eq!(code(&out), 64, "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn data_dir_comes_from_the_environment_when_not_given() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("from-env");
    let out = bin()
        .env("NEWSVAULT_DATA", &data)
        .arg("verify")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(data.join("archive").is_dir());
}

#[test]
fn history_prints_versions_and_events() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let file = tmp.path().join("r.md");
    std::fs::write(
        &file,
        "<!--1685139303000-->\n[标题](https://www.rfi.fr/cn/a)\n------\n\n<p>x</p>\n",
    )
    .unwrap();
    assert_eq!(code(&nv(&data, &["import", file.to_str().unwrap()])), 0);
    let key = model::ArticleKey::for_url("https://www.rfi.fr/cn/a");
    let out = nv(&data, &["history", key.as_str()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("标题") && text.contains("v1") && text.contains("new"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&nv(&data, &["history", "--json", key.as_str()]))).unwrap();
    assert_eq!(json["key"], key.as_str());
    assert_eq!(json["published"], "2023-05-26T22:15:03Z");
    assert_eq!(json["source"], "rfi");
}

#[test]
fn a_second_writer_is_refused_while_one_holds_the_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let archive = archive::Archive::open(&data).unwrap();
    let _held = archive.writer().unwrap();
    let out = nv(&data, &["reindex"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("in use by another newsvault process"),
        "{}",
        stderr(&out)
    );
}
