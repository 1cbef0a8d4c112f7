//! Bad databases, bad banks, crashes and concurrent processes: rehearse never loses or corrupts
//! a history, and every failure is one line that says what to do.
mod common;
use common::*;
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const NOW: &str = "2026-03-01T09:00:00Z";

fn one_line_error(s: &Sandbox, args: &[&str], want: &str) {
    let out = s.rehearse(NOW).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    assert_eq!(stderr(&out), format!("rehearse: {want}\n"), "{args:?}");
}

/// A built-in database, checkpointed into one file, and its bytes.
fn real_db(s: &Sandbox, name: &str) -> Vec<u8> {
    s.rehearse(NOW).arg("import").assert().success();
    s.sql()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    let bytes = std::fs::read(s.db()).unwrap();
    std::fs::write(s.path(name), &bytes).unwrap();
    bytes
}

#[test]
fn bad_database_files_get_one_line_and_stay_as_they_were() {
    let s = Sandbox::new();
    let good = real_db(&s, "good.db");
    std::fs::create_dir(s.path("folder.db")).unwrap();
    s.write("text.db", "these are my notes, not a database\n");
    std::fs::write(s.path("truncated.db"), &good[..good.len() / 2]).unwrap();
    let mut corrupt = good.clone();
    for b in &mut corrupt[8192..20480] {
        *b = 0x5a;
    }
    std::fs::write(s.path("corrupt.db"), &corrupt).unwrap();
    let other = rusqlite::Connection::open(s.path("other.db")).unwrap();
    other
        .execute_batch("CREATE TABLE notes (body TEXT)")
        .unwrap();
    drop(other);
    std::fs::write(s.path("newer.db"), &good).unwrap();
    rusqlite::Connection::open(s.path("newer.db"))
        .unwrap()
        .pragma_update(None, "user_version", 77)
        .unwrap();

    let cases: &[(&str, &[&str], &str)] = &[
        (
            "folder.db",
            &["stats"],
            "database path folder.db is a folder: pass a file path with --db",
        ),
        (
            "text.db",
            &["stats"],
            "text.db is not a rehearse database (not SQLite, or damaged): pass another --db path, or restore it from a backup",
        ),
        (
            "truncated.db",
            &["stats"],
            "truncated.db is damaged (SQLite: database disk image is malformed): restore it from a backup (rehearse backups), or pass another --db path",
        ),
        (
            "corrupt.db",
            &["stats"],
            "corrupt.db is damaged (SQLite: database disk image is malformed): restore it from a backup (rehearse backups), or pass another --db path",
        ),
        (
            "other.db",
            &["review", "--peek"],
            "other.db is an SQLite database of another program, not rehearse's: pass another --db path",
        ),
        (
            "newer.db",
            &["import"],
            "newer.db was written by a newer rehearse (schema version 77, this one knows 14): upgrade rehearse, or pass another --db path",
        ),
    ];
    for (file, args, want) in cases {
        let before = std::fs::read(s.path(file)).ok();
        let mut all = vec!["--db", file];
        all.extend_from_slice(args);
        one_line_error(&s, &all, want);
        assert_eq!(std::fs::read(s.path(file)).ok(), before, "{file} changed");
        assert!(
            !s.path(&format!("{file}-wal")).exists() || *file == "folder.db",
            "{file}: a WAL was left"
        );
    }
}

