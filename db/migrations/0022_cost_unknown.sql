-- Whether a request's cost is unknown, decided when it is recorded: 1 when
-- it used tokens of a cloud model no price was known for (cost_usd then
-- leaves that out), 0 when its cost is what cost_usd says. NULL for the
-- requests recorded before this column, whose readers judge by the
-- provider and the prices they know (app.CostUnknown), as before.
-- Statements end with ";" at the end of a line (see migrate.go).

ALTER TABLE llm_interaction ADD COLUMN cost_unknown INTEGER;

-- The requests of unknown cost, by session: session list and show mark
-- the costs they leave out (db.Store.UnknownCostRequests).
CREATE INDEX llm_interaction_cost_unknown ON llm_interaction (session_id) WHERE cost_unknown = 1;
