//! Store safety (issue 11): first runs that race, paths and files that are not ours, damaged
//! files, automatic backups, and messages a person can act on. All through the real binary.
mod common;
use common::*;
use std::io::Read;
use std::process::{Command, Stdio};

const NOW: &str = "2026-03-01T09:00:00Z";

fn fails_with(s: &Sandbox, args: &[&str], want: &str) {
    let out = s.rehearse(NOW).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
    assert_eq!(stderr(&out), format!("rehearse: {want}\n"), "{args:?}");
}

fn spawn(s: &Sandbox, args: &[&str], stdin: &str) -> std::process::Child {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(args)
        .current_dir(s.dir.path())
        .env_clear()
        .env("HOME", s.dir.path())
        .env("REHEARSE_DB", s.db())
        .env("REHEARSE_NOW", NOW)
        .env("REHEARSE_ANSWER_MS", "1000")
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let mut input = c.stdin.take().unwrap();
    let _ = input.write_all(stdin.as_bytes());
    c
}

#[test]
fn racing_first_runs_of_review_stats_and_import_all_succeed() {
    for round in 0..6 {
        let s = Sandbox::new();
        let kids: Vec<_> = (0..6)
            .map(|i| match (round + i) % 3 {
                0 => spawn(&s, &["review"], "q\n"),
                1 => spawn(&s, &["stats"], ""),
                _ => spawn(&s, &["import"], ""),
            })
            .collect();
        for k in kids {
            let out = k.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", stderr(&out));
        }
        assert_eq!(
            s.count("SELECT count(*) FROM question"),
            241,
            "round {round}"
        );
        assert_eq!(s.count("SELECT count(*) FROM deck"), 16, "round {round}");
        assert_eq!(s.count("PRAGMA user_version"), 14, "round {round}");
    }
}

#[test]
fn paths_that_are_not_files_are_refused() {
    let s = Sandbox::new();
    let want = |p: &str| {
        format!(
            "database path {p:?} is not a file path (SQLite reads it as an in-memory database or a URI, and nothing would be kept): pass a file path with --db"
        )
    };
    for p in [":memory:", "file:r.db", "file:r.db?mode=memory"] {
        fails_with(&s, &["--db", p, "review", "--peek"], &want(p));
        let out = s
            .rehearse(NOW)
            .env("REHEARSE_DB", p)
            .args(["review"])
            .write_stdin("4\n")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{p}");
        assert!(!stdout(&out).contains("Saved"), "{p}");
    }
    let left: Vec<_> = std::fs::read_dir(s.dir.path()).unwrap().collect();
    assert!(left.is_empty(), "nothing created: {left:?}");
}

#[test]
fn hard_linked_databases_are_refused() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    std::fs::hard_link(s.db(), s.path("other.db")).unwrap();
    let before = std::fs::read(s.db()).unwrap();
    for db in ["rehearse.db", "other.db"] {
        fails_with(
            &s,
            &["--db", db, "review"],
            &format!(
                "{db} has 2 hard links, and SQLite would keep a separate journal for each name, losing writes: remove the other links (or copy the file) and use one path"
            ),
        );
    }
    assert_eq!(std::fs::read(s.db()).unwrap(), before);
    assert!(!s.path("other.db-wal").exists());
}

