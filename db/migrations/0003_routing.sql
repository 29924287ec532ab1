-- Routing detail for each LLM request (the coordinator): which strategy
-- chose the route, how many attempts it took, the kind of error it ended
-- with, and every attempt in order (JSON array: provider, model, outcome).

ALTER TABLE llm_interaction ADD COLUMN strategy TEXT NOT NULL DEFAULT '';
ALTER TABLE llm_interaction ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE llm_interaction ADD COLUMN error_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE llm_interaction ADD COLUMN route TEXT NOT NULL DEFAULT '[]';
CREATE INDEX llm_interaction_provider ON llm_interaction (provider, started_at);
