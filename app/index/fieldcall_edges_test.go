package index

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// fieldsProject calls methods through fields of structs declared in
// another file of the package: a field of an interface type, of a pointer
// to a struct, an embedded field by its name, a chain of fields, a field
// promoted through embedding; and, for no edge, a map field, a field of
// a type parameter, a field two embedded types declare at one depth, one
// past an imported embedded type, one a method of the same name hides,
// and one the outer struct declares again with another type. A struct
// declared in the calling file is read by the chunker itself.
func fieldsProject() map[string]string {
	return map[string]string{
		"go.mod": "module example.com/m\n",
		"srv/types.go": `package srv

import "bytes"

type Store interface{ Get(k string) string }

type Cache struct{ n int }

func (c *Cache) Put(k string) {}

type Other struct{}

func (Other) Put(k string) {}

type Base struct{ cache *Cache }

func (b *Base) Close() {}

type Server struct {
	store Store
	cache *Cache
	*Base
	conf Config
	m    map[string]*Cache
}

type Config struct{ cache *Cache }

type Gen[T any] struct {
	val T
	c   *Cache
}

type Deep struct{ *Base }

type A struct{ x *Cache }

type B struct{ x *Cache }

type Both struct {
	A
	B
}

type Wrapped struct {
	bytes.Buffer
	Base
}

type Hidden struct{ Base }

func (Hidden) cache() {}

type Shadow struct {
	Base
	cache Other
}

type Local struct{ cache *Cache }

func (l *Local) Use() { l.cache.Put("") }
`,
		"srv/use.go": `package srv

func (s *Server) Handle() {
	s.store.Get("")
	s.cache.Put("")
	s.Base.Close()
	s.conf.cache.Put("")
	s.m["k"].Put("")
}

func useDeep(d *Deep) { d.cache.Put("") }

func useGen(g *Gen[int]) { g.c.Put(""); g.val.Put("") }

func useBoth(b *Both) { b.x.Put("") }

func useWrapped(w *Wrapped) { w.cache.Put("") }

func useHidden(h *Hidden) { h.cache.Put("") }

func useShadow(s *Shadow) { s.cache.Put("") }
`,
	}
}

// TestFieldCallEdges: a call through a field is an edge to the method of
// the field's type, forwards and backwards, where the directory's shapes
// settle the field by Go's rule for selectors, and none where they do not.
func TestFieldCallEdges(t *testing.T) {
	s, p := indexedProject(t, fieldsProject())
	ctx := context.Background()
	for _, c := range []struct {
		name string
		want []string
	}{
		{"srv.(*Server).Handle", []string{"srv.(*Base).Close (srv)", "srv.(*Cache).Put (srv)", "srv.Server (srv)", "srv.Store (srv)"}},
		{"srv.useDeep", []string{"srv.(*Cache).Put (srv)", "srv.Deep (srv)"}},
		{"srv.useGen", []string{"srv.(*Cache).Put (srv)", "srv.Gen (srv)"}},
		{"srv.useBoth", []string{"srv.Both (srv)"}},
		{"srv.useWrapped", []string{"srv.Wrapped (srv)"}},
		{"srv.useHidden", []string{"srv.Hidden (srv)"}},
		{"srv.useShadow", []string{"srv.Other.Put (srv)", "srv.Shadow (srv)"}},
		{"srv.(*Local).Use", []string{"srv.(*Cache).Put (srv)", "srv.Local (srv)"}},
	} {
		if got := placed(s.CodeCallees(ctx, chunkIn(t, s, p, c.name, "srv").ID)); !slices.Equal(got, c.want) {
			t.Errorf("callees of %s: %q, want %q", c.name, got, c.want)
		}
	}
	want := []string{"srv.(*Local).Use (srv)", "srv.(*Server).Handle (srv)", "srv.useDeep (srv)", "srv.useGen (srv)"}
	if got := placed(s.CodeCallers(ctx, chunkIn(t, s, p, "srv.(*Cache).Put", "srv").ID)); !slices.Equal(got, want) {
		t.Errorf("callers of srv.(*Cache).Put: %q, want %q", got, want)
	}
}

// TestFieldCallEdgesMatchView: Edges with the project's member rows, field
// refs' included, resolves refs as the code_edges view does.
func TestFieldCallEdgesMatchView(t *testing.T) {
	s, p, g, rows := indexedGraph(t, fieldsProject())
	edges := viewEdges(t, s, p)
	for _, ms := range [][]Member{graphMembers(g, rows), append(chunkMembers(t, s, g), dirMembers(t, s, p, g)...)} {
		if got := slices.Compact(edgeNames(g, ms)); !slices.Equal(got, edges) {
			t.Errorf("Edges:\n%q\nthe view:\n%q", got, edges)
		}
	}
	if !slices.Contains(edges, "srv.useDeep -> srv.(*Cache).Put") {
		t.Errorf("the view's edges: %q; want the call through a promoted field", edges)
	}
}

// dirMembers computes, as the writer does, the rows of the directories of
// g from what the store keeps in code_shapes, as Members of g.
func dirMembers(t *testing.T, s *db.Store, p int64, g []db.GraphChunk) []Member {
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
		for _, r := range dirRows(d, decls[d]) {
			if i, ok := at[target{r.Path, r.Target}]; ok {
				out = append(out, Member{Name: r.Name, Chunk: i})
			}
		}
	}
	return out
}

// TestFieldCallFollowsTypes: when the struct's file changes the field's
// type, the call in a file left alone reaches the new type's method, and
// a field removed takes the edge with it.
func TestFieldCallFollowsTypes(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	files := fieldsProject()
	root := writeTree(t, files)
	ix, _ := newIndexer(t, s)
	index(t, ix, root, Options{})
	p := mustProject(t, s, root)
	callees := func(when string, want ...string) {
		t.Helper()
		got := placed(s.CodeCallees(ctx, chunkIn(t, s, p, "srv.useDeep", "srv").ID))
		if !slices.Equal(got, want) {
			t.Errorf("%s: callees of srv.useDeep %q, want %q", when, got, want)
		}
	}
	callees("first run", "srv.(*Cache).Put (srv)", "srv.Deep (srv)")
	types := files["srv/types.go"]
	edit := func(src string) {
		t.Helper()
		writeFile(t, root, "srv/types.go", src)
		touch(t, root, "srv/types.go")
		index(t, ix, root, Options{})
	}
	edit(strings.Replace(types, "type Base struct{ cache *Cache }", "type Base struct{ cache Other }", 1))
	callees("field's type changed", "srv.Deep (srv)", "srv.Other.Put (srv)")
	edit(strings.Replace(types, "type Base struct{ cache *Cache }", "type Base struct{ n int }", 1))
	callees("field removed", "srv.Deep (srv)")
	edit(types)
	callees("field back", "srv.(*Cache).Put (srv)", "srv.Deep (srv)")
}
