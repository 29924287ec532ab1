-- A Go ref to an imported package's name resolves only to the package its
-- import path denotes: proto.Command, in a file importing
-- github.com/rqlite/rqlite/v8/command/proto, reaches command/proto's
-- Command and not cluster/proto's; http.Client, in one importing
-- net/http, not the project's own cmd/rqlite/http. The chunker records
-- the paths (code_chunks.meta element 13, an object: qualifier to import
-- path; chunk version 18, app/chunk/golang_imports.go) once a file, on
-- its header chunk (named after the package: http, or http#1 for the
-- first piece of a split one), and app/index/rank.go's Edges applies the
-- same rule (chunk.ImportedFrom).
-- Statements end with ";" at the end of a line (see migrate.go).

-- The views of migration 0017, with the Go rule extended. For a ref r of
-- a Go chunk c to a chunk t:
--   - a name of c's own package: t is in c's directory (as before);
--   - a name whose qualifier the imports of c's file give a path p (its
--     header's, found through code_chunks_path): t's directory d
--     (with its slash; '' at the root) is p, or p under a vendor or src
--     directory, or — when p's first element has a dot, as every path
--     outside the standard library has — the end of p (a module's own
--     package: github.com/x/y/command/proto for command/proto; the root
--     for the module path itself);
--   - any other name (rows of older analyzers, qualifiers no import
--     pins): any t of that name, as before.
-- The path is looked up only for refs the first case leaves, in the
-- header's row (json_each gives the one path the qualifier has, or no
-- row: then nothing pins it), through a partial index of the headers:
-- looked up by path among all chunks, or by name among the package's
-- headers, it made CodeCallers 3-4 times slower.
-- The header of each Go file, found by its path: a name without a dot
-- (http; the pieces of a split one, http#1, …, each carry the paths).
-- About 6,500 rows, 0.3 MB, for the standard library's 118,000 chunks.
CREATE INDEX IF NOT EXISTS code_chunks_go_header ON code_chunks (project, path) WHERE lang = 'go' AND instr(name, '.') = 0;
DROP VIEW code_edges;
DROP VIEW code_name_edges;
DROP VIEW code_member_edges;
CREATE VIEW code_name_edges (project, from_id, to_id) AS
	SELECT c.project, c.id, t.id
	FROM code_chunks AS c CROSS JOIN json_each(c.refs) AS r CROSS JOIN code_chunks AS t
	WHERE t.project = c.project AND t.name >= r.atom AND t.name < r.atom || '0' AND t.id <> c.id
	AND (substr(t.name, length(r.atom) + 1) IN ('', '#1') OR (substr(t.name, length(r.atom) + 1) GLOB '/*' AND (t.name NOT GLOB '*#*' OR t.name GLOB '*#1')))
	AND (c.lang <> 'go' OR instr(c.name, '.') = 0 OR CASE
		WHEN substr(r.atom, 1, instr(c.name, '.')) = substr(c.name, 1, instr(c.name, '.'))
		THEN rtrim(t.path, replace(t.path, '/', '')) = rtrim(c.path, replace(c.path, '/', ''))
		WHEN instr(r.atom, '.') < 2 THEN 1
		ELSE NOT EXISTS (SELECT 1 FROM json_each((SELECT h.meta FROM code_chunks AS h INDEXED BY code_chunks_go_header
				WHERE h.project = c.project AND h.path = c.path AND h.lang = 'go' AND instr(h.name, '.') = 0),
				'$[13]."' || substr(r.atom, 1, instr(r.atom, '.') - 1) || '"') AS i, (SELECT rtrim(t.path, replace(t.path, '/', '')) AS d)
			WHERE NOT (d = i.value || '/' OR substr('/' || d, -length(i.value) - 9) = '/vendor/' || i.value || '/'
			OR substr('/' || d, -length(i.value) - 6) = '/src/' || i.value || '/'
			OR instr(substr(i.value, 1, instr(i.value || '/', '/')), '.') > 0 AND (d = '' OR substr(i.value || '/', -length(d) - 1) = '/' || d)))
		END);
CREATE VIEW code_member_edges (project, from_id, to_id) AS
	SELECT c.project, c.id, t.id
	FROM code_chunks AS c CROSS JOIN json_each(c.refs) AS r CROSS JOIN code_members AS m CROSS JOIN code_chunks AS t
	WHERE m.project = c.project AND m.name = r.atom AND t.id = m.chunk_id AND t.id <> c.id
	AND (c.lang <> 'go' OR instr(c.name, '.') = 0 OR CASE
		WHEN substr(r.atom, 1, instr(c.name, '.')) = substr(c.name, 1, instr(c.name, '.'))
		THEN rtrim(t.path, replace(t.path, '/', '')) = rtrim(c.path, replace(c.path, '/', ''))
		WHEN instr(r.atom, '.') < 2 THEN 1
		ELSE NOT EXISTS (SELECT 1 FROM json_each((SELECT h.meta FROM code_chunks AS h INDEXED BY code_chunks_go_header
				WHERE h.project = c.project AND h.path = c.path AND h.lang = 'go' AND instr(h.name, '.') = 0),
				'$[13]."' || substr(r.atom, 1, instr(r.atom, '.') - 1) || '"') AS i, (SELECT rtrim(t.path, replace(t.path, '/', '')) AS d)
			WHERE NOT (d = i.value || '/' OR substr('/' || d, -length(i.value) - 9) = '/vendor/' || i.value || '/'
			OR substr('/' || d, -length(i.value) - 6) = '/src/' || i.value || '/'
			OR instr(substr(i.value, 1, instr(i.value || '/', '/')), '.') > 0 AND (d = '' OR substr(i.value || '/', -length(d) - 1) = '/' || d)))
		END);
CREATE VIEW code_edges (project, from_id, to_id) AS
	SELECT project, from_id, to_id FROM code_name_edges
	UNION ALL
	SELECT project, from_id, to_id FROM code_member_edges;
