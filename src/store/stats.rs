//! Read-only aggregates for `stats`: a few indexed queries, never one per question.

use super::Store;
use anyhow::Result;
use chrono::NaiveDate;
use std::collections::HashMap;

/// A question with its scheduling state, as stats needs it.
#[derive(Clone, Debug)]
pub struct QuestionStat {
    pub id: String,
    pub deck_id: String,
    pub section: String,
    pub points: Vec<String>,
    pub retired: bool,
    /// (n, ef_milli, interval, due) for questions that have been reviewed.
    pub state: Option<(u32, u32, u64, NaiveDate)>,
}

/// One question's whole-history log figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct History {
    pub reviews: u64,
    pub lapses: u64,
}

/// A log row inside the stats window.
#[derive(Clone, Debug)]
pub struct WindowRow {
    pub question_id: String,
    pub day: NaiveDate,
    pub drill: bool,
    pub grade: u8,
    pub answer_ms: u64,
    pub missed: Vec<usize>,
}

fn date(s: &str) -> rusqlite::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

impl Store {
    /// Every question (retired too) with its state, in bank order.
    pub fn question_stats(&self) -> Result<Vec<QuestionStat>> {
        let mut st = self.conn.prepare(
            "SELECT q.id, q.deck_id, q.section, q.points, q.retired, s.n, s.ef_milli, s.interval, s.due
             FROM question q JOIN deck d ON d.id = q.deck_id LEFT JOIN card_state s ON s.question_id = q.id
             ORDER BY d.position, q.position",
        )?;
        let rows = st.query_map([], |r| {
            let due: Option<String> = r.get(8)?;
            let state = match due {
                Some(d) => Some((
                    r.get(5)?,
                    r.get(6)?,
                    r.get::<_, i64>(7)?.max(0) as u64,
                    date(&d)?,
                )),
                None => None,
            };
            let points: String = r.get(3)?;
            Ok(QuestionStat {
                id: r.get(0)?,
                deck_id: r.get(1)?,
                section: r.get(2)?,
                points: serde_json::from_str(&points).unwrap_or_default(),
                retired: r.get(4)?,
                state,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Scheduling reviews and lapses (grade below 3) per question, over the whole log.
    pub fn histories(&self) -> Result<HashMap<String, History>> {
        let mut st = self.conn.prepare(
            "SELECT question_id, count(*), sum(grade < 3) FROM review_log
             WHERE kind = 'review' GROUP BY question_id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                History {
                    reviews: r.get::<_, i64>(1)? as u64,
                    lapses: r.get::<_, i64>(2)? as u64,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every log row from `since` on (review day), oldest first.
    pub fn window_rows(&self, since: NaiveDate) -> Result<Vec<WindowRow>> {
        let mut st = self.conn.prepare(
            "SELECT question_id, day, kind, grade, answer_ms, missed FROM review_log
             WHERE day >= ?1 ORDER BY day, id",
        )?;
        let rows = st.query_map([since.to_string()], |r| {
            let missed: Option<String> = r.get(5)?;
            Ok(WindowRow {
                question_id: r.get(0)?,
                day: date(&r.get::<_, String>(1)?)?,
                drill: r.get::<_, String>(2)? == "drill",
                grade: r.get(3)?,
                answer_ms: r.get::<_, i64>(4)?.max(0) as u64,
                missed: missed
                    .and_then(|m| serde_json::from_str(&m).ok())
                    .unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Store {
    /// Consecutive review days ending at `last` (or the day before, when `last` has none yet),
    /// counting only the given decks when any are named. Reads days newest first and stops at
    /// the first gap.
    pub fn streak(&self, last: NaiveDate, decks: &[String]) -> Result<u64> {
        let marks: Vec<String> = (2..decks.len() + 2).map(|i| format!("?{i}")).collect();
        let deck_cond = if decks.is_empty() {
            String::new()
        } else {
            format!(" AND q.deck_id IN ({})", marks.join(", "))
        };
        let sql = format!(
            "SELECT DISTINCT l.day FROM review_log l JOIN question q ON q.id = l.question_id
             WHERE l.day <= ?1{deck_cond} ORDER BY l.day DESC"
        );
        let mut st = self.conn.prepare(&sql)?;
        let last_s = last.to_string();
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&last_s];
        args.extend(decks.iter().map(|d| d as &dyn rusqlite::ToSql));
        let mut rows = st.query(args.as_slice())?;
        let mut expect = last;
        let mut streak = 0;
        while let Some(r) = rows.next()? {
            let day = date(&r.get::<_, String>(0)?)?;
            if day == expect {
                streak += 1;
            } else if streak == 0 && Some(day) == last.pred_opt() {
                streak = 1;
                expect = day;
            } else {
                break;
            }
            match expect.pred_opt() {
                Some(d) => expect = d,
                None => break,
            }
        }
        Ok(streak)
    }
}
