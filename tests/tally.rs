//! The queue's counts come from tallies kept beside the rows (migration 12): after every kind of
//! write through the real binary, they equal what counting the rows gives.
mod common;
use common::*;
use std::path::Path;

fn at(day: u32) -> String {
    format!("2026-03-{:02}T10:00:00Z", day + 1)
}

/// The tallies of the database at `db` against the rows, after `step`.
fn tallies_hold(db: &Path, step: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let pairs = |sql: &str| -> Vec<(String, i64)> {
        let mut st = conn.prepare(sql).unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let kept = pairs("SELECT due, states FROM due_tally ORDER BY due");
    let counted = pairs("SELECT due, count(*) FROM card_state GROUP BY due ORDER BY due");
    assert_eq!(kept, counted, "{step}: states a due day");
    let one = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        (
            one("SELECT questions FROM tally"),
            one("SELECT states FROM tally")
        ),
        (
            one("SELECT count(*) FROM question"),
            one("SELECT count(*) FROM card_state")
        ),
        "{step}: questions and states"
    );
    // Readiness per deck (migration 14), against the rows counted here: active questions,
    // their states, and the ready ones (two scheduling reviews or more, the last graded 4 or
    // 5, missing no must point).
    let mut st = conn
        .prepare(
            "SELECT d.id, q.retired = 0 AND q.suspended = 0, q.points, s.n, s.lapses,
                 s.last_grade, s.last_missed
             FROM deck d LEFT JOIN question q ON q.deck_id = d.id
             LEFT JOIN card_state s ON s.question_id = q.id",
        )
        .unwrap();
    type Row = (
        String,
        Option<bool>,
        Option<String>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<String>,
    );
    let rows: Vec<Row> = st
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut counted: std::collections::BTreeMap<String, (i64, i64, i64)> = Default::default();
    for (deck, active, points, n, lapses, grade, missed) in rows {
        let c = counted.entry(deck).or_default();
        if active != Some(true) {
            continue;
        }
        c.0 += 1;
        let Some(n) = n else { continue };
        c.1 += 1;
        let points: serde_json::Value = serde_json::from_str(&points.unwrap()).unwrap();
        let missed: Vec<usize> = missed
            .map(|m| serde_json::from_str(&m).unwrap())
            .unwrap_or_default();
        let missed_must = missed.iter().any(|&i| points[i]["must"] == true);
        let two = n >= 2 || (n == 1 && lapses.unwrap() > 0);
        c.2 += i64::from(two && grade.is_some_and(|g| g >= 4) && !missed_must);
    }
    let mut st = conn
        .prepare("SELECT deck_id, questions, states, ready FROM deck_ready ORDER BY deck_id")
        .unwrap();
    let kept: std::collections::BTreeMap<String, (i64, i64, i64)> = st
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(kept, counted, "{step}: readiness per deck");
}

