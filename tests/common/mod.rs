//! A sandbox per test: a temp folder with its own database, a pinned clock and zone.
#![allow(dead_code)]

use assert_cmd::Command;
use std::io::{BufRead, BufReader, Lines, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};

pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("rehearse.db")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The real binary with REHEARSE_NOW set, TZ=UTC and the sandbox's database.
    pub fn rehearse(&self, now: &str) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rehearse"));
        cmd.current_dir(self.dir.path())
            .env_clear()
            .env("HOME", self.dir.path())
            .env("REHEARSE_DB", self.db())
            .env("REHEARSE_NOW", now)
            .env("REHEARSE_ANSWER_MS", "1000")
            .env("TZ", "UTC");
        cmd
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }

    pub fn sql(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.db()).unwrap()
    }

    /// SQLite's `PRAGMA integrity_check` of the sandbox's database: "ok" when it is sound.
    pub fn integrity(&self) -> String {
        self.sql()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap()
    }

    /// Runs a query that returns one integer.
    pub fn count(&self, sql: &str) -> i64 {
        self.sql().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Runs `review` with these arguments and input; it must succeed. Returns what it printed.
    pub fn review(&self, now: &str, args: &[&str], stdin: impl Into<Vec<u8>>) -> String {
        let out = self
            .rehearse(now)
            .arg("review")
            .args(args)
            .write_stdin(stdin.into())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "review {args:?} failed: {}",
            stderr(&out)
        );
        stdout(&out)
    }

    /// Every row of a query, each mapped by `f`.
    pub fn rows<T>(
        &self,
        sql: &str,
        f: impl FnMut(&rusqlite::Row) -> rusqlite::Result<T>,
    ) -> Vec<T> {
        let conn = self.sql();
        let mut st = conn.prepare(sql).unwrap();
        st.query_map([], f).unwrap().map(Result::unwrap).collect()
    }

    /// The bytes of the database and its WAL, for "nothing was written" checks.
    pub fn snapshot(&self) -> Vec<Vec<u8>> {
        ["rehearse.db", "rehearse.db-wal"]
            .iter()
            .map(|n| std::fs::read(self.dir.path().join(n)).unwrap_or_default())
            .collect()
    }
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The built-in bank's full question ids in bank order, read from bank/.
pub fn bank_ids() -> Vec<String> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("bank"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
    files.sort();
    let mut ids = Vec::new();
    for f in files {
        let doc: toml::Table = toml::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let deck = doc["deck"]["id"].as_str().unwrap().to_string();
        for q in doc["question"].as_array().unwrap() {
            ids.push(format!("{deck}/{}", q["id"].as_str().unwrap()));
        }
    }
    ids
}

/// A review running as a real process, fed line by line, for kill and concurrency tests.
pub struct LiveReview {
    pub child: Child,
    pub stdin: ChildStdin,
    pub lines: Lines<BufReader<ChildStdout>>,
}

impl LiveReview {
    pub fn start(s: &Sandbox, now: &str, args: &[&str]) -> LiveReview {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rehearse"))
            .arg("review")
            .args(args)
            .env("REHEARSE_DB", s.db())
            .env("REHEARSE_NOW", now)
            .env("TZ", "UTC")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        LiveReview {
            child,
            stdin,
            lines,
        }
    }

    pub fn send(&mut self, text: &str) {
        self.stdin.write_all(text.as_bytes()).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Types a grade and waits until the review says it is saved.
    pub fn grade(&mut self, g: &str) {
        self.send(&format!("{g}\n"));
        for line in self.lines.by_ref() {
            if line.unwrap().starts_with("Saved:") {
                return;
            }
        }
        panic!("review ended before the grade was saved");
    }
}
