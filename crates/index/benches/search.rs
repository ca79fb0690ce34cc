//! Search benchmark (issue 6): newsvault's search index, SQLite FTS5 with the trigram tokenizer
//! and a brute-force scan, side by side over one deterministic synthetic corpus of Chinese news
//! text (see `search/corpus.rs`) and one fixed mixed query set (`search/queries.rs`).
//!
//! ```text
//! cargo bench -p newsvault-index --bench search -- [--docs N] [--dir D] [--keep]
//!     [--no-fts5] [--no-scan] [--passes P] [--fts5-limit SECONDS]
//! ```
//!
//! - `--docs` articles (default 100000); 5 % of them also get an edited second version, so the
//!   index holds non-latest versions that a default search must skip.
//! - newsvault is measured as it runs: records are written to an archive in a scratch data
//!   directory (`--dir`, default `<target dir>/bench-search/`; not timed as indexing), then
//!   `SearchIndex::rebuild` reads, parses and indexes every record (timed: articles/s). Each query
//!   goes through `SearchIndex::search` (count, top 20 by relevance or date, snippets).
//! - FTS5 gets the same title and text, already folded (folding is not timed for it), inserted
//!   10,000 rows per transaction with journal and syncs off, then `optimize`. A query still
//!   running after `--fts5-limit` seconds (default 10; LIKE scans at a million articles) is
//!   interrupted and counted at that time, so FTS5's percentiles are then lower bounds.
//! - The scan holds the folded text of every latest version in memory and tests each with
//!   `str::find` (the exact rule: Latin terms whole words); its totals are the truth, and the
//!   report says whether newsvault's and FTS5's totals agree with it.
//!
//! Query latency: one warm-up pass, then `--passes` timed passes (default 3) for newsvault, one
//! timed pass for the baselines; wall-clock time, and the CPU time of the process, all threads (a
//! costly search also runs ranges of the index on other threads, so its CPU time can exceed its
//! wall-clock time; on a busy machine the wall clock also counts waiting for a core). Peak RSS is VmHWM of this process, reset before each phase.
//! `--rebuild-only` stops after newsvault's rebuild (for profiling the indexing path);
//! `--no-rebuild` searches the index a `--keep` run left, and `--only TEXT` keeps the queries
//! that contain TEXT (for profiling queries).
//! The scratch directory is removed at the end unless `--keep` (a kept archive is reused by the
//! next run with the same `--docs`). Nothing is asserted.

#[path = "search/corpus.rs"]
mod corpus;
#[path = "search/fts5.rs"]
mod fts5;
#[path = "search/queries.rs"]
mod queries;
#[path = "search/scan.rs"]
mod scan;

use archive::{Archive, StagedVersion};
use corpus::{Article, Corpus};
use index::SearchIndex;
use index::search::{Query, Sort, parse_query};
use model::{ArticleKey, Capture, EventKind, SourceId};
use newsvault_index as index;
use queries::{BenchQuery, CLASSES};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SEED: u64 = 0x6E65_7773_6561_7263;
/// One article in this many gets an edited second version.
const EDIT_EVERY: u64 = 20;
/// The count limit of the web reader's search page (`web::html::search::COUNT_LIMIT`; the API
/// uses one when asked with `count_limit`).
const WEB_COUNT_LIMIT: usize = 200;
/// Records staged per archive commit while writing the corpus.
const RECORDS_PER_COMMIT: usize = 5_000;

