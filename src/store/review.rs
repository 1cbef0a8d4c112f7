//! Queues, SM-2 state and the review log: what review reads and writes.

use super::bank::{QUESTION_COLUMN_COUNT, QUESTION_COLUMNS, QuestionRow, question_from_row};
use super::{Store, date, to_sql_int};
use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::params;
use rusqlite::types::Value;
use std::sync::LazyLock;

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
    /// Scheduling grades below 3, ever.
    pub lapses: u64,
}

/// A question as review shows it.
#[derive(Clone, Debug)]
pub struct Card {
    pub question: QuestionRow,
    pub deck_title: String,
    pub deck_position: i64,
    pub guidance: Option<String>,
    /// The deck's time box per question, in minutes.
    pub deck_minutes: Option<u32>,
    pub state: Option<StateRow>,
    /// The grade of the last scheduling review, if any.
    pub last_grade: Option<u8>,
    /// Put aside by `rehearse suspend`: never scheduled.
    pub suspended: bool,
}

/// One log row to append.
#[derive(Clone, Debug)]
pub struct LogEntry {
    pub reviewed_at: String,
    pub day: NaiveDate,
    pub question_id: String,
    pub grade: u8,
    pub kind: Kind,
    pub before: Option<StateRow>,
    pub after: StateRow,
    pub answer_ms: u64,
    pub missed: Option<Vec<usize>>,
    /// The red flags the answer said (indexes), when graded from points or in a mock
    /// (None when none).
    pub red_flags: Option<Vec<usize>>,
    /// The instant the mock began, shared by the rows of one mock.
    pub session: Option<String>,
    /// Suspend the question with this grade (a leech, with `leech_action = "suspend"`).
    pub suspend: bool,
}

/// The state columns, in the order `state_at` reads them.
const STATE_COLUMNS: &str =
    "s.n, s.ef_milli, s.interval, s.due, s.introduced, s.last_review, s.lapses";

/// A state from `STATE_COLUMNS` starting at column `at` (None when `due` is NULL: no state).
fn state_at(r: &rusqlite::Row, at: usize) -> rusqlite::Result<Option<StateRow>> {
    let due: Option<String> = r.get(at + 3)?;
    let Some(due) = due else { return Ok(None) };
    Ok(Some(StateRow {
        n: r.get(at)?,
        ef_milli: r.get(at + 1)?,
        interval: r.get::<_, i64>(at + 2)?.max(0) as u64,
        due: date(&due)?,
        introduced: date(&r.get::<_, String>(at + 4)?)?,
        last_review: r.get(at + 5)?,
        lapses: r.get::<_, i64>(at + 6)?.max(0) as u64,
    }))
}

/// A card from a row of `CARD_SELECT`, read by position: the question's columns, then
/// `CARD_EXTRA`'s six, then the state's.
fn card_from_row(r: &rusqlite::Row) -> rusqlite::Result<Card> {
    let at = QUESTION_COLUMN_COUNT;
    Ok(Card {
        question: question_from_row(r)?,
        suspended: r.get(at)?,
        deck_title: r.get(at + 1)?,
        guidance: r.get(at + 2)?,
        deck_position: r.get(at + 3)?,
        deck_minutes: r.get(at + 4)?,
        state: state_at(r, at + 6)?,
        last_grade: r.get(at + 5)?,
    })
}

/// What a log row records. Only a review changes the SM-2 state; a drill (same-day re-ask)
/// and a cram (`review --ahead`) log the state unchanged; a mock answer changes at most the
/// due date (a failed one comes back tomorrow).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Review,
    Drill,
    Cram,
    Mock,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Review => "review",
            Kind::Drill => "drill",
            Kind::Cram => "cram",
            Kind::Mock => "mock",
        }
    }
}

/// A question that can be scheduled: neither retired nor suspended.
pub(super) const ACTIVE: &str = "q.retired = 0 AND q.suspended = 0";

/// What a card reads beside the question's and the state's columns, in `card_from_row`'s order.
const CARD_EXTRA: &str = "q.suspended, d.title, d.guidance, d.position, d.minutes, s.last_grade";

/// Cards: `card_from_row` reads its columns by position.
pub(super) static CARD_SELECT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {QUESTION_COLUMNS}, {CARD_EXTRA}, {STATE_COLUMNS}
         FROM question q JOIN deck d ON d.id = q.deck_id LEFT JOIN card_state s ON s.question_id = q.id"
    )
});

