//! The search index against a brute-force oracle: for thousands of random terms (substrings of
//! the corpus of 1 to 6 characters, in simplified and traditional variants, Latin words, mixed
//! phrases, AND and NOT combinations), the hit set must equal the set of articles whose folded
//! title or folded text contains the folded term (Latin words whole), and `total` its size.
//!
//! What is searched is defined once: the record's title and `clean::text` of its body, folded
//! with `clean::fold`; the oracle computes exactly that from what it stored.

mod search_support;
use newsvault_index as index;
use search_support::*;

use index::SearchIndex;
use model::EventKind;
use std::collections::BTreeSet;

/// A corpus of generated articles with edits and takedowns, an hour apart.
fn generated(seed: u64, articles: usize) -> TestArchive {
    generated_every(seed, articles, 3_600_000)
}

/// [`generated`] with articles `step_ms` apart.
fn generated_every(seed: u64, articles: usize, step_ms: i64) -> TestArchive {
    let mut rng = Rng::new(seed);
    let mut a = TestArchive::new();
    let sources = ["rfi", "bbc", "voa", "dw"];
    for i in 0..articles {
        let source = sources[i % sources.len()];
        let url = format!("https://news.example/{source}/{i}");
        let (title, body) = article(&mut rng);
        a.add(
            source,
            &url,
            &title,
            &body,
            1_600_000_000_000 + i as i64 * step_ms,
        );
        if i % 97 == 0 {
            a.commit();
        }
    }
    a.commit();
    // Edits: a tenth of the articles get a second version, some a third.
    for i in (0..articles).step_by(10) {
        let source = sources[i % sources.len()];
        let url = format!("https://news.example/{source}/{i}");
        for _ in 0..1 + usize::from(i % 30 == 0) {
            let (title, body) = article(&mut rng);
            a.add(
                source,
                &url,
                &title,
                &body,
                1_600_000_000_000 + i as i64 * step_ms,
            );
        }
    }
    for i in (5..articles).step_by(40) {
        let source = sources[i % sources.len()];
        a.event(
            source,
            &format!("https://news.example/{source}/{i}"),
            EventKind::Gone,
        );
    }
    a.commit();
    a
}

/// Terms drawn from the stored texts: substrings as stored, in traditional and in simplified
/// spelling, Latin words in several cases, and phrases mixing both.
fn random_terms(rng: &mut Rng, docs: &[&Stored], n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let d = rng.pick(docs);
        let source = if rng.chance(25) { &d.title } else { &d.text };
        let term = match rng.below(10) {
            0..=5 => {
                let Some(s) = substring(rng, source) else {
                    continue;
                };
                match rng.below(3) {
                    0 => clean::to_traditional(&s),
                    1 => clean::to_simplified(&s),
                    _ => s,
                }
            }
            6 | 7 => {
                let w = rng.pick(LATIN).to_string();
                if rng.chance(50) { w.to_lowercase() } else { w }
            }
            8 => {
                let Some(s) = substring(rng, source) else {
                    continue;
                };
                format!("{} {s}", rng.pick(LATIN))
            }
            _ => {
                // Characters that rarely meet: mostly misses, some hits.
                let a = rng.pick(PLACES).chars().next().unwrap_or('中');
                let b = rng.pick(TOPICS).chars().last().unwrap_or('国');
                format!("{a}{b}")
            }
        };
        if quotable(&term) {
            out.push(term);
        }
    }
    out
}

fn check(index: &SearchIndex, docs: &[OracleDoc], include: &[String], exclude: &[String]) -> usize {
    let text = query_text(include, exclude);
    let want = oracle(docs, include, exclude);
    let (got, total) = search_keys(index, &text, false);
    assert_eq!(
        total as usize,
        want.len(),
        "total for {text:?}: missing {:?}, extra {:?}",
        want.difference(&got).collect::<Vec<_>>(),
        got.difference(&want).collect::<Vec<_>>()
    );
    assert_eq!(got, want, "hits for {text:?}");
    want.len()
}

