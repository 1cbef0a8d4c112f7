-- The grade and missed points of each question's last scheduling review, kept with its
-- state: what readiness reads (two reviews, the last graded 4 or 5 and missing no must),
-- so `plan` and `stats` no longer look up the last review of every question in the log
-- (one random read of the whole log per question). Written by each review grade, recounted
-- from the log by undo and by restores; filled here from the log.
ALTER TABLE card_state ADD COLUMN last_grade INTEGER CHECK (last_grade BETWEEN 0 AND 5);
ALTER TABLE card_state ADD COLUMN last_missed TEXT;
UPDATE card_state SET (last_grade, last_missed) = (
    SELECT l.grade, l.missed FROM review_log l
    WHERE l.question_id = card_state.question_id AND l.kind = 'review'
    ORDER BY l.id DESC LIMIT 1
);
