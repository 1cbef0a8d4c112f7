//! Mock interviews through the real binary, from a pipe.

mod common;
use chrono::{Days, NaiveDate};
use common::*;

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + Days::new(n)
}

fn at(n: u64) -> String {
    format!("{}T10:00:00Z", day(n))
}

/// A bank of `sections` sections with two questions each, three points a question; all
/// reviewed on day 0 (grades 5, 4, 3, ... so strengths differ) and once more on day 1.
fn seen_bank(s: &Sandbox, sections: usize) -> Vec<String> {
    let mut text = String::from("[deck]\nid = \"d\"\ntitle = \"D\"\n");
    let mut ids = Vec::new();
    for i in 0..sections * 2 {
        text.push_str(&format!(
            "\n[[question]]\nid = \"q{i}\"\nsection = \"S{}\"\nprompt = \"Prompt {i}?\"\npoints = [\"one\", \"two\", \"three\"]\n",
            i / 2
        ));
        ids.push(format!("d/q{i}"));
    }
    let bank = s.write("bank/d.toml", &text);
    s.ok(&at(0), &["import", bank.to_str().unwrap()], "");
    let n = ids.len();
    let grades: String = (0..n).map(|i| format!("{}\n", [5, 4, 3][i % 3])).collect();
    s.review(
        &at(0),
        &["--new", &n.to_string()],
        grades + &"5\n".repeat(n),
    );
    // Day 1: all due, all 5: intervals of 6 days, so a failed mock answer has a due to pull.
    s.review(&at(1), &[], "5\n".repeat(n));
    ids
}

type State = (i64, i64, i64, String);

fn states(s: &Sandbox) -> Vec<(String, State)> {
    s.rows(
        "SELECT question_id, n, ef_milli, interval, due FROM card_state ORDER BY question_id",
        |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))),
    )
}

fn drawn(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with("Question "))
        .map(|l| l.split(" · ").nth(2).unwrap().to_string())
        .collect()
}

/// Answers every question: Enter, then the letters, then Enter to accept.
fn answers(n: usize, letters: &str) -> String {
    format!("\n{letters}\n\n").repeat(n)
}

#[test]
fn the_draw_is_repeatable_for_a_day_one_per_section_and_seeded() {
    let s = Sandbox::new();
    seen_bank(&s, 6);
    let snapshot = s.snapshot();
    // Stopped at once: nothing logged, the draw shown.
    let first = s.ok(&at(2), &["mock"], "q\n");
    assert!(
        first.contains("Mock interview: 5 questions in about 20 minutes"),
        "{first}"
    );
    assert!(first.contains("Time box: 4 min."), "{first}");
    assert!(
        !first.contains(" of 4:00"),
        "from a pipe, only the box: {first}"
    );
    assert!(
        first.contains("Mock over: no answer graded, nothing logged."),
        "{first}"
    );
    assert_eq!(
        s.snapshot(),
        snapshot,
        "a mock stopped before any grade writes nothing"
    );
    let full = s.ok(&at(2), &["mock"], "q\n");
    assert_eq!(full, first, "the same day, the same draw");
    // The whole draw: five sections, no two alike.
    let text = s.ok(&at(2), &["mock", "--seed", "7"], &answers(5, "abc"));
    let sections = drawn(&text);
    assert_eq!(sections.len(), 5);
    let mut unique = sections.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5, "{sections:?}");
    let again = s.ok(&at(2), &["mock", "--seed", "7"], &answers(5, "abc"));
    assert_eq!(drawn(&again), sections, "--seed repeats a draw");
    let other = (1..20)
        .map(|seed| drawn(&s.ok(&at(2), &["mock", "--seed", &seed.to_string()], "q\n")))
        .any(|d| d.first() != sections.first());
    assert!(other, "other seeds draw otherwise");
    // --minutes fills the time with 4-minute boxes; --questions caps the count.
    let t = s.ok(&at(2), &["mock", "--minutes", "9"], "q\n");
    assert!(
        t.contains("Mock interview: 2 questions in about 8 minutes"),
        "{t}"
    );
    let t = s.ok(&at(2), &["mock", "--questions", "3"], "q\n");
    assert!(t.contains("Mock interview: 3 questions"), "{t}");
}

