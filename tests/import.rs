mod common;
use common::*;
use predicates::prelude::*;

const NOW: &str = "2026-03-01T09:00:00Z";

const DECK_A: &str = r#"[deck]
id = "team"
title = "Team bank"

[[question]]
id = "one"
section = "Basics"
prompt = "What is one?"
points = ["a", "b", "c"]

[[question]]
id = "two"
section = "Basics"
prompt = "What is two?"

[[question]]
id = "three"
section = "Deep"
prompt = "What is three?"
tags = ["deep"]
"#;

#[test]
fn fresh_import_then_reimport_writes_nothing() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success().stdout(
        "imported: 16 decks, 241 questions: 241 added, 0 updated, 0 unchanged, 0 retired\n",
    );
    assert_eq!(s.count("SELECT count(*) FROM question"), 241);
    assert_eq!(s.count("SELECT count(*) FROM deck"), 16);
    let before = s.snapshot();
    s.rehearse(NOW).arg("import").assert().success().stdout(
        "imported: 16 decks, 241 questions: 0 added, 0 updated, 241 unchanged, 0 retired\n",
    );
    assert_eq!(s.snapshot(), before, "an unchanged import must not write");
}

#[test]
fn three_mistakes_in_two_files_are_all_located_and_nothing_is_written() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    let before = s.snapshot();
    s.write(
        "bank/a.toml",
        &DECK_A.replace(
            "prompt = \"What is two?\"",
            "promt = \"What is two?\"\nprompt = \"x\"",
        ),
    );
    s.write(
        "bank/b.toml",
        "[deck]\nid = \"other\"\ntitle = \"Other\"\n\n[[question]]\nid = \"q\"\nprompt = \"\"\n\n[[question]]\nid = \"q\"\nprompt = \"again\"\n",
    );
    let out = s
        .rehearse(NOW)
        .args(["import", "bank"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        [
            "bank/a.toml:14:1: question \"two\": unknown key \"promt\": allowed keys are id, section, prompt, tags, points, red_flags, follow_ups, verified, minutes",
            "bank/b.toml:7:10: question \"q\": prompt is empty: write some text",
            "bank/b.toml:10:6: question \"q\": duplicate id (first used on line 6): give each question its own id",
            "rehearse: 3 problems in the bank: nothing was imported; fix them and run again",
        ]
    );
    assert_eq!(
        s.snapshot(),
        before,
        "a failed import must leave the database byte-for-byte unchanged"
    );
}

#[test]
fn import_with_paths_imports_only_those_and_dry_run_writes_nothing() {
    let s = Sandbox::new();
    s.write("team.toml", DECK_A);
    s.rehearse(NOW)
        .args(["import", "--dry-run", "team.toml"])
        .assert()
        .success()
        .stdout("dry run, nothing written: 1 deck, 3 questions: 3 added, 0 updated, 0 unchanged, 0 retired\n");
    assert!(!s.db().exists(), "a dry run creates no database");
    let out = s
        .rehearse(NOW)
        .args(["import", "--json", "team.toml"])
        .assert()
        .success()
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        v["added"],
        serde_json::json!(["team/one", "team/two", "team/three"])
    );
    assert_eq!(v["unchanged"], 0);
    assert_eq!(v["dry_run"], false);
    assert_eq!(
        s.count("SELECT count(*) FROM question"),
        3,
        "no built-in bank mixed in"
    );
    // Other commands on a non-empty database do not import the built-in bank either.
    s.rehearse(NOW)
        .args(["review", "--peek"])
        .assert()
        .success()
        .stderr("");
    assert_eq!(s.count("SELECT count(*) FROM question"), 3);
}

#[test]
fn first_review_on_an_empty_database_imports_the_builtin_bank_once() {
    let s = Sandbox::new();
    s.rehearse(NOW)
        .args(["review", "--peek"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "imported the built-in bank (241 questions in 16 decks)",
        ));
    s.rehearse(NOW)
        .args(["review", "--peek"])
        .assert()
        .success()
        .stderr("");
}

