package db

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"go/token"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/db/words"
)

// Retrieval over the code index (migration 0005): term statistics, the
// symbol graph's ranks and chunk embeddings. app/search and app/index use
// these; app/search/DESIGN.md says how they combine.

// CodeTermDocs returns how many chunks hold each of terms (in their name
// or body), as the full-text index cuts and folds them (lower case).
// Terms no chunk holds are missing from the map.
func (s *Store) CodeTermDocs(ctx context.Context, terms []string) (map[string]int64, error) {
	out := make(map[string]int64, len(terms))
	if len(terms) == 0 {
		return out, nil
	}
	rows, err := s.Query(ctx, `SELECT term, doc FROM code_fts_terms WHERE term IN (SELECT value FROM json_each(?))`,
		jsonText(terms))
	if err != nil {
		return nil, fmt.Errorf("db: code term docs: %w", err)
	}
	for _, r := range rows.Values {
		out[asString(r[0])] = asInt(r[1])
	}
	return out, nil
}

// CodeIndexSize returns how many chunks the full-text index holds, of
// every project: the N of the chunk counts CodeTermDocs returns, which
// are the store's too. It counts the rows of the index's own table of
// document sizes (~1 ms for the Go standard library), not the chunks.
func (s *Store) CodeIndexSize(ctx context.Context) (int64, error) {
	rows, err := s.Query(ctx, `SELECT count(*) FROM code_fts_docsize`)
	if err != nil {
		return 0, fmt.Errorf("db: code index size: %w", err)
	}
	if len(rows.Values) == 0 {
		return 0, nil
	}
	return asInt(rows.Values[0][0]), nil
}

// GraphChunk is what the symbol graph needs of a chunk.
type GraphChunk struct {
	ID         int64 // 0 for a chunk not yet in the store
	Name, Path string
	Lang       string
	Refs       []string
	// Imports are the import paths by qualifier a Go file's header
	// records (CodeChunk's); nil on other chunks.
	Imports map[string]string
}

// CodeGraph returns every chunk of a project with the names it refers to,
// in id order.
func (s *Store) CodeGraph(ctx context.Context, project int64) ([]GraphChunk, error) {
	rows, err := s.Query(ctx, `SELECT id, name, path, lang, refs,
		CASE WHEN lang = 'go' AND instr(name, '.') = 0 THEN meta -> 13 END FROM code_chunks WHERE project = ? ORDER BY id`, project)
	if err != nil {
		return nil, fmt.Errorf("db: code graph: %w", err)
	}
	out := make([]GraphChunk, len(rows.Values))
	for i, r := range rows.Values {
		g := GraphChunk{ID: asInt(r[0]), Name: asString(r[1]), Path: asString(r[2]), Lang: asString(r[3])}
		if refs := asString(r[4]); refs != "" && refs != "[]" {
			if err := json.Unmarshal([]byte(refs), &g.Refs); err != nil {
				return nil, fmt.Errorf("db: code graph: chunk %d refs: %w", g.ID, err)
			}
		}
		if imports := asString(r[5]); imports != "" {
			if err := json.Unmarshal([]byte(imports), &g.Imports); err != nil {
				return nil, fmt.Errorf("db: code graph: chunk %d imports: %w", g.ID, err)
			}
		}
		out[i] = g
	}
	return out, nil
}

// CodeRankStmts replaces a project's ranks (by chunk name) and marks them
// fresh as of now.
func CodeRankStmts(project int64, ranks map[string]float64, now time.Time) []Statement {
	b, _ := json.Marshal(ranks) // a map of finite floats always encodes
	return []Statement{
		Stmt(`DELETE FROM code_rank WHERE project = ?`, project),
		Stmt(`INSERT INTO code_rank (project, name, rank) SELECT ?, key, value FROM json_each(?)`, project, string(b)),
		Stmt(`UPDATE code_projects SET rank_stale = 0, ranked_at = ? WHERE id = ?`, now, project),
	}
}

