//! Exact figures: the review day on DST change days, far dates, counts a person sees.

mod common;
const NOW: &str = "2026-03-01T09:00:00Z";
use common::*;
use serde_json::Value;

type Utc = chrono::DateTime<chrono::Utc>;

fn utc(s: &str) -> Utc {
    s.parse().unwrap()
}

fn json(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn peek_in_new_york(s: &Sandbox, now: &str) -> Value {
    json(
        &s.rehearse(now)
            .env("TZ", "America/New_York")
            .args(["review", "--peek", "--json"])
            .output()
            .unwrap(),
    )
}

/// The review day in New York, worked by hand: EDT (UTC-4) from 2026-03-08 07:00Z to
/// 2026-11-01 06:00Z, EST (UTC-5) otherwise; the day starts at 04:00 on the wall clock.
fn new_york_day(at: Utc) -> chrono::NaiveDate {
    let edt = at >= utc("2026-03-08T07:00:00Z") && at < utc("2026-11-01T06:00:00Z");
    let wall = at - chrono::Duration::hours(if edt { 4 } else { 5 });
    (wall - chrono::Duration::hours(4)).date_naive()
}

#[test]
fn the_day_starts_at_4_on_the_wall_clock_on_both_new_york_change_days() {
    let s = Sandbox::new();
    // Reviewed on Saturday 03-07 (noon EST), so it is due on Sunday 03-08, the short day.
    let out = s
        .rehearse("2026-03-07T17:00:00Z")
        .env("TZ", "America/New_York")
        .args(["review", "--limit", "1"])
        .write_stdin("4\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("next review 2026-03-08"),
        "{}",
        stdout(&out)
    );

    // 04:30 EDT on 03-08 and 03:30 EST on 11-01 (the cases).
    let peek = peek_in_new_york(&s, "2026-03-08T08:30:00Z");
    assert_eq!(peek["today"], "2026-03-08");
    assert_eq!(
        peek["due"], 1,
        "the question due 03-08 is offered at 04:30 EDT"
    );
    assert_eq!(
        peek_in_new_york(&s, "2026-11-01T08:30:00Z")["today"],
        "2026-10-31"
    );

    // Every 15 minutes from 02:00 to 12:00 UTC on both change days.
    for day in ["2026-03-08", "2026-11-01"] {
        let mut t = utc(&format!("{day}T02:00:00Z"));
        for _ in 0..40 {
            let now = t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            assert_eq!(
                peek_in_new_york(&s, &now)["today"],
                new_york_day(t).to_string(),
                "at {now}"
            );
            t += chrono::Duration::minutes(15);
        }
    }
}

#[test]
fn an_empty_day_starts_means_the_default_like_an_empty_clock() {
    let s = Sandbox::new();
    // 03:00 UTC is before the default 4 am rollover: the day before.
    for (var, value) in [("REHEARSE_DAY_STARTS", ""), ("REHEARSE_DAY_STARTS", "  ")] {
        let out = s
            .rehearse("2026-03-02T03:00:00Z")
            .env(var, value)
            .args(["review", "--peek", "--json"])
            .output()
            .unwrap();
        assert_eq!(json(&out)["today"], "2026-03-01", "{var}={value:?}");
    }
    let out = s
        .rehearse("")
        .env("REHEARSE_DAY_STARTS", "")
        .args(["review", "--peek", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn none_covered_on_a_one_point_question_offers_1_a_lapse_and_a_drill() {
    let s = Sandbox::new();
    let bank = s.write(
        "team/one.toml",
        "[deck]\nid = \"team\"\ntitle = \"Team\"\n\n[[question]]\nid = \"only\"\nprompt = \"Why?\"\npoints = [\"Because\"]\n",
    );
    let out = s.rehearse(NOW).arg("import").arg(&bank).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // Enter shows the point, `-` says none was covered, Enter accepts what is offered.
    let printed = s.review(NOW, &[], "\n-\n\nq\n");
    assert!(printed.contains("Covered 0 of 1: grade 1"), "{printed}");
    assert_eq!(
        s.count("SELECT grade FROM review_log WHERE kind = 'review'"),
        1
    );
    assert_eq!(s.count("SELECT lapses FROM card_state"), 1);
    assert!(printed.contains("[drill, 1 left]"), "{printed}");
}