#[test]
fn the_queue_tallies_equal_the_rows_after_every_kind_of_write() {
    let s = Sandbox::new();
    let db = s.db();
    s.ok(&at(0), &["import"], "");
    tallies_hold(&db, "import of the built-in bank");
    assert!(
        s.ok(&at(0), &["review", "--peek"], "")
            .contains("0 due, 10 new")
    );

    // Ten first reviews, then the same ten a day later, the last graded twice over an undo.
    s.review(&at(0), &[], "5\n4\n3\n2\n1\n0\n5\n4\n3\n5\n");
    tallies_hold(&db, "first reviews");
    s.review(&at(1), &["--new", "0"], "4\n4\n4\nu\n2\nq\n");
    tallies_hold(&db, "reviews and an undo");
    assert!(
        s.count("SELECT sum(ready) FROM deck_ready") > 0,
        "some are ready, counted by the triggers"
    );
    // An undo of a first review deletes its state (a deck with nothing due: a new one first).
    let states = || s.count("SELECT count(*) FROM card_state");
    let before = states();
    s.review(&at(1), &["--deck", "concurrency", "--new", "1"], "3\n");
    assert_eq!(states(), before + 1);
    s.review(
        &at(1),
        &["--deck", "concurrency", "--new", "2"],
        "3\nu\nq\n",
    );
    assert_eq!(
        states(),
        before + 1,
        "the first review of the second was undone"
    );
    tallies_hold(&db, "the undo of a first review");

    // Suspended questions leave the counts the tallies feed, not the tallies.
    let peek = s.ok(&at(6), &["review", "--peek", "--json"], "");
    let due_before: serde_json::Value = serde_json::from_str(&peek).unwrap();
    let first = due_before["queue"][0]["id"].as_str().unwrap().to_string();
    s.ok(&at(6), &["suspend", &first], "");
    tallies_hold(&db, "suspend");
    let peek: serde_json::Value =
        serde_json::from_str(&s.ok(&at(6), &["review", "--peek", "--json"], "")).unwrap();
    assert_eq!(
        peek["due"].as_u64().unwrap() + 1,
        due_before["due"].as_u64().unwrap(),
        "a suspended question is not counted due"
    );
    s.ok(&at(6), &["unsuspend", &first], "");

    // A mock answer with no point found pulls its due forward to tomorrow.
    s.ok(&at(6), &["mock", "--questions", "3"], &"\n\n\n".repeat(3));
    tallies_hold(&db, "a mock");

    // A team deck added, then changed so one question is retired (kept, not deleted).
    let deck = |n: usize| {
        let mut t = String::from("[deck]\nid = \"team\"\ntitle = \"Team\"\n");
        for i in 0..n {
            t.push_str(&format!(
                "\n[[question]]\nid = \"q{i}\"\nsection = \"S\"\nprompt = \"Prompt {i}?\"\npoints = [\"one\"]\n"
            ));
        }
        t
    };
    let team = s.write("team.toml", &deck(3));
    s.ok(&at(6), &["import", team.to_str().unwrap()], "");
    s.write("team.toml", &deck(2));
    s.ok(&at(6), &["import", team.to_str().unwrap()], "");
    tallies_hold(&db, "imports of a team deck");

    // A full backup restored into a new database, and merged into it once more.
    let backup = s.path("backup.json");
    s.ok(
        &at(6),
        &["export", "--format", "json", "-o", backup.to_str().unwrap()],
        "",
    );
    let other = s.path("other.db");
    let restore = |now: &str| {
        let out = s
            .rehearse(now)
            .env("REHEARSE_DB", &other)
            .args(["import", backup.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    };
    restore(&at(6));
    tallies_hold(&other, "a restore into a new database");
    restore(&at(7));
    tallies_hold(&other, "the same backup merged again");
    let counts = |db: &Path| {
        let out = s
            .rehearse(&at(7))
            .env("REHEARSE_DB", db)
            .args(["review", "--peek", "--json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        (v["due"].clone(), v["new"].clone())
    };
    assert_eq!(counts(&other), counts(&db), "the restored queue counts");

    // Another writer of states (a rehearse of an older version that was still running a
    // session when the schema was updated writes them with its own statements): the tallies
    // follow, and the question it made due is in the queue.
    let conn = s.sql();
    conn.execute_batch(
        "UPDATE card_state SET due = '2026-03-08' WHERE question_id = (SELECT min(question_id) FROM card_state);
         DELETE FROM card_state WHERE question_id = (SELECT max(question_id) FROM card_state);
         INSERT INTO card_state (question_id, n, ef_milli, interval, due, introduced, last_review)
             VALUES ('team/q0', 1, 2500, 1, '2026-03-08', '2026-03-07', '2026-03-07T10:00:00.000Z');",
    )
    .unwrap();
    tallies_hold(&db, "states written by another program");
    let peek: serde_json::Value =
        serde_json::from_str(&s.ok(&at(7), &["review", "--peek", "--json"], "")).unwrap();
    let queued: Vec<&str> = peek["queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    assert!(queued.contains(&"team/q0"), "{queued:?}");
}
