package db

import (
	"context"
	"encoding/json"
	"fmt"
)

// Methods promoted through embedding (migrations/0024_code_promoted.sql):
// code_shapes keeps what each Go file declares that Go's rule for
// promoted names reads (its types' shapes and members, its methods'
// names, and the field refs pkg.(*T).f.M its chunks make: calls through
// fields, which the same rule settles), code_promoted the names app/index
// settles with it, each with the chunk it resolves to. CodeWrite writes both: a batch replaces the
// shapes of the files it changes and the promoted names of their
// directories, whose targets it gives by path and chunk name, since the
// chunks' ids are only known as the batch is applied.

// CodeShapes is a code_shapes row: the JSON array of a Go file's type and
// method chunks as [name, shape, members] and [name], and of its chunks'
// field refs as [name, "call"] (app/index's encodeDecls).
type CodeShapes struct {
	Path   string
	Shapes string
}

// CodePromoted is a promoted name to write: Name (pkg.(*Outer).M, or a
// field ref pkg.(*T).f.M), as refs give it, resolves to the chunk named Target in the file Path, in
// directory Dir (with its slash; "" at the root).
type CodePromoted struct {
	Dir, Name, Path, Target string
}

// CodeShapesIn returns the code_shapes rows of the directories dirs (each
// with its slash; "" is the root): one range read of the primary key for
// each.
func (s *Store) CodeShapesIn(ctx context.Context, project int64, dirs []string) ([]CodeShapes, error) {
	if len(dirs) == 0 {
		return nil, nil
	}
	rows, err := s.Query(ctx, `SELECT s.path, s.shapes FROM json_each(?2) AS d CROSS JOIN code_shapes AS s
		WHERE s.project = ?1 AND s.dir = d.value`, project, jsonText(dirs))
	if err != nil {
		return nil, fmt.Errorf("db: code shapes: %w", err)
	}
	out := make([]CodeShapes, len(rows.Values))
	for i, r := range rows.Values {
		out[i] = CodeShapes{Path: asString(r[0]), Shapes: asString(r[1])}
	}
	return out, nil
}

const (
	// codeDropShapes drops the shapes of the paths ?2.
	codeDropShapes = `DELETE FROM code_shapes WHERE (project, dir, path) IN
		(SELECT ?1, rtrim(value, replace(value, '/', '')), value FROM json_each(?2))`
	codeShapes = `INSERT OR REPLACE INTO code_shapes (project, dir, path, shapes)
		SELECT ?1, rtrim(value ->> 0, replace(value ->> 0, '/', '')), value ->> 0, value ->> 1 FROM json_each(?2)`
	// codeDropPromoted drops the promoted names of the directories ?2.
	codeDropPromoted = `DELETE FROM code_promoted WHERE project = ?1 AND dir IN (SELECT value FROM json_each(?2))`
	// codePromoted finds each target by name, then path: a method's name
	// is held by one chunk or a few.
	codePromoted = `INSERT OR IGNORE INTO code_promoted (project, name, chunk_id, dir)
		SELECT ?1, p.value ->> 1, t.id, p.value ->> 0 FROM json_each(?2) AS p
		CROSS JOIN code_chunks AS t INDEXED BY code_chunks_name
		WHERE t.project = ?1 AND t.name = p.value ->> 3 AND t.path = p.value ->> 2`
)

// promotedStatements are the statements of a CodeWrite that replace
// shapes and promoted names; they come after the chunks are copied.
func (w *CodeWrite) promotedStatements() []Statement {
	var out []Statement
	if len(w.Drop) > 0 {
		out = append(out, Stmt(codeDropShapes, w.Project, jsonText(w.Drop)))
	}
	if len(w.Shapes) > 0 {
		rows := make([][2]string, len(w.Shapes))
		for i, s := range w.Shapes {
			rows[i] = [2]string{s.Path, s.Shapes}
		}
		out = append(out, Stmt(codeShapes, w.Project, jsonText(rows)))
	}
	if len(w.PromotedDirs) > 0 {
		out = append(out, Stmt(codeDropPromoted, w.Project, jsonText(w.PromotedDirs)))
	}
	if len(w.Promoted) > 0 {
		rows := make([][4]string, len(w.Promoted))
		for i, p := range w.Promoted {
			rows[i] = [4]string{p.Dir, p.Name, p.Path, p.Target}
		}
		out = append(out, Stmt(codePromoted, w.Project, jsonText(rows)))
	}
	return out
}

// codePromotedNames returns the promoted names that resolve to a chunk,
// as a JSON array: the names CodeCallers looks for among refs besides
// the chunk's own. Most chunks have none.
const codePromotedNames = `(SELECT json_group_array(p.name) FROM code_promoted AS p WHERE p.chunk_id = c.id)`

// promotedNames parses what codePromotedNames read.
func promotedNames(v any) []string {
	s := asString(v)
	if len(s) <= 2 {
		return nil
	}
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil
	}
	return out
}