#[test]
fn export_never_writes_over_the_database() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    // A WAL and -shm held open by a running review.
    let mut review = LiveReview::start(&s, NOW, &[]);
    review.grade("4");
    std::os::unix::fs::symlink(s.db(), s.path("link.json")).unwrap();
    std::fs::create_dir(s.path("sub")).unwrap();
    let db = s.db().display().to_string();
    let cases = [
        (
            db.clone(),
            format!("{db} is the database: write the export to another path"),
        ),
        (
            "rehearse.db".into(),
            "rehearse.db is the database: write the export to another path".into(),
        ),
        (
            "sub/../rehearse.db".into(),
            "sub/../rehearse.db is the database: write the export to another path".into(),
        ),
        (
            "link.json".into(),
            "link.json is the database: write the export to another path".into(),
        ),
        (
            "rehearse.db-wal".into(),
            "rehearse.db-wal is the database's wal: write the export to another path".into(),
        ),
        (
            "rehearse.db-shm".into(),
            "rehearse.db-shm is the database's shm: write the export to another path".into(),
        ),
    ];
    for (target, want) in &cases {
        for format in ["json", "csv"] {
            fails_with(&s, &["export", "--format", format, "-o", target], want);
        }
    }
    review.grade("5");
    review.send("q\n");
    assert!(review.child.wait().unwrap().success());
    assert_eq!(s.count("SELECT count(*) FROM review_log"), 2);
    assert_eq!(s.integrity(), "ok");
}

