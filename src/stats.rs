//! The arithmetic of `stats`, pure: rows in, a report out. No I/O, no clock.

use crate::store::{QuestionStat, WindowRow};
use chrono::{Days, NaiveDate};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::HashMap;

/// Days at or above which an interval counts as mature.
pub const MATURE_DAYS: u64 = 21;

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Counts {
    pub new: u64,
    pub learning: u64,
    pub young: u64,
    pub mature: u64,
    pub retired: u64,
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Due {
    /// Due today or overdue.
    pub today: u64,
    /// Due exactly tomorrow.
    pub tomorrow: u64,
    /// Due within the next 7 days, today's and overdue ones included.
    pub week: u64,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Overview {
    pub questions: Counts,
    pub due: Due,
    pub reviews_today: u64,
    pub drills_today: u64,
    pub streak_days: u64,
    /// Share of scheduling reviews in the window graded 3 or more; null without reviews.
    pub retention: Option<f64>,
    pub retention_reviews: u64,
    pub median_answer_ms: Option<u64>,
}

/// One row of the weak-areas tables (a deck or a section).
#[derive(Debug, Serialize, PartialEq)]
pub struct Area {
    pub deck: String,
    /// Empty for a deck row.
    pub section: String,
    pub questions: u64,
    pub seen: u64,
    pub due: u64,
    pub mean_ef: Option<f64>,
    pub lapses: u64,
    pub retention: Option<f64>,
    pub median_answer_ms: Option<u64>,
    /// 0-100, higher is weaker; see `weakness`.
    pub weakness: u32,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct WeakQuestion {
    pub id: String,
    pub section: String,
    pub lapses: u64,
    pub ef: f64,
    pub interval: u64,
    pub due: NaiveDate,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct MissedPoint {
    pub deck: String,
    pub question: String,
    pub label: char,
    pub point: String,
    pub missed: u64,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct DayCount {
    pub date: NaiveDate,
    pub count: u64,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Report {
    pub today: NaiveDate,
    pub days: u64,
    pub overview: Overview,
    pub decks: Vec<Area>,
    pub sections: Vec<Area>,
    pub weakest_questions: Vec<WeakQuestion>,
    pub most_missed_points: Vec<MissedPoint>,
    /// Questions due on each of the next 14 days; the first includes overdue ones.
    pub forecast: Vec<DayCount>,
    /// Reviews (scheduling and drill) on each day of the activity window, oldest first.
    pub activity: Vec<DayCount>,
}

pub struct Input<'a> {
    pub today: NaiveDate,
    pub days: u64,
    pub questions: &'a [QuestionStat],
    /// Log rows from `window_start(today, days)` on.
    pub window: &'a [WindowRow],
    /// Log rows per day from `activity_start(today, days)` on.
    pub activity: &'a HashMap<NaiveDate, u64>,
    /// The key points of the questions with missed points in the window.
    pub points: &'a HashMap<String, Vec<String>>,
    pub streak_days: u64,
}

/// The first day of the retention window (`days` days ending today).
pub fn window_start(today: NaiveDate, days: u64) -> NaiveDate {
    today
        .checked_sub_days(Days::new(days.saturating_sub(1)))
        .unwrap_or(NaiveDate::MIN)
}

/// The first day of the activity calendar: at least 12 whole weeks, or the window if longer.
pub fn activity_start(today: NaiveDate, days: u64) -> NaiveDate {
    let weeks = days.max(84).div_ceil(7);
    window_start(today, weeks * 7)
}

pub fn median(values: &mut [u64]) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]).div_ceil(2)
    })
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| round3(part as f64 / whole as f64))
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Weakness, 0-100: half from recent forgetting (1 - retention in the window), 30% from the
/// EF deficit (how far the mean EF has fallen from 2.5 toward the 1.3 floor), 20% from lapses
/// per seen question (capped at 1). An area with nothing seen scores 0: unknown, not weak.
pub fn weakness(seen: u64, mean_ef: Option<f64>, lapses: u64, retention: Option<f64>) -> u32 {
    if seen == 0 {
        return 0;
    }
    let forgetting = 1.0 - retention.unwrap_or(1.0);
    let ef_deficit = ((2.5 - mean_ef.unwrap_or(2.5)) / 1.2).clamp(0.0, 1.0);
    let lapse_rate = (lapses as f64 / seen as f64).min(1.0);
    (100.0 * (0.5 * forgetting + 0.3 * ef_deficit + 0.2 * lapse_rate)).round() as u32
}

#[derive(Default)]
struct Acc {
    questions: u64,
    seen: u64,
    due: u64,
    ef_sum: u64,
    lapses: u64,
    window_reviews: u64,
    window_pass: u64,
    answers: Vec<u64>,
}

