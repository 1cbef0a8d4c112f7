mod common;
use common::*;
use predicates::prelude::*;
use std::collections::HashMap;

const NOW: &str = "2026-03-01T09:00:00Z";

fn at(day: i64) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Days::new(day as u64);
    format!("{d}T09:00:00Z")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct St {
    n: i64,
    ef: i64,
    interval: i64,
    due: chrono::NaiveDate,
}

/// SM-2 as docs/sm2.md states it, written again here so the binary is checked against the
/// rules, not against itself.
fn sm2(s: Option<St>, q: i64, today: chrono::NaiveDate) -> St {
    let (n, ef, i) = s.map_or((0, 2500, 0), |s| (s.n, s.ef, s.interval));
    let (n2, i2) = if q >= 3 {
        (
            n + 1,
            if n == 0 {
                1
            } else if n == 1 {
                6
            } else {
                (i * ef + 500) / 1000
            },
        )
    } else {
        (0, 1)
    };
    let d = 5 - q;
    let ef2 = (ef + 100 - d * (80 + 20 * d)).max(1300);
    St {
        n: n2,
        ef: ef2,
        interval: i2,
        due: today + chrono::Days::new(i2 as u64),
    }
}

fn queue_ids(s: &Sandbox, now: &str, extra: &[&str]) -> Vec<String> {
    let out = s
        .rehearse(now)
        .args(["review", "--peek", "--json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    v["queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn thirty_days_of_sessions_end_in_the_exact_sm2_state() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    let bank = bank_ids();
    let grades = [5, 4, 3, 2, 4, 5, 1, 4, 3, 5, 0, 4, 4, 5];
    let mut k = 0;
    let mut model: HashMap<String, St> = HashMap::new();
    for day in 0..30 {
        let today =
            chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Days::new(day as u64);
        // What the rules say today's queue is: due (most overdue first, then by id), then 10 new.
        let mut due: Vec<&String> = model
            .iter()
            .filter(|(_, st)| st.due <= today)
            .map(|(id, _)| id)
            .collect();
        due.sort_by_key(|id| (model[*id].due, (*id).clone()));
        let mut want: Vec<String> = due.into_iter().cloned().collect();
        want.extend(
            bank.iter()
                .filter(|id| !model.contains_key(*id))
                .take(10)
                .cloned(),
        );
        assert_eq!(queue_ids(&s, &at(day), &[]), want, "day {day}: queue");

        let mut input = String::new();
        for id in &want {
            let g = grades[k % grades.len()];
            k += 1;
            input.push_str(&format!("{g}\n"));
            let next = sm2(model.get(id).copied(), g, today);
            model.insert(id.clone(), next);
        }
        input.push_str("q\n");
        s.rehearse(&at(day))
            .arg("review")
            .write_stdin(input)
            .assert()
            .success();
    }
    let got: HashMap<String, St> = s
        .rows(
            "SELECT question_id, n, ef_milli, interval, due FROM card_state",
            |r| {
                let due: String = r.get(4)?;
                Ok((
                    r.get(0)?,
                    St {
                        n: r.get(1)?,
                        ef: r.get(2)?,
                        interval: r.get(3)?,
                        due: due.parse().unwrap(),
                    },
                ))
            },
        )
        .into_iter()
        .collect();
    assert_eq!(
        got.len(),
        241,
        "10 new a day until the bank runs out on day 25"
    );
    assert_eq!(got, model);
    assert_eq!(
        s.count("SELECT count(*) FROM review_log WHERE kind = 'review'"),
        k as i64
    );
}

#[test]
fn a_failed_question_is_drilled_until_4_and_drills_never_reschedule() {
    let s = Sandbox::new();
    let text = s.review(NOW, &["--limit", "1"], "2\n3\n1\n4\n");
    assert_eq!(text.matches("[drill, 1 left]").count(), 3, "{text}");
    assert!(
        text.contains(
            "Session over: 1 reviewed (1 at 2); 1 drilled (3 drill answers); 1 due tomorrow."
        ),
        "{text}"
    );
    let kinds: Vec<(String, i64)> = s.rows("SELECT kind, grade FROM review_log ORDER BY id", |r| {
        Ok((r.get(0)?, r.get(1)?))
    });
    let want: Vec<(String, i64)> = [("review", 2), ("drill", 3), ("drill", 1), ("drill", 4)]
        .iter()
        .map(|(k, g)| (k.to_string(), *g))
        .collect();
    assert_eq!(kinds, want);
    let state: (i64, i64, i64, String) = s
        .sql()
        .query_row(
            "SELECT n, ef_milli, interval, due FROM card_state",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        state,
        (0, 2180, 1, "2026-03-02".to_string()),
        "what the first grade made it"
    );
}

#[test]
fn undo_restores_the_exact_state_and_removes_the_log_row() {
    let s = Sandbox::new();
    s.rehearse(NOW)
        .args(["review", "--limit", "1"])
        .write_stdin("4\n")
        .assert()
        .success();
    let snapshot = |s: &Sandbox| -> Vec<(String, i64, i64, i64, String, String, String)> {
        s.rows("SELECT question_id, n, ef_milli, interval, due, introduced, last_review FROM card_state ORDER BY question_id", |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
    };
    let before = snapshot(&s);
    let log_before = s.count("SELECT count(*) FROM review_log");
    // Next day: the reviewed question is due, a new one follows. Grade both, undo both.
    let text = s.review("2026-03-02T10:00:00Z", &["--limit", "2"], "5\n3\nu\nu\nq\n");
    assert_eq!(text.matches("Undone:").count(), 2, "{text}");
    assert_eq!(snapshot(&s), before);
    assert_eq!(s.count("SELECT count(*) FROM review_log"), log_before);
    assert!(
        text.contains("Session over: 0 reviewed; 0 drilled (0 drill answers)"),
        "{text}"
    );
    // With nothing graded, undo says so and asks again.
    s.rehearse(NOW)
        .args(["review", "--limit", "1", "--new", "20"])
        .write_stdin("u\nq\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("Nothing to undo in this session."));
}

#[test]
fn sigkill_after_three_grades_keeps_exactly_those_three() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    let mut review = LiveReview::start(&s, NOW, &[]);
    for g in ["5", "4", "5"] {
        review.grade(g);
    }
    review.child.kill().unwrap(); // SIGKILL on Unix
    review.child.wait().unwrap();
    assert_eq!(s.count("SELECT count(*) FROM review_log"), 3);
    assert_eq!(s.count("SELECT count(*) FROM card_state"), 3);
    assert_eq!(s.integrity(), "ok");
}

#[test]
fn the_daily_new_limit_holds_across_sessions_and_1am_counts_for_the_day_before() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    s.rehearse(NOW)
        .arg("review")
        .write_stdin("4\n4\n4\n4\nq\n")
        .assert()
        .success();
    assert_eq!(
        queue_ids(&s, NOW, &[]).len(),
        6,
        "10 a day, 4 already introduced"
    );
    // 1 am the next calendar day is still the same review day (the day starts at 4 am).
    s.rehearse("2026-03-02T01:00:00Z")
        .arg("review")
        .write_stdin("4\n4\nq\n")
        .assert()
        .success();
    assert_eq!(queue_ids(&s, NOW, &[]).len(), 4);
    assert_eq!(
        s.count("SELECT count(*) FROM review_log WHERE day = '2026-03-01'"),
        6
    );
    assert_eq!(queue_ids(&s, NOW, &["--new", "8"]).len(), 2);
    // At 4 am a new day begins: yesterday's six are due and ten new ones are allowed.
    assert_eq!(queue_ids(&s, "2026-03-02T04:00:00Z", &[]).len(), 16);
}

#[test]
fn bad_keys_empty_lines_and_end_of_input_are_handled() {
    let s = Sandbox::new();
    let text = s.review(NOW, &["--limit", "2"], "x\n7\n\n\nzz\n4\n");
    assert!(
        text.contains(
            "Press Enter to see the points, type 0-5 to grade, s to skip, u to undo, q to quit."
        ),
        "{text}"
    );
    // an empty line after the points are shown, with no grade offered
    assert!(text.contains("Type a grade from 0 to 5."), "{text}");
    assert!(
        text.contains("Type 0-5 to grade, the letters of the points you covered (and !N for each red flag said, e.g. ac!1), s, u or q."),
        "{text}"
    );
    // End of input on the second question: the first is saved, the session summary is shown.
    assert!(
        text.contains(
            "Session over: 1 reviewed (1 at 4); 0 drilled (0 drill answers); 1 due tomorrow."
        ),
        "{text}"
    );
    assert_eq!(s.count("SELECT count(*) FROM review_log"), 1);
}

#[test]
fn letters_offer_a_grade_that_enter_accepts_or_a_digit_overrides_and_misses_are_logged() {
    let s = Sandbox::new();
    // go-runtime/gmp-model has 5 points, musts a and c: covering a, c, e (both musts, two others
    // missed) offers 3; Enter accepts. The second question: covering all offers 5, and "4"
    // overrides it.
    s.rehearse(NOW)
        .args(["review", "--limit", "2"])
        .write_stdin("\nace\n\n\nabcd\n4\nq\n")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Covered 3 of 5: grade 3 (got there, but shaky or incomplete).",
        ));
    let rows: Vec<(i64, Option<String>)> = s
        .rows("SELECT grade, missed FROM review_log ORDER BY id", |r| {
            Ok((r.get(0)?, r.get(1)?))
        });
    assert_eq!(rows[0], (3, Some("[1,3]".to_string())));
    assert_eq!(rows[1].0, 4);
}

