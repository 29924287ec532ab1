package index

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/db/dbtest"
)

// interfaceProject calls methods through interfaces: the package's own,
// declared in another file of it, where the function does not name the
// interface (its variable is typed by the result of a function of its
// file), so that no ref to the type links the two; one the interface has
// from an interface of its package it embeds; and an imported one, where other/store,
// a package of the same name elsewhere, declares an interface of the same
// name and method.
func interfaceProject() map[string]string {
	return map[string]string{
		"go.mod": "module example.com/m\n",
		"store/store.go": `package store

// Store keeps strings.
type Store interface {
	Get(key string) string
	Put(key string)
}

// RW has Get from Store, which it does not declare.
type RW interface {
	Store
	Close() error
}

type mem map[string]string

func (m mem) Get(key string) string { return m[key] }

func (m mem) Put(key string) {}
`,
		"store/use.go": `package store

func open() Store { return mem{} }

func openRW() RW { return nil }

func Lookup() string {
	s := open()
	return s.Get("k")
}

func closeAll() {
	rw := openRW()
	rw.Get("k")
	rw.Close()
}
`,
		"app/app.go": `package app

import "example.com/m/store"

func Run(s store.Store) { s.Put("k") }
`,
		"other/store/x.go": "package store\n\ntype Store interface{ Put(key string) }\n",
	}
}

// TestInterfaceEdges: a call through a variable of an interface type is an
// edge to the interface's chunk, which declares the method, forwards and
// backwards, in the package's directory or the one the import's path
// denotes; not to a type that merely has a method of that name (mem); for
// a method the interface has from one it embeds, to the embedded one,
// which declares it (promoted.go).
func TestInterfaceEdges(t *testing.T) {
	s, p := indexedProject(t, interfaceProject())
	ctx := context.Background()
	for _, c := range []struct {
		name, dir string
		want      []string
	}{
		{"store.Lookup", "store", []string{"store.Store (store)", "store.open (store)"}},
		{"store.closeAll", "store", []string{"store.RW (store)", "store.Store (store)", "store.openRW (store)"}},
		{"app.Run", "app", []string{"store.Store (store)"}},
	} {
		if got := placed(s.CodeCallees(ctx, chunkIn(t, s, p, c.name, c.dir).ID)); !slices.Equal(got, c.want) {
			t.Errorf("callees of %s: %q, want %q", c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		name, dir string
		want      []string
	}{
		{"store.Store", "store", []string{"app.Run (app)", "store.Lookup (store)", "store.RW (store)", "store.closeAll (store)", "store.open (store)"}},
		{"store.RW", "store", []string{"store.closeAll (store)", "store.openRW (store)"}},
		{"store.Store", "other/store", nil},
		{"store.mem.Get", "store", nil},
	} {
		if got := placed(s.CodeCallers(ctx, chunkIn(t, s, p, c.name, c.dir).ID)); !slices.Equal(got, c.want) {
			t.Errorf("callers of %s in %s: %q, want %q", c.name, c.dir, got, c.want)
		}
	}
}

// TestInterfaceMethodWords: an interface's methods are words of its body,
// not of its name: a name search for a method finds the methods of that
// name, not every interface that declares one.
func TestInterfaceMethodWords(t *testing.T) {
	s, p := indexedProject(t, interfaceProject())
	ctx := context.Background()
	for _, c := range []struct {
		match string
		want  []string
	}{
		{`name : "put"`, []string{"store.mem.Put"}},
		{`body : "put" AND name : "store"`, []string{"store.Store", "store.Store", "store.mem.Put"}},
	} {
		hits, err := s.SearchCode(ctx, p, c.match, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.Name)
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("search %s: %q, want %q", c.match, got, c.want)
		}
	}
}

// TestInterfaceEdgesMatchView: Edges resolves calls through interfaces as
// the view does, with the members read from the store (code_members and
// code_promoted) and with those the writer collects from the chunks and
// their shapes.
func TestInterfaceEdgesMatchView(t *testing.T) {
	s, p, g, rows := indexedGraph(t, interfaceProject())
	fromStore := graphMembers(g, rows)
	want := []string{"store.(*RW).Close store.RW", "store.(*RW).Get store.Store", "store.(*Store).Get store.Store",
		"store.(*Store).Put store.Store", "store.(*Store).Put store.Store"}
	if got := memberNames(g, fromStore); !slices.Equal(got, want) {
		t.Errorf("members from code_members: %q, want %q", got, want)
	}
	edges := edgesMatchView(t, s, p, g, append(chunkMembers(t, s, g), shapeMembers(t, s, p, g)...))
	for _, e := range []string{"store.Lookup -> store.Store", "store.closeAll -> store.RW", "store.closeAll -> store.Store"} {
		if !slices.Contains(edges, e) {
			t.Errorf("the view's edges %q lack %s", edges, e)
		}
	}
	edgesMatchView(t, s, p, g, fromStore)
}

// TestInterfaceMembersFollowChunks: an interface's member rows go with its
// chunk when its file changes, and come with the new one: a method taken
// out of the interface no longer links the calls of it, and no row is
// left behind or missing.
func TestInterfaceMembersFollowChunks(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	files := interfaceProject()
	root := writeTree(t, files)
	ix, _ := newIndexer(t, s)
	index(t, ix, root, Options{})
	p := mustProject(t, s, root)
	check := func(when string, wantRows int) {
		t.Helper()
		for _, q := range []string{
			`SELECT count(*) FROM code_members WHERE chunk_id NOT IN (SELECT id FROM code_chunks)`,
			`SELECT count(*) FROM (SELECT c.project, substr(c.name, 1, instr(c.name, '.')) || m.value, c.id
				FROM code_chunks AS c, json_each(c.meta, '$[12]') AS m
				EXCEPT SELECT project, name, chunk_id FROM code_members)`,
		} {
			rows, err := s.Query(ctx, q)
			if err != nil || len(rows.Values) != 1 || fmt.Sprint(rows.Values[0][0]) != "0" {
				t.Errorf("%s: %s: %v %v", when, q, rows.Values, err)
			}
		}
		rows, err := s.Query(ctx, `SELECT count(*) FROM code_members WHERE project = ? AND name GLOB '*.([*]Store).*'`, p)
		if err != nil || fmt.Sprint(rows.Values) != fmt.Sprintf("[[%d]]", wantRows) {
			t.Errorf("%s: Store's member rows %v, %v; want %d", when, rows.Values, err, wantRows)
		}
	}
	check("first run", 3)
	lookup := func() []string {
		return placed(s.CodeCallees(ctx, chunkIn(t, s, p, "store.Lookup", "store").ID))
	}
	if got := lookup(); !slices.Contains(got, "store.Store (store)") {
		t.Fatalf("callees of store.Lookup: %q, want store.Store among them", got)
	}
	writeFile(t, root, "store/store.go", strings.Replace(files["store/store.go"], "\tGet(key string) string\n", "", 1))
	touch(t, root, "store/store.go")
	index(t, ix, root, Options{})
	check("Get taken out", 2)
	if got := lookup(); !slices.Equal(got, []string{"store.open (store)"}) {
		t.Errorf("callees of store.Lookup once Store has no Get: %q, want store.open alone", got)
	}
}
