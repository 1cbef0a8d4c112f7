//! The only place with SQL. Opening checks that the file is a rehearse database, sets the
//! per-connection pragmas, backs up and migrates; the submodules hold the queries of each
//! concern, every write in one transaction.

mod backup;
mod bank;
mod browse;
mod builtin;
mod review;
mod stats;

pub use bank::{DeckRow, QuestionRow};
pub use browse::Names;
pub use review::{Card, DueKey, Filter, Kind, LogEntry, NewKey, Recorded, StateRow, due_key};
pub use stats::{QuestionStat, StatState, WindowRow};

use anyhow::{Context, Result, anyhow, bail};
use chrono::NaiveDate;
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{M, Migrations};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

/// Append-only: never edit or remove an entry once released.
const MIGRATION_SQL: [&str; 5] = [
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_log_covering_index.sql"),
    include_str!("../../migrations/0003_retired_index.sql"),
    include_str!("../../migrations/0004_state_lapses.sql"),
    include_str!("../../migrations/0005_suspend_cram_builtin.sql"),
];

static MIGRATIONS: LazyLock<Migrations<'static>> =
    LazyLock::new(|| Migrations::new(MIGRATION_SQL.iter().map(|sql| M::up(sql)).collect()));

/// How long a command waits for another rehearse process to finish its write.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Store {
    conn: Connection,
}

/// The schema version this binary writes: one per migration.
pub fn latest_version() -> i64 {
    MIGRATION_SQL.len() as i64
}

impl Store {
    /// Opens (creating if needed) the database at `path`, migrating it to this binary's schema.
    pub fn open(path: &Path) -> Result<Store> {
        let shown = path.display();
        if path.is_dir() {
            bail!("database path {shown} is a folder: pass a file path with --db");
        }
        check_writable(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| open_error(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| open_error(path, e))?;
        let app_tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| open_error(path, e))?;
        if version == 0 && app_tables > 0 {
            bail!(
                "{shown} is an SQLite database of another program, not rehearse's: pass another --db path"
            );
        }
        if version > latest_version() {
            bail!(
                "{shown} was written by a newer rehearse (schema version {version}, this one knows {}): upgrade rehearse, or pass another --db path",
                latest_version()
            );
        }
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))
            .map_err(|e| open_error(path, e))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let mut store = Store { conn };
        if version < latest_version() {
            if version > 0 {
                store.backup_before_migration(path, version)?;
            }
            if let Err(e) = MIGRATIONS.to_latest(&mut store.conn) {
                // Another rehearse may have migrated it first (two first runs at once).
                let now: i64 = store
                    .conn
                    .query_row("PRAGMA user_version", [], |r| r.get(0))?;
                if now != latest_version() {
                    bail!("cannot update the schema of {shown}: {e}");
                }
            }
        }
        Ok(store)
    }

    /// A database in memory, for a dry run against a file that does not exist yet.
    pub fn open_in_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        MIGRATIONS
            .to_latest(&mut conn)
            .map_err(|e| anyhow!("cannot set up the schema: {e}"))?;
        Ok(Store { conn })
    }

    /// Writes a consistent copy beside the database before a migration changes it.
    fn backup_before_migration(&self, path: &Path, version: i64) -> Result<()> {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".bak-{version}"));
        let backup = PathBuf::from(name);
        if !backup.exists() {
            self.conn
                .execute("VACUUM INTO ?1", [backup.to_string_lossy()])
                .with_context(|| {
                    format!("cannot write the pre-migration backup {}", backup.display())
                })?;
        }
        Ok(())
    }

    /// Runs `f` inside one IMMEDIATE transaction: it takes the write lock up front (waiting up
    /// to the busy timeout), so what `f` reads cannot change before it writes. Commits when `f`
    /// succeeds, rolls back otherwise.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(busy)?;
        match f(self) {
            Ok(v) => {
                self.conn.execute_batch("COMMIT").map_err(busy)?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Runs `f` inside one read transaction, so every query sees the same snapshot while
    /// reviews go on in other processes.
    pub fn read<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("BEGIN").map_err(busy)?;
        let r = f(self);
        let _ = self.conn.execute_batch("COMMIT");
        r
    }

    /// True when no deck was ever imported.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM deck)", [], |r| r.get(0))?)
    }
}

/// A stored `YYYY-MM-DD` date. Parsed by hand: chrono's format parser was a tenth of the
/// time of `stats` over a large history.
pub(crate) fn date(s: &str) -> rusqlite::Result<NaiveDate> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let parsed = (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
        .then(|| NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?))
        .flatten();
    parsed.ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("bad date {s:?}").into(),
        )
    })
}