#[test]
fn generated_corpus_matches_the_oracle() {
    let a = generated(0x5EED_0006, 400);
    let mut index = SearchIndex::open(a.data()).unwrap();
    index.sync(&a.archive).unwrap();
    let latest = a.latest();
    let docs = oracle_docs(&latest);
    let all: Vec<&Stored> = a.versions.values().flatten().collect();
    let mut rng = Rng::new(42);
    let terms = random_terms(&mut rng, &all, 3000);
    let (mut hits, mut empty) = (0, 0);
    for t in &terms {
        let n = check(&index, &docs, std::slice::from_ref(t), &[]);
        hits += n;
        empty += usize::from(n == 0);
        if n == 0 && std::env::var("NV_SHOW_MISSES").is_ok() {
            eprintln!("no hit: {t:?}");
        }
    }
    // AND and NOT combinations.
    for _ in 0..400 {
        let a = rng.pick(&terms).clone();
        let b = rng.pick(&terms).clone();
        if rng.chance(50) {
            check(&index, &docs, &[a, b], &[]);
        } else {
            check(&index, &docs, &[a], &[b]);
        }
    }
    eprintln!(
        "{} terms, {hits} hits in total, {empty} terms without hits",
        terms.len()
    );
    // Many misses are by design: pieces of Latin words and random pairs of characters.
    assert!(empty < terms.len() / 2, "the terms should mostly hit");
}

/// Excluded terms in most documents (which the index excludes through their complement, the
/// documents without them, rather than checking them at each candidate) and in few, with one
/// or two included terms, latest versions and all.
#[test]
fn exclusions_of_terms_in_most_documents_match_the_oracle() {
    let a = generated(0x5EED_0017, 240);
    let mut index = SearchIndex::open(a.data()).unwrap();
    index.sync(&a.archive).unwrap();
    let latest = a.latest();
    let docs = oracle_docs(&latest);
    let all: Vec<&Stored> = a.versions.values().flatten().collect();
    let mut rng = Rng::new(17);
    let share = |t: &String| oracle(&docs, std::slice::from_ref(t), &[]).len() * 100 / docs.len();
    // Single characters and bigrams, the most frequent first.
    let mut common: Vec<(usize, String)> = random_terms(&mut rng, &all, 3000)
        .into_iter()
        .filter(|t| t.chars().count() <= 2 && t.chars().all(index::search::is_cjk))
        .map(|t| (share(&t), t))
        .collect();
    common.sort();
    common.dedup();
    let dense: Vec<String> = common
        .iter()
        .filter(|(s, _)| *s >= 80)
        .map(|(_, t)| t.clone())
        .collect();
    let sparse: Vec<String> = common
        .iter()
        .filter(|(s, _)| *s < 20)
        .map(|(_, t)| t.clone())
        .collect();
    assert!(
        dense.len() >= 5 && sparse.len() >= 5,
        "{} terms in most documents, {} in few",
        dense.len(),
        sparse.len()
    );
    let includes = random_terms(&mut rng, &all, 200);
    let mut hits = 0;
    for (i, include) in includes.iter().enumerate() {
        let mut exclude = vec![rng.pick(&dense).clone()];
        if i % 3 == 0 {
            exclude.push(rng.pick(&sparse).clone());
        }
        let mut include = vec![include.clone()];
        if i % 4 == 0 {
            include.push(rng.pick(&dense).clone());
        }
        hits += check(&index, &docs, &include, &exclude);
    }
    assert!(hits > 0, "some searches should hit");
    // History: every version, with the same exclusions.
    for include in includes.iter().take(60) {
        let exclude = vec![rng.pick(&dense).clone()];
        let text = query_text(std::slice::from_ref(include), &exclude);
        let (got, total) = search_keys(&index, &text, true);
        let (inc, exc) = (clean::fold(include), clean::fold(&exclude[0]));
        let (inc, exc) = (inc.trim(), exc.trim());
        let hit = |d: &&Stored, n: &str| {
            oracle_contains(&clean::fold(&d.title), n) || oracle_contains(&clean::fold(&d.text), n)
        };
        let want: Vec<&&Stored> = all.iter().filter(|d| hit(d, inc) && !hit(d, exc)).collect();
        assert_eq!(total as usize, want.len(), "{text:?} over every version");
        let keys: BTreeSet<String> = want.iter().map(|d| d.key.clone()).collect();
        assert_eq!(got, keys, "{text:?} over every version");
    }
}

