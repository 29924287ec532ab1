-- The first schema: what the walking skeleton writes.
-- Statements end with ";" at the end of a line (see migrate.go).

-- nodes: every aiex node that has used this store.
CREATE TABLE nodes (
	id         TEXT PRIMARY KEY,          -- Raft node ID
	name       TEXT NOT NULL,             -- host or tailnet name
	addr       TEXT NOT NULL DEFAULT '',  -- mesh address, empty for a solo node
	version    TEXT NOT NULL DEFAULT '',  -- aiex version
	started_at INTEGER NOT NULL,          -- Unix ms
	last_seen  INTEGER NOT NULL           -- Unix ms
);

-- llm_interaction: one row per LLM request, written when it starts
-- (status 'running') and completed when it ends.
CREATE TABLE llm_interaction (
	id                TEXT PRIMARY KEY,
	session_id        TEXT NOT NULL DEFAULT '',
	node              TEXT NOT NULL,
	provider          TEXT NOT NULL,
	model             TEXT NOT NULL,
	prompt            TEXT NOT NULL,
	response          TEXT NOT NULL DEFAULT '',
	prompt_tokens     INTEGER NOT NULL DEFAULT 0,
	completion_tokens INTEGER NOT NULL DEFAULT 0,
	ttft_ms           REAL,                -- time to first token; NULL if none came
	total_ms          REAL,
	status            TEXT NOT NULL,       -- running, ok, error, interrupted, cancelled
	error             TEXT NOT NULL DEFAULT '',
	cost_usd          REAL NOT NULL DEFAULT 0,
	started_at        INTEGER NOT NULL,    -- Unix ms
	finished_at       INTEGER              -- Unix ms; NULL while running
);
CREATE INDEX llm_interaction_started ON llm_interaction (started_at);

-- events: the append-only record of every state change. (stream, version)
-- is unique, so two writers of one stream cannot interleave silently.
CREATE TABLE events (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	stream  TEXT NOT NULL,
	version INTEGER NOT NULL,
	type    TEXT NOT NULL,
	schema  INTEGER NOT NULL DEFAULT 1,
	payload TEXT NOT NULL,                 -- JSON
	node    TEXT NOT NULL,
	actor   TEXT NOT NULL,
	ts      INTEGER NOT NULL,              -- Unix ms
	UNIQUE (stream, version)
);
