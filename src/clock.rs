//! The only place that reads the time. `REHEARSE_NOW` (RFC 3339) replaces the system clock,
//! and `REHEARSE_ANSWER_MS` replaces the measured answer time, so tests and scripts are exact.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, Local, NaiveDate, Utc};
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

/// The review day of an instant: the local date, where a day starts at `day_starts` o'clock,
/// so a session at 1 am counts for the evening before.
pub fn review_day(at: DateTime<Utc>, day_starts: u32) -> NaiveDate {
    (at.with_timezone(&Local) - Duration::hours(day_starts as i64)).date_naive()
}

/// The hour a review day starts, from `REHEARSE_DAY_STARTS` (default 4).
pub fn day_starts() -> Result<u32> {
    match std::env::var("REHEARSE_DAY_STARTS") {
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
}
