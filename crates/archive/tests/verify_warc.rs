//! `verify` re-hashes the WARC records that capture-log lines name: found, digests right,
//! `body_sha256` right; a missing record, a tampered payload, a flipped compressed byte and a
//! wrong hash in the log are damage naming the log line and the record; the partial tail of a
//! file still being written is not.

use chrono::{TimeZone, Utc};
use fetch::Hop;
use fetch::warc::{WarcReader, WarcWriter};
use model::{ArticleKey, Capture, EventKind, SourceId, SourceMeta};
use newsvault_archive::{Archive, StagedVersion, VerifyOptions, VerifyReport, verify, verify_with};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const PAGE: &str = "<html><body><p>测试用的正文，由测试自己写成。</p></body></html>";
const FEED: &str = "<rss><channel><title>测试台</title></channel></rss>";

fn hop(path: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> Hop {
    Hop {
        url: format!("http://127.0.0.1:9{path}"),
        started: Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap(),
        request_headers: vec![("host".into(), "127.0.0.1:9".into())],
        version: "HTTP/1.1".into(),
        status: 200,
        headers,
        raw_body: body,
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn capture(url: &str, event: EventKind, version: u32) -> Capture {
    Capture {
        seq: 0,
        time: "2026-11-25T08:00:01.000Z".into(),
        source: SourceId::new("test").unwrap(),
        key: ArticleKey::for_url(url),
        version,
        url: url.into(),
        event,
        status: Some(200),
        final_url: None,
        path: None,
        record_sha256: None,
        body_sha256: None,
        warc_record_id: None,
        via: Some("direct".into()),
        origin: None,
        note: None,
        byline: None,
        prev: String::new(),
    }
}

/// A data dir with one WARC file (a page, a gzip-encoded page, a feed) and a capture log:
/// line 1 new page (raw body hash), line 2 new encoded page (raw hash), line 3 the same
/// encoded page re-extracted (decoded hash, as `reextract` records it), line 4 a feed item,
/// line 5 an unchanged observation naming the page again, line 6 an import (no WARC).
struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    warc: PathBuf,
    page_id: String,
}

fn fixture(extra: impl FnOnce(&mut Vec<Capture>)) -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("data");
    let archive = Archive::open(&root).unwrap();
    let mut w = WarcWriter::open(&root.join("warc"), Utc::now()).unwrap();
    let html = vec![(
        "content-type".to_owned(),
        "text/html; charset=utf-8".to_owned(),
    )];
    let page = w
        .write_exchange(&hop("/a/1.html", html.clone(), PAGE.as_bytes().to_vec()))
        .unwrap();
    let mut encoded_headers = html;
    encoded_headers.push(("content-encoding".into(), "gzip".into()));
    let encoded_body = gzip(PAGE.as_bytes());
    let encoded = w
        .write_exchange(&hop("/a/2.html", encoded_headers, encoded_body.clone()))
        .unwrap();
    let feed = w
        .write_exchange(&hop(
            "/feed.xml",
            vec![("content-type".into(), "application/rss+xml".into())],
            FEED.as_bytes().to_vec(),
        ))
        .unwrap();
    let warc = w.finish().unwrap();

    let sha = |b: &[u8]| model::sha256_hex(b);
    let mut lines = Vec::new();
    let mut c = capture("http://127.0.0.1:9/a/1.html", EventKind::New, 1);
    c.body_sha256 = Some(sha(PAGE.as_bytes()));
    c.warc_record_id = Some(page.response.clone());
    lines.push(c);
    let mut c = capture("http://127.0.0.1:9/a/2.html", EventKind::New, 1);
    c.body_sha256 = Some(sha(&encoded_body));
    c.warc_record_id = Some(encoded.response.clone());
    lines.push(c);
    let mut c = capture("http://127.0.0.1:9/a/2.html", EventKind::Edited, 2);
    c.body_sha256 = Some(sha(PAGE.as_bytes()));
    c.warc_record_id = Some(encoded.response);
    c.via = Some("reextract".into());
    lines.push(c);
    let mut c = capture("http://127.0.0.1:9/a/3.html", EventKind::New, 1);
    c.body_sha256 = Some(sha(FEED.as_bytes()));
    c.warc_record_id = Some(feed.response);
    lines.push(c);
    let mut c = capture("http://127.0.0.1:9/a/1.html", EventKind::Unchanged, 1);
    c.body_sha256 = Some(sha(PAGE.as_bytes()));
    c.warc_record_id = Some(page.response.clone());
    lines.push(c);
    let mut c = capture("http://127.0.0.1:9/a/4.html", EventKind::New, 1);
    c.via = Some("import".into());
    c.status = None;
    lines.push(c);
    extra(&mut lines);

    let mut writer = archive.writer().unwrap();
    writer
        .ensure_source(&SourceMeta {
            id: SourceId::new("test").unwrap(),
            name: "测试台".into(),
            aliases: Vec::new(),
            list_name: None,
        })
        .unwrap();
    for c in lines {
        let version = c.event.stores_version().then(|| {
            let record = format!(
                "<!--1764057600000-->\n[标题 {}]({})\n------\n\n<p>正文 v{}</p>\n",
                c.key, c.url, c.version
            );
            (
                Archive::article_dir(&c.source, &c.key, 0),
                c.version,
                record,
            )
        });
        match version {
            Some((dir, n, record)) => writer.stage(
                c,
                Some(StagedVersion {
                    dir: &dir,
                    version: n,
                    bytes: record.into_bytes(),
                    sha256: None,
                }),
            ),
            None => writer.stage(c, None),
        }
        .unwrap();
    }
    writer.commit().unwrap();
    Fixture {
        _tmp: tmp,
        root,
        warc,
        page_id: page.response,
    }
}

fn check(f: &Fixture) -> VerifyReport {
    verify(&Archive::open(&f.root).unwrap()).unwrap()
}

fn log_path(f: &Fixture) -> PathBuf {
    f.root.join("archive/test/captures.jsonl")
}

/// The damage findings as `line: message`.
fn damage(report: &VerifyReport) -> Vec<String> {
    report
        .damage
        .iter()
        .map(|d| format!("{}:{:?}: {}", d.path.display(), d.line, d.message))
        .collect()
}

#[test]
fn an_intact_archive_verifies_with_its_warc_records() {
    let f = fixture(|_| {});
    let report = check(&f);
    assert!(report.is_ok(), "{:#?}", report.damage);
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    assert_eq!(report.lines, 6);
    // Three distinct records named by five lines.
    assert_eq!(report.warc_records, 3);
}

#[test]
fn a_record_missing_from_warc_is_damage_naming_the_line_and_the_id() {
    let ghost = "<urn:uuid:00000000-0000-4000-8000-000000000001>";
    let f = fixture(|lines| {
        let mut c = capture("http://127.0.0.1:9/a/9.html", EventKind::Unchanged, 0);
        c.warc_record_id = Some(ghost.into());
        lines.push(c);
    });
    let report = check(&f);
    assert_eq!(report.damage.len(), 1, "{:#?}", report.damage);
    let d = &report.damage[0];
    assert_eq!(d.path, log_path(&f));
    assert_eq!(d.line, Some(7));
    assert!(
        d.message.contains(ghost) && d.message.contains("not in warc/"),
        "{d}"
    );

    // With the WARC check left out, the log alone is fine.
    let quick = verify_with(
        &Archive::open(&f.root).unwrap(),
        &VerifyOptions { skip_warc: true },
    )
    .unwrap();
    assert!(
        quick.is_ok() && quick.warc_records == 0,
        "{:#?}",
        quick.damage
    );
}

#[test]
fn a_tampered_payload_byte_fails_both_digests_and_the_body_hash() {
    let f = fixture(|_| {});
    // Re-encode the page's response member with one payload byte changed: the gzip member is
    // valid, only the digests and the capture's hash can tell.
    let bytes = std::fs::read(&f.warc).unwrap();
    let record = WarcReader::open(&f.warc)
        .unwrap()
        .map(Result::unwrap)
        .find(|r| r.id() == Some(f.page_id.as_str()))
        .unwrap();
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(record.raw())
        .read_to_end(&mut decoded)
        .unwrap();
    let at = decoded.windows(3).position(|w| w == b"<p>").unwrap() + 1;
    decoded[at] = b'q';
    let (start, end) = (
        record.offset as usize,
        (record.offset + record.length) as usize,
    );
    let mut tampered = bytes[..start].to_vec();
    tampered.extend(gzip(&decoded));
    tampered.extend_from_slice(&bytes[end..]);
    std::fs::write(&f.warc, tampered).unwrap();

    let report = check(&f);
    let found = damage(&report);
    assert_eq!(report.damage.len(), 3, "{found:#?}");
    for d in &report.damage {
        assert_eq!(d.path, log_path(&f), "{d}");
        assert_eq!(d.line, Some(1), "{d}");
        assert!(d.message.contains(&f.page_id), "{d}");
    }
    assert!(
        found
            .iter()
            .any(|m| m.contains("block digest does not match")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|m| m.contains("payload digest does not match")),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|m| m.contains("body_sha256")),
        "{found:#?}"
    );
}

