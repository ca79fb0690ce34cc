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
