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
    /// Import duty-machine trees, site folders, folders of records or record files; idempotent.
    Import(ImportArgs),
    /// Write the archive out in another format.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Show the versions and events of one article.
    History(HistoryArgs),
    /// Rebuild index.sqlite from archive/ alone.
    Reindex,
    /// Re-hash every record and check every capture-log chain (exit 1 on damage).
    Verify(VerifyArgs),
    /// Read feeds (RSS, RDF, Atom, JSON Feed).
    #[command(subcommand)]
    Feed(FeedCommand),
    /// Extract the article (title, byline, times, main content) from a page or saved file.
    Extract(ExtractArgs),
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
}
