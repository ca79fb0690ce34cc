//! Crash safety: an import killed with SIGKILL at random points, again and again, leaves an
//! archive that verifies, shows nothing half-written, and completes on the next run with the
//! same versions as an import that was never interrupted.

mod common;
use common::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

/// A small deterministic tree: 60 articles per site, some of them in two folders.
fn write_tree(root: &Path) {
    for site in ["rfi", "bbc", "voa", "法广"] {
        let dir = root.join("articles").join(site);
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..60u32 {
            // 法广 repeats rfi's URLs; every third with a changed body (an edit).
            let (host, n) = if site == "法广" {
                ("rfi", i)
            } else {
                (site, i)
            };
            let body = if site == "法广" && i % 3 == 0 {
                "改动后的正文"
            } else {
                "正文"
            };
            let text = format!(
                "<!--{}-->\n[{host} 第{n}篇](https://www.{host}.example/zh/{n})\n------\n\n<div>{host}</div><p>{}</p>\n",
                1_600_000_000_000u64 + u64::from(i) * 60_000,
                body.repeat(200),
            );
            std::fs::write(dir.join(format!("{}.md", 1_048_575 - i)), text).unwrap();
        }
    }
}

fn versions(data: &Path) -> BTreeSet<(String, u32, String)> {
    let archive = archive::Archive::open(data).unwrap();
    let index = index::Index::open(data).unwrap();
    let mut out = BTreeSet::new();
    for article in index.articles().unwrap() {
        let key = model::ArticleKey::parse(&article.key).unwrap();
        for v in index.versions(&key).unwrap() {
            assert_eq!(
                model::sha256_hex(&std::fs::read(archive.resolve(&v.path)).unwrap()),
                v.sha256
            );
            out.insert((article.key.clone(), v.version, v.sha256));
        }
    }
    out
}

/// Every record file visible under `archive/` is whole: byte-identical to a file of the tree.
fn assert_nothing_half_written(data: &Path, tree_files: &BTreeSet<Vec<u8>>) {
    for (rel, bytes) in tree(&data.join("archive"), &[".staging"]) {
        if rel.ends_with(".md") || rel.contains(".md.") {
            assert!(tree_files.contains(&bytes), "{rel} is not a whole record");
        }
        assert!(!rel.contains(".tmp"), "temporary file visible: {rel}");
    }
}

/// Runs killed mid-import that the crash test needs, and the most rounds it tries.
const KILLS: usize = 8;
const MAX_ROUNDS: usize = 40;

#[test]
fn import_killed_at_random_points_recovers_completely() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("tree");
    write_tree(&src);
    let tree_files: BTreeSet<Vec<u8>> = tree(&src, &[]).into_values().collect();
    let args = |data: &Path| {
        let mut cmd = bin();
        cmd.arg("--data")
            .arg(data)
            .args(["import", "--batch", "7"])
            .arg(&src);
        cmd
    };

    // A clean import gives the expected versions and how long a run takes.
    let clean = tmp.path().join("clean");
    let started = Instant::now();
    assert!(args(&clean).status().unwrap().success());
    let full = started.elapsed();
    let expected = versions(&clean);
    assert_eq!(
        expected.len(),
        180 + 20,
        "180 articles, 20 of them edited once"
    );

    // Rounds go on until enough runs were killed mid-import: on a slow or busy machine a run
    // may finish before its kill. A run that finishes has completed the import of a data
    // directory that lived through the crashes before it: it must hold exactly the clean
    // import's versions, and the next rounds crash a new one.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("crash test seed {seed}");
    let mut rng = seed | 1;
    let (mut killed, mut completed) = (0, 0);
    let mut data = tmp.path().join("crashed-0");
    let mut round = 0;
    while killed < KILLS && round < MAX_ROUNDS {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // Mostly within the first half of a full run, when there is the most to interrupt.
        let delay = Duration::from_micros(rng % (full.as_micros() as u64 / 2 + 1));
        let mut child = args(&data)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        // SAFETY: plain kill(2) on our own child's pid.
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        let status = child.wait().unwrap();
        let out = nv(&data, &["verify"]);
        assert_eq!(
            code(&out),
            0,
            "round {round} (seed {seed}, kill after {delay:?}): {}",
            stderr(&out)
        );
        assert_nothing_half_written(&data, &tree_files);
        match status.code() {
            None => killed += 1,
            Some(code) => {
                assert_eq!(
                    code, 0,
                    "round {round} (seed {seed}): an import after crashes failed"
                );
                assert_eq!(versions(&data), expected, "round {round} (seed {seed})");
                completed += 1;
                data = tmp.path().join(format!("crashed-{completed}"));
            }
        }
        round += 1;
    }
    eprintln!("{killed} runs killed mid-import, {completed} completed, in {round} rounds");
    assert!(
        killed >= KILLS,
        "only {killed} of {round} runs were killed mid-import; the test did not test"
    );

    let out = args(&data).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = nv(&data, &["verify"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("warning"),
        "leftovers after a completed import: {}",
        stderr(&out)
    );
    assert_eq!(versions(&data), expected);
    // A rebuilt index agrees with the one that lived through the crashes.
    let live = index::Index::open(&data).unwrap().dump().unwrap();
    assert_eq!(code(&nv(&data, &["reindex"])), 0);
    assert_eq!(live, index::Index::open(&data).unwrap().dump().unwrap());
}
