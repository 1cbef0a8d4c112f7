-- Bank files imported before, by the SHA-256 of their bytes: a re-import skips a file whose
-- bytes are the same as when it was validated and imported, and counts its questions as
-- unchanged. A row holds only while the deck in the database is exactly what that file made
-- it: any write to the deck or its questions (an import of other bytes, a prune, a restore,
-- an upgrade of the built-in bank) forgets the deck's rows, through the triggers below.
CREATE TABLE import_hash (
    hash       BLOB PRIMARY KEY,
    deck_id    TEXT NOT NULL,
    questions  INTEGER NOT NULL CHECK (questions >= 0)
) STRICT, WITHOUT ROWID;

CREATE INDEX import_hash_deck ON import_hash(deck_id);

CREATE TRIGGER import_hash_question_insert AFTER INSERT ON question BEGIN
    DELETE FROM import_hash WHERE deck_id = NEW.deck_id;
END;

-- Not `suspended`: import never reads or writes it.
CREATE TRIGGER import_hash_question_update
AFTER UPDATE OF id, deck_id, section, prompt, tags, points, position, retired ON question BEGIN
    DELETE FROM import_hash WHERE deck_id IN (OLD.deck_id, NEW.deck_id);
END;

CREATE TRIGGER import_hash_question_delete AFTER DELETE ON question BEGIN
    DELETE FROM import_hash WHERE deck_id = OLD.deck_id;
END;

CREATE TRIGGER import_hash_deck_update AFTER UPDATE ON deck BEGIN
    DELETE FROM import_hash WHERE deck_id IN (OLD.id, NEW.id);
END;

CREATE TRIGGER import_hash_deck_delete AFTER DELETE ON deck BEGIN
    DELETE FROM import_hash WHERE deck_id = OLD.id;
END;
