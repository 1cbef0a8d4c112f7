//! The interview plan: its one row, and what the plan reads to pace and deal the final
//! window. Nothing here writes SM-2 state.

use super::review::{ACTIVE, CARD_SELECT, Sql};
use super::{Store, date};
use crate::plan::{Candidate, Plan, ReadyFacts, Strength};
use crate::store::{Card, Filter};
use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use std::collections::HashMap;

/// One question's readiness facts, with its deck.
pub struct ReadyRow {
    pub deck_id: String,
    pub facts: ReadyFacts,
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn plan_filter(plan: &Plan) -> Filter {
    Filter {
        decks: plan.decks.clone(),
        ..Filter::default()
    }
}

impl Store {
    /// The plan, if one is set.
    pub fn plan(&self) -> Result<Option<Plan>> {
        let row = self
            .conn
            .query_row(
                "SELECT date, set_on, decks FROM interview_plan WHERE one = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                },
            )
            .optional()?;
        let Some((d, set_on, decks)) = row else {
            return Ok(None);
        };
        Ok(Some(Plan {
            date: date(&d)?,
            set_on: date(&set_on)?,
            decks: serde_json::from_str(&decks).unwrap_or_default(),
        }))
    }

    /// Sets (or replaces) the plan.
    pub fn set_plan(&mut self, plan: &Plan) -> Result<()> {
        self.write(|s| put_plan(&s.conn, plan))
    }

    /// Removes the plan; false when there was none.
    pub fn clear_plan(&mut self) -> Result<bool> {
        self.write(|s| Ok(s.conn.execute("DELETE FROM interview_plan", [])? > 0))
    }

    /// The plan's active questions never reviewed before today: those still new, and those
    /// first reviewed today (so the pace stays the same all day). Both counts go through
    /// indexes: the new ones as review counts them, today's first reviews by `introduced`.
    pub fn plan_unseen_at_start(&self, plan: &Plan, today: NaiveDate) -> Result<u64> {
        let filter = plan_filter(plan);
        let mut sql = Sql::new(&format!(
            "SELECT count(*) FROM card_state s JOIN question q ON q.id = s.question_id
             WHERE s.introduced >= ?1 AND {ACTIVE}"
        ));
        sql.args.push(text(today.to_string()));
        sql.filter(&filter);
        let mut st = self.conn.prepare_cached(&sql.text)?;
        let today_first: i64 =
            st.query_row(rusqlite::params_from_iter(sql.args.iter()), |r| r.get(0))?;
        Ok(self.new_total(&filter)? + today_first.max(0) as u64)
    }

    /// The plan's seen questions that had no scheduling review in the final window before
    /// today, with their strength and due date as at the start of today: the same answer all
    /// day, however many grades today has seen. The log is read only from the window's first
    /// day on (through its day index), not question by question.
    pub fn plan_candidates(&self, plan: &Plan, today: NaiveDate) -> Result<Vec<Candidate>> {
        #[derive(Default)]
        struct Seen {
            before_today: bool,
            /// EF and due before today's first review.
            first_today: Option<(u32, NaiveDate)>,
            lapses_today: u64,
        }
        let mut window: HashMap<String, Seen> = HashMap::new();
        let mut st = self.conn.prepare_cached(
            // `+kind`: through the day index (the window's days), not the kind index (the
            // whole log's reviews).
            "SELECT question_id, day, ef_before, due_before, grade FROM review_log
             WHERE day >= ?1 AND day <= ?2 AND +kind = 'review' ORDER BY id",
        )?;
        let mut rows = st.query([plan.window_start().to_string(), today.to_string()])?;
        while let Some(r) = rows.next()? {
            let seen = window.entry(r.get(0)?).or_default();
            if date(&r.get::<_, String>(1)?)? < today {
                seen.before_today = true;
                continue;
            }
            if seen.first_today.is_none() {
                let due: Option<String> = r.get(3)?;
                // A first review today of a question seen before has a due date before it.
                if let Some(due) = due {
                    seen.first_today = Some((r.get(2)?, date(&due)?));
                }
            }
            seen.lapses_today += u64::from(r.get::<_, u8>(4)? < 3);
        }
        // Driven deck by deck through the bank-order index, which covers every question
        // column read here: the question rows (prompts, rubrics) are never read.
        let mut sql = Sql::new(&format!(
            "SELECT q.id, d.position, q.position, s.ef_milli, s.lapses, s.due
             FROM deck d CROSS JOIN question q INDEXED BY question_deck_order ON q.deck_id = d.id
             CROSS JOIN card_state s ON s.question_id = q.id
             WHERE {ACTIVE} AND s.introduced < ?1"
        ));
        sql.args.push(text(today.to_string()));
        sql.filter(&plan_filter(plan));
        let mut st = self.conn.prepare_cached(&sql.text)?;
        let mut rows = st.query(rusqlite::params_from_iter(sql.args.iter()))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let seen = window.remove(&id).unwrap_or_default();
            if seen.before_today {
                continue;
            }
            let (ef_milli, due) = match seen.first_today {
                Some(start) => start,
                None => (r.get(3)?, date(&r.get::<_, String>(5)?)?),
            };
            out.push(Candidate {
                strength: Strength {
                    id,
                    ef_milli,
                    lapses: (r.get::<_, i64>(4)?.max(0) as u64).saturating_sub(seen.lapses_today),
                    order: (r.get(1)?, r.get(2)?),
                },
                due,
                reviewed_today: seen.first_today.is_some(),
            });
        }
        Ok(out)
    }