struct Args {
    docs: u64,
    dir: Option<PathBuf>,
    keep: bool,
    fts5: bool,
    scan: bool,
    passes: usize,
    /// Only build the archive and rebuild newsvault's index (for profiling the indexing path).
    rebuild_only: bool,
    /// Use the index a kept run left (for profiling queries; the indexing numbers are skipped).
    no_rebuild: bool,
    /// Only the queries whose text contains this (for profiling one kind of query).
    only: Option<String>,
    /// FTS5 queries are interrupted after this long (LIKE scans at a million articles).
    fts5_limit: Duration,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        docs: 100_000,
        dir: None,
        keep: false,
        fts5: true,
        scan: true,
        passes: 3,
        rebuild_only: false,
        no_rebuild: false,
        only: None,
        fts5_limit: Duration::from_secs(10),
    };
    let mut it = std::env::args().skip(1);
    let number = |it: &mut dyn Iterator<Item = String>, name: &str| -> Result<u64, String> {
        let v = it.next().ok_or(format!("{name} needs a value"))?;
        v.parse().map_err(|e| format!("{name} {v}: {e}"))
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--docs" => args.docs = number(&mut it, "--docs")?.max(1),
            "--passes" => args.passes = number(&mut it, "--passes")?.max(1) as usize,
            "--dir" => args.dir = Some(it.next().ok_or("--dir needs a value")?.into()),
            "--keep" => args.keep = true,
            "--no-fts5" => args.fts5 = false,
            "--no-scan" => args.scan = false,
            "--rebuild-only" => args.rebuild_only = true,
            "--no-rebuild" => args.no_rebuild = true,
            "--only" => args.only = Some(it.next().ok_or("--only needs a value")?),
            "--fts5-limit" => {
                args.fts5_limit = Duration::from_secs(number(&mut it, "--fts5-limit")?.max(1));
            }
            "--bench" => {} // appended by `cargo bench`
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

/// One system's numbers.
#[derive(Default)]
struct Row {
    name: &'static str,
    rate: Option<f64>,
    size: Option<u64>,
    times: Vec<(usize, Duration)>,
    /// CPU time of the querying thread per query (what the query cost, whatever else ran).
    cpu: Vec<(usize, Duration)>,
    totals: Vec<Option<u64>>,
    peak_rss: u64,
    note: String,
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(64);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

type Error = Box<dyn std::error::Error>;

fn run(args: &Args) -> Result<(), Error> {
    let parent = args
        .dir
        .clone()
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).with_file_name("bench-search"));
    let work = parent.join(format!("docs-{}", args.docs));
    std::fs::create_dir_all(&work)?;
    let data = work.join("data");
    let result = measure(args, &work, &data);
    if !args.keep {
        let _ = std::fs::remove_dir_all(&work);
    }
    result
}

fn measure(args: &Args, work: &Path, data: &Path) -> Result<(), Error> {
    let n = args.docs;
    println!(
        "search benchmark: {n} articles (+{} edited versions), seed {SEED:#x}, scratch {}",
        n.div_ceil(EDIT_EVERY),
        work.display()
    );
    // ---- the corpus as an archive ----
    let done = work.join("corpus.done");
    let started = Instant::now();
    let corpus = if done.exists() {
        let c = generate(n, None)?;
        println!("corpus: reusing the archive in {}", data.display());
        c
    } else {
        let _ = std::fs::remove_dir_all(data);
        let archive = Archive::open(data)?;
        let c = generate(n, Some(&archive))?;
        std::fs::write(&done, b"")?;
        c
    };
    println!(
        "corpus: {} versions, {:.1} MB of text (title + plain text, UTF-8; {:.0} characters per article), {} in traditional script; prepared in {:.0} s (not part of any number below)",
        corpus.versions,
        corpus.text_bytes as f64 / 1e6,
        corpus.chars as f64 / corpus.versions as f64,
        percent(corpus.traditional, n),
        started.elapsed().as_secs_f64()
    );
    let mut queries = queries::build(&Corpus::new(SEED), &corpus.samples);
    if let Some(only) = &args.only {
        queries.retain(|q| q.text.contains(only.as_str()));
    }
    let parsed: Vec<(Vec<String>, Vec<String>)> = queries
        .iter()
        .map(|q| {
            let p = parse_query(&q.text).expect("benchmark queries parse");
            let fold = |t: &String| clean::fold(t).trim().to_owned();
            (
                p.include.iter().map(fold).collect(),
                p.exclude.iter().map(fold).collect(),
            )
        })
        .collect();
    println!("queries: {} in {} classes", queries.len(), CLASSES.len());

    let mut rows = ours(args, data, &corpus, &queries)?;
    if args.rebuild_only {
        return Ok(());
    }
    if args.fts5 {
        rows.push(fts5_row(n, work, &queries, &parsed, args.fts5_limit)?);
    }
    if args.scan {
        rows.push(scan_row(n, &queries, &parsed)?);
    }
    report(&rows, &queries, corpus.text_bytes);
    Ok(())
}

