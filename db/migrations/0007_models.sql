-- models: the models each node's local servers (Ollama, LM Studio) host,
-- published by the node daemon and refreshed when they change, so that any
-- node can route a request to the node that hosts its model.
-- Statements end with ";" at the end of a line (see migrate.go).

CREATE TABLE models (
	node           TEXT NOT NULL,             -- Raft node ID of the hosting node
	provider       TEXT NOT NULL,             -- the provider's configured name on that node
	kind           TEXT NOT NULL,             -- ollama, lmstudio, openai-compatible
	model          TEXT NOT NULL,
	context_window INTEGER NOT NULL DEFAULT 0,
	loaded         INTEGER NOT NULL DEFAULT 0,
	updated_at     INTEGER NOT NULL,          -- Unix ms
	PRIMARY KEY (node, provider, model)
) WITHOUT ROWID;
