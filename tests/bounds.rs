//! Bounded input: banks, backups, clocks and variables that could hang rehearse, exhaust its
//! memory or write a value the store cannot read back are refused with one line.
mod common;
use common::*;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::time::{Duration, Instant};

const NOW: &str = "2026-03-01T09:00:00Z";
/// Long enough for a slow machine, short enough that a hang fails the test.
const HANG: Duration = Duration::from_secs(60);

/// A deck of `n` questions; `bad` turns each into three problems (a duplicate id, an empty
/// prompt and an unknown key).
fn deck(n: usize, bad: bool) -> String {
    let mut t = String::from("[deck]\nid = \"d\"\ntitle = \"D\"\n");
    for i in 0..n {
        if bad {
            t.push_str("\n[[question]]\nid = \"same\"\nprompt = \" \"\ncolour = 1\n");
        } else {
            t.push_str(&format!(
                "\n[[question]]\nid = \"q{i}\"\nprompt = \"P{i}?\"\n"
            ));
        }
    }
    t
}

/// The fastest of three dry runs of a bank, in seconds.
fn dry_run_secs(s: &Sandbox, file: &str) -> f64 {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            let out = s
                .rehearse(NOW)
                .args(["import", "--dry-run", file])
                .timeout(HANG)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1));
            t.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min)
}

#[test]
fn validation_time_per_problem_does_not_grow_with_the_number_of_problems() {
    // Not a timed test: the time per problem at 10x the problems, against the time per
    // problem at 1x. Locating each problem by rescanning the file made it about 10x.
    let s = Sandbox::new();
    s.write("small.toml", &deck(1_000, true));
    s.write("large.toml", &deck(10_000, true));
    let small = dry_run_secs(&s, "small.toml") / 1_000.0;
    let large = dry_run_secs(&s, "large.toml") / 10_000.0;
    assert!(
        large < small * 3.0,
        "per problem: {large:.2e} s at 10,000 questions, {small:.2e} s at 1,000"
    );
}

#[test]
fn only_the_first_100_problems_are_printed_then_how_many_more() {
    let s = Sandbox::new();
    s.write("bad.toml", &deck(50, true));
    let out = s
        .rehearse(NOW)
        .args(["import", "bad.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    // 50 questions: 49 duplicates, 50 empty prompts, 50 unknown keys.
    assert_eq!(lines.len(), 102, "{err}");
    assert!(lines[..100].iter().all(|l| l.starts_with("bad.toml:")));
    assert_eq!(lines[100], "and 49 more problems");
    assert_eq!(
        lines[101],
        "rehearse: 149 problems in the bank: nothing was imported; fix them and run again"
    );
}

#[test]
fn symlink_loops_end_and_a_linked_folder_or_file_is_read_once() {
    let s = Sandbox::new();
    s.write("bank/d.toml", &deck(3, false));
    std::os::unix::fs::symlink(".", s.path("bank/a")).unwrap();
    std::os::unix::fs::symlink(".", s.path("bank/b")).unwrap();
    std::os::unix::fs::symlink("d.toml", s.path("bank/same.toml")).unwrap();
    let out = s
        .rehearse(NOW)
        .args(["import", "bank"])
        .timeout(HANG)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "imported: 1 deck, 3 questions: 3 added, 0 updated, 0 unchanged, 0 retired\n"
    );
}

#[test]
fn a_fifo_a_device_and_a_huge_file_are_refused_not_read() {
    let s = Sandbox::new();
    std::fs::create_dir(s.path("bank")).unwrap();
    let fifo = s.path("bank/pipe.toml");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink("/dev/zero", s.path("zero.toml")).unwrap();
    let huge = std::fs::File::create(s.path("huge.toml")).unwrap();
    huge.set_len(65 << 20).unwrap(); // sparse: no disk used
    let cases = [
        (
            "bank",
            "rehearse: bank/pipe.toml is not a regular file (a pipe, device or socket): pass bank files\n",
        ),
        (
            "zero.toml",
            "rehearse: zero.toml is not a regular file (a pipe, device or socket): pass bank files\n",
        ),
        (
            "huge.toml",
            "rehearse: huge.toml is 65 MB, more than the 64 MB a bank file may have: split it into decks\n",
        ),
    ];
    for (path, want) in cases {
        let out = s
            .rehearse(NOW)
            .args(["import", path])
            .timeout(HANG)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{path}");
        assert_eq!(stderr(&out), want);
    }
    assert!(
        !s.db().exists(),
        "bank files are refused before a database is made"
    );
}

/// Runs rehearse with one variable changed; it must fail with exactly `want` and write
/// nothing.
fn refused(s: &Sandbox, args: &[&str], var: &str, value: &OsStr, want: &str) {
    let before = s.snapshot();
    let out = s
        .rehearse(NOW)
        .env(var, value)
        .args(args)
        .write_stdin("\n5\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{var}={value:?}");
    assert_eq!(
        stderr(&out),
        format!("rehearse: {want}\n"),
        "{var}={value:?}"
    );
    assert_eq!(s.snapshot(), before, "{var}={value:?}");
}

#[test]
fn a_clock_past_what_the_store_keeps_is_refused_before_anything_is_written() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    for (now, shown) in [
        ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"),
        // 04:00 is when a day starts: before it, the review day is in the year 0
        ("0001-01-01T03:00:00Z", "0001-01-01T03:00:00Z"),
        // the day after must be stored too (a drill or a one-day interval lands there)
        ("9999-12-31T12:00:00+00:00", "9999-12-31T12:00:00Z"),
    ] {
        refused(
            &s,
            &["review"],
            "REHEARSE_NOW",
            OsStr::new(now),
            &format!(
                "REHEARSE_NOW reads {shown}, a review day rehearse cannot store (it keeps the years 1 to 9999): use a time between 0001-01-02 and 9999-12-30"
            ),
        );
    }
    // At both edges a grade is saved, exported and imported back whole.
    for now in ["0001-01-02T09:00:00Z", "9999-12-30T09:00:00Z"] {
        s.review(now, &["--limit", "1"], "\n5\n");
        let backup = s
            .rehearse(now)
            .args(["export", "-o", "b.json"])
            .output()
            .unwrap();
        assert!(backup.status.success(), "{}", stderr(&backup));
        let t = Sandbox::new();
        std::fs::copy(s.path("b.json"), t.path("b.json")).unwrap();
        let out = t.rehearse(now).args(["import", "b.json"]).output().unwrap();
        assert!(out.status.success(), "{now}: {}", stderr(&out));
        s.rehearse(now)
            .args(["review", "--peek"])
            .assert()
            .success();
    }
}