#[test]
fn all_versions_search_history() {
    let a = generated(7, 120);
    let mut index = SearchIndex::open(a.data()).unwrap();
    index.sync(&a.archive).unwrap();
    let all: Vec<&Stored> = a.versions.values().flatten().collect();
    let mut rng = Rng::new(9);
    for term in random_terms(&mut rng, &all, 300) {
        let mut q = index::search::Query::new(query_text(std::slice::from_ref(&term), &[]));
        q.all_versions = true;
        q.limit = index::search::MAX_LIMIT;
        let r = index.search(&q).unwrap();
        let got: BTreeSet<(String, u32)> =
            r.hits.iter().map(|h| (h.key.clone(), h.version)).collect();
        let needle = clean::fold(&term).trim().to_owned();
        let want: BTreeSet<(String, u32)> = all
            .iter()
            .filter(|d| {
                oracle_contains(&clean::fold(&d.title), &needle)
                    || oracle_contains(&clean::fold(&d.text), &needle)
            })
            .map(|d| (d.key.clone(), d.version))
            .collect();
        assert_eq!(got, want, "{term:?}");
        assert_eq!(r.total as usize, want.len());
        for h in r.hits.iter() {
            let versions = &a.versions[&h.key];
            assert_eq!(h.latest, h.version as usize == versions.len(), "{}", h.key);
        }
    }
}

#[test]
fn rebuild_reaches_the_same_results_as_incremental_sync() {
    let a = generated(11, 150);
    let mut live = SearchIndex::open(a.data()).unwrap();
    live.sync(&a.archive).unwrap();
    let mut rng = Rng::new(3);
    let all: Vec<&Stored> = a.versions.values().flatten().collect();
    let terms = random_terms(&mut rng, &all, 200);
    let before: Vec<_> = terms
        .iter()
        .map(|t| search_keys(&live, &query_text(std::slice::from_ref(t), &[]), true))
        .collect();
    drop(live);
    let rebuilt = SearchIndex::rebuild(a.data(), &a.archive).unwrap();
    for (t, want) in terms.iter().zip(before) {
        assert_eq!(
            search_keys(&rebuilt, &query_text(std::slice::from_ref(t), &[]), true),
            want,
            "{t:?}"
        );
    }
}

/// The total and the hits (key, version, score) of `q`.
fn page(index: &SearchIndex, q: &index::search::Query) -> (u64, Vec<(String, u32, f32)>) {
    let r = index
        .search(q)
        .unwrap_or_else(|e| panic!("query {:?}: {e}", q.text));
    let hits = r
        .hits
        .iter()
        .map(|h| (h.key.clone(), h.version, h.score))
        .collect();
    (r.total, hits)
}

#[test]
fn searches_cut_into_ranges_give_the_same_pages() {
    let a = generated(0x5EED_0007, 300);
    let mut whole = SearchIndex::open(a.data()).unwrap();
    whole.sync(&a.archive).unwrap();
    // The same index cut into three ranges per segment for every search (a server cuts only
    // costly searches of large segments).
    let mut cut = SearchIndex::open_read_only(a.data()).unwrap();
    cut.split_searches(0, 3);
    whole.split_searches(0, 1);
    let docs = oracle_docs(&a.latest());
    let all: Vec<&Stored> = a.versions.values().flatten().collect();
    let mut rng = Rng::new(7);
    let terms = random_terms(&mut rng, &all, 600);
    let sorted = |index: &SearchIndex, text: &str, sort: index::search::Sort, all: bool| {
        let mut q = index::search::Query::new(text);
        q.limit = 15;
        q.sort = sort;
        q.all_versions = all;
        page(index, &q)
    };
    let mut compared = 0;
    for (i, t) in terms.iter().enumerate() {
        let other = rng.pick(&terms).clone();
        let (include, exclude) = match i % 3 {
            0 => (vec![t.clone()], vec![]),
            1 => (vec![t.clone(), other], vec![]),
            _ => (vec![t.clone()], vec![other]),
        };
        let text = query_text(&include, &exclude);
        let want = oracle(&docs, &include, &exclude);
        for sort in [index::search::Sort::Relevance, index::search::Sort::Date] {
            for all in [false, true] {
                let got = sorted(&cut, &text, sort, all);
                assert_eq!(got, sorted(&whole, &text, sort, all), "{text:?} {sort:?}");
                if !all {
                    assert_eq!(got.0 as usize, want.len(), "total for {text:?}");
                }
                compared += usize::from(got.0 > 1);
            }
        }
    }
    assert!(
        compared > 600,
        "most searches should have hits to order: {compared}"
    );
}

