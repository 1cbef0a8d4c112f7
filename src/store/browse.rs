//! What list, show, suspend and unsuspend read and write.

use super::Store;
use super::backup::{LOG_COLUMNS, log_from_row};
use super::review::{CARD_SELECT, Sql, set_suspended};
use crate::backup::Log;
use crate::store::{Card, Filter};
use anyhow::Result;
use rusqlite::OptionalExtension;

/// The names the filters accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Names {
    Decks,
    Sections,
    Tags,
}

impl Store {
    /// Every question not retired, narrowed by `filter`, in bank order.
    pub fn cards(&self, filter: &Filter) -> Result<Vec<Card>> {
        let mut sql = Sql::new(&CARD_SELECT);
        sql.push(" WHERE q.retired = 0", []);
        sql.filter(filter);
        sql.push(" ORDER BY d.position, q.position, q.id", []);
        self.query_cards(&sql)
    }

    /// One question by its full id, retired or not.
    pub fn card(&self, id: &str) -> Result<Option<Card>> {
        let mut sql = Sql::new(&CARD_SELECT);
        sql.push(
            " WHERE q.id = ?",
            [rusqlite::types::Value::Text(id.to_string())],
        );
        Ok(self.query_cards(&sql)?.into_iter().next())
    }

    /// The full ids whose question part is `short` (`gmp-model` -> `go-runtime/gmp-model`).
    pub fn ids_ending(&self, short: &str) -> Result<Vec<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id FROM question WHERE substr(id, instr(id, '/') + 1) = ?1 ORDER BY id",
        )?;
        let rows = st.query_map([short], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether a question with this full id exists (retired ones too).
    pub fn has_question(&self, id: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM question WHERE id = ?1", [id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Every log row of a question, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<Log>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {LOG_COLUMNS} FROM review_log l WHERE l.question_id = ?1 ORDER BY l.id"
        ))?;
        let rows = st.query_map([id], log_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Deck ids, sections or tags of the questions not retired (of `decks` when given), with
    /// how many questions each has: decks and sections in bank order, tags by name.
    pub fn names(&self, what: Names, decks: &[String]) -> Result<Vec<(String, u64)>> {
        let (select, order) = match what {
            Names::Decks => ("q.deck_id", "min(d.position)"),
            Names::Sections => ("q.section", "min(d.position), min(q.position)"),
            Names::Tags => ("t.value", "t.value"),
        };
        let from = match what {
            Names::Tags => "question q JOIN deck d ON d.id = q.deck_id, json_each(q.tags) t",
            _ => "question q JOIN deck d ON d.id = q.deck_id",
        };
        let mut sql = Sql::new(&format!(
            "SELECT {select}, count(DISTINCT q.id) FROM {from} WHERE q.retired = 0"
        ));
        sql.filter(&Filter {
            decks: decks.to_vec(),
            ..Filter::default()
        });
        sql.push(&format!(" GROUP BY {select} ORDER BY {order}"), []);
        let mut st = self.conn.prepare_cached(&sql.text)?;
        let rows = st.query_map(rusqlite::params_from_iter(sql.args.iter()), |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets or clears the suspended flag of these questions in one transaction; returns how
    /// many changed.
    pub fn set_suspended(&mut self, ids: &[String], on: bool) -> Result<usize> {
        let tx = self.conn.savepoint()?;
        let mut changed = 0;
        {
            let mut st = tx.prepare("SELECT suspended FROM question WHERE id = ?1")?;
            for id in ids {
                let was: bool = st.query_row([id], |r| r.get(0))?;
                if was != on {
                    set_suspended(&tx, id, on)?;
                    changed += 1;
                }
            }
        }
        tx.commit()?;
        Ok(changed)
    }
}
