//! The only place that reads the time. `REHEARSE_NOW` (RFC 3339) replaces the system clock,
//! and `REHEARSE_ANSWER_MS` replaces the measured answer time, so tests and scripts are exact.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Datelike, Duration, Local, NaiveDate, Utc};
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

/// Today's review day. The store and the backup keep dates of the years 1 to 9999, so a
/// clock whose instant, review day or the day after falls outside them is refused before
/// anything is written with it.
pub fn today() -> Result<NaiveDate> {
    let now = now()?;
    let day = review_day(now, day_starts()?);
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

/// The review day of an instant: the local date, where a day starts at `day_starts` o'clock,
/// so a session at 1 am counts for the evening before.
pub fn review_day(at: DateTime<Utc>, day_starts: u32) -> NaiveDate {
    (at.with_timezone(&Local) - Duration::hours(day_starts as i64)).date_naive()
}

/// The hour a review day starts, from `REHEARSE_DAY_STARTS` (default 4).
pub fn day_starts() -> Result<u32> {
    match var("REHEARSE_DAY_STARTS")? {
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

    #[test]
    fn rollover_moves_early_hours_to_the_day_before() {
        // The tests run with whatever TZ the machine has; build instants from local times.
        let local = |s: &str| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
                .unwrap()
                .and_local_timezone(Local)
                .unwrap()
                .with_timezone(&Utc)
        };
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(review_day(local("2026-03-02 01:00"), 4), d("2026-03-01"));
        assert_eq!(review_day(local("2026-03-02 03:59"), 4), d("2026-03-01"));
        assert_eq!(review_day(local("2026-03-02 04:00"), 4), d("2026-03-02"));
        assert_eq!(review_day(local("2026-03-02 01:00"), 0), d("2026-03-02"));
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
