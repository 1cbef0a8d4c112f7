//! Mock interviews (interview.md), pure: the draw, the time boxes, the score. No I/O.

use chrono::NaiveDate;
use std::collections::HashSet;

/// How many questions a mock asks when neither --questions nor --minutes is given.
pub const DEFAULT_QUESTIONS: usize = 5;

/// A question the draw may take.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// Deck and section: no two questions of one mock share them.
    pub section: (String, String),
    /// SM-2 strength, when the question was ever reviewed.
    pub seen: Option<(u32, u64)>,
    /// Bank order.
    pub order: (i64, i64),
}

/// The seed of a day's mock: the same all day, so one day's mock is repeatable.
pub fn day_seed(day: NaiveDate) -> u64 {
    use chrono::Datelike;
    day.num_days_from_ce().max(0) as u64
}

/// SplitMix64: small, fast and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

/// Draws up to `n` questions (indexes into `pool`): one strong warm-up, then the weakest half
/// of the seen questions in a seeded order, no two from one section, and at most one never
/// seen (only when the seen ones do not fill the mock).
pub fn draw(pool: &[Candidate], n: usize, seed: u64) -> Vec<usize> {
    let mut rng = Rng(seed);
    let mut seen: Vec<usize> = (0..pool.len())
        .filter(|&i| pool[i].seen.is_some())
        .collect();
    // Weakest first: lowest EF, most lapses, then bank order.
    seen.sort_by_key(|&i| {
        let (ef, lapses) = pool[i].seen.unwrap_or_default();
        (ef, std::cmp::Reverse(lapses), pool[i].order)
    });
    let (weak, strong) = seen.split_at(seen.len().div_ceil(2));
    let mut d = Drawn {
        out: Vec::new(),
        sections: HashSet::new(),
        n,
    };
    let mut weak = weak.to_vec();
    match strong.len() {
        0 => {
            // One seen question only: it is the warm-up.
            if let Some(i) = weak.pop() {
                d.take(pool, i);
            }
        }
        k => d.take(pool, strong[rng.below(k)]),
    }
    rng.shuffle(&mut weak);
    for i in weak {
        d.take(pool, i);
    }
    let mut unseen: Vec<usize> = (0..pool.len())
        .filter(|&i| pool[i].seen.is_none())
        .collect();
    rng.shuffle(&mut unseen);
    if let Some(i) = unseen
        .into_iter()
        .find(|&i| !d.sections.contains(&pool[i].section))
    {
        d.take(pool, i);
    }
    d.out
}

struct Drawn {
    out: Vec<usize>,
    sections: HashSet<(String, String)>,
    n: usize,
}

impl Drawn {
    /// Takes question `i` when there is room and its section is not taken yet.
    fn take(&mut self, pool: &[Candidate], i: usize) {
        if self.out.len() < self.n && self.sections.insert(pool[i].section.clone()) {
            self.out.push(i);
        }
    }
}

/// The first questions of a draw whose time boxes fit `minutes` (at least one).
pub fn fit_minutes(boxes: &[u64], minutes: u64) -> usize {
    let mut used = 0u64;
    let fit = boxes
        .iter()
        .take_while(|&&b| {
            used = used.saturating_add(b);
            used <= minutes
        })
        .count();
    fit.max(1).min(boxes.len())
}

/// A mock's score: the mean grade as a whole percentage of 5.
pub fn score(grades: &[u8]) -> Option<u64> {
    if grades.is_empty() {
        return None;
    }
    let sum: u64 = grades.iter().map(|&g| u64::from(g)).sum();
    Some((sum * 100 * 2 + 5 * grades.len() as u64) / (5 * grades.len() as u64 * 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(deck: &str, section: &str, seen: Option<(u32, u64)>, pos: i64) -> Candidate {
        Candidate {
            section: (deck.into(), section.into()),
            seen,
            order: (0, pos),
        }
    }

    fn pool() -> Vec<Candidate> {
        // Ten seen questions in five sections (EF rising with the index), three unseen.
        let mut p: Vec<Candidate> = (0..10)
            .map(|i| {
                c(
                    "d",
                    &format!("S{}", i % 5),
                    Some((1300 + 100 * i as u32, 0)),
                    i,
                )
            })
            .collect();
        for i in 10..13 {
            p.push(c("d", &format!("N{i}"), None, i));
        }
        p
    }

    #[test]
    fn a_draw_is_a_strong_warm_up_then_the_weak_half_one_per_section() {
        let p = pool();
        for seed in 0..50 {
            let d = draw(&p, 5, seed);
            assert_eq!(d, draw(&p, 5, seed), "repeatable");
            assert_eq!(d.len(), 5);
            assert!(d[0] >= 5, "the warm-up is from the stronger half: {d:?}");
            let sections: HashSet<_> = d.iter().map(|&i| &p[i].section).collect();
            assert_eq!(sections.len(), 5, "no two from one section");
            assert!(d.iter().filter(|&&i| p[i].seen.is_none()).count() <= 1);
        }
        assert_ne!(draw(&p, 5, 1), draw(&p, 5, 2), "another seed, another draw");
    }

    #[test]
    fn an_unseen_question_fills_a_short_draw() {
        let p = pool();
        // Five sections of seen questions: the sixth question is the one unseen.
        let d = draw(&p, 8, 3);
        assert_eq!(d.len(), 6);
        assert!(p[d[5]].seen.is_none());
        let fresh = [c("d", "A", None, 0), c("d", "B", None, 1)];
        assert_eq!(draw(&fresh, 5, 0).len(), 1, "at most one never seen");
        assert!(draw(&[], 5, 0).is_empty());
    }

    #[test]
    fn minutes_take_the_boxes_that_fit() {
        assert_eq!(fit_minutes(&[4, 4, 4, 4], 10), 2);
        assert_eq!(fit_minutes(&[4, 4], 60), 2);
        assert_eq!(fit_minutes(&[8, 4], 5), 1, "at least one");
    }

    #[test]
    fn score_is_the_mean_grade_as_a_percentage_of_5() {
        assert_eq!(score(&[5, 4, 3]), Some(80));
        assert_eq!(score(&[4, 3, 3]), Some(67));
        assert_eq!(score(&[]), None);
    }
}
