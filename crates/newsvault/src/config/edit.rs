//! Editing the file in place: comments and the layout of untouched parts are kept.

use super::{Config, FILE_NAME, read_text, route_text};
use anyhow::{Context, bail};
use model::SourceConfig;
use std::path::{Path, PathBuf};
use toml_edit::{Item, TableLike, Value};

/// The configuration file opened for editing: its checked [`Config`] and its text as a
/// `toml_edit` document, so that edits keep every comment and the layout of untouched parts.
pub(crate) struct ConfigFile {
    path: PathBuf,
    doc: toml_edit::DocumentMut,
    config: Config,
}

impl ConfigFile {
    /// Opens and checks the file; a missing or invalid file is an error, as for [`Config::load`].
    pub(crate) fn open(path: &Path) -> anyhow::Result<ConfigFile> {
        let text = read_text(path)?;
        let config = Config::parse(&text, &path.display().to_string())?;
        let doc = text
            .strip_prefix('\u{feff}')
            .unwrap_or(&text)
            .parse::<toml_edit::DocumentMut>()
            .with_context(|| format!("cannot edit {}", path.display()))?;
        Ok(ConfigFile {
            path: path.to_owned(),
            doc,
            config,
        })
    }

    /// The configuration as last checked (before any edit not yet saved).
    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    /// The file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Appends a `[[sources]]` table (or an inline table, when the file writes `sources` as an
    /// inline array). Checks happen in [`ConfigFile::save`].
    pub(crate) fn add_source(&mut self, source: &SourceConfig) -> anyhow::Result<()> {
        let mut t = toml_edit::Table::new();
        t["id"] = toml_edit::value(source.id.as_str());
        t["name"] = toml_edit::value(source.name.as_str());
        t["url"] = toml_edit::value(source.url.as_str());
        t["full_text"] = toml_edit::value(source.full_text);
        t["interval"] = toml_edit::value(i64::from(source.interval_minutes));
        if !source.routes.is_empty() {
            let routes: toml_edit::Array = source.routes.iter().map(route_text).collect();
            t["routes"] = toml_edit::value(routes);
        }
        if !source.enabled {
            t["enabled"] = toml_edit::value(false);
        }
        if let Some(rules) = &source.rules {
            let mut r = toml_edit::Table::new();
            for (key, list) in [
                ("hosts", &rules.hosts),
                ("content", &rules.content),
                ("drop", &rules.drop),
            ] {
                if !list.is_empty() {
                    r[key] = toml_edit::value(list.iter().collect::<toml_edit::Array>());
                }
            }
            t["rules"] = Item::Table(r);
        }
        match self.doc.get_mut("sources") {
            None => {
                let mut aot = toml_edit::ArrayOfTables::new();
                aot.push(t);
                self.doc.insert("sources", Item::ArrayOfTables(aot));
            }
            Some(Item::ArrayOfTables(aot)) => aot.push(t),
            Some(Item::Value(Value::Array(array))) => {
                // Lay the new element out like the last one (on its own line, indented).
                let mut v = Value::InlineTable(t.into_inline_table());
                if let Some(prefix) = array
                    .iter()
                    .last()
                    .and_then(|last| last.decor().prefix()?.as_str())
                {
                    v.decor_mut().set_prefix(prefix.to_owned());
                }
                array.push_formatted(v);
            }
            Some(_) => bail!("{}: `sources` is not a list of tables", self.path.display()),
        }
        Ok(())
    }

    /// Removes the source `id`; false when it is not configured. Comments above its
    /// `[[sources]]` header that are separated from it by a blank line are not its own (they
    /// document what follows) and stay; comments directly above it go with it.
    pub(crate) fn remove_source(&mut self, id: &str) -> bool {
        let is_it = |t: &dyn TableLike| t.get("id").and_then(Item::as_str) == Some(id);
        match self.doc.get_mut("sources") {
            Some(Item::ArrayOfTables(aot)) => {
                let Some(i) = aot.iter().position(|t| is_it(t)) else {
                    return false;
                };
                let removed = aot.remove(i);
                let prefix = removed
                    .decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .unwrap_or("");
                let kept = detached_comments(prefix);
                if !kept.is_empty() {
                    if let Some(next) = aot.get_mut(i) {
                        let own = next
                            .decor()
                            .prefix()
                            .and_then(|p| p.as_str())
                            .unwrap_or("\n");
                        // `kept` ends with a blank line already.
                        let joined = format!("{kept}{}", own.trim_start());
                        next.decor_mut().set_prefix(joined);
                    } else {
                        let trailing = self.doc.trailing().as_str().unwrap_or("").to_owned();
                        self.doc
                            .set_trailing(format!("{}\n{trailing}", kept.trim_end_matches('\n')));
                    }
                }
                true
            }
            Some(Item::Value(Value::Array(array))) => {
                let before = array.len();
                array.retain(|v| v.as_inline_table().is_none_or(|t| !is_it(t)));
                array.len() != before
            }
            _ => false,
        }
    }

    /// Checks the edited text as [`Config::load`] would and writes it atomically; returns the
    /// new configuration. Nothing is written when the check fails.
    pub(crate) fn save(&mut self) -> anyhow::Result<&Config> {
        let mut text = self.doc.to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        self.config = Config::parse(&text, &self.path.display().to_string())?;
        write_atomically(&self.path, text.as_bytes())?;
        Ok(&self.config)
    }
}

/// The part of a table's prefix up to and including its last blank line, when it holds a
/// comment: what documents the section rather than the table.
fn detached_comments(prefix: &str) -> String {
    let lines: Vec<&str> = prefix.split_inclusive('\n').collect();
    let Some(last_blank) = lines.iter().rposition(|l| l.trim().is_empty()) else {
        return String::new();
    };
    let head = lines[..=last_blank].concat();
    if head.lines().any(|l| l.trim_start().starts_with('#')) {
        head
    } else {
        String::new()
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so that a crash
/// leaves either the old file or the new one; creates the folder if needed.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path
        .file_name()
        .map_or_else(|| FILE_NAME.into(), |n| n.to_string_lossy());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removing_a_source_keeps_the_comments_above_a_blank_line() {
        assert_eq!(
            detached_comments("\n# about sources\n\n# this one\n"),
            "\n# about sources\n\n"
        );
        assert_eq!(detached_comments("# this one\n"), "");
        assert_eq!(detached_comments("\n"), "");
    }
}
