//! The only place with SQL. Opening checks that the file is a rehearse database, sets the
//! per-connection pragmas, backs up and migrates; the submodules hold the queries of each
//! concern, every write in one transaction.

mod backup;
mod bank;
mod review;
mod stats;

pub use bank::{DeckRow, QuestionRow};
pub use review::{Card, Filter, LogEntry, StateRow};
pub use stats::{History, QuestionStat, WindowRow};

use anyhow::{Context, Result, anyhow, bail};
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{M, Migrations};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

static MIGRATIONS: LazyLock<Migrations<'static>> =
    LazyLock::new(|| Migrations::new(vec![M::up(include_str!("../../migrations/0001_init.sql"))]));

/// How long a command waits for another rehearse process to finish its write.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Store {
    conn: Connection,
}

fn latest_version() -> i64 {
    // One migration per entry; the schema version is their count.
    MIGRATIONS_COUNT as i64
}
const MIGRATIONS_COUNT: usize = 1;

impl Store {
    /// Opens (creating if needed) the database at `path`, migrating it to this binary's schema.
    pub fn open(path: &Path) -> Result<Store> {
        let shown = path.display();
        if path.is_dir() {
            bail!("database path {shown} is a folder: pass a file path with --db");
        }
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
            MIGRATIONS
                .to_latest(&mut store.conn)
                .map_err(|e| anyhow!("cannot update the schema of {shown}: {e}"))?;
        }
        Ok(store)
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

    /// True when no deck was ever imported.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM deck)", [], |r| r.get(0))?)
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
            "{shown} is damaged (SQLite reports corruption): restore it from a backup, or pass another --db path"
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
    fn migrations_are_valid() {
        MIGRATIONS.validate().unwrap();
        assert_eq!(latest_version(), 1);
    }
}
