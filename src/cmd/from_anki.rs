//! `rehearse import --from-anki FILE -o DIR`: an Anki "Notes in Plain Text" export becomes a
//! bank folder, one TOML file a deck, validated like any bank. The database is not touched:
//! the person reads the files, then imports them as usual.

use crate::{anki, bank};
use anyhow::{Context, Result, bail};
use std::io::{Read, Write};
use std::path::Path;

/// Larger than any deck of notes a person keeps; a bigger file is refused, not read.
const MAX_BYTES: u64 = 64 << 20;

pub fn run(file: &Path, dir: Option<&Path>, out: &mut impl Write) -> Result<()> {
    let Some(dir) = dir else {
        bail!("--from-anki writes bank files: add -o DIR for the folder to write them into");
    };
    let shown = file.display();
    let meta =
        std::fs::metadata(file).with_context(|| format!("cannot read {shown}: check the path"))?;
    if !meta.is_file() {
        bail!("{shown} is not a regular file: pass the .txt file Anki exported");
    }
    if meta.len() > MAX_BYTES {
        bail!("{shown} is larger than 64 MB: split the export by deck");
    }
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(MAX_BYTES + 1).read_to_end(&mut bytes))
        .with_context(|| format!("cannot read {shown}"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{shown} is not UTF-8 (byte {}): export it again from Anki, which writes UTF-8",
            e.utf8_error().valid_up_to()
        )
    })?;
    let notes = anki::notes(&text).or_else(|problems| {
        let mut err = std::io::stderr().lock();
        for p in &problems {
            let _ = writeln!(err, "{shown}:{}: {}", p.line, p.message);
        }
        bail!(
            "{} problem{} in {shown}: nothing was written; fix {} and run again",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            if problems.len() == 1 { "it" } else { "them" }
        )
    })?;
    if notes.is_empty() {
        bail!("{shown} holds no notes: export a deck from Anki as Notes in Plain Text");
    }
    let decks = anki::decks(&notes);
    // Validate what will be written exactly as `import` will read it.
    let mut files = Vec::new();
    for (i, d) in decks.iter().enumerate() {
        let name = format!("{:02}-{}.toml", i + 1, d.id);
        files.push((name, bank::to_toml(d)?.into_bytes()));
    }
    if let Err(problems) = bank::parse_all(&files) {
        let mut err = std::io::stderr().lock();
        for p in &problems {
            let _ = writeln!(err, "{p}");
        }
        bail!("the converted bank would not import: nothing was written");
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, bytes) in &files {
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, bytes)
            .and_then(|_| std::fs::rename(&tmp, &path))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let questions: usize = decks.iter().map(|d| d.questions.len()).sum();
    let retired = notes
        .iter()
        .filter(|n| n.tags.iter().any(|t| t == anki::RETIRED_TAG))
        .count();
    let s = |n: usize| if n == 1 { "" } else { "s" };
    writeln!(
        out,
        "converted {} note{} into {questions} question{} in {} deck{}{}, written to {}: read them, then run rehearse import {}",
        notes.len(),
        s(notes.len()),
        s(questions),
        decks.len(),
        s(decks.len()),
        if retired > 0 {
            format!(" ({retired} retired in rehearse, left out)")
        } else {
            String::new()
        },
        dir.display(),
        dir.display()
    )?;
    Ok(())
}
