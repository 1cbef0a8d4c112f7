mod common;
use common::*;
use predicates::prelude::*;

const NOW: &str = "2026-03-01T09:00:00Z";

/// A database with the built-in bank and two days of reviews, drills and a letter grade.
/// Day 1: gmp-model covers a and c of 5 points, its two musts (grade 3 offered, accepted), gomaxprocs 2,
/// work-stealing 4, goroutine-stack-growth 5; drill gmp-model 4, then quit. Day 2: the four are
/// due: 5, 3, 4, 1; drill gomaxprocs 5, then end of input. 4 states, 10 log rows.
fn with_history() -> Sandbox {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    s.rehearse(NOW)
        .args(["review", "--limit", "4"])
        .write_stdin("\nac\n\n2\n4\n5\n4\nq\n")
        .assert()
        .success();
    s.rehearse("2026-03-02T09:00:00Z")
        .args(["review", "--new", "0"])
        .write_stdin("5\n3\n4\n1\n5\n")
        .assert()
        .success();
    s
}

fn export(s: &Sandbox, now: &str, args: &[&str]) -> String {
    let out = s.rehearse(now).arg("export").args(args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// The decks and questions of a JSON backup, without states (the bank part).
fn bank_part(json: &str) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    for q in v["questions"].as_array_mut().unwrap() {
        q["state"] = serde_json::Value::Null;
    }
    serde_json::json!([v["decks"], v["questions"]])
}

#[test]
fn toml_export_reimports_unchanged_and_rebuilds_the_same_bank() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    s.rehearse(NOW)
        .args(["export", "--format", "toml", "-o", "out/"])
        .assert()
        .success()
        .stdout("");
    let files: Vec<_> = std::fs::read_dir(s.path("out")).unwrap().collect();
    assert_eq!(files.len(), 16);
    // Several decks and a path that is neither a folder nor ends in '/': refused, not a
    // folder named like a file.
    for name in ["out.toml", "fresh"] {
        s.rehearse(NOW)
            .args(["export", "--format", "toml", "-o", name])
            .assert()
            .code(1)
            .stderr(format!(
                "rehearse: {name} is not a folder, and the toml format holds one deck per file: pass -o {name}/ for one file per deck, or --deck D\n"
            ));
        assert!(!s.path(name).exists());
    }
    s.rehearse(NOW)
        .args(["export", "--format", "toml", "-o", "fresh/"])
        .assert()
        .success();
    assert_eq!(std::fs::read_dir(s.path("fresh")).unwrap().count(), 16);
    assert!(s.path("out/01-go-runtime.toml").exists());
    s.rehearse(NOW)
        .args(["import", "out"])
        .assert()
        .success()
        .stdout(
            "imported: 16 decks, 241 questions: 0 added, 0 updated, 241 unchanged, 0 retired\n",
        );

    let fresh = Sandbox::new();
    std::fs::rename(s.path("out"), fresh.path("out")).unwrap();
    fresh
        .rehearse(NOW)
        .args(["import", "out"])
        .assert()
        .success();
    assert_eq!(
        bank_part(&export(&fresh, NOW, &[])),
        bank_part(&export(&s, NOW, &[]))
    );

    // One deck to stdout; several need a folder.
    let one = export(&s, NOW, &["--format", "toml", "--deck", "mongodb"]);
    assert!(one.starts_with("[deck]\nid = \"mongodb\"\n"), "{one}");
    assert_eq!(one.matches("[[question]]").count(), 10);
    s.rehearse(NOW).args(["export", "--format", "toml"]).assert().code(1).stderr(
        "rehearse: the toml format holds one deck per file, and 16 decks are selected: pass -o DIR for one file per deck, or --deck D\n",
    );
}

/// A database's indexes, and what each state keeps from the log (lapses, last review).
fn facts(s: &Sandbox) -> Vec<String> {
    s.rows(
        "SELECT name || ': ' || sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL
         UNION ALL SELECT question_id || ' lapses ' || lapses || ' last ' || coalesce(last_grade, '-')
             || ' ' || coalesce(last_missed, '-') FROM card_state ORDER BY 1",
        |r| r.get::<_, String>(0),
    )
}