#[test]
fn nothing_due_says_when_the_next_question_is() {
    let s = Sandbox::new();
    s.rehearse(NOW)
        .args(["review", "--new", "1"])
        .write_stdin("5\n")
        .assert()
        .success();
    s.rehearse(NOW)
        .args(["review", "--new", "1"])
        .assert()
        .success()
        .stdout("Nothing to review today. Next question due 2026-03-02 (in 1 day). Today's 1 new question is done; --new N allows more.\n");
}

#[test]
fn filters_narrow_the_queue_and_an_unknown_deck_is_an_error() {
    let s = Sandbox::new();
    let ids = queue_ids(&s, NOW, &["--deck", "postgresql", "--new", "100"]);
    assert_eq!(ids.len(), 27);
    assert!(ids.iter().all(|i| i.starts_with("postgresql/")));
    let ids = queue_ids(&s, NOW, &["--section", "Indexes", "--new", "100"]);
    assert_eq!(ids.len(), 5);
    let ids = queue_ids(
        &s,
        NOW,
        &["--deck", "mongodb", "--new", "100", "--limit", "3"],
    );
    assert_eq!(
        ids,
        [
            "mongodb/mongodb-vs-postgresql",
            "mongodb/embedding-vs-referencing",
            "mongodb/mongodb-indexes-esr"
        ]
        .map(String::from)
        .to_vec()
    );
    s.rehearse(NOW)
        .args(["review", "--deck", "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "rehearse: no deck \"nope\": use one of go-runtime, concurrency,",
        ));
}

