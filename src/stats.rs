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
    /// Due within 7 days: today (overdue included) to today + 6, the forecast's first 7 bars.
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
    #[serde(skip)]
    pub retention_passes: u64,
    pub median_answer_ms: Option<u64>,
}

/// One row of the weak-areas tables (a deck or a section).
#[derive(Debug, Serialize)]
pub struct Area {
    pub deck: String,
    /// Empty for a deck row.
    pub section: String,
    pub questions: u64,
    pub seen: u64,
    pub due: u64,
    /// EF sum / seen, rounded half up to 3 decimals.
    pub mean_ef: Option<f64>,
    #[serde(skip)]
    pub ef_sum_milli: u64,
    pub lapses: u64,
    pub retention: Option<f64>,
    /// Scheduling reviews in the window (what retention is a share of).
    pub retention_reviews: u64,
    #[serde(skip)]
    pub retention_passes: u64,
    pub median_answer_ms: Option<u64>,
    /// 0-100, higher is weaker: `score` rounded half up.
    pub weakness: u32,
    /// The exact score the tables rank by.
    #[serde(skip)]
    pub score: Weakness,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct WeakQuestion {
    pub id: String,
    pub section: String,
    pub lapses: u64,
    pub ef: f64,
    #[serde(skip)]
    pub ef_milli: u32,
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

#[derive(Debug, Serialize)]
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
    /// Answers (scheduling and drill) on each day of the activity calendar, oldest first.
    pub activity: Vec<DayCount>,
}

pub struct Input<'a> {
    pub today: NaiveDate,
    pub days: u64,
    pub questions: &'a [QuestionStat],
    /// Log rows of the window, `window_start(today, days)` to today (rows outside it are
    /// ignored: a log can hold days after today when a clock ran ahead).
    pub window: &'a [WindowRow],
    /// Log rows per day of the calendar before the window, from `activity_start(today, days)`.
    pub earlier_activity: &'a HashMap<NaiveDate, u64>,
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

/// The median; for an even count, the mean of the two middle values rounded up.
pub fn median(values: &mut [u64]) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    // A selection, not a sort: linear, and the areas' answer times are 14% of `stats`.
    let (mid, odd) = (values.len() / 2, values.len() % 2 == 1);
    let (below, &mut middle, _) = values.select_nth_unstable(mid);
    Some(if odd {
        middle
    } else {
        let lower = *below
            .iter()
            .max()
            .expect("an even count has a value below the middle");
        (lower + middle).div_ceil(2)
    })
}

/// `part / whole x scale`, rounded half up to a whole number: every figure is rounded once,
/// from its counts.
pub fn rounded(part: u64, whole: u64, scale: u64) -> u64 {
    let (part, whole, scale) = (part as u128, whole as u128, scale as u128);
    ((2 * part * scale + whole) / (2 * whole)) as u64
}

/// `part / whole` rounded half up to 3 decimals, for JSON; None without a whole.
fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| rounded(part, whole, 1000) as f64 / 1000.0)
}

/// Retention: scheduling reviews graded 3 or more, of all scheduling reviews.
pub fn is_pass(r: &WindowRow) -> bool {
    r.grade >= 3
}

/// A question is due when its due date is today or earlier.
pub fn is_due(due: NaiveDate, today: NaiveDate) -> bool {
    due <= today
}

/// The weakness score as an exact fraction of counts; `value()` rounds it once for display,
/// and areas rank by the fraction itself.
///
/// 100 x (0.5 x (1 - passes / reviews) + 0.3 x clamp((2.5 - mean EF) / 1.2, 0, 1)
///        + 0.2 x min(1, lapses / seen)), with mean EF = EF sum / seen, retention 1 without
/// reviews, and 0 for an area with nothing seen (unknown, not weak). Over the common
/// denominator 40 x seen x reviews (EF in thousandths) every term is an integer.
#[derive(Clone, Copy, Debug)]
pub struct Weakness {
    num: u128,
    den: u128,
}

