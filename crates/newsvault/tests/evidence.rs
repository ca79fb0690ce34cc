//! `newsvault export evidence` and the WARC half of `verify`, on a data dir built by the real
//! `fetch` against a fixture site on 127.0.0.1: a full-text feed whose first article is
//! edited once (so its log interleaves with another article's lines) and a summary-only feed
//! whose article page is fetched. The export is checked the way a third party would:
//! SHA256SUMS, the hash chain, `warcio check`, and the README's own Python recipes.

mod common;

use common::site::{Fixture, full_text_rss, ok, summary_rss};
use common::{code, nv, stderr, stdout};
use fetch::warc::{Record, WarcReader};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A data dir with sources `full` (article one: v1, v2; article two: v1) and `sum` (one
/// article whose page was fetched), all through `newsvault fetch`.
fn data_dir() -> (tempfile::TempDir, PathBuf, String) {
    let site = Fixture::start();
    let base = site.base.clone();
    let put = |path: &str, content_type: &'static str, body: String| {
        site.put(path, ok(content_type, body));
    };
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("newsvault.toml"),
        format!(
            "[fetch]\nper_host_concurrency = 16\nmin_interval_ms = 0\nmax_attempts = 1\n\
             connect_timeout_secs = 5\ntotal_timeout_secs = 60\n\n\
             [[sources]]\nid = \"full\"\nname = \"全文台\"\nurl = \"{base}/full.xml\"\nfull_text = true\ninterval = 60\n\n\
             [[sources]]\nid = \"sum\"\nname = \"摘要台\"\nurl = \"{base}/sum.xml\"\nfull_text = false\ninterval = 60\n"
        ),
    )
    .unwrap();
    let one = "<p>第一篇的第一段，由测试写成。</p><p>第一篇的第二段。</p>";
    let two = "<p>第二篇的正文。</p>";
    put(
        "/full.xml",
        "application/rss+xml",
        full_text_rss(&base, &[("one", "第一篇", one), ("two", "第二篇", two)]),
    );
    put(
        "/sum.xml",
        "application/rss+xml",
        summary_rss(&base, "/story.html", "长篇报道"),
    );
    let paragraphs: String = (1..=5)
        .map(|i| format!("<p>这是报道的第{i}段，记者在现场看到的情况被完整地记录下来。</p>"))
        .collect();
    put(
        "/story.html",
        "text/html; charset=utf-8",
        format!(
            "<!doctype html><html><head><title>长篇报道 - 测试台</title></head><body>\
             <nav><a href=\"/\">首页</a></nav><article><h1>长篇报道</h1>{paragraphs}</article>\
             <footer>版权所有</footer></body></html>"
        ),
    );
    let run = nv(&data, &["fetch"]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    // An edit of article one (article two unchanged).
    put(
        "/full.xml",
        "application/rss+xml",
        full_text_rss(
            &base,
            &[
                (
                    "one",
                    "第一篇",
                    "<p>第一篇的第一段，由测试写成。</p><p>第一篇的第二段，已更正。</p>",
                ),
                ("two", "第二篇", two),
            ],
        ),
    );
    let run = nv(&data, &["fetch", "--source", "full"]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    (tmp, data, base)
}

/// The lines of a capture log, as bytes without their newlines.
fn log_lines(path: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.ends_with(b"\n"), "{}", path.display());
    bytes[..bytes.len() - 1]
        .split(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// `article-lines.tsv` as one map per row.
fn table(dir: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(dir.join("article-lines.tsv")).unwrap();
    let mut rows = text.lines().filter(|l| !l.starts_with('#'));
    let names: Vec<&str> = rows.next().unwrap().split('\t').collect();
    rows.map(|r| {
        names
            .iter()
            .zip(r.split('\t'))
            .map(|(n, v)| (n.to_string(), v.to_owned()))
            .collect()
    })
    .collect()
}

fn records(path: &Path) -> Vec<Record> {
    WarcReader::open(path)
        .unwrap()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// Every gzip member of the data dir's WARC files.
fn archive_members(data: &Path) -> HashSet<Vec<u8>> {
    let mut out = HashSet::new();
    for day in std::fs::read_dir(data.join("warc")).unwrap().flatten() {
        for file in std::fs::read_dir(day.path()).unwrap().flatten() {
            out.extend(records(&file.path()).into_iter().map(Record::into_raw));
        }
    }
    out
}

/// Whether `program` runs; on CI (`CI=true`) it must.
fn available(program: &str, install: &str) -> bool {
    if Command::new(program).arg("--help").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "CI must install {program} ({install})"
    );
    eprintln!("skipped: {program} is not installed ({install})");
    false
}

/// A recipe from README.txt: the indented block starting with the line `first`.
fn recipe(readme: &str, first: &str) -> String {
    let lines: Vec<&str> = readme.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == first)
        .unwrap_or_else(|| panic!("no recipe starting {first:?} in README.txt"));
    lines[start..]
        .iter()
        .take_while(|l| l.starts_with("     "))
        .map(|l| format!("{}\n", &l[5..]))
        .collect()
}

fn run_in(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{program} {args:?} failed:\n{text}");
    text
}

#[test]
fn an_export_checks_out_with_standard_tools() {
    let (tmp, data, base) = data_dir();
    let url = format!("{base}/a/one.html");
    let key = model::ArticleKey::for_url(&url).to_string();
    let dir = tmp.path().join("evidence");
    let run = nv(&data, &["export", "evidence", &url, dir.to_str().unwrap()]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));

    // The log prefix: byte for byte the start of the archive's log, ending at the last line
    // about the article; the chain re-computes from 64 zeros.
    let exported = log_lines(&dir.join("archive/full/captures.jsonl"));
    let original = log_lines(&data.join("archive/full/captures.jsonl"));
    assert_eq!(exported, original[..exported.len()]);
    let mut prev = "0".repeat(64);
    for (n, line) in exported.iter().enumerate() {
        let c: serde_json::Value = serde_json::from_slice(line).unwrap();
        assert_eq!(c["prev"], prev.as_str(), "line {}", n + 1);
        prev = model::sha256_hex(line);
    }
    let about: Vec<usize> = exported
        .iter()
        .enumerate()
        .filter(|(_, l)| serde_json::from_slice::<serde_json::Value>(l).unwrap()["key"] == key)
        .map(|(n, _)| n + 1)
        .collect();
    assert_eq!(about.last(), Some(&exported.len()));
    let other_lines = exported.len() - about.len();
    assert!(
        other_lines > 0,
        "the prefix holds the other article's lines too"
    );

    // The table lists exactly those lines, with their records and WARC offsets.
    let rows = table(&dir);
    let listed: Vec<usize> = rows.iter().map(|r| r["line"].parse().unwrap()).collect();
    assert_eq!(listed, about);
    let events: Vec<&str> = rows.iter().map(|r| r["event"].as_str()).collect();
    assert_eq!(events, ["new", "edited"]);
    for row in &rows {
        assert_eq!(row["log"], "archive/full/captures.jsonl");
        let record = std::fs::read(dir.join(&row["record"])).unwrap();
        assert_eq!(model::sha256_hex(&record), row["record_sha256"]);
        assert!(!row["warc_offset"].is_empty(), "{row:?}");
    }

    // SHA256SUMS covers every other file and matches.
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let mut files = common::tree(&dir, &["SHA256SUMS"]);
    for line in sums.lines() {
        let (sha, path) = line.split_once("  ").unwrap();
        let bytes = files
            .remove(path)
            .unwrap_or_else(|| panic!("{path} not exported"));
        assert_eq!(model::sha256_hex(&bytes), sha, "{path}");
    }
    assert!(files.is_empty(), "not in SHA256SUMS: {:?}", files.keys());
    if available("sha256sum", "coreutils") {
        run_in(&dir, "sha256sum", &["-c", "--strict", "SHA256SUMS"]);
    }

    // The exchanges: a fresh warcinfo, then members copied byte for byte; each named response
    // at its listed offset with its request.
    let warc = records(&dir.join("exchanges.warc.gz"));
    assert_eq!(warc[0].record_type(), Some("warcinfo"));
    assert_eq!(warc[0].field("WARC-Filename"), Some("exchanges.warc.gz"));
    let members = archive_members(&data);
    for r in &warc[1..] {
        assert!(members.contains(r.raw()), "{:?} was re-encoded", r.id());
    }
    let ids: HashSet<&str> = warc.iter().filter_map(Record::id).collect();
    for row in &rows {
        let at: u64 = row["warc_offset"].parse().unwrap();
        let response = warc.iter().find(|r| r.offset == at).unwrap();
        assert_eq!(response.id(), Some(row["warc_record_id"].as_str()));
        assert_eq!(response.record_type(), Some("response"));
        assert_eq!(
            model::sha256_hex(&response.http().unwrap().payload),
            row["body_sha256"]
        );
        let request = response.field("WARC-Concurrent-To").unwrap();
        assert!(ids.contains(request), "request {request} not exported");
        assert!(ids.contains(response.field("WARC-Warcinfo-ID").unwrap()));
    }
    // Two feed fetches: two responses and their requests, plus the warcinfo records.
    assert_eq!(
        warc.iter()
            .filter(|r| r.record_type() == Some("response"))
            .count(),
        2
    );

    // What a third party runs: warcio, and the README's own recipes.
    if available("warcio", "pip install warcio") {
        let check = run_in(&dir, "warcio", &["check", "-v", "exchanges.warc.gz"]);
        assert!(
            check.contains("digest pass") && !check.contains("fail"),
            "{check}"
        );
    }
    let readme = std::fs::read_to_string(dir.join("README.txt")).unwrap();
    assert!(readme.contains("sha256sum -c SHA256SUMS"), "{readme}");
    assert!(readme.contains(&key), "{readme}");
    if available("python3", "apt-get install python3") {
        let chain = recipe(&readme, "import hashlib, json, sys");
        assert!(chain.lines().count() <= 10, "{chain}");
        let out = run_in(
            &dir,
            "python3",
            &["-c", &chain, "archive/full/captures.jsonl"],
        );
        assert!(
            out.contains(&format!(
                "chain intact, {} lines, last line SHA-256 {prev}",
                exported.len()
            )),
            "{out}"
        );
        let payloads = run_in(
            &dir,
            "python3",
            &["-c", &recipe(&readme, "import hashlib, zlib")],
        );
        for row in &rows {
            assert!(
                payloads.contains(&format!("{} {}", row["warc_record_id"], row["body_sha256"])),
                "{payloads}"
            );
        }
        // A changed byte in the exported log breaks the recipe's chain check.
        let log = dir.join("archive/full/captures.jsonl");
        let text = std::fs::read_to_string(&log).unwrap();
        std::fs::write(&log, text.replacen("\"seq\":1,", "\"seq\":1 ,", 1)).unwrap();
        let out = Command::new("python3")
            .args(["-c", &chain, "archive/full/captures.jsonl"])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("captures.jsonl:2: prev"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_fetched_page_is_exported_with_its_exchange() {
    let (tmp, data, base) = data_dir();
    let dir = tmp.path().join("story");
    let run = nv(
        &data,
        &[
            "export",
            "evidence",
            &format!("{base}/story.html"),
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let rows = table(&dir);
    assert_eq!(rows.len(), 1);
    let warc = records(&dir.join("exchanges.warc.gz"));
    let response = warc
        .iter()
        .find(|r| r.id() == Some(rows[0]["warc_record_id"].as_str()))
        .unwrap();
    assert!(
        response
            .field("WARC-Target-URI")
            .unwrap()
            .ends_with("/story.html")
    );
    // The feed fetch is not about this article: only the page's exchange is here.
    assert_eq!(
        warc.iter()
            .filter(|r| r.record_type() == Some("response"))
            .count(),
        1
    );
    assert!(dir.join("archive/sum/captures.jsonl").is_file());
    assert!(!dir.join("archive/full").exists());
}

#[test]
fn missing_exchanges_damaged_records_and_used_folders() {
    let (tmp, data, base) = data_dir();
    let url = format!("{base}/a/one.html");

    // Not into a folder that holds something.
    let used = tmp.path().join("used");
    std::fs::create_dir_all(&used).unwrap();
    std::fs::write(used.join("x"), "x").unwrap();
    let run = nv(&data, &["export", "evidence", &url, used.to_str().unwrap()]);
    assert_eq!(code(&run), 1);
    assert!(stderr(&run).contains("is not empty"), "{}", stderr(&run));

    let run = nv(
        &data,
        &[
            "export",
            "evidence",
            "https://nowhere.invalid/x",
            tmp.path().join("n").to_str().unwrap(),
        ],
    );
    assert_eq!(code(&run), 1);
    assert!(stderr(&run).contains("no article"), "{}", stderr(&run));

    // The WARC files gone: the rest is exported, the missing records named, exit 2.
    let warc_dir = data.join("warc");
    let moved = tmp.path().join("warc-aside");
    std::fs::rename(&warc_dir, &moved).unwrap();
    std::fs::create_dir(&warc_dir).unwrap();
    let partial = tmp.path().join("partial");
    let run = nv(
        &data,
        &["export", "evidence", &url, partial.to_str().unwrap()],
    );
    assert_eq!(code(&run), 2, "{}", stderr(&run));
    assert!(
        stderr(&run).contains("missing: WARC record <urn:uuid:"),
        "{}",
        stderr(&run)
    );
    assert!(
        std::fs::read_to_string(partial.join("README.txt"))
            .unwrap()
            .contains("were not in the archive's warc/")
    );
    assert!(partial.join("SHA256SUMS").is_file());
    std::fs::remove_dir(&warc_dir).unwrap();
    std::fs::rename(&moved, &warc_dir).unwrap();

    // A version record that no longer matches its hash stops the export.
    let rows = table(&partial);
    let record = data.join(&rows[0]["record"]);
    let mut bytes = std::fs::read(&record).unwrap();
    bytes.extend_from_slice(b"<p>added later</p>\n");
    std::fs::write(&record, bytes).unwrap();
    let bad = tmp.path().join("bad");
    let run = nv(&data, &["export", "evidence", &url, bad.to_str().unwrap()]);
    assert_eq!(code(&run), 1);
    assert!(
        stderr(&run).contains("newsvault verify"),
        "{}",
        stderr(&run)
    );
    assert!(!bad.exists());
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn verify_rehashes_the_warc_records_the_logs_name() {
    let (_tmp, data, _) = data_dir();
    let run = nv(&data, &["verify", "--json"]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let report: serde_json::Value = serde_json::from_str(&stdout(&run)).unwrap();
    // Feed responses of `full` (two fetches), the feed and the page of `sum`... only those
    // a line names: two feed responses and the page.
    assert_eq!(report["warc_records"], 3, "{report}");

    // One flipped byte inside a WARC file's compressed data.
    let file = std::fs::read_dir(data.join("warc"))
        .unwrap()
        .flatten()
        .flat_map(|day| std::fs::read_dir(day.path()).unwrap().flatten())
        .map(|e| e.path())
        .next()
        .unwrap();
    let members = records(&file);
    let last = members.last().unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    let at = (last.offset + last.length / 2) as usize;
    bytes[at] ^= 0x40;
    std::fs::write(&file, bytes).unwrap();
    let run = nv(&data, &["verify"]);
    assert_eq!(code(&run), 1, "{}", stderr(&run));
    assert!(
        stderr(&run).contains(&format!("damaged record at byte {}", last.offset)),
        "{}",
        stderr(&run)
    );
    let run = nv(&data, &["verify", "--no-warc"]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    assert!(
        stderr(&run).contains("WARC not checked"),
        "{}",
        stderr(&run)
    );
}