#[test]
fn few_hits_scored_one_by_one_rank_like_the_skipping_search() {
    let a = generated(0x5EED_0008, 300);
    let mut direct = SearchIndex::open(a.data()).unwrap();
    direct.sync(&a.archive).unwrap();
    direct.score_few_hits(usize::MAX);
    let mut skipping = SearchIndex::open_read_only(a.data()).unwrap();
    skipping.score_few_hits(0);
    let all: Vec<&Stored> = a.versions.values().flatten().collect();
    let mut rng = Rng::new(8);
    let terms = random_terms(&mut rng, &all, 400);
    let mut ranked = 0;
    for (i, t) in terms.iter().enumerate() {
        // One term (the searches that skip) with an exclusion or a filter.
        let mut q = match i % 3 {
            0 => index::search::Query::new(query_text(
                std::slice::from_ref(t),
                std::slice::from_ref(rng.pick(&terms)),
            )),
            1 => {
                let mut q = index::search::Query::new(query_text(std::slice::from_ref(t), &[]));
                q.sources = vec![["rfi", "bbc", "voa"][rng.below(3)].to_owned()];
                q
            }
            _ => {
                let mut q = index::search::Query::new(query_text(std::slice::from_ref(t), &[]));
                q.all_versions = true;
                q.gone = Some(false);
                q
            }
        };
        q.limit = 12;
        let (total, got) = page(&direct, &q);
        let (want_total, want) = page(&skipping, &q);
        assert_eq!(total, want_total, "{:?}", q.text);
        let keys = |hits: &[(String, u32, f32)]| -> Vec<(String, u32)> {
            hits.iter().map(|h| (h.0.clone(), h.1)).collect()
        };
        assert_eq!(keys(&got), keys(&want), "order of {:?}", q.text);
        for (g, w) in got.iter().zip(&want) {
            assert!(
                (g.2 - w.2).abs() <= w.2.abs() * 1e-5,
                "{:?}: {g:?} {w:?}",
                q.text
            );
        }
        ranked += usize::from(total > 1);
    }
    assert!(
        ranked > 150,
        "most searches should have hits to order: {ranked}"
    );
}

/// A query of one index term (one or two CJK characters, a Latin word) counts its hits apart
/// and then looks for the page by skipping windows of documents. The same query with a filter
/// that leaves every hit (every source) scores its hits one by one (`score_few_hits`): the
/// pages must agree.
#[test]
fn one_term_searches_find_the_page_that_scoring_every_hit_finds() {
    let a = generated(0x5EED_0009, 600);
    let mut index = SearchIndex::open(a.data()).unwrap();
    index.sync(&a.archive).unwrap();
    index.score_few_hits(usize::MAX);
    let all: Vec<&Stored> = a.versions.values().flatten().collect();
    let mut rng = Rng::new(9);
    let terms: Vec<String> = random_terms(&mut rng, &all, 1_500)
        .into_iter()
        .filter(|t| t.chars().count() <= 2 || t.chars().all(|c| c.is_ascii_alphanumeric()))
        .collect();
    let mut ranked = 0;
    for (i, t) in terms.iter().enumerate() {
        let mut q = index::search::Query::new(query_text(std::slice::from_ref(t), &[]));
        q.limit = [1, 5, 12][i % 3];
        q.offset = i % 4;
        q.all_versions = i % 5 == 0;
        let (total, got) = page(&index, &q);
        q.sources = ["rfi", "bbc", "voa", "dw"].map(str::to_owned).to_vec();
        let (want_total, want) = page(&index, &q);
        assert_eq!(total, want_total, "{t:?}");
        let keys = |hits: &[(String, u32, f32)]| -> Vec<(String, u32)> {
            hits.iter().map(|h| (h.0.clone(), h.1)).collect()
        };
        assert_eq!(keys(&got), keys(&want), "order of {t:?}");
        for (g, w) in got.iter().zip(&want) {
            assert!((g.2 - w.2).abs() <= w.2.abs() * 1e-5, "{t:?}: {g:?} {w:?}");
        }
        ranked += usize::from(total as usize > q.offset + q.limit);
    }
    assert!(
        ranked > 200,
        "most searches should have more hits than their page: {ranked} of {}",
        terms.len()
    );
}

