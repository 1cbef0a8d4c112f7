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

    /// Runs rehearse with these arguments and input; it must succeed. Returns what it printed.
    pub fn ok(&self, now: &str, args: &[&str], stdin: &str) -> String {
        let out = self
            .rehearse(now)
            .args(args)
            .write_stdin(stdin.to_string())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
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

    /// Waits until the review prints a line containing `text` (its first question: "[1/").
    pub fn wait_for(&mut self, text: &str) {
        for line in self.lines.by_ref() {
            if line.unwrap().contains(text) {
                return;
            }
        }
        panic!("review ended before it printed {text:?}");
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

/// A command run by `script` (util-linux) on a pseudo-terminal, with the sandbox's database
/// and clock, everything it prints collected as it comes.
pub struct Pty {
    pub child: Child,
    stdin: ChildStdin,
    seen: std::sync::Arc<std::sync::Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Pty {
    /// Runs `shell` (a shell command line) on a terminal; `env` is added to the sandbox's.
    pub fn start(s: &Sandbox, now: &str, shell: &str, env: &[(&str, &str)]) -> Pty {
        use std::io::Read;
        let mut c = std::process::Command::new("script");
        c.args(["-qfec", shell, "/dev/null"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", s.dir.path())
            .env("REHEARSE_DB", s.db())
            .env("REHEARSE_NOW", now)
            .env("REHEARSE_ANSWER_MS", "1000")
            .env("TZ", "UTC")
            .env("TERM", "xterm")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        for (k, v) in env {
            c.env(k, v);
        }
        let mut child = c
            .spawn()
            .expect("`script` (util-linux) runs the command on a pseudo-terminal");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let reader = {
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = stdout.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    seen.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            })
        };
        Pty {
            child,
            stdin,
            seen,
            reader: Some(reader),
        }
    }

    /// Waits until `text` has been printed `n` times; a guard against a hang, not a timing.
    pub fn wait_n(&self, text: &str, n: usize) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while self.seen.lock().unwrap().matches(text).count() < n {
            assert!(
                std::time::Instant::now() < deadline,
                "never saw {text:?} {n} times in:\n{}",
                self.seen.lock().unwrap()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    pub fn wait(&self, text: &str) {
        self.wait_n(text, 1)
    }

    /// Types `k` (no Enter unless it holds one).
    pub fn key(&mut self, k: &str) {
        self.stdin.write_all(k.as_bytes()).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Waits for the process to end; returns whether it succeeded and all it printed.
    pub fn finish(mut self) -> (bool, String) {
        let ok = self.child.wait().unwrap().success();
        if let Some(r) = self.reader.take() {
            r.join().unwrap();
        }
        let text = self.seen.lock().unwrap().clone();
        (ok, text)
    }
}
