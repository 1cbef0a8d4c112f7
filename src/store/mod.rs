//! The only place with SQL. Opening checks that the file is a rehearse database, sets the
//! per-connection pragmas, backs up and migrates; the submodules hold the queries of each
//! concern, every write in one transaction.

mod backup;
mod bank;
mod browse;
mod builtin;
mod log_json;
mod open;
mod plan;
mod review;
mod snapshot;
mod stats;

pub use open::Mode;
pub use snapshot::{Backups, replace_file, verify};

pub use bank::{DeckRow, QuestionRow, question_rows};
pub use browse::Names;
pub use plan::DeckCounts;
pub use review::{
    Card, DueKey, Filter, Kind, LogEntry, MockRun, NewKey, Recorded, StateRow, due_key,
};
pub use stats::{QuestionStat, StatState, WindowRow};

use anyhow::{Context, Result, anyhow, bail};
use chrono::NaiveDate;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Append-only: never edit or remove an entry once released.
const MIGRATION_SQL: [&str; 14] = [
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_log_covering_index.sql"),
    include_str!("../../migrations/0003_retired_index.sql"),
    include_str!("../../migrations/0004_state_lapses.sql"),
    include_str!("../../migrations/0005_suspend_cram_builtin.sql"),
    include_str!("../../migrations/0006_rubric.sql"),
    include_str!("../../migrations/0007_plan_mock.sql"),
    include_str!("../../migrations/0008_import_hashes.sql"),
    include_str!("../../migrations/0009_question_order_covering.sql"),
    include_str!("../../migrations/0010_plan_deal.sql"),
    include_str!("../../migrations/0011_state_last_review.sql"),
    include_str!("../../migrations/0012_queue_tallies.sql"),
    include_str!("../../migrations/0013_log_kind_index.sql"),
    include_str!("../../migrations/0014_deck_ready.sql"),
];

/// How long a command waits for another rehearse process to finish its write.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Store {
    conn: Connection,
    path: PathBuf,
    backups: Option<Backups>,
    daily_checked: bool,
    /// Held while this process restores a backup into the database (see `take_restore_turn`).
    restore_turn: Option<std::fs::File>,
    /// A second connection on the snapshot of `read_paired`'s transaction, for a reader on
    /// another thread (taken by `stats_rows`).
    second: std::cell::RefCell<Option<Connection>>,
}

/// The schema version this binary writes: one per migration.
pub fn latest_version() -> i64 {
    MIGRATION_SQL.len() as i64
}

