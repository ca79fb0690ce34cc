//! `newsvault serve`: the real binary answers the health endpoint and exits 0 on SIGTERM/SIGINT.

mod common;

use common::http::{free_port, get};
use common::{bin, mini_tree, nv};
use std::io::Read;
use std::path::Path;
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A running `newsvault serve`, killed if a test fails before stopping it.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(data: &Path, extra: &[&str]) -> Server {
    let port = free_port();
    let child = bin()
        .arg("--data")
        .arg(data)
        .arg("serve")
        .args(extra)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start newsvault serve");
    Server { child, port }
}

/// Polls the health endpoint until it answers 200 (20 s at most) and returns its JSON.
fn wait_healthy(server: &mut Server) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            let mut err = String::new();
            if let Some(mut e) = server.child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            panic!("serve exited early with {status}: {err}");
        }
        if let Ok((200, body)) = get(server.port, "/api/v1/health") {
            return serde_json::from_str(&body).expect("health is JSON");
        }
        assert!(
            Instant::now() < deadline,
            "no 200 from /api/v1/health in 20 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sends `signal` and waits (5 s at most) for the process to exit; returns its status and stderr.
fn stop(server: &mut Server, signal: libc::c_int) -> (ExitStatus, String) {
    // SAFETY: plain kill(2) on our own child's pid.
    let rc = unsafe { libc::kill(server.child.id() as libc::pid_t, signal) };
    assert_eq!(rc, 0, "kill failed");
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "serve still running 5 s after the signal"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    if let Some(mut e) = server.child.stderr.take() {
        e.read_to_string(&mut err).unwrap();
    }
    (status, err)
}

#[test]
fn serve_answers_health_and_exits_0_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut server = start(&data, &[]);
    let health = wait_healthy(&mut server);
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["articles"], 0);
    assert_eq!(health["sources"], serde_json::json!([]));
    let (status, _) = get(server.port, "/api/v1/sources").unwrap();
    assert_eq!(status, 200);

    let (status, err) = stop(&mut server, libc::SIGTERM);
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!("listening on http://127.0.0.1:{}", server.port)),
        "{err}"
    );
}

#[test]
fn serve_exits_0_on_sigint() {
    let tmp = tempfile::tempdir().unwrap();
    let mut server = start(tmp.path(), &[]);
    wait_healthy(&mut server);
    let (status, err) = stop(&mut server, libc::SIGINT);
    assert_eq!(status.code(), Some(0), "{err}");
}

#[test]
fn without_a_configuration_the_archive_sources_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let out = nv(tmp.path(), &["import", mini_tree().to_str().unwrap()]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let mut server = start(tmp.path(), &[]);
    let health = wait_healthy(&mut server);
    let sources = health["sources"].as_array().unwrap();
    assert!(!sources.is_empty(), "{health}");
    assert!(
        sources
            .iter()
            .all(|s| s["url"] == "" && s["enabled"] == true)
    );
    assert!(health["articles"].as_u64().unwrap() > 0, "{health}");
    let (status, err) = stop(&mut server, libc::SIGTERM);
    assert_eq!(status.code(), Some(0), "{err}");
}

#[test]
fn the_configuration_gives_the_address_and_the_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = format!(
        "[server]\nlisten = \"127.0.0.1:{port}\"\n\n\
         [[sources]]\nid = \"rfi\"\nname = \"法广\"\nurl = \"http://127.0.0.1:9/rfi.xml\"\n"
    );
    std::fs::write(tmp.path().join("newsvault.toml"), config).unwrap();
    let child = bin()
        .arg("--data")
        .arg(tmp.path())
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start newsvault serve");
    let mut server = Server { child, port };
    let health = wait_healthy(&mut server);
    let sources = health["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1, "{health}");
    assert_eq!(sources[0]["id"], "rfi");
    assert_eq!(sources[0]["name"], "法广");
    assert_eq!(sources[0]["url"], "http://127.0.0.1:9/rfi.xml");
    assert_eq!(sources[0]["last_attempt"], serde_json::Value::Null);
    let (status, err) = stop(&mut server, libc::SIGTERM);
    assert_eq!(status.code(), Some(0), "{err}");
}

#[test]
fn a_missing_explicit_configuration_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = bin()
        .arg("--data")
        .arg(tmp.path())
        .args(["--config"])
        .arg(tmp.path().join("absent.toml"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(common::code(&out), 1, "{}", common::stderr(&out));
    assert!(common::stderr(&out).contains("absent.toml"));
}
