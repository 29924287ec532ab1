package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
	"github.com/aiex-dev/aiex/db/words"
)

// codeFixture is a small project: package p in a/ (two files calling each
// other), package p in b/ (a same-named function that a/ must not reach
// through an unqualified name), and a Markdown file.
type codeFixture struct {
	files map[string][]db.CodeChunk // path → chunks
	lang  map[string]string
}

func newCodeFixture() codeFixture {
	return codeFixture{
		files: map[string][]db.CodeChunk{
			"a/x.go": {
				{Name: "p.Run", Kind: "function", StartLine: 3, EndLine: 5, StartByte: 20, EndByte: 60, Tokens: 10, Hash: "h1", Refs: []string{"p.helper", "fmt.Println"}},
				{Name: "p.Server", Kind: "type", StartLine: 7, EndLine: 9, StartByte: 61, EndByte: 90, Tokens: 8, Hash: "h2"},
			},
			"a/y.go": {
				{Name: "p.helper", Kind: "function", StartLine: 1, EndLine: 2, StartByte: 0, EndByte: 30, Tokens: 5, Hash: "h3", Refs: []string{"p.Server"}, Private: true},
			},
			"b/z.go": {
				{Name: "p.helper", Kind: "function", StartLine: 1, EndLine: 2, StartByte: 0, EndByte: 30, Tokens: 5, Hash: "h4"},
			},
			"README.md": {
				{Name: "#1", Kind: "text", StartLine: 1, EndLine: 60, StartByte: 0, EndByte: 900, Tokens: 200, Hash: "h5"},
				{Name: "#2", Kind: "text", StartLine: 51, EndLine: 70, StartByte: 800, EndByte: 1200, Tokens: 90, Hash: "h6"},
			},
		},
		lang: map[string]string{"a/x.go": "go", "a/y.go": "go", "b/z.go": "go", "README.md": "text"},
	}
}

// write indexes paths of the fixture in one CodeWrite; version tells the
// contents of this write from others'.
func (f codeFixture) write(t *testing.T, s *db.Store, p db.CodeProject, version int, paths ...string) {
	t.Helper()
	w := db.CodeWrite{Project: p.ID, Node: s.NodeID(), Now: time.Now(), Drop: paths, Done: true, Analyzer: "test"}
	next := int64(0)
	for _, path := range paths {
		chunks := f.files[path]
		hash := fmt.Sprintf("content-%s-%d", path, version)
		w.Analyses = append(w.Analyses, db.CodeAnalysisRow{ContentHash: hash, Analyzer: "test", Lang: f.lang[path],
			Chunks: db.EncodeCodeChunks(nil, chunks), Warnings: []string{}})
		w.Chunked = append(w.Chunked, db.CodeChunked{Path: path, ContentHash: hash, Analyzer: "test", Offset: next, Count: len(chunks)})
		w.Files = append(w.Files, db.CodeFile{Path: path, ContentHash: hash, Size: 100, MtimeNS: 1, Lang: f.lang[path]})
		for _, c := range chunks {
			// Words as app/index makes them: whole names and their parts,
			// none longer than words.MaxLen.
			name := slices.DeleteFunc(strings.Fields(c.Name+" "+strings.ReplaceAll(c.Name, ".", " ")),
				func(w string) bool { return len(w) > words.MaxLen })
			w.Terms = append(w.Terms, db.CodeTerms{Name: strings.Join(name, " "),
				Body: strings.ReplaceAll(strings.Join(c.Refs, " "), ".", " ")})
		}
		next += int64(len(chunks))
	}
	stmts, err := w.Statements()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Execute(context.Background(), stmts...); err != nil {
		t.Fatal(err)
	}
}

// writeChunks indexes files of chunks in one CodeWrite, each file in the
// language its extension says, with code_fts names as app/index makes
// them: the words of the chunk's name, and each name a group declares
// whole, one-letter ones included.
func writeChunks(t *testing.T, s *db.Store, p db.CodeProject, files map[string][]db.CodeChunk) {
	t.Helper()
	w := db.CodeWrite{Project: p.ID, Node: s.NodeID(), Now: time.Now(), Done: true, Analyzer: "test"}
	next := int64(0)
	for _, path := range slices.Sorted(maps.Keys(files)) {
		lang := "go"
		if strings.HasSuffix(path, ".ex") || strings.HasSuffix(path, ".exs") {
			lang = "elixir"
		}
		chunks := files[path]
		hash := "content-" + path
		w.Analyses = append(w.Analyses, db.CodeAnalysisRow{ContentHash: hash, Analyzer: "test", Lang: lang,
			Chunks: db.EncodeCodeChunks(nil, chunks), Warnings: []string{}})
		w.Chunked = append(w.Chunked, db.CodeChunked{Path: path, ContentHash: hash, Analyzer: "test", Offset: next, Count: len(chunks)})
		w.Files = append(w.Files, db.CodeFile{Path: path, ContentHash: hash, Size: 100, MtimeNS: 1, Lang: lang})
		for _, c := range chunks {
			name := strings.FieldsFunc(c.Name, func(r rune) bool { return strings.ContainsRune(".{},…#()*", r) })
			w.Terms = append(w.Terms, db.CodeTerms{Name: strings.Join(append(name, c.Members...), " ")})
		}
		next += int64(len(chunks))
	}
	stmts, err := w.Statements()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Execute(context.Background(), stmts...); err != nil {
		t.Fatal(err)
	}
}

