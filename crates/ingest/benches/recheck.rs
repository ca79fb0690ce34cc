//! Re-check benchmark (issue 8): one re-check cycle over a large archive against a fixture site
//! on 127.0.0.1, run the way the daemon's scheduler runs it (`recheck_due` in batches).
//!
//! Set-up: `--sources` full-text feeds of `--articles / --sources` items each are archived by a
//! warm-up pass (a child process, so its memory stays out of the measured peaks). Every
//! article's page is served at `/a/<feed>-<item>.html` with the same text as its feed item.
//! The clock is then driven by hand ([`ingest::ManualClock`]), so no one waits 15 minutes:
//!
//! 1. *Baseline cycle* (the 15-minute check): every page is fetched for the first time, answers
//!    200, and sets the article's page fingerprint (a full-text feed's version came from the feed,
//!    so the first look at the page is the baseline, not an edit).
//! 2. *Measured cycle* (the 1-hour check): `--edited` per mille of the pages now carry an edit
//!    (a paragraph removed, a sentence added) and `--gone` per mille answer 404; the rest are as
//!    before. With validators (the default) unchanged pages answer 304 to the conditional GET;
//!    `--no-validators` makes the site ignore them, so every page is fetched and extracted.
//!
//! Printed per cycle: wall time, requests (as the site counted them, 304s among them), articles
//! checked per second, events by kind, bytes written by part of the data directory, and peak RSS
//! of the cycle (VmHWM, reset before each cycle). Nothing is asserted.
//!
//! ```text
//! cargo bench -p newsvault-ingest --bench recheck -- [--articles N] [--sources S]
//!     [--edited PERMILLE] [--gone PERMILLE] [--no-validators] [--batch B] [--dir D] [--keep]
//! ```
//!
//! Defaults: 100,000 articles in 500 sources, 10 ‰ edited, 1 ‰ gone, batches of 2,000.

mod common;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use common::{Gen, run_measured};
use futures_util::StreamExt;
use ingest::{Ingest, ManualClock, RefreshOptions, refresh_source};
use model::{SourceConfig, SourceId};
use newsvault_ingest as ingest;
use std::collections::BTreeMap;
use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Args {
    articles: usize,
    sources: usize,
    edited_permille: usize,
    gone_permille: usize,
    validators: bool,
    batch: usize,
    dir: Option<PathBuf>,
    keep: bool,
    /// Internal: run only the warm-up pass against the site at this base URL, in `--dir`.
    warm_up_child: Option<String>,
}

const USAGE: &str = "usage: recheck [--articles N] [--sources S] [--edited PERMILLE] \
                     [--gone PERMILLE] [--no-validators] [--batch B] [--dir D] [--keep]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        articles: 100_000,
        sources: 500,
        edited_permille: 10,
        gone_permille: 1,
        validators: true,
        batch: 2_000,
        dir: None,
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
            "--articles" => args.articles = number("--articles", it.next())?.max(1),
            "--sources" => args.sources = number("--sources", it.next())?.max(1),
            "--edited" => args.edited_permille = number("--edited", it.next())?.min(1000),
            "--gone" => args.gone_permille = number("--gone", it.next())?.min(1000),
            "--batch" => args.batch = number("--batch", it.next())?.max(1),
            "--no-validators" => args.validators = false,
            "--keep" => args.keep = true,
            "--dir" => args.dir = Some(it.next().ok_or("--dir needs a value")?.into()),
            "--warm-up-child" => {
                args.warm_up_child = Some(it.next().ok_or("--warm-up-child needs a URL")?);
            }
            "--bench" => {} // appended by `cargo bench`
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    args.sources = args.sources.min(args.articles);
    Ok(args)
}

/// What a page currently serves.
const ORIGINAL: u8 = 0;
const EDITED: u8 = 1;
const GONE: u8 = 2;

/// The fixture site: feeds of `per_feed` items, and one page per item in one of three states.
struct Site {
    base: String,
    per_feed: usize,
    pages: Vec<AtomicU8>,
    validators: AtomicBool,
    requests: AtomicU64,
    not_modified: AtomicU64,
}

impl Site {
    fn page_url(&self, feed: usize, item: usize) -> String {
        format!("{}/a/{feed}-{item}.html", self.base)
    }

