package ctxbuild

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// storerFixture is a Go interface, Storer, with five implementations in
// the project's own code (one in another package), and types that are
// not ones: one lacks Put, one's Get takes another parameter, one's
// returns no error, one is a test's. diskStore's Get is called directly by several functions, so
// the symbol graph ranks it above the others.
var storerFixture = map[string]string{
	"go.mod": "module example.com/kv\n\ngo 1.22\n",
	"kv/kv.go": `package kv

// Storer keeps values by key.
type Storer interface {
	// Get returns the value of key.
	Get(key string) (string, error)
	// Put sets the value of key.
	Put(key, value string) error
}

// Sizer says how much it holds.
type Sizer interface {
	Size() int
}

// Use reads a through s.
func Use(s Storer) string {
	v, _ := s.Get("a")
	return v
}
`,
	"kv/mem.go": `package kv

// memStore keeps values in memory.
type memStore struct{ m map[string]string }

func (s *memStore) Get(key string) (string, error) { return s.m[key], nil }

func (s *memStore) Put(key, value string) error {
	s.m[key] = value
	return nil
}

func (s *memStore) Size() int { return len(s.m) }
`,
	"kv/disk.go": `package kv

import "os"

// diskStore keeps each value in a file of dir.
type diskStore struct{ dir string }

func (d diskStore) Get(key string) (string, error) {
	b, err := os.ReadFile(d.dir + "/" + key)
	return string(b), err
}

func (d diskStore) Put(key, value string) error {
	return os.WriteFile(d.dir+"/"+key, []byte(value), 0o644)
}

func loadA(d diskStore) string { v, _ := d.Get("a"); return v }
func loadB(d diskStore) string { v, _ := d.Get("b"); return v }
func loadC(d diskStore) string { v, _ := d.Get("c"); return v }
func loadD(d diskStore) string { v, _ := d.Get("d"); return v }
`,
	"kv/null.go": `package kv

// nullStore keeps nothing.
type nullStore struct{}

func (nullStore) Get(key string) (string, error) { return "", nil }
func (nullStore) Put(key, value string) error    { return nil }
`,
	"kv/log.go": `package kv

import "log"

// logStore logs what it is given.
type logStore struct{ l *log.Logger }

func (s *logStore) Get(key string) (string, error) {
	s.l.Printf("get %s", key)
	return "", nil
}

func (s *logStore) Put(key, value string) error {
	s.l.Printf("put %s=%s", key, value)
	return nil
}
`,
	"kv/cache.go": `package kv

// cache only reads: it is no Storer.
type cache struct{ m map[string]string }

func (c *cache) Get(key string) (string, error) { return c.m[key], nil }
`,
	"kv/wide.go": `package kv

// wide's Get takes a default: it is no Storer.
type wide struct{ m map[string]string }

func (w *wide) Get(key, def string) (string, error) { return w.m[key] + def, nil }

func (w *wide) Put(key, value string) error { return nil }
`,
	"kv/short.go": `package kv

// short's Get gives no error: it is no Storer.
type short struct{ m map[string]string }

func (s *short) Get(key string) string { return s.m[key] }

func (s *short) Put(key, value string) error { return nil }
`,
	"kv/kv_test.go": `package kv

import "testing"

type fakeStore struct{}

func (fakeStore) Get(key string) (string, error) { return "fake", nil }
func (fakeStore) Put(key, value string) error    { return nil }

func TestUse(t *testing.T) {
	if Use(fakeStore{}) != "fake" {
		t.Fatal("not fake")
	}
}
`,
	"remote/client.go": `package remote

// Client keeps values on a server.
type Client struct{ addr string }

func (c *Client) Get(key string) (string, error) { return c.addr + key, nil }

func (c *Client) Put(key, value string) error { return nil }
`,
}

// storerImpls are the implementations of Storer by receiver type.
var storerImpls = []string{"kv.memStore", "kv.diskStore", "kv.nullStore", "kv.logStore", "remote.Client"}

// methodOf is the name the index gives type's method m: kv.(*memStore).Get
// or kv.diskStore.Get, as its chunks have it.
func methodOf(t *testing.T, e *env, typ, m string) string {
	t.Helper()
	pkg, name, _ := strings.Cut(typ, ".")
	for _, n := range []string{pkg + ".(*" + name + ")." + m, typ + "." + m} {
		cs, err := e.s.CodeChunksNamed(context.Background(), 1, n)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) > 0 {
			return n
		}
	}
	t.Fatalf("no method %s of %s in the index", m, typ)
	return ""
}

