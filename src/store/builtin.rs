//! What a database last took from the built-in bank (see `crate::builtin`).

use super::Store;
use anyhow::Result;
use rusqlite::OptionalExtension;
use std::collections::HashMap;

impl Store {
    /// The fingerprint of the built-in bank this database last took; None when it never
    /// recorded one (it uses only its own banks, or predates schema 5).
    pub fn builtin_fingerprint(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT fingerprint FROM builtin_bank", [], |r| r.get(0))
            .optional()?)
    }

    /// The digest of each question as the database last took it from the built-in bank.
    pub fn builtin_taken(&self) -> Result<HashMap<String, String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT question_id, digest FROM builtin_question")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records the built-in bank as taken: its fingerprint and each question's digest,
    /// replacing what was there (a savepoint: part of the caller's transaction).
    pub fn set_builtin(&mut self, fingerprint: &str, digests: &[(String, String)]) -> Result<()> {
        let tx = self.conn.savepoint()?;
        tx.execute("DELETE FROM builtin_question", [])?;
        tx.execute(
            "INSERT INTO builtin_bank (one, fingerprint) VALUES (1, ?1)
             ON CONFLICT (one) DO UPDATE SET fingerprint = excluded.fingerprint",
            [fingerprint],
        )?;
        {
            let mut st =
                tx.prepare("INSERT INTO builtin_question (question_id, digest) VALUES (?1, ?2)")?;
            for (id, d) in digests {
                st.execute([id, d])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
