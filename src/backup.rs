//! The JSON backup: its shape (format version 3; version 2 had no interview plan and no
//! `mock` rows, version 1 no `suspended` and no `cram` rows; both still restore), a streaming
//! reader that validates it, and the merge plan for a restore. The reader holds the decks,
//! questions and plan, never the log: each log row is checked and handed on as it is read.

use anyhow::{Result, anyhow, bail};
use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

mod read;
pub use read::read;

pub const FORMAT: &str = "rehearse-backup";
pub const VERSION: u32 = 3;

/// The largest deck or question position a backup may hold: far above any real bank, and
/// far enough below i64::MAX that counting on from it cannot overflow.
pub const MAX_POSITION: i64 = 1_000_000_000;

/// The decks, questions and plan of a backup (its log is streamed, see `read`).
#[derive(Clone, Debug, Default)]
pub struct Bank {
    pub decks: Vec<Deck>,
    pub questions: Vec<Question>,
    /// The interview plan, when one was set: added in version 3, optional.
    pub plan: Option<PlanRecord>,
    /// What the log says of each question, in the order of `questions`; None when the log
    /// came before the questions in the file (a restore then counts from the database).
    pub log_tallies: Option<Vec<LogTally>>,
}

/// The interview plan as a backup keeps it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PlanRecord {
    pub date: NaiveDate,
    pub set_on: NaiveDate,
    /// Empty: all decks.
    pub decks: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Deck {
    pub id: String,
    pub title: String,
    pub guidance: Option<String>,
    pub position: i64,
    /// Added with the rubric format: absent when the deck has no time box.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Full id: `deck/question`.
    pub id: String,
    pub deck: String,
    pub section: String,
    pub prompt: String,
    pub tags: Vec<String>,
    /// Each a string (a plain point) or `{"key", "detail", "must"}`.
    pub points: Vec<crate::points::Point>,
    pub position: i64,
    pub retired: bool,
    /// Added in version 2; absent in a version 1 backup.
    #[serde(default)]
    pub suspended: bool,
    pub state: Option<State>,
    /// The rubric fields: absent when empty, so a plain bank's backup reads as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub red_flags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub n: u32,
    pub ef_milli: u32,
    pub interval: u64,
    pub due: NaiveDate,
    pub introduced: NaiveDate,
    pub last_review: String,
}

/// SM-2 fields of a log row, before or after the grade (`due` is null before a first review).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub n: u32,
    pub ef_milli: u32,
    pub interval: u64,
    #[serde(default, deserialize_with = "opt_day")]
    pub due: Option<NaiveDate>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct Log {
    pub reviewed_at: String,
    #[serde(deserialize_with = "day")]
    pub day: NaiveDate,
    pub question: String,
    pub kind: String,
    pub grade: u8,
    pub before: Snapshot,
    pub after: Snapshot,
    pub answer_ms: u64,
    pub missed: Option<Vec<usize>>,
    /// The red flags said (indexes), when graded from points or in a mock; absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub red_flags: Option<Vec<usize>>,
    /// The instant a mock began, shared by its rows; absent for other rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
}

/// A date as the store writes it, YYYY-MM-DD, read without chrono's general parser (a
/// million log rows hold three each); anything else goes to that parser and its error.
fn day<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    struct Visitor;
    impl serde::de::Visitor<'_> for Visitor {
        type Value = NaiveDate;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a formatted date string")
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<NaiveDate, E> {
            parse_day(s).map_err(E::custom)
        }
    }
    d.deserialize_str(Visitor)
}

fn opt_day<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    struct Day(NaiveDate);
    impl<'de> Deserialize<'de> for Day {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
            day(d).map(Day)
        }
    }
    Ok(Option::<Day>::deserialize(d)?.map(|d| d.0))
}

fn parse_day(s: &str) -> Result<NaiveDate, chrono::ParseError> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10))
        && let Some(date) = NaiveDate::from_ymd_opt(y as i32, m, d)
    {
        return Ok(date);
    }
    s.parse()
}

