//! Re-imports skip files whose bytes are what was imported before (issue 18), and a
//! compressed backup (`.json.zst`) round-trips.
mod common;
use common::*;

const NOW: &str = "2026-03-01T09:00:00Z";

const DECK3: &str = r#"[deck]
id = "team"
title = "Team bank"

[[question]]
id = "one"
prompt = "What is one?"

[[question]]
id = "two"
prompt = "What is two?"

[[question]]
id = "three"
prompt = "What is three?"
"#;

fn deck4() -> String {
    format!("{DECK3}\n[[question]]\nid = \"four\"\nprompt = \"What is four?\"\n")
}

fn import(s: &Sandbox, args: &[&str]) -> String {
    let out = s.rehearse(NOW).arg("import").args(args).output().unwrap();
    assert!(out.status.success(), "import {args:?}: {}", stderr(&out));
    stdout(&out)
}

fn active(s: &Sandbox) -> i64 {
    s.count("SELECT count(*) FROM question WHERE retired = 0")
}

#[test]
fn an_unchanged_file_is_skipped_and_reported_unchanged() {
    let s = Sandbox::new();
    s.write("bank/a.toml", DECK3);
    import(&s, &["bank"]);
    assert_eq!(s.count("SELECT count(*) FROM import_hash"), 1);
    import(&s, &["bank"]); // takes the day's automatic backup
    let before = s.snapshot();
    assert_eq!(
        import(&s, &["bank"]),
        "imported: 1 deck, 3 questions: 0 added, 0 updated, 3 unchanged, 0 retired\n"
    );
    assert_eq!(s.snapshot(), before, "a skipped re-import must not write");
    let json = import(&s, &["--json", "bank"]);
    assert!(json.contains("\"unchanged\": 3"), "{json}");
}

#[test]
fn a_changed_file_is_read_again_and_checked() {
    let s = Sandbox::new();
    s.write("bank/a.toml", DECK3);
    s.write("bank/b.toml", &DECK3.replace("team", "other"));
    import(&s, &["bank"]);
    s.write("bank/a.toml", &DECK3.replace("What is two?", "What is 2?"));
    assert_eq!(
        import(&s, &["bank"]),
        "imported: 2 decks, 6 questions: 0 added, 1 updated, 5 unchanged, 0 retired\n"
    );
    // A mistake in a changed file is found, beside a skipped file.
    s.write(
        "bank/a.toml",
        &DECK3.replace("prompt = \"What is two?\"", "promt = \"x\""),
    );
    s.rehearse(NOW)
        .args(["import", "bank"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "bank/a.toml:11:1: question \"two\": unknown key \"promt\"",
        ));
    // A skipped file's deck id taken by a new file is the usual error.
    s.write("bank/a.toml", DECK3);
    import(&s, &["bank"]);
    s.write(
        "bank/c.toml",
        &DECK3.replace("What is one?", "Another one?"),
    );
    s.rehearse(NOW)
        .args(["import", "bank"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "deck id \"team\" is already used by bank/a.toml",
        ));
}

#[test]
fn a_prune_finds_questions_left_by_an_import_without_prune() {
    let s = Sandbox::new();
    s.write("bank/a.toml", &deck4());
    import(&s, &["bank"]);
    s.write("bank/a.toml", DECK3);
    import(&s, &["bank"]);
    assert_eq!(active(&s), 4, "without --prune the removed question stays");
    assert_eq!(
        import(&s, &["--prune", "bank"]),
        "imported: 1 deck, 3 questions: 0 added, 0 updated, 3 unchanged, 1 retired\n"
    );
    assert_eq!(active(&s), 3);
}

