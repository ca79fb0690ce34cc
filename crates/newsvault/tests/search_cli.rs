//! `newsvault search` through the real binary: the `--json` contract of DESIGN.md, filters,
//! sorting, paging, `--all-versions`, query-language errors, and how `search` and `run` say
//! that they bring the search index up to date after an import.
//!
//! The records are written here (our own text), as a duty-machine tree that `import` reads.

mod common;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One record of the test tree: site folder, list id, publication time, title, URL, body.
struct Rec {
    site: &'static str,
    id: u32,
    ms: i64,
    title: &'static str,
    url: &'static str,
    body: &'static str,
}

const DAY: i64 = 86_400_000;
const T0: i64 = 1_700_000_000_000;

const RECORDS: &[Rec] = &[
    Rec {
        site: "rfi",
        id: 1_048_575,
        ms: T0,
        title: "美国总统访问亚洲三国",
        url: "https://www.rfi.fr/cn/test/a1",
        body: "<p>美国总统本周出发，前往亚洲三国访问。</p><p>随行的还有商务部长。</p>",
    },
    Rec {
        site: "rfi",
        id: 1_048_574,
        ms: T0 + DAY,
        title: "欧洲议会通过新的数据法案",
        url: "https://www.rfi.fr/cn/test/a2",
        body: "<p>法案要求平台公开算法。美国科技公司表示将会配合。</p>",
    },
    Rec {
        site: "bbc",
        id: 1_048_575,
        ms: T0 + 2 * DAY,
        title: "美國大選進入最後階段",
        url: "https://www.bbc.com/zhongwen/trad/test-b1",
        body: "<p>兩位候選人在搖擺州舉行集會，美國選民關注經濟議題。</p>",
    },
    Rec {
        site: "bbc",
        id: 1_048_574,
        ms: T0 + 3 * DAY,
        title: "北极小镇气温创纪录",
        url: "https://www.bbc.com/zhongwen/simp/test-b2",
        body: "<p>当地居民说，夏天的蚊子比往年多。气象学家提醒不要过度解读。</p>",
    },
    Rec {
        site: "voa",
        id: 1_048_575,
        ms: T0 + 4 * DAY,
        title: "美国国会就预算案展开辩论",
        url: "https://www.voachinese.com/a/test-v1.html",
        body: "<p>两党议员在预算问题上分歧明显，美国政府可能再次面临停摆。</p>",
    },
];

fn write_record(root: &Path, r: &Rec) {
    let dir = root.join("articles").join(r.site);
    std::fs::create_dir_all(&dir).unwrap();
    let text = format!(
        "<!--{}-->\n[{}]({})\n------\n\n{}\n",
        r.ms, r.title, r.url, r.body
    );
    std::fs::write(dir.join(format!("{}.md", r.id)), text).unwrap();
}

