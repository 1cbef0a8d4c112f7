//! Export reads and restore writes.

use super::bank::{DeckRow, QuestionRow, write_bank_rows};
use super::review::{StateRow, put_state, set_suspended};
use super::{Store, date, deck_args, decks_in, to_sql_int};
use crate::backup::{self, Existing, Log, LogTally, Plan, Snapshot};
use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::params;

fn opt_date(s: Option<String>) -> rusqlite::Result<Option<NaiveDate>> {
    s.as_deref().map(date).transpose()
}

pub(super) const LOG_COLUMNS: &str = "l.reviewed_at, l.day, l.question_id, l.kind, l.grade, l.n_before, l.ef_before,
    l.interval_before, l.due_before, l.n_after, l.ef_after, l.interval_after, l.due_after, l.answer_ms, l.missed,
    l.red_flags, l.session";

/// The log rows of `decks` (all when none, bound by `deck_args`), oldest first, as
/// `LOG_COLUMNS`.
pub(super) fn log_select(decks: &[String]) -> String {
    if decks.is_empty() {
        format!("SELECT {LOG_COLUMNS} FROM review_log l ORDER BY l.id")
    } else {
        format!(
            "SELECT {LOG_COLUMNS} FROM review_log l JOIN question q ON q.id = l.question_id
             WHERE 1{} ORDER BY l.id",
            decks_in("q.deck_id", decks, 0)
        )
    }
}

pub(super) fn log_from_row(r: &rusqlite::Row) -> rusqlite::Result<Log> {
    let missed: Option<String> = r.get(14)?;
    Ok(Log {
        reviewed_at: r.get(0)?,
        day: date(&r.get::<_, String>(1)?)?,
        question: r.get(2)?,
        kind: r.get(3)?,
        grade: r.get(4)?,
        before: Snapshot {
            n: r.get(5)?,
            ef_milli: r.get(6)?,
            interval: r.get::<_, i64>(7)?.max(0) as u64,
            due: opt_date(r.get(8)?)?,
        },
        after: Snapshot {
            n: r.get(9)?,
            ef_milli: r.get(10)?,
            interval: r.get::<_, i64>(11)?.max(0) as u64,
            due: opt_date(r.get(12)?)?,
        },
        answer_ms: r.get::<_, i64>(13)?.max(0) as u64,
        missed: missed.and_then(|m| serde_json::from_str(&m).ok()),
        red_flags: r
            .get::<_, Option<String>>(15)?
            .and_then(|m| serde_json::from_str(&m).ok()),
        session: r.get(16)?,
    })
}

impl Store {
    /// Decks in bank order (only `decks` when given).
    pub fn backup_decks(&self, decks: &[String]) -> Result<Vec<backup::Deck>> {
        Ok(self
            .decks()?
            .into_iter()
            .filter(|d| decks.is_empty() || decks.contains(&d.id))
            .map(|d| backup::Deck {
                id: d.id,
                title: d.title,
                guidance: d.guidance,
                position: d.position,
                minutes: d.minutes,
            })
            .collect())
    }

    /// Questions (retired too) with their state, in bank order.
    pub fn backup_questions(&self, decks: &[String]) -> Result<Vec<backup::Question>> {
        // In bank order (deck position, position, id), read deck by deck through the
        // bank-order index: one ORDER BY over the whole bank sorted 100,000 rows with their
        // prompts and rubrics in a temporary file. Decks that share a position are read
        // together, their questions sorted as that ORDER BY sorts them.
        let mut groups: Vec<(i64, Vec<String>)> = Vec::new();
        for d in self.decks()? {
            if !decks.is_empty() && !decks.contains(&d.id) {
                continue;
            }
            match groups.last_mut() {
                Some((at, ids)) if *at == d.position => ids.push(d.id),
                _ => groups.push((d.position, vec![d.id])),
            }
        }
        let mut out = Vec::new();
        for (_, ids) in &groups {
            out.extend(self.questions_of(ids)?);
        }
        Ok(out)
    }

