-- The review queue counts due and new questions from cheap index counts, less the retired
-- ones: a partial index keeps those few at hand.
CREATE INDEX question_retired ON question(id) WHERE retired = 1;