/// SQL text with numbered parameters, built up piece by piece.
#[derive(Default)]
pub(super) struct Sql {
    pub(super) text: String,
    pub(super) args: Vec<Value>,
}

impl Sql {
    pub(super) fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
        }
    }
    /// Appends text; each `?` in it takes the next of `args`.
    pub(super) fn push(&mut self, text: &str, args: impl IntoIterator<Item = Value>) -> &mut Sql {
        let mut args = args.into_iter();
        for (i, part) in text.split('?').enumerate() {
            if i > 0 {
                self.args.push(args.next().expect("one argument per ?"));
                self.text.push_str(&format!("?{}", self.args.len()));
            }
            self.text.push_str(part);
        }
        self
    }
    pub(super) fn filter(&mut self, f: &Filter) -> &mut Sql {
        let list = |n: usize| vec!["?"; n].join(", ");
        let text = |v: &[String]| v.iter().map(|s| Value::Text(s.clone())).collect::<Vec<_>>();
        if !f.decks.is_empty() {
            self.push(
                &format!(" AND q.deck_id IN ({})", list(f.decks.len())),
                text(&f.decks),
            );
        }
        if !f.sections.is_empty() {
            self.push(
                &format!(" AND q.section IN ({})", list(f.sections.len())),
                text(&f.sections),
            );
        }
        if !f.tags.is_empty() {
            self.push(
                &format!(
                    " AND EXISTS (SELECT 1 FROM json_each(q.tags) t WHERE t.value IN ({}))",
                    list(f.tags.len())
                ),
                text(&f.tags),
            );
        }
        self
    }
}

fn int(v: i64) -> Value {
    Value::Integer(v)
}

fn day_value(d: NaiveDate) -> Value {
    Value::Text(d.to_string())
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.decks.is_empty() && self.sections.is_empty() && self.tags.is_empty()
    }
}

/// Where a page of due questions starts: after this (due, id).
pub type DueKey = (NaiveDate, String);
/// Where a page of new questions starts: after this (deck position, position, id).
pub type NewKey = (i64, i64, String);

/// The queue key of a due card.
pub fn due_key(c: &Card) -> DueKey {
    (
        c.state.as_ref().map_or(NaiveDate::MIN, |s| s.due),
        c.question.id.clone(),
    )
}

