//! The shared extraction benchmark (`shared/bench/extraction/`): pages and ground truth.

use std::io::Read;
use std::path::PathBuf;

/// One benchmark page.
pub(crate) struct Page {
    /// Page id (file stem).
    pub(crate) id: String,
    /// Page URL.
    pub(crate) url: String,
    /// Raw HTML bytes.
    pub(crate) html: Vec<u8>,
    /// The hand-checked article body.
    pub(crate) truth: String,
}

/// The benchmark folder, if `shared/` is beside the checkout.
pub(crate) fn dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/bench/extraction"
    ));
    dir.join("ground-truth.json").exists().then_some(dir)
}

/// Loads every page of the benchmark in `dir`, sorted by id.
pub(crate) fn load(dir: &std::path::Path) -> Vec<Page> {
    let gt: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("ground-truth.json")).expect("ground truth"),
    )
    .expect("ground truth is JSON");
    let mut pages = Vec::new();
    let map = gt.as_object().expect("ground truth is an object");
    let mut ids: Vec<&String> = map.keys().collect();
    ids.sort();
    for id in ids {
        let entry = &map[id];
        let gz = std::fs::read(dir.join("html").join(format!("{id}.html.gz"))).expect("page file");
        let mut html = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut html)
            .expect("gzip page");
        pages.push(Page {
            id: id.clone(),
            url: entry["url"]
                .as_str()
                .unwrap_or("http://localhost/")
                .to_string(),
            html,
            truth: entry["articleBody"].as_str().unwrap_or("").to_string(),
        });
    }
    pages
}
