//! Automatic backups, the store side: a consistent copy is taken with `VACUUM INTO` under a
//! temporary name, synced to disk and only then linked under its real name, so a kill at any
//! moment leaves either no copy or a whole one. Restoring goes through SQLite's backup API,
//! so other rehearse processes see the old database or the restored one, never a mix.

use super::open::{Identity, checked_on_open, damaged, identify, integrity_check, quick_check};
use super::{Store, latest_version};
use crate::backups::{self, Reason};
use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where automatic backups go, and the clock they are named by.
#[derive(Clone, Debug)]
pub struct Backups {
    pub dir: PathBuf,
    pub day: NaiveDate,
    pub now: DateTime<Utc>,
}

/// A copy in the backups folder.
#[derive(Debug)]
pub struct BackupFile {
    pub name: String,
    pub path: PathBuf,
    pub day: NaiveDate,
    pub reason: String,
    pub bytes: u64,
}

/// A temporary copy older than this belongs to a process that died: it is removed.
const STALE: Duration = Duration::from_secs(3600);
const TMP_PREFIX: &str = ".tmp-";

impl Backups {
    /// The finished copies, oldest first. Temporaries and files of other names are not listed.
    pub fn list(&self) -> Result<Vec<BackupFile>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read {}", self.dir.display()));
            }
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry?;
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let Some((day, reason)) = backups::parse(&name) else {
                continue;
            };
            let meta = entry.metadata()?;
            if !meta.is_file() {
                continue;
            }
            out.push(BackupFile {
                path: entry.path(),
                name,
                day,
                reason,
                bytes: meta.len(),
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The copy named `name`, which must be in the listing.
    pub fn find(&self, name: &str) -> Result<BackupFile> {
        let all = self.list()?;
        let names: Vec<&str> = all.iter().map(|b| b.name.as_str()).collect();
        if names.is_empty() {
            bail!(
                "there are no backups in {} yet: rehearse keeps one on the first write of each day",
                self.dir.display()
            );
        }
        let hint = format!(
            "run `rehearse backups` to list them (newest: {})",
            names[names.len() - 1]
        );
        all.into_iter()
            .find(|b| b.name == name)
            .ok_or_else(|| anyhow!("no backup named {name:?} in {}: {hint}", self.dir.display()))
    }

    fn remove_stale_temporaries(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > STALE);
            if stale && entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Removes what thinning does not keep.
    fn thin(&self) -> Result<()> {
        let names: Vec<String> = self.list()?.into_iter().map(|b| b.name).collect();
        for name in backups::to_remove(&names) {
            let _ = std::fs::remove_file(self.dir.join(name));
        }
        Ok(())
    }

    fn has_copy_of(&self, day: NaiveDate) -> Result<bool> {
        Ok(self.list()?.iter().any(|b| b.day == day))
    }
}

/// Checks a copy before it is trusted: an SQLite file of rehearse's, at a schema this binary
/// can read or migrate, whose integrity check passes.
pub fn verify(path: &Path) -> Result<i64> {
    let shown = path.display();
    let broken = || {
        anyhow!(
            "this backup cannot be restored: {shown} is damaged: choose another (rehearse backups lists them)"
        )
    };
    super::open::check_header(path).map_err(|_| broken())?;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|_| broken())?;
    let version = match identify(&conn).map_err(|_| broken())? {
        Identity::Ours(v) => v,
        Identity::Newer(v) => bail!(
            "{shown} was written by a newer rehearse (schema version {v}, this one knows {}): upgrade rehearse to restore it",
            latest_version()
        ),
        Identity::Empty | Identity::Foreign => {
            bail!("{shown} is not a rehearse database: choose another backup")
        }
    };
    if !matches!(integrity_check(&conn), Ok(None)) {
        return Err(broken());
    }
    Ok(version)
}

