package chunk

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// importedMethods chunks a Go file and returns the method refs of each
// function chunk that has any (methodRefs) and its header's Imports.
func importedMethods(t *testing.T, path, src string) (map[string][]string, map[string]string) {
	t.Helper()
	var imports map[string]string
	for _, c := range chunkString(t, path, src, Options{Strategy: Semantic}).Chunks {
		if c.Kind == KindHeader {
			imports = c.Imports
		}
	}
	return methodRefs(t, path, src), imports
}

// TestGoImportedMethodRefs: a call on a variable whose declared type is
// an imported package's (pkg.T, *pkg.T, pkg.T[X]) refers to the method
// as that package's chunks name it, pkg.(*T).M, in each declaration form
// the package's own types are taken from; the header records the import
// path its qualifier names, which pins the package the index links it to.
func TestGoImportedMethodRefs(t *testing.T) {
	src := `package app

import (
	"bufio"
	"net/http"
	"sync"

	"example.com/m/lib/list"
)

func params(c *http.Client, h http.Header, l *list.List[int]) (r *bufio.Reader) {
	c.Do(nil)
	h.Get("Host")
	l.Push(1)
	r.ReadLine()
	_ = h.Get // a method value of an imported type is as likely a field: none
	return r
}

func locals() {
	var mu sync.Mutex
	mu.Lock()
	once := &sync.Once{}
	once.Do(nil)
	wg := new(sync.WaitGroup)
	wg.Wait()
	b := bufio.Reader{}
	b.Reset(nil)
	m := list.Map[string, int]{}
	m.Len()
	n := &list.List[string]{}
	n.Push("x")
	alias := mu
	alias.Unlock()
	p := (*sync.Mutex)(nil)
	p.TryLock()
	c := client()
	c.CloseIdleConnections()
	func(h http.Header) { h.Set("k", "v") }(nil)
}

func client() *http.Client { return nil }
`
	got, imports := importedMethods(t, "app/app.go", src)
	want := map[string][]string{
		"app.params": {"http.(*Client).Do", "http.(*Header).Get", "list.(*List).Push", "bufio.(*Reader).ReadLine"},
		"app.locals": {"sync.(*Mutex).Lock", "sync.(*Once).Do", "sync.(*WaitGroup).Wait", "bufio.(*Reader).Reset",
			"list.(*Map).Len", "list.(*List).Push", "sync.(*Mutex).Unlock", "sync.(*Mutex).TryLock",
			"http.(*Client).CloseIdleConnections", "http.(*Header).Set"},
	}
	if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
		t.Errorf("method refs by chunk (-want +got):\n%s", diff)
	}
	wantImports := map[string]string{"bufio": "bufio", "http": "net/http", "sync": "sync", "list": "example.com/m/lib/list"}
	if !maps.Equal(imports, wantImports) {
		t.Errorf("header's imports %v, want %v", imports, wantImports)
	}
}

// TestGoImportedMethodRefsUnsafe: where the qualifier of a variable's type
// may not be the import, or the import's path is not recorded, no method
// ref is made (the index would resolve it by name alone, in every package
// of that name, or, for the file's own package name, in the file's own
// directory); the ref to the type stays wherever it did.
func TestGoImportedMethodRefsUnsafe(t *testing.T) {
	cases := []methodCase{{
		// A local name or a type parameter hides the import: pkg.T is
		// then no import's type (nor valid Go), whatever it names.
		name: "a qualifier shadowed by a local name",
		path: "p/p.go",
		src: `package p

import "sync"

func local(other func() int) {
	sync := other()
	m := sync.Mutex{}
	m.Lock()
	var n sync.Mutex
	n.Lock()
}

func typeParam[sync any](m *sync.Mutex) { m.Lock() }

func (l *list[sync]) recv(m *sync.Mutex) { m.Lock() }

func lit() {
	func(sync *sync.Mutex) { sync.Lock() }(nil)
}

type list[T any] struct{}
`,
		// lit's parameter is named as the import and typed by it: its
		// type is resolved outside the parameter's scope, as Go does.
		want:    map[string][]string{"p.lit": {"sync.(*Mutex).Lock"}},
		imports: map[string]string{"sync": "sync"},
	}, {
		name: "dot imports",
		path: "p/p.go",
		src: `package p

import (
	. "net/http"
	"sync"
)

func f(c *Client, mu *sync.Mutex) {
	c.Do(nil)
	mu.Lock()
}
`,
		want:    map[string][]string{"p.f": {"sync.(*Mutex).Lock"}},
		imports: map[string]string{"sync": "sync"},
	}, {
		// html/template imports text/template as template: the ref would
		// read as one of the file's own package, resolved in its own
		// directory, to html/template's (*Template).Name.
		name: "an import of the file's own package name",
		path: "html/template/template.go",
		src: `package template

import "text/template"

type Template struct{ text *template.Template }

func (t *Template) Name() string { return t.text.Name() }

func textName(t *template.Template) string {
	u := &template.Template{}
	u.Name()
	return t.Name()
}

func htmlName(t *Template) string { return t.Name() }
`,
		want: map[string][]string{"template.htmlName": {"template.(*Template).Name"}},
	}, {
		// Two qualifiers no import explains: the paths are unknown, so a
		// method ref would reach every package of that name.
		name: "imports of unknown names",
		path: "p/p.go",
		src: `package p

import (
	"example.com/go-foo-bar"
	"example.com/x-y"
)

func f(c *foobar.Client, d *xy.Client) {
	c.Do()
	d.Do()
}
`,
		want: map[string][]string{},
	}}
	runMethodCases(t, cases)
}

