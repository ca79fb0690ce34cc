//! Shared helpers for the binary's integration tests: run the real `newsvault` binary.
#![allow(dead_code, reason = "each test file uses a different subset")]

pub(crate) mod daemon;
pub(crate) mod http;
pub(crate) mod site;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_newsvault"));
    cmd.env_remove("NEWSVAULT_DATA").env("RUST_LOG", "warn");
    cmd
}

/// Runs `newsvault --data DATA args...`.
pub(crate) fn nv(data: &Path, args: &[&str]) -> Output {
    bin()
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("run newsvault")
}

pub(crate) fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The team-written fixture tree committed with the project.
pub(crate) fn mini_tree() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/duty-machine-mini")
}

/// `../shared` beside the checkout, when present. On CI (`CI=true`) its absence fails the test.
pub(crate) fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{} is missing: CI must run the tests that read shared fixtures",
            dir.display()
        );
    }
    eprintln!("skipped: {} is not present", dir.display());
    None
}

/// Every file under `root` (relative path → bytes), skipping names in `skip`.
pub(crate) fn tree(root: &Path, skip: &[&str]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if skip.contains(&name.as_str()) {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).expect("read file"));
            }
        }
    }
    out
}

/// Copies a folder tree.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in tree(from, &[]) {
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(dest, bytes).unwrap();
    }
}
