//! The WARC reader against files the writer produced: source tags, offsets and raw members,
//! truncated and damaged files, and warcio's opinion of tagged records.

use chrono::{TimeZone, Utc};
use fetch::Hop;
use fetch::warc::{ReadError, Record, SOURCE_FIELD, WarcReader, WarcWriter};
use newsvault_fetch as fetch;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

fn hop(path: &str, body: &str, minute: u32) -> Hop {
    Hop {
        url: format!("http://127.0.0.1:9{path}"),
        started: Utc.with_ymd_and_hms(2024, 5, 1, 8, minute, 0).unwrap(),
        request_headers: vec![("host".into(), "127.0.0.1:9".into())],
        version: "HTTP/1.1".into(),
        status: 200,
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        raw_body: body.as_bytes().to_vec(),
    }
}

/// A finished file with two tagged exchanges (sources `alpha`, `beta`) and one untagged.
fn sample(dir: &Path) -> PathBuf {
    let mut w = WarcWriter::open(dir, Utc.with_ymd_and_hms(2024, 5, 1, 8, 0, 0).unwrap()).unwrap();
    w.write_exchange_with(
        &hop("/a", "<p>甲 first page</p>", 1),
        &[(SOURCE_FIELD, "alpha")],
    )
    .unwrap();
    w.write_exchange_with(
        &hop("/b", "<p>乙 second page</p>", 2),
        &[(SOURCE_FIELD, "beta"), ("Newsvault-Route", "direct")],
    )
    .unwrap();
    w.write_exchange(&hop("/c", "<p>untagged</p>", 3)).unwrap();
    w.finish().unwrap()
}

fn read_all(path: &Path) -> Vec<Result<Record, ReadError>> {
    WarcReader::open(path).unwrap().collect()
}

fn gunzip(member: &[u8]) -> String {
    let mut out = String::new();
    flate2::read::GzDecoder::new(member)
        .read_to_string(&mut out)
        .unwrap();
    out
}

#[test]
fn tagged_exchanges_read_back_with_fields_offsets_and_raw_members() {
    let tmp = tempfile::tempdir().unwrap();
    let path = sample(tmp.path());
    let bytes = std::fs::read(&path).unwrap();
    let records: Vec<Record> = read_all(&path).into_iter().map(Result::unwrap).collect();

    let types: Vec<_> = records.iter().map(|r| r.record_type().unwrap()).collect();
    assert_eq!(
        types,
        [
            "warcinfo", "request", "response", "request", "response", "request", "response"
        ]
    );
    let sources: Vec<_> = records.iter().map(Record::source).collect();
    assert_eq!(
        sources,
        [
            None,
            Some("alpha"),
            Some("alpha"),
            Some("beta"),
            Some("beta"),
            None,
            None
        ]
    );
    // Members tile the file, and each raw member is exactly the file's bytes there.
    let mut at = 0;
    for r in &records {
        assert_eq!(r.offset, at);
        assert_eq!(r.raw(), &bytes[at as usize..(at + r.length) as usize]);
        at += r.length;
    }
    assert_eq!(at, bytes.len() as u64);

    let response = &records[4];
    assert_eq!(response.version, "WARC/1.1");
    assert_eq!(
        response.date(),
        Some(Utc.with_ymd_and_hms(2024, 5, 1, 8, 2, 0).unwrap())
    );
    assert_eq!(response.field("newsvault-route"), Some("direct"));
    assert_eq!(
        response
            .fields_named("WARC-Concurrent-To")
            .collect::<Vec<_>>(),
        [records[3].id().unwrap()]
    );
    // Field order is the file's: ours, then the extras, then digests and length.
    let names: Vec<_> = response.fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.first(), Some(&"WARC-Type"));
    assert_eq!(names.last(), Some(&"Content-Length"));
    let tag = names.iter().position(|n| *n == SOURCE_FIELD).unwrap();
    assert!(tag > names.iter().position(|n| *n == "Content-Type").unwrap());
    assert!(gunzip(response.raw()).contains("<p>乙 second page</p>"));
}

