//! `rehearse export`: the bank as TOML, a full JSON backup, CSV for spreadsheets, or a file
//! Anki imports as it is.

use super::Env;
use crate::backup::{self, FORMAT, VERSION};
use crate::cli::{ExportArgs, ExportFormat};
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

pub fn run(args: &ExportArgs, env: &Env, stdout: &mut impl Write) -> Result<()> {
    let decks = env.store.backup_decks(&args.decks)?;
    for d in &args.decks {
        if !decks.iter().any(|x| &x.id == d) {
            let all: Vec<String> = env
                .store
                .backup_decks(&[])?
                .into_iter()
                .map(|d| d.id)
                .collect();
            bail!("no deck \"{d}\": use one of {}", all.join(", "));
        }
    }
    let questions = env.store.backup_questions(&args.decks)?;
    // -o names a folder when it is one or ends in '/'; several decks need one.
    if let (ExportFormat::Toml, Some(dir)) = (&args.format, &args.output) {
        if dir.is_dir() || dir.to_string_lossy().ends_with('/') {
            return toml_dir(&decks, &questions, dir, &env.db_path);
        }
        if decks.len() > 1 {
            bail!(
                "{} is not a folder, and the toml format holds one deck per file: pass -o {}/ for one file per deck, or --deck D",
                dir.display(),
                dir.display()
            );
        }
    }
    let mut file = args
        .output
        .as_deref()
        .map(|p| AtomicFile::create(p, &env.db_path))
        .transpose()?;
    {
        let sink: Box<dyn Write + '_> = match file.as_mut() {
            Some(f) => Box::new(&mut f.file),
            None => Box::new(stdout),
        };
        if args.output.as_deref().is_some_and(is_zst) {
            // Level 1: the fastest, and JSON still shrinks about tenfold. One worker thread
            // compresses while this one reads and serializes.
            let mut z = zstd::stream::write::Encoder::new(sink, 1)?;
            z.multithread(1)?;
            write_format(args, env, &decks, &questions, &mut z)?;
            z.finish()?;
        } else {
            write_format(args, env, &decks, &questions, sink)?;
        }
    }
    if let Some(f) = file {
        f.commit()?;
    }
    Ok(())
}

/// An export compressed with zstd: `-o backup.json.zst` (any format; `import` restores a
/// `.json.zst` backup as it is).
fn is_zst(path: &Path) -> bool {
    path.extension().is_some_and(|x| x == "zst")
}

/// Writes the chosen format to `sink` through a large buffer: the backup is hundreds of MB,
/// and stdout flushes at every newline.
fn write_format(
    args: &ExportArgs,
    env: &Env,
    decks: &[backup::Deck],
    questions: &[backup::Question],
    sink: impl Write,
) -> Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, sink);
    match args.format {
        ExportFormat::Toml => {
            if decks.len() != 1 {
                bail!(
                    "the toml format holds one deck per file, and {} decks are selected: pass -o DIR for one file per deck, or --deck D",
                    decks.len()
                );
            }
            if !questions.iter().any(|q| !q.retired) {
                bail!(
                    "deck \"{}\" has no active questions: a bank file needs at least one",
                    decks[0].id
                );
            }
            out.write_all(deck_toml(&decks[0], questions)?.as_bytes())?;
        }
        ExportFormat::Json => json(env, &args.decks, decks, questions, &mut out)?,
        ExportFormat::Csv => csv(env, questions, &mut out)?,
        ExportFormat::Anki => anki(decks, questions, &mut out)?,
    }
    out.flush()?;
    Ok(())
}