#[test]
fn json_backup_round_trips_byte_for_byte() {
    let s = with_history();
    let first = export(&s, NOW, &[]);
    assert!(first.starts_with("{\"format\":\"rehearse-backup\",\"version\":3,\n"));
    // serde_json's map sorts its keys: the same backup with its log before its questions,
    // whose rows a restore counts from the database rather than as it reads them.
    let v: serde_json::Value = serde_json::from_str(&first).unwrap();
    let reordered = serde_json::to_string(&v).unwrap();
    assert!(reordered.find("\"log\"") < reordered.find("\"questions\""));
    for text in [&first, &reordered] {
        std::fs::write(s.path("backup.json"), text).unwrap();
        let fresh = Sandbox::new();
        fresh
            .rehearse(NOW)
            .args(["import", s.path("backup.json").to_str().unwrap()])
            .assert()
            .success()
            .stdout("restored: 16 decks and 241 questions added; 4 states taken, 0 kept (as new or newer here); 10 log rows added, 0 already here\n");
        assert_eq!(export(&fresh, NOW, &[]), first);
        // Into an empty database the log goes in with its indexes dropped and built again:
        // the same indexes, and lapses and last reviews taken from it.
        assert_eq!(facts(&fresh), facts(&s));
    }
    assert!(facts(&s).iter().any(|f| f.starts_with("review_log_mock: ")));
    assert!(facts(&s).iter().any(|f| f.contains(" lapses 1 last ")));
    // -o writes the same bytes to a file.
    s.rehearse(NOW)
        .args(["export", "-o", "again.json"])
        .assert()
        .success()
        .stdout("");
    assert_eq!(
        std::fs::read_to_string(s.path("again.json")).unwrap(),
        first
    );
}

#[test]
fn importing_the_same_backup_twice_changes_nothing() {
    let s = with_history();
    s.rehearse(NOW)
        .args(["export", "-o", "b.json"])
        .assert()
        .success();
    let before = export(&s, NOW, &[]);
    s.rehearse(NOW)
        .args(["import", "b.json"])
        .assert()
        .success()
        .stdout("restored: 0 decks and 0 questions added; 0 states taken, 4 kept (as new or newer here); 0 log rows added, 10 already here\n");
    s.rehearse(NOW)
        .args(["import", "b.json"])
        .assert()
        .success();
    assert_eq!(export(&s, NOW, &[]), before);
}