#[test]
fn a_mock_changes_no_sm2_state_except_a_failed_due_brought_to_tomorrow() {
    let s = Sandbox::new();
    seen_bank(&s, 3);
    let before = states(&s);
    // Three questions: covered all (5), a digit overriding the letters (1), nothing (1).
    let text = s.ok(
        &at(2),
        &["mock", "--questions", "3"],
        "\nabc\n\n\nab\n1\n\n-\n\n",
    );
    assert!(text.contains("Covered 3 of 3: grade 5."), "{text}");
    assert!(text.contains("Covered 2 of 3: grade 4."), "{text}");
    assert!(text.contains("Covered 0 of 3: grade 1."), "{text}");
    assert!(
        text.contains("it comes back in tomorrow's review"),
        "{text}"
    );
    let after = states(&s);
    let failed: Vec<String> = s.rows(
        "SELECT question_id FROM review_log WHERE kind = 'mock' AND grade < 3 ORDER BY id",
        |r| r.get(0),
    );
    assert_eq!(failed.len(), 2);
    for ((id, b), (_, a)) in before.iter().zip(&after) {
        assert_eq!(
            (b.0, b.1, b.2),
            (a.0, a.1, a.2),
            "{id}: n, EF, interval kept"
        );
        if failed.contains(id) {
            assert_eq!(a.3, day(3).to_string(), "{id}: due tomorrow");
        } else {
            assert_eq!(a.3, b.3, "{id}: due kept");
        }
    }
    // The rows keep before and after; misses and the mock's start are logged.
    assert_eq!(
        s.count("SELECT count(*) FROM review_log WHERE kind = 'mock' AND due_before != due_after"),
        2
    );
    assert_eq!(
        s.count("SELECT count(DISTINCT session) FROM review_log WHERE kind = 'mock'"),
        1
    );
    assert_eq!(
        s.count("SELECT count(*) FROM review_log WHERE kind = 'mock' AND missed = '[2]'"),
        1,
        "the letters' misses stay with the digit's grade"
    );
    // The failed ones are in tomorrow's review; no mock row is taken for a drill.
    let peek = s.ok(&at(3), &["review", "--peek", "--json"], "");
    let v: serde_json::Value = serde_json::from_str(&peek).unwrap();
    assert_eq!(v["drill"], 0);
    let queued: Vec<&str> = v["queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    for id in &failed {
        assert!(queued.contains(&id.as_str()), "{id} in {queued:?}");
    }
}

#[test]
fn undo_takes_back_the_row_and_the_due_date_exactly() {
    let s = Sandbox::new();
    seen_bank(&s, 3);
    let before = states(&s);
    let rows = s.count("SELECT count(*) FROM review_log");
    // Fail the first, undo at the second's answer prompt, then stop.
    let text = s.ok(&at(2), &["mock"], "\n-\n\nu\nq\n");
    assert!(text.contains("Undone:"), "{text}");
    assert!(text.contains("Mock over: no answer graded"), "{text}");
    assert_eq!(states(&s), before);
    assert_eq!(s.count("SELECT count(*) FROM review_log"), rows);
}

#[test]
fn the_report_shows_each_answer_and_the_change_since_the_last_mock() {
    let s = Sandbox::new();
    seen_bank(&s, 3);
    let first = s.ok(&at(2), &["mock", "--questions", "2"], &answers(2, "a"));
    assert!(first.contains("Mock report, 2027-01-03"), "{first}");
    assert!(
        first.contains("Score: 40% (mean grade 2.0 of 5). The first mock: nothing to compare yet."),
        "{first}"
    );
    // q stops with the report so far.
    let second = s.ok(&at(3), &["mock", "--questions", "3"], "\nabc\n\nq\n");
    assert!(
        second.contains(
            "Score: 100% (mean grade 5.0 of 5). Since the last mock (2027-01-03, 40%): +60 points."
        ),
        "{second}"
    );
    let report: Vec<&str> = second
        .lines()
        .filter(|l| l.starts_with('│') && l.contains("0:01"))
        .collect();
    assert_eq!(report.len(), 1, "{second}");
    assert!(
        report[0].contains("4:00"),
        "time against the box: {}",
        report[0]
    );
    let stats = s.ok(&at(3), &["stats"], "");
    assert!(stats.contains("Recent mocks (newest first)\n  2027-01-04  1 question  100%\n  2027-01-03  2 questions  40%"), "{stats}");
    let v: serde_json::Value =
        serde_json::from_str(&s.ok(&at(3), &["stats", "--json"], "")).unwrap();
    assert_eq!(v["mocks"][0]["score"], 100);
    assert_eq!(v["mocks"][1]["questions"], 2);
}

