-- node_providers: the cloud providers each node configures, by name,
-- published by the node daemon when they change: nodes that configure the
-- same provider share its rate limits (one account's), so each takes its
-- share among those nodes only, not among every live node. A node whose
-- binary predates this table publishes none.
-- Statements end with ";" at the end of a line (see migrate.go).
CREATE TABLE IF NOT EXISTS node_providers (
	node     TEXT NOT NULL,  -- Raft node ID
	provider TEXT NOT NULL,  -- the provider's configured name on that node
	PRIMARY KEY (node, provider)
) WITHOUT ROWID;