func hitChunks(hits []db.CodeHit) []db.CodeChunk {
	var out []db.CodeChunk
	for _, h := range hits {
		out = append(out, h.CodeChunk)
	}
	return out
}

func names(cs []db.CodeChunk) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Path+":"+c.Name)
	}
	return out
}

func TestCodeIndexTables(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	p, err := s.CodeProject(ctx, "/src/proj")
	if err != nil {
		t.Fatal(err)
	}
	if p2, _ := s.CodeProject(ctx, "/src/proj"); p2.ID != p.ID {
		t.Fatalf("second CodeProject %+v, first %+v", p2, p)
	}
	f := newCodeFixture()
	f.write(t, s, p, 1, "a/x.go", "a/y.go", "b/z.go", "README.md")

	// Chunks come back with every column, text names completed.
	got, err := s.CodeChunks(ctx, p.ID, "a/x.go")
	if err != nil {
		t.Fatal(err)
	}
	want := f.files["a/x.go"]
	for i := range want {
		want[i].ID, want[i].Path, want[i].Lang = int64(i+1), "a/x.go", "go"
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("chunks of a/x.go (-want +got):\n%s", diff)
	}
	md, _ := s.CodeChunks(ctx, p.ID, "README.md")
	if n := names(md); !slices.Equal(n, []string{"README.md:README.md#1", "README.md:README.md#2"}) {
		t.Errorf("text chunk names %v", n)
	}

	// Edges: p.Run → p.helper in its own directory only; p.helper → p.Server.
	run, _ := s.CodeChunksNamed(ctx, p.ID, "p.Run")
	callees, err := s.CodeCallees(ctx, run[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := names(callees); !slices.Equal(n, []string{"a/y.go:p.helper"}) {
		t.Errorf("callees of p.Run: %v", n)
	}
	server, _ := s.CodeChunksNamed(ctx, p.ID, "p.Server")
	callers, err := s.CodeCallers(ctx, server[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := names(callers); !slices.Equal(n, []string{"a/y.go:p.helper"}) {
		t.Errorf("callers of p.Server: %v", n)
	}

	// Search ranks name matches first; a bad query is ErrBadMatch.
	hits, err := s.SearchCode(ctx, p.ID, `"server"`, 10)
	if err != nil {
		t.Fatal(err)
	}
	if n := names(hitChunks(hits)); !slices.Equal(n, []string{"a/x.go:p.Server", "a/y.go:p.helper"}) {
		t.Errorf("search server: %v", n)
	}
	if _, err := s.SearchCode(ctx, p.ID, `"unclosed`, 10); !errors.Is(err, db.ErrBadMatch) {
		t.Errorf("bad query: %v", err)
	}

	// Re-indexing a file replaces its chunks, index rows and refs.
	f.files["a/y.go"] = []db.CodeChunk{{Name: "p.other", Kind: "function", StartLine: 1, EndLine: 1, EndByte: 9, Hash: "h7"}}
	f.write(t, s, p, 2, "a/y.go")
	if callees, _ := s.CodeCallees(ctx, run[0].ID); len(callees) != 0 {
		t.Errorf("callees of p.Run after p.helper went: %v", names(callees))
	}
	if callers, _ := s.CodeCallers(ctx, server[0].ID); len(callers) != 0 {
		t.Errorf("callers of p.Server after p.helper went: %v", names(callers))
	}
	hits, _ = s.SearchCode(ctx, p.ID, `"helper"`, 10)
	if n := names(hitChunks(hits)); !slices.Equal(n, []string{"b/z.go:p.helper", "a/x.go:p.Run"}) {
		t.Errorf("search helper after re-index: %v", n)
	}
	files, err := s.CodeFiles(ctx, p.ID)
	if err != nil || len(files) != 4 || files["a/y.go"].ContentHash != "content-a/y.go-2" {
		t.Errorf("code files %v, %v", files, err)
	}
	if p, _ = s.CodeProject(ctx, "/src/proj"); p.Analyzer != "test" || p.IndexedAt.IsZero() {
		t.Errorf("project after a complete run: %+v", p)
	}
}

func TestCodeAnalysisRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	chunks := []db.CodeChunk{{Name: "x\"y\\z\n\x01é", Kind: "function", Refs: []string{"a", "b"}, Private: true, Defaults: 2, Tokens: 3}}
	w := db.CodeWrite{Node: "n1", Now: time.Now(), Analyses: []db.CodeAnalysisRow{{ContentHash: "h", Analyzer: "v1", Lang: "go",
		Chunks: db.EncodeCodeChunks(nil, chunks), Warnings: []string{"line 3: oops"}}}}
	stmts, _ := w.Statements()
	for range 2 { // the second insert is a no-op, not an error
		if _, err := s.Execute(ctx, stmts...); err != nil {
			t.Fatal(err)
		}
	}
	a, ok, err := s.CodeAnalysis(ctx, "h", "v1")
	if err != nil || !ok {
		t.Fatalf("CodeAnalysis: %v %v", ok, err)
	}
	if diff := cmp.Diff(chunks, a.Chunks); diff != "" || a.Node != "n1" || !slices.Equal(a.Warnings, []string{"line 3: oops"}) {
		t.Errorf("round trip (-want +got):\n%s\n%+v", diff, a)
	}
	if _, ok, _ := s.CodeAnalysis(ctx, "h", "v2"); ok {
		t.Error("another analyzer's row was found")
	}
}

// TestCodeWriteUncompressed: however big, a CodeWrite is few statements
// of short SQL, below the thresholds where rqlite gzips a request (50
// statements, or 1 KiB of SQL in one of them) at its slowest level.
func TestCodeWriteUncompressed(t *testing.T) {
	w := db.CodeWrite{Project: 1, Now: time.Now(), Done: true, Analyzer: "a"}
	for i := range db.MaxCodeAnalyses {
		path := fmt.Sprintf("dir/file%d.go", i)
		w.Drop = append(w.Drop, path)
		w.Forget = append(w.Forget, path)
		w.Analyses = append(w.Analyses, db.CodeAnalysisRow{ContentHash: path, Analyzer: "a", Lang: "go", Chunks: []byte("[]")})
		w.Chunked = append(w.Chunked, db.CodeChunked{Path: path, ContentHash: path, Analyzer: "a"})
		w.Files = append(w.Files, db.CodeFile{Path: path})
	}
	stmts, err := w.Statements()
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) >= 50 {
		t.Errorf("%d statements", len(stmts))
	}
	for _, st := range stmts {
		if len(st.SQL) >= 1024 {
			t.Errorf("%d bytes of SQL: %.60s…", len(st.SQL), st.SQL)
		}
	}
	w.Analyses = append(w.Analyses, w.Analyses[0])
	if _, err := w.Statements(); err == nil {
		t.Error("no error for too many analyses")
	}
}

// TestEncodeCodeChunks: the hand-written encoder makes valid JSON that
// decodes to what it was given, whatever the strings hold.
func TestEncodeCodeChunks(t *testing.T) {
	chunks := []db.CodeChunk{
		{Name: `Kernel.<>/2`, Kind: "function", Parent: "Kernel", StartLine: 1, EndLine: 2, StartByte: 0, EndByte: 10,
			Tokens: 3, Hash: "ab", Refs: []string{`a"b`, `c\d`, "e\nf\tg\rh\x01i", "ünï∑", "&<>"}, Private: true, Defaults: 2},
		{Name: "#2", Kind: "text", Hash: "cd"},
		{Name: "bad\xffutf8", Kind: "code", Refs: []string{"x\xfe"}},
	}
	data := db.EncodeCodeChunks(nil, chunks)
	if !json.Valid(data) {
		t.Fatalf("invalid JSON: %s", data)
	}
	got, err := db.DecodeCodeChunks(data)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(chunks)
	want[1].Refs = []string{}
	want[2].Name, want[2].Refs = "bad\ufffdutf8", []string{"x\ufffd"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if s := string(db.EncodeCodeChunks(nil, nil)); s != "[]" {
		t.Errorf("no chunks: %s", s)
	}
}

// TestCodeChunksNamedLikeWords: a name is looked up by the words the
// index's tokenizer makes of it. A Latin combining mark is part of a
// token (ab + U+0301 + cd is one word, abcd), and a letter that Unicode 6
// called a mark separates two (U+19B0); cut otherwise, the first name was
// not found and the second was an FTS5 syntax error. A name with no word
// the index holds (one letter, one word over words.MaxLen) is found too.
func TestCodeChunksNamedLikeWords(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	p, err := s.CodeProject(ctx, "/src/proj")
	if err != nil {
		t.Fatal(err)
	}
	names4 := []string{"p.Ab\u0301cd", "p.Ef\u19b0gh", "p.X", "p.Long" + strings.Repeat("x", words.MaxLen)}
	f := codeFixture{files: map[string][]db.CodeChunk{}, lang: map[string]string{"u.go": "go"}}
	for i, name := range names4 {
		f.files["u.go"] = append(f.files["u.go"], db.CodeChunk{Name: name, Kind: "function",
			StartLine: i + 1, EndLine: i + 1, StartByte: 10 * i, EndByte: 10*i + 9, Hash: fmt.Sprint("u", i)})
	}
	f.write(t, s, p, 1, "u.go")
	for _, name := range names4 {
		cs, err := s.CodeChunksNamedLike(ctx, p.ID, strings.TrimPrefix(name, "p."), 5)
		if err != nil {
			t.Errorf("%q: %v", name, err)
			continue
		}
		if n := names(cs); !slices.Equal(n, []string{"u.go:" + name}) {
			t.Errorf("%q: found %q", name, n)
		}
	}
}