impl Store {
    /// Opens the database at `path`. Read-write creates it when missing and migrates it to
    /// this binary's schema (keeping a backup first); read-only changes nothing, for a
    /// read-only medium. `backups`, when given, is where automatic backups go.
    pub fn open(path: &Path, mode: Mode, backups: Option<Backups>) -> Result<Store> {
        check_path(path, mode)?;
        let conn = open::open(path, mode)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            backups,
            daily_checked: false,
            restore_turn: None,
            second: Default::default(),
        };
        if mode == Mode::ReadWrite {
            let version = store.version()?;
            if version < latest_version() {
                if version > 0 {
                    store
                        .take_backup(crate::backups::Reason::Migration(version))
                        .context("no update of the schema was made")?;
                }
                store.migrate()?;
            }
        }
        Ok(store)
    }

    /// A database in memory, for a dry run against a file that does not exist yet.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store {
            conn,
            path: PathBuf::from(":memory:"),
            backups: None,
            daily_checked: true,
            restore_turn: None,
            second: Default::default(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Runs `f` inside one IMMEDIATE transaction: it takes the write lock up front (waiting up
    /// to the busy timeout), so what `f` reads cannot change before it writes. Commits when `f`
    /// succeeds, rolls back otherwise.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        self.daily_backup();
        self.begin_immediate()?;
        let changes = self.conn.total_changes();
        match f(self) {
            Ok(v) => {
                // Any write but a grade may change what the plan's day deal was made from; a
                // transaction that changed nothing (a dry run, a read-only medium) keeps it.
                if self.conn.total_changes() != changes
                    && let Err(e) = forget_plan_deal(&self.conn)
                {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    return Err(e);
                }
                self.conn.execute_batch("COMMIT").map_err(busy)?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Takes the write lock (BEGIN IMMEDIATE), waiting for a restore beside it.
    fn begin_immediate(&self) -> Result<()> {
        self.beside_restore(|| self.conn.execute_batch("BEGIN IMMEDIATE"))
    }

    /// An IMMEDIATE transaction (the write lock up front), waiting for a restore beside it.
    pub(super) fn immediate(&self) -> Result<rusqlite::Transaction<'_>> {
        self.beside_restore(|| {
            rusqlite::Transaction::new_unchecked(
                &self.conn,
                rusqlite::TransactionBehavior::Immediate,
            )
        })
    }

    /// Runs `lock` (a way of taking the write lock) until it succeeds, or fails for another
    /// reason than a restore holding the database (see `wait_for_restore`).
    fn beside_restore<T>(&self, mut lock: impl FnMut() -> rusqlite::Result<T>) -> Result<T> {
        let mut said = false;
        loop {
            match lock() {
                Ok(v) => return Ok(v),
                Err(e) if self.wait_for_restore(&e, &mut said) => {}
                Err(e) => return Err(busy(e)),
            }
        }
    }

    /// After `e`, a lock held past the busy timeout: while another process restores a backup
    /// into this database (it holds the restore turn), waits for the restore to end and says
    /// so once, then true (try again). A grade given beside a long restore is saved, not
    /// refused after ten seconds. False for any other error.
    fn wait_for_restore(&self, e: &rusqlite::Error, said: &mut bool) -> bool {
        let lock = match (&self.restore_turn, &self.backups) {
            (None, Some(b)) if open::is_busy(e) => std::fs::File::open(b.dir.join(RESTORE_LOCK)),
            _ => return false,
        };
        let Ok(lock) = lock else { return false };
        // Only a turn that is held: a file system without locks is no restore.
        match lock.try_lock_shared() {
            Err(std::fs::TryLockError::WouldBlock) => {}
            _ => return false,
        }
        if !*said {
            eprintln!(
                "rehearse: a restore into this database is running: waiting for it to finish"
            );
            *said = true;
        }
        // Returns when the restore lets go of its turn.
        lock.lock_shared().is_ok()
    }

    /// Takes this database's restore turn: an exclusive lock on `.restore.lock` in its
    /// backups folder, held until `end_restore_turn`. Restores take turns (the log is merged
    /// against rows read before they are written), and other writers that find the database
    /// locked past the busy timeout wait for the turn to end instead of failing.
    pub fn take_restore_turn(&mut self) -> Result<()> {
        let Some(b) = &self.backups else {
            return Ok(());
        };
        let cannot = || format!("cannot create {}", b.dir.display());
        std::fs::create_dir_all(&b.dir).with_context(cannot)?;
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(b.dir.join(RESTORE_LOCK))
            .with_context(cannot)?;
        if lock.try_lock().is_err() {
            eprintln!("rehearse: another restore into this database is running: waiting for it");
            lock.lock().with_context(cannot)?;
        }
        self.restore_turn = Some(lock);
        Ok(())
    }

    pub fn end_restore_turn(&mut self) {
        self.restore_turn = None;
    }

    /// Runs `f` inside one read transaction, so every query sees the same snapshot while
    /// reviews go on in other processes.
    pub fn read<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("BEGIN").map_err(busy)?;
        let r = f(self);
        let _ = self.conn.execute_batch("COMMIT");
        r
    }

    /// As `read`, with a second connection reading the same snapshot, so `stats_rows` can
    /// read the log's side on another thread while this one reads the questions. Both read
    /// transactions begin while a third connection holds the write lock, so no commit falls
    /// between them. When that lock is not free within a moment (a restore holds it for
    /// seconds), or the database is in memory or open read-only, there is no second
    /// connection and everything is read on this one.
    pub fn read_paired<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        let file = self
            .conn
            .path()
            .filter(|p| !p.is_empty())
            .map(PathBuf::from);
        let lock = file.as_deref().and_then(|f| self.write_lock(f));
        self.conn.execute_batch("BEGIN").map_err(busy)?;
        if let (Some(lock), Some(file)) = (lock, &file) {
            *self.second.borrow_mut() = self.second_reader(file).ok();
            let _ = lock.execute_batch("ROLLBACK");
        }
        let r = f(self);
        *self.second.borrow_mut() = None;
        let _ = self.conn.execute_batch("COMMIT");
        r
    }

    /// A connection to `file` holding the write lock (taken, nothing written), or None.
    fn write_lock(&self, file: &Path) -> Option<Connection> {
        if self.conn.is_readonly(rusqlite::MAIN_DB).ok()? {
            return None;
        }
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let lock = Connection::open_with_flags(file, flags).ok()?;
        lock.busy_timeout(Duration::from_millis(200)).ok()?;
        lock.execute_batch("BEGIN IMMEDIATE").ok()?;
        Some(lock)
    }

    /// Starts this connection's read, then opens a second one to `file` and starts its read:
    /// the caller holds the write lock, so both see the same snapshot.
    fn second_reader(&self, file: &Path) -> rusqlite::Result<Connection> {
        const START: &str = "SELECT count(*) FROM sqlite_schema";
        self.conn.query_row(START, [], |_| Ok(()))?;
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let second = Connection::open_with_flags(file, flags)?;
        second.busy_timeout(BUSY_TIMEOUT)?;
        second.execute_batch("BEGIN")?;
        second.query_row(START, [], |_| Ok(()))?;
        Ok(second)
    }

    /// The second connection of `read_paired`, once.
    pub(super) fn take_second(&self) -> Option<Connection> {
        self.second.borrow_mut().take()
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

/// Refuses what is not a database file path, or a file SQLite cannot keep safe, before
/// anything is opened.
fn check_path(path: &Path, mode: Mode) -> Result<()> {
    let raw = path.as_os_str().to_string_lossy();
    if raw.trim().is_empty() {
        bail!("the database path is empty: pass a file path with --db or REHEARSE_DB");
    }
    if raw.starts_with(':') || raw.starts_with("file:") {
        bail!(
            "database path {raw:?} is not a file path (SQLite reads it as an in-memory database or a URI, and nothing would be kept): pass a file path with --db"
        );
    }
    let shown = path.display();
    if path.is_dir() {
        bail!("database path {shown} is a folder: pass a file path with --db");
    }
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            bail!(
                "{shown} has {} hard links, and SQLite would keep a separate journal for each name, losing writes: remove the other links (or copy the file) and use one path",
                meta.nlink()
            );
        }
    }
    match mode {
        Mode::ReadWrite => check_writable(path),
        Mode::ReadOnly if !path.exists() => {
            bail!(
                "cannot open {shown}: it does not exist, and this folder is read-only: pass another --db path"
            )
        }
        Mode::ReadOnly => Ok(()),
    }
}

