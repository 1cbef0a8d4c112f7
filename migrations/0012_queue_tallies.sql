-- The queue's counts without counting. Opening review counted every state (and every
-- question, and every due state) to print "N due, M new": three index scans, 11 ms of a
-- 17 ms first question on the 100,000-question benchmark. These tables keep how many states
-- fall due on each day, and how many questions and states there are, written in the same
-- transaction as the rows they count by the only two places that write those rows:
-- store::review::put_state (every state: grades, undo, mocks, restores) and
-- store::bank::write_bank_rows (every question: imports, restores, bank upgrades). Not by
-- triggers: a statement with a trigger runs inside a statement journal, which copied every
-- page an import touched once per question (import of 100,000 questions 2.2 s -> 3.7 s,
-- 50,000 -> 966,000 writes).
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

-- The due questions of one day come in id order (the contract asks for most overdue first;
-- within a day, bank order cost a sort of the whole day's questions with their rows: 1,000
-- prompts and rubrics read for a page of 64). The index carries the id, so a page of the
-- queue is read from it and only the page's rows are fetched.
DROP INDEX card_state_due;
CREATE INDEX card_state_due ON card_state(due, question_id);