/// What the database already has, as a restore needs to know it.
#[derive(Default)]
pub struct Existing {
    pub decks: HashSet<String>,
    pub questions: HashSet<String>,
    /// last_review of every question that has a state
    pub states: HashMap<String, String>,
    pub next_deck_position: i64,
    /// The database has an interview plan of its own.
    pub has_plan: bool,
}

/// The writes of a restore, but for the log (merged by the store, as a multiset).
#[derive(Debug, Default)]
pub struct Plan {
    pub decks: Vec<Deck>,
    pub questions: Vec<Question>,
    /// (question id, state) to write: absent here, or older here.
    pub states: Vec<(String, State)>,
    /// Questions suspended in the backup: suspended here too (new or not).
    pub suspend: Vec<String>,
    /// The backup's interview plan, taken when the database has none.
    pub interview: Option<PlanRecord>,
    pub states_kept: usize,
    /// What the backup's whole log says of each question with a scheduling review in it:
    /// the states a restore into a database with no log writes from it (a merge recounts).
    pub log_tallies: Option<Vec<(String, LogTally)>>,
}

impl Plan {
    /// No deck, question, state, suspension or interview plan to write.
    pub fn writes_nothing(&self) -> bool {
        self.decks.is_empty()
            && self.questions.is_empty()
            && self.states.is_empty()
            && self.suspend.is_empty()
            && self.interview.is_none()
    }
}

/// Checks the decks and questions a restore relies on; the first problem found is the error.
pub fn validate(b: &Bank) -> Result<()> {
    let decks: HashSet<&str> = b.decks.iter().map(|d| d.id.as_str()).collect();
    if decks.len() != b.decks.len() {
        bail!("a deck appears twice: the file is damaged");
    }
    let positions: HashSet<i64> = b.decks.iter().map(|d| d.position).collect();
    if positions.len() != b.decks.len() {
        bail!("two decks share a position: the file is damaged");
    }
    // What a restore writes must read back as a bank would, so a TOML export of it imports.
    for d in &b.decks {
        if !crate::bank::is_id(&d.id) {
            bail!("deck {:?}: the id is not kebab-case", d.id);
        }
        if !is_text(&d.title) || d.guidance.as_deref().is_some_and(|g| !is_text(g)) {
            bail!("deck {:?}: an empty or untrimmed title or guidance", d.id);
        }
        check_position(d.position, &format!("deck {:?}", d.id))?;
        if d.minutes
            .is_some_and(|m| !crate::bank::MINUTES.contains(&m))
        {
            bail!("deck {:?}: minutes outside 1-60", d.id);
        }
    }
    let mut questions = HashSet::new();
    for q in &b.questions {
        let Some((deck, _)) = q.id.split_once('/') else {
            bail!("question {:?}: the id has no deck part", q.id)
        };
        if deck != q.deck || !decks.contains(deck) {
            bail!(
                "question {:?}: its deck {:?} is not in the backup",
                q.id,
                q.deck
            );
        }
        if !questions.insert(q.id.as_str()) {
            bail!("question {:?} appears twice: the file is damaged", q.id);
        }
        if !crate::bank::is_id(deck)
            || !q
                .id
                .split_once('/')
                .is_some_and(|(_, id)| crate::bank::is_id(id))
        {
            bail!(
                "question {:?}: the id is not deck/question in kebab-case",
                q.id
            );
        }
        if !is_text(&q.prompt) || !is_text(&q.section) {
            bail!(
                "question {:?}: an empty or untrimmed prompt or section",
                q.id
            );
        }
        if q.tags
            .iter()
            .chain(q.points.iter().map(|p| &p.key))
            .chain(q.points.iter().filter_map(|p| p.detail.as_ref()))
            .chain(&q.red_flags)
            .chain(&q.follow_ups)
            .chain(&q.verified)
            .any(|t| !is_text(t) || t.contains('\n'))
        {
            bail!(
                "question {:?}: an empty, untrimmed or multi-line tag, point, red flag, follow-up or verified",
                q.id
            );
        }
        check_rubric(q)?;
        if q.points.len() > crate::bank::MAX_POINTS {
            bail!(
                "question {:?}: {} points, more than the {} a question may have",
                q.id,
                q.points.len(),
                crate::bank::MAX_POINTS
            );
        }
        let what = format!("question {:?}", q.id);
        check_position(q.position, &what)?;
        if let Some(s) = &q.state {
            check_time(&s.last_review, &what)?;
            check_days(&[Some(s.due), Some(s.introduced)], &what)?;
            check_int(s.interval, &what)?;
            if s.ef_milli < 1300 {
                bail!(
                    "question {:?}: ef_milli {} is below the 1300 floor",
                    q.id,
                    s.ef_milli
                );
            }
        }
    }
    if let Some(p) = &b.plan {
        check_days(&[Some(p.date), Some(p.set_on)], "the plan")?;
        if p.set_on > p.date {
            bail!("the plan: set on {} after its date {}", p.set_on, p.date);
        }
        if let Some(d) = p.decks.iter().find(|d| !crate::bank::is_id(d)) {
            bail!("the plan: deck {d:?} is not a kebab-case id");
        }
    }
    Ok(())
}

