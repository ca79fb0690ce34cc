//! `newsvault export warc`: selection by source and date, request/response pairing, members
//! copied byte for byte, damaged inputs, and warcio's opinion of the result.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::{code, nv, stderr};
use fetch::Hop;
use fetch::warc::{Record, SOURCE_FIELD, WarcReader, WarcWriter};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, day, hour, minute, 0).unwrap()
}

fn hop(path: &str, started: DateTime<Utc>) -> Hop {
    Hop {
        url: format!("http://127.0.0.1:9{path}"),
        started,
        request_headers: vec![("host".into(), "127.0.0.1:9".into())],
        version: "HTTP/1.1".into(),
        status: 200,
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        raw_body: format!("<p>page {path}, written for this test</p>").into_bytes(),
    }
}

/// Writes one WARC file opened at `opened` with `(source, path, started)` exchanges; an empty
/// source writes an untagged exchange.
fn write_file(
    data: &Path,
    opened: DateTime<Utc>,
    exchanges: &[(&str, &str, DateTime<Utc>)],
) -> PathBuf {
    let mut w = WarcWriter::open(&data.join("warc"), opened).unwrap();
    for (source, path, started) in exchanges {
        let extra: &[(&str, &str)] = if source.is_empty() {
            &[]
        } else {
            &[(SOURCE_FIELD, source)]
        };
        w.write_exchange_with(&hop(path, *started), extra).unwrap();
    }
    w.finish().unwrap()
}

/// A data dir with two sources over two days, plus a file opened on day 1 that a long-running
/// writer kept appending to on day 2, and one untagged exchange.
fn data_dir() -> (tempfile::TempDir, Vec<PathBuf>) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let files = vec![
        write_file(
            &data,
            at(1, 8, 0),
            &[
                ("alpha", "/a/1", at(1, 8, 1)),
                ("beta", "/b/1", at(1, 8, 2)),
                ("", "/untagged", at(1, 8, 3)),
            ],
        ),
        write_file(
            &data,
            at(1, 23, 0),
            &[
                ("alpha", "/a/2", at(1, 23, 30)),
                ("beta", "/b/late", at(2, 10, 0)),
            ],
        ),
        write_file(
            &data,
            at(2, 8, 0),
            &[
                ("alpha", "/a/3", at(2, 8, 1)),
                ("beta", "/b/2", at(2, 8, 2)),
            ],
        ),
    ];
    (tmp, files)
}

