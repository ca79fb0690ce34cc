//! Shared helpers of the search tests: an archive in a temporary directory that tests fill
//! with records and events, a generator of news-like text (written for these tests), the
//! brute-force oracle, and a small deterministic RNG.
#![allow(dead_code, reason = "each test file uses a different subset")]

use archive::{Archive, StagedVersion, Writer};
use model::{ArticleKey, Capture, EventKind, SourceId};
use newsvault_index as index;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// xorshift64*: deterministic, no dependency.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub(crate) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One stored version, as the oracle sees it.
#[derive(Clone, Debug)]
pub(crate) struct Stored {
    pub(crate) key: String,
    pub(crate) version: u32,
    pub(crate) source: String,
    pub(crate) title: String,
    pub(crate) text: String,
    pub(crate) published_ms: i64,
}

/// An archive being filled by a test.
pub(crate) struct TestArchive {
    pub(crate) tmp: tempfile::TempDir,
    pub(crate) archive: Archive,
    pub(crate) writer: Writer,
    /// Versions per article key, in order.
    pub(crate) versions: BTreeMap<String, Vec<Stored>>,
    /// Articles whose last event was a takedown.
    pub(crate) gone: BTreeSet<String>,
    seconds: u64,
}

impl TestArchive {
    pub(crate) fn new() -> TestArchive {
        let tmp = tempfile::tempdir().unwrap();
        let archive = Archive::open(tmp.path()).unwrap();
        let writer = archive.writer().unwrap();
        TestArchive {
            tmp,
            archive,
            writer,
            versions: BTreeMap::new(),
            gone: BTreeSet::new(),
            seconds: 0,
        }
    }

    pub(crate) fn data(&self) -> &Path {
        self.tmp.path()
    }

    fn capture(
        &mut self,
        source: &str,
        key: &ArticleKey,
        url: &str,
        version: u32,
        event: EventKind,
    ) -> Capture {
        self.seconds += 1;
        let t = 1_700_000_000 + self.seconds;
        Capture {
            seq: 0,
            time: chrono_like(t),
            source: SourceId::new(source).unwrap(),
            key: key.clone(),
            version,
            url: url.into(),
            event,
            status: None,
            final_url: None,
            path: None,
            record_sha256: None,
            body_sha256: None,
            warc_record_id: None,
            via: None,
            origin: None,
            note: None,
            byline: None,
            prev: String::new(),
        }
    }

    /// Stages the next version of the article at `url` with a record written from the parts.
    pub(crate) fn add(
        &mut self,
        source: &str,
        url: &str,
        title: &str,
        body_html: &str,
        published_ms: i64,
    ) -> String {
        let rec = record::Record::compat(published_ms, title, url, body_html);
        let bytes = record::write(&rec);
        self.add_bytes(source, url, bytes)
    }

    /// Stages the next version of the article at `url` with these record bytes.
    pub(crate) fn add_bytes(&mut self, source: &str, url: &str, bytes: Vec<u8>) -> String {
        let parsed = record::parse(&bytes, url).unwrap().record;
        let key = ArticleKey::for_url(url);
        let version = self.versions.get(key.as_str()).map_or(0, Vec::len) as u32 + 1;
        let event = if version == 1 {
            EventKind::New
        } else {
            EventKind::Edited
        };
        let sid = SourceId::new(source).unwrap();
        let published = parsed.published_ms.unwrap_or(1_600_000_000_000);
        let dir = Archive::article_dir(&sid, &key, published);
        let capture = self.capture(source, &key, url, version, event);
        self.writer
            .stage(
                capture,
                Some(StagedVersion {
                    dir: &dir,
                    version,
                    bytes,
                    sha256: None,
                }),
            )
            .unwrap();
        self.versions
            .entry(key.to_string())
            .or_default()
            .push(Stored {
                key: key.to_string(),
                version,
                source: source.to_owned(),
                title: parsed.title.clone(),
                text: clean::text(&parsed.body),
                published_ms: published,
            });
        self.gone.remove(key.as_str());
        key.to_string()
    }

    /// Stages an event without a record (gone, back, unchanged) for the article at `url`.
    pub(crate) fn event(&mut self, source: &str, url: &str, event: EventKind) {
        let key = ArticleKey::for_url(url);
        let version = self.versions.get(key.as_str()).map_or(0, Vec::len) as u32;
        let capture = self.capture(source, &key, url, version, event);
        self.writer.stage(capture, None).unwrap();
        if event == EventKind::Back {
            self.gone.remove(key.as_str());
        } else if event.is_takedown() {
            self.gone.insert(key.to_string());
        }
    }

