//! The interview plan: its one row, and what the plan reads to pace and deal the final
//! window. Nothing here writes SM-2 state.

use super::review::{ACTIVE, CARD_SELECT, Sql};
use super::{Store, date};
use crate::plan::{Candidate, Deal, DealtDay, Plan, Strength};
use crate::store::{Card, Filter};
use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use rusqlite::types::Value;
use std::collections::HashMap;

/// One deck's active questions, how many of them have a state (seen), and how many are
/// ready (see migration 0014).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeckCounts {
    pub deck_id: String,
    pub questions: u64,
    pub states: u64,
    pub ready: u64,
}

/// Each deck's counts as `deck_ready` keeps them, counted from the rows: its active questions,
/// their states, and the ready ones (the condition of migration 0014, which also fills it).
const READY_COUNTS: &str = "SELECT d.id, count(q.id), count(s.question_id), coalesce(sum(
        CASE WHEN (s.n >= 2 OR (s.n = 1 AND s.lapses > 0)) AND s.last_grade >= 4
            AND NOT EXISTS (SELECT 1 FROM json_each(s.last_missed) m
                WHERE json_extract(q.points, '$[' || m.value || '].must') = 1)
        THEN 1 ELSE 0 END), 0)
    FROM deck d LEFT JOIN question q ON q.deck_id = d.id AND q.retired = 0 AND q.suspended = 0
    LEFT JOIN card_state s ON s.question_id = q.id";

/// Counts these decks' rows again into `deck_ready`, inside the caller's transaction: after a
/// write of their questions (what the triggers on card_state do not see).
pub(super) fn recount_ready<'a>(
    conn: &rusqlite::Connection,
    decks: impl IntoIterator<Item = &'a str>,
) -> Result<()> {
    let mut st = conn.prepare_cached(&format!(
        "INSERT OR REPLACE INTO deck_ready (deck_id, questions, states, ready)
         {READY_COUNTS} WHERE d.id = ?1 GROUP BY d.id"
    ))?;
    for deck in decks {
        st.execute([deck])?;
    }
    Ok(())
}

/// Counts every deck again into `deck_ready`, inside the caller's transaction: after a bulk
/// write with card_state's triggers set aside.
pub(super) fn recount_all_ready(conn: &rusqlite::Connection) -> Result<()> {
    conn.execute_batch(&format!(
        "DELETE FROM deck_ready;
         INSERT INTO deck_ready (deck_id, questions, states, ready) {READY_COUNTS} GROUP BY d.id;"
    ))?;
    Ok(())
}

/// A question goes in or out of the counts (suspended, or back), inside the caller's
/// transaction: `sign` +1 or -1. A retired question is out of them either way.
pub(super) fn adjust_ready(
    conn: &rusqlite::Connection,
    question_id: &str,
    sign: i64,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE deck_ready SET questions = questions + ?2,
             states = states + ?2 * (SELECT count(*) FROM card_state WHERE question_id = ?1),
             ready = ready + ?2 * coalesce((SELECT
                 CASE WHEN (s.n >= 2 OR (s.n = 1 AND s.lapses > 0)) AND s.last_grade >= 4
                     AND NOT EXISTS (SELECT 1 FROM json_each(s.last_missed) m
                         WHERE json_extract(q.points, '$[' || m.value || '].must') = 1)
                 THEN 1 ELSE 0 END
                 FROM card_state s JOIN question q ON q.id = s.question_id
                 WHERE s.question_id = ?1), 0)
         WHERE deck_id = (SELECT deck_id FROM question WHERE id = ?1 AND retired = 0)",
    )?
    .execute(rusqlite::params![question_id, sign])?;
    Ok(())
}

/// What the log says of one question's scheduling reviews in the window so far.
#[derive(Default)]
struct Seen {
    /// One before today.
    before_today: bool,
    /// EF and due before today's first review.
    first_today: Option<(u32, NaiveDate)>,
    lapses_today: u64,
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

