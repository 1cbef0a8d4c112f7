-- Interview mode. The log rebuild keeps 0006's red_flags column and its values.

-- The interview plan: at most one. `set_on` is the review day it was set, so the final window
-- (a quarter of the days from then to the date, 1 to 7) does not shrink as the date nears.
-- `decks` is a JSON array of deck ids; empty means all decks.
CREATE TABLE interview_plan (
    one      INTEGER PRIMARY KEY CHECK (one = 1),
    date     TEXT NOT NULL,
    set_on   TEXT NOT NULL,
    decks    TEXT NOT NULL
) STRICT;

-- `rehearse mock` logs its answers as kind 'mock', with the red flags said and the instant the
-- mock began (the rows of one mock share it). As in 0005, a CHECK
-- cannot be altered in place, so the log is rebuilt with every row and id as it was.
CREATE TABLE review_log_new (
    id               INTEGER PRIMARY KEY,
    reviewed_at      TEXT NOT NULL,
    day              TEXT NOT NULL,
    question_id      TEXT NOT NULL REFERENCES question(id),
    grade            INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 5),
    kind             TEXT NOT NULL CHECK (kind IN ('review', 'drill', 'cram', 'mock')),
    n_before         INTEGER NOT NULL,
    ef_before        INTEGER NOT NULL,
    interval_before  INTEGER NOT NULL,
    due_before       TEXT,
    n_after          INTEGER NOT NULL,
    ef_after         INTEGER NOT NULL,
    interval_after   INTEGER NOT NULL,
    due_after        TEXT NOT NULL,
    answer_ms        INTEGER NOT NULL CHECK (answer_ms >= 0),
    missed           TEXT,
    red_flags        TEXT,                  -- JSON array of red flag indexes said (0006), NULL when none
    session          TEXT                   -- UTC RFC 3339 instant the mock began (mock only)
) STRICT;
INSERT INTO review_log_new (id, reviewed_at, day, question_id, grade, kind, n_before,
    ef_before, interval_before, due_before, n_after, ef_after, interval_after, due_after,
    answer_ms, missed, red_flags)
    SELECT id, reviewed_at, day, question_id, grade, kind, n_before, ef_before,
    interval_before, due_before, n_after, ef_after, interval_after, due_after, answer_ms, missed,
    red_flags
    FROM review_log;
DROP TABLE review_log;
ALTER TABLE review_log_new RENAME TO review_log;
CREATE INDEX review_log_question ON review_log(question_id, id);
CREATE INDEX review_log_day ON review_log(day);
CREATE INDEX review_log_kind_question ON review_log(kind, question_id, grade);