// checkImpls checks that of want, the units implementing the target (an
// interface of dir), maxImpls go in as implementations before the
// callers, the others as further implementations of len(want), in order
// (furtherImpls), or as a search hit; that those of dir come
// first, each run the most central first; and that nothing else is given
// as an implementation.
func checkImpls(t *testing.T, e *env, c *Context, dir string, want []string) {
	t.Helper()
	var order []Item // the implementations, in order
	for _, it := range c.Included {
		if it.Role == RoleImpl {
			order = append(order, it)
		}
	}
	impls := firstImpls(c)
	if len(impls) != min(maxImpls, len(want)) {
		t.Fatalf("implementations before the callers %q; want %d of %q (all: %v)", impls, min(maxImpls, len(want)), want, roles(c))
	}
	order = order[:len(impls)]
	var listed []string
	for _, it := range furtherImpls(t, c, len(want), "") {
		listed = append(listed, it.Name)
		order = append(order, it)
	}
	ranks, err := e.s.CodeRanks(context.Background(), 1, slices.Concat(impls, listed))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(order); i++ {
		prev, it := order[i-1], order[i]
		inDir := func(it Item) bool { return filepath.Dir(it.Path) == dir }
		switch {
		case !inDir(prev) && inDir(it):
			t.Errorf("%s of %s after %s: want those of the interface's directory first", it.Name, dir, prev.Name)
		case inDir(prev) == inDir(it) && ranks[it.Name] > ranks[prev.Name]:
			t.Errorf("%s (rank %.3f) after %s (rank %.3f): want the most central first", it.Name, ranks[it.Name], prev.Name, ranks[prev.Name])
		}
	}
	for _, n := range slices.Concat(impls, listed) {
		if !slices.Contains(want, n) {
			t.Errorf("%s given as an implementation; want only %q", n, want)
		}
	}
	for _, n := range want {
		in := slices.ContainsFunc(c.Included, func(it Item) bool { return it.Name == n })
		if !in && !slices.Contains(listed, n) {
			t.Errorf("%s neither included nor listed as a further implementation (included %v; left out %v)", n, roles(c), droppedReasons(c))
		}
	}
}

// TestGoInterfaceMethodImplementations: a method of a Go interface, named
// as go doc names it or as a call through the interface does, is the
// interface's unit, and its implementations — the methods of that name
// of the types whose methods include all of the interface's, with as many
// parameters — go in as such, those of its package first, the most
// central first, further ones listed; a type lacking one of the methods,
// or whose method takes other parameters, or a test's, is none.
func TestGoInterfaceMethodImplementations(t *testing.T) {
	e := setupFiles(t, storerFixture)
	var want []string
	for _, typ := range storerImpls {
		want = append(want, methodOf(t, e, typ, "Get"))
	}
	ranks, err := e.s.CodeRanks(context.Background(), 1, want)
	if err != nil {
		t.Fatal(err)
	}
	if top := slices.MaxFunc(want, func(a, b string) int { return int(ranks[a]*1000 - ranks[b]*1000) }); top != "kv.diskStore.Get" {
		t.Fatalf("ranks %v: want diskStore's Get the most central, or the test shows nothing", ranks)
	}
	for _, target := range []string{"kv.Storer.Get", "kv.(*Storer).Get", "Storer.Get", "example.com/kv/kv.Storer.Get"} {
		t.Run(target, func(t *testing.T) {
			c := e.build(t, Request{Target: target, Question: "q", Window: 8000, Hits: 1})
			if c.Target == nil || c.Target.Name != "kv.Storer.Get" || !strings.Contains(c.Target.Code, "type Storer interface") {
				t.Fatalf("target %+v; want the interface kv.Storer, named as its method kv.Storer.Get", c.Target)
			}
			checkImpls(t, e, c, "kv", want)
			if impls := names(c.Included, RoleImpl); len(impls) > 0 && impls[0] != "kv.diskStore.Get" {
				t.Errorf("implementations %q: want the most central, kv.diskStore.Get, first", impls)
			}
		})
	}
}

// TestGoInterfaceLineImplementations: PATH:LINE on a method of an
// interface takes the implementations of that method.
func TestGoInterfaceLineImplementations(t *testing.T) {
	e := setupFiles(t, storerFixture)
	line := slices.Index(strings.Split(storerFixture["kv/kv.go"], "\n"), "\tPut(key, value string) error") + 1
	c := e.build(t, Request{Target: filepath.Join(e.root, "kv/kv.go") + fmt.Sprint(":", line), Question: "q", Window: 8000, Hits: 1})
	if c.Target == nil || c.Target.Name != "kv.Storer.Put" || !strings.Contains(c.Target.Code, "type Storer interface") {
		t.Fatalf("target %+v; want the interface kv.Storer, named as its method kv.Storer.Put", c.Target)
	}
	// wide's and short's Put take what Storer's does: by the method taken
	// alone, they are ones; their Get is not read.
	var want []string
	for _, typ := range append(slices.Clone(storerImpls), "kv.wide", "kv.short") {
		want = append(want, methodOf(t, e, typ, "Put"))
	}
	impls := firstImpls(c)
	if len(impls) != maxImpls {
		t.Fatalf("implementations before the callers %q; want %d Put methods of %q (all: %v)", impls, maxImpls, want, roles(c))
	}
	for _, n := range impls {
		if !slices.Contains(want, n) {
			t.Errorf("%s given as an implementation of Put; want those of %q", n, want)
		}
	}
}

// TestGoInterfaceTypeImplementations: an interface of several methods
// takes its implementing types' declarations; one of a single method
// takes its implementations of it; a type that is no interface, none.
func TestGoInterfaceTypeImplementations(t *testing.T) {
	e := setupFiles(t, storerFixture)
	c := e.build(t, Request{Target: "kv.Storer", Question: "q", Window: 8000, Hits: 1})
	checkImpls(t, e, c, "kv", storerImpls)

	c = e.build(t, Request{Target: "kv.Sizer", Question: "q", Window: 8000, Hits: 1})
	if impls := names(c.Included, RoleImpl); !slices.Equal(impls, []string{"kv.(*memStore).Size"}) {
		t.Errorf("implementations of kv.Sizer %q; want kv.(*memStore).Size (all: %v)", impls, roles(c))
	}

	c = e.build(t, Request{Target: "kv.memStore", Question: "q", Window: 8000, Hits: 1})
	if impls := names(c.Included, RoleImpl); len(impls) > 0 {
		t.Errorf("implementations of kv.memStore, no interface: %q", impls)
	}
}