#[test]
fn ctrl_c_ends_the_session_with_its_summary_and_keeps_every_grade() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    let mut review = LiveReview::start(&s, NOW, &[]);
    review.grade("4");
    review.grade("2");
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &review.child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let rest: Vec<String> = review.lines.by_ref().map(Result::unwrap).collect();
    assert!(
        review.child.wait().unwrap().success(),
        "Ctrl-C ends the session cleanly"
    );
    assert!(
        rest.iter().any(|l| l == "Session over: 2 reviewed (1 at 4, 1 at 2); 1 drilled (0 drill answers); 2 due tomorrow."),
        "{rest:?}"
    );
    assert_eq!(s.count("SELECT count(*) FROM review_log"), 2);
}

#[test]
fn long_queues_load_in_pages_and_peek_lists_the_first_hundred() {
    let s = Sandbox::new();
    let out = s
        .rehearse(NOW)
        .args(["review", "--peek", "--new", "150"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.starts_with("2026-03-01: 0 due, 150 new\n"), "{text}");
    assert_eq!(text.lines().count(), 1 + 100 + 1);
    assert!(
        text.ends_with("... and 50 more (--limit N lists N)\n"),
        "{text}"
    );
    assert_eq!(
        queue_ids(&s, NOW, &["--new", "150", "--limit", "150"]),
        bank_ids()[..150].to_vec()
    );
    // 150 grades through one session cross two page boundaries, in bank order.
    let text = s.review(NOW, &["--new", "150"], "5\n".repeat(150));
    assert!(
        text.contains("[65/150]") && text.contains("[150/150]"),
        "{text}"
    );
    assert!(text.contains(
        "Session over: 150 reviewed (150 at 5); 0 drilled (0 drill answers); 150 due tomorrow."
    ));
    let logged: Vec<String> = s.rows("SELECT question_id FROM review_log ORDER BY id", |r| {
        r.get(0)
    });
    assert_eq!(logged, bank_ids()[..150].to_vec());
}

#[test]
fn questions_sharing_a_position_are_all_queued() {
    // Dropping q63 from the file without --prune leaves it active at position 63, where q64 now
    // stands too; a page boundary falls between them.
    let s = Sandbox::new();
    let deck = |skip: Option<usize>| {
        let mut t = String::from("[deck]\nid = \"d\"\ntitle = \"D\"\n");
        for i in (0..70).filter(|i| Some(*i) != skip) {
            t.push_str(&format!(
                "\n[[question]]\nid = \"q{i}\"\nprompt = \"Q{i}?\"\n"
            ));
        }
        t
    };
    s.write("d.toml", &deck(None));
    s.rehearse(NOW)
        .args(["import", "d.toml"])
        .assert()
        .success();
    s.write("d.toml", &deck(Some(63)));
    s.rehearse(NOW)
        .args(["import", "d.toml"])
        .assert()
        .success();
    let ids = queue_ids(&s, NOW, &["--new", "100", "--limit", "100"]);
    assert_eq!(ids.len(), 70);
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), 70);
    assert!(ids.contains(&"d/q63".to_string()) && ids.contains(&"d/q64".to_string()));
}

