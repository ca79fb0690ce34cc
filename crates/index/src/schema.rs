//! Embedded migrations, applied in order and counted by SQLite's `user_version`.

use rusqlite::Connection;

/// Each entry moves the schema one version forward. Never edit a shipped entry; append.
pub(crate) const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE sources (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    aliases        TEXT NOT NULL DEFAULT '[]',   -- JSON array of folder names
    list_name      TEXT,
    applied_seq    INTEGER NOT NULL DEFAULT 0,   -- last capture-log seq applied
    applied_offset INTEGER NOT NULL DEFAULT 0,   -- byte offset just past that line
    applied_hash   TEXT                          -- SHA-256 of that line
);
CREATE TABLE articles (
    key            TEXT PRIMARY KEY,
    source         TEXT NOT NULL,                -- the source that first saw it
    url            TEXT NOT NULL,
    title          TEXT NOT NULL,
    published_ms   INTEGER,
    dir            TEXT NOT NULL,                -- folder of its version records
    latest_version INTEGER NOT NULL,
    latest_sha256  TEXT NOT NULL,
    first_seen     TEXT NOT NULL,
    last_seen      TEXT NOT NULL,
    last_event     TEXT NOT NULL
);
CREATE INDEX articles_source_published ON articles (source, published_ms);
CREATE INDEX articles_url ON articles (url);
CREATE TABLE versions (
    key            TEXT NOT NULL,
    version        INTEGER NOT NULL,
    source         TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    path           TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    title          TEXT NOT NULL,
    url            TEXT NOT NULL,
    published_ms   INTEGER,
    captured       TEXT NOT NULL,
    PRIMARY KEY (key, version)
);
CREATE INDEX versions_sha ON versions (key, sha256);
CREATE TABLE captures (
    source         TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    key            TEXT NOT NULL,
    time           TEXT NOT NULL,
    event          TEXT NOT NULL,
    version        INTEGER NOT NULL,
    url            TEXT NOT NULL,
    status         INTEGER,
    final_url      TEXT,
    path           TEXT,
    record_sha256  TEXT,
    body_sha256    TEXT,
    warc_record_id TEXT,
    via            TEXT,
    origin         TEXT,
    note           TEXT,
    PRIMARY KEY (source, seq)
);
CREATE INDEX captures_key ON captures (key);
CREATE INDEX captures_origin ON captures (origin) WHERE origin IS NOT NULL;
"#,
    r#"
-- Operational state: not derived from the archive, kept across `reindex` (see state.rs).
CREATE TABLE source_state (
    id               TEXT PRIMARY KEY,
    last_attempt     TEXT,                       -- RFC 3339 UTC
    last_success     TEXT,
    last_error       TEXT,
    last_error_time  TEXT,
    failures         INTEGER NOT NULL DEFAULT 0, -- consecutive failed checks
    next_due         TEXT,
    last_status      INTEGER,
    last_new         INTEGER NOT NULL DEFAULT 0,
    last_duration_ms INTEGER
);
CREATE TABLE http_cache (
    url            TEXT PRIMARY KEY,
    etag           TEXT,
    last_modified  TEXT,
    fresh_until    TEXT,
    checked        TEXT NOT NULL
);
CREATE TABLE host_state (
    host           TEXT PRIMARY KEY,
    not_before     TEXT NOT NULL                 -- no request before (Retry-After)
);
-- Derived from assets/urls.jsonl.
CREATE TABLE assets (
    url            TEXT PRIMARY KEY,
    sha256         TEXT NOT NULL,
    path           TEXT NOT NULL,
    mime           TEXT,
    bytes          INTEGER NOT NULL,
    fetched        TEXT NOT NULL
);
"#,
    r#"
-- Re-checks of archived articles (issue 8): operational state, kept across `reindex`.
CREATE TABLE article_checks (
    key                TEXT PRIMARY KEY,
    source             TEXT NOT NULL,
    url                TEXT NOT NULL,
    first_seen         TEXT NOT NULL,
    checks             INTEGER NOT NULL DEFAULT 0,   -- re-checks done
    next_check         TEXT,                         -- NULL: not scheduled
    last_check         TEXT,
    last_status        INTEGER,
    state              TEXT NOT NULL DEFAULT 'live', -- live or the last takedown class
    transient_failures INTEGER NOT NULL DEFAULT 0,
    failing_since      TEXT,
    page_fingerprint   TEXT                          -- SHA-256 of the page's title + text
);
CREATE INDEX article_checks_due ON article_checks (next_check) WHERE next_check IS NOT NULL;
CREATE TABLE feed_items (
    source       TEXT NOT NULL,
    key          TEXT NOT NULL,
    published_ms INTEGER,
    last_listed  TEXT NOT NULL,
    left_feed    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, key)
);
"#,
    r#"
-- Listings newest first, paged by cursor (browse.rs): the expressions match the queries'.
CREATE INDEX articles_date ON articles (COALESCE(published_ms, 0), key);
CREATE INDEX articles_source_date ON articles (source, COALESCE(published_ms, 0), key);
CREATE INDEX captures_changes ON captures (time, source, seq)
    WHERE event IN ('edited','gone','moved','redirected-home','soft-404','blocked','left-feed','back');
"#,
    r#"
-- Bylines: what each capture saw (derived from the log) and the byline of the page as the last
-- re-check saw it (operational, the baseline of `byline` events, like page_fingerprint).
ALTER TABLE captures ADD COLUMN byline TEXT;
ALTER TABLE article_checks ADD COLUMN page_byline TEXT;
-- A byline change is a change: the partial index follows the longer list (browse.rs).
DROP INDEX captures_changes;
CREATE INDEX captures_changes_2 ON captures (time, source, seq)
    WHERE event IN ('edited','gone','moved','redirected-home','soft-404','blocked','left-feed','back','byline');
"#,
    r#"
-- Indexes that others cover, dropped because every import pays for each index a row has:
-- (source, published_ms) is the prefix of articles_source_date's use, and a version is found
-- by (key, sha256) among the few versions of its key through the primary key.
DROP INDEX articles_source_published;
DROP INDEX versions_sha;
"#,
];

/// Tables of operational state that `reindex` carries over instead of rebuilding.
pub(crate) const STATE_TABLES: &[&str] = &[
    "source_state",
    "http_cache",
    "host_state",
    "article_checks",
    "feed_items",
];

pub(crate) fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
