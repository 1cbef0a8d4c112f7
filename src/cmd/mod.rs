//! One module per subcommand. `run` resolves the database, reads the clock once, and hands
//! each command what it needs.

pub mod completions;
pub mod config;
pub mod export;
pub mod import;
pub mod list;
pub mod review;
pub mod show;
pub mod stats;
pub mod suspend;
pub mod upgrade;

use crate::bank::Deck;
use crate::cli::{Cli, Command};
use crate::config::Settings;
use crate::store::{Filter, Names, Store};
use crate::{clock, names};
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use std::path::PathBuf;

/// What every command gets: the open store and today's review day.
pub struct Env {
    pub store: Store,
    pub db_path: PathBuf,
    pub today: NaiveDate,
    pub settings: Settings,
}

pub fn run(cli: Cli) -> Result<()> {
    let stdout = std::io::stdout();
    // These need neither the settings nor the database.
    match &cli.command {
        Command::Completions(args) => return completions::script(args.shell, &mut stdout.lock()),
        Command::Man => return completions::man(&mut stdout.lock()),
        _ => {}
    }
    let settings = crate::config::load()?;
    if let Command::Config = cli.command {
        return config::run(&settings, &mut stdout.lock());
    }
    let now = clock::now()?;
    let today = clock::review_day(now, settings.day_starts.value);
    // Bank files are validated before the database is opened (or created).
    let bank = match &cli.command {
        Command::Import(args) => import::read_args(args, &mut stdout.lock())?,
        _ => None,
    };
    let dry_run = matches!(&cli.command, Command::Import(a) if a.dry_run);
    let db_path = match cli.db {
        Some(p) => p,
        None => default_db_path(!dry_run)?,
    };
    // Any SQLite error about a damaged or read-only file becomes one line that says what to do.
    let explain = |e| crate::store::explain(&db_path, e);
    // A dry run against a database that does not exist yet plans against an empty one in
    // memory: it writes nothing, not even a new file.
    let dry_run_only = dry_run && !db_path.exists();
    let store = if dry_run_only {
        Store::open_in_memory()?
    } else {
        Store::open(&db_path).map_err(explain)?
    };
    let mut env = Env {
        store,
        db_path: db_path.clone(),
        today,
        settings,
    };
    dispatch(cli.command, bank, &mut env).map_err(explain)
}

fn dispatch(command: Command, bank: Option<Vec<Deck>>, env: &mut Env) -> Result<()> {
    let stdout = std::io::stdout();
    // Import with paths takes only what it is given; import without them is the built-in
    // bank itself; a dry run writes nothing.
    if !matches!(&command, Command::Import(_)) {
        import::builtin_if_empty(env)?;
    }
    if !matches!(&command, Command::Import(a) if a.dry_run || a.paths.is_empty()) {
        upgrade::bring_up_to_date(env)?;
    }
    match command {
        Command::Import(args) => import::run(&args, bank, env, &mut stdout.lock()),
        Command::Review(args) => {
            // Not the locked stdout: the Ctrl-C handler prints the summary through it.
            review::run(
                &args,
                env,
                &mut std::io::stdin().lock(),
                &mut std::io::stdout(),
            )
        }
        Command::Stats(args) => env
            .store
            .read(|_| stats::run(&args, env, &mut stdout.lock())),
        Command::Export(args) => env
            .store
            .read(|_| export::run(&args, env, &mut stdout.lock())),
        Command::List(args) => env
            .store
            .read(|_| list::run(&args, env, &mut stdout.lock())),
        Command::Show(args) => env
            .store
            .read(|_| show::run(&args, env, &mut stdout.lock())),
        Command::Suspend(args) => suspend::run(&args, true, env, &mut stdout.lock()),
        Command::Unsuspend(args) => suspend::run(&args, false, env, &mut stdout.lock()),
        Command::Config | Command::Completions(_) | Command::Man => Ok(()),
    }
}

/// The deck, section and tag filters as typed, turned into the names they mean: decks by
/// id; sections and tags in any case, a unique prefix being enough.
pub fn resolve_filter(
    store: &Store,
    decks: &[String],
    sections: &[String],
    tags: &[String],
) -> Result<Filter> {
    let known = store.decks()?;
    for d in decks {
        if !known.iter().any(|x| &x.id == d) {
            let ids: Vec<&str> = known.iter().map(|x| x.id.as_str()).collect();
            bail!("no deck \"{d}\": use one of {}", ids.join(", "));
        }
    }
    let lookup = |what: &str, kind: Names, given: &[String]| -> Result<Vec<String>> {
        if given.is_empty() {
            return Ok(Vec::new());
        }
        let known: Vec<String> = store
            .names(kind, decks)?
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        given
            .iter()
            .map(|g| names::resolve(what, g, &known).map(str::to_string))
            .collect()
    };
    Ok(Filter {
        decks: decks.to_vec(),
        sections: lookup("section", Names::Sections, sections)?,
        tags: lookup("tag", Names::Tags, tags)?,
    })
}

/// `<data dir>/rehearse/rehearse.db`, creating the folder when `create`.
fn default_db_path(create: bool) -> Result<PathBuf> {
    let dir = dirs::data_dir()
        .context("cannot find the platform data folder (is HOME set?): pass --db PATH or set REHEARSE_DB")?
        .join("rehearse");
    if create {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}: pass --db PATH", dir.display()))?;
    }
    Ok(dir.join("rehearse.db"))
}
