//! Queues, SM-2 state and the review log: what review reads and writes.

use super::Store;
use super::bank::{QuestionRow, question_from_row};
use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{ToSql, params};

/// What narrows a queue. Empty lists mean "all".
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub decks: Vec<String>,
    pub sections: Vec<String>,
    pub tags: Vec<String>,
}

/// The stored SM-2 state of a question that has had a scheduling review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateRow {
    pub n: u32,
    pub ef_milli: u32,
    pub interval: u64,
    pub due: NaiveDate,
    pub introduced: NaiveDate,
    pub last_review: String,
}

/// A question as review shows it.
#[derive(Clone, Debug)]
pub struct Card {
    pub question: QuestionRow,
    pub deck_title: String,
    pub guidance: Option<String>,
    pub state: Option<StateRow>,
}

/// One log row to append.
#[derive(Clone, Debug)]
pub struct LogEntry {
    pub reviewed_at: String,
    pub day: NaiveDate,
    pub question_id: String,
    pub grade: u8,
    pub drill: bool,
    pub before: Option<StateRow>,
    pub after: StateRow,
    pub answer_ms: u64,
    pub missed: Option<Vec<usize>>,
}

fn date(s: String) -> rusqlite::Result<NaiveDate> {
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn to_sql_int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn state_from_row(r: &rusqlite::Row) -> rusqlite::Result<Option<StateRow>> {
    let due: Option<String> = r.get("due")?;
    let Some(due) = due else { return Ok(None) };
    Ok(Some(StateRow {
        n: r.get("n")?,
        ef_milli: r.get("ef_milli")?,
        interval: r.get::<_, i64>("interval")?.max(0) as u64,
        due: date(due)?,
        introduced: date(r.get("introduced")?)?,
        last_review: r.get("last_review")?,
    }))
}

fn card_from_row(r: &rusqlite::Row) -> rusqlite::Result<Card> {
    Ok(Card {
        question: question_from_row(r)?,
        deck_title: r.get("deck_title")?,
        guidance: r.get("guidance")?,
        state: state_from_row(r)?,
    })
}

const CARD_SELECT: &str = "SELECT q.id, q.deck_id, q.section, q.prompt, q.tags, q.points, q.position, q.retired,
        d.title AS deck_title, d.guidance, s.n, s.ef_milli, s.interval, s.due, s.introduced, s.last_review
     FROM question q JOIN deck d ON d.id = q.deck_id LEFT JOIN card_state s ON s.question_id = q.id";

impl Filter {
    /// SQL conditions (joined with AND) and their parameters.
    fn sql(&self) -> (String, Vec<String>) {
        let mut conds = Vec::new();
        let mut args: Vec<String> = Vec::new();
        let list = |col: &str, vals: &[String], args: &mut Vec<String>| {
            let marks = vals.iter().map(|v| {
                args.push(v.clone());
                format!("?{}", args.len())
            });
            format!("{col} IN ({})", marks.collect::<Vec<_>>().join(", "))
        };
        if !self.decks.is_empty() {
            conds.push(list("q.deck_id", &self.decks, &mut args));
        }
        if !self.sections.is_empty() {
            conds.push(list("q.section", &self.sections, &mut args));
        }
        if !self.tags.is_empty() {
            let inner = list("t.value", &self.tags, &mut args);
            conds.push(format!(
                "EXISTS (SELECT 1 FROM json_each(q.tags) t WHERE {inner})"
            ));
        }
        (conds.iter().map(|c| format!(" AND {c}")).collect(), args)
    }
}

impl Store {
    fn cards(
        &self,
        filter: &Filter,
        cond: &str,
        order_limit: &str,
        extra: &[&dyn ToSql],
    ) -> Result<Vec<Card>> {
        let (fsql, fargs) = filter.sql();
        // Fixed parameters come after the filter's numbered ones.
        let base = fargs.len();
        let cond = (1..=extra.len()).rev().fold(cond.to_string(), |c, i| {
            c.replace(&format!("$${i}"), &format!("?{}", base + i))
        });
        let order_limit = (1..=extra.len())
            .rev()
            .fold(order_limit.to_string(), |c, i| {
                c.replace(&format!("$${i}"), &format!("?{}", base + i))
            });
        let sql = format!("{CARD_SELECT} WHERE q.retired = 0 AND {cond}{fsql} {order_limit}");
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut args: Vec<&dyn ToSql> = fargs.iter().map(|a| a as &dyn ToSql).collect();
        args.extend_from_slice(extra);
        let rows = st.query_map(args.as_slice(), card_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Questions due on `today` or earlier, most overdue first, then bank order.
    pub fn due_cards(&self, filter: &Filter, today: NaiveDate) -> Result<Vec<Card>> {
        let today = today.to_string();
        self.cards(
            filter,
            "s.due <= $$1",
            "ORDER BY s.due, d.position, q.position",
            &[&today],
        )
    }

    /// New questions in bank order, at most `limit`.
    pub fn new_cards(&self, filter: &Filter, limit: u64) -> Result<Vec<Card>> {
        let limit = to_sql_int(limit);
        self.cards(
            filter,
            "s.question_id IS NULL",
            "ORDER BY d.position, q.position LIMIT $$1",
            &[&limit],
        )
    }

    /// How many questions had their first scheduling review on `day`.
    pub fn introduced_on(&self, day: NaiveDate) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM card_state WHERE introduced = ?1",
            [day.to_string()],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Active questions due on `day` exactly (or, with `on_or_before`, by then).
    pub fn due_count(&self, filter: &Filter, day: NaiveDate, on_or_before: bool) -> Result<u64> {
        let (fsql, fargs) = filter.sql();
        let op = if on_or_before { "<=" } else { "=" };
        let sql = format!(
            "SELECT count(*) FROM question q JOIN card_state s ON s.question_id = q.id
             WHERE q.retired = 0 AND s.due {op} ?{}{fsql}",
            fargs.len() + 1
        );
        let mut args: Vec<&dyn ToSql> = fargs.iter().map(|a| a as &dyn ToSql).collect();
        let day = day.to_string();
        args.push(&day);
        Ok(self
            .conn
            .query_row(&sql, args.as_slice(), |r| r.get::<_, i64>(0))? as u64)
    }

    /// The earliest due date after `today` among active questions, if any.
    pub fn next_due_after(&self, filter: &Filter, today: NaiveDate) -> Result<Option<NaiveDate>> {
        let (fsql, fargs) = filter.sql();
        let sql = format!(
            "SELECT min(s.due) FROM question q JOIN card_state s ON s.question_id = q.id
             WHERE q.retired = 0 AND s.due > ?{}{fsql}",
            fargs.len() + 1
        );
        let mut args: Vec<&dyn ToSql> = fargs.iter().map(|a| a as &dyn ToSql).collect();
        let today = today.to_string();
        args.push(&today);
        let due: Option<String> = self.conn.query_row(&sql, args.as_slice(), |r| r.get(0))?;
        Ok(due.map(date).transpose()?)
    }

    /// How many active questions have never been reviewed.
    pub fn new_count(&self, filter: &Filter) -> Result<u64> {
        let (fsql, fargs) = filter.sql();
        let sql = format!(
            "SELECT count(*) FROM question q LEFT JOIN card_state s ON s.question_id = q.id
             WHERE q.retired = 0 AND s.question_id IS NULL{fsql}"
        );
        let args: Vec<&dyn ToSql> = fargs.iter().map(|a| a as &dyn ToSql).collect();
        Ok(self
            .conn
            .query_row(&sql, args.as_slice(), |r| r.get::<_, i64>(0))? as u64)
    }

    /// Appends a log row and, for a scheduling review, saves the new state: both or neither.
    /// Returns the log row's id, for undo.
    pub fn record(&mut self, e: &LogEntry) -> Result<i64> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let before = e.before.as_ref();
        tx.execute(
            "INSERT INTO review_log (reviewed_at, day, question_id, grade, kind,
                n_before, ef_before, interval_before, due_before,
                n_after, ef_after, interval_after, due_after, answer_ms, missed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                e.reviewed_at,
                e.day.to_string(),
                e.question_id,
                e.grade,
                if e.drill { "drill" } else { "review" },
                before.map_or(0, |s| s.n),
                before.map_or(crate::sm2::INITIAL_EF_MILLI, |s| s.ef_milli),
                before.map_or(0, |s| to_sql_int(s.interval)),
                before.map(|s| s.due.to_string()),
                e.after.n,
                e.after.ef_milli,
                to_sql_int(e.after.interval),
                e.after.due.to_string(),
                to_sql_int(e.answer_ms),
                e.missed.as_ref().map(serde_json::to_string).transpose()?,
            ],
        )?;
        let id = tx.last_insert_rowid();
        if !e.drill {
            put_state(&tx, &e.question_id, Some(&e.after))?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// Takes back a log row and puts the question's state back as it was: both or neither.
    pub fn undo(
        &mut self,
        log_id: i64,
        question_id: &str,
        previous: Option<&StateRow>,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM review_log WHERE id = ?1", [log_id])?;
        put_state(&tx, question_id, previous)?;
        tx.commit()?;
        Ok(())
    }
}

fn put_state(
    tx: &rusqlite::Transaction,
    question_id: &str,
    state: Option<&StateRow>,
) -> Result<()> {
    match state {
        None => {
            tx.execute(
                "DELETE FROM card_state WHERE question_id = ?1",
                [question_id],
            )?;
        }
        Some(s) => {
            tx.execute(
                "INSERT INTO card_state (question_id, n, ef_milli, interval, due, introduced, last_review)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (question_id) DO UPDATE SET n = excluded.n, ef_milli = excluded.ef_milli,
                 interval = excluded.interval, due = excluded.due, introduced = excluded.introduced,
                 last_review = excluded.last_review",
                params![
                    question_id,
                    s.n,
                    s.ef_milli,
                    to_sql_int(s.interval),
                    s.due.to_string(),
                    s.introduced.to_string(),
                    s.last_review
                ],
            )?;
        }
    }
    Ok(())
}