/// Checks one log row (`row` counts from 1), but for its question being in the backup.
fn check_log(row: usize, l: &Log) -> Result<()> {
    // Named only in an error: a million valid rows format nothing.
    let at = LogRow(row);
    if l.grade > 5 {
        bail!("{at}: grade {} is outside 0-5", l.grade);
    }
    if !["review", "drill", "cram", "mock"].contains(&l.kind.as_str()) {
        bail!("{at}: kind {:?} is not review, drill, cram or mock", l.kind);
    }
    if l.missed
        .as_ref()
        .is_some_and(|m| m.iter().any(|&i| i >= crate::bank::MAX_POINTS))
    {
        bail!(
            "{at}: a missed point index is past the {} points a question may have",
            crate::bank::MAX_POINTS
        );
    }
    if l.red_flags
        .as_ref()
        .is_some_and(|m| m.iter().any(|&i| i >= crate::bank::MAX_RED_FLAGS))
    {
        bail!(
            "{at}: a red flag index is past the {} red flags a question may have",
            crate::bank::MAX_RED_FLAGS
        );
    }
    if l.after.due.is_none() {
        bail!("{at}: the state after the grade has no due date");
    }
    check_days(&[Some(l.day), l.before.due, l.after.due], at)?;
    for v in [l.before.interval, l.after.interval, l.answer_ms] {
        check_int(v, at)?;
    }
    if let Some(t) = &l.session {
        check_time(t, at)?;
    }
    check_time(&l.reviewed_at, at)
}

/// "log row N", for error messages.
#[derive(Clone, Copy)]
struct LogRow(usize);

impl std::fmt::Display for LogRow {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "log row {}", self.0)
    }
}

/// The rubric limits a bank file keeps (see `bank`), so a TOML export of a restore imports.
fn check_rubric(q: &Question) -> Result<()> {
    use crate::bank::{MAX_DETAIL, MAX_FOLLOW_UPS, MAX_KEY, MAX_MUSTS, MAX_RED_FLAGS, MINUTES};
    let tables = q.points.iter().any(|p| !p.is_plain());
    let musts = q.points.iter().filter(|p| p.must).count();
    // Beside table points a plain string is a key too.
    let too_long = tables
        && q.points.iter().any(|p| {
            p.key.chars().count() > MAX_KEY
                || p.detail
                    .as_ref()
                    .is_some_and(|d| d.chars().count() > MAX_DETAIL)
        });
    if too_long {
        bail!(
            "question {:?}: a point's key is over {MAX_KEY} or its detail over {MAX_DETAIL} characters",
            q.id
        );
    }
    if tables && !(1..=MAX_MUSTS).contains(&musts) {
        bail!("question {:?}: {musts} musts, not 1 or 2", q.id);
    }
    if q.red_flags.len() > MAX_RED_FLAGS || q.follow_ups.len() > MAX_FOLLOW_UPS {
        bail!(
            "question {:?}: more than {MAX_RED_FLAGS} red flags or {MAX_FOLLOW_UPS} follow-ups",
            q.id
        );
    }
    if q.minutes.is_some_and(|m| !MINUTES.contains(&m)) {
        bail!("question {:?}: minutes outside 1-60", q.id);
    }
    Ok(())
}