// methodCase is a Go file (at path), the method refs its chunks should
// have (by chunk name) and the imports its header should record.
type methodCase struct {
	name, path, src string
	want            map[string][]string
	imports         map[string]string
}

// runMethodCases chunks each case's file and compares its method refs and
// its header's imports with the case's.
func runMethodCases(t *testing.T, cases []methodCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, imports := importedMethods(t, c.path, c.src)
			if diff := cmp.Diff(c.want, got, cmpEmpty); diff != "" {
				t.Errorf("method refs by chunk (-want +got):\n%s", diff)
			}
			if !maps.Equal(imports, c.imports) {
				t.Errorf("header's imports %v, want %v", imports, c.imports)
			}
		})
	}
}

// TestGoImportedMethodRefsAliases: a method ref through a renamed import
// is renamed with the import's other refs (cp.(*Conn).Send is
// proto.(*Conn).Send) and recorded under that name; through an alias that
// stays as written (another import is known by the package's name) it
// keeps the alias, which names no chunk, and is never renamed to the
// other import's name.
func TestGoImportedMethodRefsAliases(t *testing.T) {
	src := `package server

import (
	cp "example.com/gp/command/proto"
	ht "net/http"
)

func send(c *cp.Conn, h ht.Header) {
	c.Send(cp.Command{})
	h.Get("k")
}
`
	got, imports := importedMethods(t, "server/cli.go", src)
	want := map[string][]string{"server.send": {"proto.(*Conn).Send", "http.(*Header).Get"}}
	if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
		t.Errorf("method refs by chunk (-want +got):\n%s", diff)
	}
	wantImports := map[string]string{"proto": "example.com/gp/command/proto", "http": "net/http"}
	if !maps.Equal(imports, wantImports) {
		t.Errorf("header's imports %v, want %v", imports, wantImports)
	}

	both := `package server

import (
	cp "example.com/gp/command/proto"
	"example.com/gp/cluster/proto"
)

func both(c *cp.Conn, d *proto.Conn) {
	c.Send()
	d.Send()
}
`
	got, imports = importedMethods(t, "server/both.go", both)
	want = map[string][]string{"server.both": {"cp.(*Conn).Send", "proto.(*Conn).Send"}}
	if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
		t.Errorf("method refs by chunk (-want +got):\n%s", diff)
	}
	wantImports = map[string]string{"cp": "example.com/gp/command/proto", "proto": "example.com/gp/cluster/proto"}
	if !maps.Equal(imports, wantImports) {
		t.Errorf("header's imports %v, want %v", imports, wantImports)
	}
}

// TestGoImportedMethodRefsCap: past MaxRefs, the calls of the package's
// own functions and methods still come first, then the other packages'
// names, imported methods among them, in the order written.
func TestGoImportedMethodRefsCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("package ex\n\nimport \"net/http\"\n\ntype T struct{}\n\nfunc (*T) own() {}\nfunc own1() {}\n\n")
	b.WriteString("func Handle(c *http.Client, t *T) {\n")
	for i := range MaxRefs + 8 {
		fmt.Fprintf(&b, "\tc.Do%d(http.Status%d)\n", i, i)
	}
	b.WriteString("\town1()\n\tt.own()\n}\n")
	c := chunkNamed(t, b.String(), "ex.Handle")
	want := []string{"T", "own1", "ex.(*T).own", "http.Client", "http.(*Client).Do0", "http.Status0", "http.(*Client).Do1"}
	if len(c.Refs) != MaxRefs || !slices.Equal(c.Refs[:len(want)], want) {
		t.Errorf("refs %q (%d); want the cap %d, beginning %q", c.Refs, len(c.Refs), MaxRefs, want)
	}
}
