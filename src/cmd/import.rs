//! `rehearse import`: validate everything, then upsert by id in one transaction.

use super::Env;
use crate::backup;
use crate::backups::Reason;
use crate::bank::{self, Deck};
use crate::cli::ImportArgs;
use crate::store::{DeckRow, QuestionRow, Store, question_rows};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
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

/// Bank files named on the command line, as read: each file's name, bytes and SHA-256.
pub struct Bank {
    files: Vec<(String, Vec<u8>)>,
    hashes: Vec<[u8; 32]>,
    /// Every file parsed and validated, before a first import creates the database.
    decks: Option<Vec<Deck>>,
}

impl Bank {
    /// Validates every file now: for a database that does not exist yet, so a failed first
    /// import leaves no new database file behind. (Into an existing database, the files
    /// imported before with these very bytes are not parsed again.)
    pub fn validate(&mut self, args: &ImportArgs, out: &mut impl Write) -> Result<()> {
        if self.decks.is_none() {
            self.decks = Some(parse(&self.files, args, out)?);
            // Parsed: only the hashes are needed from here on, not the bytes.
            self.files = Vec::new();
        }
        Ok(())
    }
}

/// Bank files named on the command line, read before the database is opened. None for a
/// backup or for the built-in bank.
pub fn read_args(args: &ImportArgs) -> Result<Option<Bank>> {
    if args.paths.is_empty() || backup_path(&args.paths)?.is_some() {
        return Ok(None);
    }
    read_bank(&args.paths).map(Some)
}