#[test]
fn a_merge_keeps_the_later_review_of_each_question_and_every_log_row() {
    // Two machines start from the same backup, then each reviews a different question.
    let a = Sandbox::new();
    a.rehearse(NOW).arg("import").assert().success();
    a.rehearse(NOW)
        .args(["review", "--limit", "2"])
        .write_stdin("4\n4\n")
        .assert()
        .success();
    a.rehearse(NOW)
        .args(["export", "-o", "start.json"])
        .assert()
        .success();
    let b = Sandbox::new();
    std::fs::copy(a.path("start.json"), b.path("start.json")).unwrap();
    b.rehearse(NOW)
        .args(["import", "start.json"])
        .assert()
        .success();

    // a reviews gmp-model on day 2; b reviews gomaxprocs on day 3 (and so is newer there).
    a.rehearse("2026-03-02T09:00:00Z")
        .args(["review", "--new", "0", "--limit", "1"])
        .write_stdin("5\n")
        .assert()
        .success();
    b.rehearse("2026-03-03T09:00:00Z")
        .args([
            "review",
            "--new",
            "0",
            "--deck",
            "go-runtime",
            "--section",
            "Goroutines, Scheduler & the GMP Model",
        ])
        .write_stdin("s\n3\nq\n")
        .assert()
        .success();
    b.rehearse(NOW)
        .args(["export", "-o", "b.json"])
        .assert()
        .success();
    std::fs::copy(b.path("b.json"), a.path("b.json")).unwrap();
    a.rehearse(NOW)
        .args(["import", "b.json"])
        .assert()
        .success()
        .stdout("restored: 0 decks and 0 questions added; 1 state taken, 1 kept (as new or newer here); 1 log row added, 2 already here\n");
    let state = |id: &str| -> (i64, i64, String) {
        a.sql()
            .query_row(
                "SELECT n, interval, last_review FROM card_state WHERE question_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap()
    };
    assert_eq!(
        state("go-runtime/gmp-model"),
        (2, 6, "2026-03-02T09:00:00.000Z".into()),
        "a's own, newer"
    );
    assert_eq!(
        state("go-runtime/gomaxprocs"),
        (2, 6, "2026-03-03T09:00:00.000Z".into()),
        "b's, newer"
    );
    assert_eq!(a.count("SELECT count(*) FROM review_log"), 4);
}

#[test]
fn truncated_corrupt_and_newer_backups_are_refused_and_nothing_is_written() {
    let s = with_history();
    let full = export(&s, NOW, &[]);
    let before = s.snapshot();
    s.write("cut.json", &full[..full.len() / 2]);
    s.write("junk.json", "this is not json");
    s.write("other.json", "{\"name\": \"something else\"}");
    s.write(
        "newer.json",
        &full.replace("\"version\":3", "\"version\":4"),
    );
    s.write(
        "grade.json",
        &full.replacen("\"grade\":", "\"grade\":9,\"x\":", 1),
    );
    let mut seven: serde_json::Value = serde_json::from_str(&full).unwrap();
    seven["questions"][0]["points"] = serde_json::json!(["a", "b", "c", "d", "e", "f", "g"]);
    s.write("points.json", &seven.to_string());
    let edited = |name: &str, f: &dyn Fn(&mut serde_json::Value)| {
        let mut v: serde_json::Value = serde_json::from_str(&full).unwrap();
        f(&mut v);
        s.write(name, &v.to_string());
    };
    edited("far.json", &|v| {
        v["questions"][0]["state"]["due"] = serde_json::json!("+10000-01-01")
    });
    edited("huge.json", &|v| {
        v["log"][0]["answer_ms"] = serde_json::json!(u64::MAX)
    });
    edited("title.json", &|v| {
        v["decks"][0]["title"] = serde_json::json!(" ")
    });
    edited("positions.json", &|v| {
        v["decks"][1]["position"] = v["decks"][0]["position"].clone()
    });
    let cases = [
        (
            "cut.json",
            "rehearse: cut.json: the file ends early at line",
        ),
        (
            "junk.json",
            "rehearse: junk.json: not a rehearse backup (a backup begins with {)",
        ),
        (
            "other.json",
            "rehearse: other.json: not a rehearse backup (no \"format\": \"rehearse-backup\")",
        ),
        (
            "newer.json",
            "rehearse: newer.json: written by a newer rehearse (backup version 4, this one reads 3): upgrade rehearse",
        ),
        (
            "grade.json",
            "rehearse: grade.json: damaged backup (unknown field `x`",
        ),
        (
            "far.json",
            "rehearse: far.json: question \"go-runtime/gmp-model\": the date +10000-01-01 is outside the years 1-9999",
        ),
        (
            "huge.json",
            "rehearse: huge.json: log row 1: 18446744073709551615 is too large to store",
        ),
        (
            "title.json",
            "rehearse: title.json: deck \"go-runtime\": an empty or untrimmed title or guidance",
        ),
        (
            "positions.json",
            "rehearse: positions.json: two decks share a position: the file is damaged",
        ),
        (
            "points.json",
            "rehearse: points.json: question \"go-runtime/gmp-model\": 7 points, more than the 6 a question may have",
        ),
    ];
    for (file, want) in cases {
        s.rehearse(NOW)
            .args(["import", file])
            .assert()
            .code(1)
            .stderr(
                predicate::str::starts_with(want)
                    .and(predicate::str::ends_with("nothing was imported\n")),
            );
    }
    assert_eq!(s.snapshot(), before);
}

#[test]
fn csv_has_a_header_and_quotes_as_rfc_4180() {
    let s = with_history();
    let csv = export(&s, NOW, &["--format", "csv"]);
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "id,deck,section,prompt,n,ef,interval,due,lapses,last_review"
    );
    assert_eq!(
        lines.len(),
        243,
        "header, 241 rows, and the empty tail after the last CRLF"
    );
    // gmp-model: 3 then 5 -> n 2, EF 2.5 - 0.14 + 0.1, interval 6; gomaxprocs: 2 (a lapse) then 3
    assert!(
        lines.contains(&"go-runtime/gmp-model,go-runtime,\"Goroutines, Scheduler & the GMP Model\",\"Explain the GMP model (G, M, P). What does each component do and why does P exist between G and M?\",2,2.46,6,2026-03-08,0,2026-03-02T09:00:00.000Z"),
        "{}",
        &lines[..3].join("\n")
    );
    assert!(lines.contains(&"go-runtime/gomaxprocs,go-runtime,\"Goroutines, Scheduler & the GMP Model\",What is `GOMAXPROCS` and how does changing it affect scheduling? What's a sane production value?,1,2.04,1,2026-03-03,1,2026-03-02T09:00:00.000Z"));
    assert!(csv.contains(",\"When do you reach for a channel vs. a `sync.Mutex`? \"\"Share memory by communicating\"\" — when does that advice not apply?\","));
    assert!(
        lines[240].ends_with(",,,,0,"),
        "a new question has an empty state: {}",
        lines[240]
    );
}

