//! Stats against a small history worked out by hand (see the comments for the arithmetic).
mod common;
use common::*;
use serde_json::{Value, json};

const BANK: &str = r#"[deck]
id = "alpha"
title = "Alpha"

[[question]]
id = "a1"
section = "S1"
prompt = "A one?"
points = ["first", "second", "third", "fourth"]

[[question]]
id = "a2"
section = "S1"
prompt = "A two?"

[[question]]
id = "a3"
section = "S2"
prompt = "A three?"
"#;

const BANK_B: &str = r#"[deck]
id = "beta"
title = "Beta"

[[question]]
id = "b1"
prompt = "B one?"

[[question]]
id = "b2"
prompt = "B two?"
"#;

/// Day 1 (answers 2 s): a1 5 (all four points), a2 2, a3 4, b1 1, b2 3; drills a2 4, b1 5, b2 4.
/// Day 2 (answers 4 s): a1 4 (points a b c: d missed), a2 3, a3 5, b1 2, b2 5; drills a2 5, b1 4.
fn history() -> Sandbox {
    let s = Sandbox::new();
    s.write("bank/a.toml", BANK);
    s.write("bank/b.toml", BANK_B);
    s.rehearse("2026-03-01T09:00:00Z")
        .args(["import", "bank"])
        .assert()
        .success();
    s.rehearse("2026-03-01T09:00:00Z")
        .arg("review")
        .env("REHEARSE_ANSWER_MS", "2000")
        .write_stdin("\nabcd\n\n2\n4\n1\n3\n4\n5\n4\n")
        .assert()
        .success();
    s.rehearse("2026-03-02T09:00:00Z")
        .arg("review")
        .env("REHEARSE_ANSWER_MS", "4000")
        .write_stdin("\nabc\n\n3\n5\n2\n5\n5\n4\n")
        .assert()
        .success();
    s
}

