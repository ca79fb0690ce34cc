//! `cargo bench -p newsvault-extract`: extraction over the whole shared benchmark
//! (`shared/bench/extraction/`) on one core. Prints pages/s (best of several rounds), peak
//! memory (VmHWM), and precision/recall/F1 with the metric of `score.py`.
//!
//! Environment: `NEWSVAULT_BENCH_OUT=DIR` also writes one `<id>.json` prediction per page
//! (for `python3 score.py DIR`); `NEWSVAULT_BENCH_ROUNDS=N` sets the timing rounds (default 5).
//! When `python3` can import trafilatura or readability-lxml, `tools/extract-bench/compare.py`
//! scores them on the same pages in the same run.

#[path = "../tests/common/bench_set.rs"]
mod bench_set;
#[path = "../tests/common/f1.rs"]
mod f1;

use newsvault_extract as extract;
use std::time::Instant;
use url::Url;

fn main() {
    let Some(dir) = bench_set::dir() else {
        println!("shared/bench/extraction not found beside the checkout; nothing to measure");
        return;
    };
    let pages = bench_set::load(&dir);
    let bytes: usize = pages.iter().map(|p| p.html.len()).sum();
    let urls: Vec<Url> = pages
        .iter()
        .map(|p| Url::parse(&p.url).unwrap_or_else(|_| Url::parse("http://localhost/").unwrap()))
        .collect();

    // Quality (one pass).
    let mut counts = Vec::new();
    let out_dir = std::env::var_os("NEWSVAULT_BENCH_OUT").map(std::path::PathBuf::from);
    if let Some(d) = &out_dir {
        std::fs::create_dir_all(d).expect("create NEWSVAULT_BENCH_OUT");
    }
    for (p, url) in pages.iter().zip(&urls) {
        let article = extract::extract(&p.html, url);
        let text = clean::text(&article.html);
        counts.push(f1::page_counts(&p.truth, &text));
        if let Some(d) = &out_dir {
            let doc = serde_json::json!({ "text": text, "url": p.url });
            std::fs::write(d.join(format!("{}.json", p.id)), doc.to_string())
                .expect("write prediction");
        }
    }
    let (precision, recall, f1) = f1::aggregate(&counts);

    // Speed: extraction plus plain text, one thread, best round.
    let rounds: usize = std::env::var("NEWSVAULT_BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    for _ in 0..rounds {
        let start = Instant::now();
        let cpu_start = thread_cpu_seconds();
        for (p, url) in pages.iter().zip(&urls) {
            let article = extract::extract(&p.html, url);
            std::hint::black_box(clean::text(&article.html));
        }
        best = best.min(start.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(thread_cpu_seconds() - cpu_start);
    }
    println!(
        "newsvault-extract on {} pages ({:.1} MB of HTML)",
        pages.len(),
        bytes as f64 / 1e6
    );
    println!("precision {precision:.3}");
    println!("recall {recall:.3}");
    println!("F1 {f1:.3}");
    println!(
        "speed {:.0} pages/s, {:.1} MB/s (one core, best of {rounds})",
        pages.len() as f64 / best,
        bytes as f64 / 1e6 / best
    );
    println!(
        "cpu   {:.0} pages/s by this thread's CPU time (steadier on a loaded machine)",
        pages.len() as f64 / best_cpu
    );
    println!(
        "peak memory {} (VmHWM, pages loaded in memory included)",
        peak_memory()
    );

    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tools/extract-bench/compare.py"
    );
    if std::path::Path::new(script).exists() {
        let status = std::process::Command::new("python3")
            .arg(script)
            .arg(&dir)
            .status();
        if status.is_err() {
            println!("python3 not available: no reference extractors measured");
        }
    }
}

/// CPU time this thread has used, in seconds.
fn thread_cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant Linux knows.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l["VmHWM:".len()..].trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}