    /// The questions of `decks` with their states, by position and id.
    fn questions_of(&self, decks: &[String]) -> Result<Vec<backup::Question>> {
        let sql = format!(
            "SELECT q.id, q.deck_id, q.section, q.prompt, q.tags, q.points, q.position, q.retired,
                s.n, s.ef_milli, s.interval, s.due, s.introduced, s.last_review, q.suspended,
                q.red_flags, q.follow_ups, q.verified, q.minutes
             FROM question q LEFT JOIN card_state s ON s.question_id = q.id
             WHERE 1{} ORDER BY q.position, q.id",
            decks_in("q.deck_id", decks, 0)
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(deck_args(decks).as_slice(), |r| {
            let due: Option<String> = r.get(11)?;
            let state = match due {
                None => None,
                Some(due) => Some(backup::State {
                    n: r.get(8)?,
                    ef_milli: r.get(9)?,
                    interval: r.get::<_, i64>(10)?.max(0) as u64,
                    due: date(&due)?,
                    introduced: date(&r.get::<_, String>(12)?)?,
                    last_review: r.get(13)?,
                }),
            };
            fn list<T: serde::de::DeserializeOwned>(
                r: &rusqlite::Row,
                i: usize,
            ) -> rusqlite::Result<Vec<T>> {
                Ok(serde_json::from_str(&r.get::<_, String>(i)?).unwrap_or_default())
            }
            Ok(backup::Question {
                id: r.get(0)?,
                deck: r.get(1)?,
                section: r.get(2)?,
                prompt: r.get(3)?,
                tags: list(r, 4)?,
                points: list(r, 5)?,
                position: r.get(6)?,
                retired: r.get(7)?,
                suspended: r.get(14)?,
                state,
                red_flags: list(r, 15)?,
                follow_ups: list(r, 16)?,
                verified: r.get(17)?,
                minutes: r.get(18)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Calls `f` with every log row (of `decks` when given), oldest first, without holding
    /// the whole log in memory.
    pub fn for_each_log(
        &self,
        decks: &[String],
        mut f: impl FnMut(&Log) -> Result<()>,
    ) -> Result<()> {
        let mut st = self.conn.prepare(&log_select(decks))?;
        let mut rows = st.query(deck_args(decks).as_slice())?;
        while let Some(r) = rows.next()? {
            f(&log_from_row(r)?)?;
        }
        Ok(())
    }

    /// What a restore must know about the database (not its log: the store merges that).
    pub fn existing(&self) -> Result<Existing> {
        let mut ex = Existing {
            next_deck_position: self.next_deck_position()?,
            ..Existing::default()
        };
        ex.has_plan = self.plan()?.is_some();
        let mut st = self.conn.prepare("SELECT id FROM deck")?;
        ex.decks = st
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut st = self.conn.prepare("SELECT id FROM question")?;
        ex.questions = st
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut st = self
            .conn
            .prepare("SELECT question_id, last_review FROM card_state")?;
        ex.states = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ex)
    }

    /// Every log row here, as digests, for merging a backup's log.
    pub fn log_digests(&self) -> Result<backup::LogDigests> {
        let mut d = backup::LogDigests::default();
        self.for_each_log(&[], |l| {
            d.add(l);
            Ok(())
        })?;
        Ok(d)
    }

    /// Runs `f` with a sink for the log rows of a backup, which it keeps in a staging table
    /// (`temp.restore_log`, in SQLite's temporary file, not in memory and not in the
    /// database: staging takes no lock, and a backup that fails later leaves no trace).
    pub fn stage_log<T>(
        &mut self,
        f: impl FnOnce(&mut dyn FnMut(&Log) -> Result<()>) -> Result<T>,
    ) -> Result<T> {
        self.conn.execute_batch(&format!(
            "PRAGMA temp.cache_size = -16384;
             DROP TABLE IF EXISTS temp.restore_log;
             CREATE TEMP TABLE restore_log (seq INTEGER PRIMARY KEY, {STAGED_COLUMNS});
             BEGIN;"
        ))?;
        let staged = (|| {
            let mut st = self.conn.prepare(&format!(
                "INSERT INTO temp.restore_log ({STAGED_COLUMNS}) {INSERT_LOG_VALUES}"
            ))?;
            let v = f(&mut |l| insert_log(&mut st, l))?;
            self.conn.execute_batch("COMMIT")?;
            Ok(v)
        })();
        if staged.is_err() {
            let _ = self
                .conn
                .execute_batch("ROLLBACK; DROP TABLE IF EXISTS temp.restore_log");
        }
        staged
    }

    /// Writes a restore plan and the staged log: a merge into a database with a log (onto one
    /// without, `restore_into_empty`). The decks, questions and states go in one transaction,
    /// the log in transactions of `LOG_CHUNK` rows. Only rows not here are staged
    /// (see `backup::LogDigests`), so a restore cut short (killed, power lost) leaves whole
    /// pieces, and running it again completes it exactly. A writer beside it that finds the
    /// database locked waits for the restore's turn (`Store::take_restore_turn`).
    pub fn restore(&mut self, plan: Plan) -> Result<()> {
        self.write(|store| {
            let log_empty = store.log_is_empty()?;
            store.restore_bank(plan, log_empty)
        })?;
        let last: i64 = self.conn.query_row(
            "SELECT coalesce(max(seq), 0) FROM temp.restore_log",
            [],
            |r| r.get(0),
        )?;
        self.with_bulk_log_writes(|store| store.restore_staged_log(last))
    }

    /// The staged log `1..=last`, then what it changes in the states.
    fn restore_staged_log(&mut self, last: i64) -> Result<()> {
        let mut from = 1;
        while from <= last {
            let to = from.saturating_add(LOG_CHUNK);
            self.write(|store| store.restore_log(from, to))?;
            from = to;
        }
        // Lapses are derived from the log: recounted once it is all in, in one pass, for the
        // questions it gave a lapse (adding rows changes no other count).
        self.write(|store| {
            store.with_state_triggers_aside(|store| {
                store.conn.execute_batch(RECOUNT)?;
                store.conn.execute_batch(RECOUNT_LAST_REVIEW)?;
                Ok(())
            })
        })
    }

    /// Decks and questions through the same code as a bank import, states as a grade writes
    /// them. Their lapses and last reviews are recounted from the log here, or, with
    /// `log_empty`, left empty for the log's own rows to set once they are in.
    fn restore_bank(&mut self, plan: Plan, log_empty: bool) -> Result<()> {
        // Moved, not copied: a restore of 100,000 questions holds one copy of the bank.
        let decks: Vec<DeckRow> = plan
            .decks
            .into_iter()
            .map(|d| DeckRow {
                id: d.id,
                title: d.title,
                guidance: d.guidance,
                position: d.position,
                minutes: d.minutes,
            })
            .collect();
        let questions: Vec<QuestionRow> = plan
            .questions
            .into_iter()
            .map(|q| QuestionRow {
                id: q.id,
                deck_id: q.deck,
                section: q.section,
                prompt: q.prompt,
                tags: q.tags,
                points: q.points,
                position: q.position,
                retired: q.retired,
                red_flags: q.red_flags,
                follow_ups: q.follow_ups,
                verified: q.verified,
                minutes: q.minutes,
            })
            .collect();
        write_bank_rows(&self.conn, &decks, &questions, &[])?;
        for id in &plan.suspend {
            set_suspended(&self.conn, id, true)?;
        }
        if let Some(p) = &plan.interview {
            super::plan::put_plan(
                &self.conn,
                &crate::plan::Plan {
                    date: p.date,
                    set_on: p.set_on,
                    decks: p.decks.clone(),
                },
            )?;
        }
        self.with_state_triggers_aside(|store| store.restore_states(&plan.states, log_empty))
    }

    /// The plan's states, as a grade writes them, inside the caller's transaction.
    fn restore_states(&self, states: &[(String, backup::State)], log_empty: bool) -> Result<()> {
        let mut recount = self.conn.prepare(RECOUNT_LAPSES)?;
        for (id, s) in states {
            let row = StateRow {
                n: s.n,
                ef_milli: s.ef_milli,
                interval: s.interval,
                due: s.due,
                introduced: s.introduced,
                last_review: s.last_review.clone(),
                lapses: 0, // recounted from the log
            };
            put_state(&self.conn, id, Some(&row))?;
            if !log_empty {
                recount.execute([id])?;
                super::review::recount_last_review(&self.conn, id)?;
            }
        }
        if log_empty {
            self.conn.execute_batch(
                "UPDATE card_state SET last_grade = NULL, last_missed = NULL
                 WHERE last_grade IS NOT NULL OR last_missed IS NOT NULL",
            )?;
        }
        Ok(())
    }

    /// Runs `f` with card_state's triggers set aside, then counts once, in the same
    /// transaction, what they count row by row: the queue's tallies (migration 12) and each
    /// deck's readiness (migration 14). A statement with a trigger runs in a statement
    /// journal, which made a restore of 100,000 states about 20% slower. Nested, the inner
    /// call finds none to set aside and leaves the counting to the outer one.
    fn with_state_triggers_aside<T>(
        &mut self,
        f: impl FnOnce(&mut Store) -> Result<T>,
    ) -> Result<T> {
        let triggers = set_aside(&self.conn, "trigger", "card_state")?;
        let v = f(self)?;
        if !triggers.is_empty() {
            self.conn.execute_batch(RECOUNT_TALLIES)?;
            super::plan::recount_all_ready(&self.conn)?;
            put_back(&self.conn, &triggers)?;
        }
        Ok(v)
    }

    /// Sets each state's lapses and last review from what its question's log rows say.
    fn put_tallies(&self, tallies: &[(String, LogTally)]) -> Result<()> {
        let mut st = self.conn.prepare(
            "UPDATE card_state SET lapses = ?2, last_grade = ?3, last_missed = ?4
             WHERE question_id = ?1",
        )?;
        for (id, t) in tallies {
            let (grade, missed) = t.last.clone().unzip();
            st.execute(params![id, to_sql_int(t.lapses), grade, missed.flatten()])?;
        }
        Ok(())
    }

    fn log_is_empty(&self) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM review_log)", [], |r| {
                r.get(0)
            })?)
    }

