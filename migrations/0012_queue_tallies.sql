-- The queue's counts without counting. Opening review counted every state (and every
-- question, and every due state) to print "N due, M new": three index scans, 11 ms of a
-- 17 ms first question on the 100,000-question benchmark. These tables keep how many states
-- fall due on each day, and how many questions and states there are, in the same
-- transaction as the rows they count.
-- - States: triggers on card_state, so that every writer keeps them, a rehearse of an
--   older version still running a session when this migration ran included.
-- - Questions: store::bank::write_bank_rows, their only writer (imports, restores, bank
--   upgrades), counts them again after its rows. Not a trigger: a statement with a trigger
--   runs in a statement journal, which copied every page an import touched once per
--   question (import of 100,000 questions 2.2 s -> 3.7 s, 50,000 -> 966,000 writes).
CREATE TABLE due_tally (
    due     TEXT PRIMARY KEY,          -- YYYY-MM-DD, as card_state.due
    states  INTEGER NOT NULL CHECK (states > 0)
) STRICT, WITHOUT ROWID;
INSERT INTO due_tally (due, states) SELECT due, count(*) FROM card_state GROUP BY due;

CREATE TABLE tally (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    questions  INTEGER NOT NULL CHECK (questions >= 0),
    states     INTEGER NOT NULL CHECK (states >= 0)
) STRICT;
INSERT INTO tally (one, questions, states)
    SELECT 1, (SELECT count(*) FROM question), (SELECT count(*) FROM card_state);

CREATE TRIGGER card_state_tally_insert AFTER INSERT ON card_state BEGIN
    INSERT INTO due_tally (due, states) VALUES (new.due, 1)
        ON CONFLICT (due) DO UPDATE SET states = states + 1;
    UPDATE tally SET states = states + 1;
END;
CREATE TRIGGER card_state_tally_delete AFTER DELETE ON card_state BEGIN
    DELETE FROM due_tally WHERE due = old.due AND states = 1;
    UPDATE due_tally SET states = states - 1 WHERE due = old.due;
    UPDATE tally SET states = states - 1;
END;
CREATE TRIGGER card_state_tally_update AFTER UPDATE OF due ON card_state
WHEN old.due IS NOT new.due BEGIN
    DELETE FROM due_tally WHERE due = old.due AND states = 1;
    UPDATE due_tally SET states = states - 1 WHERE due = old.due;
    INSERT INTO due_tally (due, states) VALUES (new.due, 1)
        ON CONFLICT (due) DO UPDATE SET states = states + 1;
END;


-- The due questions of one day come in id order (the contract asks for most overdue first;
-- within a day, bank order cost a sort of the whole day's questions with their rows: 1,000
-- prompts and rubrics read for a page of 64). The index carries the id, so a page of the
-- queue is read from it and only the page's rows are fetched.
DROP INDEX card_state_due;
CREATE INDEX card_state_due ON card_state(due, question_id);
