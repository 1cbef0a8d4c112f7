//! The interview plan (interview.md), pure: the pace of new questions, the final window and
//! its assignment of final days (readiness is counted beside the states: migration 0014). The
//! plan never changes SM-2 state; it only says which questions are offered on which day. No
//! I/O, no clock.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;

/// The most new questions a plan asks for in one day.
pub const MAX_PACE: u64 = 50;

/// A stored plan: the interview date, the review day it was set, and its decks (empty: all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub date: NaiveDate,
    pub set_on: NaiveDate,
    pub decks: Vec<String>,
}

impl Plan {
    /// Days from the day the plan was set to the date.
    pub fn plan_days(&self) -> u64 {
        days_between(self.set_on, self.date)
    }

    /// W = min(7, max(1, plan_days / 4)): fixed when the plan is set.
    pub fn window(&self) -> u64 {
        (self.plan_days() / 4).clamp(1, 7)
    }

    /// The first day of the final window.
    pub fn window_start(&self) -> NaiveDate {
        self.date
            .checked_sub_days(Days::new(self.window()))
            .unwrap_or(self.date)
    }

    /// The plan steers scheduling only while today is before the date.
    pub fn is_active(&self, today: NaiveDate) -> bool {
        today < self.date
    }

    /// Days to go, counting today (0 on and after the date).
    pub fn days_left(&self, today: NaiveDate) -> u64 {
        days_between(today, self.date)
    }

    pub fn in_window(&self, today: NaiveDate) -> bool {
        self.is_active(today) && today >= self.window_start()
    }

    /// The days of the window still to come, today included, in order.
    pub fn window_days_from(&self, today: NaiveDate) -> Vec<NaiveDate> {
        let start = self.window_start().max(today);
        start.iter_days().take_while(|d| *d < self.date).collect()
    }
}

fn days_between(from: NaiveDate, to: NaiveDate) -> u64 {
    (to - from).num_days().max(0) as u64
}

/// Today's new-question pace: `ceil(unseen / max(1, days_left - W))`, at most MAX_PACE.
/// `unseen` is counted as of the start of the day, so the pace is the same all day.
pub fn pace(plan: &Plan, today: NaiveDate, unseen: u64) -> u64 {
    if !plan.is_active(today) || unseen == 0 {
        return 0;
    }
    let days = plan.days_left(today).saturating_sub(plan.window()).max(1);
    unseen.div_ceil(days).min(MAX_PACE)
}

/// The day's new limit under a plan: the configured limit, raised to the pace.
pub fn new_limit(configured: u64, plan: &Plan, today: NaiveDate, unseen: u64) -> u64 {
    configured.max(pace(plan, today, unseen))
}

/// How many of the plan's unseen questions cannot be seen before the date even at
/// MAX_PACE a day (0 when the pace is enough).
pub fn left_unseen(plan: &Plan, today: NaiveDate, unseen: u64) -> u64 {
    if !plan.is_active(today) {
        return 0;
    }
    unseen.saturating_sub(MAX_PACE.saturating_mul(plan.days_left(today)))
}

/// What ranks a question for the final window: stronger first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strength {
    pub id: String,
    pub ef_milli: u32,
    pub lapses: u64,
    /// Bank order: (deck position, position).
    pub order: (i64, i64),
}

/// The final window's ranking: highest EF first, then fewest lapses, then bank order (and the
/// id, so that no two questions tie).
fn stronger_first(a: &Strength, b: &Strength) -> Ordering {
    b.ef_milli
        .cmp(&a.ef_milli)
        .then(a.lapses.cmp(&b.lapses))
        .then(a.order.cmp(&b.order))
        .then(a.id.cmp(&b.id))
}

/// Deals `questions` (any order) over `days` (in order): strongest first, so the weakest land
/// on the days closest to the date; day loads differ by at most one (the earlier days take
/// the extra ones). Returns each question with its day, strongest first. A pure function of
/// its inputs.
fn deal_in_order(mut questions: Vec<Strength>, days: &[NaiveDate]) -> Vec<(Strength, NaiveDate)> {
    if days.is_empty() {
        return Vec::new();
    }
    questions.sort_by(stronger_first);
    let (base, extra) = (questions.len() / days.len(), questions.len() % days.len());
    let mut it = questions.into_iter();
    let mut out = Vec::new();
    for (i, day) in days.iter().enumerate() {
        let load = base + usize::from(i < extra);
        out.extend(it.by_ref().take(load).map(|q| (q, *day)));
    }
    out
}