impl Store {
    /// Takes a copy for `reason` when this store keeps backups. Returns where it went.
    pub fn take_backup(&self, reason: Reason) -> Result<Option<PathBuf>> {
        let Some(b) = &self.backups else {
            return Ok(None);
        };
        if self.is_empty()? {
            return Ok(None);
        }
        std::fs::create_dir_all(&b.dir)
            .with_context(|| format!("cannot create the backups folder {}", b.dir.display()))?;
        b.remove_stale_temporaries();
        // A small file had the full integrity check when it was opened.
        if !checked_on_open(&self.path)
            && let Some(problem) = quick_check(&self.conn)?
        {
            return Err(damaged(&self.path, &problem));
        }
        let tmp = b.dir.join(format!(
            "{TMP_PREFIX}{}-{}.db",
            std::process::id(),
            b.now.timestamp_nanos_opt().unwrap_or(0)
        ));
        let _ = std::fs::remove_file(&tmp);
        let result = self.copy_to(&tmp, b, reason);
        let _ = std::fs::remove_file(&tmp);
        let path = result.with_context(|| {
            format!(
                "cannot write a backup into {}: check its free space",
                b.dir.display()
            )
        })?;
        b.thin()?;
        Ok(Some(path))
    }

    fn copy_to(&self, tmp: &Path, b: &Backups, reason: Reason) -> Result<PathBuf> {
        self.conn
            .execute("VACUUM INTO ?1", [tmp.to_string_lossy()])?;
        std::fs::File::open(tmp)?.sync_all()?;
        let base = backups::name(b.day, b.now, reason);
        for k in 1.. {
            let name = if k == 1 {
                base.clone()
            } else {
                base.replace(".db", &format!("-{k}.db"))
            };
            let path = b.dir.join(&name);
            // A hard link never replaces an existing copy (two processes in one second).
            match std::fs::hard_link(tmp, &path) {
                Ok(()) => {
                    sync_dir(&b.dir);
                    return Ok(path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e.into()),
            }
        }
        unreachable!("some name is free")
    }

    /// The first write of each review day keeps a copy first. A failure is said on stderr
    /// and does not stop the write: the person's grade matters more than the copy.
    pub(super) fn daily_backup(&mut self) {
        if self.daily_checked {
            return;
        }
        self.daily_checked = true;
        let Some(b) = &self.backups else { return };
        let day = b.day;
        let due = match b.has_copy_of(day) {
            Ok(has) => !has,
            Err(_) => true,
        };
        if due && let Err(e) = self.take_backup(Reason::Daily) {
            eprintln!("rehearse: warning: no daily backup was kept: {e:#}");
        }
    }

    /// Replaces this database's contents with the copy at `from` (already verified), through
    /// SQLite's backup API under the write lock, then migrates it to this binary's schema.
    pub fn restore_from(&mut self, from: &Path) -> Result<()> {
        let src = Connection::open_with_flags(
            from,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        {
            use rusqlite::backup::StepResult;
            let backup = rusqlite::backup::Backup::new(&src, &mut self.conn)?;
            let deadline = std::time::Instant::now() + super::BUSY_TIMEOUT;
            loop {
                match backup.step(-1)? {
                    StepResult::Done => break,
                    StepResult::More => continue,
                    // Another rehearse is writing: wait for it, as every write does.
                    _ if std::time::Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(10))
                    }
                    _ => bail!(
                        "the database stayed locked by another rehearse for {} s: wait for it to finish, then try again",
                        super::BUSY_TIMEOUT.as_secs()
                    ),
                }
            }
        }
        self.migrate()?;
        Ok(())
    }
}

/// Puts the verified copy `from` in place of a database that cannot be opened (damaged, or
/// missing): the old files are kept beside it as `<name>.damaged-<time>`, never deleted.
pub fn replace_file(db: &Path, from: &Path, now: DateTime<Utc>) -> Result<Option<PathBuf>> {
    let stamp = now.format("%Y%m%dT%H%M%SZ");
    let mut kept = None;
    if db.exists() {
        for suffix in ["", "-wal", "-shm"] {
            let mut old = db.as_os_str().to_owned();
            old.push(suffix);
            let old = PathBuf::from(old);
            if old.exists() {
                let mut aside = db.as_os_str().to_owned();
                aside.push(format!(".damaged-{stamp}{suffix}"));
                let aside = PathBuf::from(aside);
                std::fs::rename(&old, &aside)
                    .with_context(|| format!("cannot move {} aside", old.display()))?;
                if suffix.is_empty() {
                    kept = Some(aside);
                }
            }
        }
    }
    let mut tmp = db.as_os_str().to_owned();
    tmp.push(format!(".restore-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let copied = (|| -> std::io::Result<()> {
        std::fs::copy(from, &tmp)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, db)
    })();
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", db.display()));
    }
    if let Some(dir) = db.parent() {
        sync_dir(dir);
    }
    Ok(kept)
}

/// Makes a rename or link in `dir` durable.
fn sync_dir(dir: &Path) {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}