#[test]
fn answer_times_must_be_sensible_milliseconds() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    for bad in ["-1", "abc", "1e3", "", "18446744073709551615", "1800001"] {
        refused(
            &s,
            &["review"],
            "REHEARSE_ANSWER_MS",
            OsStr::new(bad),
            &format!(
                "REHEARSE_ANSWER_MS={bad:?} is not an answer time: use a whole number of milliseconds from 0 to 1800000 (30 minutes), or unset it"
            ),
        );
    }
    s.rehearse(NOW)
        .env("REHEARSE_ANSWER_MS", "1800000")
        .args(["review", "--limit", "1"])
        .write_stdin("\n5\n")
        .assert()
        .success();
    assert_eq!(s.count("SELECT max(answer_ms) FROM review_log"), 1_800_000);
}

#[test]
fn variables_that_are_not_utf8_or_empty_or_relative_are_refused() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    let bad = OsStr::from_bytes(b"2026-03-01\xff");
    refused(
        &s,
        &["review"],
        "REHEARSE_NOW",
        bad,
        "REHEARSE_NOW=2026-03-01\u{fffd} is not valid UTF-8: set it in plain text, or unset it",
    );
    refused(
        &s,
        &["review"],
        "REHEARSE_DAY_STARTS",
        OsStr::from_bytes(b"\xff"),
        "REHEARSE_DAY_STARTS=\u{fffd} is not valid UTF-8: set it in plain text, or unset it",
    );
    refused(
        &s,
        &["stats"],
        "REHEARSE_DB",
        OsStr::new(""),
        "REHEARSE_DB is set but empty: set it to a database path, or unset it for the default database",
    );
    // HOME=relative would put a database under the working folder.
    let out = s
        .rehearse(NOW)
        .env_remove("REHEARSE_DB")
        .env("HOME", "relative")
        .arg("stats")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "rehearse: HOME=relative is not an absolute path, so there is no data folder: set HOME to your home folder, or pass --db PATH or set REHEARSE_DB\n"
    );
    assert!(!s.path("relative").exists());
}

#[test]
fn a_deck_position_past_what_later_imports_can_count_is_refused() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    s.rehearse(NOW)
        .args(["export", "-o", "b.json"])
        .assert()
        .success();
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.path("b.json")).unwrap()).unwrap();
    v["decks"][0]["position"] = serde_json::json!(i64::MAX);
    s.write("far.json", &v.to_string());
    let t = Sandbox::new();
    std::fs::copy(s.path("far.json"), t.path("far.json")).unwrap();
    let out = t
        .rehearse(NOW)
        .args(["import", "far.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "rehearse: far.json: deck \"go-runtime\": position 9223372036854775807 is outside 0-1000000000: the file is damaged; nothing was imported\n"
    );
    assert!(!t.db().exists() || t.count("SELECT count(*) FROM deck") == 0);
    // A database edited to hold such a position: the next import says so in one line.
    s.sql()
        .execute(
            "UPDATE deck SET position = 9223372036854775807 WHERE position = 0",
            [],
        )
        .unwrap();
    s.write(
        "new.toml",
        &deck(1, false).replace("id = \"d\"", "id = \"new\""),
    );
    let out = s
        .rehearse(NOW)
        .args(["import", "new.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with(
            "rehearse: a deck sits at position 9223372036854775807, the last there is"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_backup_with_a_byte_order_mark_restores() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    s.review(NOW, &["--limit", "2"], "\n5\n\n3\n");
    let json = s.rehearse(NOW).args(["export"]).output().unwrap().stdout;
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(json);
    let t = Sandbox::new();
    std::fs::write(t.path("bom.json"), bom).unwrap();
    let out = t
        .rehearse(NOW)
        .args(["import", "bom.json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(t.count("SELECT count(*) FROM review_log"), 2);
}

#[test]
fn a_stream_of_white_space_is_refused_at_its_first_byte() {
    // A FIFO that never ends: reading it whole would never return.
    let s = Sandbox::new();
    let fifo = s.path("spaces.json");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
        let spaces = vec![b' '; 1 << 16];
        // Ends when rehearse closes its end (EPIPE), or after about 4 GB.
        for _ in 0..(1 << 16) {
            if f.write_all(&spaces).is_err() {
                return;
            }
        }
    });
    let out = s
        .rehearse(NOW)
        .args(["import", "spaces.json"])
        .timeout(HANG)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "rehearse: spaces.json: not a rehearse backup (a backup begins with {); nothing was imported\n"
    );
    writer.join().unwrap();
}
