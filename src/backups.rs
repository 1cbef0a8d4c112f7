//! Automatic backups, the pure part: how a copy is named, and which copies the thinning keeps
//! (the newest of each of the last 7 days that have one, and the newest of each of the 4
//! weeks before those).

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// Why a copy was taken; part of its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The first write of a review day.
    Daily,
    /// Before a migration from this schema version.
    Migration(i64),
    /// Before a JSON backup is restored or merged.
    Restore,
    /// Before `import --prune` retires questions.
    Prune,
    /// Before `rehearse backups restore` replaces the database.
    BeforeRestore,
}

impl Reason {
    pub fn label(self) -> String {
        match self {
            Reason::Daily => "daily".into(),
            Reason::Migration(v) => format!("before-migration-v{v}"),
            Reason::Restore => "before-import-backup".into(),
            Reason::Prune => "before-prune".into(),
            Reason::BeforeRestore => "before-restore".into(),
        }
    }
}

/// A copy's name: `<review day>_<UTC time>_<reason>.db`, so names sort by time.
pub fn name(day: NaiveDate, at: DateTime<Utc>, reason: Reason) -> String {
    format!(
        "{}_{}_{}.db",
        day.format("%Y-%m-%d"),
        at.format("%H%M%SZ"),
        reason.label()
    )
}

/// The review day and reason of a name this module made; `None` for anything else.
pub fn parse(name: &str) -> Option<(NaiveDate, String)> {
    let stem = name.strip_suffix(".db")?;
    let mut parts = stem.splitn(3, '_');
    let day = NaiveDate::parse_from_str(parts.next()?, "%Y-%m-%d").ok()?;
    let time = parts.next()?;
    let reason = parts.next()?;
    let digits = time.strip_suffix('Z')?;
    if digits.len() < 6 || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return None;
    }
    if reason.is_empty() {
        return None;
    }
    Some((day, reason.to_string()))
}

/// Copies kept from the newest day: every step back a person may want today.
const SAME_DAY: usize = 8;
const DAILY: usize = 7;
const WEEKLY: usize = 4;

/// Of these names (any order), the ones thinning removes: it keeps up to 8 copies of the
/// newest day, the newest copy of each of the 7 newest days, and then the newest copy of each
/// of the 4 newest weeks older than those days. Names it did not make are never removed.
pub fn to_remove(names: &[String]) -> Vec<String> {
    let mut dated: Vec<(NaiveDate, &String)> = names
        .iter()
        .filter_map(|n| parse(n).map(|(d, _)| (d, n)))
        .collect();
    // Newest first: by day, then by name (the time within the day).
    dated.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(a.1)));
    let newest_day = dated.first().map(|d| d.0);
    let mut same_day = 0;
    let mut days: Vec<NaiveDate> = Vec::new();
    let mut weeks: Vec<(i32, u32)> = Vec::new();
    let mut remove = Vec::new();
    for (day, name) in dated {
        let iso = day.iso_week();
        let week = (iso.year(), iso.week());
        let keep = if Some(day) == newest_day {
            same_day += 1;
            if same_day == 1 {
                days.push(day);
            }
            same_day <= SAME_DAY
        } else if days.contains(&day) {
            false
        } else if days.len() < DAILY {
            days.push(day);
            true
        } else {
            let covered = days.iter().any(|d| {
                let i = d.iso_week();
                (i.year(), i.week()) == week
            }) || weeks.contains(&week);
            if !covered && weeks.len() < WEEKLY {
                weeks.push(week);
                true
            } else {
                false
            }
        };
        if !keep {
            remove.push(name.clone());
        }
    }
    remove
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn names_parse_back() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let n = name(d, at("2026-03-01T09:05:07Z"), Reason::Migration(3));
        assert_eq!(n, "2026-03-01_090507Z_before-migration-v3.db");
        assert_eq!(parse(&n), Some((d, "before-migration-v3".into())));
        for bad in [
            "notes.db",
            "2026-03-01.db",
            "2026-13-01_090507Z_daily.db",
            "x_y_z",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn thinning_keeps_today_seven_days_and_four_weeks() {
        // One daily copy a day for 60 days, and three more on the newest day.
        let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let mut names: Vec<String> = (0..60)
            .map(|i| {
                let d = first + chrono::Duration::days(i);
                format!("{}_040000Z_daily.db", d.format("%Y-%m-%d"))
            })
            .collect();
        for t in [
            "050000Z_before-prune",
            "060000Z_before-restore",
            "070000Z_daily",
        ] {
            names.push(format!("2026-03-01_{t}.db"));
        }
        names.push("my-own-copy.db".into());
        let removed = to_remove(&names);
        let mut kept: Vec<&String> = names.iter().filter(|n| !removed.contains(n)).collect();
        kept.sort();
        let kept: Vec<&str> = kept.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            kept,
            [
                // four weeks older than the last seven days, newest copy of each
                "2026-02-01_040000Z_daily.db",
                "2026-02-08_040000Z_daily.db",
                "2026-02-15_040000Z_daily.db",
                "2026-02-22_040000Z_daily.db",
                // six earlier days
                "2026-02-23_040000Z_daily.db",
                "2026-02-24_040000Z_daily.db",
                "2026-02-25_040000Z_daily.db",
                "2026-02-26_040000Z_daily.db",
                "2026-02-27_040000Z_daily.db",
                "2026-02-28_040000Z_daily.db",
                // the week of 2026-02-23 is covered by the days above
                "2026-03-01_040000Z_daily.db",
                "2026-03-01_050000Z_before-prune.db",
                "2026-03-01_060000Z_before-restore.db",
                "2026-03-01_070000Z_daily.db",
                "my-own-copy.db",
            ]
        );
    }
}
