//! One file per command. Each returns the process exit code on success.

mod diff;
mod export;
mod export_evidence;
pub(crate) mod export_warc;
mod extract;
mod feed;
mod fetch;
mod history;
mod import;
mod init;
mod opml;
mod recheck;
mod reextract;
mod reindex;
mod run;
mod search;
mod serve;
mod sources;
mod verify;

use crate::cli::{Cli, Command, ExportCommand, FeedCommand, SourcesCommand};

pub(crate) fn run(cli: Cli) -> anyhow::Result<u8> {
    let data = cli.data.as_path();
    let config_file = crate::config::path(data, cli.config.as_deref());
    match cli.command {
        Command::Init(args) => init::run(data, &config_file, &args),
        Command::Sources(SourcesCommand::List { json }) => sources::list(data, &config_file, json),
        Command::Sources(SourcesCommand::Add(args)) => sources::add(&config_file, &args),
        Command::Sources(SourcesCommand::Remove { id }) => sources::remove(data, &config_file, &id),
        Command::Sources(SourcesCommand::ImportOpml { file }) => opml::import(&config_file, &file),
        Command::Export(ExportCommand::Opml { file }) => opml::export(&config_file, &file),
        Command::Import(args) => import::run(data, &args),
        Command::Export(ExportCommand::DutyMachine { dir }) => export::run(data, &dir),
        Command::Export(ExportCommand::Warc(args)) => export_warc::run(data, &args),
        Command::Export(ExportCommand::Evidence(args)) => export_evidence::run(data, &args),
        Command::History(args) => history::run(data, &args),
        Command::Diff(args) => diff::run(data, &args),
        Command::Search(args) => search::run(data, &args),
        Command::Reindex => reindex::run(data),
        Command::Verify(args) => verify::run(data, &args),
        Command::Feed(FeedCommand::Parse(args)) => feed::run(&args),
        Command::Extract(args) => extract::run(&args),
        Command::Serve(args) => serve::run(data, cli.config.as_deref(), &args),
        Command::Fetch(args) => fetch::run(data, cli.config.as_deref(), &args),
        Command::Recheck(args) => {
            recheck::run(data, cli.config.as_deref(), &args.sources, &args.articles)
        }
        Command::Reextract(args) => reextract::run(data, cli.config.as_deref(), &args.sources),
        Command::Run(args) => run::run(data, cli.config.as_deref(), args.listen.as_deref()),
    }
}
