//! The screen: whole screens at fixed widths (snapshots in tests/snapshots/), lines that fit,
//! words never cut, colour only when asked for, and bank text that cannot drive the terminal.
mod common;
use common::*;

const DAY0: &str = "2026-03-01T09:00:00Z";
const DAY3: &str = "2026-03-04T09:00:00Z";
const WIDTHS: [usize; 3] = [60, 80, 120];

/// A database with some history: two questions graded on day 0 (one failed, then drilled),
/// so on day 3 they are late, with a last grade and an interval.
fn history() -> Sandbox {
    let s = Sandbox::new();
    s.rehearse(DAY0).arg("import").assert().success();
    s.review(DAY0, &["--limit", "2"], "\nace\n\n5\n4\n");
    s
}

fn run(s: &Sandbox, now: &str, width: usize, args: &[&str], input: &str) -> String {
    let out = s
        .rehearse(now)
        .env("COLUMNS", width.to_string())
        .args(args)
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// The screens a person sees, by name, at `width`.
fn screens(s: &Sandbox, width: usize) -> Vec<(&'static str, String)> {
    vec![
        (
            "review_technical",
            run(
                s,
                DAY3,
                width,
                &["review", "--limit", "3", "--new", "1"],
                "\nabd\n\n\n5\nzz\n2\n",
            ),
        ),
        (
            "review_behavioural",
            run(
                s,
                DAY3,
                width,
                &["review", "--deck", "behavioral", "--limit", "2"],
                "\nac\n\n5\nq\n",
            ),
        ),
        (
            "review_design",
            run(
                s,
                DAY3,
                width,
                &["review", "--deck", "system-design", "--limit", "1"],
                "\n4\n",
            ),
        ),
        (
            "peek",
            run(s, DAY3, width, &["review", "--peek", "--limit", "8"], ""),
        ),
        ("stats", run(s, DAY3, width, &["stats"], "")),
    ]
}

fn assert_fits(name: &str, text: &str, width: usize) {
    for line in text.lines() {
        let w = unicode_width::UnicodeWidthStr::width(line);
        assert!(
            w <= width,
            "{name} at {width}: {w} columns: {line:?}\n{text}"
        );
    }
}

#[test]
fn whole_screens_at_60_80_and_120_columns() {
    for width in WIDTHS {
        // The same history for every width: the screens differ only by their width.
        let s = history();
        for (name, text) in screens(&s, width) {
            assert_fits(name, &text, width);
            insta::assert_snapshot!(format!("{name}_{width}"), text);
        }
    }
}

/// Every point and prompt of the bank, revealed at each width: no line is wider than the
/// width and every word of the text is printed whole.
#[test]
fn every_point_of_the_bank_fits_and_no_word_is_cut() {
    let s = Sandbox::new();
    s.rehearse(DAY0).arg("import").assert().success();
    let texts: Vec<(String, String)> = s.rows("SELECT prompt, points FROM question", |r| {
        Ok((r.get(0)?, r.get(1)?))
    });
    let total = texts.len().to_string();
    let mut words: Vec<String> = Vec::new();
    for (prompt, points) in &texts {
        // A point is its text, or {"key", "detail", "must"}: the key and the detail are shown.
        let points: Vec<serde_json::Value> = serde_json::from_str(points).unwrap();
        let points: Vec<String> = points
            .iter()
            .flat_map(|p| match p.as_str() {
                Some(s) => vec![s.to_string()],
                None => ["key", "detail"]
                    .iter()
                    .filter_map(|k| p[k].as_str().map(str::to_string))
                    .collect(),
            })
            .collect();
        for t in std::iter::once(prompt).chain(&points) {
            words.extend(t.split_whitespace().map(str::to_string));
        }
    }
    for width in WIDTHS {
        // Reveal, then skip: nothing is graded, so each width sees the same questions.
        let text = run(
            &s,
            DAY0,
            width,
            &["review", "--new", &total, "--limit", &total],
            &"\ns\n".repeat(texts.len()),
        );
        assert_eq!(text.matches("Skipped: it stays due.").count(), texts.len());
        assert_fits("review", &text, width);
        let printed: std::collections::HashSet<&str> = text.split_whitespace().collect();
        for w in &words {
            assert!(
                printed.contains(w.as_str()),
                "at {width}: {w:?} is not printed whole"
            );
        }
    }
}

#[test]
fn no_columns_and_no_terminal_means_whole_lines() {
    let s = history();
    let text = s.review(DAY3, &["--limit", "1"], "\n");
    assert!(
        text.contains("\n  e) P added in Go 1.1 for scalability\n     Vyukov's Go 1.1 scheduler introduced P; the old G-M design had one global run queue behind a global mutex and did not scale across cores\n"),
        "{text}"
    );
}

#[test]
fn colour_only_when_asked_and_never_from_bank_text() {
    let s = history();
    let esc = |t: &str| t.contains('\x1b');
    let plain = run(&s, DAY3, 80, &["review", "--peek"], "");
    assert!(!esc(&plain), "a pipe gets no colour by default");
    let always = run(&s, DAY3, 80, &["--color", "always", "review", "--peek"], "");
    assert!(esc(&always), "--color always");
    let forced = s
        .rehearse(DAY3)
        .env("CLICOLOR_FORCE", "1")
        .args(["review", "--peek"])
        .output()
        .unwrap();
    assert!(esc(&stdout(&forced)), "CLICOLOR_FORCE");
    let no_color = s
        .rehearse(DAY3)
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .args(["review", "--peek"])
        .output()
        .unwrap();
    assert!(
        !esc(&stdout(&no_color)),
        "NO_COLOR wins over CLICOLOR_FORCE"
    );
    let never = s
        .rehearse(DAY3)
        .env("CLICOLOR_FORCE", "1")
        .args(["--color", "never", "review", "--peek"])
        .output()
        .unwrap();
    assert!(!esc(&stdout(&never)), "--color never");
    // Without colour the words carry the meaning: the same text, less the styling.
    let stripped = always
        .split('\x1b')
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part
            } else {
                &part[part.find('m').unwrap() + 1..]
            }
        })
        .collect::<String>();
    assert_eq!(stripped, plain);
}

