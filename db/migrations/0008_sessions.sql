-- Sessions (app/session) as projections of their event streams
-- ("session/<id>" in events), and snapshots of long streams (app/events).
-- A projection row is written in the same Raft transaction as the events it
-- comes from, and `aiex events replay` rebuilds every row from the log; see
-- app/events/DESIGN.md. Numbers are integers (tokens, nano-dollars,
-- milliseconds) so that a row rebuilt from the log is equal to the one
-- written live, bit for bit.
-- Statements end with ";" at the end of a line (see migrate.go).

-- sessions: one row per session that was not removed. version is the
-- version of the session's stream the row reflects: a writer appends with
-- it as the expected version. Archived sessions keep this row (status
-- 'archived') but leave session_turns.
CREATE TABLE sessions (
	id                TEXT PRIMARY KEY,
	project           TEXT NOT NULL,            -- the project's root
	title             TEXT NOT NULL DEFAULT '', -- the first prompt's first line
	status            TEXT NOT NULL,            -- active, archived
	version           INTEGER NOT NULL,
	turns             INTEGER NOT NULL DEFAULT 0,
	prompt_tokens     INTEGER NOT NULL DEFAULT 0,
	completion_tokens INTEGER NOT NULL DEFAULT 0,
	cost_nusd         INTEGER NOT NULL DEFAULT 0, -- USD × 1e9
	provider          TEXT NOT NULL DEFAULT '', -- of the last answered turn
	model             TEXT NOT NULL DEFAULT '',
	actor             TEXT NOT NULL,            -- the interface that started it (cli, tui, lsp, web)
	node              TEXT NOT NULL,            -- the node it started on
	created_at        INTEGER NOT NULL,         -- Unix ms
	updated_at        INTEGER NOT NULL          -- Unix ms of its last event
);
CREATE INDEX sessions_project ON sessions (project, updated_at);
CREATE INDEX sessions_updated ON sessions (updated_at);

-- session_turns: the messages of the active sessions, one row per turn:
-- the user's prompt and the assistant's answer, with what answered it and
-- what context was sent (JSON: chunks and token counts).
CREATE TABLE session_turns (
	session_id        TEXT NOT NULL,
	turn              INTEGER NOT NULL,         -- 1, 2, …
	status            TEXT NOT NULL,            -- running, completed, interrupted, failed
	prompt            TEXT NOT NULL,
	answer            TEXT NOT NULL DEFAULT '',
	provider          TEXT NOT NULL DEFAULT '',
	model             TEXT NOT NULL DEFAULT '',
	node              TEXT NOT NULL DEFAULT '', -- the node that answered
	interaction_id    TEXT NOT NULL DEFAULT '', -- llm_interaction.id
	context           TEXT NOT NULL DEFAULT '', -- JSON summary of the context sent; '' if none
	prompt_tokens     INTEGER NOT NULL DEFAULT 0,
	completion_tokens INTEGER NOT NULL DEFAULT 0,
	cost_nusd         INTEGER NOT NULL DEFAULT 0,
	ttft_ms           INTEGER NOT NULL DEFAULT 0,
	total_ms          INTEGER NOT NULL DEFAULT 0,
	error             TEXT NOT NULL DEFAULT '', -- why it failed or was interrupted
	owner             TEXT NOT NULL DEFAULT '', -- node/instance of the process that ran it
	key               TEXT NOT NULL DEFAULT '', -- the starter's idempotency key
	actor             TEXT NOT NULL DEFAULT '',
	started_at        INTEGER NOT NULL,         -- Unix ms
	finished_at       INTEGER NOT NULL DEFAULT 0, -- Unix ms; 0 while running
	PRIMARY KEY (session_id, turn)
);

-- session_usage: tokens and cost of each session by provider and model.
CREATE TABLE session_usage (
	session_id        TEXT NOT NULL,
	provider          TEXT NOT NULL,
	model             TEXT NOT NULL,
	turns             INTEGER NOT NULL,
	prompt_tokens     INTEGER NOT NULL,
	completion_tokens INTEGER NOT NULL,
	cost_nusd         INTEGER NOT NULL,
	PRIMARY KEY (session_id, provider, model)
) WITHOUT ROWID;

-- event_snapshots: the state a projection folded a stream into, as of a
-- version, so that a long stream loads from it and the events after it.
-- pruned > 0: retention deleted the stream's events up to that version, and
-- replay starts the stream from this snapshot (version >= pruned).
CREATE TABLE event_snapshots (
	stream   TEXT PRIMARY KEY,
	version  INTEGER NOT NULL,
	schema   INTEGER NOT NULL,                 -- of the state, the projection's own
	state    TEXT NOT NULL,                    -- JSON
	pruned   INTEGER NOT NULL DEFAULT 0,
	taken_at INTEGER NOT NULL                  -- Unix ms
);

-- projection_state: the last event each projection was replayed through.
CREATE TABLE projection_state (
	name        TEXT PRIMARY KEY,
	last_id     INTEGER NOT NULL,
	replayed_at INTEGER NOT NULL               -- Unix ms
);
