//! `rehearse import`: validate everything, then upsert by id in one transaction.

use super::Env;
use crate::backup;
use crate::backups::Reason;
use crate::bank::{self, Deck};
use crate::cli::ImportArgs;
use crate::store::{DeckRow, QuestionRow, Store, question_rows};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What an import changes (or would change, in a dry run).
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub dry_run: bool,
    pub decks: usize,
    pub questions: usize,
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: usize,
    pub retired: Vec<String>,
    /// Retired questions that are back in the files (also counted in `updated`).
    pub revived: Vec<String>,
}

/// The writes an import makes.
#[derive(Default)]
struct Plan {
    decks: Vec<DeckRow>,
    questions: Vec<QuestionRow>,
    retire: Vec<String>,
}

/// Bank files named on the command line, read and validated before the database is opened,
/// so a failed first import leaves no new database file behind. None for a backup or for
/// the built-in bank.
pub fn read_args(args: &ImportArgs, out: &mut impl Write) -> Result<Option<Vec<Deck>>> {
    if args.paths.is_empty() || backup_path(&args.paths)?.is_some() {
        return Ok(None);
    }
    read_bank(&args.paths, args, out).map(Some)
}

/// `decks`: what `read_args` read.
pub fn run(
    args: &ImportArgs,
    decks: Option<Vec<Deck>>,
    env: &mut Env,
    out: &mut impl Write,
) -> Result<()> {
    if let Some(path) = backup_path(&args.paths)? {
        return restore(args, path, env, out);
    }
    let decks = match decks {
        Some(d) => d,
        None if args.paths.is_empty() => bank::builtin(),
        None => read_bank(&args.paths, args, out)?,
    };
    let builtin = args.paths.is_empty();
    let summary = import(&mut env.store, &decks, args.prune, args.dry_run, builtin)?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &summary)?;
        writeln!(out)?;
    } else {
        let verb = if args.dry_run {
            "dry run, nothing written"
        } else {
            "imported"
        };
        writeln!(
            out,
            "{verb}: {}, {}: {} added, {} updated, {} unchanged, {} retired",
            super::plural(summary.decks as u64, "deck", "decks"),
            super::plural(summary.questions as u64, "question", "questions"),
            summary.added.len(),
            summary.updated.len(),
            summary.unchanged,
            summary.retired.len()
        )?;
        if !summary.revived.is_empty() {
            writeln!(
                out,
                "revived with their history: {}",
                summary.revived.join(", ")
            )?;
        }
    }
    Ok(())
}

/// Imports the built-in bank into a database that has never had one, saying so on stderr.
/// The check and the import are one transaction, so two first runs import it once.
pub fn builtin_if_empty(env: &mut Env) -> Result<()> {
    if !env.store.is_empty()? {
        return Ok(());
    }
    let imported = env.store.write(|store| {
        if !store.is_empty()? {
            return Ok(None);
        }
        let decks = bank::builtin();
        let s = plan_and_write(store, &decks, false, false)?;
        super::upgrade::record(store, &decks)?;
        Ok(Some(s))
    })?;
    if let Some(s) = imported {
        eprintln!(
            "rehearse: new database {}: imported the built-in bank ({} questions in {} decks)",
            env.db_path.display(),
            s.questions,
            s.decks
        );
    }
    Ok(())
}

/// The most problems printed; the rest are counted.
const SHOWN_PROBLEMS: usize = 100;

/// The largest bank file read: far above any real bank, small enough to hold.
const MAX_BANK_FILE: u64 = 64 << 20;

