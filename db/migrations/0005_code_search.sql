-- Retrieval over the code index (app/search): the symbol graph's
-- centrality, term statistics for planning queries, and embeddings of
-- chunks. db/search.go has the statements; app/search/DESIGN.md says why.
-- Statements end with ";" at the end of a line (see migrate.go).

-- code_rank: each chunk name's PageRank in its project's symbol graph
-- (app/index/rank.go), keyed by name rather than chunk id so that ranks
-- survive a file's re-index (its chunks get new ids, keep their names).
-- Ranks are scaled so that their mean is 1.
CREATE TABLE code_rank (
	project INTEGER NOT NULL,
	name    TEXT NOT NULL,
	rank    REAL NOT NULL,
	PRIMARY KEY (project, name)
) WITHOUT ROWID;

-- How many files changed since the ranks were computed, and when that was:
-- the index recomputes them once enough of the project changed.
ALTER TABLE code_projects ADD COLUMN rank_stale INTEGER NOT NULL DEFAULT 0;
ALTER TABLE code_projects ADD COLUMN ranked_at INTEGER NOT NULL DEFAULT 0;

-- code_fts_terms: how many chunks hold each word (fts5vocab over code_fts),
-- so that a search can tell a rare word from one in every other chunk
-- before asking FTS5 to rank them all.
CREATE VIRTUAL TABLE code_fts_terms USING fts5vocab(code_fts, row);

-- code_embeddings: a chunk's embedding by one model, keyed by the chunk's
-- content hash (as code_analysis_cache is), so no node embeds the same
-- code with the same model twice. vec is little-endian float32s.
CREATE TABLE code_embeddings (
	hash  TEXT NOT NULL,
	model TEXT NOT NULL,                   -- provider/model
	vec   BLOB NOT NULL,
	node  TEXT NOT NULL,
	PRIMARY KEY (hash, model)
) WITHOUT ROWID;