#[test]
fn export_writes_through_a_symlink_and_clears_its_own_stale_temporaries() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    std::fs::create_dir(s.path("real")).unwrap();
    std::os::unix::fs::symlink("real/backup.json", s.path("latest.json")).unwrap();
    // What a killed export left: its temporary (no lock held any more), and a file that only
    // looks like one.
    s.write("real/.backup.json.4242.tmp", "half a backup");
    s.write("real/.backup.json.notes.tmp", "mine");
    s.rehearse(NOW)
        .args(["export", "-o", "latest.json"])
        .assert()
        .success();
    let link = std::fs::symlink_metadata(s.path("latest.json")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    let text = std::fs::read_to_string(s.path("real/backup.json")).unwrap();
    assert!(
        text.contains("\"format\""),
        "{}",
        &text[..100.min(text.len())]
    );
    assert!(!s.path("real/.backup.json.4242.tmp").exists());
    assert!(s.path("real/.backup.json.notes.tmp").exists());
    let mut names: Vec<String> = std::fs::read_dir(s.path("real"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [".backup.json.notes.tmp", "backup.json"]);
}

/// A version-`v` schema as rehearse would have made it, but with a table of another
/// program's beside it, or another program's tables with rehearse's version number.
fn foreign_file(s: &Sandbox, name: &str, version: i64) -> Vec<u8> {
    let conn = rusqlite::Connection::open(s.path(name)).unwrap();
    conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    conn.pragma_update(None, "user_version", version).unwrap();
    drop(conn);
    std::fs::read(s.path(name)).unwrap()
}

#[test]
fn another_programs_sqlite_file_stays_byte_for_byte() {
    let s = Sandbox::new();
    for v in [0, 1, 4, 77] {
        let name = format!("other-{v}.db");
        let before = foreign_file(&s, &name, v);
        for args in [
            &["stats"][..],
            &["review", "--peek"],
            &["import"],
            &["export"],
            &["review"],
        ] {
            let mut all = vec!["--db", &name];
            all.extend_from_slice(args);
            fails_with(
                &s,
                &all,
                &format!(
                    "{name} is an SQLite database of another program, not rehearse's: pass another --db path"
                ),
            );
        }
        assert_eq!(std::fs::read(s.path(&name)).unwrap(), before, "{name}");
        for suffix in ["-wal", "-shm", ".backups"] {
            assert!(
                !s.path(&format!("{name}{suffix}")).exists(),
                "{name}{suffix}"
            );
        }
    }
    // Rehearse's own tables at version 2 but with user_version 4: not what version 4 is.
    let conn = rusqlite::Connection::open(s.path("odd.db")).unwrap();
    conn.execute_batch(include_str!("../migrations/0001_init.sql"))
        .unwrap();
    conn.pragma_update(None, "user_version", 4).unwrap();
    drop(conn);
    let before = std::fs::read(s.path("odd.db")).unwrap();
    fails_with(
        &s,
        &["--db", "odd.db", "stats"],
        "odd.db is an SQLite database of another program, not rehearse's: pass another --db path",
    );
    assert_eq!(std::fs::read(s.path("odd.db")).unwrap(), before);
}

#[test]
fn a_file_too_short_to_be_a_database_is_not_replaced() {
    let s = Sandbox::new();
    for (name, bytes) in [
        ("one.db", &b"x"[..]),
        ("magic.db", b"SQLite format"),
        ("nl.db", b"\n"),
    ] {
        std::fs::write(s.path(name), bytes).unwrap();
        fails_with(
            &s,
            &["--db", name, "review"],
            &format!(
                "{name} is not a rehearse database (not SQLite, or damaged): pass another --db path, or restore it from a backup"
            ),
        );
        assert_eq!(std::fs::read(s.path(name)).unwrap(), bytes);
    }
    // An empty file is a new database, as SQLite itself treats it.
    std::fs::write(s.path("empty.db"), b"").unwrap();
    s.rehearse(NOW)
        .args(["--db", "empty.db", "import"])
        .assert()
        .success();
}

/// A review database with history, checkpointed into one file.
fn reviewed_db(s: &Sandbox) -> Vec<u8> {
    s.rehearse(NOW).arg("import").assert().success();
    s.review(NOW, &[], "4\n3\n5\n2\nq\n");
    s.sql()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    std::fs::read(s.db()).unwrap()
}

#[test]
fn a_damaged_database_is_refused_and_never_written() {
    let s = Sandbox::new();
    let good = reviewed_db(&s);
    let mut refused = 0;
    // Flip one byte of the b-tree page header (type, freeblock, cell count, content start) of
    // pages spread over the file: a flip inside question text would leave a sound database.
    let page_size = u16::from_be_bytes([good[16], good[17]]) as usize;
    let pages = good.len() / page_size;
    let offsets = (0..pages)
        .step_by((pages / 97).max(1))
        .enumerate()
        .map(|(i, p)| p * page_size + if p == 0 { 100 } else { 0 } + i % 6);
    for (i, offset) in offsets.enumerate() {
        let mut bad = good.clone();
        bad[offset] ^= 0x55;
        let name = format!("flip-{i}.db");
        std::fs::write(s.path(&name), &bad).unwrap();
        let sound = rusqlite::Connection::open_with_flags(
            s.path(&name),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .and_then(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0)))
        .is_ok_and(|r| r == "ok");
        for (args, input) in [
            (&["stats"][..], ""),
            (&["review"], "4\n5\nq\n"),
            (&["export"], ""),
        ] {
            let mut all = vec!["--db", &name];
            all.extend_from_slice(args);
            let out = s
                .rehearse(NOW)
                .args(&all)
                .write_stdin(input)
                .output()
                .unwrap();
            let err = stderr(&out);
            assert!(
                out.status.code() == Some(0) || out.status.code() == Some(1),
                "{name} {args:?}: {err}"
            );
            assert!(
                !err.contains("utf-8") && !err.contains("panicked"),
                "{name}: {err}"
            );
            if !sound {
                assert_eq!(
                    err,
                    format!(
                        "rehearse: {name} is damaged (SQLite: database disk image is malformed): restore it from a backup (rehearse backups), or pass another --db path\n"
                    ),
                    "{name} {args:?}"
                );
                assert_eq!(
                    std::fs::read(s.path(&name)).unwrap(),
                    bad,
                    "{name} was written"
                );
            } else if out.status.code() == Some(1) {
                assert_eq!(err.lines().count(), 1, "{name} {args:?}: {err}");
            }
        }
        if !sound {
            refused += 1;
        }
    }
    assert!(refused > 10, "only {refused} damaged files among the flips");
}