    /// Title and body HTML of an item, the same in its feed entry and on its page.
    fn article(feed: usize, item: usize, state: u8) -> (String, String) {
        let mut g = Gen::new(feed as u64, item as u64);
        let mut title = String::new();
        g.title(&mut title);
        let mut body = String::new();
        g.body(None, &mut body);
        if state == EDITED {
            // A real edit: the last paragraph removed, a correction added.
            if let Some(cut) = body[..body.len() - 4].rfind("<p>") {
                body.truncate(cut);
            }
            body.push_str("<p>更正：本文此前版本中的一处数字有误，现已修改。</p>");
        }
        (title, body)
    }

    fn feed(&self, feed: usize) -> String {
        let mut out = String::with_capacity(self.per_feed * 4096 + 512);
        let _ = write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
             xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\
             <title>测试台 {feed}</title><link>{}/</link><description>基准测试用的频道</description>",
            self.base
        );
        for item in 0..self.per_feed {
            let (title, body) = Self::article(feed, item, ORIGINAL);
            let link = self.page_url(feed, item);
            let date = chrono::DateTime::from_timestamp(1_764_000_000 - item as i64 * 60, 0)
                .unwrap_or_default()
                .to_rfc2822();
            let _ = write!(
                out,
                "<item><title>{title}</title><link>{link}</link><guid>{link}</guid>\
                 <pubDate>{date}</pubDate><description>摘要</description>\
                 <content:encoded><![CDATA[{body}]]></content:encoded></item>"
            );
        }
        out.push_str("</channel></rss>");
        out
    }

    fn page(feed: usize, item: usize, state: u8) -> String {
        let (title, body) = Self::article(feed, item, state);
        format!(
            "<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{title} - 测试台</title>\
             </head><body><header><nav><a href=\"/\">首页</a> <a href=\"/world\">国际</a></nav></header>\
             <main><article><h1>{title}</h1><div class=\"content\">{body}</div></article></main>\
             <footer>版权所有 测试台</footer></body></html>"
        )
    }
}

async fn answer(State(site): State<Arc<Site>>, req: Request) -> Response {
    site.requests.fetch_add(1, Ordering::Relaxed);
    let path = req.uri().path();
    if let Some(feed) = path
        .strip_prefix("/feed/")
        .and_then(|f| f.strip_suffix(".xml"))
        .and_then(|n| n.parse::<usize>().ok())
    {
        return (
            [(header::CONTENT_TYPE, "application/rss+xml")],
            site.feed(feed),
        )
            .into_response();
    }
    let Some((feed, item)) = path
        .strip_prefix("/a/")
        .and_then(|p| p.strip_suffix(".html"))
        .and_then(|p| p.split_once('-'))
        .and_then(|(f, i)| Some((f.parse::<usize>().ok()?, i.parse::<usize>().ok()?)))
        .filter(|(f, i)| *i < site.per_feed && f * site.per_feed + i < site.pages.len())
    else {
        return (StatusCode::NOT_FOUND, "no such page").into_response();
    };
    let state = site.pages[feed * site.per_feed + item].load(Ordering::Relaxed);
    if state == GONE {
        return (
            StatusCode::NOT_FOUND,
            "<html><body><h1>页面不存在</h1></body></html>",
        )
            .into_response();
    }
    let etag = format!("\"{feed}-{item}-{state}\"");
    let validators = site.validators.load(Ordering::Relaxed);
    if validators
        && req
            .headers()
            .get(header::IF_NONE_MATCH)
            .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        site.not_modified.fetch_add(1, Ordering::Relaxed);
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        r.headers_mut()
            .insert(header::ETAG, HeaderValue::from_str(&etag).expect("ascii"));
        return r;
    }
    let mut r = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Site::page(feed, item, state),
    )
        .into_response();
    if validators {
        r.headers_mut()
            .insert(header::ETAG, HeaderValue::from_str(&etag).expect("ascii"));
    }
    r
}