fn stats_json(s: &Sandbox, now: &str, extra: &[&str]) -> Value {
    let out = s
        .rehearse(now)
        .args(["stats", "--json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn overview_figures_match_the_hand_worked_history() {
    let s = history();
    let v = stats_json(&s, "2026-03-02T20:00:00Z", &[]);
    // States: a1 n2 EF2.6 I6, a2 n1 EF2.04 I1, a3 n2 EF2.6 I6, b1 n0 EF1.64 I1, b2 n2 EF2.46 I6.
    assert_eq!(
        v["overview"],
        json!({
            "questions": {"new": 0, "learning": 2, "young": 3, "mature": 0, "retired": 0},
            "due": {"today": 0, "tomorrow": 2, "week": 5},
            "reviews_today": 5,
            "drills_today": 2,
            "streak_days": 2,
            // graded 3+: day 1 5,4,3; day 2 4,3,5,5 = 7 of 10
            "retention": 0.7,
            "retention_reviews": 10,
            // five answers of 2 s and five of 4 s
            "median_answer_ms": 3000
        })
    );
}

#[test]
fn weak_areas_rank_by_the_documented_score() {
    let s = history();
    let v = stats_json(&s, "2026-03-02T20:00:00Z", &[]);
    // beta: retention 2/4, mean EF (1.64 + 2.46) / 2 = 2.05, 2 lapses in 2 seen:
    //   100 * (0.5 * 0.5 + 0.3 * 0.45 / 1.2 + 0.2 * 1) = 56.25 -> 56
    // alpha: retention 5/6, mean EF (2.6 + 2.04 + 2.6) / 3 = 2.413, 1 lapse in 3:
    //   100 * (0.5 * 0.167 + 0.3 * 0.087 / 1.2 + 0.2 * 0.333) = 17.2 -> 17
    assert_eq!(
        v["decks"],
        json!([
            {"deck": "beta", "section": "", "questions": 2, "seen": 2, "due": 0, "mean_ef": 2.05, "lapses": 2,
             "retention": 0.5, "retention_reviews": 4, "median_answer_ms": 3000, "weakness": 56},
            {"deck": "alpha", "section": "", "questions": 3, "seen": 3, "due": 0, "mean_ef": 2.413, "lapses": 1,
             "retention": 0.833, "retention_reviews": 6, "median_answer_ms": 3000, "weakness": 17}
        ])
    );
    // S1: retention 3/4, mean EF 2.32, 1 lapse in 2: 100 * (0.125 + 0.045 + 0.1) = 27
    let names: Vec<(&str, u64)> = v["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["section"].as_str().unwrap(),
                a["weakness"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(names, [("Beta", 56), ("S1", 27), ("S2", 0)]);
    // Only questions that lapsed or lost EF, lowest EF first.
    assert_eq!(
        v["weakest_questions"],
        json!([
            {"id": "beta/b1", "section": "Beta", "lapses": 2, "ef": 1.64, "interval": 1, "due": "2026-03-03"},
            {"id": "alpha/a2", "section": "S1", "lapses": 1, "ef": 2.04, "interval": 1, "due": "2026-03-03"},
            {"id": "beta/b2", "section": "Beta", "lapses": 0, "ef": 2.46, "interval": 6, "due": "2026-03-08"}
        ])
    );
    assert_eq!(
        v["most_missed_points"],
        json!([{"deck": "alpha", "question": "alpha/a1", "label": "d", "point": "fourth", "missed": 1}])
    );
}

#[test]
fn forecast_activity_and_deck_filter() {
    let s = history();
    let v = stats_json(&s, "2026-03-02T20:00:00Z", &[]);
    let forecast: Vec<u64> = v["forecast"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["count"].as_u64().unwrap())
        .collect();
    assert_eq!(forecast, [0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(v["forecast"][0]["date"], "2026-03-02");
    let activity = v["activity"].as_array().unwrap();
    assert_eq!(activity.len(), 84, "twelve weeks");
    assert_eq!(activity[83], json!({"date": "2026-03-02", "count": 7}));
    assert_eq!(activity[82], json!({"date": "2026-03-01", "count": 8}));
    assert_eq!(
        activity
            .iter()
            .map(|d| d["count"].as_u64().unwrap())
            .sum::<u64>(),
        15
    );

    let beta = stats_json(
        &s,
        "2026-03-02T20:00:00Z",
        &["--deck", "beta", "--days", "1"],
    );
    assert_eq!(beta["days"], 1);
    assert_eq!(
        beta["overview"]["questions"],
        json!({"new": 0, "learning": 1, "young": 1, "mature": 0, "retired": 0})
    );
    // only day 2 in a 1-day window: b1 2, b2 5
    assert_eq!(beta["overview"]["retention"], 0.5);
    assert_eq!(beta["overview"]["reviews_today"], 2);
    assert_eq!(beta["decks"].as_array().unwrap().len(), 1);

    // A day later with no review yet, the streak still counts; two days later it is broken.
    assert_eq!(
        stats_json(&s, "2026-03-03T20:00:00Z", &[])["overview"]["streak_days"],
        2
    );
    assert_eq!(
        stats_json(&s, "2026-03-04T20:00:00Z", &[])["overview"]["streak_days"],
        0
    );
}

#[test]
fn the_text_report_shows_tables_bars_and_the_calendar() {
    let s = history();
    let out = s
        .rehearse("2026-03-02T20:00:00Z")
        .arg("stats")
        .output()
        .unwrap();
    let text = stdout(&out);
    for want in [
        "  questions   0 new, 2 learning, 3 young, 0 mature, 0 retired",
        "  due         0 today, 2 tomorrow, 5 within 7 days",
        "  reviews     5 today (2 drill answers); streak 2 days",
        "  retention   70% of 10 reviews in the last 30 days graded 3+",
        "  answer time 3s median",
        "│ beta  ┆         2 ┆    2 ┆   0 ┆    2.05 ┆      2 ┆       50% ┆     3s ┆       56 │",
        "  Tue 03-03     2  ███████████████████████████",
        "  Sun 03-08     3  ████████████████████████████████████████",
        "    1x  alpha/a1 d) fourth",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    // The calendar: Sunday 03-01 had 8 reviews (full shade), Monday 03-02 had 7.
    let calendar = &text[text.find("Reviews per day since 2025-12-09").unwrap()..];
    let sun = calendar.lines().find(|l| l.starts_with("  Sun ")).unwrap();
    let mon = calendar.lines().find(|l| l.starts_with("  Mon ")).unwrap();
    assert!(sun.ends_with("·█"), "{sun}");
    assert!(mon.ends_with('█'), "{mon}");
}

#[test]
fn an_empty_database_has_no_nan_and_says_no_reviews_yet() {
    let s = Sandbox::new();
    let out = s
        .rehearse("2026-03-02T20:00:00Z")
        .arg("stats")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("retention   no reviews yet in the last 30 days"),
        "{text}"
    );
    assert!(!text.contains("NaN") && !text.contains("inf"), "{text}");
    let v = stats_json(&s, "2026-03-02T20:00:00Z", &[]);
    assert_eq!(v["overview"]["retention"], Value::Null);
    assert_eq!(v["overview"]["median_answer_ms"], Value::Null);
    assert_eq!(v["overview"]["questions"]["new"], 241);
    assert_eq!(v["decks"][0]["weakness"], 0);
    let out = s
        .rehearse("2026-03-02T20:00:00Z")
        .args(["stats", "--days", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(
        stderr(&out).contains("invalid value '0' for '--days <N>': 0 is not in 1..=3650"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_retired_question_keeps_its_activity_but_leaves_retention_and_the_areas() {
    let s = history();
    // Retire beta/b1 (two scheduling reviews, one a day, both lapses).
    s.write(
        "bank/b.toml",
        &BANK_B.replace("[[question]]\nid = \"b1\"\nprompt = \"B one?\"\n\n", ""),
    );
    s.rehearse("2026-03-02T10:00:00Z")
        .args(["import", "--prune", "bank"])
        .assert()
        .success();
    let v = stats_json(&s, "2026-03-02T20:00:00Z", &[]);
    assert_eq!(v["overview"]["questions"]["retired"], 1);
    // What was done still counts: 5 reviews today and 7 answers on the calendar, as before.
    assert_eq!(v["overview"]["reviews_today"], 5);
    assert_eq!(v["activity"][83]["count"], 7);
    // Retention is about the bank as it is, like the area tables beside it: without b1's two
    // lapses, 7 of 8, the sum of the deck rows.
    assert_eq!(v["overview"]["retention"], 0.875);
    assert_eq!(v["overview"]["retention_reviews"], 8);
    let decks = v["decks"].as_array().unwrap();
    let reviews: u64 = decks
        .iter()
        .map(|d| d["retention_reviews"].as_u64().unwrap())
        .sum();
    assert_eq!(reviews, 8);
    // But beta's area holds only b2 now: retention 2/2, EF 2.46, no lapses.
    let beta = v["decks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["deck"] == "beta")
        .unwrap()
        .clone();
    assert_eq!(
        (
            beta["questions"].clone(),
            beta["retention"].clone(),
            beta["lapses"].clone()
        ),
        (json!(1), json!(1.0), json!(0))
    );
}
