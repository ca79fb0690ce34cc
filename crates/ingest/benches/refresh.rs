//! Refresh benchmark: one pass of `refresh_source` over many sources against a fixture site on
//! 127.0.0.1, run the way `newsvault fetch` runs it (every source at once through
//! `buffer_unordered`), with the per-host limits relaxed (everything is on one host here).
//!
//! The site serves `/feed/<n>.xml` (RSS 2.0, full text in `content:encoded`) with an ETag and
//! answers 304 to a matching `If-None-Match`. A warm-up pass, where every feed answers 200, stores
//! the validators (and `--warm-items` articles per source, so the index is not empty); it runs in
//! a child process, so that its memory (every source's first items at once) stays out of the
//! measured peak. Then each measured pass changes a different tenth of the feeds to carry 20 new
//! items (fresh slugs, generated Chinese bodies of 2–4 KB) while the other nine tenths answer
//! 304. Feeds are generated on request from (feed, version), so the site holds no bodies.
//!
//! Printed per pass: wall time, requests (as the server counted them), requests/s, new articles,
//! articles/s, failures, and the per-source check times of the 304 and the changed sources. At
//! the end: peak RSS (getrusage) of the warm-up process and of this one (the measured passes;
//! the fixture site runs here too, on its own thread and runtime, so its CPU and memory are
//! included). Nothing is asserted.
//!
//! ```text
//! cargo bench -p newsvault-ingest --bench refresh -- [--sources N] [--rounds R] [--images]
//!     [--dir D] [--warm-items N] [--keep]
//! ```
//!
//! `--sources` defaults to 1000, `--rounds` to 3; `--images` also archives one image per new
//! article; `--dir` is the parent of the data directory (default: a temporary directory under
//! the system temp dir; use a real disk); `--keep` leaves the data directory in place.

mod common;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use common::{Gen, max_rss_mib, quantile, run_measured};
use futures_util::StreamExt;
use ingest::{Ingest, IngestError, RefreshOptions, RefreshReport, refresh_source};
use model::{SourceConfig, SourceId};
use newsvault_ingest as ingest;
use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// New items in a changed feed.
const NEW_ITEMS: usize = 20;
/// One changed feed in this many per measured pass.
const CHANGED_EVERY: usize = 10;

/// Command-line options (after `--`).
struct Args {
    sources: usize,
    rounds: usize,
    images: bool,
    dir: Option<PathBuf>,
    warm_items: usize,
    keep: bool,
    /// Internal: run only the warm-up pass against the site at this base URL, in `--dir`.
    warm_up_child: Option<String>,
}

const USAGE: &str = "usage: refresh [--sources N] [--rounds R] [--images] [--dir D] \
                     [--warm-items N] [--keep]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        sources: 1000,
        rounds: 3,
        images: false,
        dir: None,
        warm_items: NEW_ITEMS,
        keep: false,
        warm_up_child: None,
    };
    let mut it = std::env::args().skip(1);
    let number = |name: &str, value: Option<String>| -> Result<usize, String> {
        let v = value.ok_or_else(|| format!("{name} needs a value"))?;
        v.parse().map_err(|e| format!("{name} {v}: {e}"))
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--sources" => args.sources = number("--sources", it.next())?.max(1),
            "--rounds" => args.rounds = number("--rounds", it.next())?,
            "--warm-items" => args.warm_items = number("--warm-items", it.next())?.max(1),
            "--images" => args.images = true,
            "--keep" => args.keep = true,
            "--dir" => args.dir = Some(it.next().ok_or("--dir needs a value")?.into()),
            "--warm-up-child" => {
                args.warm_up_child = Some(it.next().ok_or("--warm-up-child needs a URL")?);
            }
            "--bench" => {} // appended by `cargo bench`
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

/// The fixture site: feed `n` is at version `versions[n]`; version 0 is the warm-up feed.
struct Site {
    base: String,
    versions: Vec<AtomicU32>,
    warm_items: usize,
    requests: AtomicU64,
    not_modified: AtomicU64,
}

impl Site {
    fn etag(n: usize, version: u32) -> String {
        format!("\"{n}-{version}\"")
    }

    /// Feed `n` at `version`: deterministic, with slugs unique to (feed, version, item).
    fn feed(&self, n: usize, version: u32) -> String {
        let items = if version == 0 {
            self.warm_items
        } else {
            NEW_ITEMS
        };
        let mut g = Gen::new(n as u64, u64::from(version));
        let mut out = String::with_capacity(items * 4096 + 512);
        let _ = write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
             xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\
             <title>测试台 {n}</title><link>{}/</link><description>基准测试用的频道</description>",
            self.base
        );
        // Newest first, one minute apart, starting from a fixed time per version.
        let newest = 1_764_000_000 + i64::from(version) * 86_400;
        for j in 0..items {
            let slug = format!("{n}-{version}-{j}");
            let link = format!("{}/a/{slug}.html", self.base);
            let image = format!("{}/img/{slug}.jpg", self.base);
            let date = chrono::DateTime::from_timestamp(newest - j as i64 * 60, 0)
                .unwrap_or_default()
                .to_rfc2822();
            out.push_str("<item><title>");
            g.title(&mut out);
            let _ = write!(
                out,
                "</title><link>{link}</link><guid>{link}</guid><pubDate>{date}</pubDate>\
                 <description>摘要</description><content:encoded><![CDATA["
            );
            g.body(Some(&image), &mut out);
            out.push_str("]]></content:encoded></item>");
        }
        out.push_str("</channel></rss>");
        out
    }
}