impl Store {
    pub(super) fn query_cards(&self, sql: &Sql) -> Result<Vec<Card>> {
        let mut st = self.conn.prepare_cached(&sql.text)?;
        let rows = st.query_map(rusqlite::params_from_iter(sql.args.iter()), card_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn count(&self, sql: &Sql) -> Result<u64> {
        let mut st = self.conn.prepare_cached(&sql.text)?;
        Ok(st
            .query_row(rusqlite::params_from_iter(sql.args.iter()), |r| {
                r.get::<_, i64>(0)
            })?
            .max(0) as u64)
    }

    /// Up to `limit` questions due on `today` or earlier, most overdue first, then in id
    /// order, starting after `after` (a `due_key`). Pages keep the first question on screen
    /// fast however many are due: the page is read in the due index's own order (it carries
    /// the id), checking each question until the page is full, and then only the page's rows
    /// are fetched.
    pub fn due_page(
        &self,
        filter: &Filter,
        today: NaiveDate,
        after: Option<DueKey>,
        limit: u64,
    ) -> Result<Vec<Card>> {
        let mut sql = Sql::new(&format!(
            "WITH page AS MATERIALIZED (SELECT s.question_id FROM card_state s INDEXED BY card_state_due
             CROSS JOIN question q ON q.id = s.question_id WHERE {ACTIVE}"
        ));
        sql.push(" AND s.due <= ?", [day_value(today)]);
        if let Some((due, id)) = after {
            sql.push(
                " AND (s.due, s.question_id) > (?, ?)",
                [day_value(due), Value::Text(id)],
            );
        }
        sql.filter(filter);
        sql.push(
            " ORDER BY s.due, s.question_id LIMIT ?) ",
            [int(to_sql_int(limit))],
        );
        sql.push(&CARD_SELECT, []);
        sql.push(
            " WHERE q.id IN (SELECT question_id FROM page) ORDER BY s.due, q.id",
            [],
        );
        self.query_cards(&sql)
    }

    /// Up to `limit` new questions in bank order, after `after` (deck and question position).
    pub fn new_page(
        &self,
        filter: &Filter,
        after: Option<NewKey>,
        limit: u64,
    ) -> Result<Vec<Card>> {
        let mut sql = Sql::new(&CARD_SELECT);
        sql.push(&format!(" WHERE {ACTIVE} AND s.question_id IS NULL"), []);
        if let Some((dpos, qpos, id)) = after {
            sql.push(
                " AND (d.position, q.position, q.id) > (?, ?, ?)",
                [int(dpos), int(qpos), Value::Text(id)],
            );
        }
        sql.filter(filter);
        sql.push(
            " ORDER BY d.position, q.position, q.id LIMIT ?",
            [int(to_sql_int(limit))],
        );
        self.query_cards(&sql)
    }

    /// Active questions not due yet (`review --ahead`), weakest first: lowest EF, then most
    /// lapses, then soonest due; at most `limit`.
    pub fn ahead(
        &self,
        filter: &Filter,
        today: NaiveDate,
        limit: Option<u64>,
    ) -> Result<Vec<Card>> {
        let mut sql = Sql::new(&CARD_SELECT);
        sql.push(
            &format!(" WHERE {ACTIVE} AND s.due > ?"),
            [day_value(today)],
        );
        sql.filter(filter);
        sql.push(
            " ORDER BY s.ef_milli, s.lapses DESC, s.due, d.position, q.position, q.id LIMIT ?",
            [int(limit.map_or(-1, to_sql_int))],
        );
        self.query_cards(&sql)
    }

    /// Questions an earlier session `today` left to drill: their last grade today is below 4.
    /// In the order they were graded.
    pub fn pending_drills(&self, filter: &Filter, today: NaiveDate) -> Result<Vec<Card>> {
        let mut sql = Sql::new(&CARD_SELECT);
        sql.push(
            &format!(
                " JOIN (SELECT question_id AS qid, max(id) AS last FROM review_log
                    WHERE day = ? AND kind IN ('review', 'drill') GROUP BY question_id) t
                ON t.qid = q.id
              JOIN review_log lr ON lr.id = t.last
              WHERE {ACTIVE} AND s.question_id IS NOT NULL AND lr.grade < 4"
            ),
            [day_value(today)],
        );
        sql.filter(filter);
        sql.push(" ORDER BY t.last", []);
        self.query_cards(&sql)
    }

    /// How many active questions are due on `today` or earlier.
    pub fn due_total(&self, filter: &Filter, today: NaiveDate) -> Result<u64> {
        if filter.is_empty() {
            // All due states from the queue's tally (one row a due day), less those
            // of retired or suspended questions.
            let mut all = Sql::new("SELECT coalesce(sum(states), 0) FROM due_tally WHERE");
            all.push(" due <= ?", [day_value(today)]);
            let all = self.count(&all)?;
            // CROSS JOIN keeps the few inactive questions (their partial index) outside: driven
            // from the due index instead, SQLite probes every due state's question (a quarter
            // of a second for 30,000 due on a 1M-row database). INDEXED BY: the bank-order
            // index also covers these columns, and scanning it reads every question.
            let mut retired = Sql::new(
                "SELECT count(*) FROM question q INDEXED BY question_inactive CROSS JOIN card_state s ON s.question_id = q.id WHERE (q.retired = 1 OR q.suspended = 1)",
            );
            retired.push(" AND s.due <= ?", [day_value(today)]);
            return Ok(all.saturating_sub(self.count(&retired)?));
        }
        let mut sql = Sql::new(&format!(
            "SELECT count(*) FROM question q JOIN card_state s ON s.question_id = q.id WHERE {ACTIVE}"
        ));
        sql.push(" AND s.due <= ?", [day_value(today)]);
        sql.filter(filter);
        self.count(&sql)
    }

    /// How many questions the filter selects that can be scheduled (neither retired nor
    /// suspended).
    pub fn active_total(&self, filter: &Filter) -> Result<u64> {
        let mut sql = Sql::new(&format!("SELECT count(*) FROM question q WHERE {ACTIVE}"));
        sql.filter(filter);
        self.count(&sql)
    }

    /// How many active questions were never reviewed.
    pub fn new_total(&self, filter: &Filter) -> Result<u64> {
        if filter.is_empty() {
            // Questions less states, from the queue's tallies, less the inactive
            // questions never seen.
            let questions = self.count(&Sql::new("SELECT questions FROM tally"))?;
            let states = self.count(&Sql::new("SELECT states FROM tally"))?;
            let retired_new = self.count(&Sql::new(
                "SELECT count(*) FROM question q INDEXED BY question_inactive WHERE (q.retired = 1 OR q.suspended = 1) AND NOT EXISTS (SELECT 1 FROM card_state s WHERE s.question_id = q.id)",
            ))?;
            return Ok(questions.saturating_sub(states).saturating_sub(retired_new));
        }
        let mut sql = Sql::new(&format!(
            "SELECT count(*) FROM question q LEFT JOIN card_state s ON s.question_id = q.id WHERE {ACTIVE} AND s.question_id IS NULL"
        ));
        sql.filter(filter);
        self.count(&sql)
    }

    /// How many questions had their first scheduling review on `day`.
    pub fn introduced_on(&self, day: NaiveDate) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM card_state WHERE introduced = ?1",
            [day.to_string()],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// The earliest due date after `today` among active questions, if any.
    pub fn next_due_after(&self, filter: &Filter, today: NaiveDate) -> Result<Option<NaiveDate>> {
        let mut sql = Sql::new(&format!(
            "SELECT min(s.due) FROM question q JOIN card_state s ON s.question_id = q.id WHERE {ACTIVE}"
        ));
        sql.push(" AND s.due > ?", [day_value(today)]);
        sql.filter(filter);
        let mut st = self.conn.prepare_cached(&sql.text)?;
        let due: Option<String> =
            st.query_row(rusqlite::params_from_iter(sql.args.iter()), |r| r.get(0))?;
        Ok(due.as_deref().map(date).transpose()?)
    }

    /// Appends a log row and, for a scheduling review, saves the new state: both or neither.
    /// Returns the log row's id, for undo.
    pub fn record(&mut self, e: &LogEntry) -> Result<Recorded> {
        self.daily_backup();
        let tx = self.immediate()?;
        // A review, and a mock that moves the due date, write the state.
        let writes_state = match e.kind {
            Kind::Review => true,
            Kind::Mock => e.before.is_some() && e.before.as_ref() != Some(&e.after),
            Kind::Drill | Kind::Cram => false,
        };
        // The session graded from the state it loaded; if another session has graded this
        // question since, saving would schedule it twice and lose that grade.
        if writes_state && current_state(&tx, &e.question_id)?.as_ref() != e.before.as_ref() {
            return Ok(Recorded::ChangedElsewhere);
        }
        let before = e.before.as_ref();
        // Cached statements: a grade is parsed and planned by SQLite once per session.
        tx.prepare_cached(
            "INSERT INTO review_log (reviewed_at, day, question_id, grade, kind,
                n_before, ef_before, interval_before, due_before,
                n_after, ef_after, interval_after, due_after, answer_ms, missed, red_flags, session)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        )?
        .execute(params![
            e.reviewed_at,
            e.day.to_string(),
            e.question_id,
            e.grade,
            e.kind.as_str(),
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
            e.red_flags
                .as_ref()
                .map(serde_json::to_string)
                .transpose()?,
            e.session,
        ])?;
        let id = tx.last_insert_rowid();
        if e.kind == Kind::Review {
            put_reviewed_state(&tx, e)?;
        } else if writes_state {
            put_state(&tx, &e.question_id, Some(&e.after))?;
        }
        if e.suspend {
            set_suspended(&tx, &e.question_id, true)?;
            super::forget_plan_deal(&tx)?;
        }
        forget_deals_of_other_days(&tx, &e.day.to_string())?;
        tx.commit().map_err(super::busy)?;
        Ok(Recorded::Saved(id))
    }