/// A seen question of the plan as it stood at the start of the day.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub strength: Strength,
    /// Its SM-2 due date at the start of the day.
    pub due: NaiveDate,
    /// It had a scheduling review today (so it is done with the window).
    pub reviewed_today: bool,
}

/// One day of the window as the day's deal keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealtDay {
    pub day: NaiveDate,
    /// The strongest question dealt this day; None when none was.
    pub first: Option<Strength>,
    /// How many of those dealt this day SM-2 does not offer by then.
    pub finals: u64,
}

/// The day's deal, a pure function of the start-of-day states and the date: the questions
/// dealt today that SM-2 does not already offer (in bank order, whether or not reviewed
/// today), and each day of the window from today on (none before the window starts).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deal {
    pub today: Vec<String>,
    pub days: Vec<DealtDay>,
}

/// Deals the candidates over the window's days from today on (over the whole window before it
/// starts, for the load).
pub fn make_deal(plan: &Plan, today: NaiveDate, candidates: &[Candidate]) -> Deal {
    if !plan.is_active(today) {
        return Deal::default();
    }
    let days = plan.window_days_from(today);
    let due: HashMap<&str, NaiveDate> = candidates
        .iter()
        .map(|c| (c.strength.id.as_str(), c.due))
        .collect();
    let order: HashMap<&str, (i64, i64)> = candidates
        .iter()
        .map(|c| (c.strength.id.as_str(), c.strength.order))
        .collect();
    let dealt = deal_in_order(
        candidates.iter().map(|c| c.strength.clone()).collect(),
        &days,
    );
    let mut out: Vec<DealtDay> = days
        .iter()
        .map(|&day| DealtDay {
            day,
            first: None,
            finals: 0,
        })
        .collect();
    let mut today_finals = Vec::new();
    let mut at = 0;
    for (q, day) in &dealt {
        while out[at].day != *day {
            at += 1;
        }
        let d = &mut out[at];
        if due[q.id.as_str()] > *day {
            d.finals += 1;
            if *day == today {
                today_finals.push(q.id.as_str());
            }
        }
        if d.first.is_none() {
            d.first = Some(q.clone());
        }
    }
    today_finals.sort_by(|a, b| order[a].cmp(&order[b]).then(a.cmp(b)));
    Deal {
        today: today_finals.into_iter().map(String::from).collect(),
        days: out,
    }
}

/// The day the deal gave a candidate of the start of the day: the last whose strongest
/// question is no stronger than it.
fn dealt_day(days: &[DealtDay], s: &Strength) -> Option<NaiveDate> {
    days.iter()
        .rev()
        .find(|d| {
            d.first
                .as_ref()
                .is_some_and(|f| stronger_first(f, s) != Ordering::Greater)
        })
        .map(|d| d.day)
}

/// Each window day's finals still to offer: those the deal counted for it, less the ones
/// among them that had a scheduling review today (done with the window). `reviewed_today`:
/// the day's candidates reviewed today, as they stood at its start.
pub fn finals_left(days: &[DealtDay], reviewed_today: &[Candidate]) -> HashMap<NaiveDate, u64> {
    let mut out: HashMap<NaiveDate, u64> = days.iter().map(|d| (d.day, d.finals)).collect();
    for c in reviewed_today {
        if let Some(day) = dealt_day(days, &c.strength).filter(|d| c.due > *d)
            && let Some(n) = out.get_mut(&day)
        {
            *n = n.saturating_sub(1);
        }
    }
    out
}

/// One day's expected load under the plan.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DayLoad {
    pub day: NaiveDate,
    pub new: u64,
    pub due: u64,
    #[serde(rename = "final")]
    pub finals: u64,
}

impl DayLoad {
    pub fn total(&self) -> u64 {
        self.new + self.due + self.finals
    }
}

