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
    /// The database file [default: <data dir>/rehearse/rehearse.db]
    #[arg(long, global = true, env = "REHEARSE_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Colour: auto (on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it), always, never
    #[arg(long, global = true, value_enum, default_value_t = crate::screen::ColorWhen::Auto, value_name = "WHEN")]
    pub color: crate::screen::ColorWhen,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Import bank files or folders (the built-in bank when no path is given)
    Import(ImportArgs),
    /// The daily review session
    #[command(after_help = REVIEW_KEYS)]
    Review(ReviewArgs),
    /// Weak areas, forecast and activity
    Stats(StatsArgs),
    /// Write the bank, a full backup, a spreadsheet or an Anki file
    Export(ExportArgs),
    /// List the automatic backups, or put one back
    Backups(BackupsArgs),
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupsArgs {
    #[command(subcommand)]
    pub action: Option<BackupsAction>,
    /// Print the list as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum BackupsAction {
    /// Replace the database with a backup (the current one is backed up first)
    Restore {
        /// The backup's name, as `rehearse backups` lists it
        name: String,
    },
}

const REVIEW_KEYS: &str = "\
Keys during a session (on a terminal each acts at once; from a pipe, one answer a line):
  Space, Enter  show the points (and the grade legend)
  0-5           grade (5: fluent, 3: got there, shaky; below 3: wrong)
  a-f           tick the points you covered; Enter takes the grade they earn
                (from a pipe: type the letters and Enter, then Enter to accept)
  -             none of the points covered
  u             undo the last grade
  s             skip: the question stays due
  q, Ctrl-C     end the session with its summary";

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
    /// Convert an Anki "Notes in Plain Text" export into bank files (needs -o DIR); the
    /// database is not touched
    #[arg(long, value_name = "FILE", conflicts_with_all = ["paths", "prune", "dry_run", "json"])]
    pub from_anki: Option<PathBuf>,
    /// With --from-anki: the folder to write the bank files into
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        requires = "from_anki"
    )]
    pub output: Option<PathBuf>,
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