#[test]
fn a_restore_forgets_the_hashes_of_the_decks_it_changes() {
    // A backup where deck "team" has four questions.
    let other = Sandbox::new();
    other.write("a.toml", &deck4());
    import(&other, &["a.toml"]);
    other
        .rehearse(NOW)
        .args(["export", "-o", "full.json"])
        .assert()
        .success();
    let backup = other.path("full.json");

    let s = Sandbox::new();
    s.write("a.toml", DECK3);
    import(&s, &["a.toml"]);
    import(&s, &[backup.to_str().unwrap()]);
    assert_eq!(active(&s), 4, "the restore added question four");
    assert_eq!(s.count("SELECT count(*) FROM import_hash"), 0);
    // The file is read again, so the prune sees question four.
    assert_eq!(
        import(&s, &["--prune", "a.toml"]),
        "imported: 1 deck, 3 questions: 0 added, 0 updated, 3 unchanged, 1 retired\n"
    );
    assert_eq!(active(&s), 3);
}

#[test]
fn an_import_of_other_bytes_forgets_the_hash_and_suspending_keeps_it() {
    let s = Sandbox::new();
    s.write("a.toml", DECK3);
    s.write("b.toml", &DECK3.replace("team", "other"));
    import(&s, &["a.toml", "b.toml"]);
    assert_eq!(s.count("SELECT count(*) FROM import_hash"), 2);
    s.rehearse(NOW)
        .args(["suspend", "team/one"])
        .assert()
        .success();
    assert_eq!(s.count("SELECT count(*) FROM import_hash"), 2);
    // Another file for deck "team" rewrites it: a.toml no longer describes the deck.
    s.write("a2.toml", &DECK3.replace("What is two?", "What is 2?"));
    import(&s, &["a2.toml"]);
    assert_eq!(
        s.count("SELECT count(*) FROM import_hash WHERE deck_id = 'team'"),
        1,
        "only a2.toml's hash"
    );
    assert_eq!(
        import(&s, &["a.toml", "b.toml"]),
        "imported: 2 decks, 6 questions: 0 added, 1 updated, 5 unchanged, 0 retired\n"
    );
}

#[test]
fn a_zstd_backup_holds_the_json_backup_and_restores_the_same() {
    let s = Sandbox::new();
    import(&s, &[]);
    s.review(NOW, &["--limit", "3", "--new", "3"], "4\n1\n4\n");
    s.rehearse(NOW)
        .args(["export", "-o", "b.json"])
        .assert()
        .success();
    s.rehearse(NOW)
        .args(["export", "-o", "b.json.zst"])
        .assert()
        .success();
    let plain = std::fs::read(s.path("b.json")).unwrap();
    let packed = std::fs::read(s.path("b.json.zst")).unwrap();
    assert!(
        packed.len() * 2 < plain.len(),
        "{} vs {}",
        packed.len(),
        plain.len()
    );
    assert_eq!(zstd::decode_all(&packed[..]).unwrap(), plain);

    let from_json = Sandbox::new();
    let from_zst = Sandbox::new();
    let msg = import(&from_json, &[s.path("b.json").to_str().unwrap()]);
    assert_eq!(
        import(&from_zst, &[s.path("b.json.zst").to_str().unwrap()]),
        msg
    );
    assert!(msg.contains("3 log rows added"), "{msg}");
    for db in [&from_json, &from_zst] {
        db.rehearse(NOW)
            .args(["export", "-o", "again.json"])
            .assert()
            .success();
    }
    assert_eq!(
        std::fs::read(from_json.path("again.json")).unwrap(),
        std::fs::read(from_zst.path("again.json")).unwrap()
    );
}

#[test]
fn a_damaged_zstd_backup_is_one_line_and_imports_nothing() {
    let s = Sandbox::new();
    import(&s, &[]);
    s.rehearse(NOW)
        .args(["export", "-o", "b.json.zst"])
        .assert()
        .success();
    let packed = std::fs::read(s.path("b.json.zst")).unwrap();
    std::fs::write(s.path("cut.json.zst"), &packed[..packed.len() / 2]).unwrap();
    let fresh = Sandbox::new();
    let out = fresh
        .rehearse(NOW)
        .args(["import", s.path("cut.json.zst").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cut.json.zst: not a whole zstd file"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
}