fn records(path: &Path) -> Vec<Record> {
    WarcReader::open(path)
        .unwrap()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// The target paths of the response records, sorted.
fn responses(recs: &[Record]) -> Vec<String> {
    let mut urls: Vec<String> = recs
        .iter()
        .filter(|r| r.record_type() == Some("response"))
        .map(|r| {
            r.field("WARC-Target-URI")
                .unwrap()
                .trim_start_matches("http://127.0.0.1:9")
                .to_owned()
        })
        .collect();
    urls.sort();
    urls
}

fn export(data: &Path, out: &Path, args: &[&str]) -> Vec<Record> {
    let mut full = vec!["export", "warc", out.to_str().unwrap()];
    full.extend_from_slice(args);
    let run = nv(data, &full);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    assert!(stderr(&run).contains("exported"), "{}", stderr(&run));
    records(out)
}

/// Every request in `recs` names a response in `recs`, and the other way round.
fn assert_paired(recs: &[Record]) {
    let ids: HashSet<&str> = recs.iter().filter_map(Record::id).collect();
    let requests = recs.iter().filter(|r| r.record_type() == Some("request"));
    let responses = recs.iter().filter(|r| r.record_type() == Some("response"));
    assert_eq!(requests.clone().count(), responses.clone().count());
    for r in requests.chain(responses) {
        let to = r.field("WARC-Concurrent-To").unwrap();
        assert!(
            ids.contains(to),
            "{:?} names {to}, which is not exported",
            r.id()
        );
        let warcinfo = r.field("WARC-Warcinfo-ID").unwrap();
        assert!(ids.contains(warcinfo), "{warcinfo} is not exported");
    }
}

#[test]
fn selection_by_source_and_date_keeps_pairs_and_bytes() {
    let (tmp, files) = data_dir();
    let data = tmp.path().join("data");
    let out = tmp.path().join("out.warc.gz");

    let all = export(&data, &out, &[]);
    assert_eq!(
        responses(&all),
        [
            "/a/1",
            "/a/2",
            "/a/3",
            "/b/1",
            "/b/2",
            "/b/late",
            "/untagged"
        ]
    );
    // A fresh warcinfo first, naming the export file.
    assert_eq!(all[0].record_type(), Some("warcinfo"));
    assert_eq!(all[0].field("WARC-Filename"), Some("out.warc.gz"));
    assert_paired(&all);
    // Every other member is an input member, byte for byte.
    let input_members: HashSet<Vec<u8>> = files
        .iter()
        .flat_map(|f| records(f))
        .map(Record::into_raw)
        .collect();
    for r in &all[1..] {
        assert!(
            input_members.contains(r.raw()),
            "{:?} was re-encoded",
            r.id()
        );
    }

    let alpha = export(&data, &out, &["--source", "alpha"]);
    assert_eq!(responses(&alpha), ["/a/1", "/a/2", "/a/3"]);
    assert_paired(&alpha);
    assert!(
        alpha
            .iter()
            .filter(|r| r.record_type() != Some("warcinfo"))
            .all(|r| r.source() == Some("alpha"))
    );

    // Day 2 includes the record a long-open writer put in a day-1 folder.
    let day2 = export(&data, &out, &["--since", "2024-05-02"]);
    assert_eq!(responses(&day2), ["/a/3", "/b/2", "/b/late"]);
    assert_paired(&day2);

    let beta_day1 = export(
        &data,
        &out,
        &[
            "-s",
            "beta",
            "--since",
            "2024-05-01",
            "--until",
            "2024-05-02T00:00:00Z",
        ],
    );
    assert_eq!(responses(&beta_day1), ["/b/1"]);
    assert_paired(&beta_day1);

    let both = export(
        &data,
        &out,
        &[
            "--source",
            "alpha",
            "--source",
            "beta",
            "--until",
            "2024-05-01T23:00:00+00:00",
        ],
    );
    assert_eq!(responses(&both), ["/a/1", "/b/1"]);

    let none = export(&data, &out, &["--source", "nobody"]);
    assert_eq!(none.len(), 1, "only the warcinfo record");

    // No temporary files are left beside the output.
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn files_older_than_since_are_skipped_unread() {
    let (tmp, files) = data_dir();
    let data = tmp.path().join("data");
    let out = tmp.path().join("out.warc.gz");
    // Damage the first file: a run that reads it would exit 2.
    let bytes = std::fs::read(&files[0]).unwrap();
    std::fs::write(&files[0], &bytes[..bytes.len() - 10]).unwrap();
    let run = nv(&data, &["export", "warc", out.to_str().unwrap()]);
    assert_eq!(code(&run), 2, "{}", stderr(&run));
    // Everything was written just now, so a --since in the future skips every file.
    let future = (Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let run = nv(
        &data,
        &["export", "warc", out.to_str().unwrap(), "--since", &future],
    );
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    assert!(
        stderr(&run).contains("from 0 WARC files (3 skipped"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn a_damaged_file_is_named_with_its_offset_and_the_rest_is_exported() {
    let (tmp, files) = data_dir();
    let data = tmp.path().join("data");
    let out = tmp.path().join("out.warc.gz");
    let victim = &files[2];
    let members = records(victim);
    // Corrupt the deflate data of the second exchange's response.
    let bad = &members[4];
    let mut bytes = std::fs::read(victim).unwrap();
    let mid = (bad.offset + bad.length / 2) as usize;
    for b in &mut bytes[mid..mid + 4] {
        *b ^= 0x5a;
    }
    std::fs::write(victim, &bytes).unwrap();

    let run = nv(&data, &["export", "warc", out.to_str().unwrap()]);
    assert_eq!(code(&run), 2, "{}", stderr(&run));
    let err = stderr(&run);
    assert!(err.contains(&victim.display().to_string()), "{err}");
    assert!(err.contains(&format!("at byte {}", bad.offset)), "{err}");
    let exported = records(&out);
    // /a/3 came before the damage; /b/2 is lost with it.
    assert_eq!(
        responses(&exported),
        ["/a/1", "/a/2", "/a/3", "/b/1", "/b/late", "/untagged"]
    );
    assert_paired(&exported);
}

#[test]
fn a_file_still_being_written_is_read_up_to_its_partial_record() {
    let (tmp, files) = data_dir();
    let data = tmp.path().join("data");
    let out = tmp.path().join("out.warc.gz");
    // A writer is appending the response of /b/late to day 1's second file.
    let members = records(&files[1]);
    let last = members.last().unwrap();
    let bytes = std::fs::read(&files[1]).unwrap();
    let open = files[1].with_file_name("1.warc.gz.open");
    std::fs::write(&open, &bytes[..(last.offset + last.length / 2) as usize]).unwrap();
    std::fs::remove_file(&files[1]).unwrap();

    let run = nv(&data, &["export", "warc", out.to_str().unwrap()]);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let exported = records(&out);
    assert_eq!(
        responses(&exported),
        ["/a/1", "/a/2", "/a/3", "/b/1", "/b/2", "/untagged"]
    );
    // The request of the unfinished exchange waits for its response: not exported.
    assert_paired(&exported);
}

#[test]
fn bad_dates_are_usage_errors() {
    let (tmp, _) = data_dir();
    let data = tmp.path().join("data");
    let out = tmp.path().join("out.warc.gz");
    let run = nv(
        &data,
        &[
            "export",
            "warc",
            out.to_str().unwrap(),
            "--since",
            "yesterday",
        ],
    );
    assert_eq!(code(&run), 64, "{}", stderr(&run));
    assert!(stderr(&run).contains("yesterday"), "{}", stderr(&run));
    let run = nv(
        &data,
        &[
            "export",
            "warc",
            out.to_str().unwrap(),
            "--since",
            "2024-05-02",
            "--until",
            "2024-05-01",
        ],
    );
    assert_eq!(code(&run), 1, "{}", stderr(&run));
    assert!(!out.exists());
}

/// The export must pass a standard validator. Runs whenever warcio is installed; on CI it
/// must be.
#[test]
fn the_export_validates_with_warcio() {
    if std::process::Command::new("warcio")
        .arg("--help")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI must install warcio (pip install warcio)"
        );
        eprintln!("skipped: warcio is not installed (pip install warcio)");
        return;
    }
    let (tmp, _) = data_dir();
    let data = tmp.path().join("data");
    let out = tmp.path().join("beta.warc.gz");
    export(&data, &out, &["--source", "beta"]);
    let run = |args: &[&str]| {
        let result = std::process::Command::new("warcio")
            .args(args)
            .arg(&out)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&result.stdout),
            String::from_utf8_lossy(&result.stderr)
        );
        assert!(result.status.success(), "warcio {args:?} failed:\n{text}");
        text
    };
    let check = run(&["check", "-v"]);
    assert!(
        check.contains("digest pass") && !check.contains("fail"),
        "{check}"
    );
    let index = run(&["index", "-f", "warc-type,warc-target-uri,newsvault-source"]);
    let count = |kind: &str| {
        index
            .lines()
            .filter(|l| l.contains(&format!("\"warc-type\": \"{kind}\"")))
            .count()
    };
    // A fresh warcinfo, plus the warcinfo of each of the three input files.
    assert_eq!(count("warcinfo"), 4, "{index}");
    assert_eq!(count("response"), 3, "{index}");
    assert_eq!(count("request"), 3, "{index}");
    assert_eq!(
        index.matches("\"newsvault-source\": \"beta\"").count(),
        6,
        "{index}"
    );
}
