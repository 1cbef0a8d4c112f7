//! Read-only aggregates for `stats`: a few indexed queries, never one per question, and no pass
//! over the whole log (lapses live with each question's state).

use super::{Store, date, deck_args, decks_in};
use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::ToSql;
use std::collections::HashMap;

/// A question's scheduling state, as stats needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatState {
    pub n: u32,
    pub ef_milli: u32,
    pub interval: u64,
    pub due: NaiveDate,
    pub lapses: u64,
}

/// A question with its scheduling state, as stats needs it.
#[derive(Clone, Debug)]
pub struct QuestionStat {
    pub id: String,
    pub deck_id: String,
    pub section: String,
    pub retired: bool,
    /// Suspended: never due, so out of the due counts and the forecast.
    pub suspended: bool,
    /// None for a question never reviewed.
    pub state: Option<StatState>,
}

/// A log row inside the stats window.
#[derive(Clone, Debug)]
pub struct WindowRow {
    /// Index of the question in the list `question_stats` returned.
    pub question: usize,
    /// The question is still in the bank (not retired).
    pub active: bool,
    pub day: NaiveDate,
    pub drill: bool,
    pub grade: u8,
    pub answer_ms: u64,
    pub missed: Vec<usize>,
}

fn with_decks<'a>(first: &'a dyn ToSql, decks: &'a [String]) -> Vec<&'a dyn ToSql> {
    let mut args = vec![first];
    args.extend(decks.iter().map(|d| d as &dyn ToSql));
    args
}

