//! Throughput of `feed::parse` and of feed-rs alone, in the same run, over the fixtures and
//! generated large feeds (200 items with full bodies, UTF-8 and GBK). `cargo bench -p newsvault-feed`.

use newsvault_feed as feed;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

fn large_rss(items: usize, encoding: &str) -> Vec<u8> {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>大型频道</title><link>https://big.example.cn/</link><description>基准</description>\n"
    );
    let para = "<p>这是一段用于基准测试的新闻正文，包含中文标点、数字 2025 和 English words, 以及 <a href=\"https://big.example.cn/x\">链接</a>。</p>";
    for i in 0..items {
        let body: String = (0..60).map(|_| para).collect();
        s.push_str(&format!(
            "<item><title>第 {i} 条新闻：测试标题</title><link>https://big.example.cn/a/{i}.html</link><guid>https://big.example.cn/a/{i}.html</guid><pubDate>Tue, 10 Jun 2025 04:00:00 GMT</pubDate><dc:creator>记者{i}</dc:creator><category>国际</category><description>摘要 {i}</description><content:encoded><![CDATA[{body}]]></content:encoded></item>\n"
        ));
    }
    s.push_str("</channel></rss>\n");
    if encoding == "GBK" {
        encoding_rs::GBK.encode(&s).0.into_owned()
    } else {
        s.into_bytes()
    }
}

fn measure(name: &str, corpus: &[Vec<u8>], f: &dyn Fn(&[u8])) {
    let bytes: usize = corpus.iter().map(Vec::len).sum();
    for doc in corpus {
        f(doc);
    }
    let start = Instant::now();
    let mut rounds = 0u32;
    while start.elapsed() < Duration::from_secs(2) || rounds < 3 {
        for doc in corpus {
            f(doc);
        }
        rounds += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let files = corpus.len() as f64 * f64::from(rounds);
    println!(
        "{name:34} {:9.1} files/s {:8.1} MB/s {:8.3} ms/file",
        files / secs,
        bytes as f64 * f64::from(rounds) / secs / 1e6,
        secs * 1e3 / files
    );
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/feeds");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/feeds")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    let fixtures: Vec<Vec<u8>> = names
        .iter()
        .map(|p| std::fs::read(p).expect("fixture"))
        .collect();
    let utf8 = vec![large_rss(200, "UTF-8")];
    let gbk = vec![large_rss(200, "GBK")];
    println!(
        "corpus: {} fixtures ({} KB); large UTF-8 {:.2} MB; large GBK {:.2} MB",
        fixtures.len(),
        fixtures.iter().map(Vec::len).sum::<usize>() / 1024,
        utf8[0].len() as f64 / 1e6,
        gbk[0].len() as f64 / 1e6
    );
    let ours = |b: &[u8]| {
        let _ = black_box(feed::parse(black_box(b), None));
    };
    // feed-rs panics on some inputs; a panic counts as a (slow) failure, not a crash.
    std::panic::set_hook(Box::new(|_| {}));
    let feed_rs = |b: &[u8]| {
        let _ = black_box(std::panic::catch_unwind(|| {
            feed_rs::parser::parse(black_box(b))
        }));
    };
    for (label, corpus) in [
        ("fixtures", &fixtures),
        ("200 items UTF-8", &utf8),
        ("200 items GBK", &gbk),
    ] {
        measure(&format!("newsvault-feed  {label}"), corpus, &ours);
        measure(&format!("feed-rs         {label}"), corpus, &feed_rs);
    }
}
