package db_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// importFiles: two packages named proto (cluster/proto, command/proto),
// the project's own package http beside a use of net/http's, a vendored
// package and a module's root package, and a chunk whose refs name them
// in a file whose header gives their import paths (CodeChunk.Imports):
// the chunks of other packages of those names are no targets. A chunk of
// a file whose header has no Imports (a row of an older analyzer) keeps
// resolving by name.
var importFiles = map[string][]db.CodeChunk{
	"go.go": {
		{Name: "m.Root", Kind: "type", StartLine: 3, EndLine: 3, StartByte: 10, EndByte: 30, Hash: "r1"},
	},
	"cluster/proto/p.go": {
		{Name: "proto.Command", Kind: "type", StartLine: 3, EndLine: 3, StartByte: 10, EndByte: 30, Hash: "c1"},
	},
	"command/proto/p.go": {
		{Name: "proto.Command", Kind: "type", StartLine: 3, EndLine: 3, StartByte: 10, EndByte: 30, Hash: "d1"},
		{Name: "proto.{CommandA,CommandB}", Kind: "const", StartLine: 5, EndLine: 8, StartByte: 31, EndByte: 80, Hash: "d2",
			Members: []string{"CommandA", "CommandB"}},
	},
	"cluster/proto/consts.go": {
		{Name: "proto.{CommandA,Other}", Kind: "const", StartLine: 5, EndLine: 8, StartByte: 31, EndByte: 80, Hash: "c2",
			Members: []string{"CommandA", "Other"}},
	},
	"cmd/rqlite/http/client.go": {
		{Name: "http.Client", Kind: "type", StartLine: 3, EndLine: 3, StartByte: 10, EndByte: 30, Hash: "h1"},
	},
	"vendor/golang.org/x/net/http2/t.go": {
		{Name: "http2.Transport", Kind: "type", StartLine: 3, EndLine: 3, StartByte: 10, EndByte: 30, Hash: "v1"},
	},
	"internal/http2/t.go": {
		{Name: "http2.Transport", Kind: "type", StartLine: 3, EndLine: 3, StartByte: 10, EndByte: 30, Hash: "i1"},
	},
	"store/store.go": {
		{Name: "store", Kind: "header", StartLine: 1, EndLine: 4, StartByte: 0, EndByte: 29, Hash: "s0",
			Imports: map[string]string{"proto": "github.com/rqlite/rqlite/v8/command/proto", "http": "net/http",
				"http2": "golang.org/x/net/http2", "m": "github.com/rqlite/rqlite/v8", "fmt": "fmt"}},
		{Name: "store.apply", Kind: "function", StartLine: 5, EndLine: 9, StartByte: 30, EndByte: 200, Hash: "s1",
			Refs: []string{"proto.Command", "proto.CommandA", "http.Client", "http2.Transport", "m.Root", "fmt.Println"}},
	},
	"store/old.go": {
		{Name: "store", Kind: "header", StartLine: 1, EndLine: 4, StartByte: 0, EndByte: 29, Hash: "o0"},
		{Name: "store.old", Kind: "function", StartLine: 10, EndLine: 12, StartByte: 201, EndByte: 260, Hash: "s2",
			Refs: []string{"proto.Command"}},
	},
}

// TestCodeImportEdges: CodeCallees and CodeCallers follow a Go ref to an
// imported package's name only into the directory its import path
// denotes — a module's own package, a vendored one, the module's root —
// by name and through a group's members.
func TestCodeImportEdges(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	p, err := s.CodeProject(ctx, "/src/rqlite")
	if err != nil {
		t.Fatal(err)
	}
	writeChunks(t, s, p, importFiles)
	at := func(name, path string) int64 {
		t.Helper()
		cs, err := s.CodeChunksNamed(ctx, p.ID, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.Path == path {
				return c.ID
			}
		}
		t.Fatalf("no chunk %s in %s: %+v", name, path, cs)
		return 0
	}
	// where lists chunks as name@path.
	where := func(cs []db.CodeChunk, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.Name+"@"+c.Path)
		}
		slices.Sort(out)
		return out
	}
	want := []string{
		"http2.Transport@vendor/golang.org/x/net/http2/t.go",
		"m.Root@go.go",
		"proto.Command@command/proto/p.go",
		"proto.{CommandA,CommandB}@command/proto/p.go",
	}
	if got := where(s.CodeCallees(ctx, at("store.apply", "store/store.go"))); !slices.Equal(got, want) {
		t.Errorf("callees of store.apply:\n%q\nwant\n%q", got, want)
	}
	old := []string{"proto.Command@cluster/proto/p.go", "proto.Command@command/proto/p.go"}
	if got := where(s.CodeCallees(ctx, at("store.old", "store/old.go"))); !slices.Equal(got, old) {
		t.Errorf("callees of store.old (no imports recorded): %q, want %q", got, old)
	}
	for _, c := range []struct {
		name, path string
		want       []string
	}{
		{"proto.Command", "command/proto/p.go", []string{"store.apply@store/store.go", "store.old@store/old.go"}},
		{"proto.Command", "cluster/proto/p.go", []string{"store.old@store/old.go"}},
		{"proto.{CommandA,CommandB}", "command/proto/p.go", []string{"store.apply@store/store.go"}},
		{"proto.{CommandA,Other}", "cluster/proto/consts.go", nil},
		{"http.Client", "cmd/rqlite/http/client.go", nil},
		{"http2.Transport", "vendor/golang.org/x/net/http2/t.go", []string{"store.apply@store/store.go"}},
		{"http2.Transport", "internal/http2/t.go", nil},
		{"m.Root", "go.go", []string{"store.apply@store/store.go"}},
	} {
		if got := where(s.CodeCallers(ctx, at(c.name, c.path))); !slices.Equal(got, c.want) {
			t.Errorf("callers of %s in %s: %q, want %q", c.name, c.path, got, c.want)
		}
	}
}

// TestCodeChunksImportsRoundTrip: the cache's format keeps a chunk's
// import paths, and writes none for a chunk without.
func TestCodeChunksImportsRoundTrip(t *testing.T) {
	in := []db.CodeChunk{
		{Name: "a.F", Kind: "function", Refs: []string{"rand.N"}, Imports: map[string]string{"rand": "math/rand/v2"}},
		{Name: "a.G", Kind: "function", Refs: []string{"a.F"}},
	}
	b := db.EncodeCodeChunks(nil, in)
	out, err := db.DecodeCodeChunks(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].Imports["rand"]; got != "math/rand/v2" || len(out[0].Imports) != 1 {
		t.Errorf("imports of a.F: %v, want rand: math/rand/v2", out[0].Imports)
	}
	if out[1].Imports != nil {
		t.Errorf("imports of a.G: %v, want none", out[1].Imports)
	}
	if want := `,[]]]`; string(b[len(b)-len(want):]) != want {
		t.Errorf("a chunk without imports ends %q, want no element for them", b[len(b)-20:])
	}
}
