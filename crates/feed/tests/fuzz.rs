//! Never panics, on any bytes: mutated fixture feeds through `feed::parse` (bounded cases).
//! proptest keeps failing inputs in `tests/fuzz.proptest-regressions`; commit that file.

use newsvault_feed as feed;
use proptest::prelude::*;
use std::path::Path;

fn fixtures() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/feeds");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/feeds")
        .map(|e| e.expect("dir entry").path())
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| std::fs::read(p).expect("fixture"))
        .collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let snippets: Vec<Vec<u8>> = [
        "<",
        ">",
        "&",
        "&#",
        "</item>",
        "<item>",
        "<![CDATA[",
        "]]>",
        "<!--",
        "\"",
        "\u{feff}",
        "\0",
        "<entry xml:base=\"::\">",
        "&#x110000;",
        "<content type=\"xhtml\"><div>",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), prop::sample::select(snippets)).prop_map(|(i, s)| Mutation::Insert(i, s)),
        (any::<usize>(), 0usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(mut b: Vec<u8>, m: &Mutation) -> Vec<u8> {
    let len = b.len().max(1);
    match m {
        Mutation::Flip(i, v) => {
            if !b.is_empty() {
                b[i % len] ^= v;
            }
        }
        Mutation::Insert(i, s) => {
            let at = i % (b.len() + 1);
            b.splice(at..at, s.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let at = i % len;
            let end = (at + n).min(b.len());
            if at < end {
                b.drain(at..end);
            }
        }
        Mutation::Truncate(i) => b.truncate(i % len),
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics(pick in any::<usize>(), muts in prop::collection::vec(mutation(), 1..8)) {
        let all = fixtures();
        let mut bytes = all[pick % all.len()].clone();
        for m in &muts {
            bytes = apply(bytes, m);
        }
        let _ = feed::parse(&bytes, Some("http://fuzz.example/feed"));
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = feed::parse(&bytes, None);
    }
}
