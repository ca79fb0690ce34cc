//! The command line (a contract: scripts depend on it; see DESIGN.md).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// newsvault: a self-hosted news archive that keeps every version of every article.
#[derive(Debug, Parser)]
#[command(name = "newsvault", version, about, propagate_version = true)]
pub(crate) struct Cli {
    /// The data directory (archive, index, configuration).
    #[arg(
        long,
        global = true,
        env = "NEWSVAULT_DATA",
        default_value = "./newsvault-data",
        value_name = "DIR"
    )]
    pub(crate) data: PathBuf,
    /// Configuration file [default: DIR/newsvault.toml].
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Write newsvault.toml (documented, with the default sources) and create the data directory.
    Init(InitArgs),
    /// List, add or remove the configured sources, or import an OPML subscription list.
    #[command(subcommand)]
    Sources(SourcesCommand),
    /// Import duty-machine trees, site folders, folders of records or record files; idempotent.
    Import(ImportArgs),
    /// Write the archive out in another format.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Show the versions and events of one article.
    History(HistoryArgs),
    /// Show what changed between two versions of one article (title and text; CJK by
    /// character, Latin scripts by word, moved paragraphs recognised).
    Diff(DiffArgs),
    /// Search the archive: terms are ANDed, "quoted phrases", -term excludes; Chinese matches
    /// any substring in simplified or traditional script, Latin words match whole words.
    Search(SearchArgs),
    /// Rebuild index.sqlite and the search index (search/) from archive/ alone.
    Reindex,
    /// Re-hash every record, check every capture-log chain and re-hash the WARC records the
    /// logs name (exit 1 on damage).
    Verify(VerifyArgs),
    /// Read feeds (RSS, RDF, Atom, JSON Feed).
    #[command(subcommand)]
    Feed(FeedCommand),
    /// Extract the article (title, byline, times, main content) from a page or saved file.
    Extract(ExtractArgs),
    /// Serve the web reader and JSON API only (no fetching); stops cleanly on SIGINT/SIGTERM.
    Serve(ServeArgs),
    /// Check sources once now (all enabled ones, or those named), with a summary table; exit 2
    /// if any source failed.
    Fetch(FetchArgs),
    /// The daemon: check every source on its schedule and serve the web reader, until
    /// SIGINT/SIGTERM.
    Run(RunArgs),
    /// Run extraction again over the raw pages kept in WARC (after rules improved); a new
    /// version only where the extracted text changes.
    Reextract(ReextractArgs),
    /// Re-check archived articles now (edits and takedowns): the named ones, else every
    /// article of the named sources, else every article that is due.
    Recheck(RecheckArgs),
}