    /// Restores a backup into a database with no log, in one transaction: each log row goes
    /// into review_log as `read` checks it (the log's indexes set aside and built once after),
    /// then the decks, questions and states of the plan `plan_of` makes from what was read.
    /// A backup refused half-way leaves nothing: the transaction is rolled back. This holds
    /// the write lock while the file is read; a writer beside it waits for the restore's turn
    /// (`Store::take_restore_turn`). None, having done nothing, when the log has rows.
    pub fn restore_into_empty<S>(
        &mut self,
        read: impl FnOnce(&mut dyn FnMut(&Log) -> Result<()>) -> Result<backup::Bank>,
        plan_of: impl FnOnce(backup::Bank, &Existing) -> Result<Plan>,
        summarize: impl FnOnce(&Plan) -> S,
    ) -> Result<Option<S>> {
        self.with_bulk_log_writes(|store| {
            store.write(|store| {
                if !store.log_is_empty()? {
                    return Ok(None);
                }
                let indexes = set_aside(&store.conn, "index", "review_log")?;
                let bank = {
                    let mut st = store.conn.prepare(&format!(
                        "INSERT INTO review_log ({STAGED_COLUMNS}) {INSERT_LOG_VALUES}"
                    ))?;
                    read(&mut |l| insert_log(&mut st, l))?
                };
                let mut plan = plan_of(bank, &store.existing()?)?;
                let tallies = plan.log_tallies.take();
                let summary = summarize(&plan);
                store.with_state_triggers_aside(|store| {
                    store.restore_bank(plan, true)?;
                    match tallies {
                        Some(t) => store.put_tallies(&t),
                        None => Ok(store.conn.execute_batch(RECOUNT_WHOLE_LOG)?),
                    }
                })?;
                // Foreign keys are off for the log (see `with_bulk_log_writes`): the bank's own
                // rows are checked here, as SQLite would have.
                for table in ["question", "card_state"] {
                    let broken: bool = store.conn.query_row(
                        &format!(
                            "SELECT EXISTS (SELECT 1 FROM pragma_foreign_key_check('{table}'))"
                        ),
                        [],
                        |r| r.get(0),
                    )?;
                    if broken {
                        anyhow::bail!("the backup's {table} rows name rows it does not have");
                    }
                }
                put_back(&store.conn, &indexes)?;
                Ok(Some(summary))
            })
        })
    }

