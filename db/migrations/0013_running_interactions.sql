-- The requests still running, by node: every process start ends its
-- node's orphans (db.InterruptRunningStmt), which must not read the
-- whole table to find none.
-- Statements end with ";" at the end of a line (see migrate.go).

CREATE INDEX llm_interaction_running ON llm_interaction (node) WHERE status = 'running';
