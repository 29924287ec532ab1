package db

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The code index's tables (migration 0004): code_projects,
// code_analysis_cache, code_files, code_chunks, code_fts, code_refs,
// code_members (migration 0017) and the code_edges view. app/index fills
// them through CodeWrite, one Execute per batch; the rows travel as JSON parameters that SQL unpacks with
// json_each, so that a batch of thousands of rows is a handful of short
// statements (rqlite gzips requests of 50 statements or more, or with SQL
// text of 1 KiB or more, at its slowest level).

// CodeProject is an indexed project.
type CodeProject struct {
	ID        int64     `json:"id"`
	Root      string    `json:"root"`
	Analyzer  string    `json:"analyzer"`   // of the last complete run
	IndexedAt time.Time `json:"indexed_at"` // of the last complete run; zero if none
	// RankStale counts the files changed since the symbol graph's ranks
	// were computed (RankedAt; zero if never).
	RankStale int64     `json:"rank_stale"`
	RankedAt  time.Time `json:"ranked_at"`
}

// CodeProject returns the project rooted at root, creating its row if
// there is none yet.
func (s *Store) CodeProject(ctx context.Context, root string) (CodeProject, error) {
	p, ok, err := s.FindCodeProject(ctx, root)
	if err == nil && !ok {
		_, err = s.Execute(ctx, Stmt(`INSERT INTO code_projects (root) VALUES (?) ON CONFLICT (root) DO NOTHING`, root))
		if err == nil {
			p, ok, err = s.FindCodeProject(ctx, root)
		}
	}
	if err == nil && !ok {
		err = errors.New("row missing after insert")
	}
	if err != nil {
		return CodeProject{}, fmt.Errorf("db: code project %s: %w", root, err)
	}
	return p, nil
}

// CodeProjectRoot returns the root of the project with id; "" if there is
// none.
func (s *Store) CodeProjectRoot(ctx context.Context, id int64) (string, error) {
	rows, err := s.Query(ctx, `SELECT root FROM code_projects WHERE id = ?`, id)
	if err != nil {
		return "", fmt.Errorf("db: code project %d: %w", id, err)
	}
	if len(rows.Values) == 0 {
		return "", nil
	}
	return asString(rows.Values[0][0]), nil
}

// FindCodeProject returns the project rooted at root; ok is false if it
// was never indexed.
func (s *Store) FindCodeProject(ctx context.Context, root string) (p CodeProject, ok bool, err error) {
	rows, err := s.Query(ctx, `SELECT id, root, analyzer, indexed_at, rank_stale, ranked_at FROM code_projects WHERE root = ?`, root)
	if err != nil || len(rows.Values) == 0 {
		return p, false, err
	}
	r := rows.Values[0]
	p = CodeProject{ID: asInt(r[0]), Root: asString(r[1]), Analyzer: asString(r[2]), RankStale: asInt(r[4])}
	if ms := asInt(r[3]); ms > 0 {
		p.IndexedAt = time.UnixMilli(ms)
	}
	if ms := asInt(r[5]); ms > 0 {
		p.RankedAt = time.UnixMilli(ms)
	}
	return p, true, nil
}

// CodeFile is a row of code_files: what an index run saw of a file.
type CodeFile struct {
	Path        string `json:"path"`
	ContentHash string `json:"content_hash"`
	Size        int64  `json:"size"`
	MtimeNS     int64  `json:"mtime_ns"`
	CtimeNS     int64  `json:"ctime_ns"` // inode change time: an edit that puts the mtime back changes it; 0 where the system has none
	Lang        string `json:"lang"`
	Analyzer    string `json:"analyzer"`
	Skipped     string `json:"skipped,omitempty"`
}

// CodeFiles returns the project's file rows by path, in one query.
func (s *Store) CodeFiles(ctx context.Context, project int64) (map[string]CodeFile, error) {
	rows, err := s.Query(ctx, `SELECT path, content_hash, size, mtime_ns, lang, analyzer, skipped, ctime_ns FROM code_files WHERE project = ?`, project)
	if err != nil {
		return nil, fmt.Errorf("db: code files: %w", err)
	}
	out := make(map[string]CodeFile, len(rows.Values))
	for _, r := range rows.Values {
		f := CodeFile{Path: asString(r[0]), ContentHash: asString(r[1]), Size: asInt(r[2]), MtimeNS: asInt(r[3]),
			Lang: asString(r[4]), Analyzer: asString(r[5]), Skipped: asString(r[6]), CtimeNS: asInt(r[7])}
		out[f.Path] = f
	}
	return out, nil
}

// CodeFileCount returns how many files a project's index holds rows of
// (skipped ones included).
func (s *Store) CodeFileCount(ctx context.Context, project int64) (int, error) {
	rows, err := s.Query(ctx, `SELECT count(*) FROM code_files WHERE project = ?`, project)
	if err != nil {
		return 0, fmt.Errorf("db: code files: %w", err)
	}
	if len(rows.Values) == 0 {
		return 0, nil
	}
	return int(asInt(rows.Values[0][0])), nil
}