    /// The plan's active questions first reviewed today: counted among the unseen all day, so
    /// that the pace stays the same (through the `introduced` index).
    pub fn plan_introduced_today(&self, plan: &Plan, today: NaiveDate) -> Result<u64> {
        let mut sql = Sql::new(&format!(
            "SELECT count(*) FROM card_state s JOIN question q ON q.id = s.question_id
             WHERE s.introduced >= ?1 AND {ACTIVE}"
        ));
        sql.args.push(text(today.to_string()));
        sql.filter(&plan_filter(plan));
        let mut st = self.conn.prepare_cached(&sql.text)?;
        let n: i64 = st.query_row(rusqlite::params_from_iter(sql.args.iter()), |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// The plan's seen questions that had no scheduling review in the final window before
    /// today, with their strength and due date as at the start of today: the same answer all
    /// day, however many grades today has seen. The log is read only from the window's first
    /// day on (through its day index), not question by question.
    pub fn plan_candidates(&self, plan: &Plan, today: NaiveDate) -> Result<Vec<Candidate>> {
        let mut window = self.reviews_from(plan.window_start(), today)?;
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

    /// Those of `plan_candidates` that had a scheduling review today, from today's log rows
    /// alone (a few hundred, not every seen question): each one a candidate when it was seen
    /// before today and had no scheduling review in the window before today.
    pub fn plan_reviewed_today(&self, plan: &Plan, today: NaiveDate) -> Result<Vec<Candidate>> {
        let window = self.reviews_from(today, today)?;
        let mut sql = Sql::new(&format!(
            "SELECT d.position, q.position, s.lapses
             FROM question q JOIN deck d ON d.id = q.deck_id
             JOIN card_state s ON s.question_id = q.id
             WHERE q.id = ?1 AND {ACTIVE} AND s.introduced < ?2
             AND NOT EXISTS (SELECT 1 FROM review_log l WHERE l.question_id = q.id
                 AND l.kind = 'review' AND l.day >= ?3 AND l.day < ?2)"
        ));
        sql.args.push(Value::Null);
        sql.args.push(text(today.to_string()));
        sql.args.push(text(plan.window_start().to_string()));
        sql.filter(&plan_filter(plan));
        let mut st = self.conn.prepare_cached(&sql.text)?;
        let mut out = Vec::new();
        let mut seen: Vec<(String, Seen)> = window.into_iter().collect();
        seen.sort_by(|a, b| a.0.cmp(&b.0));
        for (id, seen) in seen {
            let Some((ef_milli, due)) = seen.first_today else {
                continue;
            };
            sql.args[0] = text(id.as_str());
            let row = st
                .query_row(rusqlite::params_from_iter(sql.args.iter()), |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                })
                .optional()?;
            if let Some((deck_pos, pos, lapses)) = row {
                out.push(Candidate {
                    strength: Strength {
                        id,
                        ef_milli,
                        lapses: (lapses.max(0) as u64).saturating_sub(seen.lapses_today),
                        order: (deck_pos, pos),
                    },
                    due,
                    reviewed_today: true,
                });
            }
        }
        Ok(out)
    }

    /// What the scheduling reviews from `from` to `today` say of each question reviewed: one
    /// before today, and the EF and due before its first review today. The log is read
    /// through its day index, not question by question.
    fn reviews_from(&self, from: NaiveDate, today: NaiveDate) -> Result<HashMap<String, Seen>> {
        let mut window: HashMap<String, Seen> = HashMap::new();
        let mut st = self.conn.prepare_cached(
            // `+kind`: through the day index (the window's days), not the kind index (the
            // whole log's reviews).
            "SELECT question_id, day, ef_before, due_before, grade FROM review_log
             WHERE day >= ?1 AND day <= ?2 AND +kind = 'review' ORDER BY id",
        )?;
        let mut rows = st.query([from.to_string(), today.to_string()])?;
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
        Ok(window)
    }

    /// The day's deal kept for `plan` on `day` (see migrations 0010 and 0014), if there is
    /// one. One kept by an older rehearse has no window days.
    pub fn plan_deal(&self, plan: &Plan, day: NaiveDate) -> Result<Option<Deal>> {
        let kept: Option<(String, Option<String>)> = self
            .conn
            .query_row(
                "SELECT finals, window FROM plan_deal WHERE one = 1 AND day = ?1 AND plan = ?2",
                [day.to_string(), deal_key(plan)?],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((finals, window)) = kept else {
            return Ok(None);
        };
        Ok(Some(Deal {
            today: serde_json::from_str(&finals)?,
            days: window
                .map(|w| serde_json::from_str(&w))
                .transpose()?
                .unwrap_or_default(),
        }))
    }

    /// The window's days of the deal kept for `plan` on `day`, without the day's finals (a
    /// list of thousands of ids on a large bank, which `plan` does not need); None when none
    /// is kept, or one kept by an older rehearse (without them).
    pub fn kept_window(&self, plan: &Plan, day: NaiveDate) -> Result<Option<Vec<DealtDay>>> {
        let kept: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT window FROM plan_deal WHERE one = 1 AND day = ?1 AND plan = ?2",
                [day.to_string(), deal_key(plan)?],
                |r| r.get(0),
            )
            .optional()?;
        Ok(kept
            .flatten()
            .map(|w| serde_json::from_str(&w))
            .transpose()?)
    }

    /// Deals the day with `deal` and keeps the result, under the write lock so that no other
    /// write (which forgets the deal) falls between reading the states and keeping what was
    /// made of them. When the lock is not free at once, or the database cannot be written,
    /// deals without keeping: the deal is the same either way.
    pub fn deal_and_keep(
        &mut self,
        plan: &Plan,
        day: NaiveDate,
        deal: impl Fn(&Store) -> Result<Deal>,
    ) -> Result<Deal> {
        self.conn.busy_timeout(std::time::Duration::ZERO)?;
        let locked = self.conn.execute_batch("BEGIN IMMEDIATE").is_ok();
        self.conn.busy_timeout(super::BUSY_TIMEOUT)?;
        if !locked {
            return deal(self);
        }
        // Another review may have kept it since it was looked for.
        let kept = match self.plan_deal(plan, day) {
            Ok(Some(kept)) if !kept.days.is_empty() => Ok(kept),
            Ok(_) => deal(self).and_then(|dealt| {
                self.conn.execute(
                    "INSERT OR REPLACE INTO plan_deal (one, day, plan, finals, window)
                     VALUES (1, ?1, ?2, ?3, ?4)",
                    [
                        day.to_string(),
                        deal_key(plan)?,
                        serde_json::to_string(&dealt.today)?,
                        serde_json::to_string(&dealt.days)?,
                    ],
                )?;
                Ok(dealt)
            }),
            Err(e) => Err(e),
        };
        match kept {
            Ok(dealt) if self.conn.execute_batch("COMMIT").is_ok() => Ok(dealt),
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

    /// The counts of `decks` (all decks when none), in bank order, as `deck_ready` keeps them;
    /// a deck it has no row for (added by a rehearse that did not know the table) is counted
    /// from its rows.
    pub fn deck_counts(&self, decks: &[String]) -> Result<Vec<DeckCounts>> {
        let mut sql = Sql::new(
            "SELECT d.id, r.questions, r.states, r.ready
             FROM deck d LEFT JOIN deck_ready r ON r.deck_id = d.id WHERE 1",
        );
        if !decks.is_empty() {
            let list = vec!["?"; decks.len()].join(", ");
            sql.push(
                &format!(" AND d.id IN ({list})"),
                decks.iter().map(|d| text(d.as_str())),
            );
        }
        sql.push(" ORDER BY d.position, d.id", []);
        let mut st = self.conn.prepare_cached(&sql.text)?;
        let kept = st.query_map(rusqlite::params_from_iter(sql.args.iter()), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, Option<i64>>(3)?,
            ))
        })?;
        let count = |n: i64| n.max(0) as u64;
        let mut out = Vec::new();
        for row in kept {
            let (deck_id, questions, states, ready) = row?;
            out.push(match (questions, states, ready) {
                (Some(questions), Some(states), Some(ready)) => DeckCounts {
                    deck_id,
                    questions: count(questions),
                    states: count(states),
                    ready: count(ready),
                },
                _ => {
                    let mut st = self
                        .conn
                        .prepare_cached(&format!("{READY_COUNTS} WHERE d.id = ?1 GROUP BY d.id"))?;
                    st.query_row([&deck_id], |r| {
                        Ok(DeckCounts {
                            deck_id: r.get(0)?,
                            questions: count(r.get(1)?),
                            states: count(r.get(2)?),
                            ready: count(r.get(3)?),
                        })
                    })?
                }
            });
        }
        Ok(out)
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
