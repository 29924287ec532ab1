-- The nodes that a recovery of the cluster dropped (aiex cluster recover;
-- see db/cluster_dropped.go). The recovered node keeps them in its data
-- dir and writes them here when it opens next, so that every member, and
-- every node that joins later, refuses a dropped node that comes back on
-- its old data dir: its Raft traffic, its member probes and its joins.
-- A dropped ID never comes back (the machine rejoins on a new data dir,
-- with a new ID), so rows are never deleted.
-- Statements end with ";" at the end of a line (see migrate.go).
CREATE TABLE cluster_dropped (
	id           TEXT PRIMARY KEY,  -- the dropped node's ID
	addr         TEXT NOT NULL,     -- its Raft address when it was dropped
	recovered_on TEXT NOT NULL,     -- the node whose recovery dropped it
	recorded_at  INTEGER NOT NULL   -- Unix ms, when the recovered node recorded it here
);