// CodeFile returns the row of one file of a project; ok is false when the
// index has none.
func (s *Store) CodeFile(ctx context.Context, project int64, path string) (f CodeFile, ok bool, err error) {
	rows, err := s.Query(ctx, `SELECT path, content_hash, size, mtime_ns, lang, analyzer, skipped, ctime_ns FROM code_files
		WHERE project = ? AND path = ?`, project, path)
	if err != nil {
		return f, false, fmt.Errorf("db: code file %s: %w", path, err)
	}
	if len(rows.Values) == 0 {
		return f, false, nil
	}
	r := rows.Values[0]
	return CodeFile{Path: asString(r[0]), ContentHash: asString(r[1]), Size: asInt(r[2]), MtimeNS: asInt(r[3]),
		Lang: asString(r[4]), Analyzer: asString(r[5]), Skipped: asString(r[6]), CtimeNS: asInt(r[7])}, true, nil
}

// CodeAnalysis is a row of code_analysis_cache.
type CodeAnalysis struct {
	ContentHash string
	Analyzer    string
	Lang        string
	Chunks      []CodeChunk
	Warnings    []string
	Node        string
	CreatedAt   time.Time
}

// CodeAnalysis returns the cached analysis of a content by an analyzer; ok
// is false if there is none.
func (s *Store) CodeAnalysis(ctx context.Context, contentHash, analyzer string) (a CodeAnalysis, ok bool, err error) {
	rows, err := s.Query(ctx, `SELECT lang, chunks, warnings, node, created_at FROM code_analysis_cache
		WHERE content_hash = ? AND analyzer = ?`, contentHash, analyzer)
	if err != nil {
		return a, false, fmt.Errorf("db: code analysis: %w", err)
	}
	if len(rows.Values) == 0 {
		return a, false, nil
	}
	r := rows.Values[0]
	a = CodeAnalysis{ContentHash: contentHash, Analyzer: analyzer, Lang: asString(r[0]), Node: asString(r[3]),
		CreatedAt: time.UnixMilli(asInt(r[4]))}
	if a.Chunks, err = DecodeCodeChunks([]byte(asString(r[1]))); err != nil {
		return a, false, fmt.Errorf("db: code analysis %s: %w", contentHash, err)
	}
	if err := json.Unmarshal([]byte(asString(r[2])), &a.Warnings); err != nil {
		return a, false, fmt.Errorf("db: code analysis %s: warnings: %w", contentHash, err)
	}
	return a, true, nil
}

// CodeChunk is a chunk as the store keeps it. In the cache it has neither
// ID, Path nor Lang; code_chunks rows have all three.
type CodeChunk struct {
	ID        int64    `json:"id,omitempty"`
	Path      string   `json:"path,omitempty"`
	Lang      string   `json:"lang,omitempty"`
	Name      string   `json:"name"`
	Kind      string   `json:"kind"`
	Parent    string   `json:"parent,omitempty"`
	StartLine int      `json:"start_line"`
	EndLine   int      `json:"end_line"`
	StartByte int      `json:"start_byte"`
	EndByte   int      `json:"end_byte"`
	Tokens    int      `json:"tokens"`
	Hash      string   `json:"hash"`
	Refs      []string `json:"refs,omitempty"`
	Private   bool     `json:"private,omitempty"`
	Defaults  int      `json:"defaults,omitempty"`
	// Members are the names a Go const/var group declares (chunk.Chunk's
	// Members). app/index puts their words in the chunk's code_fts name,
	// one-letter names included, so that CodeChunksNamedLike finds the
	// group by any of them.
	Members []string `json:"members,omitempty"`
	// Imports, on a Go file's header, are the import paths of the
	// packages the file's refs qualify names by (chunk.Chunk's Imports):
	// the symbol graph resolves the file's proto.Command only to the
	// package proto at that path (migrations/0020_code_import_paths.sql).
	// CodeWrite stores them; the queries that read chunks back leave
	// them out.
	// On the Elixir chunk holding a case template's using quote, the
	// imports and aliases of other files' modules it declares
	// (chunk.Chunk's Imports; app/index/writer_using.go).
	Imports map[string]string `json:"imports,omitempty"`
	// Shape, on a Go type's chunk, is its kind, fields and embedded
	// types (chunk.Chunk's Shape), from which app/index finds the methods
	// promoted into it through embedding (code_promoted.go). The queries
	// that read chunks back leave it out.
	Shape []string `json:"shape,omitempty"`
}

// EncodeCodeChunks appends chunks to b in the cache's format: a JSON array
// with one array per chunk — name, kind, parent, start_line, end_line,
// start_byte, end_byte, tokens, hash, refs, private (0 or 1), defaults,
// members, imports (an object, qualifier to import path; a Go header's)
// and shape (a Go type's), each of the last two when there are any (null
// for imports before a shape) — the element code_chunks.meta holds and
// its computed columns read. New elements go at the end, so that an older
// reader's indexes still hold; imports and shapes are left out rather than
// written empty, since most chunks have none.
func EncodeCodeChunks(b []byte, chunks []CodeChunk) []byte {
	rows := make([][]any, len(chunks))
	for i, c := range chunks {
		rows[i] = []any{c.Name, c.Kind, c.Parent, c.StartLine, c.EndLine, c.StartByte, c.EndByte,
			c.Tokens, c.Hash, strs(c.Refs), bit(c.Private), c.Defaults, strs(c.Members)}
		switch {
		case len(c.Shape) > 0:
			var imports map[string]string
			if len(c.Imports) > 0 {
				imports = c.Imports
			}
			rows[i] = append(rows[i], imports, c.Shape)
		case len(c.Imports) > 0:
			rows[i] = append(rows[i], c.Imports)
		}
	}
	return append(b, jsonText(rows)...)
}