/// A data directory with [`RECORDS`] imported.
fn imported() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    for r in RECORDS {
        write_record(&tree, r);
    }
    let data = tmp.path().join("data");
    let out = nv(&data, &["import", tree.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    (tmp, data)
}

fn search_json(data: &Path, args: &[&str]) -> Value {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = nv(data, &all);
    assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{args:?}: not one JSON document ({e}): {}", stdout(&out)))
}

fn urls(doc: &Value) -> Vec<String> {
    doc["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["url"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn json_output_follows_the_contract() {
    let (_tmp, data) = imported();
    let doc = search_json(&data, &["美国"]);
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    // DESIGN.md: {"query","total","took_ms","hits":[{"key","url","title","source","published",
    // "snippet","score"}]}
    assert_eq!(keys(&doc), ["hits", "query", "took_ms", "total"]);
    assert_eq!(doc["query"], "美国");
    assert!(doc["took_ms"].as_f64().unwrap() >= 0.0);
    // Four records contain 美国 or 美國 (title or text); the Arctic one does not.
    assert_eq!(doc["total"], 4, "{doc}");
    let hits = doc["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 4);
    for h in hits {
        assert_eq!(
            keys(h),
            [
                "key",
                "published",
                "score",
                "snippet",
                "source",
                "title",
                "url"
            ]
        );
        assert_eq!(h["key"].as_str().unwrap().len(), 16, "{h}");
        assert!(h["score"].as_f64().unwrap() > 0.0, "{h}");
        let published = h["published"].as_str().unwrap();
        assert!(
            published.len() == 20 && published.ends_with('Z'),
            "RFC 3339 UTC: {published}"
        );
    }
    // Traditional script in the record, simplified in the query: found, and marked as written.
    let trad = hits
        .iter()
        .find(|h| h["source"] == "bbc")
        .expect("the traditional-script record");
    assert_eq!(trad["title"], "美國大選進入最後階段");
    assert!(
        trad["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>美國</mark>"),
        "{trad}"
    );
    // Title matches rank first: the three titles with 美国/美國 before the text-only match.
    assert_eq!(
        urls(&doc)[3],
        "https://www.rfi.fr/cn/test/a2",
        "text-only match last: {doc}"
    );
}

#[test]
fn source_sort_and_paging() {
    let (_tmp, data) = imported();
    let bbc = search_json(&data, &["美国", "--source", "bbc"]);
    assert_eq!(bbc["total"], 1);
    assert_eq!(bbc["hits"][0]["source"], "bbc");
    let two = search_json(&data, &["美国", "--source", "rfi", "--source", "voa"]);
    assert_eq!(two["total"], 3);

    let by_date = search_json(&data, &["美国", "--sort", "date"]);
    let published: Vec<&str> = by_date["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["published"].as_str().unwrap())
        .collect();
    let mut newest_first = published.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(published, newest_first);
    assert_eq!(
        by_date["hits"][0]["url"],
        "https://www.voachinese.com/a/test-v1.html"
    );

    let all = urls(&search_json(&data, &["美国", "--sort", "date"]));
    let page = search_json(
        &data,
        &["美国", "--sort", "date", "--limit", "2", "--offset", "1"],
    );
    assert_eq!(page["total"], 4, "total counts every hit, not the page");
    assert_eq!(urls(&page), all[1..3]);
    let past_the_end = search_json(&data, &["美国", "--offset", "10"]);
    assert_eq!(past_the_end["total"], 4);
    assert_eq!(urls(&past_the_end), Vec::<String>::new());
}

#[test]
fn all_versions_searches_history() {
    let (tmp, data) = imported();
    // A second version of the first record, with other text, imported later.
    let edited = tmp.path().join("edited");
    write_record(
        &edited,
        &Rec {
            body: "<p>更正：总统的行程改为两国。</p>",
            ..RECORDS[0]
        },
    );
    let out = nv(&data, &["import", edited.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // 商务部长 was only in the first version.
    let latest = search_json(&data, &["商务部长"]);
    assert_eq!(latest["total"], 0, "{latest}");
    let history = search_json(&data, &["商务部长", "--all-versions"]);
    assert_eq!(history["total"], 1, "{history}");
    assert_eq!(history["hits"][0]["url"], RECORDS[0].url);
    let now = search_json(&data, &["行程"]);
    assert_eq!(now["total"], 1);
}

#[test]
fn query_language_errors_are_clear_and_never_panic() {
    let (_tmp, data) = imported();
    for (query, message) in [
        ("美国 \"总统", "unbalanced quote at character 4"),
        ("-美国", "only excludes"),
        ("\"\"", "empty phrase"),
        ("美国 -", "excludes nothing"),
    ] {
        let out = nv(&data, &["search", "--json", "--", query]);
        assert_eq!(code(&out), 64, "{query}: a usage error: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{query}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        assert_eq!(
            stdout(&out),
            "",
            "no JSON for a query that is not understood"
        );
    }
    let out = nv(&data, &["search", "美国", "--limit", "100000"]);
    assert_eq!(code(&out), 64, "{}", stderr(&out));
    assert!(stderr(&out).contains("--limit"), "{}", stderr(&out));
    // No data directory: the command fails (exit 1) with the path named.
    let missing = data.with_file_name("missing");
    let out = nv(&missing, &["search", "美国"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&missing.display().to_string()),
        "{}",
        stderr(&out)
    );
}

#[test]
fn plain_output_lists_hits() {
    let (_tmp, data) = imported();
    let out = nv(&data, &["search", "气温"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("1–1 of 1 results for 气温"), "{text}");
    assert!(text.contains("北极小镇气温创纪录"), "{text}");
    let none = nv(&data, &["search", "量子"]);
    assert_eq!(code(&none), 0);
    assert!(
        stdout(&none).contains("no results for 量子"),
        "{}",
        stdout(&none)
    );
}

#[test]
fn import_leaves_the_search_index_to_the_next_search() {
    let (_tmp, data) = imported();
    assert!(
        !data.join("search").exists(),
        "import wrote the search index (the next search, serve or run adds it)"
    );
    // The first search catches up before answering: every imported record is found.
    let doc = search_json(&data, &["美国", "--limit", "50"]);
    let mut want: Vec<&str> = RECORDS
        .iter()
        .filter(|r| {
            let text = format!("{}{}", r.title, r.body);
            text.contains("美国") || text.contains("美國")
        })
        .map(|r| r.url)
        .collect();
    want.sort();
    let mut got = urls(&doc);
    got.sort();
    assert_eq!(got, want);
    assert!(data.join("search/meta.json").is_file());
}

#[test]
fn a_long_search_index_update_says_so_on_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    import_notices(tmp.path(), &data, 1200);

    let out = nv(&data, &["search", "扩建", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("bringing the search index up to date from") && err.contains("done in"),
        "{err}"
    );
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["total"], 1200);
    // Up to date now: the next search has nothing to say.
    let out = nv(&data, &["search", "扩建"]);
    assert_eq!(code(&out), 0);
    assert!(!stderr(&out).contains("search index"), "{}", stderr(&out));
}

#[test]
fn run_after_an_import_serves_at_once_and_searches_once_the_index_caught_up() {
    serves_at_once_after_an_import("run");
}

#[test]
fn serve_after_an_import_serves_at_once_and_searches_once_the_index_caught_up() {
    serves_at_once_after_an_import("serve");
}

/// After an import (which leaves the search index behind) `command` answers at once, says in
/// its health how far the search index's catch-up is, answers searches 503 until the catch-up
/// is done, and then finds everything imported.
fn serves_at_once_after_an_import(command: &str) {
    let (_tmp, _data, port, mut daemon) = started_while_catching_up(command);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let mut refused = 0;
    let found = loop {
        daemon.assert_running();
        let (status, body) =
            common::http::get(port, "/api/v1/search?q=%E6%89%A9%E5%BB%BA&limit=1").unwrap();
        if status == 200 {
            break serde_json::from_str::<Value>(&body).unwrap();
        }
        assert_eq!(status, 503, "{body}");
        assert!(body.contains("being brought up to date"), "{body}");
        refused += 1;
        assert!(
            std::time::Instant::now() < deadline,
            "the search index never caught up\n{}",
            daemon.output()
        );
    };
    assert_eq!(found["total"], CATCH_UP_RECORDS, "{found}");
    let health = common::daemon::wait_health(&mut daemon, port, "the server", |_| true);
    assert_eq!(health["search"]["state"], "ready", "{health}");
    let err = daemon.output();
    assert!(
        err.contains("bringing the search index up to date from") && err.contains("done in"),
        "{err}"
    );
    eprintln!("{command}: {refused} searches answered 503 before the catch-up was done");
}

#[test]
fn run_stopped_while_the_search_index_catches_up_exits_and_the_next_start_goes_on() {
    let (_tmp, data, _, mut daemon) = started_while_catching_up("run");
    let pid = daemon.child.id() as libc::pid_t;
    // SAFETY: plain kill(2) of our own child, which has not been reaped yet.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let stopping = std::time::Instant::now();
    let status = loop {
        if let Some(status) = daemon.child.try_wait().unwrap() {
            break status;
        }
        // Not after the catch-up: a stop does not wait for it.
        assert!(
            stopping.elapsed() < std::time::Duration::from_secs(10),
            "still running 10 s after SIGTERM\n{}",
            daemon.output()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let err = daemon.output();
    assert!(status.success(), "{status}\n{err}");
    assert!(
        err.contains("stopped before the search index was up to date"),
        "{err}"
    );
    // The archive's writer never opened, so nothing holds it; the next command catches up.
    let out = nv(&data, &["search", "扩建", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["total"], CATCH_UP_RECORDS);
}

/// Records imported before a server starts, so that its search-index catch-up takes seconds in
/// a test build.
const CATCH_UP_RECORDS: u32 = 6000;

/// Imports [`CATCH_UP_RECORDS`] notices, starts `command` (`run` or `serve`) on a free port and
/// waits for its first health answer, which must come while the search index still catches up.
fn started_while_catching_up(
    command: &str,
) -> (tempfile::TempDir, PathBuf, u16, common::daemon::Daemon) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    import_notices(tmp.path(), &data, CATCH_UP_RECORDS);
    let port = common::http::free_port();
    let listen = format!("127.0.0.1:{port}");
    common::daemon::write_config(&data, &listen, &[]);
    let mut daemon = common::daemon::Daemon::start_command(&data, command, &listen);
    let first = common::daemon::wait_health(&mut daemon, port, "the server", |_| true);
    assert_eq!(first["search"]["state"], "catching_up", "{first}");
    (tmp, data, port, daemon)
}

/// Imports `n` notices (one source) into `data` from a tree written under `dir`, with a capture
/// log above the size from which a search-index catch-up is announced (256 KB).
fn import_notices(dir: &Path, data: &Path, n: u32) {
    let tree = dir.join("tree").join("articles").join("rfi");
    std::fs::create_dir_all(&tree).unwrap();
    for i in 0..n {
        let text = format!(
            "<!--{}-->\n[第{i}号通告](https://www.rfi.fr/cn/notice-{i}.html)\n------\n\n<p>港口第{i}次扩建。</p>\n",
            T0 + i64::from(i) * 1000
        );
        std::fs::write(tree.join(format!("{}.md", 1_048_575 - i)), text).unwrap();
    }
    let out = nv(data, &["import", dir.join("tree").to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let log = std::fs::metadata(data.join("archive/rfi/captures.jsonl"))
        .unwrap()
        .len();
    assert!(
        log > 256 * 1024,
        "capture log of {log} bytes: too small to announce"
    );
}
