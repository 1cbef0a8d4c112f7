//! `rehearse suspend` / `unsuspend`: put questions aside, or bring them back. The flag lives
//! in the database, no import touches it, and the JSON backup carries it.

use super::Env;
use crate::cli::SuspendArgs;
use anyhow::{Result, bail};
use std::io::Write;

pub fn run(args: &SuspendArgs, on: bool, env: &mut Env, out: &mut impl Write) -> Result<()> {
    let verb = if on { "suspend" } else { "unsuspend" };
    let f = &args.filter;
    if args.ids.is_empty() && f.decks.is_empty() && f.sections.is_empty() && f.tags.is_empty() {
        bail!("{verb} what? give question ids, or --deck, --section or --tag");
    }
    let mut ids = Vec::new();
    for id in &args.ids {
        if !env.store.has_question(id)? {
            bail!(
                "no question \"{id}\": nothing was changed; `rehearse list --search TEXT` finds ids (deck/question)"
            );
        }
        ids.push(id.clone());
    }
    let filtered = !f.decks.is_empty() || !f.sections.is_empty() || !f.tags.is_empty();
    if filtered {
        let filter = super::resolve_filter(&env.store, &f.decks, &f.sections, &f.tags)?;
        ids.extend(env.store.cards(&filter)?.into_iter().map(|c| c.question.id));
    }
    ids.sort();
    ids.dedup();
    let changed = env.store.write(|store| store.set_suspended(&ids, on))?;
    let already = ids.len() - changed;
    write!(
        out,
        "{}: {changed} question{}",
        if on { "Suspended" } else { "Unsuspended" },
        if changed == 1 { "" } else { "s" }
    )?;
    match (already, on) {
        (0, _) => {}
        (n, true) => write!(out, " ({n} already suspended)")?,
        (n, false) => write!(
            out,
            " ({n} of the {} selected {} not suspended)",
            ids.len(),
            if n == 1 { "was" } else { "were" }
        )?,
    }
    writeln!(out, ".")?;
    Ok(())
}