/// Can rehearse write this database (and its folder)? Judged from the permission bits.
pub fn is_writable(path: &Path) -> bool {
    check_writable(path).is_ok()
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
    if let Some(e) = unwritable_side_file(path) {
        return Err(e);
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

/// A `-wal` or `-shm` beside the database that this user cannot write (left by another user,
/// or made immutable): SQLite would only say "read-only".
fn unwritable_side_file(path: &Path) -> Option<anyhow::Error> {
    ["-wal", "-shm"].iter().find_map(|suffix| {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let side = PathBuf::from(side);
        let denied = side.exists()
            && std::fs::OpenOptions::new()
                .write(true)
                .open(&side)
                .is_err_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied);
        denied.then(|| {
            anyhow!(
                "{} cannot be written by you (owned by another user?): with no rehearse running, remove it or give it back to yourself, then try again",
                side.display()
            )
        })
    })
}

/// Forgets the plan's kept deal (see migration 0010), inside the caller's transaction.
pub(super) fn forget_plan_deal(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM plan_deal WHERE one = 1", [])?;
    Ok(())
}

/// The restore turn's lock file, in the backups folder.
const RESTORE_LOCK: &str = ".restore.lock";

/// A lock held past the busy timeout, said plainly.
pub(super) fn busy(e: rusqlite::Error) -> anyhow::Error {
    if open::is_busy(&e) {
        anyhow!(
            "the database stayed locked by another rehearse for {} s: wait for it to finish, then try again",
            BUSY_TIMEOUT.as_secs()
        )
    } else {
        e.into()
    }
}

/// Marks an error that says the database file is damaged, so `backups restore` can put a
/// copy in its place.
#[derive(Debug)]
pub struct Damaged(String);

impl std::fmt::Display for Damaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Damaged {}

pub(crate) fn damaged_error(path: &Path, detail: &str) -> anyhow::Error {
    anyhow::Error::new(Damaged(format!(
        "{} is damaged (SQLite: {detail}): restore it from a backup (rehearse backups), or pass another --db path",
        path.display()
    )))
}

/// Is this the line for a damaged database?
pub fn is_damaged(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.is::<Damaged>())
}