// jsonText encodes v (strings, numbers, slices of them and maps of strings
// to strings: it cannot fail) as JSON text.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("db: encode %T: %v", v, err))
	}
	return string(b)
}

// strs is ss, or an empty list for nil, so that it encodes as [].
func strs(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// DecodeCodeChunks reads what EncodeCodeChunks wrote. Members, imports
// and shapes, added later, may be missing; none read as nil.
func DecodeCodeChunks(data []byte) ([]CodeChunk, error) {
	var raw [][]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("chunks: %w", err)
	}
	out := make([]CodeChunk, len(raw))
	for i, r := range raw {
		if len(r) < 12 {
			return nil, fmt.Errorf("chunk %d: %d fields, want 12", i, len(r))
		}
		c := &out[i]
		var private int
		for j, dst := range []any{&c.Name, &c.Kind, &c.Parent, &c.StartLine, &c.EndLine, &c.StartByte, &c.EndByte,
			&c.Tokens, &c.Hash, &c.Refs, &private, &c.Defaults} {
			if err := json.Unmarshal(r[j], dst); err != nil {
				return nil, fmt.Errorf("chunk %d field %d: %w", i, j, err)
			}
		}
		c.Private = private != 0
		if len(r) > 12 {
			if err := json.Unmarshal(r[12], &c.Members); err != nil {
				return nil, fmt.Errorf("chunk %d field 12: %w", i, err)
			}
			if len(c.Members) == 0 {
				c.Members = nil
			}
		}
		if len(r) > 13 {
			if err := json.Unmarshal(r[13], &c.Imports); err != nil {
				return nil, fmt.Errorf("chunk %d field 13: %w", i, err)
			}
			if len(c.Imports) == 0 {
				c.Imports = nil
			}
		}
		if len(r) > 14 {
			if err := json.Unmarshal(r[14], &c.Shape); err != nil {
				return nil, fmt.Errorf("chunk %d field 14: %w", i, err)
			}
			if len(c.Shape) == 0 {
				c.Shape = nil
			}
		}
	}
	return out, nil
}

// CodeWrite is one batch of changes to a project's index, applied in one
// transaction (Statements). Chunk ids are the writer's to choose: the
// files' chunks take the ids FirstID, FirstID+1, … in file order, and
// Terms covers exactly those ids, in order.
type CodeWrite struct {
	Project int64
	Node    string    // recorded with new cache rows
	Now     time.Time // recorded as indexed_at and created_at
	// Drop lists files whose chunks go: changed, gone or newly skipped.
	Drop []string
	// Forget lists files whose code_files row goes too: gone.
	Forget []string
	// Analyses are new code_analysis_cache rows; a row another node wrote
	// meanwhile is kept (it holds the same chunks).
	Analyses []CodeAnalysisRow
	// Files are code_files rows to write.
	Files []CodeFile
	// Chunked are the files whose chunks are copied from the cache.
	Chunked []CodeChunked
	// Terms are code_fts rows for the chunks of Chunked, in id order.
	Terms []CodeTerms
	// Shapes are the code_shapes rows of the Go files of Chunked that
	// declare types or methods (code_promoted.go); those of Drop's paths
	// go first.
	Shapes []CodeShapes
	// PromotedDirs are directories whose code_promoted rows go, replaced
	// by Promoted: the batch recomputes the promoted names of every
	// directory it changes a Go file of.
	PromotedDirs []string
	Promoted     []CodePromoted
	// Done marks the run complete: the project records its analyzer.
	Done     bool
	Analyzer string
}

// CodeAnalysisRow is a code_analysis_cache row to write; Chunks is in
// EncodeCodeChunks's format.
type CodeAnalysisRow struct {
	ContentHash, Analyzer, Lang string
	Chunks                      []byte
	Warnings                    []string
}

// CodeChunked gives a file the chunks cached for its content. Their ids
// are allocated as the write is applied: the write's new chunks take the
// ids after the largest one in the store then, in order, and this file's
// start Offset ids in (the files of a write have consecutive offsets from
// 0). So writes from index runs in other processes or on other nodes never
// collide on ids, however they interleave. A cached name that is empty or starts with "#" is
// relative to the file's name (chunks named after their file are cached
// so, since the content may recur under another name) and completed with
// this file's name: "#2" in README.md is README.md#2.
//
// Keep, if not nil, has one element per chunk: the id of a row of this
// path that already holds the chunk (same name, kind, bytes, refs and
// members), or 0. A kept row stays with its id, its code_fts, code_refs
// and code_members rows; only its meta (line and byte offsets) is
// rewritten. A new chunk takes the id at Offset plus its index, so a file
// with kept rows leaves gaps in its range; its element of Terms is not
// used.
type CodeChunked struct {
	Path, ContentHash, Analyzer string
	Offset                      int64
	Count                       int // how many chunks the cache row holds
	Keep                        []int64
}

