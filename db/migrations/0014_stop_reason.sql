-- Why the answer ended, as the provider said it (OpenAI's finish_reason,
-- Anthropic's stop_reason, Ollama's done_reason): an answer cut off at the
-- output limit ("length", "max_tokens") or refused ("refusal",
-- "content_filter") is recorded ok but is not whole. '' when the provider
-- said nothing, and in rows written before this migration.
-- Statements end with ";" at the end of a line (see migrate.go).

ALTER TABLE llm_interaction ADD COLUMN stop_reason TEXT NOT NULL DEFAULT '';
