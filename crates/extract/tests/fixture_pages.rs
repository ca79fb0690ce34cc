//! Team-written pages imitating each default source's layouts (`fixtures/pages/<source>/`:
//! article, live page, gallery, video page, opinion column, a GB2312 page, a CJK page without
//! a site rule), each with `<name>.expected.json` beside it: the fields of
//! `newsvault extract --json` (without `html`). The texts are invented.

use newsvault_extract as extract;
use serde_json::Value;
use std::path::{Path, PathBuf};
use url::Url;

fn pages_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/pages"))
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixtures/pages")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            html_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "html") {
            out.push(p);
        }
    }
}

/// What `newsvault extract --json` prints for a page (minus `html`).
fn actual(html: &[u8], url: &Url) -> Value {
    let a = extract::extract(html, url);
    let clean_html = clean::sanitize(&a.html, Some(url));
    serde_json::json!({
        "url": a.url,
        "title": a.title,
        "byline": a.byline,
        "published": a.published.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        "language": a.language,
        "lead_image": a.lead_image,
        "text": clean::text(&clean_html),
    })
}

#[test]
fn every_fixture_page_extracts_as_expected() {
    let mut files = Vec::new();
    html_files(&pages_dir(), &mut files);
    assert!(files.len() >= 10, "only {} fixture pages", files.len());
    let mut failures = Vec::new();
    for file in &files {
        let expected_path = file.with_extension("expected.json");
        let expected: Value = serde_json::from_slice(
            &std::fs::read(&expected_path)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display())),
        )
        .expect("expected JSON");
        let url = Url::parse(expected["url"].as_str().expect("url")).expect("valid url");
        let html = std::fs::read(file).expect("page");
        let got = actual(&html, &url);
        for key in [
            "title",
            "byline",
            "published",
            "language",
            "lead_image",
            "text",
        ] {
            if got[key] != expected[key] {
                failures.push(format!(
                    "{} {key}:\n  expected {}\n  got      {}",
                    file.display(),
                    expected[key],
                    got[key]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