// CodeTerms is a code_fts row: the words of a chunk's name and body.
type CodeTerms struct{ Name, Body string }

// Statements for CodeWrite. Each SQL text stays under 1 KiB and a batch
// under 50 statements: rqlite compresses larger requests with gzip at its
// best (slowest) level.
//
// code_fts keeps no text (migrations/0019_code_fts_contentless.sql): its
// rows are only ever inserted with their rowid and deleted by rowid, which
// contentless_delete allows; an UPDATE or an INSERT OR REPLACE would have
// to give every column.
const (
	// codeFTSTotals goes before the drops: it takes the rows they delete
	// (those of the paths ?2 but the kept ids ?3) off the averages record
	// (code_fts_data row 1: varints of the row count and each column's
	// token total), from which bm25 reads N and the mean lengths. FTS5's
	// contentless delete (SQLite 3.50) removes a row's tokens and its
	// code_fts_docsize row but leaves the totals as they were: every
	// rewritten chunk would count twice, and forced runs would drift the
	// scores of every search. A docsize row is its columns' varints;
	// prefixed with 01, one row, it lines up with the record. Run first in
	// the batch's transaction, it is read by FTS5 when the delete loads
	// the totals, which FTS5 then keeps and writes back as it commits.
	codeFTSTotals = `WITH RECURSIVE s(h, g) AS (SELECT hex(block), 1 FROM code_fts_data WHERE id = 1
		UNION ALL SELECT '01' || hex(sz), -1 FROM code_fts_docsize WHERE id IN (SELECT id FROM code_chunks WHERE project = ?1
		AND path IN (SELECT value FROM json_each(?2)) AND id NOT IN (SELECT value FROM json_each(?3)))),
	` + codeFTSTotalsSum + ` AND EXISTS (SELECT 1 FROM s WHERE g < 0)`
	// codeFTSTotalsAll sets the averages record to the sum of every row's
	// size, as a fresh index would have it (CodeFTSTotalsStmt).
	codeFTSTotalsAll = `WITH RECURSIVE s(h, g) AS (SELECT '01' || hex(sz), 1 FROM code_fts_docsize),
	` + codeFTSTotalsSum + ` AND EXISTS (SELECT 1 FROM s)`
	// codeFTSTotalsSum writes the sums of the varints of s's hex strings h,
	// each signed g, to the averages record: w decodes them a byte at a
	// time (c: v is complete, the k-th), t sums, e encodes.
	codeFTSTotalsSum = `w(r, k, v, c, g) AS (SELECT h, -1, 0, 1, g FROM s UNION ALL
		SELECT substr(r, 3), k + c, iif(c, 0, v) * 128 + ` + hexByte + ` % 128, ` + hexByte + ` < 128, g FROM w WHERE r > ''),
	t(k, v) AS (SELECT k, max(sum(g * v), 0) FROM w WHERE c AND k >= 0 GROUP BY k),
	e(k, v, b) AS (SELECT k, v >> 7, printf('%02X', v & 127) FROM t UNION ALL SELECT k, v >> 7, printf('%02X', v & 127 | 128) || b FROM e WHERE v)
	UPDATE code_fts_data SET block = (SELECT unhex(group_concat(b, '' ORDER BY k)) FROM e WHERE v = 0) WHERE id = 1`
	// hexByte is the value of the byte whose hex digits start r.
	hexByte     = `(instr('0123456789ABCDEF', substr(r,1,1)) * 16 + instr('0123456789ABCDEF', substr(r,2,1)) - 17)`
	codeDropFTS = `DELETE FROM code_fts WHERE rowid IN
		(SELECT id FROM code_chunks WHERE project = ?1 AND path IN (SELECT value FROM json_each(?2)))`
	codeDropRefs = `DELETE FROM code_refs WHERE (project, sym, from_id) IN
		(SELECT c.project, r.atom, c.id FROM code_chunks AS c, json_each(c.refs) AS r
		WHERE c.project = ?1 AND c.path IN (SELECT value FROM json_each(?2)))`
	codeDropMembers = `DELETE FROM code_members WHERE (project, name, chunk_id) IN
		(SELECT c.project, substr(c.name, 1, instr(c.name, '.')) || m.value, c.id FROM code_chunks AS c, json_each(c.meta, '$[12]') AS m
		WHERE c.project = ?1 AND c.path IN (SELECT value FROM json_each(?2)) AND ` + codeGroup + `)`
	codeDropChunks = `DELETE FROM code_chunks WHERE project = ?1 AND path IN (SELECT value FROM json_each(?2))`
	// The drops when some rows of the paths stay (CodeChunked.Keep): ?3.
	codeDropFTSKept = `DELETE FROM code_fts WHERE rowid IN
		(SELECT id FROM code_chunks WHERE project = ?1 AND path IN (SELECT value FROM json_each(?2))
		AND id NOT IN (SELECT value FROM json_each(?3)))`
	codeDropRefsKept = `DELETE FROM code_refs WHERE (project, sym, from_id) IN
		(SELECT c.project, r.atom, c.id FROM code_chunks AS c, json_each(c.refs) AS r
		WHERE c.project = ?1 AND c.path IN (SELECT value FROM json_each(?2)) AND c.id NOT IN (SELECT value FROM json_each(?3)))`
	codeDropMembersKept = `DELETE FROM code_members WHERE (project, name, chunk_id) IN
		(SELECT c.project, substr(c.name, 1, instr(c.name, '.')) || m.value, c.id FROM code_chunks AS c, json_each(c.meta, '$[12]') AS m
		WHERE c.project = ?1 AND c.path IN (SELECT value FROM json_each(?2)) AND c.id NOT IN (SELECT value FROM json_each(?3))
		AND ` + codeGroup + `)`
	codeDropChunksKept = `DELETE FROM code_chunks WHERE project = ?1 AND path IN (SELECT value FROM json_each(?2))
		AND id NOT IN (SELECT value FROM json_each(?3))`
	codeForget = `DELETE FROM code_files WHERE project = ?1 AND path IN (SELECT value FROM json_each(?2))`
	// codeAnalyses is followed by up to codeAnalysesPerStatement rows of
	// "(?,?,?,?,?)" and codeAnalysesEnd: chunks are large, and travel best
	// as plain parameters.
	codeAnalyses = `INSERT INTO code_analysis_cache (content_hash, analyzer, lang, chunks, warnings, node, created_at)
		SELECT column1, column2, column3, column4, column5, ?1, ?2 FROM (VALUES `
	codeAnalysesEnd = `) WHERE true ON CONFLICT DO NOTHING`
	// codeIDBase starts a write with new chunks: their ids are base +
	// offset (migrations/0011_code_id_base.sql).
	codeIDBase = `INSERT OR REPLACE INTO code_id_base (k, base) SELECT 0, IFNULL(MAX(id), 0) + 1 FROM code_chunks`
	codeChunks = `INSERT INTO code_chunks (id, project, path, lang, name, meta)
		SELECT (SELECT base FROM code_id_base) + (f.value ->> 3) + c.key, ?1, f.value ->> 0, a.lang, CASE WHEN substr(c.value, 3, 1) IN ('"', '#')
			THEN substr(f.value ->> 0, length(rtrim(f.value ->> 0, replace(f.value ->> 0, '/', ''))) + 1) || (c.value ->> 0)
			ELSE c.value ->> 0 END, c.value
		FROM json_each(?2) AS f JOIN code_analysis_cache AS a ON a.content_hash = f.value ->> 1 AND a.analyzer = f.value ->> 2,
			json_each(a.chunks) AS c`
	// codeChunksKeep is codeChunks for files with kept rows: f.value ->> 4
	// is Keep; a kept chunk's row gets its new meta.
	codeChunksKeep = `INSERT INTO code_chunks (id, project, path, lang, name, meta)
		SELECT IFNULL(NULLIF(f.value -> 4 ->> c.key, 0), (SELECT base FROM code_id_base) + (f.value ->> 3) + c.key), ?1, f.value ->> 0, a.lang,
			CASE WHEN substr(c.value, 3, 1) IN ('"', '#')
			THEN substr(f.value ->> 0, length(rtrim(f.value ->> 0, replace(f.value ->> 0, '/', ''))) + 1) || (c.value ->> 0)
			ELSE c.value ->> 0 END, c.value
		FROM json_each(?2) AS f JOIN code_analysis_cache AS a ON a.content_hash = f.value ->> 1 AND a.analyzer = f.value ->> 2,
			json_each(a.chunks) AS c WHERE true
		ON CONFLICT (id) DO UPDATE SET meta = excluded.meta`
	// codeFTS skips the elements of kept chunks (0, not a pair).
	codeFTS = `INSERT INTO code_fts (rowid, name, body)
		SELECT (SELECT base FROM code_id_base) + key, value ->> 0, value ->> 1 FROM json_each(?1) WHERE type = 'array'`
	codeRefs = `INSERT OR IGNORE INTO code_refs (project, sym, from_id)
		SELECT c.project, r.atom, c.id FROM code_chunks AS c, json_each(c.refs) AS r
		WHERE c.id >= (SELECT base FROM code_id_base) AND c.id < (SELECT base FROM code_id_base) + ?1 AND r.type = 'text'`
	// codeMembers lists the names the new chunks declare besides their own
	// (code_chunks.meta element 12): those of Go const/var groups,
	// qualified by the chunk's package as refs are
	// (migrations/0017_code_members.sql), and the other arities of Elixir
	// functions with default arguments, qualified already (MyApp.get/1 for
	// MyApp.get/2 with one), and the Template:f/N names of Elixir
	// functions a template's using quote imports. Only the group and function chunks have their
	// meta read a second time.
	codeMembers = `INSERT OR IGNORE INTO code_members (project, name, chunk_id)
		SELECT c.project, CASE c.lang WHEN 'go' THEN substr(c.name, 1, instr(c.name, '.')) || m.value ELSE m.value END, c.id
		FROM code_chunks AS c, json_each(c.meta, '$[12]') AS m
		WHERE c.id >= (SELECT base FROM code_id_base) AND c.id < (SELECT base FROM code_id_base) + ?1 AND ` + codeGroup
	codeFiles = `INSERT INTO code_files (project, path, content_hash, size, mtime_ns, lang, analyzer, skipped, ctime_ns, indexed_at)
		SELECT ?1, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7, ?2
		FROM json_each(?3) WHERE true
		ON CONFLICT (project, path) DO UPDATE SET content_hash = excluded.content_hash, size = excluded.size,
			mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns, lang = excluded.lang, analyzer = excluded.analyzer, skipped = excluded.skipped,
			indexed_at = excluded.indexed_at`
	codeDone = `UPDATE code_projects SET analyzer = ?, indexed_at = ? WHERE id = ?`
)

