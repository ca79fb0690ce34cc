//! A small archive for the reader's tests: three sources in different health, an article that
//! was edited (a paragraph changed, one moved, the headline rewritten), one with an archived
//! and an unarchived image, one gone at its source, one moved to a new address, and one whose
//! text shows the 简/繁 conversion (头发 → 頭髮, 干部 → 幹部). Every text is written here.

use super::{Fixture, source};
use index::{CheckOutcome, Index};
use model::EventKind;
use newsvault_web::WebState;

/// 2023-11-10T00:00:00Z, a few days before the fixture's captures; the articles are published a
/// day apart from here.
pub(crate) const PUBLISHED_MS: i64 = 1_699_574_400_000;
const DAY_MS: i64 = 86_400_000;

/// The bytes of a 1×1 PNG (the archived image).
pub(crate) const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xb0, 0xaa, 0xde, 0xff,
    0x1f, 0x00, 0x04, 0xdb, 0x02, 0x74, 0xe5, 0x5e, 0x59, 0x8d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

pub(crate) const BRIDGE_URL: &str = "https://news.example/rfi/2023/harbour-bridge";
pub(crate) const LIBRARY_URL: &str = "https://news.example/rfi/2023/library-hours";
pub(crate) const RIVER_URL: &str = "https://news.example/bbc/2023/river-plan";
pub(crate) const RAIN_URL: &str = "https://news.example/bbc/2023/rain-warning";
pub(crate) const BARBER_URL: &str = "https://news.example/voa/2023/barber-street";

/// The archive, its state, and the keys of its articles.
pub(crate) struct World {
    pub(crate) fixture: Fixture,
    pub(crate) state: WebState,
    /// Edited: two versions.
    pub(crate) bridge: String,
    /// One archived and one unarchived image.
    pub(crate) library: String,
    /// Gone at its source (404).
    pub(crate) river: String,
    /// Moved to a new address.
    pub(crate) rain: String,
    /// 头发, 干部: the 简/繁 probe.
    pub(crate) barber: String,
}

const BRIDGE_V1: &str = "<p>港口新桥今天上午正式通车，全长一千二百米。</p>\
<p>市政府表示，新桥将缩短两岸通勤时间约二十分钟。</p>\
<p>附近居民说，施工期间噪音问题一直没有解决。</p>\
<p>交通部门提醒司机注意新的限速标志。</p>";

const BRIDGE_V2: &str = "<p>交通部门提醒司机注意新的限速标志。</p>\
<p>港口新桥今天上午正式通车，全长一千二百米。</p>\
<p>市政府表示，新桥将缩短两岸通勤时间约三十分钟。</p>\
<p>市长在通车仪式上致辞。</p>";

/// Builds the world in a new data directory.
pub(crate) fn world() -> World {
    let mut f = Fixture::new();
    let bridge = f.add(
        "rfi",
        BRIDGE_URL,
        "港口新桥今日通车",
        BRIDGE_V1,
        PUBLISHED_MS,
    );
    let image = f.asset("https://img.news.example/library.png", PNG, "image/png");
    assert!(image.starts_with("assets/"), "{image}");
    let library = f.add(
        "rfi",
        LIBRARY_URL,
        "市图书馆延长开放时间",
        "<p>市图书馆从下月起每晚开放到十点。</p>\
         <figure><img src=\"https://img.news.example/library.png\" alt=\"图书馆阅览室\">\
         <figcaption>阅览室</figcaption></figure>\
         <p><img src=\"https://cdn.elsewhere.example/reading.jpg\" alt=\"读者\"></p>\
         <p>馆长说，晚间的座位一直供不应求。</p>",
        PUBLISHED_MS + DAY_MS,
    );
    let river = f.add(
        "bbc",
        RIVER_URL,
        "河流治理计划公布",
        "<p>新的河流治理计划将在五年内完成。</p><p>环保团体对计划表示欢迎。</p>",
        PUBLISHED_MS + 2 * DAY_MS,
    );
    let rain = f.add(
        "bbc",
        RAIN_URL,
        "暴雨预警升级",
        "<p>气象台将暴雨预警升级为橙色。</p>",
        PUBLISHED_MS + 3 * DAY_MS,
    );
    let barber = f.add(
        "voa",
        BARBER_URL,
        "老街理发店的干部顾客",
        "<p>这家理发店开了四十年，很多退休干部都来这里理头发。</p>\
         <p>店主说，后面的小巷也要改造了。</p>",
        PUBLISHED_MS + 4 * DAY_MS,
    );
    // Later observations: the bridge story edited, the river story taken down, the rain
    // story moved, one quiet re-check.
    f.add(
        "rfi",
        BRIDGE_URL,
        "港口新桥今日通车，市长出席",
        BRIDGE_V2,
        PUBLISHED_MS,
    );
    f.event("bbc", RIVER_URL, EventKind::Unchanged);
    f.event("bbc", RIVER_URL, EventKind::Gone);
    f.event_with(
        "bbc",
        RAIN_URL,
        EventKind::Moved,
        Some(301),
        Some("https://news.example/bbc/2023/rain-warning-orange"),
        None,
    );
    let state = f.state(vec![
        source("rfi", "法广"),
        source("bbc", "BBC 中文"),
        source("voa", "美国之音"),
    ]);
    let index = Index::open(f.data_dir()).expect("open the index");
    let check = |result| CheckOutcome {
        started: "2023-11-15T02:00:00Z".into(),
        result,
        status: Some(200),
        duration_ms: 12,
        next_due: "2023-11-15T03:00:00Z".into(),
    };
    index
        .record_check("rfi", &check(Ok(2)))
        .expect("record a check");
    index
        .record_check("bbc", &check(Err("connection refused".into())))
        .expect("record a check");
    World {
        fixture: f,
        state,
        bridge,
        library,
        river,
        rain,
        barber,
    }
}