impl Weakness {
    pub fn of(seen: u64, ef_sum_milli: u64, lapses: u64, reviews: u64, passes: u64) -> Weakness {
        if seen == 0 {
            return Weakness { num: 0, den: 1 };
        }
        let (s, e, l) = (seen as u128, ef_sum_milli as u128, lapses as u128);
        // No reviews in the window: retention counts as 1.
        let (t, p) = if reviews == 0 {
            (1, 1)
        } else {
            (reviews as u128, passes.min(reviews) as u128)
        };
        // 50 (t - p) / t + 30 (2500 s - e) / (1200 s) + 20 min(l, s) / s, times 40 s t.
        let ef_deficit = (2500 * s).saturating_sub(e).min(1200 * s);
        Weakness {
            num: 2000 * s * (t - p) + t * ef_deficit + 800 * t * l.min(s),
            den: 40 * s * t,
        }
    }

    /// The score 0-100, rounded half up.
    pub fn value(self) -> u32 {
        ((2 * self.num + self.den) / (2 * self.den)) as u32
    }
}

impl PartialEq for Weakness {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}
impl Eq for Weakness {}
impl PartialOrd for Weakness {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Weakness {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.num * other.den).cmp(&(other.num * self.den))
    }
}

/// The whole report: each figure from its own function over the same input.
pub fn report(input: &Input) -> Report {
    let forecast = forecast(input);
    let (decks, sections) = areas(input);
    Report {
        today: input.today,
        days: input.days,
        overview: overview(input, &forecast),
        decks,
        sections,
        weakest_questions: weakest(input),
        most_missed_points: missed_points(input),
        forecast,
        activity: activity(input),
    }
}

/// The log rows of the window, `window_start` to today.
fn window_rows<'a>(input: &'a Input) -> impl Iterator<Item = &'a WindowRow> {
    let start = window_start(input.today, input.days);
    input
        .window
        .iter()
        .filter(move |r| r.day >= start && r.day <= input.today)
}

/// The rows retention, answer times and missed points come from: scheduling reviews (never
/// drill answers) in the window, of questions still in the bank (not retired).
fn scored<'a>(input: &'a Input) -> impl Iterator<Item = &'a WindowRow> {
    // `active` travels with the row: no lookup into the questions per row.
    window_rows(input).filter(|r| !r.drill && r.active)
}

/// The overview. Its due counts are the forecast's (today's bar, tomorrow's, the first 7
/// bars); its reviews and drill answers today are today's calendar square split by kind;
/// its retention and median come from the same rows as the area tables'.
pub fn overview(input: &Input, forecast: &[DayCount]) -> Overview {
    let mut counts = Counts::default();
    for q in input.questions {
        let counter = match (q.retired, q.state) {
            (true, _) => &mut counts.retired,
            (false, None) => &mut counts.new,
            (false, Some(s)) if s.n < 2 => &mut counts.learning,
            (false, Some(s)) if s.interval < MATURE_DAYS => &mut counts.young,
            (false, Some(_)) => &mut counts.mature,
        };
        *counter += 1;
    }
    let bar = |i: usize| forecast.get(i).map_or(0, |d| d.count);
    let due = Due {
        today: bar(0),
        tomorrow: bar(1),
        week: (0..7).map(bar).sum(),
    };
    let (mut reviews_today, mut drills_today) = (0, 0);
    for r in window_rows(input).filter(|r| r.day == input.today) {
        *if r.drill {
            &mut drills_today
        } else {
            &mut reviews_today
        } += 1;
    }
    let (mut reviews, mut passes, mut answers) = (0, 0, Vec::new());
    for r in scored(input) {
        reviews += 1;
        passes += is_pass(r) as u64;
        answers.push(r.answer_ms);
    }
    Overview {
        questions: counts,
        due,
        reviews_today,
        drills_today,
        streak_days: input.streak_days,
        retention: ratio(passes, reviews),
        retention_reviews: reviews,
        retention_passes: passes,
        median_answer_ms: median(&mut answers),
    }
}

#[derive(Default)]
struct Acc {
    questions: u64,
    seen: u64,
    due: u64,
    ef_sum: u64,
    lapses: u64,
    reviews: u64,
    passes: u64,
    answers: Vec<u64>,
}

