//! Decks and questions: what import reads and writes.

use super::Store;
use crate::points::Point;
use anyhow::Result;
use rusqlite::{OptionalExtension, params};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeckRow {
    pub id: String,
    pub title: String,
    pub guidance: Option<String>,
    pub position: i64,
    pub minutes: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionRow {
    /// Full id: `deck/question`.
    pub id: String,
    pub deck_id: String,
    pub section: String,
    pub prompt: String,
    pub tags: Vec<String>,
    pub points: Vec<Point>,
    pub position: i64,
    pub retired: bool,
    pub red_flags: Vec<String>,
    pub follow_ups: Vec<String>,
    pub verified: Option<String>,
    pub minutes: Option<u32>,
}

/// The question columns `question_from_row` reads, after `q.`.
pub(super) const QUESTION_COLUMNS: &str =
    "q.id, q.deck_id, q.section, q.prompt, q.tags, q.points, q.position, q.retired,
    q.red_flags, q.follow_ups, q.verified, q.minutes";

fn json_list<T: serde::de::DeserializeOwned>(raw: String) -> rusqlite::Result<Vec<T>> {
    serde_json::from_str(&raw).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// A question from a row that starts with `QUESTION_COLUMNS`, read by position (by name,
/// each of the row's columns is looked up in a scan of all its names: a sixth of the first
/// question's work).
pub(super) fn question_from_row(r: &rusqlite::Row) -> rusqlite::Result<QuestionRow> {
    Ok(QuestionRow {
        id: r.get(0)?,
        deck_id: r.get(1)?,
        section: r.get(2)?,
        prompt: r.get(3)?,
        tags: json_list(r.get(4)?)?,
        points: json_list(r.get(5)?)?,
        position: r.get(6)?,
        retired: r.get(7)?,
        red_flags: json_list(r.get(8)?)?,
        follow_ups: json_list(r.get(9)?)?,
        verified: r.get(10)?,
        minutes: r.get(11)?,
    })
}

/// How many columns `QUESTION_COLUMNS` names.
pub(super) const QUESTION_COLUMN_COUNT: usize = 12;

impl Store {
    pub fn decks(&self) -> Result<Vec<DeckRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, title, guidance, position, minutes FROM deck ORDER BY position",
        )?;
        let rows = st.query_map([], |r| {
            Ok(DeckRow {
                id: r.get(0)?,
                title: r.get(1)?,
                guidance: r.get(2)?,
                position: r.get(3)?,
                minutes: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn deck(&self, id: &str) -> Result<Option<DeckRow>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, title, guidance, position, minutes FROM deck WHERE id = ?1",
                [id],
                |r| {
                    Ok(DeckRow {
                        id: r.get(0)?,
                        title: r.get(1)?,
                        guidance: r.get(2)?,
                        position: r.get(3)?,
                        minutes: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Every question of a deck, retired ones too, in bank order.
    pub fn questions_of_deck(&self, deck_id: &str) -> Result<Vec<QuestionRow>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {QUESTION_COLUMNS} FROM question q WHERE q.deck_id = ?1 ORDER BY q.position, q.id"
        ))?;
        let rows = st.query_map([deck_id], question_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Writes an import in one transaction: decks to insert or update, questions to insert or
    /// update (by full id), and questions to retire. Nothing else is touched.
    pub fn write_bank(
        &mut self,
        decks: &[DeckRow],
        questions: &[QuestionRow],
        retire: &[String],
    ) -> Result<()> {
        // A savepoint: its own transaction, or part of the caller's (see Store::write).
        let tx = self.conn.savepoint()?;
        write_bank_rows(&tx, decks, questions, retire)?;
        tx.commit()?;
        Ok(())
    }

    /// Bank files imported before whose deck is still as they made it, by the SHA-256 of
    /// their bytes: the deck id and how many questions the file holds.
    pub fn import_hashes(&self) -> Result<HashMap<[u8; 32], (String, usize)>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT hash, deck_id, questions FROM import_hash")?;
        let rows = st.query_map([], |r| {
            let n: i64 = r.get(2)?;
            Ok((r.get::<_, [u8; 32]>(0)?, (r.get(1)?, n as usize)))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records that the file with this hash made `deck_id` what it is now (after the import's
    /// writes, which forget the deck's older hashes).
    pub fn remember_import(&self, hash: &[u8; 32], deck_id: &str, questions: usize) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO import_hash (hash, deck_id, questions) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![hash, deck_id, questions as i64])?;
        Ok(())
    }

    /// The position a newly imported deck gets: after every deck already there.
    /// Counted in Rust: SQLite would turn an overflowing `max(position) + 1` into a float.
    pub fn next_deck_position(&self) -> Result<i64> {
        let max: Option<i64> = self
            .conn
            .query_row("SELECT max(position) FROM deck", [], |r| r.get(0))?;
        match max {
            None => Ok(0),
            Some(m) => m.checked_add(1).ok_or_else(|| {
                anyhow::anyhow!(
                    "a deck sits at position {m}, the last there is, so no deck can be added after it: restore a backup made before, or export the bank and import it into a new database"
                )
            }),
        }
    }
}

/// Inserts or updates decks and questions (by id) and retires questions, inside the caller's
/// transaction. Import and restore both write through it.
pub(super) fn write_bank_rows(
    tx: &rusqlite::Connection,
    decks: &[DeckRow],
    questions: &[QuestionRow],
    retire: &[String],
) -> Result<()> {
    {
        // The bank files that made these decks no longer describe them: read them next time.
        let touched: std::collections::BTreeSet<&str> = decks
            .iter()
            .map(|d| d.id.as_str())
            .chain(questions.iter().map(|q| q.deck_id.as_str()))
            .collect();
        let mut forget = tx.prepare("DELETE FROM import_hash WHERE deck_id = ?1")?;
        for deck in &touched {
            forget.execute([deck])?;
        }
        let mut forget_of = tx.prepare(
            "DELETE FROM import_hash WHERE deck_id = (SELECT deck_id FROM question WHERE id = ?1)",
        )?;
        for id in retire {
            forget_of.execute([id])?;
        }
        let mut deck_st = tx.prepare(
                "INSERT INTO deck (id, title, guidance, position, minutes) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET title = excluded.title, guidance = excluded.guidance,
                 position = excluded.position, minutes = excluded.minutes",
            )?;
        for d in decks {
            deck_st.execute(params![d.id, d.title, d.guidance, d.position, d.minutes])?;
        }
        let mut q_st = tx.prepare(
                "INSERT INTO question (id, deck_id, section, prompt, tags, points, position, retired,
                    red_flags, follow_ups, verified, minutes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT (id) DO UPDATE SET section = excluded.section, prompt = excluded.prompt,
                 tags = excluded.tags, points = excluded.points, position = excluded.position,
                 retired = excluded.retired, red_flags = excluded.red_flags,
                 follow_ups = excluded.follow_ups, verified = excluded.verified,
                 minutes = excluded.minutes",
            )?;
        for q in questions {
            q_st.execute(params![
                q.id,
                q.deck_id,
                q.section,
                q.prompt,
                serde_json::to_string(&q.tags)?,
                serde_json::to_string(&q.points)?,
                q.position,
                q.retired,
                serde_json::to_string(&q.red_flags)?,
                serde_json::to_string(&q.follow_ups)?,
                q.verified,
                q.minutes,
            ])?;
        }
        let mut r_st = tx.prepare("UPDATE question SET retired = 1 WHERE id = ?1")?;
        for id in retire {
            r_st.execute([id])?;
        }
        // Readiness per deck (migration 0014): the decks written, counted again.
        let mut deck_of = tx.prepare("SELECT deck_id FROM question WHERE id = ?1")?;
        let mut written: std::collections::BTreeSet<String> =
            touched.iter().map(|d| d.to_string()).collect();
        for id in retire {
            if let Some(deck) = deck_of.query_row([id], |r| r.get(0)).optional()? {
                written.insert(deck);
            }
        }
        super::plan::recount_ready(tx, written.iter().map(String::as_str))?;
    }
    // The queue's tally (migration 12): this is the only writer of questions, and an upsert
    // does not say whether it added a row, so count them (an index count, beside the rows).
    if !questions.is_empty() {
        tx.execute(
            "UPDATE tally SET questions = (SELECT count(*) FROM question)",
            [],
        )?;
    }
    Ok(())
}

/// A deck's questions as the store keeps them, in bank order.
pub fn question_rows(deck: &crate::bank::Deck) -> impl Iterator<Item = QuestionRow> + '_ {
    deck.questions.iter().enumerate().map(|(i, q)| QuestionRow {
        id: format!("{}/{}", deck.id, q.id),
        deck_id: deck.id.clone(),
        section: q.section.clone(),
        prompt: q.prompt.clone(),
        tags: q.tags.clone(),
        points: q.points.clone(),
        position: i as i64,
        retired: false,
        red_flags: q.red_flags.clone(),
        follow_ups: q.follow_ups.clone(),
        verified: q.verified.clone(),
        minutes: q.minutes,
    })
}
