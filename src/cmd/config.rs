//! `rehearse config`: the settings in force and where each came from.

use crate::config::{Settings, Source};
use anyhow::Result;
use std::io::Write;

pub fn run(s: &Settings, out: &mut impl Write) -> Result<()> {
    let file = s.file.as_ref().map(|p| p.display().to_string());
    match (&file, s.file_found) {
        (Some(f), true) => writeln!(out, "# config file: {f}")?,
        (Some(f), false) => writeln!(out, "# config file: {f} (not there: defaults apply)")?,
        (None, _) => writeln!(
            out,
            "# config file: none (no config folder; set REHEARSE_CONFIG)"
        )?,
    }
    let from = |src: &Source| match src {
        Source::Default => "default".to_string(),
        Source::File(line) => format!("{}:{line}", file.as_deref().unwrap_or("?")),
        Source::Env(var) => format!("environment {var}"),
    };
    let rows = [
        (
            "new_per_day",
            s.new_per_day.value.to_string(),
            from(&s.new_per_day.from),
            " (review --new N overrides)",
        ),
        (
            "day_starts",
            s.day_starts.value.to_string(),
            from(&s.day_starts.from),
            "",
        ),
        (
            "color",
            format!("\"{}\"", s.color.value),
            from(&s.color.from),
            " (--color overrides)",
        ),
        (
            "leech_lapses",
            s.leech_lapses.value.to_string(),
            from(&s.leech_lapses.from),
            "",
        ),
        (
            "leech_action",
            format!("\"{}\"", s.leech_action.value),
            from(&s.leech_action.from),
            "",
        ),
    ];
    for (key, value, from, note) in rows {
        writeln!(out, "{key:<12} = {value:<10} # {from}{note}")?;
    }
    Ok(())
}
