//! Opening a database safely: identify it before changing a byte, then switch it to WAL and
//! migrate it under the write lock, retrying the whole sequence while another rehearse holds
//! it. Two first runs at once on a new file both succeed; another program's file is never
//! touched.

use super::{BUSY_TIMEOUT, MIGRATION_SQL, Store, latest_version};
use anyhow::{Result, anyhow, bail};
use rusqlite::{Connection, OpenFlags};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

/// Below this size a `PRAGMA integrity_check` runs on every open (it also checks that every
/// index matches its table, which a flipped byte in a row breaks); a larger database gets
/// the cheaper `quick_check` before each automatic backup instead.
const CHECK_ON_OPEN_MAX_BYTES: u64 = 16 << 20;

/// What a file is, read in one snapshot.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Identity {
    /// A new or empty file: rehearse may create its schema.
    Empty,
    /// A rehearse database at this schema version.
    Ours(i64),
    /// Written by a newer rehearse.
    Newer(i64),
    /// An SQLite file of another program.
    Foreign,
}

/// The tables, indexes and triggers (type, name) of the latest schema, sorted: what every
/// open compares the file with. Written out rather than built from the migrations at each
/// start (running them in memory took 6-7 ms of every command); a unit test keeps it equal
/// to what the migrations build.
const LATEST_SCHEMA: [(&str, &str); 27] = [
    ("index", "card_state_due"),
    ("index", "card_state_introduced"),
    ("index", "import_hash_deck"),
    ("index", "question_deck_order"),
    ("index", "question_inactive"),
    ("index", "question_retired"),
    ("index", "review_log_day"),
    ("index", "review_log_mock"),
    ("index", "review_log_question"),
    ("table", "builtin_bank"),
    ("table", "builtin_question"),
    ("table", "card_state"),
    ("table", "deck"),
    ("table", "deck_ready"),
    ("table", "due_tally"),
    ("table", "import_hash"),
    ("table", "interview_plan"),
    ("table", "plan_deal"),
    ("table", "question"),
    ("table", "review_log"),
    ("table", "tally"),
    ("trigger", "card_state_ready_delete"),
    ("trigger", "card_state_ready_insert"),
    ("trigger", "card_state_ready_update"),
    ("trigger", "card_state_tally_delete"),
    ("trigger", "card_state_tally_insert"),
    ("trigger", "card_state_tally_update"),
];

/// The names of each older schema version, from the migrations themselves, built only when
/// a file at an older version is met.
static OLDER_SCHEMAS: LazyLock<Vec<BTreeSet<(String, String)>>> = LazyLock::new(|| {
    let conn = Connection::open_in_memory().expect("an in-memory database");
    let mut out = vec![BTreeSet::new()];
    for sql in &MIGRATION_SQL[..MIGRATION_SQL.len() - 1] {
        conn.execute_batch(sql)
            .expect("the embedded migrations are valid");
        out.push(schema_names(&conn).expect("an in-memory schema"));
    }
    out
});

fn latest_schema() -> impl Iterator<Item = (String, String)> {
    LATEST_SCHEMA
        .iter()
        .map(|&(t, n)| (t.to_string(), n.to_string()))
}

fn schema_names(conn: &Connection) -> rusqlite::Result<BTreeSet<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' AND type IN ('table', 'index', 'view', 'trigger')",
    )?;
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

/// Reads the identity of the open file inside one read transaction.
pub(super) fn identify(conn: &Connection) -> rusqlite::Result<Identity> {
    let in_tx = !conn.is_autocommit();
    if !in_tx {
        conn.execute_batch("BEGIN")?;
    }
    let read = || -> rusqlite::Result<Identity> {
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let names = schema_names(conn)?;
        let latest = latest_version();
        Ok(match version {
            0 if names.is_empty() => Identity::Empty,
            v if v == latest && names.iter().cloned().eq(latest_schema()) => Identity::Ours(v),
            v if v > 0 && v < latest && OLDER_SCHEMAS[v as usize] == names => Identity::Ours(v),
            // A newer rehearse has at least our latest tables.
            v if v > latest && latest_schema().all(|n| names.contains(&n)) => Identity::Newer(v),
            _ => Identity::Foreign,
        })
    };
    let r = read();
    if !in_tx {
        let _ = conn.execute_batch("COMMIT");
    }
    r
}

/// Is this error another connection holding a lock?
pub(super) fn is_busy(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::*;
    matches!(
        e.sqlite_error_code(),
        Some(DatabaseBusy) | Some(DatabaseLocked)
    )
}