impl Acc {
    fn area(mut self, deck: &str, section: &str) -> Area {
        let weakness = Weakness::of(
            self.seen,
            self.ef_sum,
            self.lapses,
            self.reviews,
            self.passes,
        );
        Area {
            deck: deck.to_string(),
            section: section.to_string(),
            questions: self.questions,
            seen: self.seen,
            due: self.due,
            mean_ef: ratio(self.ef_sum, self.seen * 1000),
            ef_sum_milli: self.ef_sum,
            lapses: self.lapses,
            retention: ratio(self.passes, self.reviews),
            retention_reviews: self.reviews,
            retention_passes: self.passes,
            median_answer_ms: median(&mut self.answers),
            weakness: weakness.value(),
            score: weakness,
        }
    }
}

/// The weak-area tables, per deck and per section, weakest first (by the exact score; equal
/// scores keep bank order). Retired questions are in no area.
pub fn areas(input: &Input) -> (Vec<Area>, Vec<Area>) {
    let mut decks: Vec<(&str, Acc)> = Vec::new();
    let mut sections: Vec<((&str, &str), Acc)> = Vec::new();
    // Deck and section of each active question, by its index.
    let mut place: Vec<Option<(usize, usize)>> = vec![None; input.questions.len()];
    let mut deck_index: FxHashMap<&str, usize> = FxHashMap::default();
    let mut section_index: FxHashMap<(&str, &str), usize> = FxHashMap::default();
    let mut last: Option<(&str, &str, usize, usize)> = None;
    for (qi, q) in input.questions.iter().enumerate() {
        if q.retired {
            continue;
        }
        // Questions come in bank order, so most share the previous one's deck and section.
        let (di, si) = match last {
            Some((d, sec, di, si)) if d == &*q.deck_id && sec == &*q.section => (di, si),
            _ => {
                let di = *deck_index.entry(&q.deck_id).or_insert_with(|| {
                    decks.push((&q.deck_id, Acc::default()));
                    decks.len() - 1
                });
                let key = (&*q.deck_id, &*q.section);
                let si = *section_index.entry(key).or_insert_with(|| {
                    sections.push((key, Acc::default()));
                    sections.len() - 1
                });
                (di, si)
            }
        };
        last = Some((&q.deck_id, &q.section, di, si));
        place[qi] = Some((di, si));
        for acc in [&mut decks[di].1, &mut sections[si].1] {
            acc.questions += 1;
            if let Some(s) = q.state {
                acc.lapses += s.lapses;
                acc.seen += 1;
                // A suspended question is never due: review would not ask it.
                acc.due += (!q.suspended && is_due(s.due, input.today)) as u64;
                acc.ef_sum += s.ef_milli as u64;
            }
        }
    }
    for r in scored(input) {
        let Some((di, si)) = place[r.question] else {
            continue;
        };
        for acc in [&mut decks[di].1, &mut sections[si].1] {
            acc.reviews += 1;
            acc.passes += is_pass(r) as u64;
            acc.answers.push(r.answer_ms);
        }
    }
    let mut decks: Vec<Area> = decks.into_iter().map(|(d, acc)| acc.area(d, "")).collect();
    let mut sections: Vec<Area> = sections
        .into_iter()
        .map(|((d, s), acc)| acc.area(d, s))
        .collect();
    // Stable, so equal scores keep bank order.
    decks.sort_by_key(|a| std::cmp::Reverse(a.score));
    sections.sort_by_key(|a| std::cmp::Reverse(a.score));
    (decks, sections)
}

/// The 10 weakest questions: active ones that ever lapsed or whose EF fell below 2.5, lowest
/// EF first, then most lapses, then bank order.
pub fn weakest(input: &Input) -> Vec<WeakQuestion> {
    let mut weak: Vec<(&QuestionStat, crate::store::StatState)> = input
        .questions
        .iter()
        .filter(|q| !q.retired)
        .filter_map(|q| Some((q, q.state?)))
        .filter(|(_, s)| s.ef_milli < crate::sm2::INITIAL_EF_MILLI || s.lapses > 0)
        .collect();
    // Stable sort keeps bank order among equals.
    weak.sort_by_key(|(_, s)| (s.ef_milli, std::cmp::Reverse(s.lapses)));
    weak.into_iter()
        .take(10)
        .map(|(q, s)| WeakQuestion {
            id: q.id.clone(),
            section: q.section.to_string(),
            lapses: s.lapses,
            ef: s.ef_milli as f64 / 1000.0,
            ef_milli: s.ef_milli,
            interval: s.interval,
            due: s.due,
        })
        .collect()
}