#[test]
fn a_flipped_compressed_byte_damages_the_file_and_loses_the_records_after_it() {
    let f = fixture(|_| {});
    let page = WarcReader::open(&f.warc)
        .unwrap()
        .map(Result::unwrap)
        .find(|r| r.id() == Some(f.page_id.as_str()))
        .unwrap();
    let mut bytes = std::fs::read(&f.warc).unwrap();
    let mid = (page.offset + page.length / 2) as usize;
    bytes[mid] ^= 0x55;
    std::fs::write(&f.warc, bytes).unwrap();

    let report = check(&f);
    let found = damage(&report);
    assert!(!report.is_ok());
    assert!(
        report
            .damage
            .iter()
            .any(|d| d.path == f.warc && d.message.contains(&format!("at byte {}", page.offset))),
        "{found:#?}"
    );
    // Every record from the damaged one on is missing: lines 1, 2 and 4 name them (3 and 5
    // name the same records again).
    let missing: Vec<Option<usize>> = report
        .damage
        .iter()
        .filter(|d| d.message.contains("not in warc/"))
        .map(|d| d.line)
        .collect();
    assert_eq!(missing, [Some(1), Some(2), Some(4)], "{found:#?}");
}

#[test]
fn a_wrong_body_hash_in_the_log_is_damage_on_its_line() {
    let f = fixture(|lines| {
        let mut c = lines[4].clone();
        c.body_sha256 = Some(model::sha256_hex(b"some other body"));
        lines.push(c);
    });
    let report = check(&f);
    let found = damage(&report);
    assert_eq!(report.damage.len(), 1, "{found:#?}");
    assert_eq!(report.damage[0].line, Some(7), "{found:#?}");
    assert!(
        found[0].contains("body_sha256") && found[0].contains(&f.page_id),
        "{found:#?}"
    );
}

