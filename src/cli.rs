//! The command line: clap types only.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "rehearse",
    version,
    about = "Spaced-repetition drills for senior backend interviews"
)]
pub struct Cli {
    /// The database file [default: $REHEARSE_DB, else <data dir>/rehearse/rehearse.db]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Import bank files or folders (the built-in bank when no path is given)
    Import(ImportArgs),
    /// The daily review session
    Review(ReviewArgs),
    /// Weak areas, forecast and activity
    Stats(StatsArgs),
    /// Write the bank, a full backup, a spreadsheet or an Anki file
    Export(ExportArgs),
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// The bank in the import format (one deck, or -o DIR for one file per deck)
    Toml,
    /// A full backup: decks, questions, SM-2 state and the whole review log
    Json,
    /// One row per question with its state, for spreadsheets
    Csv,
    /// A tab-separated file for Anki's "Import File"
    Anki,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// What to write
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
    /// Write to this file (or, for toml, this folder) instead of stdout
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Only this deck (repeatable)
    #[arg(long = "deck", value_name = "DECK")]
    pub decks: Vec<String>,
}

#[derive(Args, Debug)]
pub struct StatsArgs {
    /// Only this deck (repeatable)
    #[arg(long = "deck", value_name = "DECK")]
    pub decks: Vec<String>,
    /// The window, in days, for retention, answer time and missed points (1 to 3650)
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3650))]
    pub days: u64,
    /// Print the figures as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// TOML bank files, or folders of them
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Retire questions of the imported decks that are no longer in the files
    #[arg(long)]
    pub prune: bool,
    /// Validate and show the plan; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ReviewArgs {
    /// New questions allowed today, counting those already introduced today
    #[arg(long = "new", value_name = "N", default_value_t = 10)]
    pub new_limit: u64,
    /// Only this deck (repeatable)
    #[arg(long = "deck", value_name = "DECK")]
    pub decks: Vec<String>,
    /// Only this section (repeatable)
    #[arg(long = "section", value_name = "SECTION")]
    pub sections: Vec<String>,
    /// Only questions with this tag (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// At most N questions in this session
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Print today's queue and exit
    #[arg(long)]
    pub peek: bool,
    /// With --peek: print the queue as JSON
    #[arg(long, requires = "peek")]
    pub json: bool,
}