// CodeRankStaleStmt adds n changed files to a project's count of changes
// since its ranks were computed.
func CodeRankStaleStmt(project int64, n int) Statement {
	return Stmt(`UPDATE code_projects SET rank_stale = rank_stale + ? WHERE id = ?`, n, project)
}

// CodeRanks returns the ranks of names in a project; names without one
// are missing from the map.
func (s *Store) CodeRanks(ctx context.Context, project int64, names []string) (map[string]float64, error) {
	out := make(map[string]float64, len(names))
	if len(names) == 0 {
		return out, nil
	}
	rows, err := s.Query(ctx, `SELECT name, rank FROM code_rank WHERE project = ? AND name IN (SELECT value FROM json_each(?))`,
		project, jsonText(names))
	if err != nil {
		return nil, fmt.Errorf("db: code ranks: %w", err)
	}
	for _, r := range rows.Values {
		out[asString(r[0])] = asFloat(r[1])
	}
	return out, nil
}

// CodeChunkAt returns the innermost chunk of a file that holds line
// (1-based); ok is false when none does.
func (s *Store) CodeChunkAt(ctx context.Context, project int64, path string, line int) (c CodeChunk, ok bool, err error) {
	cs, err := s.codeChunks(ctx, "code chunk at", `SELECT `+codeChunkColumns+` FROM code_chunks AS c
		WHERE c.project = ? AND c.path = ? AND c.start_line <= ? AND c.end_line >= ?
		ORDER BY c.end_line - c.start_line, c.id LIMIT 1`, project, path, line, line)
	if err != nil || len(cs) == 0 {
		return CodeChunk{}, false, err
	}
	return cs[0], true, nil
}

// CodeChunksNamedLike returns up to limit chunks of a project whose name
// ends with suffix after a separator ("Serve" finds http.(*Server).Serve,
// "get_user/1" finds MyApp.Accounts.get_user/1, "Enum.map" finds
// Enum.map/2): those in the letter case typed first, then the project's
// own code before the code beside it (CodeAside), the most central
// (code_rank) first, then the shortest names. The full-text index of
// names narrows the candidates first (a LIKE over every name of the Go
// standard library takes 10 ms), unless suffix has no word the index
// holds: one letter, or one word too long (words.MaxLen).
//
// When no name ends with suffix, a Go const/var group that declares it is
// found (CodeChunk.Members): "StatusOK", or "http.StatusOK" in a package
// named http, finds http.{StatusContinue,…,StatusEarlyHints,…}, whose
// name shows only four of its names.
func (s *Store) CodeChunksNamedLike(ctx context.Context, project int64, suffix string, limit int) ([]CodeChunk, error) {
	cs, err := s.codeChunksNamedLike(ctx, "code chunks named like", project, suffix, "", limit)
	if err != nil || len(cs) > 0 {
		return cs, err
	}
	return s.codeChunksDeclaring(ctx, project, suffix, limit)
}

// codeChunksDeclaring returns up to limit Go const/var groups of a project
// that declare sym, a name ("StatusOK") or a name qualified by its
// package ("http.StatusOK") (see declaring), in the order of
// CodeChunksNamedLike; those that declare it in the letter case typed, if
// there are any.
func (s *Store) codeChunksDeclaring(ctx context.Context, project int64, sym string, limit int) ([]CodeChunk, error) {
	member, from, more, ok := declaring(sym)
	if !ok {
		return nil, nil // not a Go name
	}
	cs, err := s.codeChunks(ctx, "code chunks declaring", `SELECT `+codeChunkColumns+` FROM `+from+`
		ORDER BY `+typedMember+` DESC, `+codeAside+`, `+codeRankOf+` DESC, length(c.name), c.id
		LIMIT ?3`, append([]any{project, member, limit}, more...)...)
	if err != nil || len(cs) == 0 || !slices.Contains(cs[0].Members, member) {
		return cs, err
	}
	// As for names: declared as typed, the others are not the symbol meant.
	return slices.DeleteFunc(cs, func(c CodeChunk) bool { return !slices.Contains(c.Members, member) }), nil
}