async fn answer(State(site): State<Arc<Site>>, req: Request) -> Response {
    site.requests.fetch_add(1, Ordering::Relaxed);
    let path = req.uri().path();
    if let Some(name) = path.strip_prefix("/img/") {
        // A small fake JPEG, unique per URL so assets do not deduplicate.
        let mut bytes = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00".to_vec();
        bytes.extend(name.bytes().cycle().take(2048));
        return ([(header::CONTENT_TYPE, "image/jpeg")], bytes).into_response();
    }
    let Some(n) = path
        .strip_prefix("/feed/")
        .and_then(|f| f.strip_suffix(".xml"))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n < site.versions.len())
    else {
        return (StatusCode::NOT_FOUND, "no such page").into_response();
    };
    let version = site.versions[n].load(Ordering::Relaxed);
    let etag = Site::etag(n, version);
    let inm = req.headers().get(header::IF_NONE_MATCH);
    if inm.is_some_and(|v| v.as_bytes() == etag.as_bytes()) {
        site.not_modified.fetch_add(1, Ordering::Relaxed);
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        r.headers_mut()
            .insert(header::ETAG, HeaderValue::from_str(&etag).expect("ascii"));
        return r;
    }
    let body = Bytes::from(site.feed(n, version));
    let mut r = ([(header::CONTENT_TYPE, "application/rss+xml")], body).into_response();
    r.headers_mut()
        .insert(header::ETAG, HeaderValue::from_str(&etag).expect("ascii"));
    r
}

/// Starts the site on its own thread and runtime (one worker), so that it does not share the
/// ingest runtime's workers; returns once it listens.
fn serve(sources: usize, warm_items: usize) -> Result<Arc<Site>, Box<dyn Error>> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let base = format!("http://{}", listener.local_addr()?);
    let site = Arc::new(Site {
        base,
        versions: (0..sources).map(|_| AtomicU32::new(0)).collect(),
        warm_items,
        requests: AtomicU64::new(0),
        not_modified: AtomicU64::new(0),
    });
    let app = Router::new().fallback(answer).with_state(site.clone());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("fixture-site".into())
        .spawn(move || {
            runtime.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).expect("a listening socket");
                if let Err(e) = axum::serve(listener, app).await {
                    eprintln!("fixture site stopped: {e}");
                }
            });
        })?;
    Ok(site)
}

type Outcome = Result<RefreshReport, IngestError>;

/// Checks every source at once, as `newsvault fetch` does.
async fn pass(ingest: &Ingest, sources: &[SourceConfig]) -> Vec<Outcome> {
    futures_util::stream::iter(sources.iter().map(|s| refresh_source(ingest, s)))
        .buffer_unordered(sources.len().max(1))
        .collect()
        .await
}

fn durations(results: &[Outcome], not_modified: bool) -> String {
    let mut ms: Vec<u64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter(|r| r.not_modified == not_modified)
        .map(|r| r.duration_ms)
        .collect();
    ms.sort_unstable();
    format!(
        "{} sources, p50 {} ms, p95 {} ms, max {} ms",
        ms.len(),
        quantile(&ms, 0.5),
        quantile(&ms, 0.95),
        quantile(&ms, 1.0)
    )
}

fn print_round(label: &str, wall: Duration, requests: u64, not_modified: u64, results: &[Outcome]) {
    let secs = wall.as_secs_f64();
    let ok: Vec<&RefreshReport> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let new: u32 = ok.iter().map(|r| r.new + r.edited).sum();
    let item_errors: usize = ok.iter().map(|r| r.item_errors.len()).sum();
    let images: u32 = ok.iter().map(|r| r.images).sum();
    let failed: Vec<&IngestError> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    println!("{label}:");
    let rows = [
        ("wall time", format!("{secs:.3} s")),
        (
            "requests",
            format!("{requests} ({not_modified} answered 304)"),
        ),
        ("requests/s", format!("{:.0}", requests as f64 / secs)),
        ("new articles", format!("{new} ({images} images)")),
        ("articles/s", format!("{:.0}", f64::from(new) / secs)),
        (
            "failures",
            format!("{} sources, {item_errors} items", failed.len()),
        ),
        ("304 checks", durations(results, true)),
        ("changed checks", durations(results, false)),
    ];
    for (k, v) in rows {
        println!("  {k:<16}{v}");
    }
    if let Some(e) = failed.first() {
        println!("  first failure   {e}");
    }
}

