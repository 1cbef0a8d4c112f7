//! The command line: clap types only.

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
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

    /// Colour: auto (on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it), always, never
    /// (beats the environment, which beats the config file's `color`)
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    pub color: Option<crate::screen::ColorWhen>,

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
    /// Set, show or clear the interview plan (pacing and a final window toward a date)
    Plan(PlanArgs),
    /// A timed mock interview, graded against the points at the end
    Mock(MockArgs),
    /// List the automatic backups, or put one back
    Backups(BackupsArgs),
    /// One line a question (with filters), or the decks, sections and tags with counts
    List(ListArgs),
    /// One question: prompt, points, state and its whole history
    Show(ShowArgs),
    /// Put questions aside: never scheduled, kept through every import
    Suspend(SuspendArgs),
    /// Bring suspended questions back into the schedule
    Unsuspend(SuspendArgs),
    /// The settings in force and where each came from
    Config,
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the manual page (roff)
    Man,
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
  !1-!5         a red flag you said (after the letters: ac!1); it caps the grade at 2
  u             undo the last grade
  s             skip: the question stays due
  q, Ctrl-C     end the session with its summary";
/// Parses the command line; `--version` names the schema and the built-in bank too.
pub fn parse() -> Cli {
    let matches = Cli::command().version(version()).get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// The clap command with the full version line, for completions and the manual.
pub fn command() -> clap::Command {
    Cli::command().version(version())
}

fn version() -> String {
    format!(
        "{} (schema {}, built-in bank {} with {} decks)",
        env!("CARGO_PKG_VERSION"),
        crate::store::latest_version(),
        crate::builtin::fingerprint(),
        crate::bank::BUILTIN.len()
    )
}

/// The deck, section and tag filters of review, list, suspend and unsuspend.
#[derive(Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Only this deck (repeatable)
    #[arg(long = "deck", value_name = "DECK")]
    pub decks: Vec<String>,
    /// Only this section: any case, a unique prefix is enough (repeatable)
    #[arg(long = "section", value_name = "SECTION")]
    pub sections: Vec<String>,
    /// Only questions with this tag: any case, a unique prefix is enough (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListWhat {
    /// The questions (the default)
    Questions,
    /// The decks, with how many questions each holds
    Decks,
    /// The sections, with counts
    Sections,
    /// The tags, with counts
    Tags,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// What to list
    #[arg(value_enum, default_value_t = ListWhat::Questions)]
    pub what: ListWhat,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Only questions whose id or prompt contains TEXT (any case)
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Only questions due today or earlier
    #[arg(long, group = "only")]
    pub due: bool,
    /// Only questions never reviewed
    #[arg(long, group = "only")]
    pub new: bool,
    /// Only suspended questions
    #[arg(long, group = "only")]
    pub suspended: bool,
    /// Only leeches (leech_lapses lapses or more)
    #[arg(long, group = "only")]
    pub leeches: bool,
    /// Print the list as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The question's id: deck/question (the question part alone when it is unique)
    #[arg(value_name = "ID")]
    pub id: String,
    /// Print it as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SuspendArgs {
    /// Question ids (deck/question)
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
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
pub struct PlanArgs {
    /// The interview date (YYYY-MM-DD, after today); without it, the plan is shown
    #[arg(value_name = "DATE", conflicts_with = "clear")]
    pub date: Option<String>,
    /// Only this deck (repeatable; default all), with a date
    #[arg(long = "deck", value_name = "DECK", conflicts_with = "clear")]
    pub decks: Vec<String>,
    /// Remove the plan: scheduling is plain SM-2 again
    #[arg(long)]
    pub clear: bool,
    /// Print the plan as JSON
    #[arg(long, conflicts_with = "clear")]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct MockArgs {
    /// How many questions (1 to 50) [default: 5]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=50), conflicts_with = "minutes")]
    pub questions: Option<u64>,
    /// Only this deck (repeatable) [default: the plan's decks, else all]
    #[arg(long = "deck", value_name = "DECK")]
    pub decks: Vec<String>,
    /// Fill this many minutes (1 to 600) with questions' time boxes instead
    #[arg(long, value_name = "M", value_parser = clap::value_parser!(u64).range(1..=600))]
    pub minutes: Option<u64>,
    /// Draw with this seed instead of today's (one day's mock is repeatable)
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
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
    /// New questions allowed today, counting those already introduced today [default: new_per_day of the config, else 10]
    #[arg(long = "new", value_name = "N")]
    pub new_limit: Option<u64>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// At most N questions in this session
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Print today's queue and exit
    #[arg(long)]
    pub peek: bool,
    /// Study questions that are not due yet, weakest first; the schedule is unchanged
    #[arg(long, conflicts_with_all = ["peek", "new_limit"])]
    pub ahead: bool,
    /// With --peek: print the queue as JSON
    #[arg(long, requires = "peek")]
    pub json: bool,
}
