-- Methods promoted through embedding. A Go call srv.Close() on a *Server
-- whose Close comes from an embedded type (type Server struct{ *Base })
-- is a ref pkg.(*Server).Close, which no chunk declares. app/index
-- (promoted.go) applies Go's rule for promoted names to the types of each
-- directory and lists the names it settles in code_promoted: the name as
-- refs give it and the chunk of the method it reaches (the piece of an
-- interface declaring it, for a method of an embedded interface). Only
-- types of the same package are followed, so a directory's rows depend on
-- its own files alone, and an index run recomputes those of every
-- directory it changes a Go file of, in the batch that changes it.
-- Statements end with ";" at the end of a line (see migrate.go).

-- What the rule reads of each Go file: for each type chunk [name, shape,
-- members] (code_chunks.meta elements 14 and 12; the shape is null for
-- chunks of analyzers before chunk version 25, which the rule takes as an
-- unknown type) and for each method chunk [name]. Kept by directory (with
-- its slash; '' at the root), so that a directory's are one range read:
-- reading them out of code_chunks' JSON took 10-50 ms for net/http.
CREATE TABLE code_shapes (
	project INTEGER NOT NULL,
	dir     TEXT NOT NULL,
	path    TEXT NOT NULL,
	shapes  TEXT NOT NULL,
	PRIMARY KEY (project, dir, path)
) WITHOUT ROWID;

INSERT INTO code_shapes (project, dir, path, shapes)
	SELECT project, rtrim(path, replace(path, '/', '')), path,
		json_group_array(CASE kind WHEN 'method' THEN json_array(name) ELSE json_array(name, meta -> 14, meta -> 12) END)
	FROM code_chunks WHERE lang = 'go' AND kind IN ('type', 'method') GROUP BY project, path;

-- The promoted names: name as refs give it (pkg.(*Outer).M), chunk_id the
-- chunk it resolves to, dir the directory of both.
CREATE TABLE code_promoted (
	project  INTEGER NOT NULL,
	name     TEXT NOT NULL,
	chunk_id INTEGER NOT NULL,
	dir      TEXT NOT NULL,
	PRIMARY KEY (project, name, chunk_id)
) WITHOUT ROWID;
CREATE INDEX code_promoted_dir ON code_promoted (project, dir);
CREATE INDEX code_promoted_chunk ON code_promoted (chunk_id);

-- Refs resolve through code_promoted as through code_members, under the
-- same package and import-path rules (migration 0020).
CREATE VIEW code_promoted_edges (project, from_id, to_id) AS
	SELECT c.project, c.id, t.id
	FROM code_chunks AS c CROSS JOIN json_each(c.refs) AS r CROSS JOIN code_promoted AS m CROSS JOIN code_chunks AS t
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
DROP VIEW code_edges;
CREATE VIEW code_edges (project, from_id, to_id) AS
	SELECT project, from_id, to_id FROM code_name_edges
	UNION ALL
	SELECT project, from_id, to_id FROM code_member_edges
	UNION ALL
	SELECT project, from_id, to_id FROM code_promoted_edges;