// declaring is the FROM and WHERE clauses of the Go const/var groups (c)
// of project ?1 that declare sym's member (?2) in any letter case, with
// the arguments from ?4 on that they take; ok is false when sym is no Go
// name. A qualified name is looked for in the groups named pkg.{…}: a
// range of the name index. A plain one is looked for in the chunks whose
// code_fts name holds its words (app/index puts a group's members there,
// one-letter names included), or, for a name of words too long for the
// index, in every group of the project.
func declaring(sym string) (member, from string, args []any, ok bool) {
	pkg, member, qualified := strings.Cut(sym, ".")
	if !qualified {
		pkg, member = "", sym
	}
	if !token.IsIdentifier(member) || (qualified && !token.IsIdentifier(pkg)) {
		return "", "", nil, false
	}
	switch match := memberMatch(member); {
	case qualified:
		from = `code_chunks AS c INDEXED BY code_chunks_name WHERE c.name >= ?4 AND c.name < ?5`
		args = []any{pkg + ".{", pkg + ".|"} // "|" follows "{"
	case match != "":
		from = `code_fts JOIN code_chunks AS c ON c.id = code_fts.rowid WHERE code_fts MATCH ?4`
		args = []any{match}
	default:
		from = `code_chunks AS c WHERE true`
	}
	return member, from + `
		AND c.project = ?1 AND c.name GLOB '*.{*' AND c.lang = 'go'
		AND EXISTS (SELECT 1 FROM json_each(c.meta, '$[12]') WHERE value = ?2 COLLATE NOCASE)`, args, true
}

// typedMember says a group (c) declares ?2 in the letter case typed.
const typedMember = `EXISTS (SELECT 1 FROM json_each(c.meta, '$[12]') WHERE value = ?2)`

// CodeChunksNamedLikeCount counts the chunks CodeChunksNamedLike would
// return without a limit: those whose name ends with suffix (in the
// letter case typed, if any is), else the Go const/var groups declaring
// it. A lookup by name lists a few and says how many more there are; the
// count reads no chunk's columns. (The queries are the lookups' and take
// their arguments, the limit ?3 included: one row of counts.)
func (s *Store) CodeChunksNamedLikeCount(ctx context.Context, project int64, suffix string) (int, error) {
	from, match := namedLike(suffix)
	n, err := s.codeCount(ctx, `SELECT count(*), count(*) FILTER (WHERE `+typedName+`) FROM `+from+` LIMIT ?3`,
		project, likeEscape(suffix), 1, match, globEscape(suffix))
	if err != nil || n > 0 {
		return n, err
	}
	member, from, more, ok := declaring(suffix)
	if !ok {
		return 0, nil // not a Go name
	}
	return s.codeCount(ctx, `SELECT count(*), count(*) FILTER (WHERE `+typedMember+`) FROM `+from+` LIMIT ?3`,
		append([]any{project, member, 1}, more...)...)
}

// codeCount runs a query of two counts, of the chunks matched and of
// those in the letter case typed, and returns the second if it is not
// zero, else the first: a lookup by name keeps only the names as typed
// when there are any.
func (s *Store) codeCount(ctx context.Context, query string, args ...any) (int, error) {
	rows, err := s.Query(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("db: code chunks named like, counted: %w", err)
	}
	if len(rows.Values) == 0 {
		return 0, nil
	}
	all, typed := int(asInt(rows.Values[0][0])), int(asInt(rows.Values[0][1]))
	if typed > 0 {
		return typed, nil
	}
	return all, nil
}

