-- Suspended questions: kept aside by the user, never scheduled, untouched by any import.
ALTER TABLE question ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0 CHECK (suspended IN (0, 1));
-- The queue counts subtract the few questions that are out of it: retired or suspended.
CREATE INDEX question_inactive ON question(id) WHERE retired = 1 OR suspended = 1;

-- `review --ahead` logs its answers as kind 'cram'. A CHECK cannot be altered in place, so the
-- log is rebuilt with every row and id as it was, and its indexes made again.
CREATE TABLE review_log_new (
    id               INTEGER PRIMARY KEY,
    reviewed_at      TEXT NOT NULL,
    day              TEXT NOT NULL,
    question_id      TEXT NOT NULL REFERENCES question(id),
    grade            INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 5),
    kind             TEXT NOT NULL CHECK (kind IN ('review', 'drill', 'cram')),
    n_before         INTEGER NOT NULL,
    ef_before        INTEGER NOT NULL,
    interval_before  INTEGER NOT NULL,
    due_before       TEXT,
    n_after          INTEGER NOT NULL,
    ef_after         INTEGER NOT NULL,
    interval_after   INTEGER NOT NULL,
    due_after        TEXT NOT NULL,
    answer_ms        INTEGER NOT NULL CHECK (answer_ms >= 0),
    missed           TEXT
) STRICT;
INSERT INTO review_log_new SELECT id, reviewed_at, day, question_id, grade, kind, n_before,
    ef_before, interval_before, due_before, n_after, ef_after, interval_after, due_after,
    answer_ms, missed FROM review_log;
DROP TABLE review_log;
ALTER TABLE review_log_new RENAME TO review_log;
CREATE INDEX review_log_question ON review_log(question_id, id);
CREATE INDEX review_log_day ON review_log(day);
CREATE INDEX review_log_kind_question ON review_log(kind, question_id, grade);

-- What the database last took from the built-in bank: its fingerprint, and a digest of each
-- question's content, so an upgraded binary updates only what changed in the bank.
CREATE TABLE builtin_bank (
    fingerprint  TEXT NOT NULL,
    one          INTEGER PRIMARY KEY CHECK (one = 1)
) STRICT;
CREATE TABLE builtin_question (
    question_id  TEXT PRIMARY KEY,
    digest       TEXT NOT NULL
) STRICT;
