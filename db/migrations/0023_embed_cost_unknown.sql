-- Whether an embedding request's cost is unknown, decided when it is
-- recorded, as llm_interaction's cost_unknown (0022): 1 when it used tokens
-- of a cloud model no price was known for (cost_usd then leaves them out),
-- 0 when its cost is what cost_usd says. NULL for the requests recorded
-- before this column, which usage counts as uncharged for the reader to
-- judge by the provider and the prices it knows (app.MarkUnpriced).
-- Statements end with ";" at the end of a line (see migrate.go).

ALTER TABLE embed_usage ADD COLUMN cost_unknown INTEGER;
