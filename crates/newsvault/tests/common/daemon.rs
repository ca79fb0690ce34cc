//! A running `newsvault run` and waiting on it.

use super::bin;
use super::http::get;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A running `newsvault run`, killed if the test fails before it stops.
pub(crate) struct Daemon {
    pub(crate) child: Child,
    log: PathBuf,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    pub(crate) fn start(data: &Path, listen: &str) -> Daemon {
        Daemon::start_command(data, "run", listen)
    }

    /// `newsvault <command> --listen <listen>`: `run` or `serve`.
    pub(crate) fn start_command(data: &Path, command: &str, listen: &str) -> Daemon {
        let log = data.with_extension(format!("{command}.log"));
        let child = bin()
            .arg("--data")
            .arg(data)
            .args([command, "--listen", listen])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("start newsvault {command}: {e}"));
        Daemon { child, log }
    }

    pub(crate) fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Fails the test if the daemon has exited.
    pub(crate) fn assert_running(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("run exited early with {status}:\n{}", self.output());
        }
    }
}

/// Polls `/api/v1/health` until it answers 200 and `ready` holds for its JSON (20 s at most).
pub(crate) fn wait_health(
    daemon: &mut Daemon,
    port: u16,
    what: &str,
    ready: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last = String::new();
    loop {
        daemon.assert_running();
        if let Ok((200, body)) = get(port, "/api/v1/health") {
            let health: serde_json::Value = serde_json::from_str(&body).unwrap();
            if ready(&health) {
                return health;
            }
            last = body;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; last health: {last}\n{}",
            daemon.output()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// An id starting with `prefix` that the scheduler checks within its first second (it spreads
/// never-checked sources over ten seconds by a hash of the id, `ingest::schedule::run`). Only
/// saves test time: the test waits for the checks either way.
pub(crate) fn early_id(prefix: &str) -> String {
    (0..)
        .map(|i| format!("{prefix}{i}"))
        .find(|id| {
            let hash = model::sha256_hex(id.as_bytes());
            u64::from_str_radix(&hash[..8], 16).unwrap() % 10_000 < 1_000
        })
        .unwrap()
}

/// Writes `DATA/newsvault.toml` for a fixture site: per-host limits relaxed, no retries;
/// `sources` are (id, feed URL, full text).
pub(crate) fn write_config(data: &Path, listen: &str, sources: &[(&str, String, bool)]) {
    std::fs::create_dir_all(data).unwrap();
    std::fs::write(data.join("newsvault.toml"), config_text(listen, sources)).unwrap();
}

/// The text [`write_config`] writes.
pub(crate) fn config_text(listen: &str, sources: &[(&str, String, bool)]) -> String {
    let mut text = format!(
        "[server]\nlisten = \"{listen}\"\n\n[fetch]\nper_host_concurrency = 16\nmin_interval_ms = 0\n\
         max_attempts = 1\nconnect_timeout_secs = 5\ntotal_timeout_secs = 60\n"
    );
    for (id, url, full_text) in sources {
        text.push_str(&format!(
            "\n[[sources]]\nid = \"{id}\"\nname = \"{id} 台\"\nurl = \"{url}\"\nfull_text = {full_text}\ninterval = 60\n"
        ));
    }
    text
}
