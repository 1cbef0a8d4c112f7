//! `rehearse export`: the bank as TOML, a full JSON backup, CSV for spreadsheets, or a file
//! Anki imports as it is.

use super::Env;
use crate::backup::{self, FORMAT, VERSION};
use crate::cli::{ExportArgs, ExportFormat};
use crate::points;
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::Path;

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
            return toml_dir(&decks, &questions, dir);
        }
        if decks.len() > 1 {
            bail!(
                "{} is not a folder, and the toml format holds one deck per file: pass -o {}/ for one file per deck, or --deck D",
                dir.display(),
                dir.display()
            );
        }
    }
    let mut file = args.output.as_deref().map(AtomicFile::create).transpose()?;
    {
        // A large buffer: the backup is hundreds of MB, and stdout flushes at every newline.
        let mut out: BufWriter<Box<dyn Write + '_>> = BufWriter::with_capacity(
            1 << 20,
            match file.as_mut() {
                Some(f) => Box::new(&mut f.file),
                None => Box::new(stdout),
            },
        );
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
                out.write_all(deck_toml(&decks[0], &questions)?.as_bytes())?;
            }
            ExportFormat::Json => json(env, &args.decks, &decks, &questions, &mut out)?,
            ExportFormat::Csv => csv(env, &questions, &mut out)?,
            ExportFormat::Anki => anki(&decks, &questions, &mut out)?,
        }
        out.flush()?;
    }
    if let Some(f) = file {
        f.commit()?;
    }
    Ok(())
}

/// Writes beside the target and renames into place, so a failed export leaves no half file.
struct AtomicFile {
    tmp: std::path::PathBuf,
    target: std::path::PathBuf,
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
    fn create(target: &Path) -> Result<AtomicFile> {
        let mut name = target.as_os_str().to_owned();
        name.push(".tmp");
        let tmp = std::path::PathBuf::from(name);
        let file = std::fs::File::create(&tmp).with_context(|| {
            format!(
                "cannot write {}: check that its folder exists and is writable",
                target.display()
            )
        })?;
        Ok(AtomicFile {
            tmp,
            target: target.to_path_buf(),
            file,
            done: false,
        })
    }
    fn commit(mut self) -> Result<()> {
        self.file.sync_all()?;
        std::fs::rename(&self.tmp, &self.target)
            .with_context(|| format!("cannot write {}", self.target.display()))?;
        self.done = true;
        Ok(())
    }
}

#[derive(Serialize)]
struct TomlDeck<'a> {
    deck: TomlDeckHead<'a>,
    question: Vec<TomlQuestion<'a>>,
}

#[derive(Serialize)]
struct TomlDeckHead<'a> {
    id: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    guidance: Option<&'a str>,
}

#[derive(Serialize)]
struct TomlQuestion<'a> {
    id: &'a str,
    section: &'a str,
    prompt: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    points: &'a [String],
}

/// One deck in the import format; retired questions are left out.
fn deck_toml(deck: &backup::Deck, questions: &[backup::Question]) -> Result<String> {
    let doc = TomlDeck {
        deck: TomlDeckHead {
            id: &deck.id,
            title: &deck.title,
            guidance: deck.guidance.as_deref(),
        },
        question: questions
            .iter()
            .filter(|q| q.deck == deck.id && !q.retired)
            .map(|q| TomlQuestion {
                id: q.id.split_once('/').map_or(&q.id, |(_, id)| id),
                section: &q.section,
                prompt: &q.prompt,
                tags: &q.tags,
                points: &q.points,
            })
            .collect(),
    };
    Ok(toml::to_string_pretty(&doc)?)
}

fn toml_dir(decks: &[backup::Deck], questions: &[backup::Question], dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // A deck whose questions are all retired has nothing to import: no file for it.
    let active: Vec<&backup::Deck> = decks
        .iter()
        .filter(|d| questions.iter().any(|q| q.deck == d.id && !q.retired))
        .collect();
    for (i, d) in active.into_iter().enumerate() {
        let path = dir.join(format!("{:02}-{}.toml", i + 1, d.id));
        let mut f = AtomicFile::create(&path)?;
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
    write!(out, "],\n\"log\":[")?;
    let mut first = true;
    env.store.for_each_log(filter, |l| {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        serde_json::to_writer(&mut *out, l)?;
        Ok(())
    })?;
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

/// A tab-separated field for Anki: quoted (quotes doubled) when it holds a tab, a quote or a
/// line break, as Anki's CSV reader expects.
fn anki_field(s: &str) -> String {
    if s.contains(['\t', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn tag(s: &str) -> String {
    let mut t = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            t.extend(c.to_lowercase());
        } else if !t.ends_with('-') && !t.is_empty() {
            t.push('-');
        }
    }
    t.trim_end_matches('-').to_string()
}

fn anki(
    decks: &[backup::Deck],
    questions: &[backup::Question],
    out: &mut impl Write,
) -> Result<()> {
    out.write_all(b"#separator:tab\n#html:false\n#guid column:1\n#tags column:4\n")?;
    let guidance: HashMap<&str, Option<&str>> = decks
        .iter()
        .map(|d| (d.id.as_str(), d.guidance.as_deref()))
        .collect();
    for q in questions.iter().filter(|q| !q.retired) {
        let back = if q.points.is_empty() {
            let g = guidance
                .get(q.deck.as_str())
                .copied()
                .flatten()
                .map(|g| format!("{g}\n"))
                .unwrap_or_default();
            format!("{g}Check all three layers: definition, mechanism, real-world trade-off.")
        } else {
            q.points
                .iter()
                .enumerate()
                .map(|(i, p)| format!("{}) {p}", points::label(i)))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let mut tags = vec![
            format!("rehearse::{}", q.deck),
            format!("rehearse::{}::{}", q.deck, tag(&q.section)),
        ];
        tags.extend(q.tags.iter().map(|t| tag(t)));
        let row = [
            anki_field(&format!("rehearse:{}", q.id)),
            anki_field(&q.prompt),
            anki_field(&back),
            anki_field(&tags.join(" ")),
        ];
        out.write_all(row.join("\t").as_bytes())?;
        out.write_all(b"\n")?;
    }
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

    #[test]
    fn anki_tags_have_no_spaces() {
        assert_eq!(
            tag("Goroutines, Scheduler & the GMP Model"),
            "goroutines-scheduler-the-gmp-model"
        );
        assert_eq!(
            tag("API Design (REST / gRPC / WebSocket)"),
            "api-design-rest-grpc-websocket"
        );
    }
}
