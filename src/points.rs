//! Grading from key points: the point itself (a headline key, its detail, whether it is a
//! must), labels a-f, and the grade a coverage earns. Pure.

use crate::sm2::Grade;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One point of a question's rubric. A plain point (no detail, not a must) is written and
/// stored as its text alone, as every point was before the rubric format.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Point {
    /// The headline: what a grader checks at a glance.
    pub key: String,
    /// What a full answer says about it.
    pub detail: Option<String>,
    /// An interviewer listens for it: missing it fails the answer.
    pub must: bool,
}

impl Point {
    pub fn plain(text: impl Into<String>) -> Point {
        Point {
            key: text.into(),
            detail: None,
            must: false,
        }
    }

    /// Only its text: written as a plain string.
    pub fn is_plain(&self) -> bool {
        self.detail.is_none() && !self.must
    }
}

/// A point as a table: `{ key, detail, must }`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    must: bool,
}

impl Serialize for Point {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.is_plain() {
            s.serialize_str(&self.key)
        } else {
            Table {
                key: self.key.clone(),
                detail: self.detail.clone(),
                must: self.must,
            }
            .serialize(s)
        }
    }
}

/// A point reads from a string or a table. A visitor, not `#[serde(untagged)]`: an untagged
/// enum buffers the value and turns every error into "no variant matched", so a value cut
/// off at the end of the backup reader's window (or of the file) would read as damaged
/// instead of as "read more".
impl<'de> Deserialize<'de> for Point {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Point, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Point;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a point: a string or {\"key\", \"detail\", \"must\"} with no other field",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Point, E> {
                Ok(Point::plain(v))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Point, E> {
                Ok(Point::plain(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Point, A::Error> {
                let t = Table::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Point {
                    key: t.key,
                    detail: t.detail,
                    must: t.must,
                })
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// The label of point `i` (0-based): a, b, c, ... (a bank has at most 6; '?' past z).
pub fn label(i: usize) -> char {
    if i < 26 {
        (b'a' + i as u8) as char
    } else {
        '?'
    }
}

/// The point a label names, if it is a letter a-z.
pub fn index(c: char) -> Option<usize> {
    c.is_ascii_lowercase().then(|| (c as u8 - b'a') as usize)
}

/// An example answer for `n` points, shown in the prompt ("ac", "abd", ...).
pub fn example(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => "a".into(),
        2 => "ab".into(),
        _ => [0, 1, n - 1].iter().map(|&i| label(i)).collect(),
    }
}

/// The grade offered for covering `covered` of `total` points, the first rule that applies:
/// none 1; all 5; one missed 4; about half (at least 40%) 3; fewer 2. "None" comes first, so
/// missing the only point of a one-point question is a blackout-side 1, never a 4.
pub fn offered_grade(covered: usize, total: usize) -> Grade {
    let covered = covered.min(total);
    let g = if covered == 0 {
        1
    } else if covered == total {
        5
    } else if covered + 1 == total {
        4
    } else if covered * 5 >= total * 2 {
        3
    } else if covered > 0 {
        2
    } else {
        1
    };
    Grade::new(g).expect("1..=5 is a grade")
}

/// The grade offered for a rubric: `covered` are the indexes of the points covered, `musts`
/// says which of the question's points are musts (one entry a point), `red_flag_said` whether
/// the answer said any of its red flags. With musts: all musts covered gives 5 when everything
/// is covered, 4 when one other point is missed, else 3; a missed must gives 2 when at least
/// half the points are covered, else 1. Without musts: the plain rule (`offered_grade`). A
/// red flag said caps the grade at 2.
pub fn rubric_grade(covered: &BTreeSet<usize>, musts: &[bool], red_flag_said: bool) -> Grade {
    let total = musts.len();
    let n = covered.iter().filter(|&&i| i < total).count();
    let must_missed = musts
        .iter()
        .enumerate()
        .any(|(i, &m)| m && !covered.contains(&i));
    let g = if !musts.contains(&true) {
        offered_grade(n, total).value()
    } else if n == 0 {
        1
    } else if must_missed {
        if n * 2 >= total { 2 } else { 1 }
    } else if n == total {
        5
    } else if n + 1 == total {
        4
    } else {
        3
    };
    let g = if red_flag_said { g.min(2) } else { g };
    Grade::new(g).expect("1..=5 is a grade")
}

/// The musts among `missed` (point indexes), for the log and the session's words.
pub fn musts_missed(missed: &[usize], musts: &[bool]) -> Vec<usize> {
    missed
        .iter()
        .copied()
        .filter(|&i| musts.get(i).copied().unwrap_or(false))
        .collect()
}

/// The points covered and red flags said in "ac!1" (or "-", "-!2"); None when anything in it
/// names no point or red flag of the question.
pub fn ticks(l: &str, points: usize, flags: usize) -> Option<(BTreeSet<usize>, BTreeSet<usize>)> {
    let cleaned: String = l
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .collect();
    let mut parts = cleaned.split('!');
    let letters = parts.next().unwrap_or("");
    let covered: BTreeSet<usize> = if letters == "-" {
        BTreeSet::new()
    } else {
        letters
            .chars()
            .map(|c| index(c).filter(|&i| i < points))
            .collect::<Option<_>>()?
    };
    let said: BTreeSet<usize> = parts
        .map(|n| {
            n.parse::<usize>()
                .ok()
                .filter(|n| (1..=flags).contains(n))
                .map(|n| n - 1)
        })
        .collect::<Option<_>>()?;
    // Something must be said: a letter, "-" or a red flag.
    (letters == "-" || !covered.is_empty() || !said.is_empty()).then_some((covered, said))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(total: usize) -> Vec<u8> {
        (0..=total)
            .map(|k| offered_grade(k, total).value())
            .collect()
    }

    #[test]
    fn coverage_to_grade() {
        // index = points covered
        assert_eq!(table(1), [1, 5], "missing the only point is none covered");
        assert_eq!(table(2), [1, 4, 5]);
        assert_eq!(table(3), [1, 2, 4, 5]);
        assert_eq!(table(4), [1, 2, 3, 4, 5]);
        assert_eq!(table(5), [1, 2, 3, 3, 4, 5]);
        assert_eq!(table(6), [1, 2, 2, 3, 3, 4, 5]);
    }

    #[test]
    fn labels_round_trip() {
        assert_eq!((0..6).map(label).collect::<String>(), "abcdef");
        assert_eq!(index('d'), Some(3));
        assert_eq!(index('1'), None);
        assert_eq!(example(4), "abd");
    }

    /// Every subset of `total` points as a set of indexes.
    fn subsets(total: usize) -> impl Iterator<Item = BTreeSet<usize>> {
        (0u32..1 << total).map(move |bits| (0..total).filter(|&i| bits & (1 << i) != 0).collect())
    }

    /// The rule as product.md words it, written the other way round: from counts.
    fn by_words(covered: &BTreeSet<usize>, musts: &[bool], flag: bool) -> u8 {
        let total = musts.len();
        let n = covered.len();
        let all_musts = (0..total).all(|i| !musts[i] || covered.contains(&i));
        let g = if !musts.iter().any(|&m| m) {
            match n {
                0 => 1,
                _ if n == total => 5,
                _ if n == total - 1 => 4,
                _ if n as f64 >= 0.4 * total as f64 => 3,
                _ => 2,
            }
        } else if n == 0 {
            1
        } else if all_musts {
            match total - n {
                0 => 5,
                1 => 4,
                _ => 3,
            }
        } else if 2 * n >= total {
            2
        } else {
            1
        };
        if flag { g.min(2) } else { g }
    }

    #[test]
    fn rubric_rule_on_every_small_case() {
        // Every question of 1 to 6 points, every choice of 0 to 2 musts, every coverage,
        // with and without a red flag said.
        let mut cases = 0;
        for total in 1..=6 {
            for must_bits in subsets(total) {
                if must_bits.len() > 2 {
                    continue;
                }
                let musts: Vec<bool> = (0..total).map(|i| must_bits.contains(&i)).collect();
                for covered in subsets(total) {
                    for flag in [false, true] {
                        let got = rubric_grade(&covered, &musts, flag).value();
                        assert_eq!(
                            got,
                            by_words(&covered, &musts, flag),
                            "{total} points, musts {must_bits:?}, covered {covered:?}, flag {flag}"
                        );
                        cases += 1;
                    }
                }
            }
        }
        assert!(cases > 1000, "{cases}");
    }

    #[test]
    fn rubric_examples() {
        let set = |s: &[usize]| s.iter().copied().collect::<BTreeSet<usize>>();
        // a is the must of four points.
        let musts = [true, false, false, false];
        let g = |c: &[usize], f: bool| rubric_grade(&set(c), &musts, f).value();
        assert_eq!(g(&[0, 1, 2, 3], false), 5);
        assert_eq!(g(&[0, 1, 2], false), 4);
        assert_eq!(g(&[0, 1], false), 3);
        assert_eq!(g(&[0], false), 3, "the must alone still passes");
        assert_eq!(g(&[1, 2, 3], false), 2, "the must missed fails");
        assert_eq!(g(&[1, 2], false), 2, "half covered");
        assert_eq!(g(&[1], false), 1);
        assert_eq!(g(&[], false), 1);
        assert_eq!(g(&[0, 1, 2, 3], true), 2, "a red flag caps at 2");
        assert_eq!(g(&[1], true), 1, "the cap never raises");
        // No musts: the plain rule, capped by a red flag too.
        let plain = [false; 3];
        assert_eq!(rubric_grade(&set(&[0, 1, 2]), &plain, false).value(), 5);
        assert_eq!(rubric_grade(&set(&[0, 1, 2]), &plain, true).value(), 2);
        assert_eq!(rubric_grade(&set(&[]), &[false], false).value(), 1);
        // Indexes past the points do not count.
        assert_eq!(
            rubric_grade(&set(&[0, 7]), &[true, false], false).value(),
            4
        );
        assert_eq!(musts_missed(&[1, 2, 3], &musts), Vec::<usize>::new());
        assert_eq!(musts_missed(&[0, 2], &musts), [0]);
    }
}
