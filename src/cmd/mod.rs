//! One module per subcommand. `run` resolves the database, reads the clock once, and hands
//! each command what it needs.

pub mod export;
pub mod import;
pub mod review;
pub mod stats;

use crate::cli::{Cli, Command};
use crate::{clock, store::Store};
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use std::path::PathBuf;

/// What every command gets: the open store and today's review day.
pub struct Env {
    pub store: Store,
    pub db_path: PathBuf,
    pub today: NaiveDate,
}

pub fn run(cli: Cli) -> Result<()> {
    let today = clock::today()?;
    clock::answer_ms()?;
    let dry_run = matches!(&cli.command, Command::Import(a) if a.dry_run);
    let db_path = match (cli.db, std::env::var_os("REHEARSE_DB")) {
        (Some(p), _) => p,
        (None, Some(v)) if v.is_empty() => bail!(
            "REHEARSE_DB is set but empty: set it to a database path, or unset it for the default database"
        ),
        (None, Some(v)) => PathBuf::from(v),
        (None, None) => default_db_path(!dry_run)?,
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
    };
    dispatch(cli.command, &mut env).map_err(explain)
}

fn dispatch(command: Command, env: &mut Env) -> Result<()> {
    let stdout = std::io::stdout();
    match command {
        Command::Import(args) => import::run(&args, env, &mut stdout.lock()),
        Command::Review(args) => {
            import::builtin_if_empty(env)?;
            // Not the locked stdout: the Ctrl-C handler prints the summary through it.
            review::run(
                &args,
                env,
                &mut std::io::stdin().lock(),
                &mut std::io::stdout(),
            )
        }
        Command::Stats(args) => {
            import::builtin_if_empty(env)?;
            env.store
                .read(|_| stats::run(&args, env, &mut stdout.lock()))
        }
        Command::Export(args) => {
            import::builtin_if_empty(env)?;
            env.store
                .read(|_| export::run(&args, env, &mut stdout.lock()))
        }
    }
}

/// `<data dir>/rehearse/rehearse.db`, creating the folder when `create`.
fn default_db_path(create: bool) -> Result<PathBuf> {
    let dir = dirs::data_dir()
        .context("cannot find the platform data folder (is HOME set?): pass --db PATH or set REHEARSE_DB")?
        .join("rehearse");
    if !dir.is_absolute() {
        // HOME=relative would put the database under whatever folder rehearse runs in.
        bail!(
            "HOME={} is not an absolute path, so there is no data folder: set HOME to your home folder, or pass --db PATH or set REHEARSE_DB",
            std::env::var_os("HOME")
                .unwrap_or_default()
                .to_string_lossy()
        );
    }
    if create {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}: pass --db PATH", dir.display()))?;
    }
    Ok(dir.join("rehearse.db"))
}
