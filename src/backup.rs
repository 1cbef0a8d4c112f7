//! The JSON backup: its shape (format version 3; version 2 had no interview plan and no
//! `mock` rows, version 1 no `suspended` and no `cram` rows; both still restore), validation, and the merge plan for a
//! restore. Pure: the store reads and writes it.

use anyhow::{Result, bail};
use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

pub const FORMAT: &str = "rehearse-backup";
pub const VERSION: u32 = 3;

/// The whole backup. Written one record per line (see `cmd::export`), read with serde.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    pub format: String,
    pub version: u32,
    pub decks: Vec<Deck>,
    pub questions: Vec<Question>,
    /// The interview plan, when one was set: added in version 3, optional.
    #[serde(default)]
    pub plan: Option<PlanRecord>,
    pub log: Vec<Log>,
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
    pub points: Vec<String>,
    pub position: i64,
    pub retired: bool,
    /// Added in version 2; absent in a version 1 backup.
    #[serde(default)]
    pub suspended: bool,
    pub state: Option<State>,
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
    pub due: Option<NaiveDate>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct Log {
    pub reviewed_at: String,
    pub day: NaiveDate,
    pub question: String,
    pub kind: String,
    pub grade: u8,
    pub before: Snapshot,
    pub after: Snapshot,
    pub answer_ms: u64,
    pub missed: Option<Vec<usize>>,
    /// A mock answer's red flags said; absent for other rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub red_flags: Option<Vec<usize>>,
    /// The instant a mock began, shared by its rows; absent for other rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
}

/// What the database already has, as a restore needs to know it.
#[derive(Default)]
pub struct Existing {
    pub decks: HashSet<String>,
    pub questions: HashSet<String>,
    /// last_review of every question that has a state
    pub states: HashMap<String, String>,
    /// how many times each log row is present
    pub log: HashMap<Log, u64>,
    pub next_deck_position: i64,
    /// The database has an interview plan of its own.
    pub has_plan: bool,
}

/// The writes of a restore.
#[derive(Debug, Default)]
pub struct Plan {
    pub decks: Vec<Deck>,
    pub questions: Vec<Question>,
    /// (question id, state) to write: absent here, or older here.
    pub states: Vec<(String, State)>,
    pub log: Vec<Log>,
    /// Questions suspended in the backup: suspended here too (new or not).
    pub suspend: Vec<String>,
    /// The backup's interview plan, taken when the database has none.
    pub interview: Option<PlanRecord>,
    pub states_kept: usize,
    pub log_present: usize,
}

