//! Read-only aggregates for `stats`: a few indexed queries, never one per question, and no pass
//! over the whole log (lapses live with each question's state).

use super::{Store, date, deck_args, decks_in};
use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::ToSql;
use std::collections::HashMap;
use std::rc::Rc;

/// Deck ids and sections, each read once and shared by the questions that carry it.
#[derive(Default)]
struct Names {
    last: Option<Rc<str>>,
    seen: rustc_hash::FxHashSet<Rc<str>>,
}

impl Names {
    fn get(&mut self, s: &str) -> Rc<str> {
        if let Some(last) = self.last.as_ref().filter(|l| &***l == s) {
            return last.clone();
        }
        let name = match self.seen.get(s) {
            Some(k) => k.clone(),
            None => {
                let k: Rc<str> = Rc::from(s);
                self.seen.insert(k.clone());
                k
            }
        };
        self.last = Some(name.clone());
        name
    }
}

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
    pub deck_id: Rc<str>,
    pub section: Rc<str>,
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
    pub fn question_stats(&self, decks: &[String]) -> Result<Vec<QuestionStat>> {
        let mut questions = self.questions_in_order(decks)?;
        let index = by_id(&questions);
        let states = self.states_of(&index)?;
        drop(index);
        with_states(&mut questions, states);
        Ok(questions)
    }

    /// Questions (retired too) without their state, in bank order, for the decks (all if
    /// none): read in one pass of their table and sorted here (table order is mostly bank
    /// order already, which the merge sort runs through in one pass). A deck's id and a
    /// section are shared by their questions, not copied into each.
    fn questions_in_order(&self, decks: &[String]) -> Result<Vec<QuestionStat>> {
        let deck_pos: rustc_hash::FxHashMap<String, i64> = self
            .decks()?
            .into_iter()
            .map(|d| (d.id, d.position))
            .collect();
        let sql = format!(
            "SELECT q.id, q.deck_id, q.section, q.retired, q.position, q.suspended
             FROM question q WHERE 1{}",
            decks_in("q.deck_id", decks, 0)
        );
        let mut st = self.conn.prepare(&sql)?;
        let args = deck_args(decks);
        let mut rows = st.query(args.as_slice())?;
        let mut names = Names::default();
        let mut out: Vec<(i64, i64, QuestionStat)> = Vec::new();
        while let Some(r) = rows.next()? {
            let deck_id = names.get(r.get_ref(1)?.as_str()?);
            let order = (
                deck_pos.get(&*deck_id).copied().unwrap_or(i64::MAX),
                r.get_ref(4)?.as_i64()?,
            );
            let q = QuestionStat {
                id: r.get_ref(0)?.as_str()?.to_owned(),
                deck_id,
                section: names.get(r.get_ref(2)?.as_str()?),
                retired: r.get_ref(3)?.as_i64()? != 0,
                suspended: r.get_ref(5)?.as_i64()? != 0,
                state: None,
            };
            out.push((order.0, order.1, q));
        }
        out.sort_by(|a, b| (a.0, a.1, &a.2.id).cmp(&(b.0, b.1, &b.2.id)));
        Ok(out.into_iter().map(|(_, _, q)| q).collect())
    }

    /// The states of the questions in `index`, by their place: one pass of the table, each
    /// state matched by id (joined in SQLite, each question cost two B-tree descents into
    /// card_state: a third of the whole command).
    fn states_of(&self, index: &ById) -> Result<Vec<Option<StatState>>> {
        let mut states: Vec<Option<StatState>> = vec![None; index.len()];
        let mut st = self
            .conn
            .prepare("SELECT question_id, n, ef_milli, interval, due, lapses FROM card_state")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let Some(&(i, _)) = index.get(r.get_ref(0)?.as_str()?) else {
                continue; // a question of a deck not asked for
            };
            states[i] = Some(StatState {
                n: u32::try_from(r.get_ref(1)?.as_i64()?).unwrap_or(u32::MAX),
                ef_milli: u32::try_from(r.get_ref(2)?.as_i64()?).unwrap_or(u32::MAX),
                interval: r.get_ref(3)?.as_i64()?.max(0) as u64,
                due: date(r.get_ref(4)?.as_str()?)?,
                lapses: r.get_ref(5)?.as_i64()?.max(0) as u64,
            });
        }
        Ok(states)
    }

    /// What `stats` reads: the questions with their states (`question_stats`), the log rows
    /// of the window `since..=until` of those questions, the rows per day of the calendar
    /// from `earlier` to the day before `since`, and the streak ending at `until`. With
    /// `read_paired`'s second connection, the log's part is read on another thread while
    /// this one reads the questions and states (the two took about the same time, one after
    /// the other).
    pub fn stats_rows(
        &self,
        decks: &[String],
        (earlier, since, until): (NaiveDate, NaiveDate, NaiveDate),
    ) -> Result<StatsRows> {
        let log_side = |conn: &rusqlite::Connection| -> Result<_> {
            Ok((
                read_window(conn, since, until)?,
                activity(conn, earlier, since, decks)?,
                streak(conn, until, decks)?,
            ))
        };
        let mut questions = Vec::new();
        let (states, window, earlier_activity, streak_days) = std::thread::scope(|s| {
            let second = self.take_second();
            let log = second.map(|c| s.spawn(move || log_side(&c)));
            questions = self.questions_in_order(decks)?;
            let index = by_id(&questions);
            let states = self.states_of(&index)?;
            let (window, earlier_activity, streak_days) = match log {
                Some(log) => log
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("reading the log failed")))?,
                None => log_side(&self.conn)?,
            };
            let window = window.resolve(|id| index.get(id).copied());
            Ok::<_, anyhow::Error>((states, window, earlier_activity, streak_days))
        })?;
        with_states(&mut questions, states);
        Ok(StatsRows {
            questions,
            window,
            earlier_activity,
            streak_days,
        })
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
}