/// Starts the site on its own thread and runtime; returns once it listens.
fn serve(args: &Args) -> Result<Arc<Site>, Box<dyn Error>> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let per_feed = args.articles.div_ceil(args.sources);
    let site = Arc::new(Site {
        base: format!("http://{}", listener.local_addr()?),
        per_feed,
        pages: (0..args.sources * per_feed)
            .map(|_| AtomicU8::new(ORIGINAL))
            .collect(),
        validators: AtomicBool::new(args.validators),
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

fn fetch_config() -> fetch::FetchConfig {
    fetch::FetchConfig {
        // Everything is on one host here; a real archive spreads over many.
        per_host_concurrency: 64,
        min_interval: Duration::ZERO,
        max_attempts: 1,
        total_timeout: Duration::from_secs(120),
        ..fetch::FetchConfig::default()
    }
}

/// The warm-up pass (child process): archives every feed's items.
fn warm_up(base: &str, args: &Args) -> Result<(), Box<dyn Error>> {
    let dir = args.dir.as_deref().ok_or("--warm-up-child needs --dir")?;
    let clock = Arc::new(ManualClock::new(start_time()));
    let options = RefreshOptions {
        images: false,
        ..RefreshOptions::default()
    };
    let ingest =
        Ingest::open_with_clock(archive::Archive::open(dir)?, fetch_config(), options, clock)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let sources = sources(base, args.sources);
    let started = Instant::now();
    let results: Vec<_> = runtime.block_on(
        futures_util::stream::iter(sources.iter().map(|s| refresh_source(&ingest, s)))
            .buffer_unordered(16)
            .collect(),
    );
    let wall = started.elapsed();
    ingest.close()?;
    let new: u32 = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|r| r.new)
        .sum();
    println!(
        "warm-up: {new} articles archived from {} feeds in {:.1} s ({:.0}/s)",
        results.len(),
        wall.as_secs_f64(),
        f64::from(new) / wall.as_secs_f64()
    );
    match results.iter().find_map(|r| r.as_ref().err()) {
        Some(e) => Err(format!("warm-up failed: {e}").into()),
        None => Ok(()),
    }
}

/// The warm-up's "now"; the cycles run at fixed offsets from it.
fn start_time() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_764_000_000, 0).unwrap_or_default()
}

