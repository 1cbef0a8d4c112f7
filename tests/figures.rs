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

fn stats_json(s: &Sandbox, now: &str, extra: &[&str]) -> Value {
    json(
        &s.rehearse(now)
            .args(["stats", "--json"])
            .args(extra)
            .output()
            .unwrap(),
    )
}

fn sum(v: &Value, list: &str, field: &str) -> u64 {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x[field].as_u64().unwrap())
        .sum()
}

/// The figures that sit side by side agree: the overview's due counts are the forecast's
/// bars, today's reviews are today's calendar square, and the deck rows add up to the overview.
fn assert_side_by_side(v: &Value) {
    let o = &v["overview"];
    let bars: Vec<u64> = v["forecast"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["count"].as_u64().unwrap())
        .collect();
    assert_eq!(o["due"]["today"], bars[0]);
    assert_eq!(o["due"]["tomorrow"], bars[1]);
    assert_eq!(
        o["due"]["week"],
        bars[..7].iter().sum::<u64>(),
        "due within 7 days = 7 bars"
    );
    assert_eq!(o["due"]["today"], sum(v, "decks", "due"));
    assert_eq!(o["due"]["today"], sum(v, "sections", "due"));
    let today = v["activity"].as_array().unwrap().last().unwrap();
    assert_eq!(today["date"], v["today"]);
    assert_eq!(
        today["count"],
        o["reviews_today"].as_u64().unwrap() + o["drills_today"].as_u64().unwrap()
    );
    assert_eq!(o["retention_reviews"], sum(v, "decks", "retention_reviews"));
    assert_eq!(
        o["retention_reviews"],
        sum(v, "sections", "retention_reviews")
    );
}

#[test]
fn stats_leaves_out_reviews_dated_after_today() {
    let s = Sandbox::new();
    s.review("2026-03-10T09:00:00Z", &["--limit", "1"], "5\n");
    // The clock now reads five days earlier than the log.
    let v = stats_json(&s, "2026-03-05T09:00:00Z", &["--days", "1"]);
    assert_eq!(v["overview"]["retention"], Value::Null);
    assert_eq!(v["overview"]["retention_reviews"], 0);
    assert_eq!(v["overview"]["median_answer_ms"], Value::Null);
    assert_eq!(v["overview"]["reviews_today"], 0);
    assert_eq!(sum(&v, "decks", "retention_reviews"), 0);
    assert_eq!(sum(&v, "activity", "count"), 0);
    assert_side_by_side(&v);
    let out = s
        .rehearse("2026-03-05T09:00:00Z")
        .args(["stats", "--days", "1"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("retention   no reviews yet in the last 1 day\n"),
        "{text}"
    );
}

/// Five questions with EF 2.10 and 3 lapses between them, 23 scheduling reviews in the
/// window of which 20 passed (and two drill answers, which count for nothing but activity).
fn weak_deck() -> Sandbox {
    let s = Sandbox::new();
    let mut bank = String::from("[deck]\nid = \"w\"\ntitle = \"W\"\n");
    for i in 1..=5 {
        bank += &format!(
            "\n[[question]]\nid = \"q{i}\"\nprompt = \"Q{i}?\"\npoints = [\"x\", \"y\"]\n"
        );
    }
    let path = s.write("w.toml", &bank);
    assert!(
        s.rehearse(NOW)
            .arg("import")
            .arg(path)
            .output()
            .unwrap()
            .status
            .success()
    );
    let db = s.sql();
    for i in 1..=5 {
        db.execute(
            "INSERT INTO card_state (question_id, n, ef_milli, interval, due, introduced, last_review, lapses)
             VALUES (?1, 2, 2100, 6, ?2, '2026-03-01', '2026-03-09T09:00:00.000Z', ?3)",
            rusqlite::params![format!("w/q{i}"), format!("2026-03-1{i}"), (i <= 3) as i64],
        )
        .unwrap();
    }
    for k in 0..25 {
        let (grade, kind) = match k {
            0..3 => (2, "review"),
            23.. => (1, "drill"),
            _ => (4, "review"),
        };
        db.execute(
            "INSERT INTO review_log (reviewed_at, day, question_id, grade, kind, n_before, ef_before,
             interval_before, due_before, n_after, ef_after, interval_after, due_after, answer_ms, missed)
             VALUES ('2026-03-09T09:00:00.000Z', '2026-03-09', ?1, ?2, ?3, 1, 2100, 1, '2026-03-09',
             2, 2100, 6, '2026-03-15', ?4, ?5)",
            rusqlite::params![
                format!("w/q{}", k % 5 + 1),
                grade,
                kind,
                1000 * (k + 1) + 500,
                if kind == "drill" { Some("[1]") } else { None }
            ],
        )
        .unwrap();
    }
    s
}

