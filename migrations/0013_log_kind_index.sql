-- review_log_kind_question (0002) was made for stats to count lapses from the log; lapses
-- and the last review have been kept in card_state since 0004 and 0011, and what still
-- filters the log by kind reads one question's rows (review_log_question finds them) or the
-- mocks. It was the largest of the log's three indexes: every grade wrote 2.4 of its pages
-- (of 18.6), and a restore into an empty database spent 2.8 s of its 27 s building it again.
-- The mocks, the only whole-log read by kind, get a partial index of their own rows, which
-- no other grade writes.
DROP INDEX review_log_kind_question;
CREATE INDEX review_log_mock ON review_log(session) WHERE kind = 'mock';