// codeAside is 1 for a chunk (c) of code beside the project's own, else
// 0: what CodeAside says, as SQL. A lookup by name orders by it.
const codeAside = `(('/' || c.path) GLOB '*/_examples/*' OR ('/' || c.path) GLOB '*/examples/*'
	OR ('/' || c.path) GLOB '*/example/*' OR ('/' || c.path) GLOB '*/testdata/*'
	OR ('/' || c.path) GLOB '*/vendor/*' OR c.path GLOB '*_test.go'
	OR (c.lang = 'elixir' AND ('/' || c.path) GLOB '*/test/*'))`

// CodeAside reports whether a chunk of a file at path (of the project,
// slash-separated) in lang is code beside the project's own rather than
// the project's: an example (a directory _examples, examples or example
// at any depth), test data (testdata), vendored code (vendor), a Go test
// (*_test.go), an Elixir test (a directory test). Of units of one name a
// bare name takes the project's own: kong's Run is kong.(*Context).Run,
// not main.(*CpCmd).Run of _examples/docker.
func CodeAside(path, lang string) bool {
	dirs := strings.Split(path, "/")
	dirs = dirs[:len(dirs)-1]
	for _, d := range dirs {
		switch d {
		case "_examples", "examples", "example", "testdata", "vendor":
			return true
		case "test":
			if lang == "elixir" {
				return true
			}
		}
	}
	return strings.HasSuffix(path, "_test.go")
}

// codeRankOf is a chunk's (c) rank in its project's symbol graph, 0 when
// it has none (ranks not computed yet, or a name new since).
const codeRankOf = `coalesce((SELECT r.rank FROM code_rank AS r WHERE r.project = c.project AND r.name = c.name), 0)`

// memberMatch is the FTS5 query for the chunks whose name holds the words
// of a member, one-letter ones included; "" if it has none the index holds.
func memberMatch(member string) string {
	var terms []string
	words.Scan([]byte(member), func(w []byte) {
		if len(w) <= words.MaxLen {
			terms = append(terms, `"`+string(w)+`"`)
		}
	})
	if len(terms) == 0 {
		return ""
	}
	return "name : (" + strings.Join(terms, " ") + ")"
}

// CodeChunksCallableAs returns the chunks of a project that a call of
// base with arity arguments reaches through default arguments (Elixir's
// `\\`): named base/N, or ending with it as CodeChunksNamedLike means it,
// whose defaults let them be called with fewer (N − defaults ≤ arity < N):
// `def split(string, pattern, options \\ [])` is String.split/3 and
// String.split/2. The name as typed first, then the shortest; a unit the
// chunker split is found by its first piece.
func (s *Store) CodeChunksCallableAs(ctx context.Context, project int64, base string, arity int) ([]CodeChunk, error) {
	cs, err := s.codeChunksNamedLike(ctx, "code chunks callable as", project, base, "AND c.meta ->> 11 > 0", 256)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(cs, func(c CodeChunk) bool {
		name, piece, _ := strings.Cut(c.Name, "#")
		i := strings.LastIndexByte(name, '/')
		n, err := strconv.Atoi(name[i+1:])
		return i < 0 || err != nil || (piece != "" && piece != "1") || n <= arity || n-c.Defaults > arity
	}), nil
}

// codeChunksNamedLike is CodeChunksNamedLike with a condition on the
// chunks (c) added.
func (s *Store) codeChunksNamedLike(ctx context.Context, what string, project int64, suffix, and string, limit int) ([]CodeChunk, error) {
	from, match := namedLike(suffix)
	cs, err := s.codeChunks(ctx, what, `SELECT `+codeChunkColumns+` FROM `+from+` `+and+`
		ORDER BY `+typedName+` DESC, `+codeAside+`, `+codeRankOf+` DESC, length(c.name), c.id
		LIMIT ?3`, project, likeEscape(suffix), limit, match, globEscape(suffix))
	if err != nil || len(cs) == 0 || !endsWithName(cs[0].Name, suffix) {
		return cs, err
	}
	// Names as typed, letter case included, come first; when there are
	// any, the others (newServer for NewServer) are not the symbol meant.
	return slices.DeleteFunc(cs, func(c CodeChunk) bool { return !endsWithName(c.Name, suffix) }), nil
}

