//! The SQLite FTS5 baseline: the same folded title and text in an FTS5 table with the trigram
//! tokenizer, the same queries.
//!
//! Trigram MATCH needs at least three characters per term; a shorter term (1–2 characters, and
//! Latin words like `ai` or `g7`) falls back to `LIKE '%term%'`, which scans every row. Trigram
//! and LIKE both match substrings, so Latin terms also hit inside longer words (`ai` in `openai`):
//! FTS5's hit counts differ from the exact semantics there, and the report says so. Relevance
//! order is FTS5's `rank` (BM25) when the query has a MATCH part, else newest first.

use rusqlite::{Connection, params_from_iter};

/// An FTS5 database being filled or queried.
pub(crate) struct Fts5 {
    conn: Connection,
    pending: usize,
}

/// The result of one query.
pub(crate) struct Fts5Hits {
    /// The count, or `None` when the query was interrupted at the time limit.
    pub(crate) total: Option<u64>,
    /// Whether a term had to fall back to LIKE.
    pub(crate) like: bool,
}

const ROWS_PER_TRANSACTION: usize = 10_000;

impl Fts5 {
    /// A new database at `path` (journal off, no syncs: a bulk load, as fast as SQLite goes).
    pub(crate) fn create(path: &std::path::Path) -> rusqlite::Result<Fts5> {
        let _ = std::fs::remove_file(path);
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF;
             PRAGMA synchronous = OFF;
             PRAGMA cache_size = -262144;
             CREATE VIRTUAL TABLE fts USING fts5(
                 title, body, date UNINDEXED, latest UNINDEXED, tokenize = 'trigram');
             BEGIN;",
        )?;
        Ok(Fts5 { conn, pending: 0 })
    }

    /// Adds one folded version.
    pub(crate) fn add(
        &mut self,
        title: &str,
        body: &str,
        date: i64,
        latest: bool,
    ) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("INSERT INTO fts (title, body, date, latest) VALUES (?1, ?2, ?3, ?4)")?
            .execute(rusqlite::params![title, body, date, i64::from(latest)])?;
        self.pending += 1;
        if self.pending >= ROWS_PER_TRANSACTION {
            self.conn.execute_batch("COMMIT; BEGIN;")?;
            self.pending = 0;
        }
        Ok(())
    }

    /// Commits and merges the index into one segment (`optimize`), as a finished rebuild would.
    pub(crate) fn finish(&mut self) -> rusqlite::Result<()> {
        self.conn
            .execute_batch("COMMIT; INSERT INTO fts (fts) VALUES ('optimize');")
    }

    /// Runs a query: its count and its first 20 hits with a snippet (for MATCH queries),
    /// interrupted after `limit` (then `total` is `None`).
    pub(crate) fn search(
        &self,
        include: &[String],
        exclude: &[String],
        by_date: bool,
        limit: std::time::Duration,
    ) -> rusqlite::Result<Fts5Hits> {
        let interrupt = self.conn.get_interrupt_handle();
        let (done, wait) = std::sync::mpsc::channel::<()>();
        let watchdog = std::thread::spawn(move || {
            if wait.recv_timeout(limit) == Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
                interrupt.interrupt();
            }
        });
        let result = self.run(include, exclude, by_date);
        let _ = done.send(());
        let _ = watchdog.join();
        match result {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::OperationInterrupted =>
            {
                Ok(Fts5Hits {
                    total: None,
                    like: true,
                })
            }
            other => other,
        }
    }

    fn run(
        &self,
        include: &[String],
        exclude: &[String],
        by_date: bool,
    ) -> rusqlite::Result<Fts5Hits> {
        let mut matches: Vec<String> = Vec::new();
        let mut likes: Vec<(bool, String)> = Vec::new();
        for (negative, term) in include
            .iter()
            .map(|t| (false, t))
            .chain(exclude.iter().map(|t| (true, t)))
        {
            if term.chars().count() >= 3 {
                matches.push(format!(
                    "{}\"{}\"",
                    if negative { "NOT " } else { "" },
                    term.replace('"', "\"\"")
                ));
            } else {
                likes.push((negative, term.clone()));
            }
        }
        // FTS5 cannot start a MATCH with NOT: move such exclusions to LIKE when no positive
        // MATCH term leads.
        if matches.first().is_some_and(|m| m.starts_with("NOT ")) {
            for m in matches.drain(..) {
                let term = m
                    .trim_start_matches("NOT ")
                    .trim_matches('"')
                    .replace("\"\"", "\"");
                likes.push((true, term));
            }
        }
        let mut conditions = vec!["latest = 1".to_owned()];
        let mut values: Vec<String> = Vec::new();
        if !matches.is_empty() {
            // Positive terms first, then the NOTs: "a" AND "b" NOT "c".
            let (pos, neg): (Vec<_>, Vec<_>) = matches.iter().partition(|m| !m.starts_with("NOT "));
            let mut expr = pos
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" AND ");
            for n in neg {
                expr.push(' ');
                expr.push_str(n);
            }
            conditions.push("fts MATCH ?".into());
            values.push(expr);
        }
        for (negative, term) in &likes {
            let pattern = format!(
                "%{}%",
                term.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            conditions.push(format!(
                "{}(title LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\')",
                if *negative { "NOT " } else { "" }
            ));
            values.push(pattern.clone());
            values.push(pattern);
        }
        let filter = conditions.join(" AND ");
        let total: i64 = self.conn.query_row(
            &format!("SELECT count(*) FROM fts WHERE {filter}"),
            params_from_iter(values.iter()),
            |r| r.get(0),
        )?;
        let (columns, order) = if matches.is_empty() {
            ("rowid, title, substr(body, 1, 60)", "date DESC")
        } else if by_date {
            (
                "rowid, title, snippet(fts, 1, '<mark>', '</mark>', '…', 24)",
                "date DESC",
            )
        } else {
            (
                "rowid, title, snippet(fts, 1, '<mark>', '</mark>', '…', 24)",
                "rank",
            )
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {columns} FROM fts WHERE {filter} ORDER BY {order} LIMIT 20"
        ))?;
        let mut rows = stmt.query(params_from_iter(values.iter()))?;
        while let Some(row) = rows.next()? {
            std::hint::black_box((row.get::<_, i64>(0)?, row.get::<_, String>(2)?));
        }
        Ok(Fts5Hits {
            total: Some(total as u64),
            like: !likes.is_empty(),
        })
    }
}
