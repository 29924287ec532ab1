-- Our own estimate of each request's prompt tokens, beside the count the
-- provider reported (prompt_tokens): for models without a public
-- tokenizer, the ratio of the two teaches the context builder how the
-- model really counts (app/code.go, db.Store.PromptTokenRatio).
-- Statements end with ";" at the end of a line (see migrate.go).

ALTER TABLE llm_interaction ADD COLUMN prompt_estimate INTEGER NOT NULL DEFAULT 0;
