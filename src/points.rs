//! Grading from key points: labels a-f, and the grade a coverage earns. Pure.

use crate::sm2::Grade;

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
}
