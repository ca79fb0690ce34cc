//! The configuration file and the commands around it: `init`, `sources list|add|remove|
//! import-opml`, `export opml`.

mod common;
use common::*;
use std::path::{Path, PathBuf};

const DEFAULT_IDS: [&str; 8] = ["rfi", "bbc", "bbc-trad", "voa", "dw", "rfa", "nyt", "cdt"];

fn opml_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/opml/subscriptions.opml")
}

/// A data directory with the default configuration; returns (tempdir, data dir, config file).
fn initialised() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let out = nv(&data, &["init"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let config = data.join("newsvault.toml");
    (tmp, data, config)
}

fn list_json(data: &Path) -> Vec<serde_json::Value> {
    let out = nv(data, &["sources", "list", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    serde_json::from_str::<serde_json::Value>(&stdout(&out))
        .expect("one JSON document")
        .as_array()
        .expect("an array")
        .clone()
}

fn ids(rows: &[serde_json::Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn init_writes_a_file_that_loads_and_lists_the_eight_default_sources() {
    let (_tmp, data, config) = initialised();
    assert!(
        data.join("archive").is_dir(),
        "init creates the data directory"
    );
    let rows = list_json(&data);
    assert_eq!(ids(&rows), DEFAULT_IDS);
    let full: Vec<&str> = rows
        .iter()
        .filter(|r| r["full_text"] == true)
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(full, ["rfi", "cdt"]);
    assert_eq!(rows[0]["name"], "法广", "duty-machine display names");

    // A second init refuses to overwrite, unless forced.
    std::fs::write(&config, "# mine\n").unwrap();
    let out = nv(&data, &["init"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "# mine\n");
    let out = nv(&data, &["init", "--force"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(ids(&list_json(&data)), DEFAULT_IDS);
}

#[test]
fn config_flag_is_honoured_by_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let config = tmp.path().join("elsewhere/my.toml");
    let c = config.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--config", c];
        all.extend_from_slice(args);
        nv(&data, &all)
    };
    assert_eq!(code(&run(&["init"])), 0);
    assert!(config.is_file());
    assert!(!data.join("newsvault.toml").exists());
    assert_eq!(
        code(&run(&["sources", "add", "x", "https://x.example/rss"])),
        0
    );
    assert_eq!(code(&run(&["sources", "remove", "voa"])), 0);
    let listed = run(&["sources", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 8);
    let opml = tmp.path().join("out.opml");
    assert_eq!(code(&run(&["export", "opml", opml.to_str().unwrap()])), 0);
    assert!(
        std::fs::read_to_string(&opml)
            .unwrap()
            .contains("https://x.example/rss")
    );
    let fixture = opml_fixture();
    assert_eq!(
        code(&run(&["sources", "import-opml", fixture.to_str().unwrap()])),
        0
    );
    // Without --config the default file is missing: the error says what to do.
    let out = nv(&data, &["sources", "list"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("newsvault init"), "{}", stderr(&out));
}

#[test]
fn add_then_remove_gives_back_the_file_byte_for_byte() {
    let (_tmp, data, config) = initialised();
    let original = std::fs::read_to_string(&config).unwrap();
    let out = nv(
        &data,
        &[
            "sources",
            "add",
            "example",
            "https://news.example.com/feed.xml",
            "--name",
            "示例新闻",
            "--full-text",
            "--interval",
            "2h",
            "--route",
            "direct",
            "--route",
            "socks5h://127.0.0.1:1080",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let added = std::fs::read_to_string(&config).unwrap();
    assert!(
        added.starts_with(&original),
        "the new source is appended, the rest is untouched"
    );
    let rows = list_json(&data);
    let row = rows.iter().find(|r| r["id"] == "example").unwrap();
    assert_eq!(row["name"], "示例新闻");
    assert_eq!(row["full_text"], true);
    assert_eq!(row["interval_minutes"], 120);
    assert_eq!(
        row["routes"],
        serde_json::json!(["direct", "socks5h://127.0.0.1:1080"])
    );

    // A duplicate id or a bad value is refused and leaves the file alone.
    for args in [
        vec!["sources", "add", "example", "https://other.example/rss"],
        vec!["sources", "add", "new", "ftp://other.example/rss"],
        vec![
            "sources",
            "add",
            "new",
            "https://o.example/",
            "--interval",
            "0",
        ],
        vec![
            "sources",
            "add",
            "new",
            "https://o.example/",
            "--route",
            "tor",
        ],
        vec!["sources", "add", "../up", "https://o.example/"],
    ] {
        let out = nv(&data, &args);
        assert_eq!(code(&out), 1, "{args:?}");
        assert_eq!(std::fs::read_to_string(&config).unwrap(), added, "{args:?}");
    }

    let out = nv(&data, &["sources", "remove", "example"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("stay"), "says archived data stays");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), original);
    let out = nv(&data, &["sources", "remove", "example"]);
    assert_eq!(code(&out), 1, "removing an unknown id fails");
}

#[test]
fn removing_the_first_source_keeps_the_comments_that_document_the_section() {
    let (_tmp, data, config) = initialised();
    let original = std::fs::read_to_string(&config).unwrap();
    let out = nv(&data, &["sources", "remove", "rfi"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let after = std::fs::read_to_string(&config).unwrap();
    for line in original.lines().filter(|l| l.starts_with('#')) {
        let own = line.contains("RFI");
        assert_eq!(after.contains(line), !own, "{line}");
    }
    assert!(!after.contains("rfi.fr"));
    assert_eq!(ids(&list_json(&data)), DEFAULT_IDS[1..]);
}

#[test]
fn removing_a_source_forgets_its_check_state() {
    let (_tmp, data, _config) = initialised();
    record_check(&data, "bbc", Err("timed out"));
    let out = nv(&data, &["sources", "remove", "bbc"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let index = index::Index::open(&data).unwrap();
    assert_eq!(index.source_state("bbc").unwrap(), None);
}

/// Writes `text` as the configuration and returns the error `sources list` prints.
fn config_error(text: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("newsvault.toml"), text).unwrap();
    let out = nv(&data, &["sources", "list"]);
    assert_eq!(code(&out), 1, "{text}");
    stderr(&out)
}

#[test]
fn config_errors_name_the_file_line_and_key() {
    let head = "[server]\nlisten = \"127.0.0.1:8080\"\n\n[[sources]]\nid = \"a\"\nurl = \"https://a.example/rss\"\n";
    let cases = [
        (
            format!("{head}intreval = 30\n"),
            "newsvault.toml:7: sources[0].intreval: unknown key (did you mean `interval`?)",
        ),
        (
            format!("{head}interval = \"half an hour\"\n"),
            "newsvault.toml:7: sources[0].interval: expected minutes",
        ),
        (
            format!(
                "{head}\n[[sources]]\nid = \"b\"\nurl = \"https://b.example/rss\"\n\n[[sources]]\nid = \"a\"\nurl = \"https://c.example/rss\"\n"
            ),
            "newsvault.toml:13: sources[2].id: duplicate source id \"a\" (first defined on line 5)",
        ),
        (
            format!(
                "{head}\n[sources.rules]\ncontent = [\".body\"]\ndrop = [\n  \".ad\",\n  \"div[\",\n]\n"
            ),
            "newsvault.toml:12: sources[0].rules.drop[1]: site rule \"a\": selector \"div[\" is not valid CSS",
        ),
        (
            format!("{head}routes = [\"direct\", \"gopher://x\"]\n"),
            "newsvault.toml:7: sources[0].routes[1]: \"gopher://x\" is not a route",
        ),
        (
            "[[sources]]\nid = \"a\"\nurl = \"file:///etc/passwd\"\n".to_owned(),
            "newsvault.toml:3: sources[0].url: feed URL \"file:///etc/passwd\" has scheme \"file\"",
        ),
        (
            "[fetch]\nmax_body_mb = \"big\"\n".to_owned(),
            "newsvault.toml:2: fetch.max_body_mb: expected an integer >= 1",
        ),
        (
            "[[sources]]\nid = \"a\"\nurl = \"https://a.example/rss\"\nenabled = \"yes\"\n"
                .to_owned(),
            "newsvault.toml:4: sources[0].enabled: expected true or false",
        ),
        ("[server]\nlisten = \n".to_owned(), "newsvault.toml:2: "),
    ];
    for (text, expected) in cases {
        let err = config_error(&text);
        assert!(
            err.contains(expected),
            "expected {expected:?} in:\n{err}\nfor:\n{text}"
        );
    }
}

#[test]
fn importing_an_export_of_the_same_sources_adds_nothing() {
    let (tmp, data, config) = initialised();
    let fixture = opml_fixture();
    let out = nv(
        &data,
        &["sources", "import-opml", fixture.to_str().unwrap()],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("already configured as bbc"), "{err}");
    assert!(err.contains("4 added"), "{err}");
    let rows = list_json(&data);
    let added = &ids(&rows)[DEFAULT_IDS.len()..];
    assert_eq!(
        added,
        [
            "rfi-2",
            "ribao.example.com",
            "example-engineering-ops",
            "the-example-post"
        ],
        "known hosts keep the duty-machine id, titles make slugs, hosts are the fallback"
    );
    assert_eq!(rows[9]["name"], "示例日报");
    assert_eq!(rows[10]["name"], "Example Engineering & Ops");

    let exported = tmp.path().join("export.opml");
    let out = nv(&data, &["export", "opml", exported.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let xml = std::fs::read_to_string(&exported).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">"));
    assert!(xml.contains("<dateCreated>"));
    let feeds = feed::opml::parse_opml(xml.as_bytes()).unwrap();
    assert_eq!(feeds.len(), rows.len());
    for (feed, row) in feeds.iter().zip(&rows) {
        assert_eq!(feed.xml_url, row["url"].as_str().unwrap());
        assert_eq!(feed.title, row["name"].as_str().unwrap());
    }

    let before = std::fs::read(&config).unwrap();
    let out = nv(
        &data,
        &["sources", "import-opml", exported.to_str().unwrap()],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("0 added"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&config).unwrap(),
        before,
        "nothing added, file untouched"
    );

    // `-` writes to standard output.
    let out = nv(&data, &["export", "opml", "-"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("xmlUrl=\"https://www.rfi.fr/cn/rss\""));
}

#[test]
fn broken_opml_is_an_error_naming_the_file_and_line() {
    let (tmp, data, config) = initialised();
    let before = std::fs::read(&config).unwrap();
    let file = tmp.path().join("broken.opml");
    std::fs::write(
        &file,
        "<opml version=\"2.0\">\n<body>\n<outline text=\"a\" xmlUrl=\"https://a.example/\">\n</body>\n</opml>\n",
    )
    .unwrap();
    let out = nv(&data, &["sources", "import-opml", file.to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("broken.opml") && err.contains("line 4"),
        "{err}"
    );
    assert_eq!(std::fs::read(&config).unwrap(), before);
}

fn record_check(data: &Path, source: &str, result: Result<u32, &str>) {
    let index = index::Index::open(data).unwrap();
    index
        .record_check(
            source,
            &index::CheckOutcome {
                started: "2026-11-26T08:00:00Z".into(),
                result: result.map_err(str::to_owned),
                status: Some(200),
                duration_ms: 40,
                next_due: "2026-11-26T08:30:00Z".into(),
            },
        )
        .unwrap();
}

#[test]
fn list_joins_the_configuration_with_the_check_state() {
    let (_tmp, data, _config) = initialised();
    record_check(&data, "bbc", Ok(3));
    record_check(&data, "dw", Err("connection refused"));
    let rows = list_json(&data);
    let row = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap().clone();
    let keys = [
        "id",
        "name",
        "url",
        "full_text",
        "interval_minutes",
        "enabled",
        "routes",
        "last_success",
        "last_error",
        "last_error_time",
        "last_attempt",
        "next_due",
        "failures",
    ];
    for r in &rows {
        for k in keys {
            assert!(r.get(k).is_some(), "{k} missing in {r}");
        }
    }
    let bbc = row("bbc");
    assert_eq!(bbc["last_success"], "2026-11-26T08:00:00Z");
    assert_eq!(bbc["next_due"], "2026-11-26T08:30:00Z");
    assert_eq!(bbc["failures"], 0);
    assert_eq!(bbc["last_error"], serde_json::Value::Null);
    let dw = row("dw");
    assert_eq!(dw["last_error"], "connection refused");
    assert_eq!(dw["last_error_time"], "2026-11-26T08:00:00Z");
    assert_eq!(dw["failures"], 1);
    let rfi = row("rfi");
    for k in [
        "last_success",
        "last_error",
        "last_attempt",
        "next_due",
        "failures",
    ] {
        assert_eq!(rfi[k], serde_json::Value::Null, "never checked: {k}");
    }

    // The human table is aligned by display width (CJK names are two columns a character).
    let out = nv(&data, &["sources", "list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let table: Vec<&str> = text.lines().take_while(|l| !l.is_empty()).collect();
    assert_eq!(table.len(), 1 + DEFAULT_IDS.len());
    let url_column = |line: &str| {
        let at = line
            .find("http")
            .unwrap_or_else(|| line.find("URL").unwrap());
        line[..at]
            .chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum::<usize>()
    };
    let first = url_column(table[0]);
    assert!(table.iter().all(|l| url_column(l) == first), "{text}");
    assert!(
        text.contains("dw: 2026-11-26T08:00:00Z: connection refused"),
        "{text}"
    );
    assert!(
        table
            .iter()
            .any(|l| l.starts_with("bbc ") && l.contains(" ok ")),
        "{text}"
    );
}