/// Checks everything a restore relies on; the first problem found is the error.
pub fn validate(b: &Backup) -> Result<()> {
    if b.format != FORMAT {
        bail!(
            "not a rehearse backup (format {:?}, expected {FORMAT:?})",
            b.format
        );
    }
    if b.version > VERSION {
        bail!(
            "written by a newer rehearse (backup version {}, this one reads {VERSION}): upgrade rehearse",
            b.version
        );
    }
    if b.version == 0 {
        bail!("backup version 0 does not exist: the file is damaged");
    }
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
            .chain(&q.points)
            .any(|t| !is_text(t) || t.contains('\n'))
        {
            bail!(
                "question {:?}: an empty, untrimmed or multi-line tag or point",
                q.id
            );
        }
        if q.points.len() > crate::bank::MAX_POINTS {
            bail!(
                "question {:?}: {} points, more than the {} a question may have",
                q.id,
                q.points.len(),
                crate::bank::MAX_POINTS
            );
        }
        if let Some(s) = &q.state {
            let what = format!("question {:?}", q.id);
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
    for (i, l) in b.log.iter().enumerate() {
        let at = format!("log row {}", i + 1);
        if !questions.contains(l.question.as_str()) {
            bail!("{at}: question {:?} is not in the backup", l.question);
        }
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
        if l.after.due.is_none() {
            bail!("{at}: the state after the grade has no due date");
        }
        check_days(&[Some(l.day), l.before.due, l.after.due], &at)?;
        for v in [l.before.interval, l.after.interval, l.answer_ms] {
            check_int(v, &at)?;
        }
        check_time(&l.reviewed_at, &at)?;
        if let Some(t) = &l.session {
            check_time(t, &at)?;
        }
    }
    Ok(())
}

/// Non-empty and without surrounding white space, as the bank parser leaves text.
fn is_text(s: &str) -> bool {
    !s.trim().is_empty() && s.trim() == s
}

/// Dates the store writes as YYYY-MM-DD: years 1 to 9999.
fn check_days(days: &[Option<NaiveDate>], what: &str) -> Result<()> {
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
fn check_int(v: u64, what: &str) -> Result<()> {
    if v > i64::MAX as u64 {
        bail!("{what}: {v} is too large to store");
    }
    Ok(())
}

fn check_time(t: &str, what: &str) -> Result<()> {
    if DateTime::parse_from_rfc3339(t).is_err() {
        bail!("{what}: {t:?} is not an RFC 3339 time");
    }
    Ok(())
}

fn instant(t: &str) -> Option<DateTime<chrono::FixedOffset>> {
    DateTime::parse_from_rfc3339(t).ok()
}

/// Merges a validated backup into what exists: new decks and questions are added (existing
/// ones keep their text), a state is taken when the database has none or an older last review,
/// and log rows are added as a multiset, so no row is ever duplicated.
pub fn plan(b: &Backup, existing: &Existing) -> Plan {
    let mut plan = Plan {
        interview: b.plan.clone().filter(|_| !existing.has_plan),
        ..Plan::default()
    };
    let fresh = existing.decks.is_empty();
    let mut next = existing.next_deck_position;
    for d in &b.decks {
        if !existing.decks.contains(&d.id) {
            let position = if fresh { d.position } else { next };
            next += 1;
            plan.decks.push(Deck {
                position,
                ..d.clone()
            });
        }
    }
    for q in &b.questions {
        if q.suspended {
            plan.suspend.push(q.id.clone());
        }
        if !existing.questions.contains(&q.id) {
            plan.questions.push(Question {
                state: None,
                ..q.clone()
            });
        }
        if let Some(s) = &q.state {
            let take = match existing.states.get(&q.id) {
                None => true,
                Some(ours) => instant(&s.last_review) > instant(ours),
            };
            if take {
                plan.states.push((q.id.clone(), s.clone()));
            } else {
                plan.states_kept += 1;
            }
        }
    }
    let mut seen: HashMap<&Log, u64> = HashMap::new();
    for l in &b.log {
        let n = seen.entry(l).or_default();
        *n += 1;
        if *n > existing.log.get(l).copied().unwrap_or(0) {
            plan.log.push(l.clone());
        } else {
            plan.log_present += 1;
        }
    }
    plan
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

    fn backup() -> Backup {
        Backup {
            format: FORMAT.into(),
            version: 1,
            decks: vec![Deck {
                id: "d".into(),
                title: "D".into(),
                guidance: None,
                position: 3,
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
                })
                .collect(),
            plan: None,
            log: vec![
                log("d/a", "2026-03-01T09:00:00.000Z", 4),
                log("d/a", "2026-03-01T09:00:00.000Z", 4),
                log("d/b", "2026-03-01T09:00:00.000Z", 2),
            ],
        }
    }

    #[test]
    fn into_an_empty_database_everything_is_taken_verbatim() {
        let b = backup();
        validate(&b).unwrap();
        let p = plan(&b, &Existing::default());
        assert_eq!(p.decks[0].position, 3);
        assert_eq!((p.questions.len(), p.states.len(), p.log.len()), (2, 2, 3));
    }

    #[test]
    fn log_rows_merge_as_a_multiset_and_later_states_win() {
        let b = backup();
        let mut ex = Existing {
            decks: ["d".to_string()].into(),
            questions: ["d/a".to_string(), "d/b".to_string()].into(),
            ..Default::default()
        };
        ex.log.insert(log("d/a", "2026-03-01T09:00:00.000Z", 4), 1);
        ex.states
            .insert("d/a".into(), "2026-03-05T09:00:00.000Z".into());
        ex.states
            .insert("d/b".into(), "2026-02-01T09:00:00.000Z".into());
        let p = plan(&b, &ex);
        assert!(p.decks.is_empty() && p.questions.is_empty());
        assert_eq!(
            p.log.len(),
            2,
            "one of the two identical rows was already here"
        );
        assert_eq!(p.log_present, 1);
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
        let mut b = backup();
        b.plan = Some(PlanRecord {
            date: "2026-04-01".parse().unwrap(),
            set_on: "2026-03-01".parse().unwrap(),
            decks: vec!["d".into()],
        });
        validate(&b).unwrap();
        assert_eq!(plan(&b, &Existing::default()).interview, b.plan);
        let ours = Existing {
            has_plan: true,
            ..Default::default()
        };
        assert_eq!(plan(&b, &ours).interview, None);
        b.plan.as_mut().unwrap().set_on = "2026-05-01".parse().unwrap();
        assert!(validate(&b).unwrap_err().to_string().contains("the plan"));
    }

    #[test]
    fn damaged_backups_are_refused() {
        let mut b = backup();
        b.version = VERSION + 1;
        assert!(
            validate(&b)
                .unwrap_err()
                .to_string()
                .contains("newer rehearse")
        );
        let mut b = backup();
        b.log[0].grade = 7;
        assert_eq!(
            validate(&b).unwrap_err().to_string(),
            "log row 1: grade 7 is outside 0-5"
        );
        let mut b = backup();
        b.log[2].question = "d/zz".into();
        assert!(
            validate(&b)
                .unwrap_err()
                .to_string()
                .contains("not in the backup")
        );
    }
}