    /// The day's deal kept for `plan` on `day` (see migration 0010), if there is one.
    pub fn plan_deal(&self, plan: &Plan, day: NaiveDate) -> Result<Option<Vec<String>>> {
        let kept: Option<String> = self
            .conn
            .query_row(
                "SELECT finals FROM plan_deal WHERE one = 1 AND day = ?1 AND plan = ?2",
                [day.to_string(), deal_key(plan)?],
                |r| r.get(0),
            )
            .optional()?;
        Ok(kept.map(|f| serde_json::from_str(&f)).transpose()?)
    }

    /// Deals the day with `deal` and keeps the result, under the write lock so that no other
    /// write (which forgets the deal) falls between reading the states and keeping what was
    /// made of them. When the lock is not free at once, or the database cannot be written,
    /// deals without keeping: the deal is the same either way.
    pub fn deal_and_keep(
        &mut self,
        plan: &Plan,
        day: NaiveDate,
        deal: impl Fn(&Store) -> Result<Vec<String>>,
    ) -> Result<Vec<String>> {
        self.conn.busy_timeout(std::time::Duration::ZERO)?;
        let locked = self.conn.execute_batch("BEGIN IMMEDIATE").is_ok();
        self.conn.busy_timeout(super::BUSY_TIMEOUT)?;
        if !locked {
            return deal(self);
        }
        // Another review may have kept it since it was looked for.
        let kept = match self.plan_deal(plan, day) {
            Ok(Some(kept)) => Ok(kept),
            Ok(None) => deal(self).and_then(|finals| {
                self.conn.execute(
                    "INSERT OR REPLACE INTO plan_deal (one, day, plan, finals)
                     VALUES (1, ?1, ?2, ?3)",
                    [
                        day.to_string(),
                        deal_key(plan)?,
                        serde_json::to_string(&finals)?,
                    ],
                )?;
                Ok(finals)
            }),
            Err(e) => Err(e),
        };
        match kept {
            Ok(finals) if self.conn.execute_batch("COMMIT").is_ok() => Ok(finals),
            _ => {
                let _ = self.conn.execute_batch("ROLLBACK");
                deal(self)
            }
        }
    }