#[test]
fn output_errors_name_the_output_and_closed_pipes_are_silent() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    if std::path::Path::new("/dev/full").exists() {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_rehearse"))
            .arg("stats")
            .env("REHEARSE_DB", s.db())
            .env("REHEARSE_NOW", NOW)
            .env("TZ", "UTC")
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            stderr(&out),
            "rehearse: cannot write the output (No space left on device (os error 28)): check where it goes (a full disk?)\n"
        );
    }
    // The reader goes away before a byte is written: text and JSON alike end quietly.
    for args in [
        &["stats"][..],
        &["stats", "--json"],
        &["export"],
        &["review", "--peek", "--json"],
    ] {
        let mut c = Command::new(env!("CARGO_BIN_EXE_rehearse"))
            .args(args)
            .env("REHEARSE_DB", s.db())
            .env("REHEARSE_NOW", NOW)
            .env("TZ", "UTC")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(c.stdout.take());
        let status = c.wait().unwrap();
        let mut err = String::new();
        c.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        assert!(status.success(), "{args:?}: {err}");
        assert_eq!(err, "", "{args:?}");
    }
}

fn backups_of(s: &Sandbox) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(s.path("rehearse.db.backups"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                // The restore lock (.restore.lock) is no copy.
                .filter(|n| n != ".restore.lock")
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn the_first_write_of_each_day_keeps_a_backup() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    assert_eq!(
        backups_of(&s),
        Vec::<String>::new(),
        "an empty database needs no copy"
    );
    s.review(NOW, &[], "4\nq\n");
    s.review("2026-03-01T10:00:00Z", &[], "4\nq\n");
    assert_eq!(backups_of(&s), ["2026-03-01_090000Z_daily.db"]);
    // The copy holds the database as it was before the day's first write.
    let copy =
        rusqlite::Connection::open(s.path("rehearse.db.backups/2026-03-01_090000Z_daily.db"))
            .unwrap();
    let logged: i64 = copy
        .query_row("SELECT count(*) FROM review_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(logged, 0);
    // Reading commands keep none.
    s.rehearse("2026-03-02T09:00:00Z")
        .arg("stats")
        .assert()
        .success();
    assert_eq!(backups_of(&s).len(), 1);
    s.review("2026-03-02T09:00:00Z", &[], "4\nq\n");
    assert_eq!(
        backups_of(&s),
        ["2026-03-01_090000Z_daily.db", "2026-03-02_090000Z_daily.db"]
    );
    // Thirty days of use keep 7 days and up to 4 weeks before them.
    for d in 3..=31 {
        s.review(
            &format!("2026-03-{d:02}T09:00:00Z"),
            &["--limit", "1"],
            "5\nq\n",
        );
    }
    let names = backups_of(&s);
    assert_eq!(
        &names[names.len() - 7..],
        (25..=31)
            .map(|d| format!("2026-03-{d}_090000Z_daily.db"))
            .collect::<Vec<_>>()
    );
    assert!(names.len() <= 11, "{names:?}");
    let listed = s
        .rehearse("2026-03-31T10:00:00Z")
        .arg("backups")
        .output()
        .unwrap();
    assert!(listed.status.success());
    let text = stdout(&listed);
    assert!(text.contains("2026-03-31_090000Z_daily.db"), "{text}");
    assert!(text.contains("rehearse backups restore NAME"), "{text}");
    let json = s
        .rehearse("2026-03-31T10:00:00Z")
        .args(["backups", "--json"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), names.len());
    assert_eq!(rows[names.len() - 1]["reason"], "daily");
}

#[test]
fn prune_restore_and_migration_keep_a_copy_first() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    s.review(NOW, &[], "4\nq\n");
    let exported = s.rehearse(NOW).arg("export").output().unwrap();
    std::fs::write(s.path("own.json"), &exported.stdout).unwrap();
    // A merge of its own backup writes nothing, so it keeps no copy.
    s.rehearse(NOW)
        .args(["import", "own.json"])
        .assert()
        .success();
    // A backup with a review this database lacks: a copy first.
    let other = Sandbox::new();
    other.rehearse(NOW).arg("import").assert().success();
    other.review("2026-03-01T09:00:01Z", &[], "3\nq\n");
    let exported = other.rehearse(NOW).arg("export").output().unwrap();
    std::fs::write(s.path("b.json"), &exported.stdout).unwrap();
    s.rehearse("2026-03-01T09:00:01Z")
        .args(["import", "b.json"])
        .assert()
        .success();
    s.write("team.toml", "[deck]\nid = \"go-runtime\"\ntitle = \"Go\"\n\n[[question]]\nid = \"only\"\nsection = \"S\"\nprompt = \"Q?\"\npoints = [\"a\"]\n");
    s.rehearse("2026-03-01T09:00:02Z")
        .args(["import", "--prune", "team.toml"])
        .assert()
        .success();
    s.rehearse("2026-03-01T09:00:03Z")
        .args(["import", "--dry-run", "--prune", "team.toml"])
        .assert()
        .success();
    assert_eq!(
        backups_of(&s),
        [
            "2026-03-01_090000Z_daily.db",
            "2026-03-01_090001Z_before-import-backup.db",
            "2026-03-01_090002Z_before-prune.db",
        ]
    );
}

#[test]
fn backups_restore_puts_a_copy_back_and_keeps_the_current_one() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    s.review(NOW, &[], "4\n4\nq\n");
    let day2 = "2026-03-02T09:00:00Z";
    s.review(day2, &[], "5\n5\n5\nq\n");
    assert_eq!(s.count("SELECT count(*) FROM review_log"), 5);
    let out = s
        .rehearse("2026-03-02T12:00:00Z")
        .args(["backups", "restore", "2026-03-02_090000Z_daily.db"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("Restored "), "{}", stdout(&out));
    assert_eq!(
        s.count("SELECT count(*) FROM review_log"),
        2,
        "day 1's grades only"
    );
    let kept = s.path("rehearse.db.backups/2026-03-02_120000Z_before-restore.db");
    let c = rusqlite::Connection::open(&kept).unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM review_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 5, "the database as it was is kept");
    // And back again.
    s.rehearse("2026-03-02T12:30:00Z")
        .args(["backups", "restore", "2026-03-02_120000Z_before-restore.db"])
        .assert()
        .success();
    assert_eq!(s.count("SELECT count(*) FROM review_log"), 5);
    fails_with(
        &s,
        &["backups", "restore", "nope.db"],
        &format!(
            "no backup named \"nope.db\" in {}: run `rehearse backups` to list them (newest: 2026-03-02_123000Z_before-restore.db)",
            s.path("rehearse.db.backups").display()
        ),
    );
}