/// Writes beside the target and renames into place, so a failed export leaves no half file.
/// The temporary is `.<name>.<pid>.tmp`, locked while it is written, so the next export
/// removes one left by a killed process (its lock died with it). A symlinked target is
/// written through: the link stays, the file it points at is replaced.
struct AtomicFile {
    tmp: PathBuf,
    target: PathBuf,
    file: std::fs::File,
    done: bool,
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

impl AtomicFile {
    fn create(target: &Path, db: &Path) -> Result<AtomicFile> {
        let cannot = || {
            format!(
                "cannot write {}: check that its folder exists and is writable",
                target.display()
            )
        };
        let resolved = resolve(target).with_context(cannot)?;
        refuse_the_database(target, &resolved, db)?;
        let dir = match resolved.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = resolved
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .with_context(cannot)?;
        remove_stale_temporaries(&dir, &name);
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let file = std::fs::File::create(&tmp).with_context(cannot)?;
        file.lock().with_context(cannot)?;
        Ok(AtomicFile {
            tmp,
            target: resolved,
            file,
            done: false,
        })
    }
    fn commit(mut self) -> Result<()> {
        self.file.sync_all()?;
        std::fs::rename(&self.tmp, &self.target)
            .with_context(|| format!("cannot write {}", self.target.display()))?;
        self.done = true;
        if let Some(dir) = self.target.parent()
            && let Ok(d) = std::fs::File::open(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            })
        {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// The file a path names: through any symlinks, with its folder made absolute.
fn resolve(target: &Path) -> std::io::Result<PathBuf> {
    let mut path = target.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => break,
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("no file name"))?;
    Ok(std::fs::canonicalize(dir)?.join(name))
}

/// The database, its -wal or its -shm would be destroyed by an export written over it.
fn refuse_the_database(target: &Path, resolved: &Path, db: &Path) -> Result<()> {
    let Ok(db) = resolve(db) else {
        return Ok(());
    };
    for suffix in ["", "-wal", "-shm"] {
        if resolved.as_os_str() == super::beside(&db, suffix).as_os_str() {
            bail!(
                "{} is the database{}{}: write the export to another path",
                target.display(),
                if suffix.is_empty() { "" } else { "'s " },
                suffix.trim_start_matches('-')
            );
        }
    }
    Ok(())
}

/// Removes `.<name>.<pid>.tmp` files whose writer is gone (their lock can be taken).
fn remove_stale_temporaries(dir: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        let ours = file
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
        if !ours {
            continue;
        }
        if let Ok(f) = std::fs::OpenOptions::new().write(true).open(entry.path())
            && f.try_lock().is_ok()
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// One deck in the import format; retired questions are left out.
fn deck_toml(deck: &backup::Deck, questions: &[backup::Question]) -> Result<String> {
    let bank_deck = crate::bank::Deck {
        id: deck.id.clone(),
        title: deck.title.clone(),
        guidance: deck.guidance.clone(),
        minutes: deck.minutes,
        questions: questions
            .iter()
            .filter(|q| q.deck == deck.id && !q.retired)
            .map(|q| crate::bank::Question {
                id: q
                    .id
                    .split_once('/')
                    .map_or(&q.id[..], |(_, id)| id)
                    .to_string(),
                section: q.section.clone(),
                prompt: q.prompt.clone(),
                tags: q.tags.clone(),
                points: q.points.clone(),
                red_flags: q.red_flags.clone(),
                follow_ups: q.follow_ups.clone(),
                verified: q.verified.clone(),
                minutes: q.minutes,
            })
            .collect(),
    };
    crate::bank::to_toml(&bank_deck)
}

fn toml_dir(
    decks: &[backup::Deck],
    questions: &[backup::Question],
    dir: &Path,
    db: &Path,
) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // A deck whose questions are all retired has nothing to import: no file for it.
    let active: Vec<&backup::Deck> = decks
        .iter()
        .filter(|d| questions.iter().any(|q| q.deck == d.id && !q.retired))
        .collect();
    for (i, d) in active.into_iter().enumerate() {
        let path = dir.join(format!("{:02}-{}.toml", i + 1, d.id));
        let mut f = AtomicFile::create(&path, db)?;
        f.file.write_all(deck_toml(d, questions)?.as_bytes())?;
        f.commit()?;
    }
    Ok(())
}

/// The backup, one record per line: diffable, and the log is streamed, never held in memory.
fn json(
    env: &Env,
    filter: &[String],
    decks: &[backup::Deck],
    questions: &[backup::Question],
    out: &mut impl Write,
) -> Result<()> {
    write!(
        out,
        "{{\"format\":{},\"version\":{VERSION},\n\"decks\":[",
        serde_json::to_string(FORMAT)?
    )?;
    list(out, decks)?;
    write!(out, "],\n\"questions\":[")?;
    list(out, questions)?;
    writeln!(out, "],")?;
    // The plan names decks, so it belongs to a backup of them all.
    if let (true, Some(p)) = (filter.is_empty(), env.store.plan()?) {
        let record = backup::PlanRecord {
            date: p.date,
            set_on: p.set_on,
            decks: p.decks,
        };
        writeln!(out, "\"plan\":{},", serde_json::to_string(&record)?)?;
    }
    write!(out, "\"log\":[")?;
    env.store.write_log_json(filter, out)?;
    writeln!(out, "\n]}}")?;
    Ok(())
}

fn list<T: Serialize>(out: &mut impl Write, items: &[T]) -> Result<()> {
    for (i, item) in items.iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, item)?;
    }
    out.write_all(b"\n")?;
    Ok(())
}

/// RFC 4180: quote a field that holds a comma, a quote or a line break; double the quotes.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv(env: &Env, questions: &[backup::Question], out: &mut impl Write) -> Result<()> {
    let lapses: HashMap<String, u64> = env
        .store
        .question_stats(&[])?
        .into_iter()
        .map(|q| (q.id, q.state.map_or(0, |s| s.lapses)))
        .collect();
    out.write_all(b"id,deck,section,prompt,n,ef,interval,due,lapses,last_review\r\n")?;
    for q in questions.iter().filter(|q| !q.retired) {
        let (n, ef, interval, due, last) = match &q.state {
            Some(s) => (
                s.n.to_string(),
                format!("{:.2}", s.ef_milli as f64 / 1000.0),
                s.interval.to_string(),
                s.due.to_string(),
                s.last_review.clone(),
            ),
            None => Default::default(),
        };
        let row = [
            csv_field(&q.id),
            csv_field(&q.deck),
            csv_field(&q.section),
            csv_field(&q.prompt),
            n,
            ef,
            interval,
            due,
            lapses.get(&q.id).copied().unwrap_or(0).to_string(),
            last,
        ];
        out.write_all(row.join(",").as_bytes())?;
        out.write_all(b"\r\n")?;
    }
    Ok(())
}

/// The notes file for Anki's Import File (src/anki.rs).
fn anki(
    decks: &[backup::Deck],
    questions: &[backup::Question],
    out: &mut impl Write,
) -> Result<()> {
    out.write_all(crate::anki::write_notes(decks, questions).as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting_follows_rfc_4180() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }
}
