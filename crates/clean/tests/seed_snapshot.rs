//! Snapshot of the cleaned seed record body (RFI, 2023-05-26), read from `../shared`: nested
//! `<span>` soup around each paragraph and empty `data-selfpromo-*` placeholders go; paragraphs,
//! the dateline, the lead image and the author link (made absolute) stay.
//!
//! The project commits only text its team wrote, so the snapshot is kept as the cleaned HTML's
//! skeleton (every tag as it must be, each text run as «its length in characters») plus the
//! SHA-256 of the exact cleaned HTML and plain text. The expected output was checked by hand
//! against the input when it was recorded, not blessed.

use sha2::Digest;
use std::path::Path;
use url::Url;

const SKELETON: &str = include_str!("fixtures/rfi-20230526.clean.skeleton");
const HTML_SHA256: &str = "ee38edfe0207a92d162a8fc0c57b57df578dc8f1ec2fb04663dad497c7592f08";
const TEXT_SHA256: &str = "fdb0d6458f82c1c6410c5c2b68513c6d17abb4086de88fdc9eaca699f13a11f9";

/// The seed record's URL and body, or `None` (skipped) when `../shared` is absent off CI.
fn seed() -> Option<(Url, String)> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/seed/rfi-20230526.md");
    let Ok(text) = std::fs::read_to_string(&path) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{} is missing on CI",
            path.display()
        );
        eprintln!("skipped: {} is not present", path.display());
        return None;
    };
    let (head, body) = text
        .split_once("\n------\n\n")
        .expect("the seed is a record");
    let url = head
        .rsplit_once("](")
        .expect("title link")
        .1
        .trim_end_matches(')');
    Some((
        Url::parse(url).expect("seed URL"),
        body.trim_end_matches('\n').to_owned(),
    ))
}

/// Tags kept exactly; each run of text replaced by «number of characters».
fn skeleton(html: &str) -> String {
    let (mut out, mut run, mut in_tag) = (String::new(), 0usize, false);
    for ch in html.chars() {
        if in_tag {
            out.push(ch);
            in_tag = ch != '>';
        } else if ch == '<' {
            if run > 0 {
                out.push_str(&format!("«{run}»"));
                run = 0;
            }
            in_tag = true;
            out.push(ch);
        } else {
            run += 1;
        }
    }
    if run > 0 {
        out.push_str(&format!("«{run}»"));
    }
    out
}

fn sha256(s: &str) -> String {
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

#[test]
fn shared_seed_body_cleans_to_the_snapshot() {
    let Some((url, body)) = seed() else { return };
    let html = newsvault_clean::sanitize(&body, Some(&url));
    assert_eq!(
        skeleton(html.trim_end()),
        SKELETON.trim_end(),
        "cleaned HTML differs from the snapshot"
    );
    assert_eq!(
        sha256(html.trim_end()),
        HTML_SHA256,
        "cleaned text differs from the snapshot"
    );
    assert!(!html.contains("<span"), "span soup survived");
    assert!(
        !html.contains("selfpromo"),
        "self-promotion placeholders survived"
    );
    assert!(
        html.contains(r#"href="https://www.rfi.fr/cn/%E4%BD%9C%E8%80%85/%E8%82%96%E6%9B%BC/""#)
    );
}

#[test]
fn shared_seed_body_text_is_paragraphs() {
    let Some((url, body)) = seed() else { return };
    let text = newsvault_clean::text(&newsvault_clean::sanitize(&body, Some(&url)));
    assert_eq!(
        text.matches("\n\n").count(),
        17,
        "paragraphs separated by one blank line:\n{text}"
    );
    assert!(!text.contains("\n\n\n"));
    assert_eq!(
        sha256(&text),
        TEXT_SHA256,
        "plain text differs from the snapshot"
    );
}