// codeGroup holds for the chunks of c that may declare members: Go
// const/var groups, named pkg.{A,B,…} (the pieces of a split one too), Go
// methods declared on a value, named pkg.T.M (which answer to pkg.(*T).M,
// as calls name them), Go types, named pkg.T (an interface lists
// pkg.(*T).M for each method it declares), and Elixir functions, named
// Mod.f/N (those with default arguments declare their other arities).
// Name and language are stored columns; kind is read from meta, a JSON
// parse of each Go chunk the names leave (~0.07 s over the standard
// library's chunks; app/index/DESIGN.md).
const codeGroup = `(c.lang = 'go' AND (c.name GLOB '*.{*' OR c.name GLOB '*.[^(]*.*' OR c.kind = 'type') OR c.lang = 'elixir' AND c.name GLOB '*/[0-9]*')`

// MaxCodeAnalyses is how many Analyses a CodeWrite may hold: with the
// rest, its statements stay under rqlite's compression threshold.
const MaxCodeAnalyses = 30 * codeAnalysesPerStatement

const codeAnalysesPerStatement = 64

// Statements returns the batch's statements, to pass to Execute together.
func (w *CodeWrite) Statements() ([]Statement, error) {
	if len(w.Analyses) > MaxCodeAnalyses {
		return nil, fmt.Errorf("db: code write: %d analyses, more than %d", len(w.Analyses), MaxCodeAnalyses)
	}
	var out []Statement
	var kept []int64
	for _, f := range w.Chunked {
		for _, id := range f.Keep {
			if id != 0 {
				kept = append(kept, id)
			}
		}
	}
	if len(w.Drop) > 0 {
		paths, ids := jsonText(w.Drop), "[]"
		if len(kept) > 0 {
			ids = jsonText(kept)
		}
		out = append(out, Stmt(codeFTSTotals, w.Project, paths, ids))
		if len(kept) == 0 {
			for _, q := range []string{codeDropFTS, codeDropRefs, codeDropMembers, codeDropChunks} {
				out = append(out, Stmt(q, w.Project, paths))
			}
		} else {
			for _, q := range []string{codeDropFTSKept, codeDropRefsKept, codeDropMembersKept, codeDropChunksKept} {
				out = append(out, Stmt(q, w.Project, paths, ids))
			}
		}
	}
	if len(w.Forget) > 0 {
		out = append(out, Stmt(codeForget, w.Project, jsonText(w.Forget)))
	}
	for rows := range slices.Chunk(w.Analyses, codeAnalysesPerStatement) {
		var sql strings.Builder
		sql.WriteString(codeAnalyses)
		args := make([]any, 0, 2+5*len(rows))
		args = append(args, w.Node, w.Now)
		for i, a := range rows {
			if i > 0 {
				sql.WriteByte(',')
			}
			sql.WriteString("(?,?,?,?,?)")
			args = append(args, a.ContentHash, a.Analyzer, a.Lang, string(a.Chunks), jsonText(strs(a.Warnings)))
		}
		sql.WriteString(codeAnalysesEnd)
		out = append(out, Stmt(sql.String(), args...))
	}
	if len(w.Chunked) > 0 {
		next := int64(0)
		files := make([][]any, 0, len(w.Chunked))
		var keeping [][]any
		for _, f := range w.Chunked {
			if f.Offset != next {
				return nil, fmt.Errorf("db: code write: %s: chunks at offset %d, want %d", f.Path, f.Offset, next)
			}
			if f.Keep != nil && len(f.Keep) != f.Count {
				return nil, fmt.Errorf("db: code write: %s: %d kept ids for %d chunks", f.Path, len(f.Keep), f.Count)
			}
			next += int64(f.Count)
			if f.Keep != nil {
				keeping = append(keeping, []any{f.Path, f.ContentHash, f.Analyzer, f.Offset, f.Keep})
			} else {
				files = append(files, []any{f.Path, f.ContentHash, f.Analyzer, f.Offset})
			}
		}
		if int64(len(w.Terms)) != next {
			return nil, fmt.Errorf("db: code write: %d term rows for %d chunks", len(w.Terms), next)
		}
		// The word lists, [name, body] for each chunk, 0 for a kept one
		// (the row and its words stay).
		terms := make([]any, 0, len(w.Terms))
		i := 0
		for _, f := range w.Chunked {
			for j := range f.Count {
				if f.Keep != nil && f.Keep[j] != 0 {
					terms = append(terms, 0)
				} else {
					terms = append(terms, [2]string{w.Terms[i].Name, w.Terms[i].Body})
				}
				i++
			}
		}
		out = append(out, Stmt(codeIDBase))
		if len(files) > 0 {
			out = append(out, Stmt(codeChunks, w.Project, jsonText(files)))
		}
		if len(keeping) > 0 {
			out = append(out, Stmt(codeChunksKeep, w.Project, jsonText(keeping)))
		}
		out = append(out, Stmt(codeFTS, jsonText(terms)), Stmt(codeRefs, next), Stmt(codeMembers, next))
	}
	out = append(out, w.promotedStatements()...)
	if len(w.Files) > 0 {
		files := make([][]any, len(w.Files))
		for i, f := range w.Files {
			files[i] = []any{f.Path, f.ContentHash, f.Size, f.MtimeNS, f.Lang, f.Analyzer, f.Skipped, f.CtimeNS}
		}
		out = append(out, Stmt(codeFiles, w.Project, w.Now, jsonText(files)))
	}
	if w.Done {
		out = append(out, Stmt(codeDone, w.Analyzer, w.Now, w.Project))
	}
	// Count the files whose chunks changed, for the symbol graph's ranks
	// (app/index/rank.go), in the same transaction: no extra write.
	changed := map[string]bool{}
	for _, p := range w.Drop {
		changed[p] = true
	}
	for _, f := range w.Chunked {
		changed[f.Path] = true
	}
	if len(changed) > 0 {
		out = append(out, CodeRankStaleStmt(w.Project, len(changed)))
	}
	return out, nil
}