#[test]
fn the_weakness_score_is_exact_from_counts_and_rounded_once() {
    let s = weak_deck();
    let v = stats_json(&s, "2026-03-09T20:00:00Z", &[]);
    let w = &v["decks"][0];
    // 100 * (0.5 * 3/23 + 0.3 * (2.5 - 2.1) / 1.2 + 0.2 * 3/5) = 28.52..., so 29.
    assert_eq!(w["weakness"], 29);
    assert_eq!(
        (
            &w["retention"],
            &w["retention_reviews"],
            &w["mean_ef"],
            &w["lapses"],
            &w["seen"]
        ),
        (
            &json_f(0.87),
            &Value::from(23),
            &json_f(2.1),
            &Value::from(3),
            &Value::from(5)
        )
    );
    assert_eq!(w["weakness"], 29);
    assert_eq!(v["sections"][0]["weakness"], 29);
    // The drill answers' missed point is not a most-missed point: drills never count.
    assert_eq!(v["most_missed_points"], serde_json::json!([]));
    assert_side_by_side(&v);
    let text = stdout(
        &s.rehearse("2026-03-09T20:00:00Z")
            .arg("stats")
            .output()
            .unwrap(),
    );
    assert!(text.contains("┆       29 │"), "{text}");
    assert!(
        text.contains("  retention   87% of 23 reviews in the last 30 days graded 3+"),
        "{text}"
    );
    assert!(
        text.contains("  reviews     23 today (2 drill answers)"),
        "{text}"
    );
    // The median of 1.5 s .. 23.5 s is 12.5 s: rounded half up once, 13 s.
    assert_eq!(v["overview"]["median_answer_ms"], 12_500);
    assert!(text.contains("  answer time 13s median"), "{text}");
}

fn json_f(x: f64) -> Value {
    Value::from(x)
}

#[test]
fn side_by_side_figures_agree_after_real_sessions() {
    let s = Sandbox::new();
    // Day 1: ten new questions, a few failed and drilled; day 3: what is due, and more.
    s.review(NOW, &[], "4\n2\n5\n3\n1\n4\n5\n2\n4\n3\n4\n4\n4\n4\n4\n4\n");
    s.review("2026-03-03T09:00:00Z", &["--limit", "6"], "3\n2\n5\n1\nq\n");
    // 03-02: the questions graded 4 on 03-03 are due 03-09, today + 7: not within 7 days.
    for now in [
        "2026-03-02T09:00:00Z",
        "2026-03-03T20:00:00Z",
        "2026-03-04T09:00:00Z",
        "2026-03-09T09:00:00Z",
    ] {
        for days in ["1", "7", "30"] {
            assert_side_by_side(&stats_json(&s, now, &["--days", days]));
        }
    }
}

#[test]
fn drilled_counts_the_questions_carried_over_from_earlier_today() {
    let s = Sandbox::new();
    // Three failed, then quit before drilling them: they wait for the next session today.
    s.review(NOW, &["--new", "3"], "2\n2\n2\nq\n");
    // Two more new ones failed, then all five drilled to 5.
    let text = s.review(NOW, &["--new", "5"], "1\n1\n5\n5\n5\n5\n5\n");
    assert!(
        text.contains(
            "Session over: 2 reviewed (2 at 1); 5 drilled (5 drill answers); 5 due tomorrow."
        ),
        "{text}"
    );
    // One drill answer is one, not "1 drill answers".
    let s = Sandbox::new();
    let text = s.review(NOW, &["--new", "1"], "3\n5\n");
    assert!(
        text.contains(
            "Session over: 1 reviewed (1 at 3); 1 drilled (1 drill answer); 1 due tomorrow."
        ),
        "{text}"
    );
}

#[test]
fn a_far_due_date_says_how_far_the_date_is_not_the_interval() {
    let s = Sandbox::new();
    assert!(
        s.rehearse(NOW)
            .arg("import")
            .output()
            .unwrap()
            .status
            .success()
    );
    s.sql()
        .execute(
            "INSERT INTO card_state (question_id, n, ef_milli, interval, due, introduced, last_review)
             VALUES ('go-runtime/gmp-model', 9, 2500, 3000000, '2026-03-10', '2026-01-01', '2026-01-01T09:00:00.000Z')",
            [],
        )
        .unwrap();
    let text = s.review("2026-03-10T09:00:00Z", &["--limit", "1"], "5\n");
    let days = ("9999-12-31".parse::<chrono::NaiveDate>().unwrap()
        - "2026-03-10".parse::<chrono::NaiveDate>().unwrap())
    .num_days();
    assert!(
        text.contains(&format!("Saved: next review 9999-12-31 (in {days} days).")),
        "{text}"
    );
    // The interval itself is kept as SM-2 computed it: 3,000,000 x 2.5 (the EF before).
    assert_eq!(s.count("SELECT interval FROM card_state"), 7_500_000);
}