const HOSTILE: &str = r#"
[deck]
id = "hostile"
title = "Hostile \u001b]0;owned\u0007deck"
guidance = "Answer \u001b[2J fast"

[[question]]
id = "q1"
section = "Sec \u202e tion"
prompt = "Clear \u001b[2J\u001b[H the screen, NUL \u0000 here, and \u202e reversed"
points = ["first \u001b[31m red", "second \u0000 nul", "third \u202e flip"]
"#;

#[test]
fn control_characters_in_bank_text_are_shown_escaped() {
    let s = Sandbox::new();
    let bank = s.write("hostile.toml", HOSTILE);
    s.rehearse(DAY0).arg("import").arg(&bank).assert().success();
    let peek = run(&s, DAY0, 80, &["review", "--peek"], "");
    // Letters grading, so the missed points show in stats too.
    let review = run(&s, DAY0, 80, &["--color", "always", "review"], "\na\n\n3\n");
    let stats = run(&s, DAY0, 80, &["stats"], "");
    let stats_wide = s.rehearse(DAY0).arg("stats").output().unwrap();
    let list = run(&s, DAY0, 80, &["list"], "");
    let list_wide = stdout(
        &s.rehearse(DAY0)
            .args(["list", "sections"])
            .output()
            .unwrap(),
    );
    let show = stdout(&s.rehearse(DAY0).args(["show", "q1"]).output().unwrap());
    for (name, text) in [
        ("review", review.as_str()),
        ("peek", peek.as_str()),
        ("stats", stats.as_str()),
        ("stats without a width", &stdout(&stats_wide)),
        ("list", list.as_str()),
        ("list sections", list_wide.as_str()),
        ("show", show.as_str()),
    ] {
        for bad in [
            "\x1b[2J", "\x1b[H", "\x1b]0", "\x1b[31m", "\0", "\u{202e}", "\x07",
        ] {
            assert!(!text.contains(bad), "{name} printed {bad:?} raw:\n{text}");
        }
    }
    for want in [
        "Clear \\u{1b}[2J\\u{1b}[H the screen, NUL \\u{0} here, and \\u{202e} reversed",
        "first \\u{1b}[31m red",
        "second \\u{0} nul",
        "third \\u{202e} flip",
        "Answer \\u{1b}[2J fast",
        "Hostile \\u{1b}]0;owned\\u{7}deck",
        "Sec \\u{202e} tion",
    ] {
        assert!(review.contains(want), "review lacks {want:?}:\n{review}");
    }
    assert!(peek.contains("Clear \\u{1b}[2J"), "{peek}");
    assert!(
        show.contains("Clear \\u{1b}[2J\\u{1b}[H the screen"),
        "{show}"
    );
    assert!(show.contains("third \\u{202e} flip"), "{show}");
    assert!(list_wide.contains("Sec \\u{202e} tion"), "{list_wide}");
    assert!(stats.contains("Sec \\u{202e} tion"), "{stats}");
    assert!(stats.contains("second \\u{0} nul"), "{stats}");
}

