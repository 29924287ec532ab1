package db_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/db"
)

// ftsQueries are searches over newCodeFixture's index: name and body
// words, a prefix, OR, a column filter (as CodeChunksNamedLike asks), and
// words no chunk holds.
var ftsQueries = []string{`helper`, `p`, `println`, `fmt OR server`, `serv*`, `{name}: helper`, `p AND fmt`, `nothing`}

// ftsState is what searches see of the lexical index: each query's hits
// with their bm25, the vocabulary's counts and the index's size.
type ftsState struct {
	Hits  map[string][]string
	Ranks map[string][]float64
	Docs  map[string]int64
	Size  int64
}

func readFTS(t *testing.T, s *db.Store, p db.CodeProject) ftsState {
	t.Helper()
	ctx := context.Background()
	st := ftsState{Hits: map[string][]string{}, Ranks: map[string][]float64{}}
	for _, q := range ftsQueries {
		hits, err := s.SearchCode(ctx, p.ID, q, 20)
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		for _, h := range hits {
			st.Hits[q] = append(st.Hits[q], h.Path+":"+h.Name)
			st.Ranks[q] = append(st.Ranks[q], h.Rank)
		}
	}
	var err error
	if st.Docs, err = s.CodeTermDocs(ctx, []string{"p", "helper", "fmt", "println", "server", "run", "nothing"}); err != nil {
		t.Fatal(err)
	}
	if st.Size, err = s.CodeIndexSize(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestCodeFTSContentlessAfterMigration: a store whose index was written
// while code_fts kept its text (migrations 0004 and 0005) gets the
// contentless table when it opens, with the words of every row: searches
// find the same chunks with the same bm25, the vocabulary counts the same,
// and nothing is indexed again.
func TestCodeFTSContentlessAfterMigration(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir)
	p, err := s.CodeProject(ctx, "/src/proj")
	if err != nil {
		t.Fatal(err)
	}
	f := newCodeFixture()
	paths := []string{"a/x.go", "a/y.go", "b/z.go", "README.md"}

	// Back to the table of 0004 and the vocabulary of 0005, then index.
	before0019(t, s)
	f.write(t, s, p, 1, paths...)
	before := readFTS(t, s, p)
	if len(before.Hits["helper"]) != 3 || before.Ranks["helper"][0] == 0 {
		t.Fatalf("before the migration, hits for helper: %v %v; want three, ranked", before.Hits["helper"], before.Ranks["helper"])
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	s = open(t, dir)
	defer s.Close(ctx)
	rows, err := s.Query(ctx, `SELECT name FROM sqlite_master WHERE name = 'code_fts_content'
		UNION ALL SELECT 'sql: ' || sql FROM sqlite_master WHERE name = 'code_fts' AND sql NOT LIKE '%contentless_delete = 1%'`)
	if err != nil || len(rows.Values) != 0 {
		t.Fatalf("after the migration, code_fts keeps its text or lacks contentless_delete: %v, %v", rows.Values, err)
	}
	if diff := cmp.Diff(before, readFTS(t, s, p)); diff != "" {
		t.Errorf("searches after the migration (-before +after):\n%s", diff)
	}
}

// before0019 takes s back to the full-text tables of migrations 0004 and
// 0005, as a store before 0019 has them.
func before0019(t *testing.T, s *db.Store) {
	t.Helper()
	var old []db.Statement
	for _, m := range []struct{ file, from string }{
		{"migrations/0004_code_index.sql", "CREATE VIRTUAL TABLE code_fts "},
		{"migrations/0005_code_search.sql", "CREATE VIRTUAL TABLE code_fts_terms "},
	} {
		src, err := os.ReadFile(m.file)
		if err != nil {
			t.Fatal(err)
		}
		stmt := string(src[strings.Index(string(src), m.from):])
		old = append(old, db.Stmt(stmt[:strings.Index(stmt, ";")+1]))
	}
	if _, err := s.Execute(context.Background(), append([]db.Statement{db.Stmt(`DROP TABLE code_fts_terms`), db.Stmt(`DROP TABLE code_fts`)},
		append(old, db.Stmt(`DELETE FROM schema_migrations WHERE version = 19`))...)...); err != nil {
		t.Fatal(err)
	}
}

// TestMigrationVacuumsAndSnapshots: the open that applies a migration
// snapshots on close, so that later opens do not replay it, and vacuums a
// store of its own whose file it left mostly free, so that later opens do
// not copy the free pages.
func TestMigrationVacuumsAndSnapshots(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir)
	before0019(t, s)
	// 12 MB written and freed: pages the file keeps.
	if _, err := s.Execute(ctx, db.Stmt(`CREATE TABLE filler (b BLOB)`),
		db.Stmt(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12) INSERT INTO filler SELECT randomblob(1 << 20) FROM n`)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Execute(ctx, db.Stmt(`DROP TABLE filler`)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	snapshots := func() []string {
		m, _ := filepath.Glob(filepath.Join(dir, "store", "rsnapshots", "*", "meta.json"))
		return m
	}
	had := snapshots()

	s = open(t, dir) // applies 0019
	rows, err := s.Query(ctx, `SELECT (SELECT freelist_count FROM pragma_freelist_count) * (SELECT page_size FROM pragma_page_size)`)
	if err != nil || len(rows.Values) != 1 {
		t.Fatal(rows, err)
	}
	if free, _ := rows.Values[0][0].(int64); free > 1<<20 {
		t.Errorf("%d bytes free in the file after the migration's open; want it vacuumed", free)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if now := snapshots(); slices.Equal(now, had) {
		t.Errorf("no new snapshot on closing the open that migrated (%v before, %v after)", had, now)
	}
}

// TestCodeFTSContentlessDrops: re-indexing a changed file drops the rows
// of its changed chunks from the contentless table by rowid alone, keeping
// the rows of the chunks it kept; a word only the dropped chunk held finds
// nothing and leaves the vocabulary; a file gone takes its rows with it.
func TestCodeFTSContentlessDrops(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	defer s.Close(ctx)
	p, err := s.CodeProject(ctx, "/src/proj")
	if err != nil {
		t.Fatal(err)
	}
	chunkA := db.CodeChunk{Name: "p.Alpha", Kind: "function", StartLine: 1, EndLine: 2, StartByte: 0, EndByte: 20, Hash: "ha"}
	chunkB := db.CodeChunk{Name: "p.Bravo", Kind: "function", StartLine: 3, EndLine: 4, StartByte: 21, EndByte: 40, Hash: "hb"}
	chunkC := db.CodeChunk{Name: "p.Charlie", Kind: "function", StartLine: 3, EndLine: 5, StartByte: 21, EndByte: 50, Hash: "hc"}
	write := func(hash string, chunks []db.CodeChunk, keep []int64, terms []db.CodeTerms) {
		t.Helper()
		w := db.CodeWrite{Project: p.ID, Node: s.NodeID(), Now: time.Now(), Drop: []string{"x.go"}, Done: true, Analyzer: "test",
			Analyses: []db.CodeAnalysisRow{{ContentHash: hash, Analyzer: "test", Lang: "go",
				Chunks: db.EncodeCodeChunks(nil, chunks), Warnings: []string{}}},
			Chunked: []db.CodeChunked{{Path: "x.go", ContentHash: hash, Analyzer: "test", Count: len(chunks), Keep: keep}},
			Files:   []db.CodeFile{{Path: "x.go", ContentHash: hash, Size: 50, MtimeNS: 1, Lang: "go"}},
			Terms:   terms}
		stmts, err := w.Statements()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Execute(ctx, stmts...); err != nil {
			t.Fatal(err)
		}
	}
	search := func(q string) []string {
		t.Helper()
		hits, err := s.SearchCode(ctx, p.ID, q, 10)
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		var out []string
		for _, h := range hits {
			out = append(out, h.Name)
		}
		return out
	}
	write("v1", []db.CodeChunk{chunkA, chunkB}, nil,
		[]db.CodeTerms{{Name: "p Alpha", Body: "shared apple"}, {Name: "p Bravo", Body: "shared banana"}})
	if got := search("banana"); !cmp.Equal(got, []string{"p.Bravo"}) {
		t.Fatalf("banana before the edit: %v", got)
	}
	a, err := s.CodeChunksNamed(ctx, p.ID, "p.Alpha")
	if err != nil || len(a) != 1 {
		t.Fatalf("p.Alpha: %v, %v", a, err)
	}

	// The edit keeps Alpha's row and replaces Bravo by Charlie.
	write("v2", []db.CodeChunk{chunkA, chunkC}, []int64{a[0].ID, 0},
		[]db.CodeTerms{{}, {Name: "p Charlie", Body: "shared cherry"}})
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"banana", nil},
		{"bravo", nil},
		{"cherry", []string{"p.Charlie"}},
		{"apple", []string{"p.Alpha"}},
		{"alpha", []string{"p.Alpha"}},
	} {
		if got := search(tt.q); !cmp.Equal(got, tt.want) {
			t.Errorf("after the edit, search %q: %v; want %v", tt.q, got, tt.want)
		}
	}
	if got := search("shared"); len(got) != 2 {
		t.Errorf("after the edit, search shared: %v; want Alpha and Charlie", got)
	}
	docs, err := s.CodeTermDocs(ctx, []string{"banana", "bravo", "shared", "apple"})
	if want := map[string]int64{"shared": 2, "apple": 1}; err != nil || !cmp.Equal(docs, want) {
		t.Errorf("term docs after the edit: %v, %v; want %v", docs, err, want)
	}
	if n, err := s.CodeIndexSize(ctx); err != nil || n != 2 {
		t.Errorf("index size after the edit: %d, %v; want 2", n, err)
	}

	// The file goes.
	w := db.CodeWrite{Project: p.ID, Node: s.NodeID(), Now: time.Now(), Drop: []string{"x.go"}, Forget: []string{"x.go"}}
	stmts, err := w.Statements()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Execute(ctx, stmts...); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"shared", "apple", "cherry", "alpha"} {
		if got := search(q); got != nil {
			t.Errorf("after the file went, search %q: %v; want nothing", q, got)
		}
	}
	rows, err := s.Query(ctx, `SELECT (SELECT count(*) FROM code_fts), (SELECT count(*) FROM code_fts_terms), (SELECT count(*) FROM code_fts_docsize)`)
	if err != nil || len(rows.Values) != 1 || !cmp.Equal(rows.Values[0], []any{int64(0), int64(0), int64(0)}) {
		t.Errorf("rows, terms and sizes left after the file went: %v, %v; want none", rows.Values, err)
	}
}
