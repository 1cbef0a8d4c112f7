//! Leeches, `review --ahead` and the built-in bank upgrade, through the real binary.

mod common;
use common::*;
use predicates::prelude::*;

const DAY1: &str = "2026-03-01T09:00:00Z";
const DAY2: &str = "2026-03-02T09:00:00Z";
const DAY3: &str = "2026-03-03T09:00:00Z";

const BANK: &str = r#"
[deck]
id = "d"
title = "Deck"

[[question]]
id = "q1"
section = "S"
prompt = "First?"
points = ["a", "b"]

[[question]]
id = "q2"
section = "S"
prompt = "Second?"
"#;

fn with_bank(config: &str) -> Sandbox {
    let s = Sandbox::new();
    let bank = s.write("bank.toml", BANK);
    s.write(".config/rehearse/config.toml", config);
    s.rehearse(DAY1).arg("import").arg(bank).assert().success();
    s
}

fn out(s: &Sandbox, now: &str, args: &[&str]) -> String {
    let o = s.rehearse(now).args(args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

/// d/q1 lapses on day 1 and day 2 (2 lapses), d/q2 passes.
fn two_lapses(s: &Sandbox) -> String {
    s.review(DAY1, &[], "1\n5\n4\n");
    s.review(DAY2, &[], "1\n4\n")
}

#[test]
fn a_leech_is_marked_in_review_list_and_stats() {
    let s = with_bank("leech_lapses = 2\n");
    two_lapses(&s);
    assert_eq!(
        s.count("SELECT lapses FROM card_state WHERE question_id = 'd/q1'"),
        2
    );
    let review = s.review(DAY3, &[], "q\n");
    assert!(
        review.contains("[1/1] Deck > S  (due today; last 1, 1-day interval; 2 lapses)  (leech)\n"),
        "{review}"
    );
    assert_eq!(
        out(&s, DAY3, &["list", "--leeches"]),
        "d/q1  learning,due,leech First?\n"
    );
    let stats = out(&s, DAY3, &["stats"]);
    assert!(
        stats.ends_with("\nLeeches (1 with 2+ lapses; `rehearse list --leeches`):\n  d/q1\n"),
        "{stats}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&out(&s, DAY3, &["stats", "--json"])).unwrap();
    assert_eq!(json["leeches"], serde_json::json!(["d/q1"]));
    // Mark only: it stays scheduled.
    assert_eq!(
        s.count("SELECT suspended FROM question WHERE id = 'd/q1'"),
        0
    );
}

#[test]
fn the_default_threshold_is_six_and_zero_turns_leeches_off() {
    let s = with_bank("");
    two_lapses(&s);
    assert_eq!(
        out(&s, DAY3, &["list", "--leeches"]),
        "No leech: no question has 6 lapses or more.\n"
    );
    let s = with_bank("leech_lapses = 0\n");
    two_lapses(&s);
    s.rehearse(DAY3)
        .args(["list", "--leeches"])
        .assert()
        .code(1)
        .stderr(
            "rehearse: leeches are off (leech_lapses = 0): set leech_lapses in the config file\n",
        );
    assert!(!s.review(DAY3, &[], "q\n").contains("leech"));
}

#[test]
fn leech_action_suspend_suspends_at_the_lapse_and_undo_brings_it_back() {
    let s = with_bank("leech_lapses = 2\nleech_action = \"suspend\"\n");
    let day2 = two_lapses(&s);
    assert!(
        day2.contains(
            "d/q1 is a leech (2 lapses): suspended; `rehearse unsuspend d/q1` brings it back."
        ),
        "{day2}"
    );
    // Not drilled: the 4 typed after went to d/q2.
    assert_eq!(
        s.count(
            "SELECT count(*) FROM review_log WHERE day = '2026-03-02' AND question_id = 'd/q1'"
        ),
        1
    );
    assert_eq!(
        s.count("SELECT suspended FROM question WHERE id = 'd/q1'"),
        1
    );
    assert!(s.review(DAY3, &[], "").starts_with("Nothing to review"));
    // Undo of that grade takes the suspension back too.
    let s = with_bank("leech_lapses = 2\nleech_action = \"suspend\"\n");
    s.review(DAY1, &[], "1\n5\n4\n");
    s.review(DAY2, &[], "1\nu\nq\n");
    assert_eq!(
        s.count("SELECT suspended FROM question WHERE id = 'd/q1'"),
        0
    );
    assert_eq!(
        s.count("SELECT lapses FROM card_state WHERE question_id = 'd/q1'"),
        1
    );
}

#[test]
fn review_ahead_crams_weakest_first_and_never_changes_the_schedule() {
    let s = with_bank("");
    s.review(DAY1, &[], "5\n4\n");
    let states = || {
        s.rows(
            "SELECT question_id, n, ef_milli, interval, due, lapses FROM card_state ORDER BY 1",
            |r| {
                Ok(format!(
                    "{} {} {} {} {} {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?
                ))
            },
        )
    };
    let before = states();
    let crammed = s.review(DAY1, &["--ahead"], "2\n5\n");
    assert!(
        crammed.starts_with(
            "2 questions ahead of schedule, weakest first; answers are logged as cram"
        ),
        "{crammed}"
    );
    // q2 was graded 4 (lower EF than q1's 5): it comes first.
    let first = crammed.find("Second?").unwrap();
    assert!(first < crammed.find("First?").unwrap(), "{crammed}");
    assert!(
        crammed.contains("Cram grade 2 saved (the schedule is unchanged)."),
        "{crammed}"
    );
    assert_eq!(states(), before);
    assert_eq!(
        s.count("SELECT count(*) FROM review_log WHERE kind = 'cram'"),
        2
    );
    // A cram graded 2 is no drill for the next session, and the log keeps the rows.
    assert!(
        s.review(DAY1, &[], "")
            .starts_with("Nothing to review today.")
    );
    let shown = out(&s, DAY1, &["show", "d/q2"]);
    assert!(shown.contains("  cram    grade 2"), "{shown}");
    // Filters and --limit apply; nothing ahead says so.
    let one = s.review(DAY1, &["--ahead", "--limit", "1"], "q\n");
    assert!(one.starts_with("1 question ahead of schedule"), "{one}");
    s.rehearse(DAY1)
        .args(["review", "--ahead", "--tag", "nope"])
        .assert()
        .code(1)
        .stderr("rehearse: no tag \"nope\": there are none\n");
}

#[test]
fn review_ahead_with_nothing_ahead_and_with_peek() {
    let s = with_bank("");
    assert_eq!(
        s.review(DAY1, &["--ahead"], ""),
        "Nothing to study ahead: no question is scheduled after today (new ones come in `rehearse review`).\n"
    );
    s.rehearse(DAY1)
        .args(["review", "--ahead", "--peek"])
        .assert()
        .code(2);
}

/// Pretends the database took an older built-in bank: one question it did not have yet, one
/// whose text has changed since, one the bank has dropped.
fn older_bank(s: &Sandbox) {
    s.sql()
        .execute_batch(
            "UPDATE builtin_bank SET fingerprint = 'older';
             DELETE FROM question WHERE id = 'go-runtime/gomaxprocs';
             DELETE FROM builtin_question WHERE question_id = 'go-runtime/gomaxprocs';
             UPDATE question SET prompt = 'Old wording?' WHERE id = 'go-runtime/gmp-model';
             UPDATE builtin_question SET digest = 'old' WHERE question_id = 'go-runtime/gmp-model';
             INSERT INTO question (id, deck_id, section, prompt, tags, points, position)
                 VALUES ('go-runtime/dropped', 'go-runtime', 'S', 'Dropped?', '[]', '[]', 99);
             INSERT INTO builtin_question (question_id, digest) VALUES ('go-runtime/dropped', 'x');",
        )
        .unwrap();
}

#[test]
fn a_changed_built_in_bank_updates_the_database_on_the_next_command() {
    let s = Sandbox::new();
    s.review(DAY1, &["--limit", "0"], "");
    // The user suspended one question and retired (pruned) another.
    out(&s, DAY1, &["suspend", "go-runtime/gmp-model"]);
    s.sql()
        .execute(
            "UPDATE question SET retired = 1 WHERE id = 'go-runtime/work-stealing'",
            [],
        )
        .unwrap();
    older_bank(&s);
    let o = s
        .rehearse(DAY1)
        .args(["list", "--deck", "go-runtime"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let err = stderr(&o);
    assert!(
        err.starts_with("rehearse: the built-in bank changed (older -> "),
        "{err}"
    );
    assert!(
        err.ends_with("): 1 added, 1 changed, 1 retired (dropped from it); suspended questions stay suspended\n"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    let prompt = |id: &str| {
        s.rows(
            &format!("SELECT prompt, retired, suspended FROM question WHERE id = '{id}'"),
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, bool>(1)?,
                    r.get::<_, bool>(2)?,
                ))
            },
        )
    };
    let gmp = prompt("go-runtime/gmp-model");
    assert!(gmp[0].0.starts_with("Explain the GMP model"), "{gmp:?}");
    assert!(!gmp[0].1 && gmp[0].2, "changed, still suspended: {gmp:?}");
    assert_eq!(prompt("go-runtime/gomaxprocs").len(), 1, "added");
    assert!(prompt("go-runtime/dropped")[0].1, "dropped is retired");
    assert!(
        prompt("go-runtime/work-stealing")[0].1,
        "the user's retired one stays retired"
    );
    // Once up to date, the next command says nothing and writes nothing.
    let before = s.snapshot();
    let o = s
        .rehearse(DAY1)
        .args(["list", "--deck", "go-runtime"])
        .output()
        .unwrap();
    assert_eq!(stderr(&o), "");
    assert_eq!(s.snapshot(), before);
}

#[test]
fn a_suspended_built_in_question_stays_suspended_after_import_and_upgrade() {
    let s = Sandbox::new();
    s.review(DAY1, &["--limit", "0"], "");
    out(&s, DAY1, &["suspend", "go-runtime/gmp-model"]);
    out(&s, DAY1, &["import"]);
    out(&s, DAY1, &["import", "--prune"]);
    older_bank(&s);
    out(&s, DAY1, &["stats"]);
    assert_eq!(
        s.count("SELECT suspended FROM question WHERE id = 'go-runtime/gmp-model'"),
        1
    );
}

#[test]
fn a_database_from_before_schema_5_takes_its_built_in_decks_as_the_baseline() {
    let s = Sandbox::new();
    s.review(DAY1, &["--limit", "0"], "");
    // As a schema 4 database migrated: nothing recorded; one prompt differs from the bank.
    s.sql()
        .execute_batch(
            "DELETE FROM builtin_bank; DELETE FROM builtin_question;
             UPDATE question SET prompt = 'Old wording?' WHERE id = 'go-runtime/gmp-model';",
        )
        .unwrap();
    s.rehearse(DAY1).arg("stats").assert().success().stderr(
        predicate::str::starts_with("rehearse: the built-in bank changed (now ")
            .and(predicate::str::contains("0 added, 1 changed, 0 retired")),
    );
    assert_eq!(s.count("SELECT count(*) FROM builtin_bank"), 1);
    // A database that only has its own bank is never given the built-in one.
    let t = with_bank("");
    let o = t.rehearse(DAY1).arg("list").output().unwrap();
    assert_eq!(stderr(&o), "");
    assert_eq!(t.count("SELECT count(*) FROM question"), 2);
    // It remembers that, so later commands write nothing.
    let before = t.snapshot();
    t.rehearse(DAY1).arg("list").assert().success().stderr("");
    assert_eq!(t.snapshot(), before);
    // An explicit `rehearse import` gives it the built-in bank, and the record.
    out(&t, DAY1, &["import"]);
    assert_eq!(t.count("SELECT count(*) FROM builtin_question"), 241);
}

#[test]
fn schema_5_keeps_every_log_row_and_id_of_a_schema_4_database() {
    let s = Sandbox::new();
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    for sql in [
        include_str!("../migrations/0001_init.sql"),
        include_str!("../migrations/0002_log_covering_index.sql"),
        include_str!("../migrations/0003_retired_index.sql"),
        include_str!("../migrations/0004_state_lapses.sql"),
    ] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(
        "INSERT INTO deck VALUES ('d', 'D', NULL, 0);
         INSERT INTO question VALUES ('d/q', 'd', 'S', 'Q?', '[]', '[]', 0, 0);
         INSERT INTO card_state VALUES ('d/q', 0, 1960, 1, '2026-03-02', '2026-03-01', '2026-03-01T09:00:00.000Z', 1);
         INSERT INTO review_log VALUES (3, '2026-03-01T09:00:00.000Z', '2026-03-01', 'd/q', 1, 'review',
             0, 2500, 0, NULL, 0, 1960, 1, '2026-03-02', 4000, NULL);
         INSERT INTO review_log VALUES (7, '2026-03-01T09:01:00.000Z', '2026-03-01', 'd/q', 4, 'drill',
             0, 1960, 1, '2026-03-02', 0, 1960, 1, '2026-03-02', 2000, '[1]');
         PRAGMA user_version = 4;",
    )
    .unwrap();
    drop(conn);
    let shown = out(&s, DAY2, &["show", "d/q"]);
    assert!(shown.contains("History (2 rows):"), "{shown}");
    assert_eq!(s.count("PRAGMA user_version"), 14);
    assert_eq!(
        s.rows("SELECT id, kind FROM review_log ORDER BY id", |r| Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?
        ))),
        [(3, "review".to_string()), (7, "drill".to_string())]
    );
    // Schema 11 keeps the last scheduling review's grade and missed points with the state:
    // filled from the log (the review row, not the later drill).
    assert_eq!(
        s.rows("SELECT last_grade, last_missed FROM card_state", |r| Ok((
            r.get::<_, Option<i64>>(0)?,
            r.get::<_, Option<String>>(1)?
        ))),
        [(Some(1), None)]
    );
    assert_eq!(
        s.rows(
            "SELECT name FROM sqlite_schema WHERE tbl_name = 'review_log' AND type = 'index' ORDER BY name",
            |r| r.get::<_, String>(0)
        ),
        ["review_log_day", "review_log_mock", "review_log_question"]
    );
    assert_eq!(
        s.rows("PRAGMA integrity_check", |r| r.get::<_, String>(0)),
        ["ok"]
    );
    assert!(
        std::fs::read_dir(s.path("rehearse.db.backups"))
            .unwrap()
            .count()
            >= 1,
        "a backup before the migration"
    );
    // The database had no bank record: d is not a built-in deck, so nothing was added.
    assert_eq!(s.count("SELECT count(*) FROM question"), 1);
}
