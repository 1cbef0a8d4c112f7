//! The interview plan through the real binary, across a plan's whole life: set, daily
//! sessions, the final window, the date, after it.

mod common;
use chrono::{Days, NaiveDate};
use common::*;

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + Days::new(n)
}

fn at(n: u64) -> String {
    format!("{}T10:00:00Z", day(n))
}

fn run(s: &Sandbox, now: &str, args: &[&str]) -> std::process::Output {
    s.rehearse(now).args(args).output().unwrap()
}

fn ok(s: &Sandbox, now: &str, args: &[&str]) -> String {
    let out = run(s, now, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

fn json(s: &Sandbox, now: &str, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(s, now, args)).unwrap()
}

fn peek(s: &Sandbox, now: &str) -> Vec<String> {
    json(s, now, &["review", "--peek", "--json"])["queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

/// A one-deck bank of `n` questions, imported.
fn small_bank(s: &Sandbox, n: usize) {
    let mut text = String::from("[deck]\nid = \"d\"\ntitle = \"D\"\n");
    for i in 0..n {
        text.push_str(&format!(
            "\n[[question]]\nid = \"q{i}\"\nsection = \"S{i}\"\nprompt = \"Question {i}?\"\n"
        ));
    }
    let bank = s.write("bank/d.toml", &text);
    ok(s, &at(0), &["import", bank.to_str().unwrap()]);
}

fn state(s: &Sandbox, id: &str) -> (i64, i64, i64, String) {
    s.sql()
        .query_row(
            "SELECT n, ef_milli, interval, due FROM card_state WHERE question_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
}

#[test]
fn a_plan_is_set_shown_printed_as_json_and_cleared() {
    let s = Sandbox::new();
    let text = ok(&s, &at(0), &["plan", "2027-01-21"]);
    assert!(
        text.contains("Plan set: interview on 2027-01-21."),
        "{text}"
    );
    assert!(text.contains("20 days left"), "{text}");
    assert!(text.contains("Ready: 0 of 241 (0%)"), "{text}");
    assert!(text.contains("Daily load until the date"), "{text}");
    // Survives restarts: it is in the database.
    let v = json(&s, &at(1), &["plan", "--json"]);
    assert_eq!(v["plan"]["date"], "2027-01-21");
    assert_eq!(v["plan"]["set_on"], "2027-01-01");
    assert_eq!(v["plan"]["window_days"], 5);
    assert_eq!(v["plan"]["load"].as_array().unwrap().len(), 19);
    assert_eq!(v["plan"]["readiness"]["questions"], 241);
    let cleared = ok(&s, &at(1), &["plan", "--clear"]);
    assert!(cleared.starts_with("Plan cleared"), "{cleared}");
    assert_eq!(
        json(&s, &at(1), &["plan", "--json"])["plan"],
        serde_json::Value::Null
    );
    assert!(ok(&s, &at(1), &["plan"]).starts_with("No plan"));
    // Without a plan, stats shows no readiness (it is of the plan's questions).
    let v = json(&s, &at(1), &["stats", "--json"]);
    assert_eq!(
        (&v["readiness"], &v["plan"]),
        (&serde_json::Value::Null, &serde_json::Value::Null)
    );
    assert!(!ok(&s, &at(1), &["stats"]).contains("Ready:"));
    assert_eq!(s.count("SELECT count(*) FROM interview_plan"), 0);
}

#[test]
fn bad_dates_and_decks_are_one_line_errors() {
    let s = Sandbox::new();
    ok(&s, &at(0), &["plan"]);
    for (args, want) in [
        (
            vec!["plan", "2027-01-01"],
            "rehearse: the interview date 2027-01-01 is not after today (2027-01-01): give a later date\n",
        ),
        (
            vec!["plan", "21-01-2027"],
            "rehearse: \"21-01-2027\" is not a date: give the interview date as YYYY-MM-DD\n",
        ),
        (
            vec!["plan", "2047-01-01"],
            "rehearse: the interview date 2047-01-01 is more than 3650 days away: give a nearer date\n",
        ),
        (
            vec!["plan", "--deck", "go-runtime"],
            "rehearse: --deck goes with a date: rehearse plan YYYY-MM-DD --deck D\n",
        ),
    ] {
        let out = run(&s, &at(0), &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&out), want);
    }
    let out = run(&s, &at(0), &["plan", "2027-02-01", "--deck", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("rehearse: no deck \"nope\": use one of"));
    assert_eq!(s.count("SELECT count(*) FROM interview_plan"), 0);
}

#[test]
fn the_pace_spreads_the_unseen_over_the_days_before_the_window() {
    let s = Sandbox::new();
    ok(&s, &at(0), &["plan", "2027-01-21"]);
    // 241 unseen, 20 days to go, W = 5: ceil(241 / 15) = 17 a day.
    let v = json(&s, &at(0), &["review", "--peek", "--json"]);
    assert_eq!(v["new"], 17);
    let text = s.review(&at(0), &["--limit", "5"], "5\n".repeat(5));
    assert!(
        text.contains("Plan: interview on 2027-01-21 (20 days left); up to 17 new today."),
        "{text}"
    );
    // Computed again the same day: the pace counts the unseen from the start of the day.
    assert_eq!(json(&s, &at(0), &["review", "--peek", "--json"])["new"], 12);
    // Without a plan, the configured 10.
    ok(&s, &at(0), &["plan", "--clear"]);
    assert_eq!(json(&s, &at(0), &["review", "--peek", "--json"])["new"], 5);
}

#[test]
fn the_cap_of_50_warns_in_plan_and_in_the_review_header() {
    let s = Sandbox::new();
    let text = ok(&s, &at(0), &["plan", "2027-01-03"]);
    // 2 days, W = 1: the pace would be 241 a day; 50 a day leave 141 unseen.
    let warning = "Even at 50 new a day, 141 of the plan's questions will not be seen before 2027-01-03: narrow the decks (rehearse plan 2027-01-03 --deck D ...).";
    assert!(text.contains(warning), "{text}");
    assert_eq!(json(&s, &at(0), &["review", "--peek", "--json"])["new"], 50);
    let review = s.review(&at(0), &["--limit", "1"], "5\n");
    assert!(review.contains(warning), "{review}");
    // Narrowed to one deck, the pace is enough.
    let narrow = ok(&s, &at(0), &["plan", "2027-01-03", "--deck", "concurrency"]);
    assert!(!narrow.contains("Even at 50"), "{narrow}");
    assert!(narrow.contains("Ready: 0 of 14"), "{narrow}");
    // The day's new questions come from the plan's decks: 13 left unseen over 2 days.
    let v = json(&s, &at(0), &["review", "--peek", "--json"]);
    assert_eq!(v["new"], 13);
    let ids: Vec<&str> = v["queue"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["new"] == true)
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 13);
    assert!(
        ids.iter().all(|id| id.starts_with("concurrency/")),
        "{ids:?}"
    );
}

#[test]
fn a_plans_whole_life_final_window_date_and_after() {
    let s = Sandbox::new();
    small_bank(&s, 6);
    // Set on day 0 for day 10: W = 10 / 4 = 2, the window is days 8 and 9.
    ok(&s, &at(0), &["plan", "2027-01-11"]);
    assert_eq!(
        json(&s, &at(0), &["plan", "--json"])["plan"]["window_days"],
        2
    );
    // Day 0: all six new; q0-q2 graded 5 (stronger), q3-q5 graded 4.
    s.review(&at(0), &[], "5\n5\n5\n4\n4\n4\n");
    // Day 1: all due; the same grades: interval 6, due day 7.
    s.review(&at(1), &[], "5\n5\n5\n4\n4\n4\n");
    assert_eq!(state(&s, "d/q0").3, day(7).to_string());
    // Days 2-6: nothing due, nothing added by the plan before the window.
    for d in 2..7 {
        assert!(peek(&s, &at(d)).is_empty(), "day {d}");
    }
    // Day 7: SM-2 due, reviewed as usual (before the window).
    s.review(&at(7), &[], "5\n5\n5\n4\n4\n4\n");
    let after7 = state(&s, "d/q0");
    assert!(
        after7.3 > day(11).to_string(),
        "{after7:?}: due after the date"
    );
    // Day 8, the window's first day: six questions dealt over two days, three each; the
    // strongest first, so q0-q2 today and the weakest on the eve of the interview.
    let first = peek(&s, &at(8));
    assert_eq!(first, ["d/q0", "d/q1", "d/q2"]);
    assert_eq!(
        peek(&s, &at(8)),
        first,
        "the same however often it is asked"
    );
    let plan = json(&s, &at(8), &["plan", "--json"]);
    let loads: Vec<i64> = plan["plan"]["load"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["final"].as_i64().unwrap())
        .collect();
    assert_eq!(loads, [3, 3]);
    let text = s.review(&at(8), &["--limit", "1"], "3\n5\n");
    assert!(text.contains("1 final"), "{text}");
    // The load drawn from the day's kept deal, less today's review, is that of dealing every
    // seen question again (stats keeps no deal).
    let kept = json(&s, &at(8), &["plan", "--json"])["plan"]["load"].clone();
    let finals: Vec<i64> = kept
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["final"].as_i64().unwrap())
        .collect();
    assert_eq!(finals, [2, 3]);
    assert_eq!(
        s.count("SELECT count(*) FROM plan_deal WHERE window IS NOT NULL"),
        1
    );
    s.sql().execute("DELETE FROM plan_deal", []).unwrap();
    // Another process holds the write lock: `plan` deals without keeping.
    let lock = s.sql();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    assert_eq!(json(&s, &at(8), &["plan", "--json"])["plan"]["load"], kept);
    lock.execute_batch("ROLLBACK").unwrap();
    assert_eq!(s.count("SELECT count(*) FROM plan_deal"), 0);
    // Early, but scheduled by SM-2 exactly as on time: n 3 -> 4, interval from the old EF.
    let (n, ef, interval, due) = state(&s, "d/q0");
    assert_eq!((n, ef), (4, after7.1 - 140));
    assert_eq!(interval, (after7.2 * after7.1 + 500) / 1000);
    assert_eq!(due, (day(8) + Days::new(interval as u64)).to_string());
    // Asked again the same day, the rest of the day's deal is unchanged.
    assert_eq!(peek(&s, &at(8)), ["d/q1", "d/q2"]);
    s.review(&at(8), &[], "5\n5\n");
    // Day 9, the eve: the three weakest.
    assert_eq!(peek(&s, &at(9)), ["d/q3", "d/q4", "d/q5"]);
    s.review(&at(9), &[], "5\n5\n5\n");
    // Every question was offered in the window at least once.
    assert_eq!(
        s.count("SELECT count(DISTINCT question_id) FROM review_log WHERE kind = 'review' AND day >= '2027-01-09'"),
        6
    );
    // The date: inactive, and it says so; the queue is plain SM-2 (nothing due).
    assert!(peek(&s, &at(10)).is_empty());
    let on = ok(&s, &at(10), &["plan"]);
    assert!(
        on.contains("the date has passed, so the plan is inactive"),
        "{on}"
    );
    // q0's last scheduling grade was 3 (its drill 5 does not count): not ready.
    assert!(on.contains("Ready: 5 of 6 (83%)"), "{on}");
    let later = ok(&s, &at(20), &["stats"]);
    assert!(later.contains("the date has passed"), "{later}");
    let narrowed = ok(&s, &at(20), &["stats", "--deck", "d"]);
    assert!(
        narrowed.contains("Of the decks shown: 5 of 6 ready."),
        "{narrowed}"
    );
    let v = json(&s, &at(20), &["stats", "--json"]);
    assert_eq!(v["plan"]["active"], false);
    assert_eq!(v["readiness"]["ready"], 5);
    assert_eq!(
        json(&s, &at(20), &["plan", "--json"])["plan"]["load"],
        serde_json::json!([])
    );
}

#[test]
fn a_question_due_before_its_final_day_is_offered_when_due() {
    let s = Sandbox::new();
    small_bank(&s, 2);
    ok(&s, &at(0), &["plan", "2027-01-13"]); // 12 days: W = 3, days 9-11
    s.review(&at(0), &[], "5\n5\n");
    s.review(&at(1), &[], "5\n5\n");
    // Both due on day 7; then q1 failed: due day 8, q0 due later.
    s.review(&at(7), &[], "5\n1\n4\n");
    assert_eq!(state(&s, "d/q1").3, day(8).to_string());
    s.review(&at(8), &[], "4\n");
    assert_eq!(state(&s, "d/q1").3, day(9).to_string());
    // Day 9, the window's first day: q0 (stronger) is dealt today, q1 day 10; but q1 is due
    // by SM-2 today, so it is offered today (due first), and once reviewed in the window it
    // is done with it.
    assert_eq!(peek(&s, &at(9)), ["d/q1", "d/q0"]);
    s.review(&at(9), &[], "5\n5\n");
    assert!(peek(&s, &at(10)).is_empty());
    assert!(peek(&s, &at(11)).is_empty());
}

#[test]
fn the_plan_never_writes_sm2_state_the_reference_vectors_under_a_plan() {
    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/sm2-vectors.json")).unwrap();
    for v in vectors["vectors"].as_array().unwrap() {
        let s = Sandbox::new();
        small_bank(&s, 1);
        // A plan from day 0 to a date past every step, so it is active throughout and its
        // final window covers the last steps.
        let steps = v["grades"].as_array().unwrap().len() as u64;
        let date = day(steps + 2).to_string();
        ok(&s, &at(0), &["plan", &date]);
        let init = &v["initial"];
        if init["n"] != 0 || init["interval"] != 0 {
            s.sql()
                .execute(
                    "INSERT INTO card_state (question_id, n, ef_milli, interval, due, introduced, last_review, lapses) VALUES ('d/q0', ?1, ?2, ?3, '2027-01-01', '2026-12-01', '2026-12-01T10:00:00.000Z', 0)",
                    rusqlite::params![
                        init["n"].as_i64().unwrap(),
                        init["ef_milli"].as_i64().unwrap(),
                        init["interval"].as_i64().unwrap()
                    ],
                )
                .unwrap();
        }
        for (i, e) in v["expected"].as_array().unwrap().iter().enumerate() {
            let today = day(i as u64);
            // Bring it due today (the test's doing, not the plan's) and grade it.
            s.sql()
                .execute("UPDATE card_state SET due = ?1", [today.to_string()])
                .unwrap();
            let g = e["grade"].as_i64().unwrap();
            let text = s.review(&at(i as u64), &["--limit", "1"], format!("{g}\nq\n"));
            assert!(text.contains("Plan: interview"), "{text}");
            let (n, ef, interval, due) = state(&s, "d/q0");
            let name = v["name"].as_str().unwrap();
            assert_eq!(
                (n, ef, interval),
                (
                    e["n"].as_i64().unwrap(),
                    e["ef_milli"].as_i64().unwrap(),
                    e["interval"].as_i64().unwrap()
                ),
                "{name} step {i}"
            );
            let want_due = today.checked_add_days(Days::new(interval as u64)).map_or(
                "9999-12-31".to_string(),
                |d| {
                    d.min(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap())
                        .to_string()
                },
            );
            assert_eq!(due, want_due, "{name} step {i}");
        }
        // Clearing the plan changes nothing.
        let before = state(&s, "d/q0");
        ok(&s, &at(steps), &["plan", "--clear"]);
        assert_eq!(state(&s, "d/q0"), before);
    }
}

#[test]
fn the_plan_is_in_the_backup_survives_a_restore_and_merges_once() {
    let s = Sandbox::new();
    ok(&s, &at(0), &["plan", "2027-02-01", "--deck", "concurrency"]);
    s.review(&at(0), &["--limit", "2"], "5\n4\n");
    let backup = s.path("backup.json");
    ok(
        &s,
        &at(0),
        &["export", "--format", "json", "-o", backup.to_str().unwrap()],
    );
    let text = std::fs::read_to_string(&backup).unwrap();
    assert!(
        text.contains("\"plan\":{\"date\":\"2027-02-01\",\"set_on\":\"2027-01-01\",\"decks\":[\"concurrency\"]}"),
        "{text}"
    );
    let t = Sandbox::new();
    ok(&t, &at(1), &["import", backup.to_str().unwrap()]);
    let v = json(&t, &at(1), &["plan", "--json"]);
    assert_eq!(v["plan"]["date"], "2027-02-01");
    assert_eq!(v["plan"]["set_on"], "2027-01-01");
    assert_eq!(v["plan"]["decks"], serde_json::json!(["concurrency"]));
    // Merged again: no row twice, one plan; a database's own plan is kept.
    ok(&t, &at(1), &["plan", "2027-03-01"]);
    ok(&t, &at(1), &["import", backup.to_str().unwrap()]);
    assert_eq!(t.count("SELECT count(*) FROM review_log"), 2);
    assert_eq!(
        json(&t, &at(1), &["plan", "--json"])["plan"]["date"],
        "2027-03-01"
    );
    // A backup of some decks only carries no plan.
    let part = s.path("part.json");
    ok(
        &s,
        &at(0),
        &[
            "export",
            "--format",
            "json",
            "--deck",
            "concurrency",
            "-o",
            part.to_str().unwrap(),
        ],
    );
    assert!(!std::fs::read_to_string(&part).unwrap().contains("\"plan\""));
}

#[test]
fn a_question_whose_last_review_missed_a_must_is_not_ready() {
    let s = Sandbox::new();
    let mut text = String::from("[deck]\nid = \"d\"\ntitle = \"D\"\n");
    for i in 0..2 {
        text.push_str(&format!(
            "\n[[question]]\nid = \"q{i}\"\nsection = \"S{i}\"\nprompt = \"Question {i}?\"\npoints = [\n  {{ key = \"The must\", must = true }},\n  \"other\",\n]\n"
        ));
    }
    let bank = s.write("bank/d.toml", &text);
    ok(&s, &at(0), &["import", bank.to_str().unwrap()]);
    ok(&s, &at(0), &["plan", &day(30).to_string()]);
    // Both reviewed twice, the last time graded 4; q1's last answer covered only b (the must
    // a missed) and was overridden to 4 by hand.
    s.review(&at(0), &[], "5\n5\n");
    s.review(&at(1), &[], "\nab\n4\n\nb\n4\n");
    let rows: Vec<(String, i64, Option<String>)> = s.rows(
        "SELECT question_id, grade, missed FROM review_log WHERE day = '2027-01-02' ORDER BY id",
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    );
    assert_eq!(
        rows,
        [
            ("d/q0".to_string(), 4, Some("[]".to_string())),
            ("d/q1".to_string(), 4, Some("[0]".to_string())),
        ]
    );
    let v = json(&s, &at(2), &["plan", "--json"]);
    assert_eq!(v["plan"]["readiness"]["ready"], 1, "{v}");
    assert_eq!(v["plan"]["readiness"]["questions"], 2, "{v}");
    let ready =
        |now: &str| json(&s, now, &["plan", "--json"])["plan"]["readiness"]["ready"].clone();
    // The state keeps its last review's facts. Day 7, both due: q0's third review misses
    // the must (4 by hand), then is taken back: q0 is ready again, from its second review.
    s.review(&at(7), &[], "\nb\n4\nu\nq\n");
    assert_eq!(ready(&at(7)), 1, "the undo put q0's earlier review back");
    // Graded so again and kept: neither is ready.
    s.review(&at(7), &[], "\nb\n4\nq\n");
    assert_eq!(ready(&at(7)), 0);
    s.review(&at(7), &[], "5\nq\n");
    assert_eq!(ready(&at(7)), 1, "q1's third review, graded 5");
    // A backup restored into a new database gives the same readiness (taken from its log).
    let backup = ok(&s, &at(7), &["export"]);
    let fresh = Sandbox::new();
    fresh.write("b.json", &backup);
    ok(&fresh, &at(7), &["import", "b.json"]);
    assert_eq!(
        json(&fresh, &at(7), &["plan", "--json"])["plan"]["readiness"]["ready"],
        1
    );
}

/// Readiness is kept per deck beside the states (migration 14): a change of the rubric, a
/// suspend and its undo move it as the rows say.
#[test]
fn readiness_follows_the_rubric_and_suspends() {
    let s = Sandbox::new();
    let deck = |must: bool| {
        let mut text = String::from("[deck]\nid = \"d\"\ntitle = \"D\"\n");
        for i in 0..2 {
            text.push_str(&format!(
                "\n[[question]]\nid = \"q{i}\"\nsection = \"S{i}\"\nprompt = \"Question {i}?\"\npoints = [\n  {{ key = \"First\", must = {must} }},\n  {{ key = \"Second\", must = {} }},\n]\n", !must
            ));
        }
        text
    };
    let bank = s.write("bank/d.toml", &deck(true));
    ok(&s, &at(0), &["import", bank.to_str().unwrap()]);
    ok(&s, &at(0), &["plan", &day(30).to_string()]);
    // Both reviewed twice, the last time graded 4 by hand, each missing the first point.
    s.review(&at(0), &[], "5\n5\n");
    s.review(&at(1), &[], "\nb\n4\n\nb\n4\n");
    let ready = || {
        let v = json(&s, &at(2), &["plan", "--json"]);
        (
            v["plan"]["readiness"]["ready"].as_i64().unwrap(),
            v["plan"]["readiness"]["questions"].as_i64().unwrap(),
        )
    };
    assert_eq!(ready(), (0, 2), "the point they missed is a must");
    // The bank makes the other point the must: both are ready.
    s.write("bank/d.toml", &deck(false));
    ok(&s, &at(2), &["import", bank.to_str().unwrap()]);
    assert_eq!(ready(), (2, 2));
    ok(&s, &at(2), &["suspend", "d/q0"]);
    assert_eq!(ready(), (1, 1));
    ok(&s, &at(2), &["unsuspend", "d/q0"]);
    assert_eq!(ready(), (2, 2));
    // A must again: none ready.
    s.write("bank/d.toml", &deck(true));
    ok(&s, &at(2), &["import", bank.to_str().unwrap()]);
    assert_eq!(ready(), (0, 2));
}

/// Six questions and a plan for day 10 (its window days 8 and 9), reviewed on days 0 and 1
/// (q0-q2 graded 5, q3-q5 graded 4), all due again on day 7.
fn six_seen_under_a_plan() -> Sandbox {
    let s = Sandbox::new();
    small_bank(&s, 6);
    ok(&s, &at(0), &["plan", "2027-01-11"]);
    s.review(&at(0), &[], "5\n5\n5\n4\n4\n4\n");
    s.review(&at(1), &[], "5\n5\n5\n4\n4\n4\n");
    s
}

/// The day's deal is a function of the start-of-day states: the first review of the day keeps
/// it (peek keeps nothing), later ones read it, and every other write forgets it.
#[test]
fn the_days_deal_is_kept_by_review_and_forgotten_by_any_other_write() {
    let s = six_seen_under_a_plan();
    s.review(&at(7), &[], "5\n5\n5\n4\n4\n4\n");
    let kept = || s.count("SELECT count(*) FROM plan_deal");
    let dealt = peek(&s, &at(8));
    assert_eq!(dealt, ["d/q0", "d/q1", "d/q2"]);
    assert_eq!(kept(), 0, "peek keeps nothing");
    s.review(&at(8), &[], "q\n");
    assert_eq!(kept(), 1, "the first review of the day keeps the deal");
    assert_eq!(peek(&s, &at(8)), dealt, "read back, the same deal");
    // It is what the queue is read from (here changed behind rehearse's back) ...
    s.sql()
        .execute("UPDATE plan_deal SET finals = '[\"d/q2\"]'", [])
        .unwrap();
    assert_eq!(peek(&s, &at(8)), ["d/q2"]);
    // ... until any write other than a grade: suspending a question forgets it, and the
    // deal is made again from the states (five questions over two days: three today).
    ok(&s, &at(8), &["suspend", "d/q5"]);
    assert_eq!(kept(), 0);
    assert_eq!(peek(&s, &at(8)), dealt);
    // Grades keep it: reviewing today's first final leaves the rest of the deal.
    s.review(&at(8), &["--limit", "1"], "5\n");
    assert_eq!(kept(), 1);
    assert_eq!(peek(&s, &at(8)), ["d/q1", "d/q2"]);
    // A kept deal is for its day only: on the eve, all not yet offered in the window.
    assert_eq!(peek(&s, &at(9)), ["d/q1", "d/q2", "d/q3", "d/q4"]);
}

/// A session open since before the day changed logs its grades on its own day: those change
/// the states today's deal was made from, so a deal kept today is forgotten and made again.
#[test]
fn grades_of_a_session_from_the_day_before_forget_todays_deal() {
    let s = six_seen_under_a_plan();
    // Day 7: a session opens with the six due, and is left open overnight.
    let mut late = LiveReview::start(&s, &at(7), &[]);
    // Open before the next day's session starts: its opening writes would forget that deal.
    late.wait_for("[1/");
    // Day 8: a new session keeps the day's deal: nothing (all six are still due).
    s.review(&at(8), &[], "q\n");
    assert_eq!(s.count("SELECT count(*) FROM plan_deal"), 1);
    // The day-7 session grades them (as day 7): now none is due before the date.
    for g in ["5", "5", "5", "4", "4", "4"] {
        late.grade(g);
    }
    late.send("q\n");
    assert!(late.child.wait().unwrap().success());
    assert_eq!(s.count("SELECT count(*) FROM plan_deal"), 0, "forgotten");
    assert_eq!(peek(&s, &at(8)), ["d/q0", "d/q1", "d/q2"]);
}