/// Each question's place and whether it is active (not retired), by id.
type ById<'a> = rustc_hash::FxHashMap<&'a str, (usize, bool)>;

fn by_id(questions: &[QuestionStat]) -> ById<'_> {
    questions
        .iter()
        .enumerate()
        .map(|(i, q)| (q.id.as_str(), (i, !q.retired)))
        .collect()
}

fn with_states(questions: &mut [QuestionStat], states: Vec<Option<StatState>>) {
    for (q, s) in questions.iter_mut().zip(states) {
        q.state = s;
    }
}

/// What `stats` reads (see `Store::stats_rows`).
pub struct StatsRows {
    pub questions: Vec<QuestionStat>,
    /// Rows of the window of the questions read, in day order.
    pub window: Vec<WindowRow>,
    pub earlier_activity: HashMap<NaiveDate, u64>,
    pub streak_days: u64,
}

/// The window's rows as read, before their questions are known: each names its question by
/// its place in `ids`.
struct Window {
    rows: Vec<WindowRow>,
    ids: Vec<Box<str>>,
}

impl Window {
    /// The rows of the questions `resolve` knows (it gives their index and whether they are
    /// active); others are left out.
    fn resolve(self, resolve: impl Fn(&str) -> Option<(usize, bool)>) -> Vec<WindowRow> {
        let known: Vec<Option<(usize, bool)>> = self.ids.iter().map(|id| resolve(id)).collect();
        let mut rows = self.rows;
        rows.retain_mut(|r| match known[r.question] {
            Some((question, active)) => {
                r.question = question;
                r.active = active;
                true
            }
            None => false,
        });
        rows
    }
}

/// Every log row from `since` to `until` (review days), in day order.
fn read_window(conn: &rusqlite::Connection, since: NaiveDate, until: NaiveDate) -> Result<Window> {
    let mut st = conn.prepare(
        "SELECT question_id, day, kind, grade, answer_ms, missed FROM review_log
         WHERE day >= ?1 AND day <= ?2",
    )?;
    let mut rows = st.query([since.to_string(), until.to_string()])?;
    let mut places: rustc_hash::FxHashMap<Box<str>, usize> = Default::default();
    let mut ids: Vec<Box<str>> = Vec::new();
    let mut out = Vec::new();
    // The rows come in day order: parse a day once, when it changes.
    let mut last_day: Option<(String, NaiveDate)> = None;
    while let Some(r) = rows.next()? {
        let id = r.get_ref(0)?.as_str()?;
        let question = match places.get(id) {
            Some(&i) => i,
            None => {
                ids.push(id.into());
                places.insert(id.into(), ids.len() - 1);
                ids.len() - 1
            }
        };
        let day_text = r.get_ref(1)?.as_str()?;
        let day = match &last_day {
            Some((text, day)) if text == day_text => *day,
            _ => {
                let day = date(day_text)?;
                last_day = Some((day_text.to_owned(), day));
                day
            }
        };
        let missed = r.get_ref(5)?.as_str_or_null()?;
        out.push(WindowRow {
            question,
            active: false,
            day,
            // Drill and cram rows leave the schedule as it was: not scheduling reviews.
            drill: r.get_ref(2)?.as_bytes()? != b"review",
            grade: u8::try_from(r.get_ref(3)?.as_i64()?).unwrap_or(u8::MAX),
            answer_ms: r.get_ref(4)?.as_i64()?.max(0) as u64,
            missed: missed
                .and_then(|m| serde_json::from_str(m).ok())
                .unwrap_or_default(),
        });
    }
    Ok(Window { rows: out, ids })
}

/// Log rows (scheduling and drill) per day from `since` up to the day before `before`, of
/// the decks (all if none).
fn activity(
    conn: &rusqlite::Connection,
    since: NaiveDate,
    before: NaiveDate,
    decks: &[String],
) -> Result<HashMap<NaiveDate, u64>> {
    let sql = if decks.is_empty() {
        "SELECT day, count(*) FROM review_log WHERE day >= ?1 AND day < ?2 GROUP BY day".to_string()
    } else {
        format!(
            "SELECT l.day, count(*) FROM review_log l JOIN question q ON q.id = l.question_id
             WHERE l.day >= ?1 AND l.day < ?2{} GROUP BY l.day",
            decks_in("q.deck_id", decks, 2)
        )
    };
    let mut st = conn.prepare(&sql)?;
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

/// Consecutive review days ending at `last` (or the day before, when `last` has none yet),
/// counting only the given decks when any are named: one indexed probe per day of the
/// streak, however long the log.
fn streak(conn: &rusqlite::Connection, last: NaiveDate, decks: &[String]) -> Result<u64> {
    let sql = if decks.is_empty() {
        "SELECT EXISTS (SELECT 1 FROM review_log WHERE day = ?1)".to_string()
    } else {
        format!(
            "SELECT EXISTS (SELECT 1 FROM review_log l JOIN question q ON q.id = l.question_id
             WHERE l.day = ?1{})",
            decks_in("q.deck_id", decks, 1)
        )
    };
    let mut st = conn.prepare(&sql)?;
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
