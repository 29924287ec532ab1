-- The audit log (app/audit): every file operation and command the
-- assistant's sandbox (app/sandbox) performed or refused, as a hash chain.
-- Each row stores the hash of the row before it (prev_hash) and its own
-- hash, SHA-256 over its fields and prev_hash (see app/audit), so that a
-- row changed, deleted or moved afterwards breaks the chain at that row.
-- id is the row's position in the chain: chosen by the writer (the tip's
-- id + 1) and checked by the INSERT against the tip it expected, which Raft
-- applies in one order on every node (see db/audit.go). AUTOINCREMENT keeps
-- sqlite_sequence at the highest id ever written, so deleting the last rows
-- shows too.
-- Statements end with ";" at the end of a line (see migrate.go).
CREATE TABLE audit (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	ts        INTEGER NOT NULL,          -- Unix ms, when the operation happened
	node      TEXT NOT NULL,             -- the node that performed it
	actor     TEXT NOT NULL,             -- who asked (cli, tui, lsp, web, …)
	op        TEXT NOT NULL,             -- read, write, remove, mkdir, stat, list, exec, exit
	path      TEXT NOT NULL DEFAULT '',  -- the file or program; never its contents
	result    TEXT NOT NULL,             -- ok, refused, error
	detail    TEXT NOT NULL DEFAULT '',  -- the rule that refused it, the error, a size, an exit status
	prev_hash TEXT NOT NULL,             -- hex SHA-256 of the row before; '' for the first row
	hash      TEXT NOT NULL              -- hex SHA-256 of this row (app/audit.Hash)
);
CREATE INDEX audit_ts ON audit (ts);