#[test]
fn the_forecast_stops_at_the_last_date_kept() {
    let s = Sandbox::new();
    s.review("9999-12-25T09:00:00Z", &["--limit", "1"], "4\n");
    let v = stats_json(&s, "9999-12-25T20:00:00Z", &[]);
    let dates: Vec<&str> = v["forecast"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates.len(), 7, "{dates:?}");
    assert_eq!(dates.last(), Some(&"9999-12-31"));
    assert_eq!(v["overview"]["due"]["tomorrow"], 1);
    assert_side_by_side(&v);
    let text = stdout(
        &s.rehearse("9999-12-25T20:00:00Z")
            .arg("stats")
            .output()
            .unwrap(),
    );
    assert!(!text.contains("+10000"), "{text}");
    assert!(text.contains("  Fri 12-31     0"), "{text}");
}

/// Ctrl-C lands at a different moment of a fast piped session each time; the summary's count
/// must always be what was saved. (Before the fix about 4 in 10 summaries under-counted.)
#[cfg(unix)]
#[test]
fn the_ctrl_c_summary_counts_every_grade_saved() {
    use std::io::{BufRead, Read, Write};
    use std::process::Stdio;
    for attempt in 0..12u64 {
        let s = Sandbox::new();
        assert!(
            s.rehearse(NOW)
                .arg("import")
                .output()
                .unwrap()
                .status
                .success()
        );
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rehearse"))
            .args(["review", "--new", "241"])
            .env("REHEARSE_DB", s.db())
            .env("REHEARSE_NOW", NOW)
            .env("REHEARSE_ANSWER_MS", "1000")
            .env("TZ", "UTC")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all("5\n".repeat(241).as_bytes()).unwrap();
        // The first line comes once the Ctrl-C handler is in place.
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        assert!(first.starts_with("241 questions"), "{first}");
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            stdout.read_to_string(&mut text).unwrap();
            text
        });
        std::thread::sleep(std::time::Duration::from_millis(15 * attempt));
        std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(child.wait().unwrap().success());
        drop(stdin);
        let text = reader.join().unwrap();
        let summary = text
            .lines()
            .rfind(|l| l.starts_with("Session over: "))
            .unwrap_or_else(|| panic!("no summary in {text}"));
        let reviewed: i64 = summary["Session over: ".len()..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            reviewed,
            s.count("SELECT count(*) FROM review_log"),
            "attempt {attempt}: {summary}"
        );
    }
}

#[test]
fn no_review_on_the_last_date_kept_where_it_would_stay_due() {
    let s = Sandbox::new();
    assert!(
        s.rehearse(NOW)
            .arg("import")
            .output()
            .unwrap()
            .status
            .success()
    );
    let out = s
        .rehearse("9999-12-31T12:00:00Z")
        .args(["review", "--limit", "1"])
        .write_stdin("4\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("9999-12-31"), "{}", stderr(&out));
    assert_eq!(s.count("SELECT count(*) FROM review_log"), 0);
}

/// A sitting keeps the day it started on; the drill list it leaves is for that day only, and
/// what it scheduled for "tomorrow" is due from the rollover hour on.
#[test]
fn a_sitting_before_the_rollover_belongs_to_the_day_before() {
    let s = Sandbox::new();
    // 03:59 on 03-02 is still review day 03-01: graded 3 (interval 1, on the drill list), quit.
    s.review("2026-03-02T03:59:00Z", &["--new", "1"], "3\nq\n");
    assert_eq!(
        s.count(
            "SELECT count(*) FROM review_log WHERE day = '2026-03-01' AND due_after = '2026-03-02'"
        ),
        1
    );
    let peek = |now: &str| {
        json(
            &s.rehearse(now)
                .args(["review", "--peek", "--json", "--new", "0"])
                .output()
                .unwrap(),
        )
    };
    // Still the same review day: the drill list waits, the question is not due yet.
    let before = peek("2026-03-02T03:59:59Z");
    assert_eq!(
        (&before["today"], &before["due"], &before["drill"]),
        (&Value::from("2026-03-01"), &Value::from(0), &Value::from(1))
    );
    // From 04:00 it is a new day: the question is due, yesterday's drill list is not resumed.
    let after = peek("2026-03-02T04:00:00Z");
    assert_eq!(
        (&after["today"], &after["due"], &after["drill"]),
        (&Value::from("2026-03-02"), &Value::from(1), &Value::from(0))
    );
}