#[derive(Debug, Args)]
pub(crate) struct FetchArgs {
    /// A source id from the configuration; repeat for several [default: every enabled source].
    #[arg(long = "source", short = 's', value_name = "S")]
    pub(crate) sources: Vec<String>,
    /// Ask servers even when their last answer is still fresh (Cache-Control, Expires, ttl).
    #[arg(long)]
    pub(crate) force: bool,
    /// Do not fetch the images of stored articles.
    #[arg(long)]
    pub(crate) no_images: bool,
    /// Print one JSON document (an array, one object per source) on stdout.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RecheckArgs {
    /// A source id; repeat for several.
    #[arg(long = "source", short = 's', value_name = "S")]
    pub(crate) sources: Vec<String>,
    /// Articles by URL (any form that canonicalizes to it) or key.
    #[arg(value_name = "URL|KEY")]
    pub(crate) articles: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ReextractArgs {
    /// A source id; repeat for several [default: every source].
    #[arg(long = "source", short = 's', value_name = "S")]
    pub(crate) sources: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Address for the web server [default: `[server] listen` of the configuration].
    #[arg(long, value_name = "ADDR")]
    pub(crate) listen: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on, `HOST:PORT` [default: `[server] listen` in the configuration, else
    /// 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub(crate) listen: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ExtractArgs {
    /// An http(s) URL to fetch, a saved HTML page (charset as declared, UTF-8 if none), or `-`
    /// for standard input.
    #[arg(value_name = "FILE|URL")]
    pub(crate) input: String,
    /// The page's URL: resolves relative links and picks site rules [default: the fetched URL
    /// after redirects, or the file's path].
    #[arg(long, value_name = "URL")]
    pub(crate) url: Option<String>,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// Duty-machine trees (with `articles/`), site folders, folders of records or record files.
    #[arg(required = true, value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
    /// Records per durable commit.
    #[arg(long, default_value_t = 2000, value_name = "N")]
    pub(crate) batch: usize,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ExportCommand {
    /// A duty-machine tree: articles/<site>/<id>.md and lists/<site name>.md; incremental.
    DutyMachine {
        /// The folder to write (created if missing).
        dir: PathBuf,
    },
    /// The configured sources as an OPML 2.0 subscription list, for feed readers.
    Opml {
        /// The file to write, or `-` for standard output.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// The raw HTTP exchanges under DIR/warc/ as one .warc.gz, records copied byte for byte;
    /// exit 2 if an input file is damaged (named on stderr, the rest still exported).
    Warc(ExportWarcArgs),
    /// Everything about one article, checkable with standard tools: its version records, the
    /// capture-log lines with their hash chain, the raw exchanges as WARC, SHA256SUMS and a
    /// README saying how to check; exit 2 if a named WARC record is missing.
    Evidence(ExportEvidenceArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ExportEvidenceArgs {
    /// The article's URL (any form that canonicalizes to it) or its 16-digit key.
    #[arg(value_name = "URL|KEY")]
    pub(crate) article: String,
    /// The folder to write (must be new or empty).
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct ExportWarcArgs {
    /// The .warc.gz file to write (replaced atomically).
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
    /// Keep only exchanges fetched for this source id; repeat for several [default: all].
    #[arg(long = "source", short = 's', value_name = "S")]
    pub(crate) sources: Vec<String>,
    /// Keep records dated at or after D: `YYYY-MM-DD` (UTC midnight) or an RFC 3339 time.
    #[arg(long, value_name = "D", value_parser = crate::cmd::export_warc::parse_when)]
    pub(crate) since: Option<chrono::DateTime<chrono::Utc>>,
    /// Keep records dated before D (exclusive): `YYYY-MM-DD` (UTC midnight) or RFC 3339.
    #[arg(long, value_name = "D", value_parser = crate::cmd::export_warc::parse_when)]
    pub(crate) until: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Overwrite an existing configuration file.
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SourcesCommand {
    /// The configured sources with their last check (success, error, next due).
    List {
        /// Print one JSON array on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Add a source to the configuration file (its comments are kept).
    Add(SourcesAddArgs),
    /// Remove a source from the configuration file; its archived articles stay.
    Remove {
        /// The source's id.
        id: String,
    },
    /// Add every feed of an OPML file that is not configured yet (same feed URL).
    ImportOpml {
        /// The OPML file, or `-` for standard input.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub(crate) struct SourcesAddArgs {
    /// The source's id: its folder under archive/ (e.g. `rfi`); never change it later.
    pub(crate) id: String,
    /// The feed URL (http or https).
    pub(crate) url: String,
    /// Display name [default: the duty-machine name for a known id, else the id].
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
    /// The feed carries whole articles (otherwise each article page is fetched).
    #[arg(long)]
    pub(crate) full_text: bool,
    /// Time between checks: minutes, or a duration like 15m, 2h, 1h30m [default: 30].
    #[arg(long, value_name = "MIN")]
    pub(crate) interval: Option<String>,
    /// A route, tried in the order given: `direct`, a proxy URL (http://, socks5h://...) or
    /// `mirror:https://...`.
    #[arg(long = "route", value_name = "R")]
    pub(crate) routes: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The article's URL (any form that canonicalizes to it) or its 16-digit key.
    #[arg(value_name = "URL|KEY")]
    pub(crate) article: String,
    /// The older version [default: the one before --to].
    #[arg(long, value_name = "N")]
    pub(crate) from: Option<u32>,
    /// The newer version [default: the latest].
    #[arg(long, value_name = "M")]
    pub(crate) to: Option<u32>,
    /// Print one JSON document on stdout (the paragraph operations).
    #[arg(long)]
    pub(crate) json: bool,
    /// Show every paragraph, not only the changes with one paragraph around each.
    #[arg(long)]
    pub(crate) full: bool,
}

#[derive(Debug, Args)]
pub(crate) struct HistoryArgs {
    /// The article's URL (any form that canonicalizes to it) or its 16-digit key.
    #[arg(value_name = "URL|KEY")]
    pub(crate) article: String,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// The query, best as one shell word: '美国 "new york" -体育'. Several words are several
    /// terms (then a word with spaces is one phrase); put `--` before a first term like -x.
    #[arg(required = true, value_name = "QUERY")]
    pub(crate) query: Vec<String>,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// Only this source id; repeat for several [default: all].
    #[arg(long = "source", short = 's', value_name = "S")]
    pub(crate) sources: Vec<String>,
    /// Only articles dated at or after D: `YYYY-MM-DD` (UTC midnight) or an RFC 3339 time.
    #[arg(long, value_name = "D", value_parser = crate::cmd::export_warc::parse_when)]
    pub(crate) since: Option<chrono::DateTime<chrono::Utc>>,
    /// Only articles dated before D (exclusive): `YYYY-MM-DD` (UTC midnight) or RFC 3339.
    #[arg(long, value_name = "D", value_parser = crate::cmd::export_warc::parse_when)]
    pub(crate) until: Option<chrono::DateTime<chrono::Utc>>,
    /// Which date --since/--until compare with: the publication time or the capture time.
    #[arg(long, value_enum, default_value_t = SearchDates::Published)]
    pub(crate) dates: SearchDates,
    /// Only articles in this language (zh, ja, ko, en, und).
    #[arg(long, value_name = "L")]
    pub(crate) language: Option<String>,
    /// Only articles that changed after their first capture.
    #[arg(long)]
    pub(crate) changed: bool,
    /// Only articles that are gone at the source.
    #[arg(long)]
    pub(crate) gone: bool,
    /// Hits to show.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub(crate) limit: usize,
    /// Hits to skip (the next page starts at the previous offset plus limit).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(crate) offset: usize,
    /// Order of hits.
    #[arg(long, value_enum, default_value_t = SearchSort::Relevance)]
    pub(crate) sort: SearchSort,
    /// Search every stored version, not only the latest of each article.
    #[arg(long)]
    pub(crate) all_versions: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SearchSort {
    /// Best match first (title boosted, whole words first, then recency).
    Relevance,
    /// Newest first.
    Date,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SearchDates {
    /// The publication time (the capture time when a record has none).
    Published,
    /// When the version was captured.
    Captured,
}

#[derive(Debug, Subcommand)]
pub(crate) enum FeedCommand {
    /// Print a feed as normalized JSON (shared/contracts/feed-json.md); repairs go to stderr.
    /// Exit 0 when a feed was read (even with repairs), 1 when nothing usable was found.
    Parse(FeedParseArgs),
}

#[derive(Debug, Args)]
pub(crate) struct FeedParseArgs {
    /// A feed file, an http(s) URL, or `-` for standard input.
    #[arg(value_name = "FILE|URL")]
    pub(crate) input: String,
    /// The feed's own URL, to resolve relative links against.
    #[arg(long, value_name = "URL")]
    pub(crate) base: Option<String>,
    /// Indent the JSON for people.
    #[arg(long)]
    pub(crate) pretty: bool,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// Leave out the WARC records (reading every WARC file takes long on a large archive).
    #[arg(long)]
    pub(crate) no_warc: bool,
}