/// A count or interval as an SQLite integer; past i64 it saturates.
pub(crate) fn to_sql_int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// ` AND <col> IN (?N, ...)` for a deck list, numbered after `taken` parameters; nothing for
/// an empty list (all decks). `deck_args` gives the matching parameters.
pub(crate) fn decks_in(col: &str, decks: &[String], taken: usize) -> String {
    if decks.is_empty() {
        return String::new();
    }
    let marks: Vec<String> = (taken + 1..=taken + decks.len())
        .map(|i| format!("?{i}"))
        .collect();
    format!(" AND {col} IN ({})", marks.join(", "))
}

pub(crate) fn deck_args(decks: &[String]) -> Vec<&dyn rusqlite::ToSql> {
    decks.iter().map(|d| d as &dyn rusqlite::ToSql).collect()
}

/// SQLite writes the database, its -wal and -shm files, and needs its folder writable.
/// Checked from the permission bits, so the answer is the same for root as for anyone.
fn check_writable(path: &Path) -> Result<()> {
    let shown = path.display();
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().readonly()
    {
        bail!("{shown} is read-only: make it writable (chmod u+w), or pass another --db path");
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match std::fs::metadata(folder) {
        Err(_) => bail!(
            "cannot open {shown}: the folder {} does not exist: create it, or pass another --db path",
            folder.display()
        ),
        Ok(meta) if meta.permissions().readonly() => bail!(
            "the folder of {shown} is read-only, and SQLite keeps its journal there: make {} writable, or pass another --db path",
            folder.display()
        ),
        Ok(_) => Ok(()),
    }
}

/// A lock held past the busy timeout, said plainly.
pub(super) fn busy(e: rusqlite::Error) -> anyhow::Error {
    use rusqlite::ErrorCode::*;
    match e.sqlite_error_code() {
        Some(DatabaseBusy) | Some(DatabaseLocked) => anyhow!(
            "the database stayed locked by another rehearse for {} s: wait for it to finish, then try again",
            BUSY_TIMEOUT.as_secs()
        ),
        _ => e.into(),
    }
}

/// Turns a damaged-file error met after opening into a line that says what to do.
pub fn explain(path: &Path, err: anyhow::Error) -> anyhow::Error {
    use rusqlite::ErrorCode::*;
    let code = err
        .chain()
        .find_map(|e| e.downcast_ref::<rusqlite::Error>())
        .and_then(|e| e.sqlite_error_code());
    let unreadable = err.chain().any(|e| {
        matches!(
            e.downcast_ref::<rusqlite::Error>(),
            Some(
                rusqlite::Error::FromSqlConversionFailure(..)
                    | rusqlite::Error::InvalidColumnType(..)
            )
        )
    });
    if unreadable {
        return anyhow!(
            "{} holds a value rehearse cannot read (edited by another program?): restore it from a backup, or pass another --db path",
            path.display()
        );
    }
    match code {
        Some(DatabaseCorrupt) | Some(NotADatabase) => anyhow!(
            "{} is damaged (SQLite: database disk image is malformed): restore it from a backup, or pass another --db path",
            path.display()
        ),
        Some(ReadOnly) => anyhow!(
            "{} is read-only: make it and its folder writable, or pass another --db path",
            path.display()
        ),
        _ => err,
    }
}

fn open_error(path: &Path, e: rusqlite::Error) -> anyhow::Error {
    use rusqlite::ErrorCode::*;
    let shown = path.display();
    match e.sqlite_error_code() {
        Some(NotADatabase) => anyhow!(
            "{shown} is not a rehearse database (not SQLite, or damaged): pass another --db path, or restore it from a backup"
        ),
        Some(DatabaseCorrupt) => anyhow!(
            "{shown} is damaged (SQLite: database disk image is malformed): restore it from a backup, or pass another --db path"
        ),
        Some(CannotOpen) => {
            anyhow!("cannot open {shown}: check that its folder exists and is writable")
        }
        Some(ReadOnly) => anyhow!(
            "{shown} is read-only: make it and its folder writable, or pass another --db path"
        ),
        Some(DatabaseBusy) | Some(DatabaseLocked) => {
            anyhow!("{shown} is locked by another program: wait for it to finish, then try again")
        }
        _ => anyhow!("cannot open {shown}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(
            date("2026-03-01").unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
        assert_eq!(
            date("9999-12-31").unwrap(),
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()
        );
        for bad in [
            "2026-02-30",
            "2026-3-01",
            "20260301",
            "2026-03-01T",
            "abcd-ef-gh",
            "",
        ] {
            assert!(date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn migrations_are_valid() {
        MIGRATIONS.validate().unwrap();
        assert_eq!(latest_version(), 5);
    }
}