impl Acc {
    fn area(mut self, deck: &str, section: &str) -> Area {
        let mean_ef =
            (self.seen > 0).then(|| round3(self.ef_sum as f64 / self.seen as f64 / 1000.0));
        let retention = ratio(self.window_pass, self.window_reviews);
        Area {
            deck: deck.to_string(),
            section: section.to_string(),
            questions: self.questions,
            seen: self.seen,
            due: self.due,
            mean_ef,
            lapses: self.lapses,
            retention,
            median_answer_ms: median(&mut self.answers),
            weakness: weakness(self.seen, mean_ef, self.lapses, retention),
        }
    }
}

/// Where a question's figures go: its deck and section, or (retired) the overview only.
#[derive(Clone, Copy)]
enum Place {
    Active(usize, usize),
    Retired,
}

pub fn report(input: &Input) -> Report {
    let today = input.today;
    let tomorrow = today.succ_opt().unwrap_or(today);
    let week_end = today.checked_add_days(Days::new(7)).unwrap_or(today);
    let start = window_start(today, input.days);

    let mut counts = Counts::default();
    let mut due = Due::default();
    let mut forecast = vec![0u64; 14];
    let mut decks: Vec<(String, Acc)> = Vec::new();
    let mut sections: Vec<((String, String), Acc)> = Vec::new();
    // Deck and section of each active question, by its index; FxHash for the section keys.
    let mut place: Vec<Option<Place>> = vec![None; input.questions.len()];
    let mut section_index: FxHashMap<(&str, &str), usize> = FxHashMap::default();

    let mut deck_index: FxHashMap<&str, usize> = FxHashMap::default();
    let mut last: Option<(&str, &str, usize, usize)> = None;
    for (qi, q) in input.questions.iter().enumerate() {
        if q.retired {
            counts.retired += 1;
            // Its history still counts in the overview; it is no longer in any area.
            place[qi] = Some(Place::Retired);
            continue;
        }
        // Questions come in bank order, so most share the previous one's deck and section.
        let (di, si) = match last {
            Some((d, sec, di, si)) if d == q.deck_id && sec == q.section => (di, si),
            _ => {
                let di = *deck_index.entry(q.deck_id.as_str()).or_insert_with(|| {
                    decks.push((q.deck_id.clone(), Acc::default()));
                    decks.len() - 1
                });
                let si = *section_index
                    .entry((q.deck_id.as_str(), q.section.as_str()))
                    .or_insert_with(|| {
                        sections.push(((q.deck_id.clone(), q.section.clone()), Acc::default()));
                        sections.len() - 1
                    });
                (di, si)
            }
        };
        last = Some((q.deck_id.as_str(), q.section.as_str(), di, si));
        place[qi] = Some(Place::Active(di, si));
        let lapses = q.state.map_or(0, |s| s.lapses);
        for acc in [&mut decks[di].1, &mut sections[si].1] {
            acc.questions += 1;
            acc.lapses += lapses;
        }
        let Some(crate::store::StatState {
            n,
            ef_milli: ef,
            interval,
            due: d,
            ..
        }) = q.state
        else {
            counts.new += 1;
            continue;
        };
        if n < 2 {
            counts.learning += 1;
        } else if interval < MATURE_DAYS {
            counts.young += 1;
        } else {
            counts.mature += 1;
        }
        for acc in [&mut decks[di].1, &mut sections[si].1] {
            acc.seen += 1;
            acc.ef_sum += ef as u64;
        }
        // A suspended question is never due: review would not ask it.
        if q.suspended {
            continue;
        }
        due.today += (d <= today) as u64;
        due.tomorrow += (d == tomorrow) as u64;
        due.week += (d <= week_end) as u64;
        let slot = if d <= today {
            0
        } else {
            (d - today).num_days() as usize
        };
        if slot < 14 {
            forecast[slot] += 1;
        }
        for acc in [&mut decks[di].1, &mut sections[si].1] {
            acc.due += (d <= today) as u64;
        }
    }

    let mut overview_answers = Vec::new();
    let (mut reviews_today, mut drills_today, mut window_reviews, mut window_pass) = (0, 0, 0, 0);
    let mut missed: HashMap<(&str, usize), u64> = HashMap::new();
    for r in input.window {
        let Some(here) = place.get(r.question).copied().flatten() else {
            continue;
        };
        if r.day == today {
            if r.drill {
                drills_today += 1;
            } else {
                reviews_today += 1;
            }
        }
        if r.day < start {
            continue;
        }
        for &i in &r.missed {
            *missed
                .entry((&input.questions[r.question].id, i))
                .or_default() += 1;
        }
        if r.drill {
            continue;
        }
        let pass = (r.grade >= 3) as u64;
        window_reviews += 1;
        window_pass += pass;
        overview_answers.push(r.answer_ms);
        if let Place::Active(di, si) = here {
            for acc in [&mut decks[di].1, &mut sections[si].1] {
                acc.window_reviews += 1;
                acc.window_pass += pass;
                acc.answers.push(r.answer_ms);
            }
        }
    }

    let lapses_of = |q: &QuestionStat| q.state.map_or(0, |s| s.lapses);
    // Weak: EF below the starting 2.5, or ever lapsed. Lowest EF first, then most lapses.
    let mut weakest: Vec<&QuestionStat> = input
        .questions
        .iter()
        .filter(|q| {
            !q.retired
                && q.state
                    .is_some_and(|s| s.ef_milli < crate::sm2::INITIAL_EF_MILLI || s.lapses > 0)
        })
        .collect();
    // Stable sort keeps bank order among equals.
    // The key looks up lapses in a map: compute it once per question, not per comparison.
    weakest.sort_by_cached_key(|q| {
        (
            q.state.map_or(0, |s| s.ef_milli),
            std::cmp::Reverse(lapses_of(q)),
        )
    });
    let weakest_questions = weakest
        .into_iter()
        .take(10)
        .map(|q| {
            let s = q.state.expect("filtered on state");
            WeakQuestion {
                id: q.id.clone(),
                section: q.section.clone(),
                lapses: s.lapses,
                ef: s.ef_milli as f64 / 1000.0,
                interval: s.interval,
                due: s.due,
            }
        })
        .collect();

    let mut areas: Vec<Area> = decks.into_iter().map(|(d, acc)| acc.area(&d, "")).collect();
    let mut section_areas: Vec<Area> = sections
        .into_iter()
        .map(|((d, s), acc)| acc.area(&d, &s))
        .collect();
    // Weakest first; stable, so equal scores keep bank order.
    areas.sort_by_key(|a| std::cmp::Reverse(a.weakness));
    section_areas.sort_by_key(|a| std::cmp::Reverse(a.weakness));

    // Only the questions with missed points need finding by id.
    let by_id: FxHashMap<&str, &QuestionStat> = if missed.is_empty() {
        FxHashMap::default()
    } else {
        input
            .questions
            .iter()
            .filter(|q| input.points.contains_key(&q.id))
            .map(|q| (q.id.as_str(), q))
            .collect()
    };
    let mut most_missed: Vec<MissedPoint> = missed
        .into_iter()
        .filter_map(|((qid, i), n)| {
            let q = by_id.get(qid)?;
            Some(MissedPoint {
                deck: q.deck_id.clone(),
                question: q.id.clone(),
                label: crate::points::label(i),
                point: input.points.get(qid)?.get(i)?.clone(),
                missed: n,
            })
        })
        .collect();
    most_missed.sort_by(|a, b| {
        a.deck
            .cmp(&b.deck)
            .then(b.missed.cmp(&a.missed))
            .then(a.question.cmp(&b.question))
            .then(a.label.cmp(&b.label))
    });
    // At most three per deck.
    let mut kept: HashMap<String, usize> = HashMap::new();
    most_missed.retain(|m| {
        let k = kept.entry(m.deck.clone()).or_default();
        *k += 1;
        *k <= 3
    });

    let activity_from = activity_start(today, input.days);
    let activity = std::iter::successors(Some(activity_from), |d| {
        d.succ_opt().filter(|d| *d <= today)
    })
    .map(|d| DayCount {
        date: d,
        count: input.activity.get(&d).copied().unwrap_or(0),
    })
    .collect();
    let forecast = forecast
        .into_iter()
        .enumerate()
        .map(|(i, count)| DayCount {
            date: today.checked_add_days(Days::new(i as u64)).unwrap_or(today),
            count,
        })
        .collect();

    Report {
        today,
        days: input.days,
        overview: Overview {
            questions: counts,
            due,
            reviews_today,
            drills_today,
            streak_days: input.streak_days,
            retention: ratio(window_pass, window_reviews),
            retention_reviews: window_reviews,
            median_answer_ms: median(&mut overview_answers),
        },
        decks: areas,
        sections: section_areas,
        weakest_questions,
        most_missed_points: most_missed,
        forecast,
        activity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5, 1, 3]), Some(3));
        assert_eq!(median(&mut [4, 1, 3, 10]), Some(4), "(3 + 4) / 2 rounds up");
    }

    #[test]
    fn weakness_weights() {
        assert_eq!(weakness(0, None, 0, None), 0, "nothing seen is not weak");
        assert_eq!(weakness(4, Some(2.5), 0, Some(1.0)), 0);
        // all forgotten, EF at the floor, a lapse per question: the maximum
        assert_eq!(weakness(4, Some(1.3), 4, Some(0.0)), 100);
        // retention 0.5 -> 25; EF 1.9 -> 0.3 * 0.5 = 15; 1 lapse in 4 -> 0.2 * 0.25 = 5
        assert_eq!(weakness(4, Some(1.9), 1, Some(0.5)), 45);
    }

    #[test]
    fn windows() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(window_start(d("2026-03-31"), 30), d("2026-03-02"));
        assert_eq!(
            activity_start(d("2026-03-31"), 30),
            d("2026-01-07"),
            "84 days ending today"
        );
        assert_eq!(
            activity_start(d("2026-03-31"), 90),
            d("2025-12-31"),
            "91 days: 13 whole weeks"
        );
    }
}
