//! One module per subcommand. `run` resolves the database, reads the clock once, and hands
//! each command what it needs.

pub mod backups;
pub mod completions;
pub mod config;
pub mod export;
pub mod from_anki;
pub mod import;
pub mod list;
pub mod mock;
pub mod plan;
pub mod review;
pub mod show;
pub mod stats;
pub mod suspend;
pub mod upgrade;

use crate::cli::{Cli, Command};
use crate::clock;
use crate::config::Settings;
use crate::names;
use crate::screen::ColorWhen;
use crate::store::{self, Backups, Filter, Mode, Names, Store};
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use std::path::PathBuf;

/// What every command gets: the open store and today's review day.
pub struct Env {
    pub store: Store,
    pub db_path: PathBuf,
    pub today: NaiveDate,
    pub settings: Settings,
    /// Opened read-only (a read-only medium): nothing may be written.
    pub read_only: bool,
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
    crate::screen::init(colour(cli.color, &settings));
    if let Command::Config = cli.command {
        return config::run(&settings, &mut stdout.lock());
    }
    if let Command::Import(args) = &cli.command
        && let Some(file) = &args.from_anki
    {
        // A conversion writes bank files only: no database is opened or created.
        return from_anki::run(file, args.output.as_deref(), &mut Output::stdout());
    }
    let now = clock::now()?;
    let today = clock::checked_today(now, settings.day_starts.value)?;
    clock::answer_ms()?;
    // Bank files are read before the database is opened (or created).
    let mut bank = match &cli.command {
        Command::Import(args) => import::read_args(args)?,
        _ => None,
    };
    let dry_run = matches!(&cli.command, Command::Import(a) if a.dry_run);
    // REHEARSE_DB is read here, not by clap, so an empty one is named as the variable.
    let explicit = match (cli.db, std::env::var_os("REHEARSE_DB")) {
        (Some(p), _) => Some(p),
        (None, Some(v)) if v.is_empty() => bail!(
            "REHEARSE_DB is set but empty: set it to a database path, or unset it for the default database"
        ),
        (None, Some(v)) => Some(PathBuf::from(v)),
        (None, None) => None,
    };
    let (db_path, backups_dir) = match explicit {
        Some(p) => {
            let dir = beside(&p, ".backups");
            (p, dir)
        }
        None => {
            let p = default_db_path(!dry_run)?;
            let dir = p.with_file_name("backups");
            (p, dir)
        }
    };
    let backups = Backups {
        dir: backups_dir,
        day: today,
        now,
    };
    // Any SQLite error about a damaged or read-only file becomes one line that says what to do.
    let explain = |e| store::explain(&db_path, e);
    if let Command::Backups(args) = &cli.command {
        // Listing and restoring work also when the database cannot be opened.
        return backups::run(args, &db_path, &backups, &mut Output::stdout()).map_err(explain);
    }
    if let (Some(b), Command::Import(args)) = (bank.as_mut(), &cli.command)
        && !db_path.exists()
    {
        b.validate(args, &mut stdout.lock())?;
    }
    // A dry run against a database that does not exist yet plans against an empty one in
    // memory: it writes nothing, not even a new file.
    let dry_run_only = dry_run && !db_path.exists();
    // Commands that only read still work on a read-only medium, so a backup can be saved.
    let reads_only = match &cli.command {
        Command::Stats(_) | Command::Export(_) | Command::List(_) | Command::Show(_) => true,
        Command::Plan(a) => a.date.is_none() && !a.clear,
        Command::Review(a) => a.peek,
        _ => dry_run,
    };
    let mode = if reads_only && db_path.exists() && !store::is_writable(&db_path) {
        Mode::ReadOnly
    } else {
        Mode::ReadWrite
    };
    let store = if dry_run_only {
        Store::open_in_memory()?
    } else {
        Store::open(&db_path, mode, Some(backups)).map_err(explain)?
    };
    let mut env = Env {
        store,
        db_path: db_path.clone(),
        today,
        settings,
        read_only: mode == Mode::ReadOnly,
    };
    dispatch(cli.command, bank, &mut env).map_err(explain)
}

/// The flag beats the environment (NO_COLOR, CLICOLOR_FORCE), which beats the config file.
fn colour(flag: Option<ColorWhen>, settings: &crate::config::Settings) -> ColorWhen {
    let env_says = ["NO_COLOR", "CLICOLOR_FORCE"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
    match flag {
        Some(c) => c,
        // Auto is what reads NO_COLOR and CLICOLOR_FORCE.
        None if env_says => ColorWhen::Auto,
        None => settings.color.value,
    }
}

/// `path` with `suffix` added to its file name.
pub fn beside(path: &std::path::Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn dispatch(command: Command, bank: Option<import::Bank>, env: &mut Env) -> Result<()> {
    let mut out = Output::stdout();
    // Import with paths takes only what it is given; import without them is the built-in
    // bank itself; a dry run writes nothing; a read-only database cannot be brought up to
    // date.
    if !matches!(&command, Command::Import(_)) {
        import::builtin_if_empty(env)?;
    }
    let upgrades = match &command {
        Command::Import(a) => !a.dry_run && !a.paths.is_empty(),
        _ => true,
    };
    if upgrades && !env.read_only {
        upgrade::bring_up_to_date(env)?;
    }
    match command {
        Command::Import(args) => import::run(&args, bank, env, &mut out),
        Command::Review(args) => {
            // Not the locked stdout: the Ctrl-C handler prints the summary through it.
            review::run(
                &args,
                env,
                &mut std::io::stdin().lock(),
                &mut std::io::stdout(),
            )
        }
        Command::Stats(args) => env.store.read_paired(|_| stats::run(&args, env, &mut out)),
        Command::Export(args) => env.store.read(|_| export::run(&args, env, &mut out)),
        Command::List(args) => env.store.read(|_| list::run(&args, env, &mut out)),
        Command::Show(args) => env.store.read(|_| show::run(&args, env, &mut out)),
        Command::Plan(args) => plan::run(&args, env, &mut out),
        Command::Mock(args) => mock::run(
            &args,
            env,
            &mut std::io::stdin().lock(),
            &mut std::io::stdout(),
        ),
        Command::Suspend(args) => suspend::run(&args, true, env, &mut out),
        Command::Unsuspend(args) => suspend::run(&args, false, env, &mut out),
        // Run by `run` before any store is opened.
        Command::Config | Command::Completions(_) | Command::Man | Command::Backups(_) => Ok(()),
    }?;
    out.flush()
}

/// Standard output, whose write errors say that it was the output that failed (a full disk
/// under `> file`), so they are not taken for the database's. A closed pipe keeps its kind:
/// main treats it as the end of the reader's interest.
pub struct Output(std::io::Stdout);

impl Output {
    pub fn stdout() -> Output {
        Output(std::io::stdout())
    }

    pub fn flush(&mut self) -> Result<()> {
        std::io::Write::flush(self).map_err(Into::into)
    }
}

fn output_error(e: std::io::Error) -> std::io::Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return e;
    }
    std::io::Error::new(
        e.kind(),
        format!("cannot write the output ({e}): check where it goes (a full disk?)"),
    )
}

impl std::io::Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf).map_err(output_error)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush().map_err(output_error)
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

/// `1 question`, `2 questions`: a count with its noun.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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
