//! The only place that reads the time. `REHEARSE_NOW` (RFC 3339) replaces the system clock,
//! and `REHEARSE_ANSWER_MS` replaces the measured answer time, so tests and scripts are exact.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use std::time::Instant;

/// The current instant: `REHEARSE_NOW` when set, else the system clock.
pub fn now() -> Result<DateTime<Utc>> {
    match std::env::var("REHEARSE_NOW") {
        Ok(raw) if !raw.trim().is_empty() => DateTime::parse_from_rfc3339(raw.trim())
            .map(|t| t.with_timezone(&Utc))
            .with_context(|| {
                format!(
                    "REHEARSE_NOW={raw:?} is not an RFC 3339 time: use e.g. 2026-03-01T09:00:00Z"
                )
            }),
        _ => Ok(Utc::now()),
    }
}

/// The review day of an instant in the machine's zone (`TZ`); see `review_day_at`.
pub fn review_day(at: DateTime<Utc>, day_starts: u32) -> NaiveDate {
    review_day_in(at, day_starts, &Local)
}

/// The review day of an instant in zone `tz`; see `review_day_at`.
pub fn review_day_in<Tz: TimeZone>(at: DateTime<Utc>, day_starts: u32, tz: &Tz) -> NaiveDate {
    review_day_at(at.with_timezone(tz).naive_local(), day_starts)
}

/// The review day of a local wall-clock time: its date, or the date before while the clock
/// reads earlier than `day_starts` o'clock, so a session at 1 am counts for the evening before.
/// The wall clock decides, not the hours elapsed since midnight: on a DST change day the day
/// still starts when the clock on the wall shows `day_starts`:00 (or, when that hour is
/// skipped, at the first instant after it).
pub fn review_day_at(local: NaiveDateTime, day_starts: u32) -> NaiveDate {
    let date = local.date();
    if local.hour() < day_starts {
        date.pred_opt().unwrap_or(date)
    } else {
        date
    }
}

/// The hour a review day starts, from `REHEARSE_DAY_STARTS` (default 4). Empty counts as
/// unset, as it does for `REHEARSE_NOW`.
pub fn day_starts() -> Result<u32> {
    match std::env::var("REHEARSE_DAY_STARTS") {
        Ok(raw) if raw.trim().is_empty() => Ok(4),
        Ok(raw) => match raw.trim().parse::<u32>() {
            Ok(h) if h < 24 => Ok(h),
            _ => {
                bail!("REHEARSE_DAY_STARTS={raw:?} is not an hour: use a whole number from 0 to 23")
            }
        },
        Err(_) => Ok(4),
    }
}

/// Measures how long a person took to answer.
pub struct Stopwatch {
    started: Instant,
    fixed_ms: Option<u64>,
}

impl Stopwatch {
    pub fn start() -> Stopwatch {
        let fixed_ms = std::env::var("REHEARSE_ANSWER_MS")
            .ok()
            .and_then(|v| v.trim().parse().ok());
        Stopwatch {
            started: Instant::now(),
            fixed_ms,
        }
    }

    pub fn elapsed_ms(&self) -> u64 {
        self.fixed_ms.unwrap_or_else(|| {
            u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, FixedOffset, NaiveTime};

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// America/New_York's rules for 2026: EDT (UTC-4) from 2026-03-08 07:00Z (2 am EST)
    /// until 2026-11-01 06:00Z (2 am EDT), EST (UTC-5) otherwise.
    fn new_york(at: DateTime<Utc>) -> NaiveDateTime {
        let edt = at >= utc("2026-03-08T07:00:00Z") && at < utc("2026-11-01T06:00:00Z");
        let offset = FixedOffset::west_opt(if edt { 4 } else { 5 } * 3600).unwrap();
        at.with_timezone(&offset).naive_local()
    }

    /// The instant day `date` starts in New York: the first minute whose wall clock reads
    /// `hour`:00 or later (found by walking the minutes, independently of `review_day_at`).
    fn day_start(date: NaiveDate, hour: u32) -> DateTime<Utc> {
        let wall = date.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap());
        // New York is 4 or 5 hours behind: 3 hours after `wall` read as UTC is still before it.
        let mut t = wall.and_utc() + Duration::hours(3);
        assert!(new_york(t) < wall);
        while new_york(t) < wall {
            t += Duration::minutes(1);
        }
        t
    }

    #[test]
    fn new_york_change_days_every_15_minutes_and_every_rollover_hour() {
        for (from, change_day) in [
            ("2026-03-07T00:00:00Z", "2026-03-08"),
            ("2026-10-31T00:00:00Z", "2026-11-01"),
        ] {
            for hour in 0..24 {
                let mut starts = std::collections::HashMap::new();
                let mut start = |day| *starts.entry(day).or_insert_with(|| day_start(day, hour));
                let mut t = utc(from);
                while t < utc(from) + Duration::days(3) {
                    let local = new_york(t).date();
                    // The latest day that has started by `t`.
                    let expected = [local.succ_opt().unwrap(), local, local.pred_opt().unwrap()]
                        .into_iter()
                        .find(|&day| start(day) <= t)
                        .unwrap();
                    assert_eq!(
                        review_day_at(new_york(t), hour),
                        expected,
                        "{t} (New York {}), day starting at {hour}:00 around {change_day}",
                        new_york(t)
                    );
                    t += Duration::minutes(15);
                }
            }
        }
    }

    #[test]
    fn new_york_change_days_at_the_default_hour() {
        // The day starts at 04:00 on the wall clock, both on the short day and on the long one.
        let ny = |s: &str| review_day_at(new_york(utc(s)), 4);
        assert_eq!(ny("2026-03-08T07:59:00Z"), d("2026-03-07"), "03:59 EDT");
        assert_eq!(ny("2026-03-08T08:00:00Z"), d("2026-03-08"), "04:00 EDT");
        assert_eq!(ny("2026-03-08T08:30:00Z"), d("2026-03-08"), "04:30 EDT");
        assert_eq!(ny("2026-11-01T08:30:00Z"), d("2026-10-31"), "03:30 EST");
        assert_eq!(ny("2026-11-01T08:59:00Z"), d("2026-10-31"), "03:59 EST");
        assert_eq!(ny("2026-11-01T09:00:00Z"), d("2026-11-01"), "04:00 EST");
    }

    #[test]
    fn rollover_moves_early_hours_to_the_day_before_in_any_zone() {
        for hours in [-10, -5, 0, 1, 9, 14] {
            let tz = FixedOffset::east_opt(hours * 3600).unwrap();
            let at = |s: &str| {
                NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
                    .unwrap()
                    .and_local_timezone(tz)
                    .unwrap()
                    .with_timezone(&Utc)
            };
            assert_eq!(
                review_day_in(at("2026-03-02 01:00"), 4, &tz),
                d("2026-03-01")
            );
            assert_eq!(
                review_day_in(at("2026-03-02 03:59"), 4, &tz),
                d("2026-03-01")
            );
            assert_eq!(
                review_day_in(at("2026-03-02 04:00"), 4, &tz),
                d("2026-03-02")
            );
            assert_eq!(
                review_day_in(at("2026-03-02 00:00"), 0, &tz),
                d("2026-03-02")
            );
            assert_eq!(
                review_day_in(at("2026-03-01 23:59"), 0, &tz),
                d("2026-03-01")
            );
        }
    }
}
