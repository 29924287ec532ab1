-- References to the names a Go const/var group declares: http.StatusOK,
-- used in a handler, is one of the 62 names of the chunk
-- http.{StatusContinue,…}, which no ref names. code_members lists them so
-- that the symbol graph (code_edges, db.Store.CodeCallees and CodeCallers,
-- app/index/rank.go) resolves such refs to the group. db/code.go fills it
-- from code_chunks, as it fills code_refs; app/index/DESIGN.md says why.
-- Statements end with ";" at the end of a line (see migrate.go).

-- code_members: each name a group chunk declares (meta element 12),
-- qualified by the chunk's package as refs are (http.StatusOK), with the
-- chunk (a piece of a split group lists only the names it holds).
CREATE TABLE code_members (
	project  INTEGER NOT NULL,
	name     TEXT NOT NULL,
	chunk_id INTEGER NOT NULL,
	PRIMARY KEY (project, name, chunk_id)
) WITHOUT ROWID;

-- The groups already indexed (chunk version 5 and later list their
-- members; older rows have no element 12 and list none), so that no
-- project needs to be indexed again.
INSERT OR IGNORE INTO code_members (project, name, chunk_id)
	SELECT c.project, substr(c.name, 1, instr(c.name, '.')) || m.value, c.id
	FROM code_chunks AS c, json_each(c.meta, '$[12]') AS m
	WHERE c.lang = 'go' AND c.name GLOB '*.{*';

-- code_edges as in migration 0004 (code_name_edges), and also from a ref
-- to the group that declares the name (code_member_edges), under the same
-- rule for a Go name of the chunk's own package: only a group in the same
-- directory. The two halves are views of their own for the queries that
-- join them (db.Store.CodeCallers): SQLite does not flatten a UNION ALL
-- view into a join, and would resolve every chunk's refs to confirm one.
DROP VIEW code_edges;
CREATE VIEW code_name_edges (project, from_id, to_id) AS
	SELECT c.project, c.id, t.id
	FROM code_chunks AS c CROSS JOIN json_each(c.refs) AS r CROSS JOIN code_chunks AS t
	WHERE t.project = c.project AND t.name >= r.atom AND t.name < r.atom || '0' AND t.id <> c.id
	AND (substr(t.name, length(r.atom) + 1) IN ('', '#1') OR (substr(t.name, length(r.atom) + 1) GLOB '/*' AND (t.name NOT GLOB '*#*' OR t.name GLOB '*#1')))
	AND (c.lang <> 'go' OR instr(c.name, '.') = 0 OR substr(r.atom, 1, instr(c.name, '.')) <> substr(c.name, 1, instr(c.name, '.')) OR rtrim(t.path, replace(t.path, '/', '')) = rtrim(c.path, replace(c.path, '/', '')));
CREATE VIEW code_member_edges (project, from_id, to_id) AS
	SELECT c.project, c.id, t.id
	FROM code_chunks AS c CROSS JOIN json_each(c.refs) AS r CROSS JOIN code_members AS m CROSS JOIN code_chunks AS t
	WHERE m.project = c.project AND m.name = r.atom AND t.id = m.chunk_id AND t.id <> c.id
	AND (c.lang <> 'go' OR instr(c.name, '.') = 0 OR substr(r.atom, 1, instr(c.name, '.')) <> substr(c.name, 1, instr(c.name, '.')) OR rtrim(t.path, replace(t.path, '/', '')) = rtrim(c.path, replace(c.path, '/', '')));
CREATE VIEW code_edges (project, from_id, to_id) AS
	SELECT project, from_id, to_id FROM code_name_edges
	UNION ALL
	SELECT project, from_id, to_id FROM code_member_edges;
