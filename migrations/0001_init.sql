-- rehearse schema v1. Append-only: never edit a released migration; add a new file.

CREATE TABLE deck (
    id        TEXT PRIMARY KEY,
    title     TEXT NOT NULL,
    guidance  TEXT,
    position  INTEGER NOT NULL
) STRICT;

CREATE TABLE question (
    id        TEXT PRIMARY KEY,            -- full id: deck/question
    deck_id   TEXT NOT NULL REFERENCES deck(id),
    section   TEXT NOT NULL,
    prompt    TEXT NOT NULL,
    tags      TEXT NOT NULL,               -- JSON array of strings
    points    TEXT NOT NULL,               -- JSON array of strings
    position  INTEGER NOT NULL,            -- order within the deck (bank order)
    retired   INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1))
) STRICT;

CREATE INDEX question_deck_order ON question(deck_id, position);

-- SM-2 state of every question that has had a scheduling review; no row means new.
CREATE TABLE card_state (
    question_id  TEXT PRIMARY KEY REFERENCES question(id),
    n            INTEGER NOT NULL CHECK (n >= 0),
    ef_milli     INTEGER NOT NULL CHECK (ef_milli >= 1300),
    interval     INTEGER NOT NULL CHECK (interval >= 0),   -- stored as i64; saturates
    due          TEXT NOT NULL,             -- YYYY-MM-DD
    introduced   TEXT NOT NULL,             -- review day of the first scheduling review
    last_review  TEXT NOT NULL              -- UTC RFC 3339 instant
) STRICT;

CREATE INDEX card_state_due ON card_state(due);
CREATE INDEX card_state_introduced ON card_state(introduced);

-- Append-only history. Drill rows record the state unchanged (before = after).
CREATE TABLE review_log (
    id               INTEGER PRIMARY KEY,
    reviewed_at      TEXT NOT NULL,         -- UTC RFC 3339 instant
    day              TEXT NOT NULL,         -- review day (local date with rollover)
    question_id      TEXT NOT NULL REFERENCES question(id),
    grade            INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 5),
    kind             TEXT NOT NULL CHECK (kind IN ('review', 'drill')),
    n_before         INTEGER NOT NULL,
    ef_before        INTEGER NOT NULL,
    interval_before  INTEGER NOT NULL,
    due_before       TEXT,                  -- NULL when the question was new
    n_after          INTEGER NOT NULL,
    ef_after         INTEGER NOT NULL,
    interval_after   INTEGER NOT NULL,
    due_after        TEXT NOT NULL,
    answer_ms        INTEGER NOT NULL CHECK (answer_ms >= 0),
    missed           TEXT                   -- JSON array of missed point indexes, when graded from points
) STRICT;

CREATE INDEX review_log_question ON review_log(question_id, id);
CREATE INDEX review_log_day ON review_log(day);