#[test]
fn a_grade_from_another_session_is_never_overwritten() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    // A shows go-runtime/gmp-model; meanwhile B grades it.
    let mut a = LiveReview::start(&s, NOW, &["--limit", "1"]);
    let first = a.lines.next().unwrap().unwrap();
    assert!(first.starts_with("1 question:"), "{first}");
    s.rehearse(NOW)
        .args(["review", "--limit", "1"])
        .write_stdin("1\nq\n")
        .assert()
        .success();
    a.send("5\n");
    let rest: Vec<String> = a.lines.by_ref().map(Result::unwrap).collect();
    assert!(a.child.wait().unwrap().success());
    assert!(
        rest.iter().any(|l| l == "Not saved: go-runtime/gmp-model was graded in another session meanwhile; moving on."),
        "{rest:?}"
    );
    let rows: Vec<(String, i64)> = s.rows("SELECT question_id, grade FROM review_log", |r| {
        Ok((r.get(0)?, r.get(1)?))
    });
    assert_eq!(rows, [("go-runtime/gmp-model".to_string(), 1)]);
    assert_eq!(
        s.count("SELECT lapses FROM card_state WHERE question_id = 'go-runtime/gmp-model'"),
        1
    );

    // An undo over a state someone else has changed since is refused.
    let mut c = LiveReview::start(&s, NOW, &["--limit", "2"]);
    c.grade("4");
    s.sql()
        .execute_batch("UPDATE card_state SET n = 7 WHERE question_id = 'go-runtime/gomaxprocs'")
        .unwrap();
    c.send("u\nq\n");
    let rest: Vec<String> = c.lines.by_ref().map(Result::unwrap).collect();
    assert!(
        rest.iter().any(|l| l
            .contains("Cannot undo: go-runtime/gomaxprocs was graded in another session since.")),
        "{rest:?}"
    );
    assert_eq!(s.count("SELECT count(*) FROM review_log"), 2);
}