/// What generating the corpus found out.
struct Generated {
    versions: u64,
    text_bytes: u64,
    chars: u64,
    traditional: u64,
    samples: Vec<Article>,
}

/// Generates the corpus; with an archive, writes every version as a record with its capture.
fn generate(n: u64, archive: Option<&Archive>) -> Result<Generated, Error> {
    let mut corpus = Corpus::new(SEED);
    let mut writer = archive.map(Archive::writer).transpose()?;
    let mut g = Generated {
        versions: 0,
        text_bytes: 0,
        chars: 0,
        traditional: 0,
        samples: Vec::new(),
    };
    let sample_every = (n / 300).max(1);
    for i in 0..n {
        let article = corpus.next_article();
        let edited = edit(&article, i);
        for (version, a) in std::iter::once(&article).chain(edited.as_ref()).enumerate() {
            let text = a.text();
            g.versions += 1;
            g.text_bytes += (a.title.len() + text.len()) as u64;
            g.chars += (a.title.chars().count() + text.chars().count()) as u64;
            if let Some(w) = writer.as_mut() {
                stage(w, a, i, version as u32 + 1)?;
                if w.pending() >= RECORDS_PER_COMMIT {
                    w.commit()?;
                }
            }
        }
        if article
            .title
            .chars()
            .any(|c| clean::simplified_char(c) != c)
        {
            g.traditional += 1;
        }
        if i < 50 && writer.is_some() {
            // What the index will see is clean::text of the record's body: check it is `text()`.
            let html = article.html();
            if clean::text(&html) != article.text() {
                eprintln!("warning: clean::text differs from the generator's text for article {i}");
            }
        }
        if i % sample_every == 0 {
            g.samples.push(edited.unwrap_or(article));
        }
    }
    if let Some(w) = writer.as_mut() {
        w.commit()?;
    }
    Ok(g)
}

/// The edited second version of every [`EDIT_EVERY`]th article: one paragraph more.
fn edit(a: &Article, i: u64) -> Option<Article> {
    if i % EDIT_EVERY != EDIT_EVERY - 1 {
        return None;
    }
    let mut paragraphs = a.paragraphs.clone();
    paragraphs.push(format!(
        "更正：本文{}已更新。",
        a.paragraphs[0].chars().take(12).collect::<String>()
    ));
    Some(Article {
        title: a.title.clone(),
        paragraphs,
        published_ms: a.published_ms,
        source: a.source,
    })
}

fn url(a: &Article, i: u64) -> String {
    format!("https://news.example/{}/{i}", a.source)
}

fn stage(w: &mut archive::Writer, a: &Article, i: u64, version: u32) -> Result<(), Error> {
    let url = url(a, i);
    let key = ArticleKey::for_url(&url);
    let source = SourceId::new(a.source)?;
    let dir = Archive::article_dir(&source, &key, a.published_ms);
    let rec = record::Record::compat(a.published_ms, &a.title, &url, &a.html());
    let captured =
        chrono::DateTime::from_timestamp_millis(a.published_ms + 600_000 * i64::from(version))
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let capture = Capture {
        seq: 0,
        time: captured,
        source,
        key,
        version,
        url,
        event: if version == 1 {
            EventKind::New
        } else {
            EventKind::Edited
        },
        status: Some(200),
        final_url: None,
        path: None,
        record_sha256: None,
        body_sha256: None,
        warc_record_id: None,
        via: Some("bench".into()),
        origin: None,
        note: None,
        byline: None,
        prev: String::new(),
    };
    w.stage(
        capture,
        Some(StagedVersion {
            dir: &dir,
            version,
            bytes: record::write(&rec),
            sha256: None,
        }),
    )?;
    Ok(())
}

