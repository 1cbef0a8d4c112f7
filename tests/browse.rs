//! list, show, suspend and unsuspend through the real binary.

mod common;
use common::*;
use predicates::prelude::*;

const NOW: &str = "2026-03-01T09:00:00Z";
const LATER: &str = "2026-03-05T09:00:00Z";

fn run(s: &Sandbox, now: &str, args: &[&str]) -> String {
    let out = s.rehearse(now).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

fn json(s: &Sandbox, now: &str, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&run(s, now, args)).unwrap()
}

/// A database with the first two questions of the bank reviewed (4 and 1) on NOW.
fn reviewed() -> Sandbox {
    let s = Sandbox::new();
    s.review(NOW, &["--limit", "2", "--new", "2"], "4\n1\n4\n");
    s
}

#[test]
fn list_shows_one_line_a_question_with_its_state() {
    let s = reviewed();
    let out = run(&s, LATER, &["list", "--deck", "go-runtime"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.len() as i64,
        s.count("SELECT count(*) FROM question WHERE deck_id = 'go-runtime'")
    );
    assert!(lines[0].starts_with("go-runtime/gmp-model"), "{out}");
    assert!(lines[0].contains(" learning,due "), "{out}");
    assert!(
        lines[0].ends_with("why does P exist between G and M?"),
        "{out}"
    );
    assert!(lines[2].contains(" new "), "{out}");
    // --due and --new split them; --search looks in ids and prompts, any case.
    let due = run(&s, LATER, &["list", "--due"]);
    assert_eq!(due.lines().count(), 2, "{due}");
    let new = run(&s, LATER, &["list", "--new", "--deck", "go-runtime"]);
    assert_eq!(new.lines().count(), lines.len() - 2);
    let found = run(&s, LATER, &["list", "--search", "GOMAXPROCS"]);
    assert!(found.starts_with("go-runtime/gomaxprocs "), "{found}");
    // --tag matches in any case and by a unique prefix, as in review.
    let tagged = run(&s, LATER, &["list", "--tag", "GM"]);
    assert_eq!(
        tagged.lines().count() as i64,
        s.count("SELECT count(*) FROM question q, json_each(q.tags) t WHERE t.value = 'gmp'"),
        "{tagged}"
    );
    assert!(tagged.starts_with("go-runtime/gmp-model "), "{tagged}");
    let none = run(&s, LATER, &["list", "--search", "no such words anywhere"]);
    assert_eq!(none, "No question matches these filters.\n");
    // Nothing suspended: the line says so, not that a filter matched nothing.
    assert_eq!(
        run(&s, LATER, &["list", "--suspended"]),
        "No question is suspended.\n"
    );
}

#[test]
fn list_lines_are_cut_to_columns() {
    let s = Sandbox::new();
    let out = s
        .rehearse(NOW)
        .args(["list", "--deck", "go-runtime"])
        .env("COLUMNS", "50")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.lines().all(|l| l.chars().count() <= 50), "{text}");
    // At 50 columns the prompt takes a line of its own under the id, cut with an ellipsis.
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("go-runtime/gmp-model "), "{text}");
    assert!(
        lines[1].trim_start().starts_with("Explain the GMP model"),
        "{text}"
    );
    assert!(lines[1].ends_with('…'), "{text}");
}

#[test]
fn list_json_and_names_with_counts() {
    let s = reviewed();
    let v = json(
        &s,
        LATER,
        &["list", "--json", "--section", "goroutines, sched"],
    );
    let items = v.as_array().unwrap();
    assert_eq!(items[0]["id"], "go-runtime/gmp-model");
    assert_eq!(items[0]["state"], "learning");
    assert_eq!(items[0]["due"], "2026-03-02");
    assert_eq!(items[0]["suspended"], false);
    assert_eq!(items[2]["state"], "new");
    let decks = run(&s, NOW, &["list", "decks"]);
    let total: u64 = decks
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total as i64, s.count("SELECT count(*) FROM question"));
    assert!(
        decks
            .lines()
            .next()
            .unwrap()
            .ends_with("  go-runtime               Golang Language & Runtime"),
        "{decks}"
    );
    let tags = json(&s, NOW, &["list", "tags", "--json", "--deck", "go-runtime"]);
    let gmp = tags
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "gmp")
        .unwrap();
    assert!(gmp["questions"].as_u64().unwrap() >= 1);
    let sections = run(&s, NOW, &["list", "sections", "--deck", "postgresql"]);
    assert!(
        sections.lines().any(|l| l.ends_with("  Indexes")),
        "{sections}"
    );
    s.rehearse(NOW)
        .args(["list", "sections", "--tag", "gmp"])
        .assert()
        .code(1)
        .stderr("rehearse: list decks, sections and tags take only --deck (and --json)\n");
    s.rehearse(NOW)
        .args(["list", "--section", "nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("rehearse: no section \"nope\""));
}

