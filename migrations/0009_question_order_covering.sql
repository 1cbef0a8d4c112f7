-- The bank-order index also carries what an interview plan's final window ranks by and
-- filters on (the id, for the state; retired and suspended, for "active"), so dealing the
-- final days reads this index and card_state, not the question rows with their prompts and
-- rubrics (100,000 seen questions: ~450 ms -> ~130 ms). Same name, same leading columns:
-- every query that used it for bank order still does.
DROP INDEX question_deck_order;
CREATE INDEX question_deck_order ON question(deck_id, position, id, retired, suspended);
