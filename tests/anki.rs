//! Anki interop (issue 19): the notes file Anki's Import File reads, byte for byte, and
//! `import --from-anki` of what Anki exports.
mod common;
use common::*;

const NOW: &str = "2026-03-01T09:00:00Z";

const TRICKY: &str = r#"[deck]
id = "y2024"
title = "2024"

[[question]]
id = "tricky"
section = "API: v1 & C++"
prompt = "Why is `a < b && c > d` \"fine\"?\tIt's a tab.\n    for {\n        select {}\n    }"
tags = ["go-vet"]
points = ["Tabs\tstay", "two  spaces", "quotes ' and \" survive"]
"#;

const GONE: &str = r#"
[[question]]
id = "gone"
section = "Old"
prompt = "Retired one"
points = ["x"]
"#;

fn tricky_db(s: &Sandbox) {
    s.write("t.toml", &format!("{TRICKY}{GONE}"));
    s.rehearse(NOW)
        .args(["import", "t.toml"])
        .assert()
        .success();
    s.write("t.toml", TRICKY);
    s.rehearse(NOW)
        .args(["import", "--prune", "t.toml"])
        .assert()
        .success();
}

#[test]
fn the_anki_export_is_exact_for_tricky_fields() {
    let s = Sandbox::new();
    tricky_db(&s);
    let out = s
        .rehearse(NOW)
        .args(["export", "--format", "anki"])
        .output()
        .unwrap();
    assert!(out.status.success());
    // Checked with Anki's own library (tools/anki_check.py): one deck "rehearse::2024" (a bare
    // 2024 would be read as a deck id), note type Basic, the text searchable as written.
    assert_eq!(
        stdout(&out),
        "#separator:tab\n#html:true\n#notetype:Basic\n#guid column:1\n#tags column:4\n#deck column:5\n\
         rehearse:y2024/tricky\t\"Why is <code>a &lt; b &amp;&amp; c &gt; d</code> \"\"fine\"\"?&nbsp;&nbsp;&nbsp;&nbsp;It's a tab.<br>&nbsp;&nbsp;&nbsp;&nbsp;for {<br>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;select {}<br>&nbsp;&nbsp;&nbsp;&nbsp;}\"\t\"a) Tabs&nbsp;&nbsp;&nbsp;&nbsp;stay<br>b) two &nbsp;spaces<br>c) quotes ' and \"\" survive\"\trehearse::y2024 rehearse::y2024::API:_v1_&_C++ rehearse::go-vet\trehearse::2024\n\
         rehearse:y2024/gone\tRetired one\ta) x\trehearse::y2024 rehearse::y2024::Old rehearse::retired\trehearse::2024\n"
    );
}

