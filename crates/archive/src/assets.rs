//! Media of archived articles, content-addressed: `assets/<aa>/<sha256>.<ext>`, each stored
//! once however many URLs or articles point at it, and `assets/urls.jsonl`, an append-only map
//! from every original URL to the file that holds its bytes (so a reader never needs the CDN).

use crate::durable::{sync_dir, write_atomic};
use crate::{Archive, ArchiveError, Writer};
use serde::{Deserialize, Serialize};
use std::fs::OpenOptions;
use std::io::{BufRead, Write};

/// File name of the URL map under `assets/`.
pub const ASSET_LOG: &str = "urls.jsonl";

/// One original URL and the stored file with its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    /// The URL the bytes were fetched from.
    pub url: String,
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// The file, relative to the data directory (`assets/ab/ab12….jpg`).
    pub path: String,
    /// The declared media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime: Option<String>,
    /// Size in bytes.
    pub bytes: u64,
    /// When it was fetched, RFC 3339 UTC.
    pub fetched: String,
}

impl Writer {
    /// Stores the bytes fetched from `url` (once per content) and maps `url` to them. Durable
    /// when it returns: the file is synced before the map line that names it.
    pub fn store_asset(
        &mut self,
        url: &str,
        bytes: &[u8],
        mime: Option<&str>,
        fetched: &str,
    ) -> Result<Asset, ArchiveError> {
        let sha256 = model::sha256_hex(bytes);
        let path = format!("assets/{}/{sha256}.{}", &sha256[..2], extension(mime, url));
        let full = self.archive().resolve(&path);
        if !full.exists() {
            write_atomic(&full, bytes, &self.staging)
                .map_err(|e| ArchiveError::io("write", &full, e))?;
        }
        let asset = Asset {
            url: url.to_owned(),
            sha256,
            path,
            mime: mime.map(str::to_owned),
            bytes: bytes.len() as u64,
            fetched: fetched.to_owned(),
        };
        let log = self.archive().root().join("assets").join(ASSET_LOG);
        let mut line = serde_json::to_vec(&asset).expect("assets serialize");
        line.push(b'\n');
        let existed = log.exists();
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .and_then(|mut f| f.write_all(&line).and_then(|()| f.sync_data()))
            .map_err(|e| ArchiveError::io("append to", &log, e))?;
        if !existed {
            sync_dir(log.parent().expect("assets/ has a parent"))
                .map_err(|e| ArchiveError::io("sync", &log, e))?;
        }
        Ok(asset)
    }
}

/// Every URL → asset mapping, in the order stored (later lines win for a URL). A torn last line
/// (a crash during an append) is skipped.
pub fn read_assets(archive: &Archive) -> Result<Vec<Asset>, ArchiveError> {
    let path = archive.root().join("assets").join(ASSET_LOG);
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ArchiveError::io("read", &path, e)),
    };
    let mut out = Vec::new();
    for (n, line) in std::io::BufReader::new(file).split(b'\n').enumerate() {
        let line = line.map_err(|e| ArchiveError::io("read", &path, e))?;
        if line.is_empty() {
            continue;
        }
        match serde_json::from_slice(&line) {
            Ok(asset) => out.push(asset),
            Err(_) if line.last() != Some(&b'}') => {} // torn tail
            Err(e) => {
                return Err(ArchiveError::Invalid {
                    path,
                    line: Some(n + 1),
                    message: format!("not an asset line: {e}"),
                });
            }
        }
    }
    Ok(out)
}

/// A file extension for an asset: from the media type, else the URL's, else `bin`.
fn extension(mime: Option<&str>, url: &str) -> &'static str {
    let from_mime = mime
        .map(|m| {
            m.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .and_then(|m| {
            Some(match m.as_str() {
                "image/jpeg" | "image/jpg" | "image/pjpeg" => "jpg",
                "image/png" => "png",
                "image/gif" => "gif",
                "image/webp" => "webp",
                "image/avif" => "avif",
                "image/svg+xml" => "svg",
                "image/bmp" => "bmp",
                "image/x-icon" | "image/vnd.microsoft.icon" => "ico",
                "video/mp4" => "mp4",
                "audio/mpeg" => "mp3",
                _ => return None,
            })
        });
    if let Some(ext) = from_mime {
        return ext;
    }
    let path = url.split(['?', '#']).next().unwrap_or("");
    let last = path.rsplit('/').next().unwrap_or("");
    match last.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()) {
        Some(e) if e == "jpeg" || e == "jpg" => "jpg",
        Some(e) if e == "png" => "png",
        Some(e) if e == "gif" => "gif",
        Some(e) if e == "webp" => "webp",
        Some(e) if e == "avif" => "avif",
        Some(e) if e == "svg" => "svg",
        _ => "bin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_are_stored_once_and_every_url_is_mapped() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path()).unwrap();
        let mut writer = archive.writer().unwrap();
        let t = "2026-11-26T00:00:00Z";
        let a = writer
            .store_asset(
                "https://cdn.example/a.jpg?w=1",
                b"JPEG",
                Some("image/jpeg"),
                t,
            )
            .unwrap();
        let b = writer
            .store_asset("https://other.example/b", b"JPEG", None, t)
            .unwrap();
        assert_eq!(a.sha256, b.sha256);
        assert!(a.path.ends_with(".jpg"), "{}", a.path);
        assert!(b.path.ends_with(".bin"), "{}", b.path);
        assert_eq!(std::fs::read(archive.resolve(&a.path)).unwrap(), b"JPEG");
        let map = read_assets(&archive).unwrap();
        assert_eq!(map, vec![a, b]);
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_a_damaged_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::open(dir.path()).unwrap();
        let log = dir.path().join("assets").join(ASSET_LOG);
        std::fs::write(&log, "{\"url\":\"x\"").unwrap();
        assert!(read_assets(&archive).unwrap().is_empty());
        std::fs::write(&log, "{\"url\":\"x\"}\n{}\n").unwrap();
        let err = read_assets(&archive).unwrap_err().to_string();
        assert!(err.contains("urls.jsonl:1"), "{err}");
    }
}
