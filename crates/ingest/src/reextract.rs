//! `newsvault reextract`: extraction run again over the raw pages kept in WARC, for when the
//! extractor or a site's rules improved. A new version is written only where the extracted
//! title and text change; the capture says it was re-extracted and from which WARC record.

use crate::IngestError;
use crate::refresh::{Ingest, answer, fingerprint, source_rules};
use crate::store::{Decision, Job, Observation};
use fetch::warc::WarcReader;
use model::{ArticleKey, SourceConfig, SourceId};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tokio::sync::oneshot;

/// What a re-extraction did.
#[derive(Clone, Debug, Default)]
pub struct ReextractSummary {
    /// Articles whose latest capture names a raw page in WARC.
    pub candidates: u64,
    /// Of those, pages found in the WARC files and extracted again.
    pub extracted: u64,
    /// New versions written.
    pub changed: u64,
    /// Pages whose extraction gives the same title and text as stored.
    pub unchanged: u64,
    /// Raw pages named by captures but not found in `warc/`.
    pub missing: u64,
    /// Pages that could not be re-extracted, and why.
    pub errors: Vec<String>,
}

/// One article to re-extract: its latest stored version and the page record it came from.
struct Candidate {
    key: ArticleKey,
    source: String,
    latest_path: String,
    status: Option<u16>,
}

/// Re-extracts the articles of `only` (every source when empty). `configured` gives each
/// source's own extraction rules.
pub async fn reextract(
    ingest: &Ingest,
    configured: &[SourceConfig],
    only: &[String],
) -> Result<ReextractSummary, IngestError> {
    let mut summary = ReextractSummary::default();
    let articles = ingest.read(|i| i.articles())?;
    let mut wanted: HashMap<String, Candidate> = HashMap::new();
    for a in articles {
        if !only.is_empty() && !only.contains(&a.source) {
            continue;
        }
        let key = ArticleKey::parse(&a.key)
            .ok_or_else(|| IngestError::Store(format!("bad key {}", a.key)))?;
        let captures = ingest.read(|i| i.captures(&key))?;
        let Some(page) = captures
            .iter()
            .rev()
            .find(|c| c.warc_record_id.is_some() && c.via.as_deref() != Some("import"))
        else {
            continue;
        };
        summary.candidates += 1;
        wanted.insert(
            page.warc_record_id.clone().expect("filtered above"),
            Candidate {
                key,
                source: a.source.clone(),
                latest_path: archive::record_path(&a.dir, a.latest_version),
                status: page.status,
            },
        );
    }
    if wanted.is_empty() {
        return Ok(summary);
    }
    let root = ingest.archive().root().to_owned();
    let mut found = 0u64;
    let mut batches: HashMap<String, Vec<Observation>> = HashMap::new();
    for file in warc_files(&root.join("warc")) {
        let reader = match WarcReader::open(&file) {
            Ok(r) => r,
            Err(e) => {
                summary.errors.push(format!("{}: {e}", file.display()));
                continue;
            }
        };
        for record in reader {
            let record = match record {
                Ok(r) => r,
                // The file being written may end inside the record being appended.
                Err(fetch::warc::ReadError::Truncated { .. }) if is_open(&file) => break,
                Err(e) => {
                    summary.errors.push(e.to_string());
                    break;
                }
            };
            let Some(candidate) = record.id().and_then(|id| wanted.get(id)) else {
                continue;
            };
            found += 1;
            let id = record.id().unwrap_or_default().to_owned();
            match observe(ingest.archive(), configured, candidate, &id, record.raw()) {
                Ok(Some(o)) => {
                    summary.extracted += 1;
                    batches.entry(candidate.source.clone()).or_default().push(o);
                }
                Ok(None) => {
                    summary.extracted += 1;
                    summary.unchanged += 1;
                }
                Err(ReextractSkip::NotAPage) => {}
                Err(ReextractSkip::Failed(e)) => summary.errors.push(format!("{id}: {e}")),
            }
        }
    }
    summary.missing = wanted.len() as u64 - found;
    for (source, items) in batches {
        let meta = ingest
            .archive()
            .source_meta(&SourceId::new(source.clone()).map_err(IngestError::Store)?)?;
        for chunk in chunked(items, 500) {
            let (reply, rx) = oneshot::channel();
            ingest.submit(Job::Observations {
                source: meta.clone(),
                items: chunk,
                schedule: None,
                reply,
            })?;
            for d in answer(rx).await? {
                match d {
                    Decision::Edited | Decision::New => summary.changed += 1,
                    Decision::Unchanged => summary.unchanged += 1,
                }
            }
        }
    }
    Ok(summary)
}