#[test]
fn mock_rows_survive_a_backup_and_merge_once() {
    let s = Sandbox::new();
    seen_bank(&s, 3);
    s.ok(&at(2), &["mock", "--questions", "2"], &answers(2, "-"));
    let backup = s.path("b.json");
    s.ok(
        &at(2),
        &["export", "--format", "json", "-o", backup.to_str().unwrap()],
        "",
    );
    let text = std::fs::read_to_string(&backup).unwrap();
    assert!(text.contains("\"kind\":\"mock\""), "{text}");
    assert!(
        text.contains("\"session\":\"2027-01-03T10:00:00.000Z\""),
        "{text}"
    );
    let t = Sandbox::new();
    t.ok(&at(2), &["import", backup.to_str().unwrap()], "");
    t.ok(&at(2), &["import", backup.to_str().unwrap()], "");
    assert_eq!(
        t.count("SELECT count(*) FROM review_log WHERE kind = 'mock'"),
        2
    );
    assert_eq!(states(&t), states(&s));
    let again = t.path("again.json");
    t.ok(
        &at(2),
        &["export", "--format", "json", "-o", again.to_str().unwrap()],
        "",
    );
    assert_eq!(std::fs::read_to_string(&again).unwrap(), text);
}

#[test]
fn bad_mock_options_are_one_line_errors() {
    let s = Sandbox::new();
    for args in [
        vec!["mock", "--questions", "0"],
        vec!["mock", "--questions", "51"],
        vec!["mock", "--minutes", "0"],
        vec!["mock", "--questions", "2", "--minutes", "8"],
    ] {
        let out = s.rehearse(&at(0)).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let out = s
        .rehearse(&at(0))
        .args(["mock", "--deck", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .lines()
            .last()
            .unwrap()
            .starts_with("rehearse: no deck \"nope\"")
    );
    // A new database: nothing seen yet, so one never-seen question at most.
    let text = s.ok(&at(0), &["mock"], "q\n");
    assert!(text.contains("Mock interview: 1 question"), "{text}");
    assert!(text.contains("Only 1 could be drawn"), "{text}");
}

#[test]
fn ctrl_c_ends_the_mock_with_the_report_so_far() {
    use std::io::{BufRead, BufReader, Write};
    let s = Sandbox::new();
    seen_bank(&s, 3);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .arg("mock")
        .env("REHEARSE_DB", s.db())
        .env("REHEARSE_NOW", at(2))
        .env("REHEARSE_ANSWER_MS", "1000")
        .env("TZ", "UTC")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    stdin.write_all(b"\nabc\n\n").unwrap();
    stdin.flush().unwrap();
    // Saved, and the next question asked: the mock now waits for input.
    for line in lines.by_ref() {
        if line.unwrap().starts_with("Time box") {
            break;
        }
    }
    for line in lines.by_ref() {
        if line.unwrap().starts_with("Time box") {
            break;
        }
    }
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert!(
        child.wait().unwrap().success(),
        "Ctrl-C ends the mock cleanly"
    );
    assert!(
        rest.iter()
            // The prompt it was waiting at may share the line.
            .any(|l| l.ends_with(
                "Score: 100% (mean grade 5.0 of 5). The first mock: nothing to compare yet."
            )),
        "{rest:?}"
    );
    assert_eq!(
        s.count("SELECT count(*) FROM review_log WHERE kind = 'mock'"),
        1
    );
}

#[test]
fn a_mock_draws_from_the_plans_decks() {
    let s = Sandbox::new();
    s.ok(&at(0), &["plan", "2027-02-01", "--deck", "concurrency"], "");
    let text = s.ok(&at(0), &["mock"], "q\n");
    assert!(
        text.contains("Question 1/1 (warm-up) · Concurrency · "),
        "{text}"
    );
    let text = s.ok(&at(0), &["mock", "--deck", "mongodb"], "q\n");
    assert!(
        text.contains("Question 1/1 (warm-up) · NoSQL (MongoDB)\n"),
        "{text}"
    );
}

#[test]
fn a_mock_uses_the_rubric_time_boxes_follow_ups_musts_and_red_flags() {
    let s = Sandbox::new();
    let bank = s.write(
        "bank/r.toml",
        r#"[deck]
id = "r"
title = "R"
minutes = 6

[[question]]
id = "q"
section = "S"
prompt = "Explain typed nil interfaces?"
minutes = 7
points = [
  { key = "The (type, value) pair", detail = "an interface holds a type and a value", must = true },
  { key = "nil pointer inside", detail = "a typed nil pointer makes it non-nil" },
  "errors.Is or a nil check on the concrete type",
]
red_flags = ["Says an interface holding a nil pointer is nil"]
follow_ups = ["How do you return no error from a function returning error?"]
"#,
    );
    s.ok(&at(0), &["import", bank.to_str().unwrap()], "");
    // Enter ends the answer, Enter after the follow-up, then points a and c with red flag 1,
    // and Enter takes the offered grade.
    let text = s.ok(&at(0), &["mock", "--questions", "1"], "\n\nac!1\n\n");
    assert!(
        text.contains("7 min"),
        "the question's own time box:\n{text}"
    );
    assert!(
        text.contains("Follow-up: How do you return no error from a function returning error?"),
        "{text}"
    );
    assert!(text.contains("(must)"), "{text}");
    assert!(
        text.contains("Says an interface holding a nil pointer is nil"),
        "{text}"
    );
    assert!(
        text.contains("Covered 2 of 3: grade 2. A red flag said: at most 2."),
        "{text}"
    );
    let rows: Vec<(String, i64, Option<String>, Option<String>)> = s.rows(
        "SELECT kind, grade, missed, red_flags FROM review_log",
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    );
    assert_eq!(
        rows,
        [(
            "mock".to_string(),
            2,
            Some("[1]".to_string()),
            Some("[0]".to_string())
        )]
    );
}

/// On a terminal the time box is a live clock: redrawn in place about every second while
/// the person answers, then stopped by the key that ends the answer.
#[test]
fn on_a_terminal_the_time_box_clock_ticks_while_answering() {
    let s = Sandbox::new();
    seen_bank(&s, 2);
    let bin = env!("CARGO_BIN_EXE_rehearse");
    let mut t = Pty::start(&s, &at(2), &format!("{bin} mock --questions 1"), &[]);
    t.wait("Time box: 4 min.");
    let ask = " of 4:00  [Enter] done answering, u undo, q stop > ";
    t.wait("0:00 of 4:00");
    t.wait_n(ask, 3);
    t.key("q");
    let (ok, text) = t.finish();
    assert!(ok, "{text}");
    // Each redraw goes back to column 1 and erases the line, so the clock replaces itself:
    // no new line between redraws, and the time only goes up (by a second or so each).
    let from = text.find("\x1b[1G\x1b[2K  0:00").expect("the first redraw");
    let clocks: Vec<u64> = text[from..]
        .split("\x1b[1G\x1b[2K  ")
        .filter(|part| part.contains(ask))
        .map(|part| {
            assert!(!part.contains('\n') || part.ends_with('\n'), "{part:?}");
            let (m, rest) = part.split_once(':').unwrap();
            m.parse::<u64>().unwrap() * 60 + rest[..2].parse::<u64>().unwrap()
        })
        .collect();
    assert!(clocks.len() >= 3, "{text:?}");
    assert!(clocks.windows(2).all(|w| w[0] <= w[1]), "{clocks:?}");
    assert!(clocks.last() > clocks.first(), "{clocks:?}");
}
