-- Bank files imported before, by the SHA-256 of their bytes: a re-import skips a file whose
-- bytes are the same as when it was validated and imported, and counts its questions as
-- unchanged. A row holds only while the deck in the database is exactly what that file made
-- it: every write to a deck or its questions (an import of other bytes, a prune, a restore,
-- an upgrade of the built-in bank) goes through store::bank::write_bank_rows, which forgets
-- the deck's rows first. (Not triggers on question: measured, they made an import of 100k
-- questions into an empty database a third slower.)
CREATE TABLE import_hash (
    hash       BLOB PRIMARY KEY,
    deck_id    TEXT NOT NULL,
    questions  INTEGER NOT NULL CHECK (questions >= 0)
) STRICT, WITHOUT ROWID;

CREATE INDEX import_hash_deck ON import_hash(deck_id);