enum ReextractSkip {
    /// The record is a feed or an image (full-text feeds store no page).
    NotAPage,
    Failed(String),
}

fn observe(
    archive: &archive::Archive,
    configured: &[SourceConfig],
    c: &Candidate,
    record_id: &str,
    member: &[u8],
) -> Result<Option<Observation>, ReextractSkip> {
    let (headers, body) = http_payload(member).map_err(ReextractSkip::Failed)?;
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let content_type = header("content-type").unwrap_or("");
    if !content_type.to_ascii_lowercase().contains("html") {
        return Err(ReextractSkip::NotAPage);
    }
    // Captures hash the payload as stored in WARC (still content-encoded), like refresh does.
    let raw_sha = model::sha256_hex(&body);
    let body = fetch::decode_body(body, header("content-encoding"), fetch::DEFAULT_MAX_BODY)
        .map_err(ReextractSkip::Failed)?;
    let stored_bytes = std::fs::read(archive.resolve(&c.latest_path))
        .map_err(|e| ReextractSkip::Failed(format!("{}: {e}", c.latest_path)))?;
    let stored = record::parse(&stored_bytes, &c.latest_path)
        .map_err(|e| ReextractSkip::Failed(e.to_string()))?
        .record;
    let url = stored.url.clone().unwrap_or_default();
    let page_url =
        url::Url::parse(&url).map_err(|e| ReextractSkip::Failed(format!("{url}: {e}")))?;
    let rules = match configured.iter().find(|s| s.id.as_str() == c.source) {
        Some(s) => source_rules(s).map_err(|e| ReextractSkip::Failed(e.to_string()))?,
        None => extract::SiteRules::builtin_with(Vec::new())
            .map_err(|e| ReextractSkip::Failed(e.to_string()))?,
    };
    let charset = fetch::charset::header_charset(content_type);
    let article = extract::extract_with_charset(&body, &page_url, charset, &rules);
    if article.html.trim().is_empty() {
        return Err(ReextractSkip::Failed(
            "nothing extracted from the page".into(),
        ));
    }
    let published = stored.published_ms.unwrap_or_default();
    let fresh = record::Record::compat(published, &stored.title, &url, &article.html);
    let print = fingerprint(&fresh.title, &fresh.body);
    if print == fingerprint(&stored.title, &stored.body) {
        return Ok(None);
    }
    Ok(Some(Observation {
        key: c.key.clone(),
        record: record::write(&fresh),
        title: fresh.title.clone(),
        url,
        published_ms: fresh.published_ms,
        fingerprint: print,
        status: c.status,
        final_url: None,
        body_sha256: Some(raw_sha),
        warc_record_id: Some(record_id.to_owned()),
        via: "reextract".into(),
        note: Some(format!("re-extracted from {record_id}")),
        byline: crate::recheck::normalize_byline(article.byline.as_deref()),
    }))
}

/// HTTP header fields, names lower-cased, in order.
type Headers = Vec<(String, String)>;

/// The HTTP response headers and (still content-encoded) body of a WARC `response` record,
/// from its gzip member.
fn http_payload(member: &[u8]) -> Result<(Headers, Vec<u8>), String> {
    use std::io::Read;
    let mut record = Vec::new();
    flate2::read::GzDecoder::new(member)
        .read_to_end(&mut record)
        .map_err(|e| format!("cannot decompress the record: {e}"))?;
    let head_end = find(&record, b"\r\n\r\n").ok_or("no end of the WARC header")? + 4;
    let block = record[head_end..]
        .strip_suffix(b"\r\n\r\n")
        .unwrap_or(&record[head_end..]);
    let http_end = find(block, b"\r\n\r\n").ok_or("no end of the HTTP header")? + 4;
    let head = String::from_utf8_lossy(&block[..http_end]);
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok((headers, block[http_end..].to_vec()))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Every `.warc.gz` under `warc/`, oldest day first, with the one being written (`.open`).
fn warc_files(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            e.file_type().is_file()
                && (name.ends_with(".warc.gz") || name.ends_with(".warc.gz.open"))
        })
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

fn is_open(file: &Path) -> bool {
    file.extension().is_some_and(|e| e == "open")
}

fn chunked<T>(items: Vec<T>, size: usize) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for item in items {
        current.push(item);
        if current.len() == size {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}
