//! Measurements behind the analyzer's design, run by hand:
//! `cargo test -p newsvault-index --release --lib measure -- --ignored --nocapture`
//! (`NV_MEASURE_DOCS` sets the corpus size, default 10,000).
//!
//! It indexes one synthetic corpus three ways (exact units only; exact units and CJK bigrams;
//! both plus jieba words) and prints indexing rate, index size and query latency over a fixed
//! mixed query set. Numbers, not assertions: see the report in the search module's history.

use super::analyzer::{EXACT, ExactTokenizer, Unit, WORDS, WordsTokenizer, units};
use super::plan::exact;
use std::time::Instant;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{PhraseQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::{Term, doc};

const VOCAB: &[&str] = &[
    "中国",
    "美国",
    "政府",
    "经济",
    "发展",
    "表示",
    "问题",
    "国家",
    "合作",
    "国际",
    "记者",
    "报道",
    "北京",
    "香港",
    "台湾",
    "日本",
    "俄罗斯",
    "乌克兰",
    "欧洲",
    "联合国",
    "总统",
    "总理",
    "外交部",
    "发言人",
    "会议",
    "举行",
    "宣布",
    "认为",
    "指出",
    "可能",
    "已经",
    "进行",
    "安全",
    "军事",
    "贸易",
    "关税",
    "市场",
    "企业",
    "公司",
    "科技",
    "芯片",
    "美光",
    "华为",
    "苹果",
    "投资",
    "增长",
    "下降",
    "百分之",
    "今年",
    "去年",
    "上个月",
    "周一",
    "周二",
    "昨天",
    "今天",
    "人权",
    "民主",
    "选举",
    "抗议",
    "警方",
    "法院",
    "判决",
    "律师",
    "学生",
    "大学",
    "疫情",
    "病毒",
    "疫苗",
    "医院",
    "气候",
    "变化",
    "能源",
    "石油",
    "天然气",
    "价格",
    "通胀",
    "利率",
    "银行",
    "央行",
    "美元",
    "人民币",
    "出口",
    "进口",
    "制裁",
    "谈判",
    "协议",
    "边境",
    "冲突",
    "战争",
    "和平",
    "导弹",
    "军队",
    "海军",
    "南海",
    "新疆",
    "西藏",
    "媒体",
    "新闻",
    "自由",
    "审查",
    "网络",
    "社交",
    "平台",
    "用户",
    "数据",
    "隐私",
    "人工智能",
    "完美",
    "光影",
    "的",
    "了",
    "在",
    "是",
    "和",
    "对",
    "与",
    "将",
    "也",
    "但",
    "他",
    "她",
    "他们",
    "我们",
    "这",
    "那",
    "一个",
    "没有",
    "不",
    "说",
    "要",
    "会",
    "有",
    "被",
    "把",
    "从",
    "向",
    "为",
];
const LATIN: &[&str] = &[
    "Apple", "Reuters", "BBC", "AI", "G7", "COVID-19", "Trump", "NASA",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Roughly Zipf: small indexes are much more likely.
    fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((n as f64).powf(u) as usize).saturating_sub(1).min(n - 1)
    }
}

fn article(rng: &mut Rng) -> (String, String) {
    let mut title = String::new();
    for _ in 0..4 + rng.next() % 4 {
        title.push_str(VOCAB[rng.zipf(VOCAB.len())]);
    }
    let mut body = String::new();
    let chars = 400 + (rng.next() % 1200) as usize;
    while body.chars().count() < chars {
        for _ in 0..6 + rng.next() % 12 {
            if rng.next().is_multiple_of(25) {
                body.push(' ');
                body.push_str(LATIN[(rng.next() % LATIN.len() as u64) as usize]);
                body.push(' ');
            } else {
                body.push_str(VOCAB[rng.zipf(VOCAB.len())]);
            }
        }
        body.push_str(if rng.next().is_multiple_of(4) {
            "。\n\n"
        } else {
            "，"
        });
    }
    (title, body)
}