#[test]
fn a_damaged_database_is_replaced_by_a_backup_and_kept_aside() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    s.review(NOW, &[], "4\nq\n");
    s.review("2026-03-02T09:00:00Z", &[], "4\nq\n");
    s.sql()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    let mut bytes = std::fs::read(s.db()).unwrap();
    for b in &mut bytes[8192..20480] {
        *b = 0x5a;
    }
    std::fs::write(s.db(), &bytes).unwrap();
    let out = s
        .rehearse("2026-03-02T10:00:00Z")
        .arg("stats")
        .output()
        .unwrap();
    assert!(stderr(&out).contains("is damaged"), "{}", stderr(&out));
    let out = s
        .rehearse("2026-03-02T10:00:00Z")
        .args(["backups", "restore", "2026-03-02_090000Z_daily.db"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("The damaged file is kept as"),
        "{}",
        stdout(&out)
    );
    assert_eq!(s.count("SELECT count(*) FROM review_log"), 1);
    assert_eq!(
        std::fs::read(s.path("rehearse.db.damaged-20260302T100000Z")).unwrap(),
        bytes
    );
    s.rehearse("2026-03-02T10:00:00Z")
        .arg("stats")
        .assert()
        .success();
}

#[test]
fn a_broken_or_half_written_copy_is_never_trusted() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    s.review(NOW, &[], "4\nq\n");
    let dir = s.path("rehearse.db.backups");
    // A temporary a killed backup left, and a truncated copy under a real name.
    std::fs::write(dir.join(".tmp-99-1.db"), b"SQLite format 3\0partial").unwrap();
    let whole = std::fs::read(dir.join("2026-03-01_090000Z_daily.db")).unwrap();
    std::fs::write(
        dir.join("2026-02-28_090000Z_daily.db"),
        &whole[..whole.len() / 2],
    )
    .unwrap();
    let listed = stdout(&s.rehearse(NOW).arg("backups").output().unwrap());
    assert!(!listed.contains(".tmp-"), "{listed}");
    let before = s.snapshot();
    let out = s
        .rehearse(NOW)
        .args(["backups", "restore", "2026-02-28_090000Z_daily.db"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "rehearse: this backup cannot be restored: {} is damaged: choose another (rehearse backups lists them)\n",
            dir.join("2026-02-28_090000Z_daily.db").display()
        )
    );
    assert_eq!(s.snapshot(), before, "the database was not touched");
}

