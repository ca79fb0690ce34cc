//! One file per command. Each returns the process exit code on success.

mod export;
mod extract;
mod feed;
mod history;
mod import;
mod reindex;
mod verify;

use crate::cli::{Cli, Command, ExportCommand, FeedCommand};

pub(crate) fn run(cli: Cli) -> anyhow::Result<u8> {
    let data = cli.data.as_path();
    match cli.command {
        Command::Import(args) => import::run(data, &args),
        Command::Export(ExportCommand::DutyMachine { dir }) => export::run(data, &dir),
        Command::History(args) => history::run(data, &args),
        Command::Reindex => reindex::run(data),
        Command::Verify(args) => verify::run(data, &args),
        Command::Feed(FeedCommand::Parse(args)) => feed::run(&args),
        Command::Extract(args) => extract::run(&args),
    }
}