    /// Runs `f` with this connection set for writing many log rows: a page cache of 64 MB
    /// (not the default 2 MB) for a million index entries, and neither foreign keys nor CHECKs
    /// checked. The backup reader has checked every rule of review_log's CHECKs for each row,
    /// and that its question is in the backup, which the restore writes in the same
    /// transaction or before: SQLite checking them again was about a third of writing the log.
    fn with_bulk_log_writes<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        self.conn.execute_batch(
            "PRAGMA main.cache_size = -65536;
             PRAGMA foreign_keys = OFF; PRAGMA ignore_check_constraints = ON",
        )?;
        let done = f(self);
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA ignore_check_constraints = OFF")?;
        done
    }

    /// Adds the staged rows `from..to`, in backup order.
    fn restore_log(&mut self, from: i64, to: i64) -> Result<()> {
        self.conn.execute(
            &format!(
                "INSERT INTO review_log ({STAGED_COLUMNS})
                 SELECT {STAGED_COLUMNS} FROM temp.restore_log WHERE seq >= ?1 AND seq < ?2
                 ORDER BY seq"
            ),
            params![from, to],
        )?;
        Ok(())
    }
}

/// Runs `st`, an INSERT of the `STAGED_COLUMNS` as ?1-?17, for one log row. Bound one by
/// one with the values' own types, the dates formatted on the stack: a million rows, where
/// `params!` and a String per date were half of staging them.
fn insert_log(st: &mut rusqlite::Statement, l: &Log) -> Result<()> {
    let (mut day, mut due_before, mut due_after) = ([0; 10], [0; 10], [0; 10]);
    st.raw_bind_parameter(1, &l.reviewed_at)?;
    st.raw_bind_parameter(2, day_text(l.day, &mut day))?;
    st.raw_bind_parameter(3, &l.question)?;
    st.raw_bind_parameter(4, l.grade)?;
    st.raw_bind_parameter(5, &l.kind)?;
    st.raw_bind_parameter(6, l.before.n)?;
    st.raw_bind_parameter(7, l.before.ef_milli)?;
    st.raw_bind_parameter(8, to_sql_int(l.before.interval))?;
    st.raw_bind_parameter(9, l.before.due.map(|d| day_text(d, &mut due_before)))?;
    st.raw_bind_parameter(10, l.after.n)?;
    st.raw_bind_parameter(11, l.after.ef_milli)?;
    st.raw_bind_parameter(12, to_sql_int(l.after.interval))?;
    st.raw_bind_parameter(13, l.after.due.map(|d| day_text(d, &mut due_after)))?;
    st.raw_bind_parameter(14, to_sql_int(l.answer_ms))?;
    let json = |v: &Option<Vec<usize>>| v.as_ref().map(serde_json::to_string).transpose();
    st.raw_bind_parameter(15, json(&l.missed)?)?;
    st.raw_bind_parameter(16, json(&l.red_flags)?)?;
    st.raw_bind_parameter(17, &l.session)?;
    st.raw_execute()?;
    Ok(())
}