/// Bytes under each part of the data directory.
fn sizes(dir: &Path) -> BTreeMap<&'static str, u64> {
    let mut out = BTreeMap::new();
    for (name, rel) in [
        ("archive/", "archive"),
        ("warc/", "warc"),
        ("search/", "search"),
        ("assets/", "assets"),
    ] {
        let total = walkdir::WalkDir::new(dir.join(rel))
            .into_iter()
            .filter_map(Result::ok)
            .filter_map(|e| e.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum();
        out.insert(name, total);
    }
    let sqlite = ["index.sqlite", "index.sqlite-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum();
    out.insert("index.sqlite", sqlite);
    out
}

/// Resets the peak-RSS counter of this process (Linux: `5` to `/proc/self/clear_refs`).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak RSS since the last reset, in MiB (`VmHWM`).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// One cycle: every due article re-checked, `batch` at a time, as the scheduler does.
fn cycle(
    label: &str,
    runtime: &tokio::runtime::Runtime,
    ingest: &Ingest,
    site: &Site,
    sources: &[SourceConfig],
    args: &Args,
    dir: &Path,
) -> Result<(), Box<dyn Error>> {
    let before = sizes(dir);
    let (requests, not_modified) = (
        site.requests.load(Ordering::Relaxed),
        site.not_modified.load(Ordering::Relaxed),
    );
    reset_peak_rss();
    let started = Instant::now();
    let mut checked = 0usize;
    let mut failed = 0usize;
    let mut transient = 0usize;
    let mut events: BTreeMap<String, usize> = BTreeMap::new();
    let mut first_error = None;
    loop {
        let reports = runtime.block_on(ingest::recheck_due(ingest, sources, args.batch))?;
        if reports.is_empty() {
            break;
        }
        for r in reports {
            checked += 1;
            match r {
                Ok(r) => {
                    transient += usize::from(r.transient.is_some());
                    for e in r.events {
                        *events.entry(e.as_str().to_owned()).or_default() += 1;
                    }
                }
                Err(e) => {
                    failed += 1;
                    first_error.get_or_insert_with(|| e.to_string());
                }
            }
        }
        // A check that fails before it is rescheduled would be due again forever.
        if checked > 2 * args.articles {
            return Err("more checks than articles: something is not rescheduled".into());
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let peak = peak_rss_mib();
    let after = sizes(dir);
    let requests = site.requests.load(Ordering::Relaxed) - requests;
    let not_modified = site.not_modified.load(Ordering::Relaxed) - not_modified;
    println!("{label}:");
    println!("  wall time       {wall:.1} s");
    println!(
        "  checked         {checked} articles ({:.0}/s)",
        checked as f64 / wall
    );
    println!("  requests        {requests} ({not_modified} answered 304)");
    let listed: Vec<String> = events.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!(
        "  events          {}",
        if listed.is_empty() {
            "none".to_owned()
        } else {
            listed.join(", ")
        }
    );
    println!("  failures        {failed} errors, {transient} transient");
    if let Some(e) = first_error {
        println!("  first error     {e}");
    }
    let mut total = 0i64;
    let mut parts = Vec::new();
    for (name, after) in &after {
        let grown = *after as i64 - before.get(name).copied().unwrap_or(0) as i64;
        total += grown;
        parts.push(format!("{name} {:.1} MiB", grown as f64 / 1048576.0));
    }
    println!(
        "  bytes written   {:.1} MiB net ({})",
        total as f64 / 1048576.0,
        parts.join(", ")
    );
    println!("  peak RSS        {peak:.1} MiB (this cycle; the fixture site included)");
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_args().map_err(|e| format!("{e}\n{USAGE}"))?;
    if let Some(base) = &args.warm_up_child {
        return warm_up(base, &args);
    }
    let parent = args.dir.clone().unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&parent)?;
    let work = tempfile::Builder::new()
        .prefix("bench-recheck-")
        .tempdir_in(&parent)?;
    let site = serve(&args)?;
    println!(
        "{} articles in {} sources; measured cycle: {} ‰ edited, {} ‰ gone, validators {}; data dir {}",
        site.pages.len(),
        args.sources,
        args.edited_permille,
        args.gone_permille,
        if args.validators { "on" } else { "off" },
        work.path().display()
    );
    let mut child = Command::new(std::env::current_exe()?);
    child
        .arg("--warm-up-child")
        .arg(&site.base)
        .arg("--dir")
        .arg(work.path())
        .args(["--sources", &args.sources.to_string()])
        .args(["--articles", &args.articles.to_string()]);
    let (code, child_rss) = run_measured(&mut child)?;
    if code != 0 {
        return Err(format!("the warm-up pass failed (exit {code})").into());
    }
    println!("  peak RSS        {child_rss:.1} MiB (warm-up process)");

    let clock = Arc::new(ManualClock::new(start_time()));
    let ingest = Ingest::open_with_clock(
        archive::Archive::open(work.path())?,
        fetch_config(),
        RefreshOptions::default(),
        clock.clone(),
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let sources = sources(&site.base, args.sources);

    clock.set(start_time() + chrono::Duration::minutes(16));
    cycle(
        "baseline cycle (first look at every page)",
        &runtime,
        &ingest,
        &site,
        &sources,
        &args,
        work.path(),
    )?;

    for (i, page) in site.pages.iter().enumerate() {
        // Spread over the sources: a different residue for each kind.
        if i % 1000 < args.edited_permille {
            page.store(EDITED, Ordering::Relaxed);
        } else if (i % 1000) >= 500 && (i % 1000) < 500 + args.gone_permille {
            page.store(GONE, Ordering::Relaxed);
        }
    }
    clock.set(start_time() + chrono::Duration::minutes(61));
    cycle(
        "measured cycle",
        &runtime,
        &ingest,
        &site,
        &sources,
        &args,
        work.path(),
    )?;
    // Work the store defers past the cycle (the search index may lag it by a moment) is done
    // by the time it closes: timed here, so that nothing leaves the measurement unseen.
    let before_close = sizes(work.path());
    let closing = Instant::now();
    ingest.close()?;
    let grown: i64 = sizes(work.path())
        .iter()
        .map(|(name, after)| *after as i64 - before_close.get(name).copied().unwrap_or(0) as i64)
        .sum();
    println!(
        "close (deferred work, e.g. the search index catching up): {:.2} s, {:.1} MiB written",
        closing.elapsed().as_secs_f64(),
        grown as f64 / 1048576.0
    );
    if args.keep {
        eprintln!("kept {}", work.keep().display());
    }
    Ok(())
}
