//! The source list of a running `run` or `serve`, kept in step with the configuration file.
//!
//! One list is shared by the web server (what it reports, what admin may refresh) and the
//! daemon's scheduler (what it checks, read again every tick). It changes in two ways: an admin
//! edit (`POST`/`DELETE /api/v1/sources`) changes the file and then the list; a reload (SIGHUP,
//! after the file was edited by hand) reads the file into the list. Both run under one lock, so a
//! reload cannot publish a file it read before an edit saved it. Only `[[sources]]` is live:
//! `[server]` and `[fetch]` are read at start.

use super::{Config, ConfigFile};
use model::SourceConfig;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// The configuration file and the source list published from it.
pub(crate) struct LiveSources {
    file: PathBuf,
    list: Arc<RwLock<Vec<SourceConfig>>>,
    /// One change (edit or reload) at a time.
    changing: Mutex<()>,
}

/// What a reload changed, by source id.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Reloaded {
    pub(crate) added: Vec<String>,
    pub(crate) removed: Vec<String>,
    /// Still configured, with some setting changed (URL, interval, enabled, ...).
    pub(crate) changed: Vec<String>,
}

impl LiveSources {
    /// The list `sources`, as read from `file` at start.
    pub(crate) fn new(file: &Path, sources: Vec<SourceConfig>) -> Arc<LiveSources> {
        Arc::new(LiveSources {
            file: file.to_owned(),
            list: Arc::new(RwLock::new(sources)),
            changing: Mutex::new(()),
        })
    }

    /// The configuration file.
    pub(crate) fn file(&self) -> &Path {
        &self.file
    }

    /// The shared list, for the web state and the scheduler.
    pub(crate) fn handle(&self) -> Arc<RwLock<Vec<SourceConfig>>> {
        Arc::clone(&self.list)
    }

    /// The configured source `id`, as published now.
    pub(crate) fn get(&self, id: &str) -> Option<SourceConfig> {
        let list = match self.list.read() {
            Ok(list) => list,
            Err(poisoned) => poisoned.into_inner(),
        };
        list.iter().find(|s| s.id.as_str() == id).cloned()
    }

    /// Runs `edit` on the configuration file as it is now, saves it (comments kept), and
    /// publishes the saved source list. `failed` turns a read or write error into `E`.
    pub(crate) fn edit<E>(
        &self,
        edit: impl FnOnce(&mut ConfigFile) -> Result<(), E>,
        failed: impl Fn(anyhow::Error) -> E,
    ) -> Result<(), E> {
        let _one_at_a_time = lock(&self.changing);
        let mut file = ConfigFile::open(&self.file).map_err(&failed)?;
        edit(&mut file)?;
        let sources = file.save().map_err(&failed)?.sources.clone();
        self.publish(sources);
        Ok(())
    }

    /// Reads the configuration file again and publishes its sources. A file that does not load
    /// is an error and leaves the list as it was.
    pub(crate) fn reload(&self) -> anyhow::Result<Reloaded> {
        let _one_at_a_time = lock(&self.changing);
        let sources = Config::load(&self.file)?.sources;
        let before = match self.list.read() {
            Ok(list) => list.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let mut what = Reloaded::default();
        for s in &sources {
            match before.iter().find(|b| b.id == s.id) {
                None => what.added.push(s.id.to_string()),
                Some(b) if b != s => what.changed.push(s.id.to_string()),
                Some(_) => {}
            }
        }
        what.removed = before
            .iter()
            .filter(|b| !sources.iter().any(|s| s.id == b.id))
            .map(|b| b.id.to_string())
            .collect();
        self.publish(sources);
        Ok(what)
    }

    fn publish(&self, sources: Vec<SourceConfig>) {
        // Replacing the list is one move, so a poisoned lock still holds a whole list.
        match self.list.write() {
            Ok(mut list) => *list = sources,
            Err(poisoned) => *poisoned.into_inner() = sources,
        }
    }
}

fn lock(m: &Mutex<()>) -> std::sync::MutexGuard<'_, ()> {
    match m.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: &str = "# my sources\n\
        [[sources]]\nid = \"rfi\"\nname = \"法广\"\nurl = \"http://127.0.0.1:9/rfi.xml\"\n\n\
        [[sources]]\nid = \"voa\"\nname = \"美国之音\"\nurl = \"http://127.0.0.1:9/voa.xml\"\n";

    fn live(dir: &Path) -> Arc<LiveSources> {
        let file = dir.join("newsvault.toml");
        std::fs::write(&file, START).unwrap();
        LiveSources::new(&file, Config::load(&file).unwrap().sources)
    }

    fn ids(live: &LiveSources) -> Vec<String> {
        let list = live.handle();
        let list = list.read().unwrap();
        list.iter().map(|s| s.id.to_string()).collect()
    }

    #[test]
    fn a_reload_publishes_the_file_and_says_what_changed() {
        let dir = tempfile::tempdir().unwrap();
        let live = live(dir.path());
        let edited = START.replace("voa", "dw").replace("rfi.xml", "rfi2.xml");
        std::fs::write(live.file(), edited).unwrap();
        let what = live.reload().unwrap();
        assert_eq!(what.added, ["dw"]);
        assert_eq!(what.removed, ["voa"]);
        assert_eq!(what.changed, ["rfi"]);
        assert_eq!(ids(&live), ["rfi", "dw"]);
        assert_eq!(live.get("rfi").unwrap().url, "http://127.0.0.1:9/rfi2.xml");
    }

    #[test]
    fn a_file_that_does_not_load_keeps_the_list() {
        let dir = tempfile::tempdir().unwrap();
        let live = live(dir.path());
        std::fs::write(live.file(), "[[sources]]\nid = \"rfi\"\nbogus = 1\n").unwrap();
        let e = live.reload().unwrap_err();
        assert!(format!("{e:#}").contains("bogus"), "{e:#}");
        assert_eq!(ids(&live), ["rfi", "voa"]);
    }

    #[test]
    fn an_edit_saves_the_file_with_its_comments_and_publishes_it() {
        let dir = tempfile::tempdir().unwrap();
        let live = live(dir.path());
        live.edit(
            |file| {
                file.remove_source("voa");
                Ok::<(), anyhow::Error>(())
            },
            |e| e,
        )
        .unwrap();
        assert_eq!(ids(&live), ["rfi"]);
        let text = std::fs::read_to_string(live.file()).unwrap();
        assert!(text.starts_with("# my sources\n"), "{text}");
        assert!(!text.contains("voa"), "{text}");
    }
}
