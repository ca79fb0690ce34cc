//! Crash consistency of the search index: the archive commits first and the search index
//! after, so a crash in between (or in the middle of a search commit) must heal on the next
//! sync, with every version searchable exactly once.

mod search_support;
use newsvault_index as index;
use search_support::*;

use index::SearchIndex;
use std::process::{Child, Command};
use std::time::Duration;

/// Names the data directory of a child process that syncs in a loop until killed.
const CHILD: &str = "NV_SEARCH_SYNC_CHILD";

fn add_articles(a: &mut TestArchive, rng: &mut Rng, from: usize, n: usize) {
    for i in from..from + n {
        let (title, body) = article(rng);
        let url = format!("https://news.example/{i}");
        a.add("rfi", &url, &title, &body, 1_600_000_000_000 + i as i64);
        if i % 7 == 0 {
            // An edit of an earlier article.
            let (title, body) = article(rng);
            let url = format!("https://news.example/{}", i / 2);
            a.add("rfi", &url, &title, &body, 1_600_000_000_000 + i as i64);
        }
    }
    a.commit();
}

/// Every version is searchable once, latest flags agree with the archive, and random terms
/// find exactly what the oracle finds.
fn assert_consistent(a: &TestArchive, index: &SearchIndex) {
    let versions: usize = a.versions.values().map(Vec::len).sum();
    assert_eq!(
        index.num_docs() as usize,
        versions,
        "one document per version"
    );
    let latest = a.latest();
    let docs = oracle_docs(&latest);
    let mut rng = Rng::new(77);
    for _ in 0..150 {
        let d = rng.pick(&latest);
        let Some(t) = substring(&mut rng, &d.text) else {
            continue;
        };
        if !quotable(&t) {
            continue;
        }
        let include = [t];
        let (got, total) = search_keys(index, &query_text(&include, &[]), false);
        let want = oracle(&docs, &include, &[]);
        assert_eq!(
            (got, total as usize),
            (want.clone(), want.len()),
            "{:?}",
            include[0]
        );
    }
}

#[test]
fn sync_heals_an_archive_commit_that_the_search_index_missed() {
    let mut a = TestArchive::new();
    let mut rng = Rng::new(1);
    add_articles(&mut a, &mut rng, 0, 40);
    let mut index = SearchIndex::open(a.data()).unwrap();
    index.sync(&a.archive).unwrap();
    // The archive commits more; the process "dies" before the search index hears of it.
    add_articles(&mut a, &mut rng, 40, 40);
    drop(index);
    let mut index = SearchIndex::open(a.data()).unwrap();
    assert!(index.sync(&a.archive).unwrap() > 0);
    assert_consistent(&a, &index);
    assert_eq!(index.sync(&a.archive).unwrap(), 0, "nothing left to apply");
}

/// Records what a sync reports.
#[derive(Default)]
struct Recorded {
    total: std::cell::Cell<Option<u64>>,
    advanced: std::cell::Cell<u64>,
}

impl index::search::SyncProgress for Recorded {
    fn start(&self, total: u64) {
        assert!(self.total.get().is_none(), "started twice");
        self.total.set(Some(total));
    }
    fn advance(&self, bytes: u64) {
        self.advanced.set(self.advanced.get() + bytes);
    }
}

fn log_bytes(a: &TestArchive) -> u64 {
    std::fs::metadata(a.data().join("archive/rfi/captures.jsonl"))
        .unwrap()
        .len()
}

#[test]
fn a_sync_reports_the_capture_log_bytes_it_applies() {
    let mut a = TestArchive::new();
    let mut rng = Rng::new(11);
    add_articles(&mut a, &mut rng, 0, 300);
    let mut index = SearchIndex::open(a.data()).unwrap();
    let first = Recorded::default();
    index.sync_with(&a.archive, &first).unwrap();
    let all = log_bytes(&a);
    assert_eq!(first.total.get(), Some(all));
    assert_eq!(first.advanced.get(), all, "every byte reported once");

    add_articles(&mut a, &mut rng, 300, 10);
    let more = Recorded::default();
    index.sync_with(&a.archive, &more).unwrap();
    let added = log_bytes(&a) - all;
    assert!(added > 0);
    assert_eq!(more.total.get(), Some(added), "only what is new");
    assert_eq!(more.advanced.get(), added);

    let none = Recorded::default();
    index.sync_with(&a.archive, &none).unwrap();
    assert_eq!((none.total.get(), none.advanced.get()), (Some(0), 0));
    assert_consistent(&a, &index);
}