#[derive(Clone, Copy, Debug)]
enum Variant {
    Units,
    Bigrams,
    BigramsAndWords,
}

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

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[test]
#[ignore = "a measurement; run by hand with --ignored --nocapture"]
fn measure_analyzer_variants() {
    let n: usize = std::env::var("NV_MEASURE_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let t = Instant::now();
    let _ = clean::fold("國");
    let table = t.elapsed();
    let t = Instant::now();
    let _ = super::analyzer::words("美光");
    eprintln!(
        "first use: S/T character table {:.1} ms, jieba dictionary {:.1} ms",
        table.as_secs_f64() * 1000.0,
        t.elapsed().as_secs_f64() * 1000.0
    );
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let corpus: Vec<(String, String)> = (0..n).map(|_| article(&mut rng)).collect();
    let text_bytes: usize = corpus.iter().map(|(t, b)| t.len() + b.len()).sum();
    // Queries: substrings of the corpus of 1 to 6 characters, plus Latin words and misses.
    let mut queries: Vec<String> = Vec::new();
    for i in 0..600 {
        let (_, body) = &corpus[(rng.next() as usize) % n];
        let chars: Vec<char> = body.chars().filter(|c| !c.is_whitespace()).collect();
        let len = 1 + i % 6;
        let start = (rng.next() as usize) % chars.len().saturating_sub(len).max(1);
        queries.push(
            chars[start..(start + len).min(chars.len())]
                .iter()
                .collect(),
        );
    }
    queries.extend(LATIN.iter().map(|w| w.to_lowercase()));
    queries.extend(["量子", "火星探测器", "xyzzy"].map(String::from));
    eprintln!(
        "corpus: {n} articles, {:.1} MB of text, {} queries",
        text_bytes as f64 / 1e6,
        queries.len()
    );
    for variant in [Variant::Units, Variant::Bigrams, Variant::BigramsAndWords] {
        let tmp = tempfile::tempdir().unwrap();
        let mut b = Schema::builder();
        let exact_opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(EXACT)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let words_opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(WORDS)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let body = b.add_text_field("body", exact_opts);
        let words = b.add_text_field("words", words_opts);
        let index = tantivy::Index::create_in_dir(tmp.path(), b.build()).unwrap();
        index.tokenizers().register(
            EXACT,
            ExactTokenizer {
                units_only: matches!(variant, Variant::Units),
            },
        );
        index.tokenizers().register(WORDS, WordsTokenizer);
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(2, 96 << 20).unwrap();
        let started = Instant::now();
        for (title, text) in &corpus {
            let folded = clean::fold(&format!("{title}\n{text}"));
            let mut d = doc!(body => folded.clone());
            if matches!(variant, Variant::BigramsAndWords) {
                d.add_text(words, &folded);
            }
            writer.add_document(d).unwrap();
        }
        writer.commit().unwrap();
        let indexed = started.elapsed();
        writer.wait_merging_threads().unwrap();
        let reader = index.reader().unwrap();
        let searcher = reader.searcher();
        let mut times = Vec::new();
        let mut hits = 0usize;
        for q in &queries {
            let u: Vec<Unit> = units(&clean::fold(q));
            let query: Box<dyn tantivy::query::Query> = match variant {
                Variant::Units if u.len() > 1 => Box::new(PhraseQuery::new_with_offset(
                    u.iter()
                        .map(|u| (u.position, Term::from_field_text(body, &u.text)))
                        .collect(),
                )),
                Variant::Units => Box::new(TermQuery::new(
                    Term::from_field_text(body, &u[0].text),
                    IndexRecordOption::WithFreqs,
                )),
                _ => exact(body, &u),
            };
            let t = Instant::now();
            let (count, _top) = searcher
                .search(
                    query.as_ref(),
                    &(Count, TopDocs::with_limit(20).order_by_score()),
                )
                .unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            hits += count;
        }
        times.sort_by(f64::total_cmp);
        eprintln!(
            "{variant:?}: {:.0} docs/s, index {:.1} MB ({:.0}% of text), query p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms, {hits} hits",
            n as f64 / indexed.as_secs_f64(),
            dir_size(tmp.path()) as f64 / 1e6,
            dir_size(tmp.path()) as f64 * 100.0 / text_bytes as f64,
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            times.last().copied().unwrap_or(0.0),
        );
    }
}
