//! The only place that reads the time. `REHEARSE_NOW` (RFC 3339) replaces the system clock,
//! and `REHEARSE_ANSWER_MS` replaces the measured answer time, so tests and scripts are exact.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Datelike, Local, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use std::time::Instant;

/// The longest answer time recorded: an answer left open overnight would otherwise
/// dominate every median.
pub const MAX_ANSWER_MS: u64 = 30 * 60 * 1000;

/// A variable's value; a value that is not UTF-8 is refused, not taken as unset.
fn var(name: &str) -> Result<Option<String>> {
    match std::env::var_os(name) {
        None => Ok(None),
        Some(v) => match v.into_string() {
            Ok(s) => Ok(Some(s)),
            Err(raw) => bail!(
                "{name}={} is not valid UTF-8: set it in plain text, or unset it",
                raw.to_string_lossy()
            ),
        },
    }
}

/// The current instant: `REHEARSE_NOW` when set, else the system clock.
pub fn now() -> Result<DateTime<Utc>> {
    match var("REHEARSE_NOW")? {
        Some(raw) if !raw.trim().is_empty() => DateTime::parse_from_rfc3339(raw.trim())
            .map(|t| t.with_timezone(&Utc))
            .with_context(|| {
                format!(
                    "REHEARSE_NOW={raw:?} is not an RFC 3339 time: use e.g. 2026-03-01T09:00:00Z"
                )
            }),
        _ => Ok(Utc::now()),
    }
}

/// Today's review day, at the instant `now` with a day that starts at `day_starts`. The
/// store and the backup keep dates of the years 1 to 9999, so a clock whose instant, review
/// day or the day after falls outside them is refused before anything is written with it.
pub fn checked_today(now: DateTime<Utc>, day_starts: u32) -> Result<NaiveDate> {
    let day = review_day(now, day_starts);
    let storable = |d: NaiveDate| (1..=9999).contains(&d.year());
    if !(storable(now.date_naive()) && storable(day) && day.succ_opt().is_some_and(storable)) {
        let clock = if var("REHEARSE_NOW")?.is_some() {
            "REHEARSE_NOW"
        } else {
            "the system clock"
        };
        bail!(
            "{clock} reads {}, a review day rehearse cannot store (it keeps the years 1 to 9999): use a time between 0001-01-02 and 9999-12-30",
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
    }
    Ok(day)
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
    match var("REHEARSE_DAY_STARTS")? {
        Some(raw) if raw.trim().is_empty() => Ok(4),
        Some(raw) => match raw.trim().parse::<u32>() {
            Ok(h) if h < 24 => Ok(h),
            _ => {
                bail!("REHEARSE_DAY_STARTS={raw:?} is not an hour: use a whole number from 0 to 23")
            }
        },
        None => Ok(4),
    }
}

/// The fixed answer time of `REHEARSE_ANSWER_MS`, when set: a whole number of
/// milliseconds up to `MAX_ANSWER_MS`.
pub fn answer_ms() -> Result<Option<u64>> {
    let Some(raw) = var("REHEARSE_ANSWER_MS")? else {
        return Ok(None);
    };
    match raw.trim().parse::<u64>() {
        Ok(ms) if ms <= MAX_ANSWER_MS && !raw.trim().starts_with('+') => Ok(Some(ms)),
        _ => bail!(
            "REHEARSE_ANSWER_MS={raw:?} is not an answer time: use a whole number of milliseconds from 0 to {MAX_ANSWER_MS} (30 minutes), or unset it"
        ),
    }
}

/// Measures how long a person took to answer, at most `MAX_ANSWER_MS`.
pub struct Stopwatch {
    started: Instant,
    fixed_ms: Option<u64>,
}

impl Stopwatch {
    /// `REHEARSE_ANSWER_MS` was checked by `cmd::run` before anything started.
    pub fn start() -> Stopwatch {
        Stopwatch {
            started: Instant::now(),
            fixed_ms: answer_ms().unwrap_or(None),
        }
    }

    pub fn elapsed_ms(&self) -> u64 {
        self.fixed_ms.unwrap_or_else(|| {
            u64::try_from(self.started.elapsed().as_millis())
                .unwrap_or(u64::MAX)
                .min(MAX_ANSWER_MS)
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

    #[test]
    fn a_measured_answer_time_is_capped() {
        let Some(started) = Instant::now().checked_sub(std::time::Duration::from_secs(31 * 60))
        else {
            return; // a machine up for less than 31 minutes cannot go back that far
        };
        let watch = Stopwatch {
            started,
            fixed_ms: None,
        };
        assert_eq!(watch.elapsed_ms(), MAX_ANSWER_MS);
    }
}
