//! SM-2 exactly as docs/sm2.md: pure, integer arithmetic, no I/O and no clock.

use chrono::{Days, NaiveDate};

/// The EF of a question never seen.
pub const INITIAL_EF_MILLI: u32 = 2500;
const MIN_EF_MILLI: u32 = 1300;

/// The scheduling state of one question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct State {
    /// Successful reviews in a row (grade >= 3).
    pub n: u32,
    /// Easiness factor x 1000.
    pub ef_milli: u32,
    /// Days until the next review, as computed (never capped).
    pub interval: u64,
}

impl State {
    pub const NEW: State = State {
        n: 0,
        ef_milli: INITIAL_EF_MILLI,
        interval: 0,
    };
}

/// A self-grade 0..=5; construction is the only place a grade is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grade(u8);

impl Grade {
    pub fn new(q: u8) -> Option<Grade> {
        (q <= 5).then_some(Grade(q))
    }
    pub fn value(self) -> u8 {
        self.0
    }
    /// Grades 3-5 are successful recalls; below 3 is a lapse.
    pub fn is_pass(self) -> bool {
        self.0 >= 3
    }
    /// A grade below 4 sends the question to the same-day drill list.
    pub fn needs_drill(self) -> bool {
        self.0 < 4
    }
    /// What the grade means, as shown to the person reviewing.
    pub fn meaning(self) -> &'static str {
        MEANINGS[self.0 as usize]
    }
}

pub const MEANINGS: [&str; 6] = [
    "blackout: nothing came",
    "wrong, recognised once seen",
    "wrong, obvious once seen",
    "got there, but shaky or incomplete",
    "all three layers, with pauses",
    "all three layers, fluent",
];

/// One scheduling review: the interval from the EF before the grade, then the EF change.
pub fn review(state: State, grade: Grade) -> State {
    let q = grade.value() as i64;
    let (n, interval) = if grade.is_pass() {
        let interval = match state.n {
            0 => 1,
            1 => 6,
            _ => {
                let product = state.interval as u128 * state.ef_milli as u128 + 500;
                u64::try_from(product / 1000).unwrap_or(u64::MAX)
            }
        };
        (state.n.saturating_add(1), interval)
    } else {
        (0, 1)
    };
    let d = 5 - q;
    let ef = state.ef_milli as i64 + 100 - d * (80 + 20 * d);
    let ef_milli = ef.max(MIN_EF_MILLI as i64).min(u32::MAX as i64) as u32;
    State {
        n,
        ef_milli,
        interval,
    }
}

/// The latest date the store keeps; due dates past it are clamped, intervals are not.
pub fn far_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date")
}

/// `today + interval` days, clamped to 9999-12-31.
pub fn due_date(today: NaiveDate, interval: u64) -> NaiveDate {
    today
        .checked_add_days(Days::new(interval))
        .map_or(far_date(), |d| d.min(far_date()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(grades: &[u8]) -> Vec<State> {
        let mut s = State::NEW;
        grades
            .iter()
            .map(|&g| {
                s = review(s, Grade::new(g).unwrap());
                s
            })
            .collect()
    }

    #[test]
    fn reference_vectors() {
        let raw = include_str!("../tests/fixtures/sm2-vectors.json");
        let doc: serde_json::Value = serde_json::from_str(raw).unwrap();
        let vectors = doc["vectors"].as_array().unwrap();
        assert!(vectors.len() >= 10, "vectors file looks truncated");
        let mut steps = 0;
        for v in vectors {
            let init = &v["initial"];
            let mut s = State {
                n: init["n"].as_u64().unwrap() as u32,
                ef_milli: init["ef_milli"].as_u64().unwrap() as u32,
                interval: init["interval"].as_u64().unwrap(),
            };
            for (i, step) in v["expected"].as_array().unwrap().iter().enumerate() {
                let g = Grade::new(step["grade"].as_u64().unwrap() as u8).unwrap();
                s = review(s, g);
                let want = State {
                    n: step["n"].as_u64().unwrap() as u32,
                    ef_milli: step["ef_milli"].as_u64().unwrap() as u32,
                    interval: step["interval"].as_u64().unwrap(),
                };
                assert_eq!(s, want, "vector {} step {}", v["name"], i + 1);
                steps += 1;
            }
        }
        assert!(steps > 50);
    }

    #[test]
    fn ef_change_per_grade() {
        let deltas: Vec<i64> = (0..=5)
            .map(|g| review(State::NEW, Grade::new(g).unwrap()).ef_milli as i64 - 2500)
            .collect();
        assert_eq!(deltas, [-800, -540, -320, -140, 0, 100]);
    }

    #[test]
    fn tie_rounds_up_with_old_ef() {
        // 75 days at EF 1.38 is 103.5 -> 104 (f64 says 103.49999999999999).
        let s = review(
            State {
                n: 3,
                ef_milli: 1380,
                interval: 75,
            },
            Grade::new(3).unwrap(),
        );
        assert_eq!(
            s,
            State {
                n: 4,
                ef_milli: 1300,
                interval: 104
            }
        );
    }

    #[test]
    fn lapse_resets_and_ef_floors() {
        let s = run(&[5, 5, 5, 0, 0, 0, 0]);
        assert_eq!(
            s[3],
            State {
                n: 0,
                ef_milli: 2000,
                interval: 1
            }
        );
        assert_eq!(
            s[6],
            State {
                n: 0,
                ef_milli: 1300,
                interval: 1
            }
        );
        // after a lapse the ladder restarts at 1, 6, then I * EF
        let s = run(&[0, 4, 4, 4]);
        assert_eq!(
            s.iter().map(|s| s.interval).collect::<Vec<_>>(),
            [1, 1, 6, 10]
        );
        assert_eq!(s[3].ef_milli, 1700);
    }

    #[test]
    fn huge_intervals_saturate_and_due_clamps() {
        let s = review(
            State {
                n: 9,
                ef_milli: u32::MAX,
                interval: u64::MAX,
            },
            Grade::new(5).unwrap(),
        );
        assert_eq!(s.interval, u64::MAX);
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(due_date(today, u64::MAX), far_date());
        assert_eq!(
            due_date(today, 3),
            NaiveDate::from_ymd_opt(2026, 1, 4).unwrap()
        );
    }

    #[test]
    fn grades_outside_range_are_refused() {
        assert!(Grade::new(6).is_none());
        assert_eq!(Grade::new(5).unwrap().value(), 5);
    }
}