fn check_position(p: i64, what: &str) -> Result<()> {
    if !(0..=MAX_POSITION).contains(&p) {
        bail!("{what}: position {p} is outside 0-{MAX_POSITION}: the file is damaged");
    }
    Ok(())
}

/// Non-empty and without surrounding white space, as the bank parser leaves text.
fn is_text(s: &str) -> bool {
    !s.trim().is_empty() && s.trim() == s
}

/// Dates the store writes as YYYY-MM-DD: years 1 to 9999.
fn check_days(days: &[Option<NaiveDate>], what: impl std::fmt::Display) -> Result<()> {
    use chrono::Datelike;
    if let Some(d) = days
        .iter()
        .flatten()
        .find(|d| !(1..=9999).contains(&d.year()))
    {
        bail!("{what}: the date {d} is outside the years 1-9999");
    }
    Ok(())
}

/// Numbers the store keeps as SQLite integers.
fn check_int(v: u64, what: impl std::fmt::Display) -> Result<()> {
    if v > i64::MAX as u64 {
        bail!("{what}: {v} is too large to store");
    }
    Ok(())
}

fn check_time(t: &str, what: impl std::fmt::Display) -> Result<()> {
    if DateTime::parse_from_rfc3339(t).is_err() {
        bail!("{what}: {t:?} is not an RFC 3339 time");
    }
    Ok(())
}

fn instant(t: &str) -> Option<DateTime<chrono::FixedOffset>> {
    DateTime::parse_from_rfc3339(t).ok()
}

/// The log rows a database holds, as a multiset of 128-bit digests (about 70 MB for a
/// million rows, where the rows themselves took a gigabyte). Two different rows share a
/// digest with a chance of about n^2 / 2^129: 1 in 10^26 for a million rows. The digest is
/// XXH3-128 of the row's fields as `Hash` writes them (each with its length or tag, so two
/// rows write the same bytes only when they are equal); it lives only in memory, for one
/// restore, so it may change between versions.
#[derive(Default)]
pub struct LogDigests {
    seen: rustc_hash::FxHashMap<u128, u32>,
    /// The bytes of the row being digested, kept between rows.
    scratch: Bytes,
}

/// A `Hasher` that only collects what it is fed.
#[derive(Default)]
struct Bytes(Vec<u8>);

impl std::hash::Hasher for Bytes {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
    fn finish(&self) -> u64 {
        unreachable!("digested as a whole by xxh3_128")
    }
}

impl LogDigests {
    fn digest(&mut self, l: &Log) -> u128 {
        use std::hash::Hash;
        self.scratch.0.clear();
        l.hash(&mut self.scratch);
        xxhash_rust::xxh3::xxh3_128(&self.scratch.0)
    }

    /// No row: a database with no log.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    pub fn add(&mut self, l: &Log) {
        let d = self.digest(l);
        *self.seen.entry(d).or_default() += 1;
    }

    /// Whether a backup's row is here already, counting it off: the k-th copy of a row in
    /// the backup is new when the database holds fewer than k, so no row is ever duplicated.
    pub fn take(&mut self, l: &Log) -> bool {
        // Into a database with no log (a restore onto a new machine), nothing to digest.
        if self.seen.is_empty() {
            return false;
        }
        let d = self.digest(l);
        match self.seen.get_mut(&d) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }
}

/// What a backup's log says of one question, as card_state keeps it from the log: its
/// lapses (scheduling grades below 3) and its last scheduling review. Added up by the reader
/// as the rows come, in backup order (the order they get their ids in), so that a restore
/// into a database with no log writes them without reading a million rows again.
#[derive(Clone, Default, Debug, PartialEq)]
pub struct LogTally {
    pub lapses: u64,
    /// The grade and missed points (as the store writes them: JSON) of the question's
    /// latest `review` row; None when it has none.
    pub last: Option<(u8, Option<String>)>,
}

