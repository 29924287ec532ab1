package index

import (
	"context"
	"path"
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/db"
)

// methodProject calls methods through receivers, parameters and local
// variables, of pointer and value receivers, within a package, and from
// another one, through the import's path (importedMethodProject);
// other/http, a package of the same name elsewhere, declares a method
// that net/http calls but does not declare.
func methodProject() map[string]string {
	return map[string]string{
		"go.mod": "module example.com/m\n",
		"net/http/server.go": `package http

import "net"

type Server struct{ Addr string }

func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

func (s *Server) Serve(l net.Listener) error {
	c := s.newConn(l)
	c.serve()
	s.Close()
	return nil
}

func (s *Server) newConn(l net.Listener) *conn { return &conn{server: s} }

type conn struct{ server *Server }

func (c *conn) serve() {
	var h Header
	_ = h.Get("Host")
}
`,
		"net/http/header.go": `package http

type Header map[string][]string

func (h Header) Get(key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
`,
		"app/run.go": `package app

import "example.com/m/net/http"

func Run(h http.Header) error {
	srv := &http.Server{Addr: h.Get("Addr")}
	return srv.ListenAndServe()
}
`,
		// Only the method: a second http.Server would be another callee
		// of app.Run, by its name.
		"other/http/x.go": "package http\n\nfunc (s *Server) Close() {}\n",
	}
}

// TestMethodEdges: a call of a method of the package's own type resolves
// to its chunk, whether it was declared on the pointer (by name) or on
// the value (through the members a value method lists), forwards and
// backwards, and only in the chunk's directory; a call on a variable of
// an imported type reaches the method in the directory its import path
// denotes.
func TestMethodEdges(t *testing.T) {
	s, p := indexedProject(t, methodProject())
	checkEdges(t, s, p, map[string][]string{
		"http.(*Server).ListenAndServe": {"http.Server", "http.(*Server).Serve"},
		"http.(*Server).Serve":          {"http.Server", "http.(*Server).newConn", "http.(*conn).serve"},
		"http.(*conn).serve":            {"http.Header", "http.Header.Get", "http.conn"},
		"app.Run":                       {"http.Header", "http.Header.Get", "http.Server", "http.(*Server).ListenAndServe"},
	}, map[string][]string{
		"http.(*Server).Serve":          {"http.(*Server).ListenAndServe"},
		"http.(*Server).ListenAndServe": {"app.Run"},
		"http.(*Server).newConn":        {"http.(*Server).Serve"},
		"http.(*conn).serve":            {"http.(*Server).Serve"},
		"http.Header.Get":               {"app.Run", "http.(*conn).serve"},
		"http.(*Server).Close":          nil,
	})
}

// TestMethodEdgesMatchView: Edges resolves method refs as the view does,
// with the members read from the store and with those the writer
// collects from the chunks (appendMembers).
func TestMethodEdgesMatchView(t *testing.T) {
	s, p, g, rows := indexedGraph(t, methodProject())
	fromStore := graphMembers(g, rows)
	want := []string{"http.(*Header).Get http.Header.Get"}
	if got := memberNames(g, fromStore); !slices.Equal(got, want) {
		t.Errorf("members from code_members: %q, want %q", got, want)
	}
	if got := memberNames(g, chunkMembers(t, s, g)); !slices.Equal(got, want) {
		t.Errorf("members from the chunks: %q, want %q", got, want)
	}
	edges := edgesMatchView(t, s, p, g, fromStore)
	for _, e := range []string{"http.(*conn).serve -> http.Header.Get", "http.(*Server).ListenAndServe -> http.(*Server).Serve"} {
		if !slices.Contains(edges, e) {
			t.Errorf("the view's edges %q lack %s", edges, e)
		}
	}
}