#[test]
fn review_help_lists_the_keys() {
    let s = Sandbox::new();
    let out = s
        .rehearse(DAY0)
        .args(["review", "--help"])
        .output()
        .unwrap();
    let text = stdout(&out);
    for key in ["Space, Enter", "0-5", "a-f", "u ", "s ", "q, Ctrl-C", "-  "] {
        assert!(text.contains(&format!("\n  {key}")), "{key:?} in\n{text}");
    }
}

#[test]
fn the_header_says_how_late_the_last_grade_the_interval_and_lapses() {
    let s = Sandbox::new();
    s.rehearse(DAY0).arg("import").assert().success();
    s.review(DAY0, &["--limit", "1"], "2\n4\n");
    // Day 3: graded 3, drilled (its header shows today's grade), undone (back as it was).
    let text = s.review(DAY3, &["--limit", "1"], "3\nu\n");
    let headers: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('[') && l.ends_with(')'))
        .collect();
    let late = "[1/1] Golang Language & Runtime > Goroutines, Scheduler & the GMP Model  (2 days late; last 2, 1-day interval; 1 lapse)";
    assert_eq!(
        headers,
        [
            late,
            "[drill, 1 left] Golang Language & Runtime > Goroutines, Scheduler & the GMP Model  (due tomorrow; last 3, 1-day interval; 1 lapse)",
            late,
        ],
        "{text}"
    );
    // A new question says so; a deck whose title is its section shows it once.
    let text = s.review(DAY3, &["--deck", "behavioral", "--limit", "1"], "q\n");
    assert!(
        text.contains(
            "\n[1/1] Behavioral & Leadership  (new)\nUse STAR (Situation, Task, Action, Result)."
        ),
        "{text}"
    );
}

#[test]
fn json_is_the_same_at_any_width_and_colour() {
    let s = history();
    for args in [
        &["stats", "--json"][..],
        &["review", "--peek", "--json"][..],
    ] {
        let plain = stdout(&s.rehearse(DAY3).args(args).output().unwrap());
        for width in WIDTHS {
            let narrow = run(&s, DAY3, width, args, "");
            assert_eq!(narrow, plain, "{args:?} at {width}");
        }
        let coloured = run(
            &s,
            DAY3,
            60,
            &[&["--color", "always"][..], args].concat(),
            "",
        );
        assert_eq!(coloured, plain, "{args:?} with --color always");
    }
}

/// A real terminal: `script` runs the review on a pseudo-terminal. Keys are sent one at a
/// time, each after the screen asks for it, with no Enter except to accept the ticks.
#[test]
fn on_a_terminal_single_keys_act_at_once_and_the_terminal_is_restored() {
    let s = Sandbox::new();
    s.rehearse(DAY0).arg("import").assert().success();
    let bin = env!("CARGO_BIN_EXE_rehearse");
    let mut t = Pty::start(&s, DAY0, &format!("{bin} review --limit 2; stty -a"), &[]);
    t.wait("quit > ");
    t.key(" ");
    t.wait("(e.g. abe!1) > ");
    t.key("a");
    t.wait("a (Enter accepts)");
    t.key("c");
    t.wait("a c (Enter accepts)");
    t.key("\r");
    t.wait("Saved:");
    t.wait_n("quit > ", 2);
    t.key("4");
    t.wait_n("Saved:", 2);
    // The drill of the first question: Ctrl-C ends the session with its summary.
    t.wait_n("quit > ", 3);
    t.key("\x03");
    t.wait("Session over: 2 reviewed (1 at 4, 1 at 3)");
    let (ok, text) = t.finish();
    assert!(ok);
    assert!(text.contains("Covered 2 of 5: grade 3"), "{text}");
    assert!(text.contains("\x1b["), "colour on a terminal:\n{text}");
    // `stty -a` after the review: the terminal is back in cooked mode with echo.
    let stty = &text[text.find("Session over").unwrap()..];
    assert!(
        stty.contains(" icanon") && stty.contains(" echo "),
        "{stty}"
    );
    let rows: Vec<(i64, Option<String>)> = s
        .rows("SELECT grade, missed FROM review_log ORDER BY id", |r| {
            Ok((r.get(0)?, r.get(1)?))
        });
    assert_eq!(rows, [(3, Some("[1,3,4]".to_string())), (4, None)]);
}

