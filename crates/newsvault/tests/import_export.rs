//! Import → export round trips through the real binary.

mod common;
use common::*;
use std::path::Path;

/// Imports `tree`, exports it, and checks the exported `articles/` is byte-identical; then
/// checks that a second import adds nothing and a second export writes nothing.
fn round_trip(tree_dir: &Path) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let out = tmp.path().join("out");

    let first = nv(&data, &["import", tree_dir.to_str().unwrap()]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let original = tree(&tree_dir.join("articles"), &[]);
    assert!(
        stderr(&first).contains(&format!("imported {} files", original.len())),
        "{}",
        stderr(&first)
    );

    let export = nv(&data, &["export", "duty-machine", out.to_str().unwrap()]);
    assert_eq!(code(&export), 0, "{}", stderr(&export));
    let exported = tree(&out.join("articles"), &[]);
    assert_eq!(
        exported.keys().collect::<Vec<_>>(),
        original.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &original {
        assert!(
            exported[path] == *bytes,
            "{path} differs after import → export"
        );
    }

    let again = nv(&data, &["import", tree_dir.to_str().unwrap()]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert!(
        stderr(&again).contains(&format!(
            "0 new, {} unchanged, 0 new versions",
            original.len()
        )),
        "second import must add nothing: {}",
        stderr(&again)
    );
    let export2 = nv(&data, &["export", "duty-machine", out.to_str().unwrap()]);
    assert!(
        stderr(&export2).contains("0 article files written"),
        "{}",
        stderr(&export2)
    );
    assert!(
        stderr(&export2).contains("0 lists written"),
        "{}",
        stderr(&export2)
    );
    assert_eq!(code(&nv(&data, &["verify"])), 0);
}

#[test]
fn shared_duty_machine_tree_exports_back_byte_for_byte() {
    if let Some(shared) = shared() {
        round_trip(&shared.join("fixtures/duty-machine"));
    }
}

#[test]
fn committed_tree_exports_back_byte_for_byte() {
    round_trip(&mini_tree());
}

#[test]
fn an_edited_record_becomes_a_new_version_and_nothing_is_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let dir = tmp.path().join("records");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("a.md");
    let v1 =
        "<!--1593198946000-->\n[原标题](https://www.example.org/news/1)\n------\n\n<p>第一版</p>\n";
    std::fs::write(&file, v1).unwrap();
    assert_eq!(code(&nv(&data, &["import", dir.to_str().unwrap()])), 0);
    let v2 = "<!--1593198946000-->\n[新标题](https://www.example.org/news/1?utm_source=rss)\n------\n\n<p>第二版</p>\n";
    std::fs::write(&file, v2).unwrap();
    let out = nv(&data, &["import", file.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("0 new, 0 unchanged, 1 new versions"),
        "{}",
        stderr(&out)
    );

    let history = nv(
        &data,
        &["history", "http://www.example.org/news/1#x", "--json"],
    );
    assert_eq!(code(&history), 0, "{}", stderr(&history));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&history)).unwrap();
    assert_eq!(doc["title"], "新标题");
    let versions = doc["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    let events: Vec<&str> = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["new", "edited"]);
    let v1_path = data.join(versions[0]["path"].as_str().unwrap());
    assert_eq!(
        std::fs::read_to_string(v1_path).unwrap(),
        v1,
        "version 1 must stay as archived"
    );

    // Importing the first text again is recognised as version 1, not a third version.
    std::fs::write(&file, v1).unwrap();
    let out = nv(&data, &["import", file.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("0 new, 1 unchanged, 0 new versions"),
        "{}",
        stderr(&out)
    );
    assert_eq!(code(&nv(&data, &["verify"])), 0);
}

#[test]
fn versions_of_one_article_in_consecutive_batches_keep_their_order() {
    // One record per batch: while one batch's record is being placed, the next batch (the
    // next version of the same article) is written, and the one after is being decided.
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let dir = tmp.path().join("records");
    std::fs::create_dir_all(&dir).unwrap();
    let texts: Vec<String> = (1..=6)
        .map(|n| {
            format!(
                "<!--1593198946000-->\n[标题{n}](https://www.example.org/news/7)\n------\n\n<p>第{n}版</p>\n"
            )
        })
        .collect();
    for (i, text) in texts.iter().enumerate() {
        std::fs::write(dir.join(format!("{i}.md")), text).unwrap();
        // An unrelated article between the versions.
        let other = format!(
            "<!--1593198946000-->\n[别的{i}](https://www.example.org/other/{i})\n------\n\n<p>{i}</p>\n"
        );
        std::fs::write(dir.join(format!("{i}-other.md")), other).unwrap();
    }
    let out = nv(&data, &["import", "--batch", "1", dir.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("7 new, 0 unchanged, 5 new versions"),
        "{}",
        stderr(&out)
    );
    let history = nv(
        &data,
        &["history", "https://www.example.org/news/7", "--json"],
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout(&history)).unwrap();
    let versions = doc["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 6);
    for (n, (version, text)) in versions.iter().zip(&texts).enumerate() {
        assert_eq!(version["version"], n + 1);
        let path = data.join(version["path"].as_str().unwrap());
        assert_eq!(&std::fs::read_to_string(path).unwrap(), text);
    }
    let verify = nv(&data, &["verify"]);
    assert_eq!(code(&verify), 0, "{}", stderr(&verify));
    assert!(!stderr(&verify).contains("warning"), "{}", stderr(&verify));
}

#[test]
fn rejected_files_are_named_with_their_line_and_the_rest_is_imported() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let dir = tmp.path().join("records");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("good.md"),
        "<!--1-->\n[好](https://example.org/good)\n------\n\n<p>x</p>\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("bad.md"),
        "<!--yesterday-->\n[坏](https://example.org/bad)\n------\n\n<p>x</p>\n",
    )
    .unwrap();
    let out = nv(
        &data,
        &[
            "import",
            dir.to_str().unwrap(),
            tmp.path().join("missing").to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("bad.md:1: expected `<!--{publication time"),
        "{err}"
    );
    assert!(err.contains("missing: no such file or folder"), "{err}");
    assert!(
        err.contains("1 new, 0 unchanged, 0 new versions, 2 rejected"),
        "{err}"
    );
    assert_eq!(
        code(&nv(&data, &["history", "https://example.org/good"])),
        0
    );
}

#[test]
fn new_articles_get_countdown_ids_and_a_list_newest_first() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let dir = tmp.path().join("loose");
    std::fs::create_dir_all(&dir).unwrap();
    // Two VOA articles, the older published first; file names say nothing about order.
    std::fs::write(dir.join("b.md"), "<!--1600000000000-->\n[旧闻](https://www.voachinese.com/a/old.html)\n------\n\n<p>旧</p>\n").unwrap();
    std::fs::write(dir.join("a.md"), "<!--1700000000000-->\n[新闻](https://www.voachinese.com/a/new.html)\n------\n\n<p>新</p>\n").unwrap();
    assert_eq!(code(&nv(&data, &["import", dir.to_str().unwrap()])), 0);
    let out = tmp.path().join("out");
    assert_eq!(
        code(&nv(
            &data,
            &["export", "duty-machine", out.to_str().unwrap()]
        )),
        0
    );
    let old = std::fs::read_to_string(out.join("articles/voa/1048575.md")).unwrap();
    assert!(old.contains("[旧闻]"), "{old}");
    let new = std::fs::read_to_string(out.join("articles/voa/1048574.md")).unwrap();
    assert!(new.contains("[新闻]"), "{new}");
    let list = std::fs::read_to_string(out.join("lists/美国之音.md")).unwrap();
    assert_eq!(
        list,
        "美国之音\n------\n\n11-15 [新闻](/articles/voa/1048574.md)\n\n9-13 [旧闻](/articles/voa/1048575.md)\n\n\n[查看更多](/articles/voa)"
    );

    // A third, newer article later gets the next id down; the others are not rewritten.
    std::fs::write(dir.join("c.md"), "<!--1750000000000-->\n[更新](https://www.voachinese.com/a/newer.html)\n------\n\n<p>更</p>\n").unwrap();
    assert_eq!(
        code(&nv(&data, &["import", dir.join("c.md").to_str().unwrap()])),
        0
    );
    let again = nv(&data, &["export", "duty-machine", out.to_str().unwrap()]);
    assert!(
        stderr(&again).contains("1 article files written, 2 unchanged, 1 lists written"),
        "{}",
        stderr(&again)
    );
    assert!(
        std::fs::read_to_string(out.join("articles/voa/1048573.md"))
            .unwrap()
            .contains("[更新]")
    );
}

#[test]
fn export_into_an_existing_checkout_does_not_reuse_its_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let out = tmp.path().join("out");
    // A checkout that already has VOA articles we never imported.
    std::fs::create_dir_all(out.join("articles/voa")).unwrap();
    std::fs::write(out.join("articles/voa/1040000.md"), "not ours").unwrap();
    let file = tmp.path().join("r.md");
    std::fs::write(
        &file,
        "<!--1700000000000-->\n[新](https://www.voachinese.com/a/1.html)\n------\n\n<p>x</p>\n",
    )
    .unwrap();
    assert_eq!(code(&nv(&data, &["import", file.to_str().unwrap()])), 0);
    assert_eq!(
        code(&nv(
            &data,
            &["export", "duty-machine", out.to_str().unwrap()]
        )),
        0
    );
    assert_eq!(
        std::fs::read_to_string(out.join("articles/voa/1040000.md")).unwrap(),
        "not ours"
    );
    assert!(
        std::fs::read_to_string(out.join("articles/voa/1039999.md"))
            .unwrap()
            .contains("[新]")
    );

    std::fs::write(out.join(".newsvault-export.json"), "{ not json").unwrap();
    let broken = nv(&data, &["export", "duty-machine", out.to_str().unwrap()]);
    assert_eq!(code(&broken), 1);
    assert!(
        stderr(&broken).contains(".newsvault-export.json"),
        "{}",
        stderr(&broken)
    );
}