// ---- newsvault ----

fn ours(
    args: &Args,
    data: &Path,
    corpus: &Generated,
    queries: &[BenchQuery],
) -> Result<Vec<Row>, Error> {
    let archive = Archive::open(data)?;
    reset_peak_rss();
    let cpu = cpu_seconds();
    let started = Instant::now();
    let index = if args.no_rebuild {
        let mut index = SearchIndex::open(data)?;
        index.sync(&archive)?;
        index
    } else {
        SearchIndex::rebuild(data, &archive)?
    };
    let took = started.elapsed();
    let cpu = cpu_seconds() - cpu;
    let size = dir_size(index.dir());
    println!(
        "newsvault: {} of {} versions in {:.1} s ({:.0} versions/s), {:.1} CPU-s ({:.0} versions per CPU-second), load average {}, index {:.1} MB",
        if args.no_rebuild { "sync" } else { "rebuild" },
        index.num_docs(),
        took.as_secs_f64(),
        corpus.versions as f64 / took.as_secs_f64(),
        cpu,
        corpus.versions as f64 / cpu,
        load_average(),
        size as f64 / 1e6
    );
    print_space(index.dir());
    if args.rebuild_only {
        return Ok(Vec::new());
    }
    let mut row = Row {
        name: "newsvault (tantivy)",
        rate: (!args.no_rebuild).then(|| corpus.versions as f64 / took.as_secs_f64()),
        size: Some(size),
        note: "rebuild from records: read, parse, clean::text, fold, index, merge".into(),
        ..Row::default()
    };
    let run = |q: &BenchQuery, count_limit: Option<usize>| -> Result<Option<u64>, Error> {
        let mut query = Query::new(q.text.as_str());
        query.limit = 20;
        query.count_limit = count_limit;
        if q.by_date {
            query.sort = Sort::Date;
        }
        let r = std::hint::black_box(index.search(&query)?);
        Ok(r.total_exact.then_some(r.total))
    };
    for q in queries {
        run(q, None)?; // warm-up: jieba, the S/T table, the page cache
    }
    let mut limited = Row {
        name: "newsvault, page count",
        note: format!(
            "as the web reader's search page: hits counted up to {WEB_COUNT_LIMIT}, then only those that can enter the page are scored (totals above that are lower bounds, not compared)"
        ),
        totals: vec![None; queries.len()],
        ..Row::default()
    };
    row.totals = vec![None; queries.len()];
    for _ in 0..args.passes {
        for (i, q) in queries.iter().enumerate() {
            // Alternating, so that both see the machine alike.
            for (r, limit) in [(&mut row, None), (&mut limited, Some(WEB_COUNT_LIMIT))] {
                let (c, t) = (query_cpu(), Instant::now());
                let total = run(q, limit)?;
                r.times.push((i, t.elapsed()));
                r.cpu.push((i, query_cpu() - c));
                if total.is_some() {
                    r.totals[i] = total;
                }
            }
        }
    }
    row.peak_rss = peak_rss();
    limited.peak_rss = row.peak_rss;
    if !args.no_rebuild {
        prep_rates(&archive, data)?;
    }
    Ok(vec![row, limited])
}

