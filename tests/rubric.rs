//! The rubric format through the binary: a team bank with table points, musts, red flags,
//! follow-ups, `verified` and time boxes imports, re-imports unchanged, round-trips through
//! the toml export and the JSON backup, and is graded by the rubric rule in review.

mod common;
use common::*;

const NOW: &str = "2026-03-01T09:00:00Z";

const TEAM: &str = r#"[deck]
id = "team"
title = "Team Go"
minutes = 4

[[question]]
id = "gmp"
section = "Scheduler"
prompt = "Explain the GMP model."
verified = "Go 1.26"
minutes = 5
points = [
  { key = "G, M and P", detail = "G = goroutine, M = OS thread, P = logical processor", must = true },
  { key = "Why P exists", detail = "a local run queue and mcache per P, no global lock" },
  { key = "Syscall hand-off", detail = "a blocked M hands its P to another M" },
  "GOMAXPROCS bounds the Ps",
]
red_flags = ["Says goroutines map 1:1 to OS threads", "Says the scheduler is preemptive only at function calls"]
follow_ups = ["What happens to the P when its M blocks in a syscall?"]

[[question]]
id = "plain"
prompt = "A plain question, as before."
points = ["one", "two", "three"]
"#;

fn import(s: &Sandbox, path: &str) -> String {
    let out = s.rehearse(NOW).args(["import", path]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn a_team_rubric_bank_imports_reimports_unchanged_and_round_trips_through_toml() {
    let s = Sandbox::new();
    s.write("bank/team.toml", TEAM);
    assert_eq!(
        import(&s, "bank"),
        "imported: 1 deck, 2 questions: 2 added, 0 updated, 0 unchanged, 0 retired\n"
    );
    assert_eq!(
        import(&s, "bank"),
        "imported: 1 deck, 2 questions: 0 added, 0 updated, 2 unchanged, 0 retired\n"
    );
    // The toml export reads back as the same bank: re-importing it changes nothing.
    let out = s
        .rehearse(NOW)
        .args(["export", "--format", "toml", "--deck", "team"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let toml = stdout(&out);
    assert!(
        toml.contains(
            "    { key = \"G, M and P\", detail = \"G = goroutine, M = OS thread, P = logical processor\", must = true },\n"
        ),
        "{toml}"
    );
    assert!(
        toml.contains("    \"GOMAXPROCS bounds the Ps\",\n"),
        "{toml}"
    );
    assert!(
        toml.contains("points = [\"one\", \"two\", \"three\"]") || toml.contains("    \"one\",\n"),
        "{toml}"
    );
    assert!(
        toml.contains("verified = \"Go 1.26\"") && toml.contains("minutes = 5"),
        "{toml}"
    );
    s.write("again/team.toml", &toml);
    assert_eq!(
        import(&s, "again"),
        "imported: 1 deck, 2 questions: 0 added, 0 updated, 2 unchanged, 0 retired\n"
    );
    // Exported again: byte for byte the same file.
    let again = s
        .rehearse(NOW)
        .args(["export", "--format", "toml", "--deck", "team"])
        .output()
        .unwrap();
    assert_eq!(stdout(&again), toml);
}

#[test]
fn a_change_of_only_red_flags_or_follow_ups_is_an_update() {
    let s = Sandbox::new();
    s.write("bank/team.toml", TEAM);
    import(&s, "bank");
    for (from, to) in [
        ("\"Says goroutines map 1:1 to OS threads\", ", ""),
        ("What happens to the P", "Where does the P go"),
        ("verified = \"Go 1.26\"", "verified = \"Go 1.27\""),
        ("minutes = 5", "minutes = 6"),
        (", must = true }", " },\n  { key = \"extra\", must = true }"),
    ] {
        assert!(TEAM.contains(from), "{from}");
        s.write("bank/team.toml", &TEAM.replace(from, to));
        let out = s
            .rehearse(NOW)
            .args(["import", "--json", "bank"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{to}: {}", stderr(&out));
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(v["updated"], serde_json::json!(["team/gmp"]), "{to}");
        s.write("bank/team.toml", TEAM);
        import(&s, "bank");
    }
    // The deck's time box alone is a deck change: the questions stay unchanged.
    s.write(
        "bank/team.toml",
        &TEAM.replace("minutes = 4", "minutes = 3"),
    );
    import(&s, "bank");
    assert_eq!(s.count("SELECT minutes FROM deck WHERE id = 'team'"), 3);
}

#[test]
fn a_restore_keeps_each_state_s_last_missed_points_whatever_the_field_order() {
    let s = Sandbox::new();
    s.write("bank/team.toml", TEAM);
    import(&s, "bank");
    s.review(NOW, &["--limit", "2"], "\nbcd!2\n\n\nab\n\n");
    let states = |s: &Sandbox| {
        s.rows(
            "SELECT question_id, lapses, last_grade, last_missed FROM card_state ORDER BY 1",
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            },
        )
    };
    let here = states(&s);
    assert_eq!(
        here,
        [
            ("team/gmp".to_string(), 1, Some(2), Some("[0]".to_string())),
            (
                "team/plain".to_string(),
                0,
                Some(4),
                Some("[2]".to_string())
            ),
        ]
    );
    let out = s.rehearse(NOW).arg("export").output().unwrap();
    assert!(out.status.success());
    let backup = String::from_utf8(out.stdout).unwrap();
    // serde_json's map sorts its keys: "log" comes before "questions".
    let v: serde_json::Value = serde_json::from_str(&backup).unwrap();
    for text in [backup.clone(), v.to_string()] {
        let fresh = Sandbox::new();
        fresh.write("b.json", &text);
        fresh
            .rehearse(NOW)
            .args(["import", "b.json"])
            .assert()
            .success();
        assert_eq!(states(&fresh), here);
    }
}

#[test]
fn review_grades_by_the_rubric_and_logs_the_missed_must_and_the_red_flag() {
    let s = Sandbox::new();
    s.write("bank/team.toml", TEAM);
    import(&s, "bank");
    // Points b, c, d covered (a, the must, missed) and red flag 2 said: the must missed with
    // three of four covered offers 2; the red flag caps at 2 anyway. Then the plain question:
    // two of three, 4, as before.
    let text = s.review(NOW, &["--limit", "2"], "\nbcd!2\n\n\nab\n\n");
    assert!(text.contains("  a) G, M and P (must)\n"), "{text}");
    assert!(
        text.contains("     G = goroutine, M = OS thread, P = logical processor\n"),
        "the detail under its key: {text}"
    );
    assert!(text.contains("  d) GOMAXPROCS bounds the Ps\n"), "{text}");
    assert!(
        text.contains("  !1 Says goroutines map 1:1 to OS threads\n"),
        "red flags numbered: {text}"
    );
    assert!(
        text.contains("Covered 3 of 4: grade 2 (")
            && text.contains(" Must a missed; red flag 2 said: at most 2."),
        "{text}"
    );
    assert!(text.contains("Covered 2 of 3: grade 4 ("), "{text}");
    assert_eq!(
        s.rows(
            "SELECT question_id, grade, missed, red_flags FROM review_log ORDER BY id",
            |r| Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?
            ))
        ),
        [
            (
                "team/gmp".to_string(),
                2,
                Some("[0]".to_string()),
                Some("[1]".to_string())
            ),
            ("team/plain".to_string(), 4, Some("[2]".to_string()), None),
        ]
    );
    // show names the rubric and the history's must missed and red flag said.
    let out = s.rehearse(NOW).args(["show", "team/gmp"]).output().unwrap();
    let shown = stdout(&out);
    for want in [
        "Verified: Go 1.26\n",
        "Time box: 5 min\n",
        "  a) G, M and P (must)\n     G = goroutine, M = OS thread, P = logical processor\n",
        "Red flags:\n  1. Says goroutines map 1:1 to OS threads\n",
        "Follow-ups:\n  1. What happens to the P when its M blocks in a syscall?\n",
        "missed a (must a)  red flag !2",
    ] {
        assert!(shown.contains(want), "{want:?} in {shown}");
    }
    let plain = stdout(
        &s.rehearse(NOW)
            .args(["show", "team/plain"])
            .output()
            .unwrap(),
    );
    assert!(plain.contains("Time box: 4 min (the deck's)\n"), "{plain}");
    assert!(
        !plain.contains("Red flags") && !plain.contains("Verified"),
        "{plain}"
    );
}

#[test]
fn every_must_covered_passes_and_a_red_flag_alone_caps() {
    let s = Sandbox::new();
    s.write("bank/team.toml", TEAM);
    import(&s, "bank");
    // The must and one more of four: 3 (musts covered, two others missed). Undo, then all
    // covered with red flag 1 said: 2, not 5.
    let text = s.review(NOW, &["--limit", "1"], "\nab\n\nu\n\nabcd!1\n\n");
    assert!(text.contains("Covered 2 of 4: grade 3 ("), "{text}");
    assert!(
        text.contains("Covered 4 of 4: grade 2 (") && text.contains(" Red flag 1 said: at most 2."),
        "{text}"
    );
    assert_eq!(
        s.rows("SELECT grade, red_flags FROM review_log", |r| Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Option<String>>(1)?
        ))),
        [(2, Some("[0]".to_string()))]
    );
}

#[test]
fn a_red_flag_number_the_question_lacks_gets_the_hint() {
    let s = Sandbox::new();
    s.write("bank/team.toml", TEAM);
    import(&s, "bank");
    let text = s.review(NOW, &["--limit", "1"], "\nab!3\nq\n");
    assert!(
        text.contains(
            "the letters of the points you covered (and !N for each red flag said, e.g. ac!1)"
        ),
        "{text}"
    );
    assert_eq!(s.count("SELECT count(*) FROM review_log"), 0);
}

#[test]
fn the_json_backup_carries_the_rubric_and_restores_it() {
    let s = Sandbox::new();
    s.write("bank/team.toml", TEAM);
    import(&s, "bank");
    s.review(NOW, &["--limit", "1"], "\nbcd!2\n\n");
    let out = s
        .rehearse(NOW)
        .args(["export", "--format", "json", "-o", "b.json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let backup = std::fs::read_to_string(s.path("b.json")).unwrap();
    assert!(backup.contains("\"must\":true"), "{backup}");
    assert!(
        backup.contains("\"red_flags\":[1]"),
        "the log row's red flag: {backup}"
    );
    assert!(backup.contains("\"follow_ups\":["), "{backup}");
    let fresh = Sandbox::new();
    std::fs::copy(s.path("b.json"), fresh.path("b.json")).unwrap();
    let out = fresh
        .rehearse(NOW)
        .args(["import", "b.json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let again = fresh
        .rehearse(NOW)
        .args(["export", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(stdout(&again), backup, "restored whole");
    let toml = |s: &Sandbox| {
        stdout(
            &s.rehearse(NOW)
                .args(["export", "--format", "toml", "--deck", "team"])
                .output()
                .unwrap(),
        )
    };
    assert_eq!(toml(&fresh), toml(&s));
}

#[test]
fn bad_rubric_values_get_located_one_line_errors() {
    let s = Sandbox::new();
    let long = "k".repeat(61);
    let bad = TEAM
        .replace("key = \"Why P exists\"", &format!("key = \"{long}\""))
        .replace("minutes = 5", "minutes = 90")
        .replace(
            "\"one\", \"two\", \"three\"",
            "{ key = \"one\", deatil = \"x\" }, \"two\"",
        );
    s.write("bank/team.toml", &bad);
    let out = s.rehearse(NOW).args(["import", "bank"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "bank/team.toml:11:11: question \"gmp\": minutes = 90: use a whole number from 1 to 60\n\
         bank/team.toml:14:11: question \"gmp\": a point's key has 61 characters: keep it to 60, a headline, and put the rest in detail\n\
         bank/team.toml:24:26: question \"plain\": unknown key \"deatil\" in a point: allowed keys are key, detail, must\n\
         rehearse: 3 problems in the bank: nothing was imported; fix them and run again\n"
    );
    assert!(!s.db().exists() || s.count("SELECT count(*) FROM question") == 0);
}

#[test]
fn a_plain_one_point_question_with_none_covered_offers_1() {
    // The plain rule: none covered is 1, even when "one missed" would read as 4.
    let s = Sandbox::new();
    s.write(
        "one.toml",
        "[deck]\nid = \"d\"\ntitle = \"D\"\n\n[[question]]\nid = \"q\"\nprompt = \"One point?\"\npoints = [\"only\"]\n",
    );
    import(&s, "one.toml");
    let text = s.review(NOW, &[], "\n-\n\n");
    assert!(text.contains("Covered 0 of 1: grade 1 ("), "{text}");
    assert_eq!(s.count("SELECT grade FROM review_log"), 1);
}

#[test]
fn show_json_and_the_anki_export_carry_the_rubric() {
    let s = Sandbox::new();
    s.write("bank/team.toml", TEAM);
    import(&s, "bank");
    let out = s
        .rehearse(NOW)
        .args(["show", "team/gmp", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        v["points"][0],
        serde_json::json!({"key": "G, M and P", "detail": "G = goroutine, M = OS thread, P = logical processor", "must": true})
    );
    assert_eq!(v["points"][3], "GOMAXPROCS bounds the Ps");
    assert_eq!(
        v["red_flags"][1],
        "Says the scheduler is preemptive only at function calls"
    );
    assert_eq!(v["follow_ups"].as_array().unwrap().len(), 1);
    assert_eq!(
        (v["verified"].as_str(), v["minutes"].as_u64()),
        (Some("Go 1.26"), Some(5))
    );
    let plain = s
        .rehearse(NOW)
        .args(["show", "team/plain", "--json"])
        .output()
        .unwrap();
    let p: serde_json::Value = serde_json::from_str(&stdout(&plain)).unwrap();
    assert!(
        p.get("red_flags").is_none() && p.get("verified").is_none(),
        "{p}"
    );
    assert_eq!(p["points"], serde_json::json!(["one", "two", "three"]));
    // Anki's back: each key, a must marked, its detail after it.
    let anki = s
        .rehearse(NOW)
        .args(["export", "--format", "anki", "--deck", "team"])
        .output()
        .unwrap();
    let text = stdout(&anki);
    assert!(
        text.contains("a) G, M and P (must): G = goroutine, M = OS thread, P = logical processor"),
        "{text}"
    );
}

#[test]
fn a_schema_5_database_reads_and_grades_as_before() {
    // Made as the previous release left it: points stored as JSON strings, no rubric columns.
    let s = Sandbox::new();
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    for sql in [
        include_str!("../migrations/0001_init.sql"),
        include_str!("../migrations/0002_log_covering_index.sql"),
        include_str!("../migrations/0003_retired_index.sql"),
        include_str!("../migrations/0004_state_lapses.sql"),
        include_str!("../migrations/0005_suspend_cram_builtin.sql"),
    ] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(
        "INSERT INTO deck VALUES ('d', 'D', NULL, 0);
         INSERT INTO question (id, deck_id, section, prompt, tags, points, position, retired)
             VALUES ('d/q', 'd', 'S', 'Q?', '[]', '[\"first\",\"second\",\"third\"]', 0, 0);
         PRAGMA user_version = 5;",
    )
    .unwrap();
    drop(conn);
    let text = s.review(NOW, &[], "\nab\n\n");
    assert!(
        text.contains("  a) first\n  b) second\n  c) third\n"),
        "{text}"
    );
    assert!(text.contains("Covered 2 of 3: grade 4 ("), "{text}");
    assert!(!text.contains("Red flags"), "{text}");
    assert_eq!(s.count("PRAGMA user_version"), 14);
    assert_eq!(
        s.rows(
            "SELECT points, red_flags, follow_ups FROM question",
            |r| Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?
            ))
        ),
        [(
            "[\"first\",\"second\",\"third\"]".to_string(),
            "[]".to_string(),
            "[]".to_string()
        )]
    );
    assert_eq!(
        s.count("SELECT count(*) FROM review_log WHERE red_flags IS NULL AND missed = '[2]'"),
        1
    );
    // Its backup has no rubric field at all.
    let out = s
        .rehearse(NOW)
        .args(["export", "--format", "json"])
        .output()
        .unwrap();
    let backup = stdout(&out);
    for field in ["red_flags", "follow_ups", "verified", "minutes", "\"key\""] {
        assert!(!backup.contains(field), "{field} in {backup}");
    }
    assert!(
        backup.contains("\"points\":[\"first\",\"second\",\"third\"]"),
        "{backup}"
    );
}
