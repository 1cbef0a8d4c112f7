-- The interview plan's deal for one day: which questions it offers as final reviews that
-- day (before dropping those already reviewed today). It is a function of the plan and of
-- the states as they stood at the start of the day, so it is kept once a day instead of
-- ranking every seen question at every start of review (100,000 of them in the benchmark).
-- Only grades (and their undo) may write without forgetting it, and they do not change the
-- start-of-day states it comes from; every other write (import, restore, suspend, plan set
-- or cleared, bank upgrade) goes through Store::write, which deletes it first.
CREATE TABLE plan_deal (
    one     INTEGER PRIMARY KEY CHECK (one = 1),
    day     TEXT NOT NULL,
    plan    TEXT NOT NULL,   -- the plan it was dealt for: [date, set_on, decks], JSON
    finals  TEXT NOT NULL    -- JSON array of full question ids, in bank order
) STRICT;