    /// Takes back a log row and puts the question's state back as it was: both or neither.
    /// Refused (false) when the state is no longer the one this grade wrote.
    pub fn undo(
        &mut self,
        log_id: i64,
        question_id: &str,
        written: &StateRow,
        previous: Option<&StateRow>,
        unsuspend: bool,
    ) -> Result<bool> {
        let tx = self.immediate()?;
        if current_state(&tx, question_id)?.as_ref() != Some(written) {
            return Ok(false);
        }
        forget_deals_beside_log_day(&tx, log_id)?;
        tx.execute("DELETE FROM review_log WHERE id = ?1", [log_id])?;
        put_state(&tx, question_id, previous)?;
        recount_last_review(&tx, question_id)?;
        if unsuspend {
            set_suspended(&tx, question_id, false)?;
            super::forget_plan_deal(&tx)?;
        }
        tx.commit().map_err(super::busy)?;
        Ok(true)
    }
}

impl Store {
    /// Takes back a mock answer: its log row, and the due date it moved (only over the state
    /// it wrote). Refused (false) when the state has moved since.
    pub fn undo_mock(
        &mut self,
        log_id: i64,
        question_id: &str,
        before: Option<&StateRow>,
        after: &StateRow,
    ) -> Result<bool> {
        let tx = self.immediate()?;
        let moved = before.is_some_and(|b| b != after);
        if moved {
            if current_state(&tx, question_id)?.as_ref() != Some(after) {
                return Ok(false);
            }
            put_state(&tx, question_id, before)?;
        }
        forget_deals_beside_log_day(&tx, log_id)?;
        tx.execute("DELETE FROM review_log WHERE id = ?1", [log_id])?;
        tx.commit().map_err(super::busy)?;
        Ok(true)
    }

