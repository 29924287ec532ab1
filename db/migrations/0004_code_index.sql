-- The code index (app/index): each project's files and their chunks, a
-- lexical index and a symbol graph over them, and a cache of what the
-- chunker made of a file's content, shared by every node. db/code.go has
-- the statements that fill them; app/index/DESIGN.md says why they look so.
-- Statements end with ";" at the end of a line (see migrate.go).

-- code_projects: one row per indexed project. Its identity is the absolute
-- path of its root (symlinks resolved) for now; other tables key on id.
CREATE TABLE code_projects (
	id         INTEGER PRIMARY KEY,
	root       TEXT NOT NULL UNIQUE,
	analyzer   TEXT NOT NULL DEFAULT '',   -- analyzer of the last complete run
	indexed_at INTEGER NOT NULL DEFAULT 0  -- Unix ms of the last complete run
);

-- code_analysis_cache: what the chunker made of one file content, so that
-- no node analyses the same bytes twice. analyzer names the chunker
-- version, strategy, token family and language: a change to any misses.
-- chunks is a JSON array of arrays (db.EncodeCodeChunks: name, kind,
-- parent, start_line, end_line, start_byte, end_byte, tokens, hash, refs,
-- private, defaults, members — a Go const/var group's names, since chunk
-- version 5); code_chunks rows are copied from it in SQL.
CREATE TABLE code_analysis_cache (
	content_hash TEXT NOT NULL,            -- hex SHA-256 of the file's bytes
	analyzer     TEXT NOT NULL,
	lang         TEXT NOT NULL,
	chunks       TEXT NOT NULL,
	warnings     TEXT NOT NULL,            -- JSON array of strings, without the path
	node         TEXT NOT NULL,            -- the node that analysed it
	created_at   INTEGER NOT NULL,         -- Unix ms
	PRIMARY KEY (content_hash, analyzer)
);

-- code_files: what the last run saw of each file, so that the next one
-- reads only files whose size or mtime changed.
CREATE TABLE code_files (
	project      INTEGER NOT NULL,
	path         TEXT NOT NULL,            -- relative to the root, slash-separated
	content_hash TEXT NOT NULL DEFAULT '', -- '' when skipped unread
	size         INTEGER NOT NULL,
	mtime_ns     INTEGER NOT NULL,
	lang         TEXT NOT NULL DEFAULT '',
	analyzer     TEXT NOT NULL DEFAULT '', -- what made its rows: another one makes them anew
	skipped      TEXT NOT NULL DEFAULT '', -- why the file has no chunks; '' if it has
	indexed_at   INTEGER NOT NULL,         -- Unix ms
	PRIMARY KEY (project, path)
) WITHOUT ROWID;

-- code_chunks: the chunks of each indexed file. meta is the chunk's element
-- of code_analysis_cache.chunks; the columns after it are computed from it
-- when read, which keeps a bulk insert to two indexed columns. refs are the
-- names the chunk references, qualified (http.Header, Enum.map).
CREATE TABLE code_chunks (
	id         INTEGER PRIMARY KEY,
	project    INTEGER NOT NULL,
	path       TEXT NOT NULL,
	lang       TEXT NOT NULL,
	name       TEXT NOT NULL,
	meta       TEXT NOT NULL,
	kind       TEXT AS (meta ->> 1),
	parent     TEXT AS (meta ->> 2),
	start_line INTEGER AS (meta ->> 3),    -- 1-based, inclusive
	end_line   INTEGER AS (meta ->> 4),
	start_byte INTEGER AS (meta ->> 5),    -- half-open byte range
	end_byte   INTEGER AS (meta ->> 6),
	tokens     INTEGER AS (meta ->> 7),
	hash       TEXT AS (meta ->> 8),
	refs       TEXT AS (meta -> 9)         -- JSON array of names
);
CREATE INDEX code_chunks_path ON code_chunks (project, path);
CREATE INDEX code_chunks_name ON code_chunks (project, name);

-- code_fts: the lexical index, rowid = code_chunks.id: name holds the
-- words of the chunk's name, each also split at underscores and case
-- changes (getUser: get, User), and body the distinct words of the chunk
-- (app/index/terms.go): a third to a half of its bytes; the code itself
-- is read from the files. It keeps these word lists: without them (content
-- = '') deleting a re-indexed file's rows costs 50 to 200 ms on an index
-- the size of Go's standard library, and bm25 needs detail=full to rank.
CREATE VIRTUAL TABLE code_fts USING fts5(name, body, detail = column, tokenize = "unicode61 tokenchars '_'");

-- code_refs: the symbol graph read backwards: which chunks refer to a name.
-- (Forwards, a chunk's refs are in its row.)
CREATE TABLE code_refs (
	project INTEGER NOT NULL,
	sym     TEXT NOT NULL,
	from_id INTEGER NOT NULL,
	PRIMARY KEY (project, sym, from_id)
) WITHOUT ROWID;

-- code_edges: the symbol graph, chunk to chunk, resolved when read (stored
-- edges would go stale whenever a file they point into is re-indexed). A
-- name r resolves to the chunks of the project named r, r#1 (the first
-- piece of a split unit), or r/N (an Elixir function of any arity); a Go
-- name of the chunk's own package only to chunks in the same directory.
-- The CROSS JOINs fix the join order (chunk, its refs, their targets) so
-- that each target is an index range; ask by from_id (forwards) or go
-- through code_refs (backwards, see db.Store.CodeCallers).
CREATE VIEW code_edges (project, from_id, to_id) AS
	SELECT c.project, c.id, t.id
	FROM code_chunks AS c CROSS JOIN json_each(c.refs) AS r CROSS JOIN code_chunks AS t
	WHERE t.project = c.project AND t.name >= r.atom AND t.name < r.atom || '0' AND t.id <> c.id
	AND (substr(t.name, length(r.atom) + 1) IN ('', '#1') OR (substr(t.name, length(r.atom) + 1) GLOB '/*' AND (t.name NOT GLOB '*#*' OR t.name GLOB '*#1')))
	AND (c.lang <> 'go' OR instr(c.name, '.') = 0 OR substr(r.atom, 1, instr(c.name, '.')) <> substr(c.name, 1, instr(c.name, '.')) OR rtrim(t.path, replace(t.path, '/', '')) = rtrim(c.path, replace(c.path, '/', '')));