#[test]
fn extra_fields_that_would_break_or_shadow_the_header_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut w = WarcWriter::open(tmp.path(), Utc::now()).unwrap();
    let before = w.len();
    for extra in [
        ("WARC-Date", "2024-01-01T00:00:00Z"),
        ("content-length", "0"),
        ("Bad Name", "x"),
        (SOURCE_FIELD, "a\r\nWARC-Type: resource"),
    ] {
        let err = w
            .write_exchange_with(&hop("/x", "x", 0), &[extra])
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{extra:?}");
    }
    assert_eq!(w.len(), before, "nothing is written for a refused exchange");
}

#[test]
fn a_truncated_last_member_stops_the_reader_with_its_offset() {
    let tmp = tempfile::tempdir().unwrap();
    let path = sample(tmp.path());
    let bytes = std::fs::read(&path).unwrap();
    let whole: Vec<Record> = read_all(&path).into_iter().map(Result::unwrap).collect();
    let last = whole.last().unwrap();
    // A crash in the middle of appending the last record.
    let cut = last.offset + last.length / 2;
    std::fs::write(&path, &bytes[..cut as usize]).unwrap();

    let results = read_all(&path);
    assert_eq!(results.len(), whole.len());
    for (got, want) in results.iter().zip(&whole).take(whole.len() - 1) {
        assert_eq!(got.as_ref().unwrap(), want);
    }
    let err = results.last().unwrap().as_ref().unwrap_err();
    assert!(
        matches!(err, ReadError::Truncated { offset, .. } if *offset == last.offset),
        "{err}"
    );
    assert_eq!(err.offset(), last.offset);
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");

    // Only the gzip header of a member made it to disk.
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(&bytes[..last.offset as usize]).unwrap();
    f.write_all(&[0x1f, 0x8b, 8, 0, 0, 0]).unwrap();
    drop(f);
    let err = read_all(&path).pop().unwrap().unwrap_err();
    assert!(matches!(err, ReadError::Truncated { .. }), "{err}");
}

#[test]
fn a_damaged_member_in_the_middle_is_reported_and_ends_the_iteration() {
    let tmp = tempfile::tempdir().unwrap();
    let path = sample(tmp.path());
    let mut bytes = std::fs::read(&path).unwrap();
    let whole: Vec<Record> = read_all(&path).into_iter().map(Result::unwrap).collect();
    let victim = &whole[2];
    // Flip bytes inside the deflate data of the third member.
    let mid = (victim.offset + victim.length / 2) as usize;
    for b in &mut bytes[mid..mid + 4] {
        *b ^= 0x5a;
    }
    std::fs::write(&path, &bytes).unwrap();
    let results = read_all(&path);
    assert_eq!(
        results.len(),
        3,
        "two good records, then the error, then nothing"
    );
    assert!(results[0].is_ok() && results[1].is_ok());
    let err = results[2].as_ref().unwrap_err();
    assert_eq!(err.offset(), victim.offset, "{err}");
    assert!(matches!(err, ReadError::Damaged { .. }), "{err}");
}

#[test]
fn an_empty_file_has_no_records() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("empty.warc.gz");
    std::fs::write(&path, b"").unwrap();
    assert!(read_all(&path).is_empty());
}

/// Tagged records must still pass a standard validator. Runs whenever warcio is installed;
/// on CI it must be.
#[test]
fn tagged_records_validate_with_warcio() {
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
    let tmp = tempfile::tempdir().unwrap();
    let path = sample(tmp.path());
    let out = std::process::Command::new("warcio")
        .args(["check", "-v"])
        .arg(&path)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "warcio check failed:\n{text}");
    assert!(
        text.contains("digest pass") && !text.contains("fail"),
        "{text}"
    );
}