#[test]
fn a_shorter_log_than_remembered_rebuilds_the_search_index() {
    let mut a = TestArchive::new();
    let mut rng = Rng::new(2);
    add_articles(&mut a, &mut rng, 0, 10);
    let mut index = SearchIndex::open(a.data()).unwrap();
    index.sync(&a.archive).unwrap();
    let log = a.data().join("archive/rfi/captures.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, format!("{}\n", text.lines().next().unwrap())).unwrap();
    index.sync(&a.archive).unwrap();
    assert_eq!(index.num_docs(), 1);
}

#[test]
fn a_read_only_open_never_creates_wipes_or_writes() {
    let mut a = TestArchive::new();
    let mut rng = Rng::new(3);
    add_articles(&mut a, &mut rng, 0, 10);
    let search = a.data().join(index::search::SEARCH_DIR);
    match SearchIndex::open_read_only(a.data()) {
        Err(index::SearchError::Missing { path }) => assert_eq!(path, search),
        other => panic!("expected Missing, got {other:?}"),
    }
    assert!(
        !search.exists(),
        "a read-only open created {}",
        search.display()
    );

    let mut writer = SearchIndex::open(a.data()).unwrap();
    writer.sync(&a.archive).unwrap();
    let mut reader = SearchIndex::open_read_only(a.data()).unwrap();
    reader.cache_texts(1 << 20);
    reader.cache_results(1 << 20);
    reader.cache_docs(1 << 20);
    let before = reader.num_docs();
    assert!(before > 0);
    let q = index::search::Query::new("的");
    let first = reader.search(&q).unwrap();
    let again = reader.search(&q).unwrap();
    assert_eq!((again.total, &again.hits), (first.total, &first.hits));
    // The writer commits more; the reader sees it after a reload, and searches as the writer.
    add_articles(&mut a, &mut rng, 10, 10);
    writer.sync(&a.archive).unwrap();
    reader.reload().unwrap();
    assert_eq!(reader.num_docs(), writer.num_docs());
    assert!(reader.num_docs() > before);
    let (r, w) = (reader.search(&q).unwrap(), writer.search(&q).unwrap());
    assert!(
        r.total > first.total,
        "a result kept from before the reload was returned after it"
    );
    assert_eq!((r.total, &r.hits), (w.total, &w.hits));
    drop(writer);

    // An index of another format is left alone (a writer rebuilds it, not a reader).
    let meta = search.join("meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    let at = text
        .find("\\\"format\\\":")
        .expect("the watermarks name the format");
    let format: String = text[at..].chars().take_while(|c| *c != ',').collect();
    assert_ne!(format, "\\\"format\\\":1");
    std::fs::write(&meta, text.replace(&format, "\\\"format\\\":1")).unwrap();
    let files = std::fs::read_dir(&search).unwrap().count();
    match SearchIndex::open_read_only(a.data()) {
        Err(index::SearchError::Format { found: 1, .. }) => {}
        other => panic!("expected a Format error, got {other:?}"),
    }
    assert_eq!(std::fs::read_dir(&search).unwrap().count(), files);
    assert!(
        std::fs::read_to_string(&meta)
            .unwrap()
            .contains("\\\"format\\\":1")
    );
}

fn spawn_child(data: &std::path::Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "sync_loop_child_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, data)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// Runs only as the child of `sync_killed_at_random_points_heals`: syncs until killed.
#[test]
fn sync_loop_child_process() {
    let Ok(data) = std::env::var(CHILD) else {
        return;
    };
    let data = std::path::PathBuf::from(data);
    let archive = archive::Archive::open(&data).unwrap();
    let mut index = SearchIndex::open(&data).unwrap();
    loop {
        let t = std::time::Instant::now();
        match index.sync(&archive) {
            Err(e) => eprintln!("child: {e}"),
            Ok(n) if n > 0 => eprintln!("child: {n} lines in {:?}", t.elapsed()),
            Ok(_) => {}
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn sync_killed_at_random_points_heals() {
    let mut a = TestArchive::new();
    let mut rng = Rng::new(3);
    let mut next = 0;
    let mut progressed = 0;
    let mut last = 0;
    for round in 0..8 {
        let mut child = spawn_child(a.data());
        add_articles(&mut a, &mut rng, next, 25);
        next += 25;
        std::thread::sleep(Duration::from_millis(300 + rng.below(2000) as u64));
        child.kill().unwrap(); // SIGKILL: no destructors run; the kernel drops the lock
        child.wait().unwrap();
        let seen = SearchIndex::open(a.data()).unwrap().num_docs();
        eprintln!("round {round}: killed the syncing child; {seen} documents committed");
        progressed += usize::from(seen > last);
        last = seen;
    }
    assert!(
        progressed > 0,
        "the children never committed: the test proves nothing"
    );
    let mut index = SearchIndex::open(a.data()).unwrap();
    index.sync(&a.archive).unwrap();
    assert_consistent(&a, &index);
}