/// The benchmark's sources: feed `n` of the site at `base`, full text.
fn sources(base: &str, n: usize) -> Vec<SourceConfig> {
    (0..n)
        .map(|n| {
            let id = SourceId::new(format!("s{n:05}")).expect("a valid id");
            let mut s =
                SourceConfig::new(id, format!("测试台 {n}"), format!("{base}/feed/{n}.xml"));
            s.full_text = true;
            s
        })
        .collect()
}

/// Opens the data directory for refreshing, with per-host limits relaxed.
fn open(dir: &Path, sources: usize, images: bool) -> Result<Ingest, Box<dyn Error>> {
    let fetch = fetch::FetchConfig {
        per_host_concurrency: sources.max(1) * 4,
        min_interval: Duration::ZERO,
        max_attempts: 1,
        total_timeout: Duration::from_secs(60),
        ..fetch::FetchConfig::default()
    };
    let options = RefreshOptions {
        images,
        ..RefreshOptions::default()
    };
    Ok(Ingest::open(archive::Archive::open(dir)?, fetch, options)?)
}

/// The warm-up pass, in a child process of its own so that its memory (every source's first
/// 20 items at once) does not count in the measured passes' peak.
fn warm_up(base: &str, args: &Args) -> Result<(), Box<dyn Error>> {
    let dir = args.dir.as_deref().ok_or("--warm-up-child needs --dir")?;
    let ingest = open(dir, args.sources, args.images)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let sources = sources(base, args.sources);
    let clock = Instant::now();
    let results = runtime.block_on(pass(&ingest, &sources));
    let wall = clock.elapsed();
    ingest.close()?;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let new: u32 = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|r| r.new)
        .sum();
    println!(
        "warm-up: every feed 200: {:.3} s, {ok}/{} sources ok, {new} articles ({:.0}/s)",
        wall.as_secs_f64(),
        results.len(),
        f64::from(new) / wall.as_secs_f64()
    );
    match results.iter().find_map(|r| r.as_ref().err()) {
        Some(e) => {
            Err(format!("warm-up: {} sources failed, first: {e}", results.len() - ok).into())
        }
        None => Ok(()),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_args().map_err(|e| format!("{e}\n{USAGE}"))?;
    if let Some(base) = &args.warm_up_child {
        return warm_up(base, &args);
    }
    let parent = args.dir.clone().unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&parent)?;
    let work = tempfile::Builder::new()
        .prefix("bench-refresh-")
        .tempdir_in(&parent)?;
    let site = serve(args.sources, args.warm_items)?;
    println!(
        "{} sources, {} measured passes, images {}, data dir {}",
        args.sources,
        args.rounds,
        if args.images { "on" } else { "off" },
        work.path().display()
    );

    let mut child = Command::new(std::env::current_exe()?);
    child
        .arg("--warm-up-child")
        .arg(&site.base)
        .arg("--dir")
        .arg(work.path())
        .args(["--sources", &args.sources.to_string()]);
    if args.images {
        child.arg("--images");
    }
    let (code, child_rss) = run_measured(&mut child)?;
    if code != 0 {
        return Err(format!("the warm-up pass failed (exit {code})").into());
    }
    println!("  peak RSS      {child_rss:.1} MiB (warm-up process)");

    let sources = sources(&site.base, args.sources);
    let ingest = open(work.path(), args.sources, args.images)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    for round in 1..=args.rounds {
        // A different tenth of the feeds changes each pass.
        let offset = (round - 1) % CHANGED_EVERY;
        for (n, v) in site.versions.iter().enumerate() {
            if n % CHANGED_EVERY == offset {
                v.store(round as u32, Ordering::Relaxed);
            }
        }
        let (requests, not_modified) = (
            site.requests.load(Ordering::Relaxed),
            site.not_modified.load(Ordering::Relaxed),
        );
        let clock = Instant::now();
        let results = runtime.block_on(pass(&ingest, &sources));
        let wall = clock.elapsed();
        print_round(
            &format!("pass {round}"),
            wall,
            site.requests.load(Ordering::Relaxed) - requests,
            site.not_modified.load(Ordering::Relaxed) - not_modified,
            &results,
        );
    }
    let clock = Instant::now();
    ingest.close()?;
    println!("close           {:.3} s", clock.elapsed().as_secs_f64());
    println!(
        "peak RSS        {:.1} MiB (measured passes and the fixture site; warm-up excluded)",
        max_rss_mib()
    );
    if args.keep {
        eprintln!("kept {}", work.keep().display());
    } else {
        let clock = Instant::now();
        work.close()?;
        eprintln!(
            "removed the data dir in {:.1} s",
            clock.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