fn files(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn an_export_of_anki_becomes_a_bank_and_a_second_conversion_matches() {
    let s = Sandbox::new();
    // Written by Anki 26.9.3's own "Notes in Plain Text" export (guid, notetype, deck and tags
    // columns, HTML): two notes that came from rehearse (one retired) and one made in Anki.
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/anki-notes-export.txt"
    );
    let out = s
        .rehearse(NOW)
        .args(["import", "--from-anki", fixture, "-o", "bank"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "converted 3 notes into 2 questions in 2 decks (1 retired in rehearse, left out), written to bank: read them, then run rehearse import bank\n"
    );
    assert!(!s.db().exists(), "the database is not touched");
    let first = files(&s.path("bank"));
    assert_eq!(
        first.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        ["01-y2024.toml", "02-interview-go-basics.toml"]
    );
    // A note rehearse exported keeps its ids and section; the retired one stays out.
    assert!(
        first[0]
            .1
            .contains("id = \"tricky\"\nsection = \"API: v1 & C++\"\n"),
        "{}",
        first[0].1
    );
    assert!(!first[0].1.contains("gone"), "{}", first[0].1);
    assert!(
        first[0].1.contains("Why is `a < b && c > d` \"fine\"?"),
        "{}",
        first[0].1
    );
    // A note made in Anki: a stable id from its guid, the deck's last part as section, HTML
    // and entities as plain text, one point a block.
    assert_eq!(
        first[1].1,
        r#"[deck]
id = "interview-go-basics"
title = "Interview::Go Basics"

[[question]]
id = "anki-fffff59287b3dbab"
section = "Go Basics"
prompt = """What's bold & a "quote"'s here?"""
tags = [
    "C++",
    "interview::go",
]
points = [
    "first point",
    "second point <T>",
    "third",
]
"#
    );
    s.rehearse(NOW)
        .args(["import", "--from-anki", fixture, "-o", "bank"])
        .assert()
        .success();
    assert_eq!(files(&s.path("bank")), first, "same ids, same files");
    let out = s.rehearse(NOW).args(["import", "bank"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "imported: 2 decks, 2 questions: 2 added, 0 updated, 0 unchanged, 0 retired\n"
    );
}

#[test]
fn every_header_and_entity_of_a_hand_made_export() {
    let s = Sandbox::new();
    s.write(
        "notes.txt",
        "\u{feff}#separator:Semicolon\n#html:true\n#deck:Go\n#tags:imported\n#columns:Front;Back;Tags\n#tags column:3\n\
         \"Q &amp; A &lt;1&gt; &quot;x&quot; &#39;y&#x27; caf&#233; &nbsp;!\";<ol><li>a) one</li><li>b) two</li></ol>;extra\n\
         \"semi; colon\";\"line one<br>line two\";\n",
    );
    let out = s
        .rehearse(NOW)
        .args(["import", "--from-anki", "notes.txt", "-o", "out"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let got = files(&s.path("out"));
    assert_eq!(got.len(), 1);
    assert!(
        got[0]
            .1
            .contains("prompt = \"\"\"Q & A <1> \"x\" 'y' café  !\"\"\""),
        "{}",
        got[0].1
    );
    assert!(
        got[0]
            .1
            .contains("points = [\n    \"one\",\n    \"two\",\n]"),
        "{}",
        got[0].1
    );
    assert!(
        got[0]
            .1
            .contains("tags = [\n    \"imported\",\n    \"extra\",\n]"),
        "{}",
        got[0].1
    );
    assert!(got[0].1.contains("prompt = \"semi; colon\"\ntags = [\"imported\"]\npoints = [\n    \"line one\",\n    \"line two\",\n]"), "{}", got[0].1);
    // Without HTML the text is taken as it is.
    s.write(
        "plain.txt",
        "#separator:tab\n#html:false\nA &amp; B\tx<br>y\n",
    );
    s.rehearse(NOW)
        .args(["import", "--from-anki", "plain.txt", "-o", "p"])
        .assert()
        .success();
    let got = files(&s.path("p"));
    assert!(
        got[0]
            .1
            .contains("prompt = \"A &amp; B\"\npoints = [\"x<br>y\"]"),
        "{}",
        got[0].1
    );
}

#[test]
fn bad_anki_files_are_located_and_nothing_is_written() {
    let s = Sandbox::new();
    s.write(
        "empty-front.txt",
        "#separator:tab\n#html:true\nok\tback\n\tno front\n",
    );
    let out = s
        .rehearse(NOW)
        .args(["import", "--from-anki", "empty-front.txt", "-o", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "empty-front.txt:4: the note's front is empty: a question needs a prompt\n\
         rehearse: 1 problem in empty-front.txt: nothing was written; fix it and run again\n"
    );
    std::fs::write(s.path("latin1.txt"), b"#separator:tab\ncaf\xe9\tx\n").unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["import", "--from-anki", "latin1.txt", "-o", "out"],
            "rehearse: latin1.txt is not UTF-8 (byte 18): export it again from Anki, which writes UTF-8\n",
        ),
        (
            &["import", "--from-anki", "empty-front.txt"],
            "rehearse: --from-anki writes bank files: add -o DIR for the folder to write them into\n",
        ),
        (
            &["import", "--from-anki", ".", "-o", "out"],
            "rehearse: . is not a regular file: pass the .txt file Anki exported\n",
        ),
        (
            &["import", "--from-anki", "missing.txt", "-o", "out"],
            "rehearse: cannot read missing.txt: check the path: No such file or directory (os error 2)\n",
        ),
    ];
    for (args, want) in cases {
        let out = s.rehearse(NOW).args(*args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&out), *want, "{args:?}");
    }
    assert!(!s.path("out").exists());
    assert!(!s.db().exists());
}