#[test]
fn the_partial_tail_of_a_file_being_written_is_not_damage() {
    let f = fixture(|_| {});
    let open = f.warc.with_file_name(format!(
        "{}.open",
        f.warc.file_name().unwrap().to_string_lossy()
    ));
    let mut bytes = std::fs::read(&f.warc).unwrap();
    let first = bytes[..64].to_vec();
    bytes.extend_from_slice(&first);
    std::fs::write(&open, bytes).unwrap();
    std::fs::remove_file(&f.warc).unwrap();
    let report = check(&f);
    assert!(report.is_ok(), "{:#?}", report.damage);
    assert_eq!(report.warc_records, 3);

    // The same cut in a finished file is damage.
    std::fs::rename(&open, &f.warc).unwrap();
    let report = check(&f);
    assert!(
        report
            .damage
            .iter()
            .any(|d| d.path == f.warc && d.message.contains("truncated")),
        "{:#?}",
        report.damage
    );
}

#[test]
fn an_archive_of_imports_alone_reads_no_warc() {
    let f = fixture(|lines| lines.retain(|c| c.warc_record_id.is_none()));
    // A WARC file that would be damage if it were read.
    std::fs::write(f.warc.with_file_name("9.warc.gz"), b"not gzip").unwrap();
    let report = check(&f);
    assert!(report.is_ok(), "{:#?}", report.damage);
    assert_eq!((report.lines, report.warc_records), (1, 0));
    assert!(Path::new(&f.root).join("warc").is_dir());
}