/// One line for an SQLite failure that a person can act on, or `None` to keep the error.
fn describe(path: &Path, e: &rusqlite::Error) -> Option<anyhow::Error> {
    use rusqlite::ErrorCode::*;
    let shown = path.display();
    if matches!(
        e,
        rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::Utf8Error(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
    ) {
        return Some(damaged_error(path, "a value that cannot be read back"));
    }
    // The tables passed the identity check, yet a query names what is not there: the
    // schema's text itself was changed (a flipped byte, another program).
    let text = e.to_string();
    if text.contains("no such column") || text.contains("no such table") {
        return Some(damaged_error(path, "its schema is not what rehearse wrote"));
    }
    Some(match e.sqlite_error_code()? {
        DatabaseCorrupt => damaged_error(path, "database disk image is malformed"),
        NotADatabase => damaged_error(path, "file is not a database"),
        DiskFull => anyhow!(
            "the disk holding {shown} is full: free some space, then try again (what was saved before stays saved)"
        ),
        SystemIoFailure => anyhow!(
            "cannot read or write {shown} (disk I/O error): check that its disk has free space and is healthy, then try again"
        ),
        ReadOnly => {
            let mut shm = path.as_os_str().to_owned();
            shm.push("-shm");
            let shm = PathBuf::from(shm);
            let shm_locked =
                shm.exists() && std::fs::OpenOptions::new().write(true).open(&shm).is_err();
            if shm_locked {
                anyhow!(
                    "{} cannot be written by you (owned by another user?): with no rehearse running, remove it or give it back to yourself, then try again",
                    shm.display()
                )
            } else {
                anyhow!(
                    "{shown} is read-only: make it and its folder writable, or pass another --db path"
                )
            }
        }
        CannotOpen => anyhow!("cannot open {shown}: check that its folder exists and is writable"),
        DatabaseBusy | DatabaseLocked => anyhow!(
            "the database stayed locked by another rehearse for {} s: wait for it to finish, then try again",
            BUSY_TIMEOUT.as_secs()
        ),
        _ => return None,
    })
}

/// Turns an SQLite error met while running a command into a line that says what to do.
pub fn explain(path: &Path, err: anyhow::Error) -> anyhow::Error {
    if is_damaged(&err) {
        return err;
    }
    let found = err
        .chain()
        .find_map(|e| e.downcast_ref::<rusqlite::Error>())
        .and_then(|e| describe(path, e));
    found.unwrap_or(err)
}

fn open_error(path: &Path, e: rusqlite::Error) -> anyhow::Error {
    use rusqlite::ErrorCode::*;
    let shown = path.display();
    match e.sqlite_error_code() {
        Some(NotADatabase) => anyhow!(
            "{shown} is not a rehearse database (not SQLite, or damaged): pass another --db path, or restore it from a backup"
        ),
        _ => describe(path, &e).unwrap_or_else(|| {
            anyhow!(
                "cannot open {shown}: {}",
                e.to_string().lines().next().unwrap_or("")
            )
        }),
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

    /// Both connections of `read_paired` see one snapshot while another process commits.
    #[test]
    fn paired_reads_share_one_snapshot() {
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let store = Store::open(&path, Mode::ReadWrite, None).unwrap();
        let (stop, commits) = (AtomicBool::new(false), AtomicU64::new(0));
        std::thread::scope(|s| {
            s.spawn(|| {
                let w = Connection::open(&path).unwrap();
                w.busy_timeout(Duration::from_secs(5)).unwrap();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let put = "INSERT INTO deck (id, title, position) VALUES (?1, 't', ?2)";
                    if w.execute(put, rusqlite::params![format!("d{i}"), i])
                        .is_ok()
                    {
                        commits.fetch_add(1, Ordering::Relaxed);
                    }
                    std::thread::sleep(Duration::from_micros(100));
                }
            });
            let count = "SELECT count(*) FROM deck";
            let seen = (0..300).map(|_| {
                store.read_paired(|st| {
                    let second = st.take_second();
                    let a: i64 = st.conn.query_row(count, [], |r| r.get(0))?;
                    std::thread::sleep(Duration::from_micros(200));
                    let b = match second {
                        Some(c) => Some(c.query_row(count, [], |r| r.get::<_, i64>(0))?),
                        None => None,
                    };
                    Ok((a, b))
                })
            });
            let seen: Vec<_> = seen.collect();
            // Stopped before any assertion, so a failure cannot leave the writer running.
            stop.store(true, Ordering::Relaxed);
            let seen: Vec<(i64, Option<i64>)> = seen.into_iter().map(Result::unwrap).collect();
            let paired = seen.iter().filter(|(_, b)| b.is_some()).count();
            assert!(
                paired > 250,
                "a second connection nearly every time: {paired} of 300"
            );
            for (a, b) in seen {
                assert!(b.is_none_or(|b| b == a), "two snapshots: {a} and {b:?}");
            }
        });
        assert!(
            commits.load(Ordering::Relaxed) > 10,
            "the writer committed along"
        );
        let memory = Store::open_in_memory().unwrap();
        assert!(
            memory
                .read_paired(|st| Ok(st.take_second().is_none()))
                .unwrap()
        );
    }

    #[test]
    fn migrations_are_valid() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.version().unwrap(), latest_version());
        assert_eq!(store.migrate().unwrap(), None, "a second run does nothing");
        assert_eq!(latest_version(), 14);
    }

    #[test]
    fn grades_are_committed_with_a_full_sync() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.db"), Mode::ReadWrite, None).unwrap();
        let sync: i64 = store
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "FULL: the WAL is synced at every commit");
        let journal: String = store
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(journal, "wal");
    }

    #[test]
    fn a_full_disk_is_one_line_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let mut store = Store::open(&path, Mode::ReadWrite, None).unwrap();
        let pages: i64 = store
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        store
            .conn
            .pragma_update(None, "max_page_count", pages)
            .unwrap();
        let err = store
            .write(|s| {
                for i in 0..1000 {
                    s.conn.execute(
                        "INSERT INTO deck (id, title, position) VALUES (?1, 'a long enough title to fill pages', ?2)",
                        rusqlite::params![format!("d{i}"), i],
                    )?;
                }
                Ok(())
            })
            .unwrap_err();
        assert_eq!(
            format!("{:#}", explain(&path, err)),
            format!(
                "the disk holding {} is full: free some space, then try again (what was saved before stays saved)",
                path.display()
            )
        );
    }
}
