//! Durability primitives: how bytes become crash-safe on disk.
//!
//! Batches are made durable with `syncfs(2)` on Linux: one call flushes every file and
//! directory of the file system, which is what lets an import of 100,000 records avoid 100,000
//! `fsync`s. Elsewhere we fall back to syncing each file and directory we touched.

use std::fs::File;
use std::path::Path;

/// Flushes the file system holding `any_file` (Linux), or each of `files` and their
/// directories (elsewhere).
pub(crate) fn sync_all(any_file: &Path, files: &[&Path]) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let _ = files;
        use std::os::fd::AsRawFd;
        let f = File::open(any_file)?;
        // SAFETY: `syncfs` only reads the descriptor, which `f` keeps open for the call.
        let rc = unsafe { libc::syncfs(f.as_raw_fd()) };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = any_file;
        let mut dirs = std::collections::BTreeSet::new();
        for path in files {
            File::open(path)?.sync_all()?;
            if let Some(parent) = path.parent() {
                dirs.insert(parent.to_owned());
            }
        }
        for dir in dirs {
            sync_dir(&dir)?;
        }
        Ok(())
    }
}

/// `fsync` of a directory, so that a rename or creation inside it is durable.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Writes `bytes` to `path` atomically: a temporary file in `staging` (a folder on the same
/// file system that the next writer clears, so a crash leaves nothing beside `path`), fsync,
/// rename, fsync of the directory. For single small files (source descriptions); batches use
/// the writer.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], staging: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = staging.join(format!(
        "{}.{}.tmp",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id()
    ));
    let mut f = File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    sync_dir(dir)
}
