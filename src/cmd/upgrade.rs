//! A new binary with a changed built-in bank brings a database that uses it up to date on
//! the next command: added and changed questions are written, questions dropped from the bank
//! are retired. Only what the bank changed is touched: a question the user retired stays
//! retired (even when the bank changed its text), a suspended one stays suspended.

use super::Env;
use crate::bank::{self, Deck};
use crate::builtin::{self, digest};
use crate::store::{DeckRow, QuestionRow, Store, question_rows};
use anyhow::Result;
use std::collections::HashMap;

/// Records `decks` (the built-in bank) as what the database took, inside the caller's write.
/// Writes nothing when it is already recorded, so an unchanged import writes nothing.
pub fn record(store: &mut Store, decks: &[Deck]) -> Result<()> {
    let current = builtin::fingerprint();
    if store.builtin_fingerprint()?.as_deref() == Some(current.as_str()) {
        return Ok(());
    }
    let digests: Vec<(String, String)> = decks
        .iter()
        .flat_map(question_rows)
        .map(|q| {
            let d = digest(&q);
            (q.id, d)
        })
        .collect();
    store.set_builtin(&current, &digests)
}

/// The record of a database that has only its own banks: never given the built-in one
/// (until an explicit `rehearse import` records the real fingerprint).
const NOT_USED: &str = "";

/// What an upgrade did, for its one line.
struct Done {
    from: Option<String>,
    added: usize,
    changed: usize,
    retired: usize,
}

/// Runs before every command that reads the bank. Costs one query when nothing changed.
pub fn bring_up_to_date(env: &mut Env) -> Result<()> {
    let current = builtin::fingerprint();
    match env.store.builtin_fingerprint()?.as_deref() {
        Some(f) if f == current || f == NOT_USED => return Ok(()),
        // Nothing to bring up to date (an import or a restore may fill it next).
        None if env.store.is_empty()? => return Ok(()),
        _ => {}
    }
    let done = env.store.write(|store| upgrade(store, &current))?;
    if let Some(d) = done {
        let versions = match d.from {
            Some(f) => format!("{f} -> {current}"),
            None => format!("now {current}"),
        };
        eprintln!(
            "rehearse: the built-in bank changed ({versions}): {} added, {} changed, {} retired (dropped from it); suspended questions stay suspended",
            d.added, d.changed, d.retired
        );
    }
    Ok(())
}

/// The upgrade itself, in the caller's transaction. None when the database does not use the
/// built-in bank, or when nothing but the record changed.
fn upgrade(store: &mut Store, current: &str) -> Result<Option<Done>> {
    let decks = bank::builtin();
    let from = store.builtin_fingerprint()?;
    let taken = match &from {
        Some(f) if f == current || f == NOT_USED => return Ok(None),
        Some(_) => store.builtin_taken()?,
        // Before schema 5 nothing was recorded: what the database holds of the built-in
        // decks is what it took.
        None => {
            let mut taken = HashMap::new();
            for d in &decks {
                for q in store.questions_of_deck(&d.id)? {
                    taken.insert(q.id.clone(), digest(&q));
                }
            }
            if taken.is_empty() {
                // Not a built-in deck here: remember that, so later commands need no look.
                if !store.is_empty()? {
                    store.set_builtin(NOT_USED, &[])?;
                }
                return Ok(None);
            }
            taken
        }
    };
    // Every question of the decks the bank has or had.
    let mut deck_ids: Vec<&str> = decks.iter().map(|d| d.id.as_str()).collect();
    deck_ids.extend(
        taken
            .keys()
            .filter_map(|id| id.split_once('/').map(|(d, _)| d)),
    );
    deck_ids.sort_unstable();
    deck_ids.dedup();
    let mut have: HashMap<String, QuestionRow> = HashMap::new();
    for d in deck_ids {
        for q in store.questions_of_deck(d)? {
            have.insert(q.id.clone(), q);
        }
    }
    let rows: Vec<QuestionRow> = decks.iter().flat_map(question_rows).collect();
    let plan = builtin::plan(&rows, &taken, &|id| have.contains_key(id));
    let mut writes: Vec<QuestionRow> = Vec::new();
    for q in rows {
        if plan.added.contains(&q.id) {
            writes.push(q);
        } else if plan.changed.contains(&q.id) {
            // A question the user retired stays retired.
            let retired = have.get(&q.id).is_some_and(|h| h.retired);
            writes.push(QuestionRow { retired, ..q });
        }
    }
    let retire: Vec<String> = plan
        .dropped
        .iter()
        .filter(|id| have.get(*id).is_some_and(|q| !q.retired))
        .cloned()
        .collect();
    let deck_rows = deck_rows(store, &decks)?;
    let changed = !writes.is_empty() || !retire.is_empty() || !deck_rows.is_empty();
    store.write_bank(&deck_rows, &writes, &retire)?;
    record(store, &decks)?;
    // Only report a real change: a first record of an up-to-date database is silent.
    Ok(changed.then_some(Done {
        from,
        added: plan.added.len(),
        changed: plan.changed.len(),
        retired: retire.len(),
    }))
}

/// Decks that are new or whose title or guidance changed; existing ones keep their place.
fn deck_rows(store: &Store, decks: &[Deck]) -> Result<Vec<DeckRow>> {
    let mut next = store.next_deck_position()?;
    let mut rows = Vec::new();
    for d in decks {
        let existing = store.deck(&d.id)?;
        let position = existing.as_ref().map_or_else(
            || {
                next += 1;
                next - 1
            },
            |e| e.position,
        );
        let row = DeckRow {
            id: d.id.clone(),
            title: d.title.clone(),
            guidance: d.guidance.clone(),
            position,
            minutes: d.minutes,
        };
        if existing.as_ref() != Some(&row) {
            rows.push(row);
        }
    }
    Ok(rows)
}