/// `bank`: what `read_args` read.
pub fn run(
    args: &ImportArgs,
    bank: Option<Bank>,
    env: &mut Env,
    out: &mut impl Write,
) -> Result<()> {
    if let Some(path) = backup_path(&args.paths)? {
        return restore(args, path, env, out);
    }
    let bank = match bank {
        Some(b) => Some(b),
        None if args.paths.is_empty() => None,
        None => Some(read_bank(&args.paths)?),
    };
    let summary = match &bank {
        Some(bank) => import_files(&mut env.store, bank, args, out)?,
        None => import(
            &mut env.store,
            &bank::builtin(),
            args.prune,
            args.dry_run,
            true,
        )?,
    };
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
        let (s, _) = plan_and_write(store, &decks, &[], false, false)?;
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

/// Hashed before each file's bytes. Change it when bank validation or parsing changes, so
/// files imported by an older rehearse are parsed and validated again.
const HASH_SALT: &[u8] = b"rehearse bank 1\n";

/// Reads every file named, and every *.toml below a folder named.
fn read_bank(paths: &[PathBuf]) -> Result<Bank> {
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    for p in paths {
        for f in bank_files(p, &mut seen)? {
            let bytes = read_bank_file(&f)?;
            files.push((f.display().to_string(), bytes));
        }
    }
    let hashes = files
        .iter()
        .map(|(_, b)| {
            Sha256::new()
                .chain_update(HASH_SALT)
                .chain_update(b)
                .finalize()
                .into()
        })
        .collect();
    Ok(Bank {
        files,
        hashes,
        decks: None,
    })
}

/// Parses and validates files; any problem means no decks at all. With --json the problems
/// are printed as JSON too.
fn parse(
    files: &[(String, Vec<u8>)],
    args: &ImportArgs,
    out: &mut impl Write,
) -> Result<Vec<Deck>> {
    bank::parse_all(files).or_else(|problems| {
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
        let (s, _) = plan_and_write(store, decks, &[], prune, dry_run)?;
        if builtin && !dry_run {
            super::upgrade::record(store, decks)?;
        }
        Ok(s)
    })
}

/// Imports bank files. A file whose bytes hash to what an earlier import recorded (the deck
/// unchanged since) is not parsed again: its questions count as unchanged. The others are
/// parsed, validated and planned as usual, and their hashes recorded once written.
fn import_files(
    store: &mut Store,
    bank: &Bank,
    args: &ImportArgs,
    out: &mut impl Write,
) -> Result<Summary> {
    if args.prune && !args.dry_run {
        store
            .take_backup(Reason::Prune)
            .context("nothing was imported")?;
    }
    store.write(|store| {
        let known = store.import_hashes()?;
        let (mut skipped, mut changed) = (Vec::new(), Vec::new());
        for (i, hash) in bank.hashes.iter().enumerate() {
            match known.get(hash) {
                Some(k) if bank.decks.is_none() => skipped.push(k.clone()),
                _ => changed.push(i),
            }
        }
        let parsed: Cow<[Deck]> = match &bank.decks {
            Some(decks) => Cow::Borrowed(decks),
            None => {
                let files: Vec<_> = changed.iter().map(|&i| bank.files[i].clone()).collect();
                Cow::Owned(parse(&files, args, out)?)
            }
        };
        // Each deck comes from one file: a skipped file's deck id named again (by another
        // file) is the usual validation error, with its line, from parsing them all.
        let mut ids = HashSet::new();
        let ids_unique = skipped
            .iter()
            .map(|(id, _)| id)
            .chain(parsed.iter().map(|d| &d.id))
            .all(|id| ids.insert(id.clone()));
        if !ids_unique {
            parse(&bank.files, args, out)?;
            bail!("bank files changed while they were read: run the import again");
        }
        let (s, clean) = plan_and_write(store, &parsed, &skipped, args.prune, args.dry_run)?;
        if !args.dry_run {
            for ((deck, &i), clean) in parsed.iter().zip(&changed).zip(clean) {
                if clean {
                    store.remember_import(&bank.hashes[i], &deck.id, deck.questions.len())?;
                }
            }
        }
        Ok(s)
    })
}

/// Plans decks against what the store has and writes the plan (unless dry). `skipped`:
/// decks known unchanged (id, questions), counted only. Also says, for each deck, whether
/// the store now holds exactly that deck: no active question of it outside the file.
fn plan_and_write(
    store: &mut Store,
    decks: &[Deck],
    skipped: &[(String, usize)],
    prune: bool,
    dry_run: bool,
) -> Result<(Summary, Vec<bool>)> {
    let mut plan = Plan::default();
    let mut s = Summary {
        dry_run,
        decks: decks.len() + skipped.len(),
        ..Summary::default()
    };
    let mut clean = Vec::with_capacity(decks.len());
    for (_, n) in skipped {
        s.questions += n;
        s.unchanged += n;
    }
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
        for row in question_rows(deck) {
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
        let mut gone: Vec<QuestionRow> = have.into_values().filter(|q| !q.retired).collect();
        clean.push(prune || gone.is_empty());
        if prune {
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
    Ok((s, clean))
}

/// A backup as `export` wrote it: `.json`, or `.json.zst` compressed with zstd.
fn is_backup(path: &Path) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.extension().is_some_and(|x| x == "json") || name.ends_with(".json.zst")
}

/// The backup to restore, when the paths name one: a single `.json` or `.json.zst` file.
fn backup_path(paths: &[PathBuf]) -> Result<Option<&Path>> {
    let json: Vec<&PathBuf> = paths.iter().filter(|p| is_backup(p)).collect();
    match (json.len(), paths.len()) {
        (0, _) => Ok(None),
        (1, 1) => Ok(Some(json[0])),
        _ => bail!(
            "a backup is restored on its own: run import once with the .json (or .json.zst) file, once with the bank files"
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

impl RestoreSummary {
    fn of(plan: &backup::Plan, dry_run: bool, log_added: u64, log_present: u64) -> Self {
        RestoreSummary {
            dry_run,
            decks_added: plan.decks.len(),
            questions_added: plan.questions.len(),
            states_taken: plan.states.len(),
            states_kept: plan.states_kept,
            log_added,
            log_present,
        }
    }
}

/// Reads and checks the backup, plans it against the database and, unless this is a dry
/// run, writes it; returns what the summary says. Into a database with no log (a restore
/// onto a new machine) the log is written as it is read, in the one transaction of the
/// whole restore; otherwise it is staged, merged against the rows here, and written after.
fn read_and_restore(
    args: &ImportArgs,
    open: &dyn Fn() -> std::io::Result<Box<dyn Read>>,
    refused: &dyn Fn(anyhow::Error) -> anyhow::Error,
    env: &mut Env,
) -> Result<RestoreSummary> {
    let mut here = env.store.read(|store| store.log_digests())?;
    let dry_run = args.dry_run;
    if dry_run {
        // Nothing is written: the rows are only counted.
        let (mut log_added, mut log_present) = (0, 0);
        let bank = backup::read(open, &mut |l| {
            if here.take(l) {
                log_present += 1;
            } else {
                log_added += 1;
            }
            Ok(())
        })
        .map_err(refused)?;
        let plan = env
            .store
            .read(|store| backup::plan(bank, &store.existing()?))?;
        return Ok(RestoreSummary::of(&plan, true, log_added, log_present));
    }
    if here.is_empty() {
        // A copy first, of a database that has anything (a new one has nothing to keep).
        env.store
            .take_backup(Reason::Restore)
            .context("nothing was restored")?;
        let log_added = std::cell::Cell::new(0);
        let restored = env.store.restore_into_empty(
            |write| {
                backup::read(open, &mut |l| {
                    log_added.set(log_added.get() + 1);
                    write(l)
                })
                .map_err(refused)
            },
            backup::plan,
            |plan| RestoreSummary::of(plan, false, log_added.get(), 0),
        )?;
        if let Some(s) = restored {
            return Ok(s);
        }
        // A grade came in since the log was read: merged as below.
    }
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
    let plan = env
        .store
        .write(|store| backup::plan(bank, &store.existing()?))?;
    let s = RestoreSummary::of(&plan, false, log_added, log_present);
    // A copy first, of a database this restore changes (a merge that adds nothing keeps none).
    if log_added > 0 || !plan.writes_nothing() {
        env.store
            .take_backup(Reason::Restore)
            .context("nothing was restored")?;
        env.store.restore(plan)?;
    }
    Ok(s)
}

/// Restores (or merges) a JSON backup made by `export`: reads and checks it in one pass,
/// keeping its log in a staging table, then writes (see `Store::restore`).
fn restore(args: &ImportArgs, path: &Path, env: &mut Env, out: &mut impl Write) -> Result<()> {
    if args.prune {
        bail!("--prune applies to bank files, not to a backup");
    }
    let shown = path.display();
    let open = || open_backup(path);
    // Not opened here: a FIFO opened twice would lose its writer.
    std::fs::metadata(path).with_context(|| format!("{shown}: cannot read: check the path"))?;
    let refused = |e: anyhow::Error| anyhow::anyhow!("{shown}: {e}; nothing was imported");
    // The log is merged against the rows read here and written in pieces: a second restore
    // running at the same time would read before the first writes and add the same rows
    // again. So restores take turns.
    if !args.dry_run {
        env.store.take_restore_turn()?;
    }
    let restored = read_and_restore(args, &open, &refused, env);
    // Let go of the turn whatever happened: writers waiting on it go on.
    env.store.end_restore_turn();
    let s = restored?;
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

/// Opens a backup for the streaming reader; a `.zst` one is decompressed as it is read.
fn open_backup(path: &Path) -> std::io::Result<Box<dyn Read>> {
    let file = std::fs::File::open(path)?;
    Ok(if path.extension().is_some_and(|x| x == "zst") {
        Box::new(Zst(zstd::stream::read::Decoder::new(file)?))
    } else {
        Box::new(file)
    })
}

/// A zstd stream whose read errors say what they mean to a person.
struct Zst<R: Read>(R);

impl<R: Read> Read for Zst<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("not a whole zstd file ({e}): export the backup again"),
            )
        })
    }
}