const INSERT_LOG_VALUES: &str =
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";

/// `d` as YYYY-MM-DD (as `NaiveDate`'s Display writes the years 1-9999 a store holds),
/// written into `buf`.
fn day_text(d: NaiveDate, buf: &mut [u8; 10]) -> &str {
    use chrono::Datelike;
    let (y, m, day) = (d.year().clamp(0, 9999) as u32, d.month(), d.day());
    for (i, v) in [(0, y / 100), (2, y % 100), (5, m), (8, day)] {
        buf[i] = b'0' + (v / 10) as u8;
        buf[i + 1] = b'0' + (v % 10) as u8;
    }
    buf[4] = b'-';
    buf[7] = b'-';
    std::str::from_utf8(buf).expect("ASCII digits")
}

/// Drops the `kind` objects ("index" or "trigger") of `table`, inside the caller's
/// transaction, and returns their own SQL from the schema for `put_back`: a bulk write then
/// builds an index once, or counts once what a trigger counts row by row.
fn set_aside(conn: &rusqlite::Connection, kind: &str, table: &str) -> Result<Vec<String>> {
    let objects: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema
             WHERE type = ?1 AND tbl_name = ?2 AND sql IS NOT NULL",
        )?
        .query_map([kind, table], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &objects {
        conn.execute_batch(&format!(
            "DROP {} \"{}\"",
            kind.to_uppercase(),
            name.replace('"', "\"\"")
        ))?;
    }
    Ok(objects.into_iter().map(|(_, sql)| sql).collect())
}

