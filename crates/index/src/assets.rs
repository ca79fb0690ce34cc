//! The URL → asset map, derived from `assets/urls.jsonl`.

use crate::{Index, IndexError};
use archive::{Archive, Asset};
use rusqlite::{OptionalExtension, params};

impl Index {
    /// Adds one mapping (as the writer stored it).
    pub fn record_asset(&self, asset: &Asset) -> Result<(), IndexError> {
        insert(&self.conn, asset).map_err(|e| IndexError::sql("record an asset", &self.path, e))?;
        Ok(())
    }

    /// The stored asset for an original URL.
    pub fn asset(&self, url: &str) -> Result<Option<Asset>, IndexError> {
        self.conn
            .query_row(
                "SELECT url, sha256, path, mime, bytes, fetched FROM assets WHERE url = ?1",
                [url],
                |r| {
                    Ok(Asset {
                        url: r.get(0)?,
                        sha256: r.get(1)?,
                        path: r.get(2)?,
                        mime: r.get(3)?,
                        bytes: r.get::<_, i64>(4)? as u64,
                        fetched: r.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(|e| IndexError::sql("read an asset", &self.path, e))
    }

    /// Brings the map up to date with `assets/urls.jsonl` (it is small: one line per image URL).
    pub fn sync_assets(&mut self, archive: &Archive) -> Result<usize, IndexError> {
        let assets = archive::read_assets(archive)?;
        let tx = self
            .conn
            .transaction()
            .map_err(|e| IndexError::sql("sync assets", &self.path, e))?;
        for a in &assets {
            insert(&tx, a).map_err(|e| IndexError::sql("sync assets", &self.path, e))?;
        }
        tx.commit()
            .map_err(|e| IndexError::sql("sync assets", &self.path, e))?;
        Ok(assets.len())
    }
}

fn insert(conn: &rusqlite::Connection, a: &Asset) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT OR REPLACE INTO assets (url, sha256, path, mime, bytes, fetched)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![a.url, a.sha256, a.path, a.mime, a.bytes as i64, a.fetched],
    )
}