    /// The latest mocks, newest first: when each began, its day, its grades.
    pub fn mocks(&self, limit: u64) -> Result<Vec<MockRun>> {
        let mut st = self.conn.prepare_cached(
            "SELECT session, min(day), group_concat(grade, '') FROM review_log
             WHERE kind = 'mock' AND session IS NOT NULL
             GROUP BY session ORDER BY session DESC LIMIT ?1",
        )?;
        let rows = st.query_map([to_sql_int(limit)], |r| {
            let grades: String = r.get(2)?;
            Ok(MockRun {
                started: r.get(0)?,
                day: date(&r.get::<_, String>(1)?)?,
                grades: grades.bytes().map(|b| b.saturating_sub(b'0')).collect(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// One mock interview as the log holds it.
#[derive(Clone, Debug)]
pub struct MockRun {
    pub started: String,
    pub day: NaiveDate,
    pub grades: Vec<u8>,
}

/// What became of a grade.
#[derive(Debug, PartialEq, Eq)]
pub enum Recorded {
    /// Saved as this log row.
    Saved(i64),
    /// Not saved: another session graded the question since it was loaded.
    ChangedElsewhere,
}

fn current_state(tx: &rusqlite::Connection, question_id: &str) -> Result<Option<StateRow>> {
    use rusqlite::OptionalExtension;
    Ok(tx
        .prepare_cached(&format!(
            "SELECT {STATE_COLUMNS} FROM card_state s WHERE s.question_id = ?1"
        ))?
        .query_row([question_id], |r| state_at(r, 0))
        .optional()?
        .flatten())
}

/// Sets or clears a question's suspended flag, inside the caller's transaction.
pub(super) fn set_suspended(tx: &rusqlite::Connection, question_id: &str, on: bool) -> Result<()> {
    let changed = tx.execute(
        "UPDATE question SET suspended = ?2 WHERE id = ?1 AND suspended <> ?2",
        params![question_id, on],
    )?;
    if changed > 0 {
        // It leaves (or comes back into) its deck's readiness counts (migration 0014).
        super::plan::adjust_ready(tx, question_id, if on { -1 } else { 1 })?;
    }
    Ok(())
}

/// The question's last scheduling review, as its state keeps it, taken again from the log.
pub(super) fn recount_last_review(tx: &rusqlite::Connection, question_id: &str) -> Result<()> {
    tx.prepare_cached(
        "UPDATE card_state SET (last_grade, last_missed) = (
             SELECT l.grade, l.missed FROM review_log l
             WHERE l.question_id = ?1 AND l.kind = 'review' ORDER BY l.id DESC LIMIT 1)
         WHERE question_id = ?1",
    )?
    .execute([question_id])?;
    Ok(())
}

/// A grade (or its undo) on `day` leaves that day's start-of-day states as they were, so a
/// plan deal kept for that day still holds; a deal kept for another day (a session open
/// since before the day changed) was made from states this grade changes: forgotten.
fn forget_deals_of_other_days(tx: &rusqlite::Connection, day: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM plan_deal WHERE one = 1 AND day <> ?1")?
        .execute([day])?;
    Ok(())
}

/// Before an undo takes back log row `log_id`: forgets a deal kept for another day than the
/// row's (see `forget_deals_of_other_days`; a row that is gone forgets nothing).
fn forget_deals_beside_log_day(tx: &rusqlite::Connection, log_id: i64) -> Result<()> {
    tx.prepare_cached(
        "DELETE FROM plan_deal WHERE one = 1
         AND day <> (SELECT day FROM review_log WHERE id = ?1)",
    )?
    .execute([log_id])?;
    Ok(())
}

/// Writes the state a scheduling review leaves, with that review as the question's last one
/// (readiness reads it), in one statement, inside the caller's transaction: the grade's own
/// `put_state`. `introduced` is written only by the insert of a first review, or when it
/// changes (see `put_state`); `e.before` is the state the row holds (`record` checked it).
fn put_reviewed_state(tx: &rusqlite::Connection, e: &LogEntry) -> Result<()> {
    let missed = e.missed.as_ref().map(serde_json::to_string).transpose()?;
    upsert_state(tx, &e.question_id, &e.after, Some((e.grade, missed)))?;
    if e.before
        .as_ref()
        .is_some_and(|b| b.introduced != e.after.introduced)
    {
        tx.prepare_cached("UPDATE card_state SET introduced = ?2 WHERE question_id = ?1")?
            .execute(params![e.question_id, e.after.introduced.to_string()])?;
    }
    Ok(())
}

/// Inserts a state, or updates every column of it but `introduced` (see `put_state`); with
/// `last`, the grade and missed points of the question's last scheduling review too.
fn upsert_state(
    tx: &rusqlite::Connection,
    question_id: &str,
    s: &StateRow,
    last: Option<(u8, Option<String>)>,
) -> Result<()> {
    let (due, introduced) = (s.due.to_string(), s.introduced.to_string());
    let (interval, lapses) = (to_sql_int(s.interval), to_sql_int(s.lapses));
    let mut args: Vec<&dyn rusqlite::ToSql> = vec![
        &question_id,
        &s.n,
        &s.ef_milli,
        &interval,
        &due,
        &introduced,
        &s.last_review,
        &lapses,
    ];
    let (columns, set) = match &last {
        None => ("", ""),
        Some((grade, missed)) => {
            args.push(grade);
            args.push(missed);
            (
                ", last_grade, last_missed",
                ", last_grade = excluded.last_grade, last_missed = excluded.last_missed",
            )
        }
    };
    let marks: Vec<String> = (1..=args.len()).map(|i| format!("?{i}")).collect();
    tx.prepare_cached(&format!(
        "INSERT INTO card_state (question_id, n, ef_milli, interval, due, introduced, last_review,
             lapses{columns})
         VALUES ({})
         ON CONFLICT (question_id) DO UPDATE SET n = excluded.n, ef_milli = excluded.ef_milli,
         interval = excluded.interval, due = excluded.due,
         last_review = excluded.last_review, lapses = excluded.lapses{set}",
        marks.join(", ")
    ))?
    .execute(args.as_slice())?;
    Ok(())
}

/// Writes (or, for None, deletes) a question's state, inside the caller's transaction.
pub(super) fn put_state(
    tx: &rusqlite::Connection,
    question_id: &str,
    state: Option<&StateRow>,
) -> Result<()> {
    // The queue's tallies follow through card_state's triggers (migration 12).
    match state {
        None => {
            tx.execute(
                "DELETE FROM card_state WHERE question_id = ?1",
                [question_id],
            )?;
        }
        Some(s) => {
            // `introduced` is set apart, and only when it differs: a column in an UPDATE's SET
            // list rewrites its index entries even when the value stays (one more page
            // written and synced with every grade).
            upsert_state(tx, question_id, s, None)?;
            tx.prepare_cached(
                "UPDATE card_state SET introduced = ?2 WHERE question_id = ?1 AND introduced <> ?2",
            )?
            .execute(params![question_id, s.introduced.to_string()])?;
        }
    }
    Ok(())
}