/// Per deck, the (at most three) points most often missed in the same rows retention counts
/// (scheduling reviews in the window, active questions): most missed first, then question id
/// and label.
pub fn missed_points(input: &Input) -> Vec<MissedPoint> {
    let mut missed: FxHashMap<(usize, usize), u64> = FxHashMap::default();
    for r in scored(input) {
        for &i in &r.missed {
            *missed.entry((r.question, i)).or_default() += 1;
        }
    }
    let mut most_missed: Vec<MissedPoint> = missed
        .into_iter()
        .filter_map(|((qi, i), n)| {
            let q = &input.questions[qi];
            Some(MissedPoint {
                deck: q.deck_id.to_string(),
                question: q.id.clone(),
                label: crate::points::label(i),
                point: input.points.get(&q.id)?.get(i)?.clone(),
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
    most_missed
}

/// Questions due on each of the next 14 days (never past the last date the store keeps,
/// 9999-12-31); the first includes overdue ones. Active questions only, and not suspended
/// ones (review would not ask them).
pub fn forecast(input: &Input) -> Vec<DayCount> {
    let today = input.today;
    let days: Vec<NaiveDate> = std::iter::successors(Some(today), |d| d.succ_opt())
        .take_while(|d| *d <= crate::sm2::far_date())
        .take(14)
        .collect();
    let mut counts = vec![0u64; days.len()];
    for s in input
        .questions
        .iter()
        .filter(|q| !q.retired && !q.suspended)
        .filter_map(|q| q.state)
    {
        let slot = if is_due(s.due, today) {
            0
        } else {
            (s.due - today).num_days() as usize
        };
        if let Some(c) = counts.get_mut(slot) {
            *c += 1;
        }
    }
    days.into_iter()
        .zip(counts)
        .map(|(date, count)| DayCount { date, count })
        .collect()
}

/// Answers per day, scheduling and drill, retired questions' too (what was done that day),
/// from `activity_start` to today, oldest first. The window's days are counted from the same
/// rows as the overview's reviews today, so today's square is their sum.
pub fn activity(input: &Input) -> Vec<DayCount> {
    let today = input.today;
    let start = window_start(today, input.days);
    let mut in_window: FxHashMap<NaiveDate, u64> = FxHashMap::default();
    for r in window_rows(input) {
        *in_window.entry(r.day).or_default() += 1;
    }
    std::iter::successors(Some(activity_start(today, input.days)), |d| {
        d.succ_opt().filter(|d| *d <= today)
    })
    .map(|date| DayCount {
        date,
        count: if date >= start {
            in_window.get(&date).copied().unwrap_or(0)
        } else {
            input.earlier_activity.get(&date).copied().unwrap_or(0)
        },
    })
    .collect()
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

    proptest::proptest! {
        #[test]
        fn median_is_the_middle_of_the_sorted_values(mut v in proptest::collection::vec(0u64..50, 1..40)) {
            let mut sorted = v.clone();
            sorted.sort_unstable();
            let mid = sorted.len() / 2;
            let want = if sorted.len() % 2 == 1 {
                sorted[mid]
            } else {
                (sorted[mid - 1] + sorted[mid]).div_ceil(2)
            };
            proptest::prop_assert_eq!(median(&mut v), Some(want));
        }
    }

    #[test]
    fn weakness_weights() {
        let w = |seen, ef_sum, lapses, reviews, passes| {
            Weakness::of(seen, ef_sum, lapses, reviews, passes).value()
        };
        assert_eq!(w(0, 0, 0, 0, 0), 0, "nothing seen is not weak");
        assert_eq!(w(4, 10_000, 0, 4, 4), 0);
        assert_eq!(
            w(4, 10_000, 0, 0, 0),
            0,
            "no reviews: retention counts as 1"
        );
        // all forgotten, EF at the floor, a lapse per question: the maximum
        assert_eq!(w(4, 5_200, 4, 4, 0), 100);
        assert_eq!(w(4, 5_200, 9, 4, 0), 100, "lapses per seen capped at 1");
        assert_eq!(w(1, 3_000, 0, 1, 1), 0, "an EF above 2.5 is no deficit");
        // retention 0.5 -> 25; EF 1.9 -> 0.3 * 0.5 = 15; 1 lapse in 4 -> 0.2 * 0.25 = 5
        assert_eq!(w(4, 7_600, 1, 4, 2), 45);
    }

    #[test]
    fn weakness_is_exact_from_counts_and_rounded_once() {
        // The issue's case: retention 20/23, mean EF 2.10, 3 lapses in 5 seen:
        // 100 * (0.5 * 3/23 + 0.3 * 0.4/1.2 + 0.2 * 3/5) = 28.52..., so 29 (rounding retention
        // to 0.870 first gave 28.4999...).
        let w = Weakness::of(5, 10_500, 3, 23, 20);
        assert_eq!(w.value(), 29);
        // Exactly half rounds up: retention 3/4 alone is 12.5.
        assert_eq!(Weakness::of(1, 2_500, 0, 4, 3).value(), 13);
        // Ranking follows the exact value, not the rounded one: both show 13.
        let a = Weakness::of(1, 2_500, 0, 4, 3); // 12.5
        let b = Weakness::of(1, 2_500, 0, 1_000, 748); // 12.6
        assert_eq!((a.value(), b.value()), (13, 13));
        assert!(b > a);
        assert_eq!(a, Weakness::of(2, 5_000, 0, 8, 6), "the same fraction");
    }

    #[test]
    fn rounding_is_half_up_from_counts() {
        assert_eq!(rounded(1, 8, 100), 13, "12.5% shows as 13%");
        assert_eq!(rounded(2, 3, 1000), 667);
        assert_eq!(rounded(20, 23, 1000), 870);
        assert_eq!(ratio(2_045, 1_000), Some(2.045));
        assert_eq!(ratio(1, 0), None);
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

    use crate::store::StatState;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn q(
        id: &str,
        section: &str,
        retired: bool,
        state: Option<(u32, u32, u64, &str, u64)>,
    ) -> QuestionStat {
        QuestionStat {
            id: id.into(),
            deck_id: id.split('/').next().unwrap().into(),
            section: section.into(),
            retired,
            suspended: false,
            state: state.map(|(n, ef_milli, interval, due, lapses)| StatState {
                n,
                ef_milli,
                interval,
                due: day(due),
                lapses,
            }),
        }
    }

    fn row(question: usize, on: &str, drill: bool, grade: u8, missed: &[usize]) -> WindowRow {
        WindowRow {
            question,
            active: question != 2,
            day: day(on),
            drill,
            grade,
            answer_ms: 1000 * (question as u64 + 1),
            missed: missed.to_vec(),
        }
    }

    /// Today 2026-03-10, a 7-day window (03-04 to 03-10): a and b active in deck d, r retired.
    fn with<T>(f: impl FnOnce(&Input) -> T) -> T {
        let questions = [
            q("d/a", "S1", false, Some((2, 2300, 6, "2026-03-09", 1))),
            q("d/b", "S2", false, Some((1, 2500, 1, "2026-03-16", 0))),
            q("d/r", "S1", true, Some((1, 1300, 1, "2026-03-10", 2))),
            q("d/n", "S2", false, None),
        ];
        let window = [
            row(0, "2026-03-10", false, 4, &[1]),
            row(0, "2026-03-10", true, 2, &[0]),
            row(1, "2026-03-08", false, 2, &[]),
            row(2, "2026-03-10", false, 1, &[0]),
            row(1, "2026-03-03", false, 1, &[0]), // before the window
            row(1, "2026-03-12", false, 1, &[0]), // after today: a clock behind the log
        ];
        let earlier = HashMap::from([(day("2026-03-03"), 7)]);
        let points = HashMap::from([
            ("d/a".to_string(), vec!["p0".to_string(), "p1".to_string()]),
            ("d/r".to_string(), vec!["r0".to_string()]),
        ]);
        f(&Input {
            today: day("2026-03-10"),
            days: 7,
            questions: &questions,
            window: &window,
            earlier_activity: &earlier,
            points: &points,
            streak_days: 3,
        })
    }

    #[test]
    fn forecast_first_bar_includes_overdue_and_leaves_out_retired() {
        let f = with(forecast);
        assert_eq!(f.len(), 14);
        assert_eq!(
            (f[0].date, f[0].count),
            (day("2026-03-10"), 1),
            "a, overdue"
        );
        assert_eq!(f[6].count, 1, "b on 03-16, today + 6");
        assert_eq!(f.iter().map(|d| d.count).sum::<u64>(), 2);
    }

    #[test]
    fn forecast_stops_at_the_last_date_kept() {
        let questions = [q("d/a", "S", false, Some((2, 2500, 6, "9999-12-31", 0)))];
        let empty = HashMap::new();
        let f = forecast(&Input {
            today: day("9999-12-29"),
            days: 30,
            questions: &questions,
            window: &[],
            earlier_activity: &empty,
            points: &HashMap::new(),
            streak_days: 0,
        });
        let dates: Vec<String> = f.iter().map(|d| d.date.to_string()).collect();
        assert_eq!(dates, ["9999-12-29", "9999-12-30", "9999-12-31"]);
        assert_eq!(f[2].count, 1);
    }

    #[test]
    fn overview_due_counts_are_forecast_bars() {
        let o = with(|i| overview(i, &forecast(i)));
        assert_eq!(
            o.due,
            Due {
                today: 1,
                tomorrow: 0,
                week: 2
            }
        );
        assert_eq!(
            o.questions,
            Counts {
                new: 1,
                learning: 1,
                young: 1,
                mature: 0,
                retired: 1
            }
        );
    }

    #[test]
    fn overview_today_counts_every_answer_and_retention_only_scored_rows() {
        let o = with(|i| overview(i, &forecast(i)));
        // Today: a's review, a's drill answer, r's review (retired, but it was done).
        assert_eq!((o.reviews_today, o.drills_today), (2, 1));
        // Scored: a 4 and b 2 in the window; not the drill, not r, not 03-03 or 03-12.
        assert_eq!((o.retention_passes, o.retention_reviews), (1, 2));
        assert_eq!(o.retention, Some(0.5));
        assert_eq!(o.median_answer_ms, Some(1500));
    }

    #[test]
    fn activity_today_is_reviews_plus_drill_answers_today() {
        let (a, o) = with(|i| (activity(i), overview(i, &forecast(i))));
        assert_eq!(a.len(), 84);
        let today = a.last().unwrap();
        assert_eq!(
            (today.date, today.count),
            (day("2026-03-10"), o.reviews_today + o.drills_today)
        );
        let count = |d: &str| a.iter().find(|x| x.date == day(d)).unwrap().count;
        assert_eq!(count("2026-03-08"), 1);
        assert_eq!(
            count("2026-03-03"),
            7,
            "days before the window come from the store"
        );
        assert_eq!(a.iter().map(|d| d.count).sum::<u64>(), 3 + 1 + 7);
    }

    #[test]
    fn areas_add_up_to_the_overview_and_leave_out_retired() {
        let ((decks, sections), o) = with(|i| (areas(i), overview(i, &forecast(i))));
        assert_eq!(decks.len(), 1);
        let d = &decks[0];
        assert_eq!((d.questions, d.seen, d.due, d.lapses), (3, 2, 1, 1));
        assert_eq!(
            (d.retention_passes, d.retention_reviews),
            (o.retention_passes, o.retention_reviews)
        );
        assert_eq!(d.ef_sum_milli, 4800);
        assert_eq!(d.mean_ef, Some(2.4));
        // S2 (b: 0 of 1, EF 2.5, no lapse) = 50 is weaker than S1 (a: 1 of 1, EF 2.3, 1 lapse in 1) = 25.
        let names: Vec<(&str, u32)> = sections
            .iter()
            .map(|a| (a.section.as_str(), a.weakness))
            .collect();
        assert_eq!(names, [("S2", 50), ("S1", 25)]);
    }

    #[test]
    fn weakest_are_active_questions_that_lapsed_or_lost_ef() {
        let w = with(weakest);
        let ids: Vec<&str> = w.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["d/a"], "not the retired r, not b (EF 2.5, no lapse)");
        assert_eq!((w[0].ef, w[0].ef_milli), (2.3, 2300));
    }

    #[test]
    fn missed_points_come_from_scored_rows_only() {
        let m = with(missed_points);
        // a's review missed p1; a's drill (p0), r (retired) and the rows outside the window do not count.
        assert_eq!(
            m,
            [MissedPoint {
                deck: "d".into(),
                question: "d/a".into(),
                label: 'b',
                point: "p1".into(),
                missed: 1
            }]
        );
    }
}