// CodeFTSTotalsStmt sets the full-text index's row count and token
// totals, which bm25 ranks by, to those of the rows it holds. Stores
// written before CodeWrite kept them (codeFTSTotals) counted every row
// ever deleted; a forced index run ends with this, in a transaction of its
// own (FTS5 writes back the totals it read as a transaction commits).
func CodeFTSTotalsStmt() Statement { return Stmt(codeFTSTotalsAll) }

func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}

const codeChunkColumns = `c.id, c.path, c.lang, c.name, c.kind, c.parent, c.start_line, c.end_line,
	c.start_byte, c.end_byte, c.tokens, c.hash, c.refs, c.meta ->> 10, c.meta ->> 11, c.meta -> 12`

// codeChunkNCols is how many columns codeChunkColumns selects: a query's
// own columns come after them.
const codeChunkNCols = 16

func scanCodeChunk(r []any) CodeChunk {
	c := CodeChunk{ID: asInt(r[0]), Path: asString(r[1]), Lang: asString(r[2]), Name: asString(r[3]), Kind: asString(r[4]),
		Parent: asString(r[5]), StartLine: int(asInt(r[6])), EndLine: int(asInt(r[7])), StartByte: int(asInt(r[8])),
		EndByte: int(asInt(r[9])), Tokens: int(asInt(r[10])), Hash: asString(r[11]), Private: asInt(r[13]) != 0,
		Defaults: int(asInt(r[14]))}
	if err := json.Unmarshal([]byte(asString(r[12])), &c.Refs); err != nil || len(c.Refs) == 0 {
		c.Refs = nil
	}
	// Rows of older analyzers have no members (NULL); most chunks have
	// none ([]).
	if m := asString(r[15]); len(m) > 2 {
		if err := json.Unmarshal([]byte(m), &c.Members); err != nil || len(c.Members) == 0 {
			c.Members = nil
		}
	}
	return c
}