/// What the indexing path costs before tantivy sees a document, on one thread, over the first
/// records: reading and parsing the record, `clean::text`, folding, and jieba on the folded text.
fn prep_rates(archive: &Archive, data: &Path) -> Result<(), Error> {
    let mut paths = Vec::new();
    for meta in archive.sources()? {
        for line in archive::read_log(archive, &meta.id)? {
            if let Some(p) = line?.capture.path {
                paths.push(p);
            }
            if paths.len() >= 5_000 {
                break;
            }
        }
    }
    let jieba = jieba_rs::Jieba::new();
    let (mut read, mut text, mut fold, mut words) = (
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
    );
    for p in &paths {
        let t = Instant::now();
        let bytes = std::fs::read(data.join(p))?;
        let rec = record::parse(&bytes, p)?.record;
        read += t.elapsed();
        let t = Instant::now();
        let plain = clean::text(&rec.body);
        text += t.elapsed();
        let t = Instant::now();
        let folded = (clean::fold(&rec.title), clean::fold(&plain));
        fold += t.elapsed();
        let t = Instant::now();
        std::hint::black_box((jieba.cut(&folded.0, false), jieba.cut(&folded.1, false)));
        words += t.elapsed();
    }
    let per = |d: Duration| paths.len() as f64 / d.as_secs_f64();
    println!(
        "newsvault: per stage on one thread ({} records): read+parse {:.0}/s, clean::text {:.0}/s, fold {:.0}/s, jieba {:.0}/s",
        paths.len(),
        per(read),
        per(text),
        per(fold),
        per(words)
    );
    Ok(())
}

/// Where the bytes of the index go, per component and field (tantivy's space usage).
fn print_space(dir: &Path) {
    let usage = tantivy::Index::open_in_dir(dir)
        .and_then(|i| i.reader())
        .map_err(std::io::Error::other)
        .and_then(|r| r.searcher().space_usage());
    let usage = match usage {
        Ok(u) => u,
        Err(e) => {
            eprintln!("warning: no space usage for {}: {e}", dir.display());
            return;
        }
    };
    let mut per: std::collections::BTreeMap<String, [u64; 3]> = Default::default();
    let mut store = 0u64;
    for segment in usage.segments() {
        for (i, component) in [segment.termdict(), segment.postings(), segment.positions()]
            .into_iter()
            .enumerate()
        {
            for field in component.fields() {
                per.entry(field.field_name().to_owned()).or_default()[i] +=
                    field.total().get_bytes();
            }
        }
        store += segment.store().total().get_bytes();
    }
    let mb = |b: u64| b as f64 / 1e6;
    let line = per
        .iter()
        .filter(|(_, v)| v.iter().sum::<u64>() > 0)
        .map(|(f, [t, p, q])| format!("{f} {:.1}/{:.1}/{:.1}", mb(*t), mb(*p), mb(*q)))
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "newsvault: index MB by field (terms/postings/positions): {line}; stored fields {:.1}; {} segments",
        mb(store),
        usage.segments().len()
    );
}

// ---- baselines ----

