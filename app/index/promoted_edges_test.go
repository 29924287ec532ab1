package index

import (
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// promotedProject calls methods promoted through embedding: from a type
// of another file of the package, by value and by pointer; shadowed by
// the outer type's own method and by a field; from two embedded types at
// one depth (ambiguous); past an imported embedded type at the same depth
// (unknown); from an embedded interface, and through an interface that
// embeds another; two levels down; and from another package, where
// other/srv, a package of the same name elsewhere, has the same types.
func promotedProject() map[string]string {
	return map[string]string{
		"go.mod": "module example.com/m\n",
		"srv/base.go": `package srv

type Base struct{ n int }

func (b *Base) Close() error { return nil }

func (b Base) Name() string { return "" }

func (b *Base) Shadowed() {}

type Logger struct{}

func (Logger) Log() {}
`,
		"srv/server.go": `package srv

import "bytes"

type Server struct {
	*Base
	Logger
	name string
}

func (s *Server) Shadowed() {}

type Fielded struct {
	Base
	Name func() string
}

type A struct{}

func (A) Dup() {}

type B struct{}

func (B) Dup() {}

type Both struct {
	A
	B
}

type Wrapped struct {
	bytes.Buffer
	Base
}

type Closer interface{ Close() error }

type Holder struct{ Closer }

type RC interface {
	Closer
	Read()
}

type Deep struct{ Server }
`,
		"srv/use.go": `package srv

func useServer() {
	s := &Server{}
	s.Close()
	s.Name()
	s.Log()
	s.Shadowed()
}

func useFielded(f *Fielded) { f.Name() }

func useBoth(b *Both) { b.Dup() }

func useWrapped(w *Wrapped) { w.Close() }

func useHolder(h *Holder) { h.Close() }

func useRC(rc RC) { rc.Close() }

func useDeep(d *Deep) { d.Log() }
`,
		"app/app.go": `package app

import "example.com/m/srv"

func Run(s *srv.Server) { s.Close() }
`,
		"other/srv/x.go": `package srv

type Base struct{}

func (b *Base) Close() error { return nil }

type Server struct{ *Base }

func use(s *Server) { s.Close() }
`,
	}
}

// TestPromotedEdges: a call of a method promoted through embedding is an
// edge to the method's chunk, forwards and backwards, from the package
// and from another importing it, and none where Go's rule does not settle
// it from the package's own types.
func TestPromotedEdges(t *testing.T) {
	s, p := indexedProject(t, promotedProject())
	ctx := context.Background()
	for _, c := range []struct {
		name, dir string
		want      []string
	}{
		{"srv.useServer", "srv", []string{"srv.(*Base).Close (srv)", "srv.(*Server).Shadowed (srv)", "srv.Base.Name (srv)",
			"srv.Logger.Log (srv)", "srv.Server (srv)"}},
		{"srv.useFielded", "srv", []string{"srv.Fielded (srv)"}},
		{"srv.useBoth", "srv", []string{"srv.Both (srv)"}},
		{"srv.useWrapped", "srv", []string{"srv.Wrapped (srv)"}},
		{"srv.useHolder", "srv", []string{"srv.Closer (srv)", "srv.Holder (srv)"}},
		{"srv.useRC", "srv", []string{"srv.Closer (srv)", "srv.RC (srv)"}},
		{"srv.useDeep", "srv", []string{"srv.Deep (srv)", "srv.Logger.Log (srv)"}},
		{"app.Run", "app", []string{"srv.(*Base).Close (srv)", "srv.Server (srv)"}},
		{"srv.use", "other/srv", []string{"srv.(*Base).Close (other/srv)", "srv.Server (other/srv)"}},
	} {
		if got := placed(s.CodeCallees(ctx, chunkIn(t, s, p, c.name, c.dir).ID)); !slices.Equal(got, c.want) {
			t.Errorf("callees of %s: %q, want %q", c.name, got, c.want)
		}
	}
	callers := []struct {
		name, dir string
		want      []string
	}{
		{"srv.(*Base).Close", "srv", []string{"app.Run (app)", "srv.useServer (srv)"}},
		{"srv.Closer", "srv", []string{"srv.Holder (srv)", "srv.RC (srv)", "srv.useHolder (srv)", "srv.useRC (srv)"}},
		{"srv.Logger.Log", "srv", []string{"srv.useDeep (srv)", "srv.useServer (srv)"}},
		{"srv.(*Base).Close", "other/srv", []string{"srv.use (other/srv)"}},
	}
	var ids []int64
	for _, c := range callers {
		id := chunkIn(t, s, p, c.name, c.dir).ID
		ids = append(ids, id)
		if got := placed(s.CodeCallers(ctx, id)); !slices.Equal(got, c.want) {
			t.Errorf("callers of %s in %s: %q, want %q", c.name, c.dir, got, c.want)
		}
	}
	many, err := s.CodeCallersOf(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range callers {
		if got := placed(many[i], nil); !slices.Equal(got, c.want) {
			t.Errorf("CodeCallersOf %s in %s: %q, want %q", c.name, c.dir, got, c.want)
		}
	}
}

// TestPromotedEdgesMatchView: Edges with the project's member rows, which
// include the promoted names, resolves refs as the code_edges view does;
// and the ranks a first run computes from the chunks it wrote are those
// computed from the store, so the writer's graph has the promoted names.
func TestPromotedEdgesMatchView(t *testing.T) {
	s, p, g, rows := indexedGraph(t, promotedProject())
	// By name, each edge once: srv and other/srv have chunks of the same
	// names.
	edges := viewEdges(t, s, p)
	for _, ms := range [][]Member{graphMembers(g, rows), append(chunkMembers(t, s, g), shapeMembers(t, s, p, g)...)} {
		if got := slices.Compact(edgeNames(g, ms)); !slices.Equal(got, edges) {
			t.Errorf("Edges:\n%q\nthe view:\n%q", got, edges)
		}
	}
	if !slices.Contains(edges, "srv.useServer -> srv.(*Base).Close") {
		t.Errorf("the view's edges: %q; want the promoted call", edges)
	}
	ctx := context.Background()
	names := make([]string, len(g))
	for i, c := range g {
		names[i] = c.Name
	}
	stored, err := s.CodeRanks(ctx, p, names)
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range Ranks(g, graphMembers(g, rows)...) {
		if math.Abs(stored[name]-r) > 1e-6 {
			t.Errorf("rank of %s: %v from the run's chunks, %v from the store", name, stored[name], r)
		}
	}
}

// TestPromotedFollowChunks: code_promoted holds what the store's chunks
// give, through edits of a directory's files (the embedding removed, the
// method moved to a new file, a file removed, an edit indexed alone):
// every row's chunk exists, and a forced run makes the same rows.
func TestPromotedFollowChunks(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	files := promotedProject()
	root := writeTree(t, files)
	ix, _ := newIndexer(t, s)
	index(t, ix, root, Options{})
	p := mustProject(t, s, root)
	rowsNow := func() []string {
		t.Helper()
		res, err := s.Query(ctx, `SELECT m.name, c.path, c.name FROM code_promoted AS m
			LEFT JOIN code_chunks AS c ON c.id = m.chunk_id WHERE m.project = ? ORDER BY 1, 2, 3`, p)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range res.Values {
			out = append(out, fmt.Sprintf("%v -> %v %v", r[0], r[1], r[2]))
		}
		return out
	}
	check := func(when string, want ...string) {
		t.Helper()
		got := rowsNow()
		for _, w := range want {
			neg := strings.HasPrefix(w, "!")
			if slices.Contains(got, strings.TrimPrefix(w, "!")) == neg {
				t.Errorf("%s: rows %q; want %q", when, got, w)
			}
		}
		for _, r := range got {
			if strings.Contains(r, "<nil>") {
				t.Errorf("%s: a row whose chunk is gone: %s", when, r)
			}
		}
	}
	closeRow := "srv.(*Server).Close -> srv/base.go srv.(*Base).Close"
	check("first run", closeRow, "srv.(*RC).Close -> srv/server.go srv.Closer", "srv.(*Deep).Log -> srv/base.go srv.Logger.Log",
		"!srv.(*Both).Dup -> srv/server.go srv.A.Dup", "!srv.(*Wrapped).Close -> srv/base.go srv.(*Base).Close")
	edit := func(rel, src string, opt Options) {
		t.Helper()
		writeFile(t, root, rel, src)
		touch(t, root, rel)
		index(t, ix, root, opt)
	}
	server := files["srv/server.go"]
	edit("srv/server.go", strings.Replace(server, "\t*Base\n", "", 1), Options{})
	check("embedding removed", "!"+closeRow)
	edit("srv/server.go", server, Options{Under: "srv/server.go"})
	check("embedding back, one file", closeRow)
	base := files["srv/base.go"]
	moved := strings.Replace(base, "func (b *Base) Close() error { return nil }\n", "", 1)
	writeFile(t, root, "srv/close.go", "package srv\n\nfunc (b *Base) Close() error { return nil }\n")
	edit("srv/base.go", moved, Options{})
	check("method moved", "srv.(*Server).Close -> srv/close.go srv.(*Base).Close", "!"+closeRow)
	if err := os.Remove(filepath.Join(root, "srv", "close.go")); err != nil {
		t.Fatal(err)
	}
	index(t, ix, root, Options{})
	check("method's file removed", "!srv.(*Server).Close -> srv/close.go srv.(*Base).Close")
	before := rowsNow()
	index(t, ix, root, Options{Force: true})
	if after := rowsNow(); !slices.Equal(after, before) {
		t.Errorf("forced run: rows %q; before %q", after, before)
	}
}

// shapeMembers computes, as the writer does, the promoted names of the
// directories of g from the shapes the store keeps (code_shapes), as
// Members of g.
func shapeMembers(t *testing.T, s *db.Store, p int64, g []db.GraphChunk) []Member {
	t.Helper()
	at := map[target]int32{}
	dirs := map[string]bool{}
	for i, c := range g {
		at[target{c.Path, c.Name}] = int32(i)
		dirs[pathDir(c.Path)] = true
	}
	files, err := s.CodeShapesIn(context.Background(), p, slices.Sorted(maps.Keys(dirs)))
	if err != nil {
		t.Fatal(err)
	}
	decls := map[string]map[string][]decl{}
	for _, f := range files {
		if decls[pathDir(f.Path)] == nil {
			decls[pathDir(f.Path)] = map[string][]decl{}
		}
		decls[pathDir(f.Path)][f.Path] = decodeDecls(f.Shapes)
	}
	var out []Member
	for _, d := range slices.Sorted(maps.Keys(decls)) {
		for _, r := range newDirTypes(decls[d]).promotedRows(d) {
			if i, ok := at[target{r.Path, r.Target}]; ok {
				out = append(out, Member{Name: r.Name, Chunk: i})
			}
		}
	}
	return out
}
