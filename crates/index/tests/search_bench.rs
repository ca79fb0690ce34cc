//! End-to-end numbers for the search index, run by hand (prints, asserts nothing):
//! `cargo test --release -p newsvault-index --test search_bench -- --ignored --nocapture`
//! (`NV_BENCH_DOCS` sets the corpus size, default 10,000).
//!
//! Records are written to a temporary archive, then a rebuild indexes them (reading and
//! parsing each record, `clean::text`, folding, both analyzers, commit, merges) and a fixed mixed set
//! of queries runs through `SearchIndex::search` (planning, counting, top 20, snippets).

mod search_support;
use newsvault_index as index;
use search_support::*;

use index::SearchIndex;
use index::search::Query;
use std::time::Instant;

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

#[test]
#[ignore = "a measurement; run by hand with --release --ignored --nocapture"]
fn sync_and_query_numbers() {
    let n: usize = std::env::var("NV_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let mut rng = Rng::new(0xBE7C);
    let mut a = TestArchive::new();
    for i in 0..n {
        let (title, mut body) = article(&mut rng);
        // Longer bodies, closer to real articles (about 1,000 characters).
        for _ in 0..3 {
            body.push_str(&article(&mut rng).1);
        }
        a.add(
            "rfi",
            &format!("https://news.example/{i}"),
            &title,
            &body,
            1_600_000_000_000 + i as i64 * 60_000,
        );
        if i % 2000 == 1999 {
            a.commit();
        }
    }
    a.commit();
    let text_bytes: usize = a
        .latest()
        .iter()
        .map(|d| d.title.len() + d.text.len())
        .sum();
    // A rebuild: one sync over every log, then the segment merges it started.
    let started = Instant::now();
    let index = SearchIndex::rebuild(a.data(), &a.archive).unwrap();
    let took = started.elapsed();
    let size = dir_size(&a.data().join("search"));
    eprintln!(
        "{n} articles, {:.1} MB of text: rebuild {:.0} articles/s, index {:.1} MB ({:.0}% of the text, stored text included)",
        text_bytes as f64 / 1e6,
        n as f64 / took.as_secs_f64(),
        size as f64 / 1e6,
        size as f64 * 100.0 / text_bytes as f64
    );
    let latest = a.latest();
    let mut queries = Vec::new();
    for i in 0..500 {
        let d = rng.pick(&latest);
        let chars: Vec<char> = d.text.chars().collect();
        let len = 1 + i % 6;
        let start = rng.below(chars.len().saturating_sub(len).max(1));
        let t: String = chars[start..(start + len).min(chars.len())]
            .iter()
            .collect();
        if quotable(&t) {
            queries.push(format!("\"{t}\""));
        }
    }
    queries.extend(LATIN.iter().map(|w| format!("\"{w}\"")));
    queries.extend(["美国 总统", "香港 -台湾", "\"New York\" 记者", "量子计算"].map(String::from));
    let _ = index.search(&Query::new("预热")); // jieba and the S/T table load once
    let mut times = Vec::new();
    for q in &queries {
        let t = Instant::now();
        let r = index.search(&Query::new(q.as_str())).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(r);
    }
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    eprintln!(
        "{} queries through search() (top 20 with snippets): p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        p(0.5),
        p(0.9),
        p(0.99),
        times.last().copied().unwrap_or(0.0)
    );
}
