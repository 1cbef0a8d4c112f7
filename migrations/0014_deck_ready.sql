-- Readiness per deck without reading every state. `plan` (and `stats` with a plan) read the
-- 100,000 states of the benchmark's bank to count the ready questions of each deck: 0.25 s of
-- a 0.25 s `plan`. This table keeps, per deck, its active questions (not retired, not
-- suspended), how many of them have a state (seen), and how many are ready (interview.md: at
-- least two scheduling reviews, the last graded 4 or 5, missing no must point), in the same
-- transaction as the rows they count.
-- - States: triggers on card_state (a statement on card_state already runs its tally
--   triggers, so these add no statement journal), so that every writer of states keeps them,
--   a rehearse of an older version still running a session included.
-- - Questions: store::bank::write_bank_rows (imports, restores, bank upgrades) counts the
--   decks it wrote again; a suspend or unsuspend adds or takes away the question's share.
-- A question is ready when, of its state s and its rubric q.points (a JSON array whose
-- objects carry "must": true), with last_missed the JSON array of the point indexes missed:
--   (s.n >= 2 OR (s.n = 1 AND s.lapses > 0)) AND s.last_grade >= 4 AND no missed index names
--   a must point.
CREATE TABLE deck_ready (
    deck_id    TEXT PRIMARY KEY,
    questions  INTEGER NOT NULL CHECK (questions >= 0),
    states     INTEGER NOT NULL CHECK (states >= 0),
    ready      INTEGER NOT NULL CHECK (ready >= 0)
) STRICT, WITHOUT ROWID;

INSERT INTO deck_ready (deck_id, questions, states, ready)
SELECT d.id, count(q.id), count(s.question_id), coalesce(sum(
    CASE WHEN (s.n >= 2 OR (s.n = 1 AND s.lapses > 0)) AND s.last_grade >= 4
        AND NOT EXISTS (SELECT 1 FROM json_each(s.last_missed) m
            WHERE json_extract(q.points, '$[' || m.value || '].must') = 1)
    THEN 1 ELSE 0 END), 0)
FROM deck d LEFT JOIN question q ON q.deck_id = d.id AND q.retired = 0 AND q.suspended = 0
LEFT JOIN card_state s ON s.question_id = q.id
GROUP BY d.id;

CREATE TRIGGER card_state_ready_insert AFTER INSERT ON card_state BEGIN
    UPDATE deck_ready SET states = states + 1, ready = ready + (
        CASE WHEN (new.n >= 2 OR (new.n = 1 AND new.lapses > 0)) AND new.last_grade >= 4
            AND NOT EXISTS (SELECT 1 FROM json_each(new.last_missed) m
                WHERE json_extract((SELECT points FROM question WHERE id = new.question_id),
                    '$[' || m.value || '].must') = 1)
        THEN 1 ELSE 0 END)
    WHERE deck_id = (SELECT deck_id FROM question
        WHERE id = new.question_id AND retired = 0 AND suspended = 0);
END;

CREATE TRIGGER card_state_ready_delete AFTER DELETE ON card_state BEGIN
    UPDATE deck_ready SET states = states - 1, ready = ready - (
        CASE WHEN (old.n >= 2 OR (old.n = 1 AND old.lapses > 0)) AND old.last_grade >= 4
            AND NOT EXISTS (SELECT 1 FROM json_each(old.last_missed) m
                WHERE json_extract((SELECT points FROM question WHERE id = old.question_id),
                    '$[' || m.value || '].must') = 1)
        THEN 1 ELSE 0 END)
    WHERE deck_id = (SELECT deck_id FROM question
        WHERE id = old.question_id AND retired = 0 AND suspended = 0);
END;

-- Only when readiness changes: most grades leave it as it was, and write no page of this
-- table.
CREATE TRIGGER card_state_ready_update AFTER UPDATE OF n, lapses, last_grade, last_missed
ON card_state WHEN
    (CASE WHEN (new.n >= 2 OR (new.n = 1 AND new.lapses > 0)) AND new.last_grade >= 4
        AND NOT EXISTS (SELECT 1 FROM json_each(new.last_missed) m
            WHERE json_extract((SELECT points FROM question WHERE id = new.question_id),
                '$[' || m.value || '].must') = 1)
    THEN 1 ELSE 0 END) <>
    (CASE WHEN (old.n >= 2 OR (old.n = 1 AND old.lapses > 0)) AND old.last_grade >= 4
        AND NOT EXISTS (SELECT 1 FROM json_each(old.last_missed) m
            WHERE json_extract((SELECT points FROM question WHERE id = old.question_id),
                '$[' || m.value || '].must') = 1)
    THEN 1 ELSE 0 END)
BEGIN
    -- Readiness changed: by +1 when it is ready now, else by -1.
    UPDATE deck_ready SET ready = ready - 1 + 2 * (
        CASE WHEN (new.n >= 2 OR (new.n = 1 AND new.lapses > 0)) AND new.last_grade >= 4
            AND NOT EXISTS (SELECT 1 FROM json_each(new.last_missed) m
                WHERE json_extract((SELECT points FROM question WHERE id = new.question_id),
                    '$[' || m.value || '].must') = 1)
        THEN 1 ELSE 0 END)
    WHERE deck_id = (SELECT deck_id FROM question
        WHERE id = new.question_id AND retired = 0 AND suspended = 0);
END;

-- The deal of the whole window, kept beside the day's finals: for each day from the kept
-- day to the eve of the date, the first (strongest) question dealt it and how many of those
-- dealt it SM-2 does not offer by then (JSON). `plan` draws the window's load from it
-- instead of ranking every seen question again. NULL (a deal kept by an older rehearse):
-- dealt again.
ALTER TABLE plan_deal ADD COLUMN window TEXT;
