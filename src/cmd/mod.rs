//! One module per subcommand. `run` resolves the database, reads the clock once, and hands
//! each command what it needs.

pub mod export;
pub mod import;
pub mod review;
pub mod stats;

use crate::cli::{Cli, Command};
use crate::{clock, store::Store};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::path::PathBuf;

/// What every command gets: the open store and today's review day.
pub struct Env {
    pub store: Store,
    pub db_path: PathBuf,
    pub today: NaiveDate,
}

pub fn run(cli: Cli) -> Result<()> {
    let now = clock::now()?;
    let today = clock::review_day(now, clock::day_starts()?);
    let db_path = match cli.db {
        Some(p) => p,
        None => default_db_path()?,
    };
    let store = Store::open(&db_path)?;
    let mut env = Env {
        store,
        db_path,
        today,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.command {
        Command::Import(args) => import::run(&args, &mut env, &mut out),
        Command::Review(args) => {
            import::builtin_if_empty(&mut env)?;
            let stdin = std::io::stdin();
            drop(out);
            // Not the locked stdout: the Ctrl-C handler prints the summary through it.
            review::run(&args, &mut env, &mut stdin.lock(), &mut std::io::stdout())
        }
        Command::Stats(args) => {
            import::builtin_if_empty(&mut env)?;
            stats::run(&args, &mut env, &mut out)
        }
        Command::Export(args) => {
            import::builtin_if_empty(&mut env)?;
            export::run(&args, &env, &mut out)
        }
    }
}

fn default_db_path() -> Result<PathBuf> {
    let dir = dirs::data_dir()
        .context("cannot find the platform data folder (is HOME set?): pass --db PATH or set REHEARSE_DB")?
        .join("rehearse");
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create {}: pass --db PATH", dir.display()))?;
    Ok(dir.join("rehearse.db"))
}
