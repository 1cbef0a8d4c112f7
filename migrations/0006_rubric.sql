-- The rubric format: a question's red flags and follow-ups (JSON arrays of strings), the
-- releases it was verified against, and time boxes in minutes (question and deck). Points
-- keep their JSON column: each element is a string (a plain point, as before) or an object
-- {"key", "detail", "must"}, so rows written before this migration read as they were.
ALTER TABLE deck ADD COLUMN minutes INTEGER CHECK (minutes BETWEEN 1 AND 60);
ALTER TABLE question ADD COLUMN red_flags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE question ADD COLUMN follow_ups TEXT NOT NULL DEFAULT '[]';
ALTER TABLE question ADD COLUMN verified TEXT;
ALTER TABLE question ADD COLUMN minutes INTEGER CHECK (minutes BETWEEN 1 AND 60);
-- The red flags an answer said (JSON array of indexes), when graded from points; NULL when none.
ALTER TABLE review_log ADD COLUMN red_flags TEXT;