// namedLike is the FROM and WHERE clauses of the chunks (c) of project ?1
// whose name ends with suffix (?2, LIKE-escaped) after a separator, in any
// letter case, and match, the FTS5 query (?4) of its words that narrows
// them first; "" when it has no word the index holds.
func namedLike(suffix string) (from, match string) {
	var terms []string
	words.Scan([]byte(suffix), func(w []byte) {
		if len(w) >= 2 && len(w) <= words.MaxLen {
			terms = append(terms, `"`+string(w)+`"`)
		}
	})
	from = `code_chunks AS c WHERE ?4 = ''`
	if len(terms) > 0 {
		from = `code_fts JOIN code_chunks AS c ON c.id = code_fts.rowid WHERE code_fts MATCH ?4`
		match = "name : (" + strings.Join(terms, " ") + ")"
	}
	return from + `
		AND c.project = ?1 AND (c.name LIKE '%.' || ?2 ESCAPE '\' OR c.name LIKE '%)' || ?2 ESCAPE '\'
			OR c.name LIKE '%.' || ?2 || '/%' ESCAPE '\' OR c.name LIKE ?2 || '/%' ESCAPE '\')`, match
}

// typedName says a chunk's name (c) ends with ?5, the suffix GLOB-escaped,
// as namedLike means it, in the letter case typed.
const typedName = `(c.name GLOB '*.' || ?5 OR c.name GLOB '*)' || ?5 OR c.name GLOB '*.' || ?5 || '/*' OR c.name GLOB ?5 || '/*')`

// endsWithName reports whether name ends with suffix as CodeChunksNamedLike
// means it, letter case included.
func endsWithName(name, suffix string) bool {
	return strings.HasSuffix(name, "."+suffix) || strings.HasSuffix(name, ")"+suffix) ||
		strings.Contains(name, "."+suffix+"/") || strings.HasPrefix(name, suffix+"/")
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CodeChunksByID returns the chunks with the given ids, in no set order.
func (s *Store) CodeChunksByID(ctx context.Context, ids []int64) ([]CodeChunk, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	b, _ := json.Marshal(ids)
	return s.codeChunks(ctx, "code chunks by id", `SELECT `+codeChunkColumns+` FROM code_chunks AS c
		WHERE c.id IN (SELECT value FROM json_each(?))`, string(b))
}

// CodeUnembedded returns up to limit chunks of a project whose content no
// embedding by model covers yet, containers (modules) excepted: their text
// is their children's.
func (s *Store) CodeUnembedded(ctx context.Context, project int64, model string, limit int) ([]CodeChunk, error) {
	return s.codeChunks(ctx, "code unembedded", `SELECT `+codeChunkColumns+` FROM code_chunks AS c
		WHERE c.project = ? AND c.kind NOT IN ('module', 'protocol', 'impl')
		AND NOT EXISTS (SELECT 1 FROM code_embeddings AS e WHERE e.hash = c.hash AND e.model = ?)
		ORDER BY c.id LIMIT ?`, project, model, limit)
}

// CodeEmbeddings returns model's embeddings of the chunk contents with the
// given hashes; hashes without one are missing from the map.
func (s *Store) CodeEmbeddings(ctx context.Context, model string, hashes []string) (map[string][]float32, error) {
	out := make(map[string][]float32, len(hashes))
	if len(hashes) == 0 {
		return out, nil
	}
	rows, err := s.Query(ctx, `SELECT hash, vec FROM code_embeddings WHERE model = ? AND hash IN (SELECT value FROM json_each(?))`,
		model, jsonText(hashes))
	if err != nil {
		return nil, fmt.Errorf("db: code embeddings: %w", err)
	}
	for _, r := range rows.Values {
		v, err := decodeVector(r[1])
		if err != nil {
			return nil, fmt.Errorf("db: code embeddings: %s: %w", asString(r[0]), err)
		}
		out[asString(r[0])] = v
	}
	return out, nil
}

// codeEmbeddingsPerStatement keeps each statement's SQL under 1 KiB (see
// CodeWrite): rows travel as plain parameters, vectors as blobs.
const codeEmbeddingsPerStatement = 48

// CodeEmbeddingStmts stores embeddings by model of chunk contents, keyed
// by content hash; a row already there is kept.
func CodeEmbeddingStmts(model, node string, vecs map[string][]float32) []Statement {
	var out []Statement
	var sql strings.Builder
	var args []any
	flush := func() {
		if len(args) == 0 {
			return
		}
		out = append(out, Stmt(sql.String()+` ON CONFLICT DO NOTHING`, args...))
		sql.Reset()
		args = nil
	}
	for hash, v := range vecs {
		if len(args) == 0 {
			sql.WriteString(`INSERT INTO code_embeddings (hash, model, vec, node) VALUES `)
		} else {
			sql.WriteString(`, `)
		}
		sql.WriteString(`(?, ?, ?, ?)`)
		args = append(args, hash, model, encodeVector(v), node)
		if len(args) == 4*codeEmbeddingsPerStatement {
			flush()
		}
	}
	flush()
	return out
}

func encodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

func decodeVector(x any) ([]float32, error) {
	var b []byte
	switch v := x.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return nil, fmt.Errorf("vector is %T", x)
	}
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("vector of %d bytes", len(b))
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out, nil
}