fn fts5_row(
    n: u64,
    work: &Path,
    queries: &[BenchQuery],
    parsed: &[(Vec<String>, Vec<String>)],
    limit: Duration,
) -> Result<Row, Error> {
    let path = work.join("fts5.sqlite");
    reset_peak_rss();
    let mut db = fts5::Fts5::create(&path)?;
    let mut generator = Corpus::new(SEED);
    let mut inserting = Duration::ZERO;
    let mut versions = 0u64;
    for i in 0..n {
        let article = generator.next_article();
        let edited = edit(&article, i);
        let all: Vec<&Article> = std::iter::once(&article).chain(edited.as_ref()).collect();
        for (v, a) in all.iter().enumerate() {
            let title = clean::fold(&a.title);
            let body = clean::fold(&a.text());
            let t = Instant::now();
            db.add(&title, &body, a.published_ms, v + 1 == all.len())?;
            inserting += t.elapsed();
            versions += 1;
        }
    }
    let t = Instant::now();
    db.finish()?;
    let optimize = t.elapsed();
    inserting += optimize;
    let size = std::fs::metadata(&path)?.len();
    println!(
        "fts5: {versions} versions inserted and optimized in {:.1} s (optimize {:.1} s), database {:.1} MB",
        inserting.as_secs_f64(),
        optimize.as_secs_f64(),
        size as f64 / 1e6
    );
    let mut row = Row {
        name: "SQLite FTS5 trigram",
        rate: Some(versions as f64 / inserting.as_secs_f64()),
        size: Some(size),
        totals: vec![None; queries.len()],
        ..Row::default()
    };
    let (mut like, mut interrupted) = (0, 0);
    for (i, (q, (inc, exc))) in queries.iter().zip(parsed).enumerate() {
        let (c, t) = (query_cpu(), Instant::now());
        let hits = db.search(inc, exc, q.by_date, limit)?;
        row.times.push((i, t.elapsed()));
        row.cpu.push((i, query_cpu() - c));
        row.totals[i] = hits.total;
        like += usize::from(hits.like);
        interrupted += usize::from(hits.total.is_none());
    }
    row.peak_rss = peak_rss();
    row.note = format!(
        "insert of pre-folded text + optimize; {like} of {} queries have a 1-2 character term, which trigram cannot MATCH: those use LIKE (a full scan); trigram and LIKE match substrings, so terms that start or end with a letter or digit also hit inside longer words{}",
        queries.len(),
        if interrupted > 0 {
            format!(
                "; {interrupted} queries interrupted at {} s (counted at that time: lower bounds)",
                limit.as_secs()
            )
        } else {
            String::new()
        }
    );
    drop(db);
    let _ = std::fs::remove_file(&path);
    Ok(row)
}

fn scan_row(
    n: u64,
    queries: &[BenchQuery],
    parsed: &[(Vec<String>, Vec<String>)],
) -> Result<Row, Error> {
    reset_peak_rss();
    let mut generator = Corpus::new(SEED);
    let mut s = scan::Scan::default();
    for i in 0..n {
        let article = generator.next_article();
        let latest = edit(&article, i).unwrap_or(article);
        s.add(
            clean::fold(&latest.title),
            clean::fold(&latest.text()),
            latest.published_ms,
        );
    }
    let mut row = Row {
        name: "brute-force scan",
        totals: vec![None; queries.len()],
        note: format!(
            "folded latest versions in memory ({:.1} MB), str::find per document",
            s.bytes() as f64 / 1e6
        ),
        ..Row::default()
    };
    for (i, (inc, exc)) in parsed.iter().enumerate() {
        let (c, t) = (query_cpu(), Instant::now());
        row.totals[i] = Some(s.search(inc, exc));
        row.times.push((i, t.elapsed()));
        row.cpu.push((i, query_cpu() - c));
    }
    row.peak_rss = peak_rss();
    Ok(row)
}

// ---- the report ----

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(times: &[(usize, Duration)], filter: impl Fn(usize) -> bool) -> Vec<f64> {
    let mut v: Vec<f64> = times
        .iter()
        .filter(|(i, _)| filter(*i))
        .map(|(_, d)| d.as_secs_f64() * 1000.0)
        .collect();
    v.sort_by(f64::total_cmp);
    v
}

