//! Which built-in bank a database last took: a fingerprint of the bank compiled in, and a
//! digest of each question's content, so an upgrade changes only what the bank changed.
//! Pure: the store keeps the digests, `cmd::upgrade` applies the plan.

use crate::store::QuestionRow;
use std::collections::HashMap;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// One part into an FNV-1a hash, then a separator, so ("ab", "c") and ("a", "bc") differ.
const fn fnv_part(mut h: u64, part: &[u8]) -> u64 {
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut i = 0;
    while i < part.len() {
        h = (h ^ part[i] as u64).wrapping_mul(PRIME);
        i += 1;
    }
    (h ^ 0xff).wrapping_mul(PRIME)
}

/// FNV-1a, 64 bits: stable across builds and platforms (std's hasher promises neither).
fn fnv(parts: &[&[u8]]) -> u64 {
    parts.iter().fold(FNV_OFFSET, |h, part| fnv_part(h, part))
}

/// The fingerprint of the files compiled in, worked out by the compiler (hashing 380 KB at
/// every start took a tenth of the first question's instructions).
#[allow(long_running_const_eval)]
const FINGERPRINT: u64 = {
    let mut h = FNV_OFFSET;
    let mut i = 0;
    while i < crate::bank::BUILTIN.len() {
        h = fnv_part(h, crate::bank::BUILTIN[i].0.as_bytes());
        h = fnv_part(h, crate::bank::BUILTIN[i].1.as_bytes());
        i += 1;
    }
    h >> 16
};

/// The built-in bank's version: a fingerprint of the files compiled in.
pub fn fingerprint() -> String {
    format!("{FINGERPRINT:012x}")
}

/// A digest of what import writes for a question (its text, tags, points and place, and its
/// rubric fields). A question without rubric fields digests as it did before they existed.
pub fn digest(q: &QuestionRow) -> String {
    let tags = serde_json::to_string(&q.tags).unwrap_or_default();
    let points = serde_json::to_string(&q.points).unwrap_or_default();
    let position = q.position.to_string();
    let mut parts: Vec<&[u8]> = vec![
        q.deck_id.as_bytes(),
        q.section.as_bytes(),
        q.prompt.as_bytes(),
        tags.as_bytes(),
        points.as_bytes(),
        position.as_bytes(),
    ];
    let rubric = (!q.red_flags.is_empty()
        || !q.follow_ups.is_empty()
        || q.verified.is_some()
        || q.minutes.is_some())
    .then(|| {
        serde_json::to_string(&(&q.red_flags, &q.follow_ups, &q.verified, q.minutes))
            .unwrap_or_default()
    });
    if let Some(r) = &rubric {
        parts.push(r.as_bytes());
    }
    format!("{:016x}", fnv(&parts))
}

/// What an upgrade does to the questions of the built-in bank.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// In the new bank and not in the database: added.
    pub added: Vec<String>,
    /// Changed in the bank since the database took it: its text is updated; a question the
    /// user retired stays retired.
    pub changed: Vec<String>,
    /// In the bank the database took, dropped from the new one: retired.
    pub dropped: Vec<String>,
}

/// Compares the new bank (`rows`, in bank order) with the digests the database took, given
/// which ids the database holds.
pub fn plan(
    rows: &[QuestionRow],
    taken: &HashMap<String, String>,
    in_db: &dyn Fn(&str) -> bool,
) -> Plan {
    let mut p = Plan::default();
    for q in rows {
        match taken.get(&q.id) {
            Some(d) if *d == digest(q) => {}
            Some(_) => p.changed.push(q.id.clone()),
            None if in_db(&q.id) => p.changed.push(q.id.clone()),
            None => p.added.push(q.id.clone()),
        }
    }
    let now: std::collections::HashSet<&str> = rows.iter().map(|q| q.id.as_str()).collect();
    let mut dropped: Vec<String> = taken
        .keys()
        .filter(|id| !now.contains(id.as_str()))
        .cloned()
        .collect();
    dropped.sort();
    p.dropped = dropped;
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, prompt: &str) -> QuestionRow {
        QuestionRow {
            id: format!("d/{id}"),
            deck_id: "d".into(),
            section: "S".into(),
            prompt: prompt.into(),
            tags: vec![],
            points: vec![],
            position: 0,
            retired: false,
            red_flags: vec![],
            follow_ups: vec![],
            verified: None,
            minutes: None,
        }
    }

    #[test]
    fn plan_sorts_added_changed_dropped() {
        let old = [row("a", "A"), row("b", "B"), row("gone", "G")];
        let taken: HashMap<String, String> =
            old.iter().map(|q| (q.id.clone(), digest(q))).collect();
        let new = [
            row("a", "A"),
            row("b", "B2"),
            row("c", "C"),
            row("mine", "M"),
        ];
        let p = plan(&new, &taken, &|id| id == "d/mine");
        assert_eq!(p.added, ["d/c"]);
        assert_eq!(p.changed, ["d/b", "d/mine"]);
        assert_eq!(p.dropped, ["d/gone"]);
    }

    #[test]
    fn digest_sees_every_field_and_ignores_retired() {
        let a = row("a", "A");
        let retired = QuestionRow {
            retired: true,
            ..a.clone()
        };
        assert_eq!(digest(&a), digest(&retired));
        let tagged = QuestionRow {
            tags: vec!["t".into()],
            ..a.clone()
        };
        assert_ne!(digest(&a), digest(&tagged));
        let moved = QuestionRow {
            position: 1,
            ..a.clone()
        };
        assert_ne!(digest(&a), digest(&moved));
        let flagged = QuestionRow {
            red_flags: vec!["r".into()],
            ..a.clone()
        };
        assert_ne!(digest(&a), digest(&flagged));
        assert_eq!(fingerprint().len(), 12);
    }
}