func (s *Store) codeChunks(ctx context.Context, op, q string, args ...any) ([]CodeChunk, error) {
	rows, err := s.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("db: %s: %w", op, err)
	}
	out := make([]CodeChunk, len(rows.Values))
	for i, r := range rows.Values {
		out[i] = scanCodeChunk(r)
	}
	return out, nil
}

// CodeChunks returns a file's chunks in the order of the file. (Sorted
// here: SQLite would read each row's offsets out of its JSON to sort.)
func (s *Store) CodeChunks(ctx context.Context, project int64, path string) ([]CodeChunk, error) {
	out, err := s.codeChunks(ctx, "code chunks", `SELECT `+codeChunkColumns+` FROM code_chunks AS c
		WHERE c.project = ? AND c.path = ?`, project, path)
	slices.SortFunc(out, func(a, b CodeChunk) int {
		return cmp.Or(cmp.Compare(a.StartByte, b.StartByte), cmp.Compare(b.EndByte, a.EndByte), cmp.Compare(a.ID, b.ID))
	})
	return out, err
}

// CodeChunksNamed returns the project's chunks with a name.
func (s *Store) CodeChunksNamed(ctx context.Context, project int64, name string) ([]CodeChunk, error) {
	// INDEXED BY: without statistics the planner prefers the path index
	// for the ORDER BY and scans the whole project (13 ms on the Go
	// standard library, against 0.1 ms).
	return s.codeChunks(ctx, "code chunks named", `SELECT `+codeChunkColumns+` FROM code_chunks AS c INDEXED BY code_chunks_name
		WHERE c.project = ? AND c.name = ? ORDER BY c.path, c.id`, project, name)
}

