//! `rehearse backups`: the automatic backups, and `backups restore NAME` to put one back.
//! Both work when the database itself cannot be opened: that is when a backup is needed.

use crate::backups::Reason;
use crate::cli::{BackupsAction, BackupsArgs};
use crate::store::{self, Backups, Mode, Store};
use anyhow::{Context, Result};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

#[derive(Serialize)]
struct Listed<'a> {
    name: &'a str,
    day: String,
    reason: &'a str,
    bytes: u64,
    path: String,
}

pub fn run(args: &BackupsArgs, db: &Path, backups: &Backups, out: &mut impl Write) -> Result<()> {
    match &args.action {
        None => list(backups, args.json, out),
        Some(BackupsAction::Restore { name }) => restore(db, backups, name, out),
    }
}

fn list(backups: &Backups, json: bool, out: &mut impl Write) -> Result<()> {
    let all = backups.list()?;
    if json {
        let rows: Vec<Listed> = all
            .iter()
            .map(|b| Listed {
                name: &b.name,
                day: b.day.to_string(),
                reason: &b.reason,
                bytes: b.bytes,
                path: b.path.display().to_string(),
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        writeln!(out)?;
        return Ok(());
    }
    if all.is_empty() {
        writeln!(
            out,
            "No backups yet in {}: rehearse keeps one on the first write of each day.",
            backups.dir.display()
        )?;
        return Ok(());
    }
    writeln!(out, "Backups in {} (newest last):", backups.dir.display())?;
    let width = all.iter().map(|b| b.name.len()).max().unwrap_or(0);
    for b in &all {
        writeln!(out, "  {:width$}  {:>9}", b.name, human_size(b.bytes))?;
    }
    writeln!(out, "Put one back with: rehearse backups restore NAME")?;
    Ok(())
}

fn human_size(bytes: u64) -> String {
    match bytes {
        b if b < 1 << 10 => format!("{b} B"),
        b if b < 1 << 20 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

fn restore(db: &Path, backups: &Backups, name: &str, out: &mut impl Write) -> Result<()> {
    let chosen = backups.find(name)?;
    store::verify(&chosen.path)?;
    let opened = if db.exists() {
        Some(Store::open(db, Mode::ReadWrite, Some(backups.clone())))
    } else {
        None
    };
    match opened {
        Some(Ok(mut live)) => {
            let kept = live
                .take_backup(Reason::BeforeRestore)
                .context("the database was not replaced")?;
            live.restore_from(&chosen.path)?;
            writeln!(out, "Restored {} from {}.", db.display(), chosen.name)?;
            if let Some(k) = kept {
                writeln!(out, "The database as it was is kept in {}.", k.display())?;
            }
        }
        Some(Err(e)) if !store::is_damaged(&e) => return Err(e),
        // Damaged, or missing: the copy takes the file's place.
        _ => {
            let aside = store::replace_file(db, &chosen.path, backups.now)?;
            // Open it once: this migrates a copy of an older schema.
            Store::open(db, Mode::ReadWrite, None)?;
            writeln!(out, "Restored {} from {}.", db.display(), chosen.name)?;
            if let Some(a) = aside {
                writeln!(out, "The damaged file is kept as {}.", a.display())?;
            }
        }
    }
    Ok(())
}