/// Reads and validates every file; any problem means no decks at all. With --json the
/// problems are printed as JSON too.
fn read_bank(paths: &[PathBuf], args: &ImportArgs, out: &mut impl Write) -> Result<Vec<Deck>> {
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    for p in paths {
        for f in bank_files(p, &mut seen)? {
            let bytes = read_bank_file(&f)?;
            files.push((f.display().to_string(), bytes));
        }
    }
    bank::parse_all(&files).or_else(|problems| {
        if args.json {
            #[derive(Serialize)]
            struct Failed<'a> {
                dry_run: bool,
                ok: bool,
                problems: &'a [bank::Problem],
            }
            let failed = Failed {
                dry_run: args.dry_run,
                ok: false,
                problems: &problems,
            };
            serde_json::to_writer_pretty(&mut *out, &failed)?;
            writeln!(out)?;
        }
        let mut err = std::io::stderr().lock();
        for p in problems.iter().take(SHOWN_PROBLEMS) {
            let _ = writeln!(err, "{p}");
        }
        let n = problems.len();
        if n > SHOWN_PROBLEMS {
            let more = n - SHOWN_PROBLEMS;
            let _ = writeln!(err, "and {more} more problem{}", plural(more));
        }
        bail!(
            "{n} problem{} in the bank: nothing was imported; fix {} and run again",
            plural(n),
            if n == 1 { "it" } else { "them" }
        )
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Reads one bank file: a regular file (never a FIFO or a device, which could block or
/// never end) of at most `MAX_BANK_FILE` bytes.
fn read_bank_file(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let shown = path.display();
    let regular = |meta: &std::fs::Metadata| -> Result<()> {
        if !meta.is_file() {
            bail!("{shown} is not a regular file (a pipe, device or socket): pass bank files");
        }
        if meta.len() > MAX_BANK_FILE {
            bail!(
                "{shown} is {} MB, more than the {} MB a bank file may have: split it into decks",
                meta.len() >> 20,
                MAX_BANK_FILE >> 20
            );
        }
        Ok(())
    };
    let cannot = |e| anyhow::Error::new(e).context(format!("cannot read {shown}"));
    regular(&std::fs::metadata(path).map_err(cannot)?)?;
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(MAX_BANK_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_BANK_FILE {
        bail!(
            "{shown} grew past the {} MB a bank file may have while it was read: split it into decks",
            MAX_BANK_FILE >> 20
        );
    }
    Ok(bytes)
}

/// A file as given, or every *.toml below a folder, sorted. Symlinks are followed, but each
/// folder and file is taken once (by device and inode; the first in sorted order, walking
/// folders breadth first), so a link loop ends and a linked file is not read twice.
fn bank_files(path: &Path, seen: &mut HashSet<(u64, u64)>) -> Result<Vec<PathBuf>> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path)
        .with_context(|| format!("{}: no such file or folder: check the path", path.display()))?;
    let key = |m: &std::fs::Metadata| (m.dev(), m.ino());
    if !meta.is_dir() {
        // Checked as a regular file when read.
        let new = seen.insert(key(&meta));
        return Ok(if new {
            vec![path.to_path_buf()]
        } else {
            vec![]
        });
    }
    seen.insert(key(&meta));
    let mut files = Vec::new();
    let mut folders = std::collections::VecDeque::from([path.to_path_buf()]);
    while let Some(dir) = folders.pop_front() {
        let listed = || format!("cannot list {}", dir.display());
        let mut entries = std::fs::read_dir(&dir)
            .with_context(listed)?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<Vec<_>>>()
            .with_context(listed)?;
        entries.sort();
        for p in entries {
            // A dangling link is skipped, as a file that is not *.toml would be.
            let Ok(meta) = std::fs::metadata(&p) else {
                continue;
            };
            if meta.is_dir() {
                if seen.insert(key(&meta)) {
                    folders.push_back(p);
                }
            } else if p.extension().is_some_and(|x| x == "toml") {
                files.push((p, key(&meta)));
            }
        }
    }
    if files.is_empty() {
        bail!(
            "{}: no .toml files in this folder: pass bank files or a folder that has them",
            path.display()
        );
    }
    files.sort();
    Ok(files
        .into_iter()
        .filter(|(_, k)| seen.insert(*k))
        .map(|(p, _)| p)
        .collect())
}

/// Plans the import against what the store has and writes it (unless dry), all in one
/// transaction, so two imports racing each see the other's result whole.
/// `builtin`: the decks are the built-in bank, recorded as taken (see `cmd::upgrade`).
pub fn import(
    store: &mut Store,
    decks: &[Deck],
    prune: bool,
    dry_run: bool,
    builtin: bool,
) -> Result<Summary> {
    if prune && !dry_run {
        store
            .take_backup(Reason::Prune)
            .context("nothing was imported")?;
    }
    store.write(|store| {
        let s = plan_and_write(store, decks, prune, dry_run)?;
        if builtin && !dry_run {
            super::upgrade::record(store, decks)?;
        }
        Ok(s)
    })
}

fn plan_and_write(
    store: &mut Store,
    decks: &[Deck],
    prune: bool,
    dry_run: bool,
) -> Result<Summary> {
    let mut plan = Plan::default();
    let mut s = Summary {
        dry_run,
        decks: decks.len(),
        ..Summary::default()
    };
    let mut next_position = store.next_deck_position()?;
    for deck in decks {
        let existing = store.deck(&deck.id)?;
        let position = match &existing {
            Some(d) => d.position,
            None => {
                let p = next_position;
                next_position = p
                    .checked_add(1)
                    .context("no deck position is left after the last deck")?;
                p
            }
        };
        let row = DeckRow {
            id: deck.id.clone(),
            title: deck.title.clone(),
            guidance: deck.guidance.clone(),
            position,
            minutes: deck.minutes,
        };
        if existing.as_ref() != Some(&row) {
            plan.decks.push(row);
        }
        let mut have: HashMap<String, QuestionRow> = store
            .questions_of_deck(&deck.id)?
            .into_iter()
            .map(|q| (q.id.clone(), q))
            .collect();
        let mut in_file = HashSet::new();
        for row in question_rows(deck) {
            in_file.insert(row.id.clone());
            s.questions += 1;
            match have.remove(&row.id) {
                None => {
                    s.added.push(row.id.clone());
                    plan.questions.push(row);
                }
                Some(old) if old == row => s.unchanged += 1,
                Some(old) => {
                    if old.retired {
                        s.revived.push(row.id.clone());
                    }
                    s.updated.push(row.id.clone());
                    plan.questions.push(row);
                }
            }
        }
        if prune {
            let mut gone: Vec<QuestionRow> = have.into_values().filter(|q| !q.retired).collect();
            gone.sort_by_key(|q| q.position);
            for q in gone {
                s.retired.push(q.id.clone());
                plan.retire.push(q.id);
            }
        }
    }
    let nothing_to_write =
        plan.decks.is_empty() && plan.questions.is_empty() && plan.retire.is_empty();
    if !dry_run && !nothing_to_write {
        store.write_bank(&plan.decks, &plan.questions, &plan.retire)?;
    }
    Ok(s)
}

/// The backup to restore, when the paths name one: a single file ending in .json.
fn backup_path(paths: &[PathBuf]) -> Result<Option<&Path>> {
    let json: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    match (json.len(), paths.len()) {
        (0, _) => Ok(None),
        (1, 1) => Ok(Some(json[0])),
        _ => bail!(
            "a backup is restored on its own: run import once with the .json file, once with the bank files"
        ),
    }
}

#[derive(Serialize)]
struct RestoreSummary {
    dry_run: bool,
    decks_added: usize,
    questions_added: usize,
    states_taken: usize,
    states_kept: usize,
    log_added: u64,
    log_present: u64,
}

/// Restores (or merges) a JSON backup made by `export`: reads and checks it in one pass,
/// keeping its log in a staging table, then writes (see `Store::restore`).
/// An exclusive lock on `.restore.lock` in the database's backups folder, held until dropped
/// (and released by the system if the process dies), so restores into one database take
/// turns. Says so when it has to wait.
fn restore_turn(env: &Env) -> Result<Option<std::fs::File>> {
    let Some(b) = env.store.backups() else {
        return Ok(None);
    };
    let cannot = || format!("cannot create {}", b.dir.display());
    std::fs::create_dir_all(&b.dir).with_context(cannot)?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(b.dir.join(".restore.lock"))
        .with_context(cannot)?;
    if lock.try_lock().is_err() {
        eprintln!("rehearse: another restore into this database is running: waiting for it");
        lock.lock().with_context(cannot)?;
    }
    Ok(Some(lock))
}

fn restore(args: &ImportArgs, path: &Path, env: &mut Env, out: &mut impl Write) -> Result<()> {
    if args.prune {
        bail!("--prune applies to bank files, not to a backup");
    }
    let shown = path.display();
    let open = || std::fs::File::open(path);
    // Not opened here: a FIFO opened twice would lose its writer.
    std::fs::metadata(path).with_context(|| format!("{shown}: cannot read: check the path"))?;
    let refused = |e: anyhow::Error| anyhow::anyhow!("{shown}: {e}; nothing was imported");
    // The log is merged against the rows read here and written in pieces: a second restore
    // running at the same time would read before the first writes and add the same rows
    // again. So restores take turns.
    let one_at_a_time = if args.dry_run {
        None
    } else {
        Some(restore_turn(env)?)
    };
    if !args.dry_run {
        env.store
            .take_backup(Reason::Restore)
            .context("nothing was restored")?;
    }
    let mut here = env.store.read(|store| store.log_digests())?;
    let (mut log_added, mut log_present) = (0, 0);
    let bank = env
        .store
        .stage_log(|stage| {
            backup::read(open, &mut |l| {
                if here.take(l) {
                    log_present += 1;
                    Ok(())
                } else {
                    log_added += 1;
                    stage(l)
                }
            })
        })
        .map_err(refused)?;
    drop(here);
    let dry_run = args.dry_run;
    let plan = env
        .store
        .write(|store| backup::plan(bank, &store.existing()?))?;
    if !dry_run {
        env.store.restore(&plan)?;
    }
    drop(one_at_a_time);
    let s = RestoreSummary {
        dry_run,
        decks_added: plan.decks.len(),
        questions_added: plan.questions.len(),
        states_taken: plan.states.len(),
        states_kept: plan.states_kept,
        log_added,
        log_present,
    };
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &s)?;
        writeln!(out)?;
    } else {
        let verb = if args.dry_run {
            "dry run, nothing written"
        } else {
            "restored"
        };
        writeln!(
            out,
            "{verb}: {} and {} added; {} taken, {} kept (as new or newer here); {} added, {} already here",
            super::plural(s.decks_added as u64, "deck", "decks"),
            super::plural(s.questions_added as u64, "question", "questions"),
            super::plural(s.states_taken as u64, "state", "states"),
            s.states_kept,
            super::plural(s.log_added, "log row", "log rows"),
            s.log_present
        )?;
    }
    Ok(())
}