#[test]
fn counting_that_stops_early_finds_the_same_page() {
    // Three days apart: over three years, recency weighs up to its full 10 %, and a window
    // of documents is skipped by the recency of its newest.
    let a = generated_every(0x5EED_0009, 400, 3 * 86_400_000);
    let mut index = SearchIndex::open(a.data()).unwrap();
    index.sync(&a.archive).unwrap();
    // Ranges too: a range that stops counting skips by the best scores of the others.
    let mut cut = SearchIndex::open_read_only(a.data()).unwrap();
    cut.split_searches(0, 3);
    let all: Vec<&Stored> = a.versions.values().flatten().collect();
    let mut rng = Rng::new(9);
    let terms = random_terms(&mut rng, &all, 500);
    let (mut stopped, mut compared) = (0, 0);
    for (i, t) in terms.iter().enumerate() {
        let other = rng.pick(&terms).clone();
        // Several terms, phrases, exclusions, one term; by relevance and newest first.
        let (include, exclude) = match i % 4 {
            0 => (vec![t.clone(), other], vec![]),
            1 => (vec![format!("{t}{other}")], vec![]),
            2 => (vec![t.clone()], vec![other]),
            _ => (vec![t.clone()], vec![]),
        };
        let mut q = index::search::Query::new(query_text(&include, &exclude));
        q.limit = 1 + i % 12;
        q.offset = i % 4;
        if i % 7 < 3 {
            q.sort = index::search::Sort::Date;
        }
        if i % 5 == 0 {
            q.sources = vec!["rfi".to_owned(), "bbc".to_owned()];
        }
        let full = index.search(&q).unwrap();
        assert!(full.total_exact);
        q.count_limit = Some(i % 5);
        for searched in [&index, &cut] {
            let r = searched.search(&q).unwrap();
            let keys = |r: &index::search::SearchResults| -> Vec<(String, u32)> {
                r.hits.iter().map(|h| (h.key.clone(), h.version)).collect()
            };
            assert_eq!(keys(&r), keys(&full), "page of {:?}", q.text);
            for (g, w) in r.hits.iter().zip(full.hits.iter()) {
                assert!(
                    (g.score - w.score).abs() <= w.score.abs() * 1e-5,
                    "{:?}",
                    q.text
                );
            }
            if r.total_exact {
                assert_eq!(r.total, full.total, "{:?}", q.text);
            } else {
                stopped += 1;
                let wanted = (q.offset + q.limit) as u64;
                assert!(r.total <= full.total, "{:?}", q.text);
                assert!(r.total >= wanted.min(full.total), "{:?}", q.text);
            }
            compared += usize::from(full.total as usize > q.offset + q.limit);
        }
    }
    assert!(
        stopped > 100,
        "counting should stop in many searches: {stopped}"
    );
    assert!(
        compared > 200,
        "many searches should have more hits than their page: {compared}"
    );
}

/// The real duty-machine records of the shared fixtures, imported as versions of their URLs.
#[test]
fn shared_records_match_the_oracle() {
    let Some(shared) = shared_dir("shared_records_match_the_oracle") else {
        return;
    };
    let root = shared.join("fixtures/duty-machine/articles");
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(
        files.len() >= 20,
        "expected the shared records under {}",
        root.display()
    );
    let mut a = TestArchive::new();
    for (i, file) in files.iter().enumerate() {
        let bytes = std::fs::read(file).unwrap();
        let Ok(parsed) = record::parse(&bytes, &file.to_string_lossy()) else {
            continue;
        };
        let site = file
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_lowercase();
        let url = parsed
            .record
            .url
            .clone()
            .unwrap_or_else(|| format!("https://unknown.example/{i}"));
        a.add_bytes(&site, &url, bytes);
    }
    a.commit();
    let mut index = SearchIndex::open(a.data()).unwrap();
    index.sync(&a.archive).unwrap();
    let latest = a.latest();
    let docs = oracle_docs(&latest);
    let mut rng = Rng::new(0xD07);
    let mut terms = Vec::new();
    while terms.len() < 2000 {
        let d = rng.pick(&latest);
        let source = if rng.chance(20) { &d.title } else { &d.text };
        let Some(s) = substring(&mut rng, source) else {
            continue;
        };
        let t = match rng.below(4) {
            0 => clean::to_traditional(&s),
            1 => clean::to_simplified(&s),
            2 => {
                // A Latin word of the text, if it has any, else the substring.
                let words: Vec<&str> = source
                    .split(|c: char| !index::search::is_word_char(c))
                    .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
                    .collect();
                if words.is_empty() {
                    s
                } else {
                    rng.pick(&words).to_string()
                }
            }
            _ => s,
        };
        if quotable(&t) {
            terms.push(t);
        }
    }
    let mut hits = 0;
    for t in &terms {
        hits += check(&index, &docs, std::slice::from_ref(t), &[]);
    }
    eprintln!(
        "{} records, {} terms, {hits} hits",
        files.len(),
        terms.len()
    );
}
