package db

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// The symbol graph read for many chunks at once. A file's context asks
// for the neighbours of each of its units (up to 24): a CodeCallees and a
// CodeCallers a unit made ~70 queries, and preparing them (the views of
// code_edges are long) took more time than running them. These read the
// same rows in a statement or two, whatever the number of chunks (on the
// Go standard library, time/format.go's 24 units: 3 ms, against 25);
// CodeCallees and CodeCallers remain the reads of one chunk.

// CodeCalleesOf returns, for each of ids, what CodeCallees returns for it:
// out[i] are ids[i]'s callees, in the same order.
func (s *Store) CodeCalleesOf(ctx context.Context, ids []int64) ([][]CodeChunk, error) {
	out := make([][]CodeChunk, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	// The IN list is pushed into each half of the code_edges view, as
	// the single id of CodeCallees is.
	rows, err := s.Query(ctx, `SELECT DISTINCT `+codeChunkColumns+`, e.from_id
		FROM code_edges AS e JOIN code_chunks AS c ON c.id = e.to_id
		WHERE e.from_id IN (SELECT value FROM json_each(?1)) ORDER BY e.from_id, c.path, c.id`, jsonText(ids))
	if err != nil {
		return nil, fmt.Errorf("db: code callees: %w", err)
	}
	return groupByKey(ids, rows.Values), nil
}

// CodeCallersOf returns, for each of ids, what CodeCallers returns for it:
// out[i] are ids[i]'s callers, in the same order.
func (s *Store) CodeCallersOf(ctx context.Context, ids []int64) ([][]CodeChunk, error) {
	return s.codeCallersOf(ctx, ids, codeChunkColumns, codeChunkNCols, scanCodeChunk)
}

// CodeCallerKeysOf is CodeCallersOf with only what tells the callers
// apart and places them filled in (ID, Path, Lang, Name, Kind, Parent):
// code called from thousands of places (fmt.Sprintf) has as many callers,
// of which a context keeps a few; reading each whole, its refs parsed,
// took most of the time. CodeChunksByID reads those kept.
func (s *Store) CodeCallerKeysOf(ctx context.Context, ids []int64) ([][]CodeChunk, error) {
	return s.codeCallersOf(ctx, ids, codeChunkKeyColumns, 6, func(r []any) CodeChunk {
		return CodeChunk{ID: asInt(r[0]), Path: asString(r[1]), Lang: asString(r[2]), Name: asString(r[3]), Kind: asString(r[4]), Parent: asString(r[5])}
	})
}

// codeChunkKeyColumns are CodeCallerKeysOf's columns.
const codeChunkKeyColumns = `c.id, c.path, c.lang, c.name, c.kind, c.parent`

// codeCallersOf is CodeCallersOf reading cols (ncols of them, scanned by
// scan) of each caller.
func (s *Store) codeCallersOf(ctx context.Context, ids []int64, cols string, ncols int, scan func([]any) CodeChunk) ([][]CodeChunk, error) {
	out := make([][]CodeChunk, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.Query(ctx, `SELECT c.id, c.project, c.name, `+codeGroup+`, c.meta -> 12, c.lang, `+codePromotedNames+`
		FROM code_chunks AS c WHERE c.id IN (SELECT value FROM json_each(?1))`, jsonText(ids))
	if err != nil {
		return nil, fmt.Errorf("db: code callers: %w", err)
	}
	// Each chunk's names as CodeCallers makes them, as [id, project,
	// name] triples: the names that resolve to its name, the names it
	// declares, and the names promoted to it.
	var names, members, promoted [][3]any
	for _, r := range rows.Values {
		id, project, name := asInt(r[0]), asInt(r[1]), asString(r[2])
		for _, p := range promotedNames(r[6]) {
			promoted = append(promoted, [3]any{id, project, p})
		}
		base := strings.TrimSuffix(name, "#1")
		names = append(names, [3]any{id, project, name})
		if base != name {
			names = append(names, [3]any{id, project, base})
		}
		if i := strings.LastIndexByte(base, '/'); i > 0 && !strings.Contains(base, "#") {
			names = append(names, [3]any{id, project, base[:i]})
		}
		if asInt(r[3]) == 0 {
			continue
		}
		var ms []string
		if err := json.Unmarshal([]byte(asString(r[4])), &ms); err != nil {
			continue // a row of an older analyzer: no members
		}
		pkg := ""
		if asString(r[5]) == "go" {
			pkg = name[:strings.IndexByte(name, '.')+1]
		}
		for _, m := range ms {
			members = append(members, [3]any{id, project, pkg + m})
		}
	}
	if len(names) == 0 {
		return out, nil
	}
	// The chunks that refer to one of the names, each pair once, and of
	// those the chunks the view resolves a ref of to the chunk asked
	// about: EXISTS stops at the first such ref. (Joined, the view gave a
	// row per name a chunk refers to, each resolving all its refs again:
	// a function using 30 of a const group's names read them 30 times.)
	// The CROSS JOINs read each name's refs by (project, sym). Without
	// members to look for, the statement leaves their half out: preparing
	// the second view costs more than running it on nothing. The rows go
	// by the chunk asked about (the column after cols), then by path and
	// id, as CodeCallers orders them.
	const refs = `SELECT DISTINCT q.value ->> 0 AS to_id, r.from_id AS from_id
		FROM json_each(?%d) AS q CROSS JOIN code_refs AS r WHERE r.project = q.value ->> 1 AND r.sym = q.value ->> 2`
	const byName = `SELECT to_id, from_id FROM n WHERE EXISTS (SELECT 1 FROM code_name_edges AS e
		WHERE e.from_id = n.from_id AND e.to_id = n.to_id)`
	with, pairs, args := `n AS (`+fmt.Sprintf(refs, 1)+`)`, byName, []any{jsonText(names)}
	if len(members) > 0 {
		with += `, m AS (` + fmt.Sprintf(refs, 2) + `)`
		pairs += ` UNION SELECT to_id, from_id FROM m WHERE EXISTS (SELECT 1 FROM code_member_edges AS e
			WHERE e.from_id = m.from_id AND e.to_id = m.to_id)`
		args = append(args, jsonText(members))
	}
	// The names promoted to a chunk through embedding (code_promoted.go)
	// likewise.
	if len(promoted) > 0 {
		args = append(args, jsonText(promoted))
		with += `, p AS (` + fmt.Sprintf(refs, len(args)) + `)`
		pairs += ` UNION SELECT to_id, from_id FROM p WHERE EXISTS (SELECT 1 FROM code_promoted_edges AS e
			WHERE e.from_id = p.from_id AND e.to_id = p.to_id)`
	}
	rows, err = s.Query(ctx, `WITH `+with+` SELECT `+cols+`, f.to_id
		FROM (`+pairs+`) AS f CROSS JOIN code_chunks AS c ON c.id = f.from_id ORDER BY `+fmt.Sprint(ncols+1)+`, 2, 1`, args...)
	if err != nil {
		return nil, fmt.Errorf("db: code callers: %w", err)
	}
	return groupRowsByKey(ids, rows.Values, ncols, scan), nil
}

// groupByKey puts rows of chunks, each row ending with the id it was read
// for (after codeChunkNCols columns), in that id's place of ids.
func groupByKey(ids []int64, rows [][]any) [][]CodeChunk {
	return groupRowsByKey(ids, rows, codeChunkNCols, scanCodeChunk)
}

// groupRowsByKey is groupByKey for rows of ncols columns read by scan.
func groupRowsByKey(ids []int64, rows [][]any, ncols int, scan func([]any) CodeChunk) [][]CodeChunk {
	at := make(map[int64][]int, len(ids))
	for i, id := range ids {
		at[id] = append(at[id], i)
	}
	out := make([][]CodeChunk, len(ids))
	for _, r := range rows {
		c := scan(r)
		for _, i := range at[asInt(r[ncols])] {
			out[i] = append(out[i], c)
		}
	}
	return out
}