/// The bytes every SQLite file starts with.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// A file that exists and is not empty must be an SQLite file, or SQLite may take it for a
/// new database and overwrite it.
pub(super) fn check_header(path: &Path) -> Result<()> {
    use std::io::Read;
    let Ok(mut f) = std::fs::File::open(path) else {
        return Ok(());
    };
    let mut head = [0u8; 16];
    let mut got = 0;
    while got < head.len() {
        match f.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(_) => return Ok(()),
        }
    }
    if got > 0 && (got < head.len() || &head != SQLITE_MAGIC) {
        bail!(
            "{} is not a rehearse database (not SQLite, or damaged): pass another --db path, or restore it from a backup",
            path.display()
        );
    }
    Ok(())
}

/// How a store is opened.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// Create, migrate and write.
    ReadWrite,
    /// Read only: nothing is created, switched or migrated (a read-only medium).
    ReadOnly,
}

pub(super) fn open(path: &Path, mode: Mode) -> Result<Connection> {
    check_header(path)?;
    let deadline = Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(2);
    loop {
        match attempt(path, mode) {
            Ok(Ok(conn)) => return Ok(conn),
            Ok(Err(refused)) => return Err(refused),
            Err(e) if is_busy(&e) && Instant::now() < deadline => {
                // Another rehearse is creating or migrating this file: let it finish.
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(e) => return Err(super::open_error(path, e)),
        }
    }
}

/// One try of the open sequence. The outer error is SQLite's (retried when busy); the inner
/// one a refusal that says what to do.
fn attempt(path: &Path, mode: Mode) -> rusqlite::Result<Result<Connection>> {
    let shown = path.display();
    let conn = match mode {
        Mode::ReadWrite => Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?,
        Mode::ReadOnly => open_read_only(path)?,
    };
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let identity = identify(&conn)?;
    match identity {
        Identity::Foreign => {
            return Ok(Err(anyhow!(
                "{shown} is an SQLite database of another program, not rehearse's: pass another --db path"
            )));
        }
        Identity::Newer(v) => {
            return Ok(Err(anyhow!(
                "{shown} was written by a newer rehearse (schema version {v}, this one knows {}): upgrade rehearse, or pass another --db path",
                latest_version()
            )));
        }
        Identity::Empty if mode == Mode::ReadOnly => {
            return Ok(Err(anyhow!(
                "{shown} holds no rehearse data yet and cannot be written here: pass another --db path"
            )));
        }
        Identity::Ours(v) if v < latest_version() && mode == Mode::ReadOnly => {
            return Ok(Err(anyhow!(
                "{shown} needs a schema update (version {v} to {}) and cannot be written here: copy it to a writable folder, or pass another --db path",
                latest_version()
            )));
        }
        _ => {}
    }
    if identity != Identity::Empty
        && checked_on_open(path)
        && let Some(problem) = integrity_check(&conn)?
    {
        return Ok(Err(damaged(path, &problem)));
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    if mode == Mode::ReadOnly {
        return Ok(Ok(conn));
    }
    // Every acknowledged write is on disk: in WAL mode FULL syncs the log at each commit.
    conn.pragma_update(None, "synchronous", "FULL")?;
    let journal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    if !journal.eq_ignore_ascii_case("wal") {
        let now: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !now.eq_ignore_ascii_case("wal") {
            return Ok(Err(anyhow!(
                "cannot switch {shown} to write-ahead logging (it stayed {now}): pass a --db path on a local disk"
            )));
        }
    }
    Ok(Ok(conn))
}

/// Opens without writing a byte. With no write-ahead log beside the file, nothing can be
/// pending, and SQLite is told the file is immutable, so it creates no -shm or -wal either
/// (which a read-only medium would refuse).
fn open_read_only(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    if size(Path::new(&wal)) > 0 {
        return Connection::open_with_flags(path, flags);
    }
    let uri = format!("file:{}?immutable=1", uri_path(path));
    Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
}

/// A path as the path part of an SQLite URI: every byte but unreserved ones and '/' escaped.
fn uri_path(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for &b in abs.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Is the file small enough that opening it ran the full integrity check?
pub(super) fn checked_on_open(path: &Path) -> bool {
    size(path) <= CHECK_ON_OPEN_MAX_BYTES
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// `None` when the file is sound, else SQLite's first complaint.
pub(super) fn quick_check(conn: &Connection) -> rusqlite::Result<Option<String>> {
    check(conn, "PRAGMA quick_check(1)")
}

/// `None` when the file is sound, checking indexes against tables too.
pub(super) fn integrity_check(conn: &Connection) -> rusqlite::Result<Option<String>> {
    check(conn, "PRAGMA integrity_check(1)")
}

fn check(conn: &Connection, pragma: &str) -> rusqlite::Result<Option<String>> {
    match conn.query_row(pragma, [], |r| r.get::<_, String>(0)) {
        Ok(s) if s == "ok" => Ok(None),
        Ok(s) => Ok(Some(s)),
        Err(e) if is_busy(&e) => Err(e),
        Err(e) => match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseCorrupt)
            | Some(rusqlite::ErrorCode::NotADatabase) => Ok(Some(e.to_string())),
            _ => Err(e),
        },
    }
}

/// The line for a file whose integrity check failed; SQLite's own report (page numbers) is
/// no help to a person, so it is not repeated.
pub(super) fn damaged(path: &Path, _problem: &str) -> anyhow::Error {
    super::damaged_error(path, "database disk image is malformed")
}

impl Store {
    /// Brings the schema to this binary's version under the write lock, re-reading the version
    /// inside it, so that of two racing first runs one migrates and the other sees it done.
    /// Returns the version the file had, when a migration ran.
    pub(super) fn migrate(&mut self) -> Result<Option<i64>> {
        let conn = &self.conn;
        conn.execute_batch("BEGIN IMMEDIATE").map_err(super::busy)?;
        let run = || -> Result<Option<i64>> {
            let from = match identify(conn)? {
                Identity::Empty => 0,
                Identity::Ours(v) if v < latest_version() => v,
                Identity::Ours(_) => return Ok(None),
                _ => bail!(
                    "{} was changed by another program while it was being opened: try again",
                    self.path.display()
                ),
            };
            for (i, sql) in MIGRATION_SQL.iter().enumerate().skip(from as usize) {
                conn.execute_batch(sql).map_err(|e| {
                    anyhow!(
                        "cannot update the schema of {} to version {}: {}",
                        self.path.display(),
                        i + 1,
                        e.to_string().lines().next().unwrap_or("")
                    )
                })?;
            }
            conn.pragma_update(None, "user_version", latest_version())?;
            Ok(Some(from))
        };
        match run() {
            Ok(v) => {
                conn.execute_batch("COMMIT").map_err(super::busy)?;
                Ok(v)
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// The schema version in the file now.
    pub(super) fn version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_schema_is_what_the_migrations_build() {
        let conn = Connection::open_in_memory().unwrap();
        for sql in MIGRATION_SQL {
            conn.execute_batch(sql).unwrap();
        }
        let built: Vec<_> = schema_names(&conn).unwrap().into_iter().collect();
        let listed: Vec<_> = latest_schema().collect();
        assert_eq!(
            listed, built,
            "update LATEST_SCHEMA with the new migration's names"
        );
    }

    #[test]
    fn each_version_is_recognised_by_its_schema() {
        for v in 0..=latest_version() {
            let conn = Connection::open_in_memory().unwrap();
            for sql in &MIGRATION_SQL[..v as usize] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", v).unwrap();
            let want = if v == 0 {
                Identity::Empty
            } else {
                Identity::Ours(v)
            };
            assert_eq!(identify(&conn).unwrap(), want, "version {v}");
            // One table more, or a version that does not match the tables: not ours.
            conn.execute_batch("CREATE TABLE notes (body TEXT)")
                .unwrap();
            assert_eq!(identify(&conn).unwrap(), Identity::Foreign, "version {v}");
        }
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATION_SQL[0]).unwrap();
        conn.pragma_update(None, "user_version", 3).unwrap();
        assert_eq!(identify(&conn).unwrap(), Identity::Foreign);
    }

    #[test]
    fn a_newer_schema_keeps_our_tables() {
        let conn = Connection::open_in_memory().unwrap();
        for sql in MIGRATION_SQL {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch("CREATE TABLE later (x INTEGER)")
            .unwrap();
        conn.pragma_update(None, "user_version", 77).unwrap();
        assert_eq!(identify(&conn).unwrap(), Identity::Newer(77));
        let other = Connection::open_in_memory().unwrap();
        other
            .execute_batch("CREATE TABLE notes (body TEXT)")
            .unwrap();
        other.pragma_update(None, "user_version", 77).unwrap();
        assert_eq!(identify(&other).unwrap(), Identity::Foreign);
    }
}