#[test]
fn read_only_files_and_folders_are_refused_untouched() {
    let s = Sandbox::new();
    let good = real_db(&s, "ro.db");
    std::fs::set_permissions(s.path("ro.db"), std::fs::Permissions::from_mode(0o444)).unwrap();
    one_line_error(
        &s,
        &["--db", "ro.db", "import"],
        "ro.db is read-only: make it writable (chmod u+w), or pass another --db path",
    );
    // Commands that only read open it read-only, so a backup can still be saved from it.
    let out = s
        .rehearse(NOW)
        .args(["--db", "ro.db", "stats"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("241"), "{}", stdout(&out));
    assert_eq!(std::fs::read(s.path("ro.db")).unwrap(), good);

    std::fs::create_dir(s.path("locked")).unwrap();
    std::fs::write(s.path("locked/r.db"), &good).unwrap();
    std::fs::set_permissions(s.path("locked"), std::fs::Permissions::from_mode(0o555)).unwrap();
    one_line_error(
        &s,
        &["--db", "locked/r.db", "review"],
        "the folder of locked/r.db is read-only, and SQLite keeps its journal there: make locked writable, or pass another --db path",
    );
    let backup = s
        .rehearse(NOW)
        .args(["--db", "ro.db", "export"])
        .output()
        .unwrap();
    s.write("b.json", &stdout(&backup));
    for args in [
        &["review", "--peek"][..],
        &["export"],
        &["stats", "--json"],
        &["import", "--dry-run"],
        &["import", "--dry-run", "b.json"],
    ] {
        let mut all = vec!["--db", "locked/r.db"];
        all.extend_from_slice(args);
        let out = s.rehearse(NOW).args(&all).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(!stdout(&out).is_empty(), "{args:?}");
    }
    assert_eq!(std::fs::read(s.path("locked/r.db")).unwrap(), good);
    assert!(!s.path("locked/r.db-wal").exists());
    std::fs::set_permissions(s.path("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    one_line_error(
        &s,
        &["--db", "missing/r.db", "stats"],
        "cannot open missing/r.db: the folder missing does not exist: create it, or pass another --db path",
    );
}

#[test]
fn a_migration_first_writes_a_copy_of_the_old_database() {
    let s = Sandbox::new();
    // A version-1 database, as the first release wrote it, with a reviewed question.
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    conn.execute_batch(include_str!("../migrations/0001_init.sql"))
        .unwrap();
    conn.execute_batch(
        "INSERT INTO deck VALUES ('d', 'D', NULL, 0);
         INSERT INTO question VALUES ('d/q', 'd', 'S', 'Q?', '[]', '[]', 0, 0);
         INSERT INTO card_state VALUES ('d/q', 1, 2500, 1, '2026-03-01', '2026-02-28', '2026-02-28T09:00:00.000Z');
         PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(conn);
    s.rehearse(NOW).args(["review", "--peek"]).assert().success().stdout("2026-03-01: 1 due, 0 new\n     due  d/q                                           Q?\n");
    let copy = s.path("rehearse.db.backups/2026-03-01_090000Z_before-migration-v1.db");
    let backup =
        rusqlite::Connection::open_with_flags(&copy, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let v: i64 = backup
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 1);
    assert_eq!(
        backup
            .query_row("SELECT count(*) FROM card_state", [], |r| r
                .get::<_, i64>(0))
            .unwrap(),
        1
    );
    assert_eq!(s.count("PRAGMA user_version"), 14);
}

fn generated_bank(deck: &str, n: usize) -> String {
    let mut t = format!("[deck]\nid = \"{deck}\"\ntitle = \"Deck {deck}\"\n");
    for i in 0..n {
        t.push_str(&format!(
            "\n[[question]]\nid = \"q{i}\"\nsection = \"S{}\"\nprompt = \"Question {i} of {deck}: explain it in three layers.\"\npoints = [\"one\", \"two\", \"three\"]\n",
            i % 7
        ));
    }
    t
}

#[test]
fn bad_banks_never_panic_and_big_ones_work() {
    let s = Sandbox::new();
    s.write("many.toml", &generated_bank("many", 100_000));
    s.rehearse(NOW)
        .args(["import", "--dry-run", "many.toml"])
        .assert()
        .success()
        .stdout("dry run, nothing written: 1 deck, 100000 questions: 100000 added, 0 updated, 0 unchanged, 0 retired\n");
    s.write(
        "big.toml",
        &format!(
            "[deck]\nid = \"big\"\ntitle = \"Big\"\n\n[[question]]\nid = \"q\"\nprompt = \"{}\"\n",
            "x".repeat(10 << 20)
        ),
    );
    s.rehearse(NOW)
        .args(["import", "big.toml"])
        .assert()
        .success();
    assert_eq!(
        s.count("SELECT length(prompt) FROM question WHERE id = 'big/q'"),
        10 << 20
    );

    let deep = format!(
        "[deck]\nid = \"deep\"\ntitle = \"D\"\n\n[[question]]\nid = \"q\"\nprompt = \"p\"\ntags = {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    s.write("deep.toml", &deep);
    let out = s
        .rehearse(NOW)
        .args(["import", "deep.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "deep.toml:8:88: invalid TOML: cannot recurse further; max recursion depth met\nrehearse: 1 problem in the bank: nothing was imported; fix it and run again\n"
    );
    s.write("ids.toml", "[deck]\nid = \"ids\"\ntitle = \"I\"\n\n[[question]]\nid = \"has space\"\nprompt = \"p\"\n\n[[question]]\nid = \"a/b\"\nprompt = \"p\"\n");
    s.write(
        "dup.toml",
        "[deck]\nid = \"ids\"\ntitle = \"Again\"\n\n[[question]]\nid = \"ok\"\nprompt = \"p\"\n",
    );
    let out = s
        .rehearse(NOW)
        .args(["import", "ids.toml", "dup.toml"])
        .output()
        .unwrap();
    assert_eq!(
        stderr(&out),
        "ids.toml:6:6: question \"has space\": id is not kebab-case: use lowercase letters, digits and single hyphens\n\
         ids.toml:10:6: question \"a/b\": id is not kebab-case: use lowercase letters, digits and single hyphens\n\
         rehearse: 2 problems in the bank: nothing was imported; fix them and run again\n"
    );
    s.write(
        "ids.toml",
        "[deck]\nid = \"ids\"\ntitle = \"I\"\n\n[[question]]\nid = \"fine\"\nprompt = \"p\"\n",
    );
    let out = s
        .rehearse(NOW)
        .args(["import", "ids.toml", "dup.toml"])
        .output()
        .unwrap();
    assert_eq!(
        stderr(&out),
        "dup.toml:2:6: deck id \"ids\" is already used by ids.toml: give each deck file its own id\n\
         rehearse: 1 problem in the bank: nothing was imported; fix it and run again\n"
    );
    s.write("bom.toml", "\u{feff}[deck]\r\nid = \"bom\"\r\ntitle = \"B\"\r\n\r\n[[question]]\r\nid = \"q\"\r\nprompt = \"p\"\r\n");
    s.rehearse(NOW)
        .args(["import", "bom.toml"])
        .assert()
        .success();
    std::fs::write(
        s.path("latin1.toml"),
        b"[deck]\nid = \"l\"\ntitle = \"Caf\xe9\"\n",
    )
    .unwrap();
    let out = s
        .rehearse(NOW)
        .args(["import", "latin1.toml"])
        .output()
        .unwrap();
    assert_eq!(
        stderr(&out),
        "latin1.toml:3:1: not valid UTF-8 (byte 28): save the file as UTF-8\n\
         rehearse: 1 problem in the bank: nothing was imported; fix it and run again\n"
    );
}

#[test]
fn import_stats_and_export_run_while_a_review_is_open() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    s.write("team.toml", &generated_bank("team", 500));
    let mut review = LiveReview::start(&s, NOW, &[]);
    review.grade("4");
    // With the review waiting at its prompt, every other command works.
    s.rehearse(NOW).arg("import").assert().success();
    s.rehearse(NOW)
        .args(["import", "team.toml"])
        .assert()
        .success();
    s.rehearse(NOW).arg("stats").assert().success();
    let backup = s.rehearse(NOW).arg("export").output().unwrap();
    assert!(backup.status.success());
    assert!(stdout(&backup).contains("\"question\":\"go-runtime/gmp-model\""));
    review.grade("5");
    // And while the others run in a loop, the review goes on grading.
    let others: Vec<Child> = (0..4)
        .map(|i| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_rehearse"));
            c.env("REHEARSE_DB", s.db())
                .env("REHEARSE_NOW", NOW)
                .env("TZ", "UTC")
                .stdout(Stdio::null());
            match i {
                0 => c.args(["import", s.path("team.toml").to_str().unwrap()]),
                1 => c.arg("stats"),
                2 => c.arg("export"),
                _ => c.arg("import"),
            };
            c.spawn().unwrap()
        })
        .collect();
    review.grade("3");
    for mut c in others {
        assert!(c.wait().unwrap().success());
    }
    review.send("q\n");
    assert!(review.child.wait().unwrap().success());
    assert_eq!(s.count("SELECT count(*) FROM review_log"), 3);
    assert_eq!(s.count("SELECT count(*) FROM card_state"), 3);
    assert_eq!(s.count("SELECT count(*) FROM question"), 741);
}

#[test]
fn racing_imports_both_land_whole() {
    for round in 0..4 {
        let s = Sandbox::new();
        s.write("a.toml", &generated_bank("alpha", 3000));
        s.write("b.toml", &generated_bank("beta", 3000));
        let run = |file: &str| {
            Command::new(env!("CARGO_BIN_EXE_rehearse"))
                .args(["import", file])
                .current_dir(s.dir.path())
                .env("REHEARSE_DB", s.db())
                .env("REHEARSE_NOW", NOW)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (run("a.toml"), run("b.toml"));
        for c in [a, b] {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", stderr(&out));
        }
        assert_eq!(
            s.count("SELECT count(*) FROM question"),
            6000,
            "round {round}"
        );
        assert_eq!(
            s.count("SELECT count(DISTINCT position) FROM deck"),
            2,
            "round {round}: decks got their own places"
        );
    }
}

#[test]
fn sigkill_at_any_moment_of_an_import_leaves_before_or_after() {
    let s = Sandbox::new();
    s.write("small.toml", &generated_bank("small", 3));
    s.rehearse(NOW)
        .args(["import", "small.toml"])
        .assert()
        .success();
    s.write("big.toml", &generated_bank("big", 20_000));
    let mut outcomes = [0, 0];
    for delay_ms in (0..200).step_by(15) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rehearse"))
            .args(["import", "big.toml"])
            .current_dir(s.dir.path())
            .env("REHEARSE_DB", s.db())
            .env("REHEARSE_NOW", NOW)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        let n = s.count("SELECT count(*) FROM question");
        assert!(
            n == 3 || n == 20_003,
            "after a kill at {delay_ms} ms: {n} questions"
        );
        outcomes[(n == 20_003) as usize] += 1;
        assert_eq!(s.integrity(), "ok");
        if n == 20_003 {
            // Start again from "before" so later kills land mid-import too.
            s.sql().execute_batch("DELETE FROM question WHERE deck_id = 'big'; DELETE FROM deck WHERE id = 'big';").unwrap();
        }
    }
    assert!(
        outcomes[0] > 0,
        "no kill landed before the commit: {outcomes:?}"
    );
}

#[test]
fn sigkill_during_review_loses_at_most_the_question_on_screen() {
    for graded in 1..=4usize {
        let s = Sandbox::new();
        s.rehearse(NOW).arg("import").assert().success();
        let mut review = LiveReview::start(&s, NOW, &[]);
        for _ in 0..graded {
            review.grade("2");
        }
        // The next question is on screen and half answered.
        review.send("\nab");
        review.child.kill().unwrap();
        review.child.wait().unwrap();
        assert_eq!(s.count("SELECT count(*) FROM review_log"), graded as i64);
        assert_eq!(s.count("SELECT count(*) FROM card_state"), graded as i64);
        assert_eq!(s.integrity(), "ok");
    }
}
