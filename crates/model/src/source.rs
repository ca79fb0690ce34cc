//! Sources: who published what we archive.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The short, stable name of a source (`rfi`, `bbc`, `voa`, ...). It names the source's folder
/// under `archive/`, so it never contains a path separator, `.` or `..` on its own.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SourceId(String);

impl SourceId {
    /// Validates `id` as a folder-safe source name.
    pub fn new(id: impl Into<String>) -> Result<Self, String> {
        let id = id.into();
        let bad = id.is_empty()
            || id == "."
            || id == ".."
            || id.starts_with('.')
            || id.chars().any(|c| c == '/' || c == '\\' || c.is_control());
        if bad {
            Err(format!(
                "invalid source id {id:?}: use a non-empty name without '/', '\\', control characters or a leading '.'"
            ))
        } else {
            Ok(SourceId(id))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the archive keeps about a source in `archive/<source>/source.json`, so that the index
/// can be rebuilt from the archive alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMeta {
    /// The folder name under `archive/`.
    pub id: SourceId,
    /// Display name, e.g. `法广`.
    pub name: String,
    /// Folder names this source had in imported duty-machine trees (`法广`, `rfi`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The duty-machine list file stem (`lists/<list_name>.md`), usually the display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_name: Option<String>,
}

/// One way to reach a source's URLs, as configured (`routes = [...]` in `newsvault.toml`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RouteSpec {
    /// Straight to the origin.
    Direct,
    /// Through an HTTP(S) or SOCKS5 proxy (`http://...`, `socks5h://...`).
    Proxy(String),
    /// The same path and query on a mirror base URL.
    Mirror(String),
}

/// Declarative extraction rules for a source's article pages (CSS selectors).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesSpec {
    /// Hosts the rules apply to; empty means the host of the feed URL.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Selectors of the article's blocks, tried in order.
    #[serde(default)]
    pub content: Vec<String>,
    /// Selectors of blocks to drop from the content.
    #[serde(default)]
    pub drop: Vec<String>,
}

/// A watched source as configured: what to fetch, how often and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceConfig {
    /// The source's id (its folder under `archive/`).
    pub id: SourceId,
    /// Display name, e.g. `法广`.
    pub name: String,
    /// The feed URL.
    pub url: String,
    /// Whether the feed carries the full text (otherwise each item's page is fetched).
    pub full_text: bool,
    /// Minutes between checks of the feed.
    pub interval_minutes: u32,
    /// Routes tried in order; empty means direct.
    pub routes: Vec<RouteSpec>,
    /// Extraction rules for this source's pages, added to the built-in ones.
    pub rules: Option<RulesSpec>,
    /// Disabled sources stay configured (and archived) but are not fetched.
    pub enabled: bool,
    /// Minutes after its capture at which each archived article is re-checked, then every last
    /// step again; `None` means [`SourceConfig::DEFAULT_RECHECK_MINUTES`], an empty list no
    /// re-checks.
    pub recheck_minutes: Option<Vec<u32>>,
}

impl SourceConfig {
    /// Default minutes between checks.
    pub const DEFAULT_INTERVAL_MINUTES: u32 = 30;

    /// Default re-check steps after an article's capture: 15 min, 1 h, 3 h, 1 d, 3 d, 7 d,
    /// 30 d, then every 90 d.
    pub const DEFAULT_RECHECK_MINUTES: [u32; 8] =
        [15, 60, 180, 1440, 3 * 1440, 7 * 1440, 30 * 1440, 90 * 1440];

    /// What the archive records about this source (`source.json`).
    pub fn meta(&self) -> SourceMeta {
        SourceMeta {
            id: self.id.clone(),
            name: self.name.clone(),
            aliases: Vec::new(),
            list_name: None,
        }
    }

    /// The re-check steps that apply (empty: no re-checks).
    pub fn recheck_steps(&self) -> Vec<u32> {
        self.recheck_minutes
            .clone()
            .unwrap_or_else(|| Self::DEFAULT_RECHECK_MINUTES.to_vec())
    }

    /// A direct, enabled source checked every [`Self::DEFAULT_INTERVAL_MINUTES`].
    pub fn new(id: SourceId, name: impl Into<String>, url: impl Into<String>) -> SourceConfig {
        SourceConfig {
            id,
            name: name.into(),
            url: url.into(),
            full_text: false,
            interval_minutes: Self::DEFAULT_INTERVAL_MINUTES,
            routes: Vec::new(),
            rules: None,
            enabled: true,
            recheck_minutes: None,
        }
    }
}