    /// The questions that had a scheduling review on `day`.
    pub fn reviewed_on(&self, day: NaiveDate) -> Result<std::collections::HashSet<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT DISTINCT question_id FROM review_log WHERE day = ?1 AND +kind = 'review'",
        )?;
        let rows = st.query_map([day.to_string()], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Those of `ids` that are active and match `filter`, in bank order.
    pub fn ids_matching(&self, ids: &[String], filter: &Filter) -> Result<Vec<String>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(
            "SELECT q.id FROM question q JOIN deck d ON d.id = q.deck_id
             WHERE q.id IN (SELECT value FROM json_each(?1))",
        );
        sql.args.push(text(serde_json::to_string(ids)?));
        sql.push(&format!(" AND {ACTIVE}"), []);
        sql.filter(filter);
        sql.push(" ORDER BY d.position, q.position, q.id", []);
        let mut st = self.conn.prepare_cached(&sql.text)?;
        let rows = st.query_map(rusqlite::params_from_iter(sql.args.iter()), |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// These questions as review shows them, narrowed by `filter`, in bank order.
    pub fn cards_by_ids(&self, ids: &[String], filter: &Filter) -> Result<Vec<Card>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(&CARD_SELECT);
        sql.push(
            &format!(" WHERE {ACTIVE} AND q.id IN (SELECT value FROM json_each(?))"),
            [text(serde_json::to_string(ids)?)],
        );
        sql.filter(filter);
        sql.push(" ORDER BY d.position, q.position, q.id", []);
        self.query_cards(&sql)
    }

    /// Readiness facts of every active question of `decks` (all decks when none), in bank
    /// order, from the states alone: they keep whether a question has two scheduling reviews
    /// and its last one's grade and missed points (migration 0011).
    pub fn ready_rows(&self, decks: &[String]) -> Result<Vec<ReadyRow>> {
        let mut sql = Sql::new(&format!(
            // Through the bank-order index (in bank order, covering what is read) and
            // card_state; a question's rubric is read only when its last review missed points.
            "SELECT q.deck_id, s.n, s.lapses, s.last_grade, s.last_missed,
                 CASE WHEN s.last_missed IS NOT NULL THEN q.points END
             FROM deck d CROSS JOIN question q INDEXED BY question_deck_order ON q.deck_id = d.id
             LEFT JOIN card_state s ON s.question_id = q.id
             WHERE {ACTIVE}"
        ));
        sql.filter(&Filter {
            decks: decks.to_vec(),
            ..Filter::default()
        });
        sql.push(" ORDER BY d.position, q.position, q.id", []);
        let mut st = self.conn.prepare_cached(&sql.text)?;
        let rows = st.query_map(rusqlite::params_from_iter(sql.args.iter()), |r| {
            let missed: Option<String> = r.get(4)?;
            let missed: Vec<usize> = missed
                .and_then(|m| serde_json::from_str(&m).ok())
                .unwrap_or_default();
            let points: Option<String> = r.get(5)?;
            let musts: Vec<bool> = points
                .and_then(|p| serde_json::from_str::<Vec<crate::points::Point>>(&p).ok())
                .map(|p| p.iter().map(|p| p.must).collect())
                .unwrap_or_default();
            let n: Option<u32> = r.get(1)?;
            let lapses = r.get::<_, Option<i64>>(2)?.unwrap_or(0).max(0) as u64;
            Ok(ReadyRow {
                deck_id: r.get(0)?,
                facts: ReadyFacts {
                    two_reviews: n.is_some_and(|n| crate::plan::has_two_reviews(n, lapses)),
                    last_grade: r.get(3)?,
                    missed_must: crate::plan::missed_a_must(&missed, &musts),
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// SM-2 due dates of the plan's active questions before `until`, with counts; everything
    /// due on `today` or earlier counts on `today`.
    pub fn plan_due_counts(
        &self,
        plan: &Plan,
        today: NaiveDate,
        until: NaiveDate,
    ) -> Result<Vec<(NaiveDate, u64)>> {
        if plan.decks.is_empty() {
            return self.due_counts_from_tally(today, until);
        }
        let mut sql = Sql::new(&format!(
            "SELECT max(s.due, ?1), count(*)
             FROM deck d CROSS JOIN question q INDEXED BY question_deck_order ON q.deck_id = d.id
             CROSS JOIN card_state s ON s.question_id = q.id
             WHERE {ACTIVE} AND s.due < ?2"
        ));
        sql.args.push(text(today.to_string()));
        sql.args.push(text(until.to_string()));
        sql.filter(&plan_filter(plan));
        sql.push(" GROUP BY 1 ORDER BY 1", []);
        let mut st = self.conn.prepare_cached(&sql.text)?;
        let rows = st.query_map(rusqlite::params_from_iter(sql.args.iter()), |r| {
            Ok((
                date(&r.get::<_, String>(0)?)?,
                r.get::<_, i64>(1)?.max(0) as u64,
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// `plan_due_counts` for the whole bank: the states of each due day from the queue's
    /// tally (migration 12), less those of inactive questions (a few, through their partial
    /// index), instead of reading every state.
    fn due_counts_from_tally(
        &self,
        today: NaiveDate,
        until: NaiveDate,
    ) -> Result<Vec<(NaiveDate, u64)>> {
        let args = [today.to_string(), until.to_string()];
        let counts = |sql: &str| -> Result<Vec<(String, i64)>> {
            let mut st = self.conn.prepare_cached(sql)?;
            let rows = st.query_map(rusqlite::params_from_iter(&args), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let mut per_day: std::collections::BTreeMap<String, i64> =
            counts("SELECT max(due, ?1), sum(states) FROM due_tally WHERE due < ?2 GROUP BY 1")?
                .into_iter()
                .collect();
        for (day, n) in counts(
            "SELECT max(s.due, ?1), count(*) FROM question q INDEXED BY question_inactive
             CROSS JOIN card_state s ON s.question_id = q.id
             WHERE (q.retired = 1 OR q.suspended = 1) AND s.due < ?2 GROUP BY 1",
        )? {
            *per_day.entry(day).or_default() -= n;
        }
        per_day
            .into_iter()
            .filter(|&(_, n)| n > 0)
            .map(|(day, n)| Ok((date(&day)?, n as u64)))
            .collect()
    }
}

/// What a kept deal was made for: the plan's date, the day it was set and its decks.
fn deal_key(plan: &Plan) -> Result<String> {
    Ok(serde_json::to_string(&(
        plan.date.to_string(),
        plan.set_on.to_string(),
        &plan.decks,
    ))?)
}

/// Writes the plan row, inside the caller's transaction.
pub(super) fn put_plan(conn: &rusqlite::Connection, plan: &Plan) -> Result<()> {
    conn.execute(
        "INSERT INTO interview_plan (one, date, set_on, decks) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (one) DO UPDATE SET date = excluded.date, set_on = excluded.set_on,
         decks = excluded.decks",
        rusqlite::params![
            plan.date.to_string(),
            plan.set_on.to_string(),
            serde_json::to_string(&plan.decks)?
        ],
    )?;
    Ok(())
}
