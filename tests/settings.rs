//! The config file, `rehearse config`, completions, the manual and --version, through the
//! real binary.

mod common;
use common::*;
use predicates::prelude::*;

const NOW: &str = "2026-03-01T09:00:00Z";

fn peek(cmd: &mut assert_cmd::Command) -> serde_json::Value {
    let out = cmd.args(["review", "--peek", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn config_values_take_effect_and_flags_and_env_beat_them() {
    let s = Sandbox::new();
    // The default place: <config dir>/rehearse/config.toml (HOME/.config on Linux).
    s.write(
        ".config/rehearse/config.toml",
        "# my habits\nnew_per_day = 3\nday_starts = 10\n",
    );
    let v = peek(&mut s.rehearse(NOW));
    assert_eq!(v["new"], 3);
    // 09:00 with the day starting at 10 is still the day before.
    assert_eq!(v["today"], "2026-02-28");
    let v = peek(s.rehearse(NOW).env("REHEARSE_DAY_STARTS", "4"));
    assert_eq!(v["today"], "2026-03-01");
    let out = s
        .rehearse(NOW)
        .args(["review", "--peek", "--json", "--new", "5"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["new"], 5);
    // REHEARSE_CONFIG names another file.
    let other = s.write("other.toml", "new_per_day = 1\n");
    let v = peek(s.rehearse(NOW).env("REHEARSE_CONFIG", &other));
    assert_eq!(v["new"], 1);
}

#[test]
fn config_shows_each_setting_and_where_it_came_from() {
    let s = Sandbox::new();
    let file = s.write(
        "c.toml",
        "new_per_day = 3\n\nleech_action = \"suspend\"\ncolor = \"never\"\n",
    );
    let shown = file.display().to_string();
    s.rehearse(NOW)
        .arg("config")
        .env("REHEARSE_CONFIG", &file)
        .env("REHEARSE_DAY_STARTS", "5")
        .assert()
        .success()
        .stdout(format!(
            "# config file: {shown}\n\
             new_per_day  = 3          # {shown}:1 (review --new N overrides)\n\
             day_starts   = 5          # environment REHEARSE_DAY_STARTS\n\
             color        = \"never\"    # {shown}:4 (--color overrides)\n\
             leech_lapses = 6          # default\n\
             leech_action = \"suspend\"  # {shown}:3\n"
        ));
    // No file: the defaults, and where the file would be.
    let out = s.rehearse(NOW).arg("config").output().unwrap();
    let text = stdout(&out);
    let expected = s.path(".config/rehearse/config.toml");
    assert!(
        text.starts_with(&format!(
            "# config file: {} (not there: defaults apply)\n",
            expected.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("new_per_day  = 10         # default"),
        "{text}"
    );
    // `config` never creates a database.
    assert!(!s.db().exists());
}

#[test]
fn a_bad_key_or_value_names_the_file_and_line() {
    let s = Sandbox::new();
    let file = s.write("c.toml", "new_per_day = 3\nleech_lapse = 4\n");
    let shown = file.display().to_string();
    for args in [&["config"][..], &["review", "--peek"], &["stats"]] {
        s.rehearse(NOW)
            .args(args)
            .env("REHEARSE_CONFIG", &file)
            .assert()
            .code(1)
            .stderr(format!(
                "rehearse: {shown}:2: unknown key \"leech_lapse\": the keys are new_per_day, day_starts, color, leech_lapses, leech_action\n"
            ));
    }
    s.write("c.toml", "\n\nday_starts = 25\n");
    s.rehearse(NOW)
        .arg("config")
        .env("REHEARSE_CONFIG", &file)
        .assert()
        .code(1)
        .stderr(format!(
            "rehearse: {shown}:3: day_starts = 25 is not an hour: use a whole number from 0 to 23\n"
        ));
    s.write("c.toml", "color = \"sometimes\"\n");
    s.rehearse(NOW)
        .arg("config")
        .env("REHEARSE_CONFIG", &file)
        .assert()
        .code(1)
        .stderr(format!(
            "rehearse: {shown}:1: color = \"sometimes\" is not a choice: use auto or always or never\n"
        ));
    s.write("c.toml", "new_per_day = \n");
    s.rehearse(NOW)
        .arg("config")
        .env("REHEARSE_CONFIG", &file)
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(format!(
            "rehearse: {shown}:1: invalid TOML: "
        )));
    s.rehearse(NOW)
        .arg("config")
        .env("REHEARSE_CONFIG", s.path("missing.toml"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "which does not exist: create it, or unset REHEARSE_CONFIG",
        ));
    assert!(!s.db().exists(), "a bad config writes nothing");
}

#[test]
fn bash_completions_parse_and_name_every_command() {
    let s = Sandbox::new();
    let out = s
        .rehearse(NOW)
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let script = s.write("rehearse.bash", &stdout(&out));
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let text = stdout(&out);
    for cmd in [
        "list",
        "show",
        "suspend",
        "unsuspend",
        "config",
        "--ahead",
        "--leeches",
    ] {
        assert!(text.contains(cmd), "{cmd} missing");
    }
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let out = s
            .rehearse(NOW)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(
            out.status.success() && stdout(&out).contains("rehearse"),
            "{shell}"
        );
    }
    s.rehearse(NOW)
        .args(["completions", "tcsh"])
        .assert()
        .code(2);
    assert!(!s.db().exists());
}

#[test]
fn man_prints_roff_and_version_names_schema_and_bank() {
    let s = Sandbox::new();
    let out = s.rehearse(NOW).arg("man").output().unwrap();
    assert!(out.status.success());
    let man = stdout(&out);
    assert!(man.starts_with(".ie \\n(.g .ds Aq"), "{}", &man[..80]);
    assert!(man.contains(".TH rehearse 1"), "{man}");
    assert!(man.contains("suspend"), "{man}");
    let out = s.rehearse(NOW).arg("--version").output().unwrap();
    let v = stdout(&out);
    assert!(is_full_version(&v), "{v}");
    assert!(!s.db().exists());
}

/// `rehearse X.Y.Z (schema N, built-in bank <12 hex> with N decks)`.
fn is_full_version(v: &str) -> bool {
    let Some(rest) = v.strip_prefix(&format!("rehearse {} (schema ", env!("CARGO_PKG_VERSION")))
    else {
        return false;
    };
    let Some((schema, rest)) = rest.split_once(", built-in bank ") else {
        return false;
    };
    let Some((hex, rest)) = rest.split_once(" with ") else {
        return false;
    };
    schema.parse::<u32>().is_ok_and(|n| n >= 5)
        && hex.len() == 12
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
        && rest == "16 decks)\n"
}

#[test]
fn the_config_color_applies_unless_the_flag_or_the_environment_says_otherwise() {
    let s = Sandbox::new();
    s.rehearse(NOW).arg("import").assert().success();
    let file = s.write("c.toml", "color = \"always\"\n");
    let peek = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = s.rehearse(NOW);
        c.env("REHEARSE_CONFIG", &file)
            .args(args)
            .args(["review", "--peek"]);
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out).contains('\x1b')
    };
    assert!(peek(&[], &[]), "the file's always colours a pipe");
    assert!(!peek(&["--color", "never"], &[]), "the flag beats the file");
    assert!(
        !peek(&[], &[("NO_COLOR", "1")]),
        "the environment beats the file"
    );
}