// CodeUnitPieces returns the pieces of a unit the chunker split (named
// base#1, base#2, … in one file), in order.
func (s *Store) CodeUnitPieces(ctx context.Context, project int64, path, base string) ([]CodeChunk, error) {
	return s.codeChunks(ctx, "code unit pieces", `SELECT `+codeChunkColumns+` FROM code_chunks AS c
		WHERE c.project = ?1 AND c.path = ?2 AND c.name GLOB ?3 AND NOT substr(c.name, ?4) GLOB '*[^0-9]*'
		ORDER BY c.start_byte`, project, path, globEscape(base)+"#[0-9]*", len([]rune(base))+2)
}

func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[':
			b.WriteByte('[')
			b.WriteRune(r)
			b.WriteByte(']')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CodeNames returns the distinct names of a project's chunks (split units
// under their unit's name; an Elixir function with defaults under each
// arity it defines, String.split/3 as String.split/2 too) and the paths of
// its files that have chunks: what a target can be called, for
// suggestions when one is not found.
func (s *Store) CodeNames(ctx context.Context, project int64) (names, paths []string, err error) {
	rows, err := s.Query(ctx, `SELECT CASE WHEN instr(name, '#') > 0 THEN substr(name, 1, instr(name, '#') - 1) ELSE name END AS n,
			MAX(CASE WHEN lang = 'elixir' THEN meta ->> 11 ELSE 0 END)
		FROM code_chunks WHERE project = ? AND name <> '' GROUP BY n`, project)
	if err != nil {
		return nil, nil, fmt.Errorf("db: code names: %w", err)
	}
	for _, r := range rows.Values {
		name := asString(r[0])
		names = append(names, name)
		i := strings.LastIndexByte(name, '/')
		n, err := strconv.Atoi(name[i+1:])
		for d := range int(asInt(r[1])) {
			if i > 0 && err == nil && n-d-1 >= 0 {
				names = append(names, name[:i+1]+strconv.Itoa(n-d-1))
			}
		}
	}
	rows, err = s.Query(ctx, `SELECT path FROM code_files WHERE project = ? AND skipped = ''`, project)
	if err != nil {
		return nil, nil, fmt.Errorf("db: code paths: %w", err)
	}
	for _, r := range rows.Values {
		paths = append(paths, asString(r[0]))
	}
	return names, paths, nil
}
