-- embed_usage: one row per embedding request (app/coord's Embed: aiex
-- index embedding chunks, a search embedding its query). They are kept
-- apart from llm_interaction, which is the history of conversations: an
-- index run makes thousands of them, with no prompt a user wrote and no
-- answer to read. What they used and cost counts in aiex usage and in the
-- spend caps (db.Store.Usage, SpentSince) as requests of kind "embed", and
-- a new process's coordinator carries their breaker and rate limits on
-- from them (db.Store.RecentEmbedRoutes), as it does a chat model's.
-- Statements end with ";" at the end of a line (see migrate.go).

CREATE TABLE IF NOT EXISTS embed_usage (
	id            TEXT PRIMARY KEY,
	node          TEXT NOT NULL,
	provider      TEXT NOT NULL,
	model         TEXT NOT NULL,
	inputs        INTEGER NOT NULL DEFAULT 0,  -- texts embedded by the request
	prompt_tokens INTEGER NOT NULL DEFAULT 0,  -- as the provider counted them, else estimated
	estimated     INTEGER NOT NULL DEFAULT 0,  -- 1: prompt_tokens is an estimate
	cost_usd      REAL NOT NULL DEFAULT 0,
	status        TEXT NOT NULL,               -- ok, error, cancelled
	error_kind    TEXT NOT NULL DEFAULT '',
	error         TEXT NOT NULL DEFAULT '',
	attempts      INTEGER NOT NULL DEFAULT 0,
	route         TEXT NOT NULL DEFAULT '[]',  -- JSON array of db.Attempt, as llm_interaction's
	total_ms      REAL,
	started_at    INTEGER NOT NULL,            -- Unix ms
	finished_at   INTEGER NOT NULL             -- Unix ms
);
CREATE INDEX IF NOT EXISTS embed_usage_started ON embed_usage (started_at);
CREATE INDEX IF NOT EXISTS embed_usage_node ON embed_usage (node, started_at);