// importedMethodProject holds the calls on variables of imported types
// that linked to the wrong methods while method refs were resolved by the
// import's package name alone: two packages named sync (cmd/go's
// mu.Lock() reached internal/sync's Mutex too), html/template importing
// text/template under its own name (t.Name() on a *template.Template
// reached html/template's method, in its own directory), and an
// interface of go/types whose call reached the struct method of
// cmd/compile's package types. Resolved by the import's path, the first
// reaches sync's alone; the second is no ref (the file's own package has
// the name), and the third reaches go/types' interface, which declares
// the method (TestInterfaceEdges), and no method chunk.
func importedMethodProject() map[string]string {
	return map[string]string{
		"go.mod":                 "module example.com/m\n",
		"sync/mutex.go":          "package sync\n\ntype Mutex struct{ state int32 }\n\nfunc (m *Mutex) Lock() { m.state = 1 }\n",
		"internal/sync/mutex.go": "package sync\n\ntype Mutex struct{ state int32 }\n\nfunc (m *Mutex) Lock() { m.state = 1 }\n",
		"text/template/exec.go":  "package template\n\ntype Template struct{ name string }\n\nfunc (t *Template) Name() string { return t.name }\n",
		"go/types/type.go":       "package types\n\ntype Type interface{ Underlying() Type }\n",
		"cmd/compile/types/t.go": "package types\n\ntype Type struct{ kind int }\n\nfunc (t *Type) Underlying() *Type { return t }\n",
		"cmd/go/main.go": `package main

import "sync"

func lock() {
	var mu sync.Mutex
	mu.Lock()
}
`,
		"html/template/template.go": `package template

import "text/template"

type Template struct{ text *template.Template }

func (t *Template) Name() string { return t.text.Name() }

func (t *Template) lookup() *Template { return t }

func textName(t *template.Template) string { return t.Name() }

func htmlName(t *Template) string { return t.lookup().Name() + t.Name() }
`,
		"go/typeutil/under.go": `package typeutil

import "example.com/m/go/types"

func under(t types.Type) types.Type { return t.Underlying() }
`,
	}
}

// TestMethodEdgesImportedTypes: a call on a variable of an imported type
// is an edge to the method of the package its import path denotes, not of
// a same-named package's type; a call on one of the package's own types
// still reaches the method in its directory.
func TestMethodEdgesImportedTypes(t *testing.T) {
	s, p := indexedProject(t, importedMethodProject())
	ctx := context.Background()
	// methods lists the method chunks among cs, as name (directory).
	methods := func(cs []db.CodeChunk, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			if c.Kind == "method" {
				out = append(out, c.Name+" ("+path.Dir(c.Path)+")")
			}
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		name, dir string
		want      []string
	}{
		{"main.lock", "cmd/go", []string{"sync.(*Mutex).Lock (sync)"}},
		{"template.textName", "html/template", nil},
		{"typeutil.under", "go/typeutil", nil},
		{"template.htmlName", "html/template", []string{"template.(*Template).Name (html/template)", "template.(*Template).lookup (html/template)"}},
	} {
		if got := methods(s.CodeCallees(ctx, chunkIn(t, s, p, c.name, c.dir).ID)); !slices.Equal(got, c.want) {
			t.Errorf("method callees of %s: %q, want %q", c.name, got, c.want)
		}
	}
	got, err := s.CodeCallers(ctx, chunkIn(t, s, p, "sync.(*Mutex).Lock", "sync").ID)
	if names := chunkNames(got, err); !slices.Equal(names, []string{"main.lock"}) {
		t.Errorf("callers of sync's (*Mutex).Lock: %q, want main.lock", names)
	}
	for _, c := range []struct{ name, dir string }{
		{"sync.(*Mutex).Lock", "internal/sync"},
		{"template.(*Template).Name", "text/template"},
		{"types.(*Type).Underlying", "cmd/compile/types"},
	} {
		callers, err := s.CodeCallers(ctx, chunkIn(t, s, p, c.name, c.dir).ID)
		if err != nil || len(callers) != 0 {
			t.Errorf("callers of %s in %s: %q, %v; want none", c.name, c.dir, chunkNames(callers, nil), err)
		}
	}
	got, err = s.CodeCallers(ctx, chunkIn(t, s, p, "template.(*Template).Name", "html/template").ID)
	if names := chunkNames(got, err); !slices.Equal(names, []string{"template.htmlName"}) {
		t.Errorf("callers of html/template's (*Template).Name: %q, want template.htmlName", names)
	}
}