    pub(crate) fn commit(&mut self) {
        self.writer.commit().unwrap();
    }

    /// The latest version of every article.
    pub(crate) fn latest(&self) -> Vec<&Stored> {
        self.versions.values().filter_map(|v| v.last()).collect()
    }
}

/// RFC 3339 UTC for epoch seconds (the tests avoid a chrono dependency of their own).
fn chrono_like(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Whether folded `hay` contains folded `needle` as search defines it: anywhere for CJK and
/// punctuation, whole words at the ends where the needle begins or ends with a word character.
pub(crate) fn oracle_contains(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let word = index::search::is_word_char;
    let word_start = needle.chars().next().is_some_and(word);
    let word_end = needle.chars().next_back().is_some_and(word);
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let (s, e) = (from + i, from + i + needle.len());
        let before_ok = !word_start || !hay[..s].chars().next_back().is_some_and(word);
        let after_ok = !word_end || !hay[e..].chars().next().is_some_and(word);
        if before_ok && after_ok {
            return true;
        }
        from = s + needle.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// A folded document for the oracle.
pub(crate) struct OracleDoc {
    pub(crate) key: String,
    pub(crate) title: String,
    pub(crate) text: String,
}

pub(crate) fn oracle_docs(docs: &[&Stored]) -> Vec<OracleDoc> {
    docs.iter()
        .map(|d| OracleDoc {
            key: d.key.clone(),
            title: clean::fold(&d.title),
            text: clean::fold(&d.text),
        })
        .collect()
}

/// Keys of the documents that a query of `include` and `exclude` terms hits, by brute force.
pub(crate) fn oracle(
    docs: &[OracleDoc],
    include: &[String],
    exclude: &[String],
) -> BTreeSet<String> {
    let needle = |t: &String| clean::fold(t).trim().to_owned();
    let inc: Vec<String> = include.iter().map(needle).collect();
    let exc: Vec<String> = exclude.iter().map(needle).collect();
    let hit =
        |d: &OracleDoc, n: &String| oracle_contains(&d.title, n) || oracle_contains(&d.text, n);
    docs.iter()
        .filter(|d| inc.iter().all(|n| hit(d, n)) && !exc.iter().any(|n| hit(d, n)))
        .map(|d| d.key.clone())
        .collect()
}

/// A query text with every term quoted (terms must not contain quote characters).
pub(crate) fn query_text(include: &[String], exclude: &[String]) -> String {
    let mut parts: Vec<String> = include.iter().map(|t| format!("\"{t}\"")).collect();
    parts.extend(exclude.iter().map(|t| format!("-\"{t}\"")));
    parts.join(" ")
}

/// Whether `t` can be written as a quoted term of the query language.
pub(crate) fn quotable(t: &str) -> bool {
    !t.contains(['"', '＂', '“', '”']) && !clean::fold(t).trim().is_empty()
}

/// Runs a query through the index and returns the hit keys and the total.
pub(crate) fn search_keys(
    index: &index::SearchIndex,
    text: &str,
    all_versions: bool,
) -> (BTreeSet<String>, u64) {
    let mut q = index::search::Query::new(text);
    q.limit = index::search::MAX_LIMIT;
    q.all_versions = all_versions;
    let r = index
        .search(&q)
        .unwrap_or_else(|e| panic!("query {text:?}: {e}"));
    (r.hits.iter().map(|h| h.key.clone()).collect(), r.total)
}

/// A random substring of 1..=6 characters of `s` (None when `s` is empty).
pub(crate) fn substring(rng: &mut Rng, s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return None;
    }
    let len = 1 + rng.below(6);
    let start = rng.below(chars.len());
    let end = (start + len).min(chars.len());
    Some(chars[start..end].iter().collect())
}

/// `../shared` beside the checkout, or None (after saying so). Absent on CI (`CI=true`) fails.
pub(crate) fn shared_dir(test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{test}: the shared fixtures directory {} is missing; CI must provide it",
            dir.display()
        );
    }
    eprintln!(
        "{test}: skipped: shared fixtures directory {} not found",
        dir.display()
    );
    None
}

// ---- a generator of news-like text (our own words and templates) ----