impl LogTally {
    fn add(&mut self, l: &Log) -> Result<()> {
        if l.kind == "review" {
            if l.grade < 3 {
                self.lapses += 1;
            }
            let missed = l.missed.as_ref().map(serde_json::to_string).transpose()?;
            self.last = Some((l.grade, missed));
        }
        Ok(())
    }
}

/// Merges a validated backup into what exists: new decks and questions are added (existing
/// ones keep their text), and a state is taken when the database has none or an older last
/// review. (Log rows are merged by the store, as a multiset, so none is ever duplicated.)
pub fn plan(b: Bank, existing: &Existing) -> Result<Plan> {
    let mut plan = Plan {
        interview: b.plan.clone().filter(|_| !existing.has_plan),
        ..Plan::default()
    };
    let fresh = existing.decks.is_empty();
    let mut next = existing.next_deck_position;
    for d in b.decks {
        if !existing.decks.contains(&d.id) {
            let position = if fresh { d.position } else { next };
            next = next.checked_add(1).ok_or_else(|| {
                anyhow!("the database has no deck position left for deck {:?}", d.id)
            })?;
            plan.decks.push(Deck { position, ..d });
        }
    }
    if let Some(tallies) = b.log_tallies {
        plan.log_tallies = Some(
            b.questions
                .iter()
                .zip(tallies)
                .filter(|(_, t)| t.last.is_some())
                .map(|(q, t)| (q.id.clone(), t))
                .collect(),
        );
    }
    for mut q in b.questions {
        if q.suspended {
            plan.suspend.push(q.id.clone());
        }
        if let Some(s) = q.state.take() {
            let take = match existing.states.get(&q.id) {
                None => true,
                Some(ours) => instant(&s.last_review) > instant(ours),
            };
            if take {
                plan.states.push((q.id.clone(), s));
            } else {
                plan.states_kept += 1;
            }
        }
        if !existing.questions.contains(&q.id) {
            plan.questions.push(q);
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(q: &str, at: &str, grade: u8) -> Log {
        let snap = Snapshot {
            n: 0,
            ef_milli: 2500,
            interval: 0,
            due: None,
        };
        Log {
            reviewed_at: at.into(),
            day: "2026-03-01".parse().unwrap(),
            question: q.into(),
            kind: "review".into(),
            grade,
            before: snap.clone(),
            after: Snapshot {
                due: Some("2026-03-02".parse().unwrap()),
                ..snap
            },
            answer_ms: 1000,
            missed: None,
            red_flags: None,
            session: None,
        }
    }

    fn state(at: &str) -> State {
        State {
            n: 1,
            ef_milli: 2500,
            interval: 1,
            due: "2026-03-02".parse().unwrap(),
            introduced: "2026-03-01".parse().unwrap(),
            last_review: at.into(),
        }
    }

    fn bank() -> Bank {
        Bank {
            decks: vec![Deck {
                id: "d".into(),
                title: "D".into(),
                guidance: None,
                position: 3,
                minutes: None,
            }],
            questions: ["d/a", "d/b"]
                .iter()
                .enumerate()
                .map(|(i, id)| Question {
                    id: id.to_string(),
                    deck: "d".into(),
                    section: "S".into(),
                    prompt: "P?".into(),
                    tags: vec![],
                    points: vec![],
                    position: i as i64,
                    retired: false,
                    suspended: false,
                    state: Some(state("2026-03-01T09:00:00.000Z")),
                    red_flags: vec![],
                    follow_ups: vec![],
                    verified: None,
                    minutes: None,
                })
                .collect(),
            plan: None,
            log_tallies: None,
        }
    }

    fn json(bank: &Bank, log: &[Log]) -> String {
        serde_json::json!({
            "format": FORMAT, "version": VERSION, "decks": bank.decks, "questions": bank.questions,
            "log": log,
        })
        .to_string()
    }

    /// Reads a backup from text, returning its bank and log, or the error line.
    fn read_text(text: &str) -> Result<(Bank, Vec<Log>), String> {
        let mut log = Vec::new();
        read(|| Ok(std::io::Cursor::new(text.as_bytes())), &mut |l| {
            log.push(l.clone());
            Ok(())
        })
        .map(|b| (b, log))
        .map_err(|e| e.to_string())
    }

    #[test]
    fn into_an_empty_database_everything_is_taken_verbatim() {
        let (b, log) =
            read_text(&json(&bank(), &[log("d/a", "2026-03-01T09:00:00.000Z", 4)])).unwrap();
        assert_eq!(log.len(), 1);
        let p = plan(b, &Existing::default()).unwrap();
        assert_eq!(p.decks[0].position, 3);
        assert_eq!((p.questions.len(), p.states.len()), (2, 2));
    }

    #[test]
    fn log_rows_merge_as_a_multiset() {
        let a = log("d/a", "2026-03-01T09:00:00.000Z", 4);
        let b = log("d/b", "2026-03-01T09:00:00.000Z", 4);
        let mut here = LogDigests::default();
        here.add(&a);
        // The backup holds a twice and b once: one a is here, the other a and b are new.
        let present: Vec<bool> = [&a, &a, &b].iter().map(|l| here.take(l)).collect();
        assert_eq!(present, [true, false, false]);
    }

    #[test]
    fn later_states_win() {
        let mut ex = Existing {
            decks: ["d".to_string()].into(),
            questions: ["d/a".to_string(), "d/b".to_string()].into(),
            ..Default::default()
        };
        ex.states
            .insert("d/a".into(), "2026-03-05T09:00:00.000Z".into());
        ex.states
            .insert("d/b".into(), "2026-02-01T09:00:00.000Z".into());
        let p = plan(bank(), &ex).unwrap();
        assert!(p.decks.is_empty() && p.questions.is_empty());
        assert_eq!(
            p.states
                .iter()
                .map(|(id, _)| id.as_str())
                .collect::<Vec<_>>(),
            ["d/b"]
        );
        assert_eq!(p.states_kept, 1);
    }

    #[test]
    fn the_plan_is_taken_only_by_a_database_without_one() {
        let mut b = bank();
        b.plan = Some(PlanRecord {
            date: "2026-04-01".parse().unwrap(),
            set_on: "2026-03-01".parse().unwrap(),
            decks: vec!["d".into()],
        });
        validate(&b).unwrap();
        assert_eq!(
            plan(b.clone(), &Existing::default()).unwrap().interview,
            b.plan
        );
        let ours = Existing {
            has_plan: true,
            ..Default::default()
        };
        assert_eq!(plan(b.clone(), &ours).unwrap().interview, None);
        b.plan.as_mut().unwrap().set_on = "2026-05-01".parse().unwrap();
        assert!(validate(&b).unwrap_err().to_string().contains("the plan"));
    }

    #[test]
    fn positions_are_bounded_and_counted_on_with_checks() {
        let mut b = bank();
        b.decks[0].position = i64::MAX;
        assert_eq!(
            validate(&b).unwrap_err().to_string(),
            "deck \"d\": position 9223372036854775807 is outside 0-1000000000: the file is damaged"
        );
        let ex = Existing {
            decks: ["other".to_string()].into(),
            next_deck_position: i64::MAX,
            ..Default::default()
        };
        assert!(plan(bank(), &ex).is_err());
    }

    #[test]
    fn a_bom_and_any_key_order_are_read_and_log_rows_are_streamed_in_order() {
        let rows = [
            log("d/a", "2026-03-01T09:00:00.000Z", 4),
            log("d/b", "2026-03-02T09:00:00.000Z", 2),
        ];
        let text = json(&bank(), &rows);
        let (b, log) = read_text(&format!("\u{feff}{text}")).unwrap();
        assert_eq!((b.questions.len(), log.as_slice()), (2, &rows[..]));
        // serde_json::Value sorts keys: the log comes before the questions, and the
        // version last.
        let sorted: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(read_text(&sorted.to_string()).unwrap().1, rows);
        let mut bad = sorted.clone();
        bad["log"][1]["question"] = "d/zz".into();
        assert_eq!(
            read_text(&bad.to_string()).unwrap_err(),
            "log row 2: question \"d/zz\" is not in the backup"
        );
        let mut newer = sorted;
        newer["version"] = (VERSION + 1).into();
        newer["log"][0]["x"] = 1.into();
        assert!(
            read_text(&newer.to_string())
                .unwrap_err()
                .contains("newer rehearse")
        );
    }

    #[test]
    fn damaged_backups_are_refused() {
        let text = json(&bank(), &[log("d/a", "2026-03-01T09:00:00.000Z", 4)]);
        assert!(
            read_text(&text.replace(
                &format!("\"version\":{VERSION}"),
                &format!("\"version\":{}", VERSION + 1)
            ))
            .unwrap_err()
            .contains("newer rehearse")
        );
        assert_eq!(
            read_text(&text.replace("\"grade\":4", "\"grade\":7")).unwrap_err(),
            "log row 1: grade 7 is outside 0-5"
        );
        assert_eq!(
            read_text(&format!("   {text}")).unwrap_err(),
            "not a rehearse backup (a backup begins with {)"
        );
        assert_eq!(
            read_text(&text.replace("\"log\"", "\"logs\"")).unwrap_err(),
            "damaged backup (unknown field `logs`, expected one of `format`, `version`, `decks`, `questions`, `plan`, `log` at line 1 column 97)"
        );
    }

    #[test]
    fn rubric_fields_are_optional_and_bounded() {
        use crate::points::Point;
        // A backup written before the rubric fields existed reads, and writes back the same.
        let line = r#"{"id":"d/a","deck":"d","section":"S","prompt":"P?","tags":[],"points":["x"],"position":0,"retired":false,"suspended":false,"state":null}"#;
        let q: Question = serde_json::from_str(line).unwrap();
        assert_eq!(q.points, [Point::plain("x")]);
        assert!(q.red_flags.is_empty() && q.verified.is_none());
        assert_eq!(serde_json::to_string(&q).unwrap(), line);
        // Table points read back as tables.
        let must = Point {
            key: "k".into(),
            detail: Some("d".into()),
            must: true,
        };
        let mut b = bank();
        b.questions[0].points = vec![must.clone(), Point::plain("y")];
        b.questions[0].red_flags = vec!["r".into()];
        validate(&b).unwrap();
        let text = serde_json::to_string(&b.questions[0]).unwrap();
        assert!(
            text.contains(r#""points":[{"key":"k","detail":"d","must":true},"y"]"#),
            "{text}"
        );
        assert_eq!(
            serde_json::from_str::<Question>(&text).unwrap(),
            b.questions[0]
        );
        let refused = |f: &dyn Fn(&mut Bank)| {
            let mut b = bank();
            b.questions[0].points = vec![must.clone(), Point::plain("y")];
            f(&mut b);
            validate(&b).unwrap_err().to_string()
        };
        assert_eq!(
            refused(&|b| b.questions[0].points[0].must = false),
            "question \"d/a\": 0 musts, not 1 or 2"
        );
        assert!(refused(&|b| b.questions[0].points[0].key = "k".repeat(61)).contains("over 60"));
        assert!(refused(&|b| b.questions[0].red_flags = vec!["r".into(); 6]).contains("red flags"));
        assert!(refused(&|b| b.questions[0].minutes = Some(0)).contains("minutes"));
        assert!(refused(&|b| b.decks[0].minutes = Some(61)).contains("minutes"));
        assert!(refused(&|b| b.questions[0].verified = Some(" ".into())).contains("verified"));
        let mut l = log("d/a", "2026-03-01T09:00:00.000Z", 4);
        l.red_flags = Some(vec![5]);
        assert!(
            check_log(1, &l)
                .unwrap_err()
                .to_string()
                .contains("red flag index")
        );
        // An unknown key inside a point table is an unknown field, as everywhere in a backup.
        let bad = line.replace(r#"["x"]"#, r#"[{"key":"k","must":true,"extra":1}]"#);
        assert!(serde_json::from_str::<Question>(&bad).is_err());
    }
}