impl Store {
    /// Questions (retired too) with their state, in bank order, for the decks (all if none).
    /// The states are read in one pass of their table and the questions in one pass of
    /// theirs, joined here (joined in SQLite, each question cost two B-tree descents into
    /// card_state: a third of the whole command), and sorted here: table order is mostly
    /// bank order already, which the merge sort runs through in one pass.
    pub fn question_stats(&self, decks: &[String]) -> Result<Vec<QuestionStat>> {
        let deck_pos: rustc_hash::FxHashMap<String, i64> = self
            .decks()?
            .into_iter()
            .map(|d| (d.id, d.position))
            .collect();
        let mut states: rustc_hash::FxHashMap<String, StatState> = Default::default();
        let mut st = self
            .conn
            .prepare("SELECT question_id, n, ef_milli, interval, due, lapses FROM card_state")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            states.insert(
                r.get(0)?,
                StatState {
                    n: r.get(1)?,
                    ef_milli: r.get(2)?,
                    interval: r.get::<_, i64>(3)?.max(0) as u64,
                    due: date(r.get_ref(4)?.as_str()?)?,
                    lapses: r.get::<_, i64>(5)?.max(0) as u64,
                },
            );
        }
        let sql = format!(
            "SELECT q.id, q.deck_id, q.section, q.retired, q.position, q.suspended
             FROM question q WHERE 1{}",
            decks_in("q.deck_id", decks, 0)
        );
        let mut st = self.conn.prepare(&sql)?;
        let args = deck_args(decks);
        let mut rows = st.query(args.as_slice())?;
        let mut out: Vec<(i64, i64, QuestionStat)> = Vec::new();
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let deck_id: String = r.get(1)?;
            let order = (
                deck_pos.get(&deck_id).copied().unwrap_or(i64::MAX),
                r.get::<_, i64>(4)?,
            );
            let q = QuestionStat {
                state: states.remove(&id),
                id,
                deck_id,
                section: r.get(2)?,
                retired: r.get(3)?,
                suspended: r.get(5)?,
            };
            out.push((order.0, order.1, q));
        }
        out.sort_by(|a, b| (a.0, a.1, &a.2.id).cmp(&(b.0, b.1, &b.2.id)));
        Ok(out.into_iter().map(|(_, _, q)| q).collect())
    }

    /// Every log row from `since` to `until` (review days) for the questions `resolve` knows
    /// (it gives their index and whether they are active); others are skipped. Resolving while reading spares an
    /// allocation and a second lookup per row.
    pub fn window_rows(
        &self,
        since: NaiveDate,
        until: NaiveDate,
        resolve: impl Fn(&str) -> Option<(usize, bool)>,
    ) -> Result<Vec<WindowRow>> {
        let mut st = self.conn.prepare(
            "SELECT question_id, day, kind, grade, answer_ms, missed FROM review_log
             WHERE day >= ?1 AND day <= ?2",
        )?;
        let mut rows = st.query([since.to_string(), until.to_string()])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let Some((question, active)) = resolve(r.get_ref(0)?.as_str()?) else {
                continue;
            };
            let missed = r.get_ref(5)?.as_str_or_null()?;
            out.push(WindowRow {
                question,
                active,
                day: date(r.get_ref(1)?.as_str()?)?,
                // Drill and cram rows leave the schedule as it was: not scheduling reviews.
                drill: r.get_ref(2)?.as_str()? != "review",
                grade: r.get(3)?,
                answer_ms: r.get::<_, i64>(4)?.max(0) as u64,
                missed: missed
                    .and_then(|m| serde_json::from_str(m).ok())
                    .unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// Log rows (scheduling and drill) per day from `since` up to the day before `before`, of
    /// the decks (all if none).
    pub fn activity(
        &self,
        since: NaiveDate,
        before: NaiveDate,
        decks: &[String],
    ) -> Result<HashMap<NaiveDate, u64>> {
        let sql = if decks.is_empty() {
            "SELECT day, count(*) FROM review_log WHERE day >= ?1 AND day < ?2 GROUP BY day"
                .to_string()
        } else {
            format!(
                "SELECT l.day, count(*) FROM review_log l JOIN question q ON q.id = l.question_id
                 WHERE l.day >= ?1 AND l.day < ?2{} GROUP BY l.day",
                decks_in("q.deck_id", decks, 2)
            )
        };
        let mut st = self.conn.prepare(&sql)?;
        let (since, before) = (since.to_string(), before.to_string());
        let mut args: Vec<&dyn ToSql> = vec![&since, &before];
        args.extend(decks.iter().map(|d| d as &dyn ToSql));
        let rows = st.query_map(args.as_slice(), |r| {
            Ok((
                date(r.get_ref(0)?.as_str()?)?,
                r.get::<_, i64>(1)?.max(0) as u64,
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The key points of the given questions (each point's key).
    pub fn points_of(&self, ids: &[&str]) -> Result<HashMap<String, Vec<String>>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT points FROM question WHERE id = ?1")?;
        let mut out = HashMap::new();
        for id in ids {
            let raw: String = st.query_row([id], |r| r.get(0))?;
            let points: Vec<crate::points::Point> = serde_json::from_str(&raw).unwrap_or_default();
            out.insert(id.to_string(), points.into_iter().map(|p| p.key).collect());
        }
        Ok(out)
    }

    /// Consecutive review days ending at `last` (or the day before, when `last` has none yet),
    /// counting only the given decks when any are named: one indexed probe per day of the
    /// streak, however long the log.
    pub fn streak(&self, last: NaiveDate, decks: &[String]) -> Result<u64> {
        let sql = if decks.is_empty() {
            "SELECT EXISTS (SELECT 1 FROM review_log WHERE day = ?1)".to_string()
        } else {
            format!(
                "SELECT EXISTS (SELECT 1 FROM review_log l JOIN question q ON q.id = l.question_id
                 WHERE l.day = ?1{})",
                decks_in("q.deck_id", decks, 1)
            )
        };
        let mut st = self.conn.prepare(&sql)?;
        let mut reviewed = |d: NaiveDate| -> Result<bool> {
            let d = d.to_string();
            Ok(st.query_row(with_decks(&d, decks).as_slice(), |r| r.get(0))?)
        };
        let mut day = if reviewed(last)? {
            last
        } else {
            last.pred_opt().unwrap_or(last)
        };
        let mut streak = 0;
        while reviewed(day)? {
            streak += 1;
            match day.pred_opt() {
                Some(d) => day = d,
                None => break,
            }
        }
        Ok(streak)
    }
}