pub(crate) const PLACES: &[&str] = &[
    "北京",
    "上海",
    "香港",
    "台湾",
    "美国",
    "日本",
    "韩国",
    "欧洲",
    "俄罗斯",
    "乌克兰",
    "广东",
    "深圳",
    "华盛顿",
    "东京",
    "伦敦",
    "巴黎",
    "新加坡",
    "澳门",
];
pub(crate) const ORGS: &[&str] = &[
    "美光科技",
    "国务院",
    "外交部",
    "联合国",
    "世界卫生组织",
    "中国人民银行",
    "华为公司",
    "苹果公司",
    "台积电",
    "欧盟委员会",
    "国会",
    "美光公司",
    "最高法院",
    "统计局",
];
pub(crate) const ROLES: &[&str] = &[
    "总统",
    "总理",
    "发言人",
    "部长",
    "记者",
    "学者",
    "律师",
    "官员",
    "议员",
    "干部",
    "皇后",
];
pub(crate) const VERBS: &[&str] = &[
    "表示", "宣布", "批评", "回应", "发表", "访问", "警告", "否认", "呼吁", "讨论", "发现", "调查",
    "头发", "后面",
];
pub(crate) const TOPICS: &[&str] = &[
    "经济",
    "贸易",
    "关税",
    "疫情",
    "选举",
    "人权",
    "芯片",
    "出口管制",
    "气候变化",
    "新闻自由",
    "完美光影",
    "完美光线",
    "发展",
    "汇率",
    "台风",
    "乾隆年间",
    "著作权",
];
pub(crate) const LATIN: &[&str] = &[
    "Apple", "iPhone", "Reuters", "BBC", "COVID-19", "WHO", "Trump", "Biden", "Micron", "chip",
    "trade", "NASA", "G7", "5G", "AI", "New York", "trumpet", "Chips", "e-mail", "U.S.",
];
pub(crate) const TIMES: &[&str] = &[
    "周一",
    "本周",
    "今年",
    "上个月",
    "2023年",
    "5月26日",
    "昨天",
    "週末",
];

const TEMPLATES: &[&str] = &[
    "{place}{role}{time}{verb}，{org}将就{topic}问题进行{verb}。",
    "据{latin}报道，{place}的{topic}{verb}了。",
    "{org}的{role}在{place}对{latin}说：「{topic}很重要」。",
    "{time}，{place}{org}{verb}{latin} {latin}的{topic}计划；{role}{verb}。",
    "{latin}（{latin}）{verb}{place}{topic}, {latin} and {latin}.",
    "{role}{verb}:{topic}、{topic}与{topic}!",
    "{place} {role} {verb} {topic} {latin}",
];

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            ' ' => '\u{3000}',
            c => c,
        })
        .collect()
}

/// One sentence from the templates.
pub(crate) fn sentence(rng: &mut Rng) -> String {
    let mut out = String::new();
    let mut rest = *rng.pick(TEMPLATES);
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let j = rest[i..].find('}').unwrap() + i;
        let word = match &rest[i + 1..j] {
            "place" => rng.pick(PLACES).to_string(),
            "org" => rng.pick(ORGS).to_string(),
            "role" => rng.pick(ROLES).to_string(),
            "verb" => rng.pick(VERBS).to_string(),
            "topic" => rng.pick(TOPICS).to_string(),
            "time" => rng.pick(TIMES).to_string(),
            "latin" => {
                let w = rng.pick(LATIN).to_string();
                match rng.below(10) {
                    0 => full_width(&w),
                    1 => w.to_uppercase(),
                    2 => w.to_lowercase(),
                    _ => w,
                }
            }
            other => panic!("template word {other}"),
        };
        out.push_str(&word);
        rest = &rest[j + 1..];
    }
    out.push_str(rest);
    out
}

/// A title and an HTML body; about a third in traditional characters.
pub(crate) fn article(rng: &mut Rng) -> (String, String) {
    let traditional = rng.chance(30);
    let conv = |s: String| {
        if traditional {
            clean::to_traditional(&s)
        } else {
            s
        }
    };
    let title = conv(format!(
        "{}{}{}{}",
        rng.pick(PLACES),
        rng.pick(ROLES),
        rng.pick(VERBS),
        rng.pick(TOPICS)
    ));
    let mut body = String::new();
    for _ in 0..1 + rng.below(4) {
        body.push_str("<p>");
        for _ in 0..1 + rng.below(4) {
            let s = conv(sentence(rng));
            // Markup and entities inside the text, as real bodies have.
            let s = s.replacen("，", "，<b>", 1).replacen("。", "</b>。", 1);
            body.push_str(&s.replace('&', "&amp;"));
            if rng.chance(10) {
                body.push_str("<br>");
            }
        }
        body.push_str("</p>");
    }
    (title, body)
}