#[test]
fn edited_prompt_keeps_progress_and_prune_revives_with_history() {
    let s = Sandbox::new();
    s.write("team.toml", DECK_A);
    s.rehearse(NOW)
        .args(["import", "team.toml"])
        .assert()
        .success();
    s.rehearse(NOW)
        .args(["review"])
        .write_stdin("4\n5\n3\nq\n")
        .assert()
        .success();
    let state = |id: &str| -> (i64, i64, i64, String) {
        s.sql()
            .query_row(
                "SELECT n, ef_milli, interval, due FROM card_state WHERE question_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap()
    };
    let two = state("team/two");

    // An edited prompt is an update that keeps the state.
    s.write(
        "team.toml",
        &DECK_A.replace("What is two?", "What, exactly, is two?"),
    );
    s.rehearse(NOW)
        .args(["import", "team.toml"])
        .assert()
        .success()
        .stdout("imported: 1 deck, 3 questions: 0 added, 1 updated, 2 unchanged, 0 retired\n");
    assert_eq!(state("team/two"), two);

    // Dropping it from the file and pruning retires it; the history stays.
    let without_two = DECK_A.replace(
        "[[question]]\nid = \"two\"\nsection = \"Basics\"\nprompt = \"What is two?\"\n\n",
        "",
    );
    s.write("team.toml", &without_two);
    s.rehearse(NOW)
        .args(["import", "--prune", "team.toml"])
        .assert()
        .success()
        .stdout("imported: 1 deck, 2 questions: 0 added, 1 updated, 1 unchanged, 1 retired\n"); // "three" moved up
    assert_eq!(
        s.count("SELECT retired FROM question WHERE id = 'team/two'"),
        1
    );
    assert_eq!(
        s.count("SELECT count(*) FROM review_log WHERE question_id = 'team/two'"),
        1
    );
    let peek = s
        .rehearse("2026-03-02T09:00:00Z")
        .args(["review", "--peek", "--json"])
        .output()
        .unwrap();
    assert!(
        !stdout(&peek).contains("team/two"),
        "a retired question is never scheduled"
    );

    // Re-adding it revives it with its state and history.
    s.write("team.toml", DECK_A);
    s.rehearse(NOW)
        .args(["import", "--prune", "team.toml"])
        .assert()
        .success()
        .stdout("imported: 1 deck, 3 questions: 0 added, 2 updated, 1 unchanged, 0 retired\nrevived with their history: team/two\n");
    assert_eq!(
        s.count("SELECT retired FROM question WHERE id = 'team/two'"),
        0
    );
    assert_eq!(state("team/two"), two);
    assert_eq!(
        s.count("SELECT count(*) FROM review_log WHERE question_id = 'team/two'"),
        1
    );
}

#[test]
fn missing_paths_and_empty_folders_are_one_line_errors() {
    let s = Sandbox::new();
    s.rehearse(NOW)
        .args(["import", "nope.toml"])
        .assert()
        .code(1)
        .stderr("rehearse: nope.toml: no such file or folder: check the path: No such file or directory (os error 2)\n");
    std::fs::create_dir(s.path("empty")).unwrap();
    s.rehearse(NOW)
        .args(["import", "empty"])
        .assert()
        .code(1)
        .stderr("rehearse: empty: no .toml files in this folder: pass bank files or a folder that has them\n");
}

#[test]
fn a_database_from_a_newer_rehearse_is_refused_untouched() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    s.sql().pragma_update(None, "user_version", 99).unwrap();
    let before = s.snapshot();
    s.rehearse(NOW).arg("import").assert().code(1).stderr(predicate::str::contains(
        "was written by a newer rehearse (schema version 99, this one knows 14): upgrade rehearse",
    ));
    assert_eq!(s.snapshot(), before);
}

#[test]
fn a_dry_run_without_a_database_creates_none() {
    let s = Sandbox::new();
    s.write("team.toml", DECK_A);
    s.rehearse(NOW)
        .args(["import", "--dry-run", "team.toml"])
        .assert()
        .success()
        .stdout("dry run, nothing written: 1 deck, 3 questions: 3 added, 0 updated, 0 unchanged, 0 retired\n");
    assert!(
        !s.db().exists(),
        "a dry run writes nothing, not even a new file"
    );
}

#[test]
fn a_failed_first_import_leaves_no_database_file() {
    let s = Sandbox::new();
    s.write(
        "bad.toml",
        &DECK_A.replace("prompt = \"What is two?\"", "prompt = \"\""),
    );
    s.rehearse(NOW)
        .args(["import", "bad.toml"])
        .assert()
        .code(1)
        .stderr(predicate::str::ends_with(
            "rehearse: 1 problem in the bank: nothing was imported; fix it and run again\n",
        ));
    assert!(!s.db().exists(), "no empty database left behind");
}

#[test]
fn dry_run_json_on_a_bad_bank_prints_the_problems_as_json() {
    let s = Sandbox::new();
    let seven = r#"points = ["a", "b", "c", "d", "e", "f", "g"]"#;
    s.write(
        "bad.toml",
        &DECK_A.replace("id = \"two\"", "id = \"Two\"").replace(
            "prompt = \"What is two?\"",
            &format!("prompt = \"What is two?\"\n{seven}"),
        ),
    );
    let out = s
        .rehearse(NOW)
        .args(["import", "--dry-run", "--json", "bad.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["dry_run"], true);
    let problems = v["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{v}");
    assert_eq!(problems[0]["file"], "bad.toml");
    assert_eq!(problems[0]["question"], "Two");
    // The 7 points of a question whose id is not valid still name it.
    assert_eq!(problems[1]["question"], "Two");
    assert_eq!(
        problems[1]["message"],
        "7 points: keep at most 6 (review labels them a-f)"
    );
    assert!(problems[1]["line"].as_u64().unwrap() > 0);
}