#[test]
fn anki_file_has_the_headers_anki_reads_and_one_note_per_question() {
    let s = with_history();
    let text = export(&s, NOW, &["--format", "anki", "--deck", "system-design"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..6],
        [
            "#separator:tab",
            "#html:true",
            "#notetype:Basic",
            "#guid column:1",
            "#tags column:4",
            "#deck column:5"
        ]
    );
    assert!(
        lines[6].starts_with("rehearse:system-design/url-shortener\tURL shortener"),
        "{text}"
    );
    // Points are lines of one HTML field; tags, then the deck, come last.
    assert!(lines[6].contains("\ta) Numbers: ~40 writes/s"), "{text}");
    assert!(text.contains("\trehearse::system-design rehearse::system-design::Classic_prompts rehearse::caching\trehearse::System Design\n"), "{text}");
    assert_eq!(text.matches("\nrehearse:system-design/").count(), 15);
    s.rehearse(NOW)
        .args(["export", "--deck", "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("rehearse: no deck \"nope\""));
}

/// The restore reads a backup through a 1 MiB window that slides forward; a question whose
/// rubric points are cut off at the window's edge must be read on, not refused as damaged
/// (it was: the point's reader turned "the input ends here" into "not a point").
#[test]
fn a_backup_restores_whatever_falls_on_the_reader_window_edge() {
    const WINDOW: usize = 1 << 20;
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    let mut v: serde_json::Value = serde_json::from_str(&export(&s, NOW, &[])).unwrap();
    let template = v["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| {
            q["points"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p.is_object())
        })
        .expect("a question with table points")
        .clone();
    v["decks"].as_array_mut().unwrap().push(serde_json::json!(
        {"id": "pad", "title": "Padding", "guidance": null, "position": 99}
    ));
    let base = v["questions"].as_array().unwrap().clone();
    let copies = WINDOW / template.to_string().len() + 2;
    // Lengthen one prompt until the window's edge falls inside a points table.
    let text = (0..2000)
        .find_map(|pad| {
            let mut qs = base.clone();
            for i in 0..copies {
                let mut q = template.clone();
                q["id"] = format!("pad/q-{i}").into();
                q["deck"] = "pad".into();
                q["position"] = i.into();
                q["state"] = serde_json::Value::Null;
                if i == 0 {
                    q["prompt"] =
                        format!("{}{}", q["prompt"].as_str().unwrap(), "x".repeat(pad)).into();
                }
                qs.push(q);
            }
            let mut b = v.clone();
            b["questions"] = qs.into();
            let text = b.to_string();
            let (head, rest) = text.split_at(WINDOW);
            let in_table = head.rfind("\"points\":[") > head.rfind("\"prompt\":")
                && head.rfind('{') > head.rfind("\"points\":[")
                && rest.find('}') < rest.find(']');
            in_table.then_some(text)
        })
        .expect("a padding that puts the window's edge inside a point");
    std::fs::write(s.path("big.json"), &text).unwrap();
    let fresh = Sandbox::new();
    fresh
        .rehearse(NOW)
        .args(["import", s.path("big.json").to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(format!(
            "restored: 17 decks and {} questions added;",
            241 + copies
        )));
    assert_eq!(
        fresh.count("SELECT count(*) FROM question WHERE deck_id = 'pad'"),
        copies as i64
    );
}