/// The load of each day from today to the eve of the date, as things stand: new questions at
/// the pace (from `unseen` at the start of today) and SM-2 due counts; in the window, each
/// day's finals still to offer (`finals`, from `finals_left`), and before it, the questions
/// that will then be seen (`seen` of them now), dealt evenly.
pub fn daily_load(
    plan: &Plan,
    today: NaiveDate,
    configured: u64,
    unseen: u64,
    due: &HashMap<NaiveDate, u64>,
    seen: u64,
    finals: &HashMap<NaiveDate, u64>,
) -> Vec<DayLoad> {
    let mut left = unseen;
    let mut load: Vec<DayLoad> = today
        .iter_days()
        .take_while(|d| *d < plan.date)
        .map(|day| {
            let new = new_limit(configured, plan, day, left).min(left);
            left -= new;
            DayLoad {
                day,
                new,
                due: due.get(&day).copied().unwrap_or(0),
                finals: finals.get(&day).copied().unwrap_or(0),
            }
        })
        .collect();
    if !plan.in_window(today) {
        let seen_by_then: u64 = load
            .iter()
            .filter(|d| d.day < plan.window_start())
            .map(|d| d.new)
            .sum::<u64>()
            + seen;
        let window: Vec<&mut DayLoad> = load
            .iter_mut()
            .filter(|d| d.day >= plan.window_start())
            .collect();
        let days = window.len().max(1) as u64;
        for (i, d) in window.into_iter().enumerate() {
            d.finals = seen_by_then / days + u64::from((i as u64) < seen_by_then % days);
        }
    }
    load
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deal(questions: Vec<Strength>, days: &[NaiveDate]) -> HashMap<String, NaiveDate> {
        deal_in_order(questions, days)
            .into_iter()
            .map(|(q, day)| (q.id, day))
            .collect()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn plan(set_on: &str, date: &str) -> Plan {
        Plan {
            date: day(date),
            set_on: day(set_on),
            decks: vec![],
        }
    }

    fn q(id: &str, ef: u32, lapses: u64, pos: i64) -> Strength {
        Strength {
            id: id.into(),
            ef_milli: ef,
            lapses,
            order: (0, pos),
        }
    }

    #[test]
    fn the_window_is_a_quarter_of_the_plan_between_1_and_7() {
        assert_eq!(plan("2027-01-01", "2027-01-21").window(), 5);
        assert_eq!(plan("2027-01-01", "2027-01-03").window(), 1);
        assert_eq!(plan("2027-01-01", "2027-03-01").window(), 7);
        assert_eq!(plan("2027-01-01", "2027-01-08").window(), 1, "7 / 4 = 1");
        let p = plan("2027-01-01", "2027-01-21");
        assert_eq!(p.window_start(), day("2027-01-16"));
        assert!(!p.in_window(day("2027-01-15")));
        assert!(p.in_window(day("2027-01-16")) && p.in_window(day("2027-01-20")));
        assert!(!p.in_window(day("2027-01-21")) && !p.is_active(day("2027-01-21")));
    }

    #[test]
    fn pace_spreads_the_unseen_over_the_days_before_the_window() {
        // 241 unseen, 20 days to go, W = 5: ceil(241 / 15) = 17.
        let p = plan("2027-01-01", "2027-01-21");
        assert_eq!(p.days_left(day("2027-01-01")), 20);
        assert_eq!(pace(&p, day("2027-01-01"), 241), 17);
        assert_eq!(new_limit(10, &p, day("2027-01-01"), 241), 17);
        assert_eq!(new_limit(20, &p, day("2027-01-01"), 241), 20);
        // In the window, what is left comes at once, capped.
        assert_eq!(pace(&p, day("2027-01-18"), 30), 30);
        assert_eq!(pace(&p, day("2027-01-18"), 300), MAX_PACE);
        assert_eq!(pace(&p, day("2027-01-21"), 30), 0, "after the date: none");
        assert_eq!(left_unseen(&p, day("2027-01-01"), 241), 0);
        assert_eq!(left_unseen(&p, day("2027-01-19"), 241), 141);
    }

    #[test]
    fn dealing_keeps_loads_within_one_and_the_weakest_last() {
        let p = plan("2027-01-01", "2027-01-21");
        let days = p.window_days_from(day("2027-01-10"));
        assert_eq!(days.len(), 5);
        let qs: Vec<Strength> = (0..13)
            .map(|i| q(&format!("q{i}"), 1300 + 100 * i as u32, 0, i))
            .collect();
        let dealt = deal(qs.clone(), &days);
        assert_eq!(dealt.len(), 13);
        let loads: Vec<usize> = days
            .iter()
            .map(|d| dealt.values().filter(|x| *x == d).count())
            .collect();
        assert_eq!(loads, [3, 3, 3, 2, 2]);
        assert_eq!(dealt["q0"], day("2027-01-20"), "the weakest is last");
        assert_eq!(dealt["q12"], day("2027-01-16"), "the strongest is first");
        // The same inputs in any order deal the same.
        let mut rev = qs;
        rev.reverse();
        assert_eq!(deal(rev, &days), dealt);
    }

    #[test]
    fn lapses_then_bank_order_break_ef_ties() {
        let days = [day("2027-01-01"), day("2027-01-02"), day("2027-01-03")];
        let dealt = deal(
            vec![q("a", 2500, 2, 0), q("b", 2500, 0, 1), q("c", 2500, 0, 0)],
            &days,
        );
        assert_eq!(
            (dealt["c"], dealt["b"], dealt["a"]),
            (days[0], days[1], days[2])
        );
        assert!(deal(vec![q("a", 2500, 0, 0)], &[]).is_empty());
    }

    #[test]
    fn the_load_deals_what_will_be_seen_over_the_window() {
        let p = plan("2027-01-01", "2027-01-21");
        let load = daily_load(
            &p,
            day("2027-01-01"),
            10,
            241,
            &HashMap::new(),
            0,
            &HashMap::new(),
        );
        assert_eq!(load.len(), 20);
        assert_eq!(load.iter().map(|d| d.new).sum::<u64>(), 241);
        assert_eq!(load[0].new, 17);
        let finals: Vec<u64> = load[15..].iter().map(|d| d.finals).collect();
        assert_eq!(finals, [49, 48, 48, 48, 48]);
        assert!(load[..15].iter().all(|d| d.finals == 0));
    }

    proptest::proptest! {
        /// The loads drawn from the kept deal (its days' first questions and counts, less
        /// today's reviews) are those of dealing every candidate again.
        #[test]
        fn the_kept_deal_gives_the_loads_of_dealing_again(
            cands in proptest::collection::vec(
                (1300u32..1700, 0u64..3, 0i64..3, 0i64..4, 0u64..7, proptest::bool::ANY), 0..40),
            from in 0u64..5,
        ) {
            let p = plan("2027-01-01", "2027-01-21");
            let today = day("2027-01-16") + Days::new(from);
            let cs: Vec<Candidate> = cands
                .iter()
                .enumerate()
                .map(|(i, &(ef, lapses, deck, pos, due, reviewed_today))| Candidate {
                    strength: Strength {
                        id: format!("q{i}"),
                        ef_milli: ef,
                        lapses,
                        order: (deck, pos),
                    },
                    due: today + Days::new(due),
                    reviewed_today,
                })
                .collect();
            let kept = make_deal(&p, today, &cs);
            let reviewed: Vec<Candidate> =
                cs.iter().filter(|c| c.reviewed_today).cloned().collect();
            let left = finals_left(&kept.days, &reviewed);
            let dealt = deal(
                cs.iter().map(|c| c.strength.clone()).collect(),
                &p.window_days_from(today),
            );
            for d in p.window_days_from(today) {
                let expected = cs
                    .iter()
                    .filter(|c| !c.reviewed_today && dealt[&c.strength.id] == d && c.due > d)
                    .count() as u64;
                proptest::prop_assert_eq!(left.get(&d).copied().unwrap_or(0), expected, "{}", d);
            }
            let mut today_list: Vec<&Candidate> = cs
                .iter()
                .filter(|c| dealt[&c.strength.id] == today && c.due > today)
                .collect();
            today_list.sort_by_key(|c| (c.strength.order, c.strength.id.clone()));
            let ids: Vec<String> = today_list.iter().map(|c| c.strength.id.clone()).collect();
            proptest::prop_assert_eq!(kept.today, ids);
        }
    }
}