#[test]
fn unknown_sections_and_tags_are_errors() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    // An unknown name lists the valid ones (or says where they are), not today's queue.
    s.rehearse(NOW)
        .args(["review", "--section", "Indexs"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "rehearse: no section \"Indexs\": `rehearse list sections` names the ",
        ));
    s.rehearse(NOW)
        .args(["review", "--deck", "postgresql", "--section", "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "use one of \"Internals & storage\", \"Indexes\"",
        ));
    s.rehearse(NOW)
        .args(["review", "--tag", "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "rehearse: no tag \"nope\": `rehearse list tags` names the ",
        ));
    // Any case, and a unique prefix, is enough; an ambiguous one names the candidates.
    let peek = s.review(
        NOW,
        &[
            "--peek",
            "--json",
            "--section",
            "goroutines, sched",
            "--tag",
            "GMP",
        ],
        "",
    );
    assert!(peek.contains("\"id\": \"go-runtime/gmp-model\""), "{peek}");
    s.rehearse(NOW)
        .args(["review", "--tag", "co"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "tag \"co\" matches \"code-review\", \"collaboration\"",
        ));
}

#[test]
fn a_drill_left_by_an_earlier_session_today_is_asked_in_the_next() {
    let s = Sandbox::new();
    s.rehearse(NOW)
        .args(["review", "--new", "2"])
        .write_stdin("1\nq\n")
        .assert()
        .success();
    s.rehearse(NOW)
        .args(["review", "--peek", "--new", "2"])
        .assert()
        .success()
        .stdout(predicate::str::ends_with(
            "then 1 to drill again from earlier today\n",
        ));
    let text = s.review(NOW, &["--new", "2"], "5\n5\n");
    assert!(
        text.starts_with("1 question: 0 due, 1 new, then 1 to drill again from earlier today."),
        "{text}"
    );
    assert!(text.contains("[drill, 1 left] Golang Language & Runtime > Goroutines, Scheduler & the GMP Model  (due tomorrow; last 1, 1-day interval; 1 lapse)\nAnswer in three layers: definition, mechanism, trade-off.\nExplain the GMP model"), "{text}");
    let kinds: Vec<(String, String, i64)> = s.rows(
        "SELECT question_id, kind, grade FROM review_log ORDER BY id",
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    );
    let want = [
        ("go-runtime/gmp-model", "review", 1),
        ("go-runtime/gomaxprocs", "review", 5),
        ("go-runtime/gmp-model", "drill", 5),
    ];
    assert_eq!(
        kinds,
        want.map(|(q, k, g)| (q.to_string(), k.to_string(), g))
            .to_vec()
    );
    // Drilled to 4 or more: nothing is left for a third session.
    s.rehearse(NOW)
        .args(["review", "--new", "2"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("Nothing to review today."));
}

#[test]
fn a_line_that_is_not_utf8_gets_the_hint() {
    let s = Sandbox::new();
    let text = s.review(NOW, &["--limit", "1"], &b"\xff\xfe\n5\n"[..]);
    assert!(
        text.contains("Press Enter to see the points, type 0-5 to grade"),
        "{text}"
    );
    assert!(text.contains("Session over: 1 reviewed (1 at 5)"), "{text}");
}