#[test]
fn show_prints_the_question_its_state_and_every_log_row() {
    let s = reviewed();
    // gomaxprocs was graded 1, then drilled at 4: two log rows.
    let out = run(&s, LATER, &["show", "go-runtime/gomaxprocs"]);
    assert!(
        out.starts_with("go-runtime/gomaxprocs  (learning, due)\n"),
        "{out}"
    );
    assert!(
        out.contains("Section:  Goroutines, Scheduler & the GMP Model\n"),
        "{out}"
    );
    assert!(out.contains("State:    EF 1.96, interval 1 day, due 2026-03-02; 0 passes in a row, 1 lapse; first reviewed 2026-03-01\n"), "{out}");
    assert!(out.contains("\nWhat is `GOMAXPROCS`"), "{out}");
    assert!(out.contains("\nPoints:\n  a) "), "{out}");
    assert!(out.contains("History (2 rows):\n"), "{out}");
    assert!(
        out.contains("  2026-03-01  review  grade 1     1.0 s  next due 2026-03-02 (1 d)\n"),
        "{out}"
    );
    assert!(
        out.contains("  2026-03-01  drill   grade 4     1.0 s  schedule unchanged\n"),
        "{out}"
    );
    // The question part alone is enough when it is unique; --json has the whole history.
    let v = json(&s, LATER, &["show", "gomaxprocs", "--json"]);
    assert_eq!(v["id"], "go-runtime/gomaxprocs");
    assert_eq!(v["state"]["lapses"], 1);
    let history = v["history"].as_array().unwrap();
    assert_eq!(
        history.len() as i64,
        s.count("SELECT count(*) FROM review_log WHERE question_id = 'go-runtime/gomaxprocs'")
    );
    assert_eq!(history[0]["kind"], "review");
    assert_eq!(history[1]["kind"], "drill");
    let fresh = run(&s, LATER, &["show", "go-runtime/work-stealing"]);
    assert!(fresh.contains("State:    new: never reviewed\n"), "{fresh}");
    assert!(fresh.ends_with("History: none yet.\n"), "{fresh}");
    s.rehearse(NOW)
        .args(["show", "nope"])
        .assert()
        .code(1)
        .stderr("rehearse: no question \"nope\": `rehearse list --search TEXT` finds ids (deck/question)\n");
}

#[test]
fn a_suspended_question_is_never_scheduled_and_comes_back_when_unsuspended() {
    let s = reviewed();
    assert_eq!(
        run(&s, NOW, &["suspend", "go-runtime/gmp-model"]),
        "Suspended: 1 question.\n"
    );
    let peek = run(
        &s,
        LATER,
        &["review", "--peek", "--json", "--deck", "go-runtime"],
    );
    assert!(!peek.contains("go-runtime/gmp-model"), "{peek}");
    assert!(peek.contains("\"due\": 1,"), "{peek}");
    // stats agrees with review: a suspended question is not due.
    let stats = json(&s, LATER, &["stats", "--json", "--deck", "go-runtime"]);
    assert_eq!(
        stats["overview"]["due"]["today"], 1,
        "{}",
        stats["overview"]
    );
    let listed = run(&s, LATER, &["list", "--suspended"]);
    assert!(listed.starts_with("go-runtime/gmp-model"), "{listed}");
    assert!(listed.contains("learning,suspended"), "{listed}");
    assert_eq!(listed.lines().count(), 1);
    // Not due in the list either, and not counted as due tomorrow.
    assert!(!run(&s, LATER, &["list", "--due"]).contains("gmp-model"));
    assert_eq!(
        run(&s, NOW, &["suspend", "go-runtime/gmp-model"]),
        "Suspended: 0 questions (1 already suspended).\n"
    );
    assert_eq!(
        run(&s, NOW, &["unsuspend", "go-runtime/gmp-model"]),
        "Unsuspended: 1 question.\n"
    );
    let peek = run(
        &s,
        LATER,
        &["review", "--peek", "--json", "--deck", "go-runtime"],
    );
    assert!(peek.contains("go-runtime/gmp-model"), "{peek}");
}

