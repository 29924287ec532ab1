-- The model the coordinator asked for, beside the one that answered
-- (model): a provider may answer an alias with a dated ID (Anthropic's
-- claude-sonnet-4-5 with claude-sonnet-4-5-20250929), and the context
-- builder looks up what it learned by the model as configured
-- (db.Store.PromptTokenRatio). '' in rows written before this migration.
-- Statements end with ";" at the end of a line (see migrate.go).

ALTER TABLE llm_interaction ADD COLUMN requested_model TEXT NOT NULL DEFAULT '';