fn report(rows: &[Row], queries: &[BenchQuery], text_bytes: u64) {
    println!();
    println!(
        "{:<22} {:>11} {:>9} {:>7} {:>9} {:>9} {:>9} {:>13} {:>9}",
        "",
        "versions/s",
        "size MB",
        "% text",
        "p50 ms",
        "p99 ms",
        "max ms",
        "cpu p50/p99",
        "peak RSS"
    );
    for r in rows {
        let t = ms(&r.times, |_| true);
        let c = ms(&r.cpu, |_| true);
        println!(
            "{:<22} {:>11} {:>9} {:>7} {:>9.2} {:>9.2} {:>9.2} {:>13} {:>6.0} MB",
            r.name,
            r.rate.map_or("-".into(), |v| format!("{v:.0}")),
            r.size
                .map_or("-".into(), |v| format!("{:.1}", v as f64 / 1e6)),
            // One decimal: the target is "under 100 %", and 99.5 % must not print as 100 %.
            r.size.map_or("-".into(), |v| format!(
                "{:.1}%",
                v as f64 * 100.0 / text_bytes as f64
            )),
            percentile(&t, 0.5),
            percentile(&t, 0.99),
            t.last().copied().unwrap_or(f64::NAN),
            format!("{:.2}/{:.2}", percentile(&c, 0.5), percentile(&c, 0.99)),
            r.peak_rss as f64 / 1e6,
        );
    }
    for r in rows {
        if !r.note.is_empty() {
            println!("  {}: {}", r.name, r.note);
        }
    }
    println!();
    print!("{:<22}", "p50 / max (cpu max) ms");
    for r in rows {
        print!(" {:>32}", r.name);
    }
    println!();
    for class in CLASSES {
        let count = queries.iter().filter(|q| q.class == *class).count();
        print!("{:<22}", format!("{class} ({count})"));
        for r in rows {
            let t = ms(&r.times, |i| queries[i].class == *class);
            let c = ms(&r.cpu, |i| queries[i].class == *class);
            print!(
                " {:>32}",
                format!(
                    "{:.2} / {:.2} (cpu {:.2})",
                    percentile(&t, 0.5),
                    t.last().copied().unwrap_or(f64::NAN),
                    c.last().copied().unwrap_or(f64::NAN)
                )
            );
        }
        println!();
    }
    // Totals against the scan (the exact answer), when it ran.
    if let Some(truth) = rows.iter().find(|r| r.name == "brute-force scan") {
        println!();
        for r in rows.iter().filter(|r| r.name != truth.name) {
            let answered = r.totals.iter().filter(|t| t.is_some()).count();
            let differ: Vec<usize> = (0..queries.len())
                .filter(|&i| r.totals[i].is_some() && r.totals[i] != truth.totals[i])
                .collect();
            println!(
                "{}: totals equal to the scan for {} of {} queries answered{}",
                r.name,
                answered - differ.len(),
                answered,
                if differ.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; differ: {}",
                        differ
                            .iter()
                            .take(8)
                            .map(|&i| format!(
                                "{} ({} vs {})",
                                queries[i].text,
                                r.totals[i].unwrap_or(0),
                                truth.totals[i].unwrap_or(0)
                            ))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            );
        }
    }
    for r in rows.iter().filter(|r| r.name.starts_with("newsvault")) {
        let mut per: Vec<(f64, usize)> = r
            .times
            .iter()
            .map(|(i, d)| (d.as_secs_f64() * 1000.0, *i))
            .collect();
        per.sort_by(|a, b| b.0.total_cmp(&a.0));
        per.dedup_by_key(|p| p.1);
        println!(
            "{} slowest: {}",
            r.name,
            per.iter()
                .take(5)
                .map(|(t, i)| format!(
                    "{}{} {:.1} ms ({} hits)",
                    queries[*i].text,
                    if queries[*i].by_date { " [date]" } else { "" },
                    t,
                    r.totals[*i].map_or(format!("{WEB_COUNT_LIMIT}+"), |n| n.to_string())
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}

fn percent(part: u64, whole: u64) -> String {
    format!("{:.0}%", part as f64 * 100.0 / whole.max(1) as f64)
}

// ---- measuring helpers ----

/// Peak resident set size of this process (VmHWM), in bytes.
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// CPU time of this process so far (all threads: a costly search also runs ranges of the
/// index on other threads; nothing else runs while the queries are timed).
fn query_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) } == 0;
    if !ok {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// CPU time (user + system, all threads) of this process so far, in seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second).
    (ticks(11) + ticks(12)) / 100.0
}

/// The 1-minute load average: how contended the machine was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_default()
}

/// Resets VmHWM to the current RSS (Linux: writing 5 to clear_refs), so each phase has its own
/// peak.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn dir_size(path: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![path.to_owned()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(m) = e.metadata() else { continue };
            if m.is_dir() {
                stack.push(e.path());
            } else {
                total += m.len();
            }
        }
    }
    total
}