const RUBRIC: &str = r#"[deck]
id = "team"
title = "Team Go"

[[question]]
id = "gmp"
section = "Scheduler"
prompt = "Explain the GMP model (G, M, P). What does each component do and why does P exist between G and M?"
points = [
  { key = "G, M and P", detail = "G = goroutine (its stack and status), M = OS thread, P = logical processor holding a local run queue and an mcache", must = true },
  { key = "Why P exists", detail = "scheduling and small allocations need no global lock" },
  { key = "Syscall hand-off", detail = "a blocked M hands its P to another M, so queued goroutines keep running", must = true },
  "GOMAXPROCS sets the number of Ps",
]
red_flags = ["Says goroutines map 1:1 to OS threads", "Says a goroutine blocked in a syscall blocks every goroutine"]
"#;

/// A rubric question revealed and graded from letters with a red flag: keys as the checklist,
/// each detail beneath with the hanging indent, musts marked in words, red flags numbered.
#[test]
fn a_rubric_question_at_60_80_and_120_columns() {
    for width in WIDTHS {
        let s = Sandbox::new();
        s.write("team.toml", RUBRIC);
        s.rehearse(DAY0)
            .args(["import", "team.toml"])
            .assert()
            .success();
        let text = run(
            &s,
            DAY0,
            width,
            &["review"],
            "
abd!1

",
        );
        assert_fits("rubric", &text, width);
        insta::assert_snapshot!(format!("review_rubric_{width}"), text);
        // In colour the detail is dimmed and the red flags red; nothing else changes.
        let s = Sandbox::new();
        s.write("team.toml", RUBRIC);
        s.rehearse(DAY0)
            .args(["import", "team.toml"])
            .assert()
            .success();
        let coloured = run(
            &s,
            DAY0,
            width,
            &["--color", "always", "review"],
            "
abd!1

",
        );
        assert!(
            coloured.contains("\x1b[2m     scheduling and small"),
            "{coloured}"
        );
        assert!(coloured.contains("\x1b[31mSays goroutines"), "{coloured}");
        let mut plain = String::new();
        let mut chars = coloured.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                plain.push(c);
            }
        }
        assert_eq!(plain, text, "colour only styles the text at {width}");
    }
}

/// On a terminal, `!` and a number tick a red flag beside the letters, shown under the prompt;
/// Enter takes the capped grade, and the red flag is logged.
#[test]
fn on_a_terminal_bang_and_a_number_tick_a_red_flag() {
    let s = Sandbox::new();
    s.write("team.toml", RUBRIC);
    s.rehearse(DAY0)
        .args(["import", "team.toml"])
        .assert()
        .success();
    let bin = env!("CARGO_BIN_EXE_rehearse");
    let mut t = Pty::start(
        &s,
        DAY0,
        &format!("{bin} review --limit 1"),
        &[("NO_COLOR", "1")],
    );
    t.wait("quit > ");
    t.key(" ");
    t.wait("(e.g. abd!1) > ");
    for (k, shown) in [
        ("a", "a (Enter accepts)"),
        ("c", "a c (Enter accepts)"),
        ("!", "a c ! (Enter accepts)"),
        ("2", "a c !2 (Enter accepts)"),
    ] {
        t.key(k);
        t.wait(shown);
    }
    t.key("\r");
    t.wait("Saved:");
    t.wait("[drill, 1 left]");
    t.key("q");
    t.wait("Session over");
    let (ok, text) = t.finish();
    assert!(ok);
    assert!(
        text.contains("Covered 2 of 4: grade 2") && text.contains("Red flag 2 said: at most 2."),
        "{text}"
    );
    let rows: Vec<(i64, Option<String>, Option<String>)> = s.rows(
        "SELECT grade, missed, red_flags FROM review_log ORDER BY id",
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    );
    assert_eq!(
        rows,
        [(2, Some("[1,3]".to_string()), Some("[1]".to_string()))]
    );
}