// CodeCallees returns the chunks that chunk id refers to (code_edges):
// by their names, and the Go const/var groups declaring a name it uses.
// CodeCalleesOf reads those of many chunks at once.
func (s *Store) CodeCallees(ctx context.Context, id int64) ([]CodeChunk, error) {
	return s.codeChunks(ctx, "code callees", `SELECT DISTINCT `+codeChunkColumns+`
		FROM code_edges AS e JOIN code_chunks AS c ON c.id = e.to_id WHERE e.from_id = ? ORDER BY c.path, c.id`, id)
}

// CodeCallers returns the chunks that refer to chunk id: code_refs finds
// the chunks that name it, or one of the names it declares (a Go
// const/var group's members, the other arities of an Elixir function
// with default arguments), and code_name_edges and code_member_edges
// keep those that resolve to it. (Joined, the code_edges view, a UNION
// ALL, would resolve the refs of every chunk of the store.) CodeCallersOf
// reads those of many chunks at once.
func (s *Store) CodeCallers(ctx context.Context, id int64) ([]CodeChunk, error) {
	rows, err := s.Query(ctx, `SELECT project, name, `+codeGroup+`, c.meta -> 12, c.lang, `+codePromotedNames+`
		FROM code_chunks AS c WHERE id = ?`, id)
	if err != nil || len(rows.Values) == 0 {
		return nil, err
	}
	r := rows.Values[0]
	project, name := asInt(r[0]), asString(r[1])
	// The names that resolve to name (see the code_name_edges view).
	base := strings.TrimSuffix(name, "#1")
	syms := []any{name, base, base}
	if i := strings.LastIndexByte(base, '/'); i > 0 && !strings.Contains(base, "#") {
		syms[2] = base[:i]
	}
	const byName = `FROM code_refs AS r JOIN code_name_edges AS e ON e.from_id = r.from_id AND e.to_id = ?1
		JOIN code_chunks AS c ON c.id = r.from_id
		WHERE r.project = ?2 AND r.sym IN (?3, ?4, ?5)`
	var members []string
	if asInt(r[2]) != 0 {
		if err := json.Unmarshal([]byte(asString(r[3])), &members); err != nil {
			members = nil // a row of an older analyzer: no members
		}
	}
	promoted := promotedNames(r[5])
	if len(members) == 0 && len(promoted) == 0 {
		return s.codeChunks(ctx, "code callers", `SELECT DISTINCT `+codeChunkColumns+` `+byName+` ORDER BY c.path, c.id`,
			append([]any{id, project}, syms...)...)
	}
	// The names it declares, as refs name them (code_members.name): an
	// Elixir chunk's are qualified already.
	if asString(r[4]) == "go" {
		pkg := name[:strings.IndexByte(name, '.')+1]
		for i, m := range members {
			members[i] = pkg + m
		}
	}
	// The names promoted to it through embedding (code_promoted.go):
	// each half only when the chunk has such names.
	q, args := `SELECT `+codeChunkColumns+` `+byName, append([]any{id, project}, syms...)
	const through = `
		UNION SELECT ` + codeChunkColumns + `
		FROM code_refs AS r JOIN %s AS e ON e.from_id = r.from_id AND e.to_id = ?1
		JOIN code_chunks AS c ON c.id = r.from_id
		WHERE r.project = ?2 AND r.sym IN (SELECT value FROM json_each(?%d))`
	if len(members) > 0 {
		args = append(args, jsonText(members))
		q += fmt.Sprintf(through, "code_member_edges", len(args))
	}
	if len(promoted) > 0 {
		args = append(args, jsonText(promoted))
		q += fmt.Sprintf(through, "code_promoted_edges", len(args))
	}
	return s.codeChunks(ctx, "code callers", q+` ORDER BY 2, 1`, args...)
}

// CodeHit is a chunk a search found; lower Rank is better (bm25).
type CodeHit struct {
	CodeChunk
	Rank float64 `json:"rank"`
}

// ErrBadMatch is returned by SearchCode when SQLite rejects the query,
// which for a well-formed statement means FTS5 could not parse the match.
var ErrBadMatch = errors.New("bad full-text query")

// SearchCode runs an FTS5 query over a project's chunks and returns the
// best limit hits, name matches weighing eight times body matches.
func (s *Store) SearchCode(ctx context.Context, project int64, match string, limit int) ([]CodeHit, error) {
	rows, err := s.Query(ctx, `SELECT `+codeChunkColumns+`, bm25(code_fts, 8.0, 1.0) AS rank
		FROM code_fts JOIN code_chunks AS c ON c.id = code_fts.rowid
		WHERE code_fts MATCH ? AND c.project = ? ORDER BY rank LIMIT ?`, match, project, limit)
	if err != nil {
		if errors.Is(err, ErrStatement) {
			return nil, fmt.Errorf("db: search code: %w: %w", ErrBadMatch, err)
		}
		return nil, fmt.Errorf("db: search code: %w", err)
	}
	out := make([]CodeHit, len(rows.Values))
	for i, r := range rows.Values {
		out[i] = CodeHit{CodeChunk: scanCodeChunk(r), Rank: asFloat(r[codeChunkNCols])}
	}
	return out, nil
}