#[test]
fn sigkill_during_the_pre_migration_copy_leaves_no_trusted_broken_copy() {
    for delay_ms in [0u64, 5, 10, 20, 40, 80] {
        let s = Sandbox::new();
        // A version-1 database big enough that the copy takes a while.
        let conn = s.sql();
        conn.execute_batch(include_str!("../migrations/0001_init.sql"))
            .unwrap();
        conn.execute_batch("INSERT INTO deck VALUES ('d', 'D', NULL, 0);")
            .unwrap();
        let tx = conn.unchecked_transaction().unwrap();
        for i in 0..20000 {
            tx.execute(
                "INSERT INTO question VALUES (?1, 'd', 'S', ?2, '[]', '[\"a point that takes some room\"]', ?3, 0)",
                rusqlite::params![format!("d/q{i}"), format!("Question {i} with a prompt of some length?"), i],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        drop(conn);
        let mut c = spawn(&s, &["review", "--peek"], "");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = c.kill();
        let _ = c.wait();
        // Whatever the moment, a listed copy is whole, and the next run makes one if needed.
        let out = s.rehearse(NOW).args(["review", "--peek"]).output().unwrap();
        assert!(out.status.success(), "{delay_ms} ms: {}", stderr(&out));
        let names = backups_of(&s);
        let copies: Vec<&String> = names.iter().filter(|n| !n.starts_with(".tmp-")).collect();
        // A kill after a copy was linked but before the migration committed leaves that
        // copy, and the next run (same clock) makes a second, "-2": both whole.
        assert!(!copies.is_empty(), "{delay_ms} ms: {names:?}");
        for c in &copies {
            let copy =
                rusqlite::Connection::open(s.path(&format!("rehearse.db.backups/{c}"))).unwrap();
            let v: i64 = copy
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            let n: i64 = copy
                .query_row("SELECT count(*) FROM question", [], |r| r.get(0))
                .unwrap();
            assert_eq!((v, n), (1, 20000), "{delay_ms} ms: {c}");
        }
        assert_eq!(s.count("PRAGMA user_version"), 14);
    }
}

/// `chattr +i` makes a file unwritable even for root, as a file of another user is for
/// anyone else; it needs a file system with attributes (ext4 here).
fn immutable(path: &std::path::Path, on: bool) -> bool {
    Command::new("chattr")
        .arg(if on { "+i" } else { "-i" })
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn a_shm_file_that_cannot_be_written_is_named() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    let shm = s.path("rehearse.db-shm");
    std::fs::write(&shm, b"").unwrap();
    assert!(immutable(&shm, true), "chattr +i is needed for this test");
    let review = s
        .rehearse(NOW)
        .arg("review")
        .write_stdin("4\n")
        .output()
        .unwrap();
    let stats = s.rehearse(NOW).arg("stats").output().unwrap();
    immutable(&shm, false);
    assert_eq!(review.status.code(), Some(1));
    assert_eq!(
        stderr(&review),
        format!(
            "rehearse: {} cannot be written by you (owned by another user?): with no rehearse running, remove it or give it back to yourself, then try again\n",
            shm.display()
        )
    );
    assert!(
        stats.status.success(),
        "reading still works: {}",
        stderr(&stats)
    );
    assert_eq!(s.count("SELECT count(*) FROM review_log"), 0);
}

#[test]
fn the_default_database_keeps_its_backups_in_the_data_folder() {
    let s = Sandbox::new();
    let run = |now: &str, args: &[&str], input: &str| {
        let out = s
            .rehearse(now)
            .env_remove("REHEARSE_DB")
            .env("XDG_DATA_HOME", s.path("data"))
            .args(args)
            .write_stdin(input)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    run(NOW, &["review"], "4\nq\n");
    run("2026-03-02T09:00:00Z", &["review"], "4\nq\n");
    let dir = s.path("data/rehearse/backups");
    assert!(dir.join("2026-03-02_090000Z_daily.db").is_file());
    assert!(
        !dir.join("2026-03-01_090000Z_daily.db").exists(),
        "a new database had nothing to keep"
    );
    let listed = run("2026-03-02T10:00:00Z", &["backups"], "");
    assert!(
        listed.starts_with(&format!("Backups in {} (newest last):\n", dir.display())),
        "{listed}"
    );
}

#[test]
fn two_restores_of_one_backup_at_once_add_each_log_row_once() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    s.review(NOW, &[], "4\n3\n5\n2\n4\nq\n");
    s.review("2026-03-02T09:00:00Z", &[], "4\n4\n4\nq\n");
    let logged = s.count("SELECT count(*) FROM review_log");
    let backup = s.rehearse(NOW).arg("export").output().unwrap();
    for round in 0..4 {
        let t = Sandbox::new();
        t.write("b.json", &stdout(&backup));
        let kids: Vec<_> = (0..2)
            .map(|_| spawn(&t, &["import", "b.json"], ""))
            .collect();
        for k in kids {
            let out = k.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", stderr(&out));
        }
        assert_eq!(
            t.count("SELECT count(*) FROM review_log"),
            logged,
            "round {round}"
        );
    }
}

/// A restore holds the write lock for seconds at a time (the whole log of an empty database
/// goes in at once). A grade given meanwhile, past the busy timeout, waits for the restore's
/// turn to end and says so, and is saved: it is not refused after ten seconds. Here the test
/// plays the restore: it holds the restore turn (`.restore.lock`) and the write lock.
#[test]
fn a_grade_beside_a_long_restore_waits_for_it_and_is_saved() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    std::fs::create_dir_all(s.path("rehearse.db.backups")).unwrap();
    let turn = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(s.path("rehearse.db.backups/.restore.lock"))
        .unwrap();
    turn.lock().unwrap();
    let conn = s.sql();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut kid = spawn(&s, &["review", "--limit", "1"], "4\n");
    // Past the busy timeout (10 s) the review says it waits; only then does the restore end.
    let mut err = kid.stderr.take().unwrap();
    let mut said = Vec::new();
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&said).contains("waiting for it to finish") {
        assert_eq!(
            err.read(&mut byte).unwrap(),
            1,
            "stderr: {}",
            String::from_utf8_lossy(&said)
        );
        said.push(byte[0]);
    }
    conn.execute_batch("COMMIT").unwrap();
    turn.unlock().unwrap();
    err.read_to_end(&mut said).unwrap();
    assert!(
        kid.wait().unwrap().success(),
        "{}",
        String::from_utf8_lossy(&said)
    );
    assert_eq!(
        String::from_utf8_lossy(&said),
        "rehearse: a restore into this database is running: waiting for it to finish\n"
    );
    assert_eq!(s.count("SELECT count(*) FROM review_log"), 1);
}