/// Makes again what `set_aside` dropped.
fn put_back(conn: &rusqlite::Connection, sqls: &[String]) -> Result<()> {
    for sql in sqls {
        conn.execute_batch(sql)?;
    }
    Ok(())
}

/// The queue's state tallies counted from the states (as migration 12 first filled them).
const RECOUNT_TALLIES: &str = "DELETE FROM due_tally;
    INSERT INTO due_tally (due, states) SELECT due, count(*) FROM card_state GROUP BY due;
    UPDATE tally SET states = (SELECT count(*) FROM card_state);";

/// Log rows written per transaction of a restore.
const LOG_CHUNK: i64 = 100_000;

const STAGED_COLUMNS: &str = "reviewed_at, day, question_id, grade, kind, n_before, ef_before,
    interval_before, due_before, n_after, ef_after, interval_after, due_after, answer_ms, missed,
    red_flags, session";

/// Lapses are derived from the log: the staged questions with a lapse, recounted.
const RECOUNT: &str = "UPDATE card_state SET lapses = counted.n
    FROM (SELECT question_id, count(*) AS n FROM review_log
          WHERE kind = 'review' AND grade < 3 AND question_id IN
              (SELECT question_id FROM temp.restore_log WHERE kind = 'review' AND grade < 3)
          GROUP BY question_id) AS counted
    WHERE card_state.question_id = counted.question_id AND card_state.lapses <> counted.n";

/// Each staged question's last scheduling review, as its state keeps it (readiness), taken
/// again from the log once the log is in: the newest review row of each.
const RECOUNT_LAST_REVIEW: &str = "UPDATE card_state SET (last_grade, last_missed) =
        (SELECT l.grade, l.missed FROM review_log l WHERE l.id = newest.id)
    FROM (SELECT question_id, max(id) AS id FROM review_log
          WHERE kind = 'review' AND question_id IN
              (SELECT question_id FROM temp.restore_log WHERE kind = 'review')
          GROUP BY question_id) AS newest
    WHERE card_state.question_id = newest.question_id";

/// Every state's lapses and last review, counted from the whole log.
const RECOUNT_WHOLE_LOG: &str = "UPDATE card_state SET lapses = counted.n
    FROM (SELECT question_id, count(*) AS n FROM review_log WHERE kind = 'review' AND grade < 3
          GROUP BY question_id) AS counted
    WHERE card_state.question_id = counted.question_id;
    UPDATE card_state SET (last_grade, last_missed) =
        (SELECT l.grade, l.missed FROM review_log l WHERE l.id = newest.id)
    FROM (SELECT question_id, max(id) AS id FROM review_log WHERE kind = 'review'
          GROUP BY question_id) AS newest
    WHERE card_state.question_id = newest.question_id;";

const RECOUNT_LAPSES: &str = "UPDATE card_state SET lapses = (SELECT count(*) FROM review_log l
    WHERE l.kind = 'review' AND l.question_id = ?1 AND l.grade < 3) WHERE question_id = ?1";

#[cfg(test)]
mod tests {
    use super::day_text;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn day_text_writes_what_display_writes(days in 0i64..3_652_058) {
            let d = NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + chrono::Days::new(days as u64);
            let mut buf = [0; 10];
            prop_assert_eq!(day_text(d, &mut buf), d.to_string());
        }
    }
}
