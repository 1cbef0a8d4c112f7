-- Lapses (scheduling grades below 3) kept with each question's state, so stats and csv need
-- no pass over the whole log. Filled from the log once; review, undo and restore keep it.
ALTER TABLE card_state ADD COLUMN lapses INTEGER NOT NULL DEFAULT 0 CHECK (lapses >= 0);
UPDATE card_state SET lapses = (
    SELECT count(*) FROM review_log l
    WHERE l.question_id = card_state.question_id AND l.kind = 'review' AND l.grade < 3
);