#[test]
fn suspend_by_deck_section_or_tag_and_errors() {
    let s = Sandbox::new();
    let out = run(&s, NOW, &["suspend", "--deck", "go-runtime"]);
    let n = s.count("SELECT count(*) FROM question WHERE deck_id = 'go-runtime'");
    assert_eq!(out, format!("Suspended: {n} questions.\n"));
    let peek = run(&s, NOW, &["review", "--peek", "--json", "--new", "500"]);
    assert!(!peek.contains("go-runtime/"), "{peek}");
    // Everything a filter selects is suspended: review says so instead of "nothing scheduled".
    let out = s.review(NOW, &["--deck", "go-runtime"], "");
    assert_eq!(
        out,
        "Nothing to review: No question matches these filters (suspended ones are left out; `rehearse list` shows what there is).\n"
    );
    run(&s, NOW, &["unsuspend", "--tag", "gmp"]);
    assert_eq!(
        s.count("SELECT count(*) FROM question WHERE suspended = 1"),
        n - s.count("SELECT count(*) FROM question q, json_each(q.tags) t WHERE t.value = 'gmp'")
    );
    let back = run(&s, NOW, &["unsuspend", "--section", "goroutines"]);
    assert_eq!(
        back,
        "Unsuspended: 8 questions (1 of the 9 selected was not suspended).\n"
    );
    s.rehearse(NOW)
        .args(["suspend"])
        .assert()
        .code(1)
        .stderr("rehearse: suspend what? give question ids, or --deck, --section or --tag\n");
    let before = s.snapshot();
    s.rehearse(NOW)
        .args(["suspend", "go-runtime/gmp-model", "go-runtime/nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "rehearse: no question \"go-runtime/nope\": nothing was changed",
        ));
    assert_eq!(s.snapshot(), before);
}

#[test]
fn suspended_survives_import_prune_and_a_backup_restore() {
    let s = reviewed();
    run(
        &s,
        NOW,
        &[
            "suspend",
            "go-runtime/gmp-model",
            "go-runtime/work-stealing",
        ],
    );
    run(&s, NOW, &["import"]);
    run(&s, NOW, &["import", "--prune"]);
    let bank = s.path("bank.toml");
    run(
        &s,
        NOW,
        &[
            "export",
            "--format",
            "toml",
            "--deck",
            "go-runtime",
            "-o",
            bank.to_str().unwrap(),
        ],
    );
    run(&s, NOW, &["import", bank.to_str().unwrap()]);
    assert_eq!(
        s.count("SELECT count(*) FROM question WHERE suspended = 1"),
        2
    );
    // The backup carries the flag; into a new database and into one that has the built-in
    // bank already, it is restored.
    let backup = run(&s, NOW, &["export"]);
    assert!(backup.contains("\"suspended\":true"), "{}", &backup[..400]);
    let file = s.write("b.json", &backup);
    for has_bank in [false, true] {
        let t = Sandbox::new();
        if has_bank {
            t.review(NOW, &["--limit", "0"], "");
        }
        run(&t, NOW, &["import", file.to_str().unwrap()]);
        assert_eq!(
            t.rows(
                "SELECT id FROM question WHERE suspended = 1 ORDER BY id",
                |r| r.get::<_, String>(0)
            ),
            ["go-runtime/gmp-model", "go-runtime/work-stealing"]
        );
    }
    // A version 1 backup (no suspended field) still restores.
    let v1 = backup
        .replace("\"version\":3", "\"version\":1")
        .replace(",\"suspended\":true", "")
        .replace(",\"suspended\":false", "");
    let file = s.write("v1.json", &v1);
    let t = Sandbox::new();
    run(&t, NOW, &["import", file.to_str().unwrap()]);
    assert_eq!(
        t.count("SELECT count(*) FROM question WHERE suspended = 1"),
        0
    );
    assert_eq!(
        t.count("SELECT count(*) FROM review_log"),
        s.count("SELECT count(*) FROM review_log")
    );
}
