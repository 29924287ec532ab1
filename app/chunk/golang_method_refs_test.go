package chunk

import (
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// methodRefs returns the method refs (those naming a method, pkg.(*T).M)
// of each function chunk that has any, by chunk name.
func methodRefs(t *testing.T, path, src string) map[string][]string {
	t.Helper()
	res := chunkString(t, path, src, Options{Strategy: Semantic})
	out := map[string][]string{}
	for _, c := range res.Chunks {
		if c.Kind != KindFunction && c.Kind != KindMethod {
			continue
		}
		var ms []string
		for _, r := range c.Refs {
			if strings.Contains(r, "(*") {
				ms = append(ms, r)
			}
		}
		if ms != nil {
			out[c.Name] = ms
		}
	}
	return out
}

const serverGo = `package http

import (
	"bufio"
	"net"
	rd "strings"
)

type Server struct{ Addr string }

type Header map[string][]string

func (h Header) Get(key string) string { return h[key][0] }

func (h Header) clone() Header { return h }

// ListenAndServe: the receiver's method, through the pointer.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve: calls of the receiver, and of a parameter of an imported
// interface type (a ref that names no chunk) and a field (Addr), which is
// no ref.
func (s *Server) Serve(l net.Listener) error {
	for {
		rw, err := l.Accept()
		if err != nil {
			return s.Serve(l) // itself: no ref
		}
		c := s.newConn(rw)
		_ = c
		_ = s.Addr
	}
}

func (s *Server) newConn(rw net.Conn) *conn { return &conn{server: s} }

type conn struct{ server *Server }

// readLine: a named result; parameters of imported types, one an import
// under another name, whose refs name the package by its own name.
func readLine(b *bufio.Reader, r *rd.Reader) (line []byte, h Header) {
	line, _, _ = b.ReadLine()
	r.Reset("")
	return line, h.clone()
}

// locals: var x T, var x *T, x := T{}, x := &T{}, x := y, var x = &T{},
// results of a function and a method the file declares, and a method
// value of a method the file declares; x := new(T) of an imported T, and
// x := y of such a y, name that package's method.
func locals() {
	var h Header
	var p *Server
	v := Server{}
	q := &Server{Addr: ""}
	n := new(bufio.Writer)
	w := n
	var u = &Server{}
	o := other()
	r, err := pair()
	c, _ := v.pair() // a call of Server.pair too
	h.Get("a")
	p.ListenAndServe()
	v.Serve(nil)
	q.newConn(nil)
	n.Flush()
	w.WriteString("")
	u.Serve(nil)
	o.ListenAndServe()
	r.newConn(nil)
	c.serve(err)
	f := p.newConn
	g := v.Addr
	_, _ = f, g
}

// shadowed: a name declared again has the type of that declaration
// there (a type switch's clause of one type gives it), or none when the
// syntax shows none.
func shadowed(s *Server, h Header) {
	{
		s := "x"
		s.Serve(nil)
	}
	for _, h := range []Header{} {
		h.Get("range")
	}
	if s := elsewhere(); s != nil {
		s.Serve(nil)
	}
	func(h *conn) { h.serve(nil) }(nil)
	switch h := any(h).(type) {
	case Header:
		h.Get("switch")
	}
	s.ListenAndServe()
	h.Get("outer")
}

// unknown: types the syntax does not show, or that have no methods of
// their own here: results of functions of other files and of generic
// ones, type parameters, types declared in the function, predeclared
// types. (A chain through a field of a known type links: see
// golang_fields_test.go.)
func unknown[T interface{ M() }](t T, e error, c *conn) {
	x := elsewhere()
	x.Serve(nil)
	y := generic[Server]()
	y.Serve(nil)
	var l list[Server]
	z := l.first()
	z.Serve(nil)
	t.M()
	type local struct{}
	var l local
	l.M()
	e.Error()
	c.server.Serve(nil)
	bufio := 1
	_ = bufio
}

func other() *Server { return nil }

func pair() (s *Server, err error) { return nil, nil }

func (Server) pair() (*conn, error) { return nil, nil }

func (c *conn) serve(error) {}

func generic[T any]() *T { return nil }

type list[T any] struct{}

func (l *list[T]) first() T { var t T; return t }
`

func TestGoMethodRefs(t *testing.T) {
	got := methodRefs(t, "net/http/server.go", serverGo)
	want := map[string][]string{
		"http.(*Server).ListenAndServe": {"http.(*Server).Serve"},
		"http.(*Server).Serve":          {"net.(*Listener).Accept", "http.(*Server).newConn"},
		"http.readLine":                 {"bufio.(*Reader).ReadLine", "strings.(*Reader).Reset", "http.(*Header).clone"},
		"http.locals": {"http.(*Server).pair", "http.(*Header).Get", "http.(*Server).ListenAndServe", "http.(*Server).Serve",
			"http.(*Server).newConn", "bufio.(*Writer).Flush", "bufio.(*Writer).WriteString", "http.(*conn).serve"},
		// The function literal's h is its own, of a type of its own; the
		// type switch's, in a clause of one type, has that type.
		"http.shadowed": {"http.(*conn).serve", "http.(*Header).Get", "http.(*Server).ListenAndServe"},
		"http.unknown":  {"http.(*list).first", "http.(*Server).Serve"},
	}
	if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
		t.Errorf("method refs by chunk (-want +got):\n%s", diff)
	}
}

// TestGoMethodRefsShadowedType: a parameter named as a type hides it
// from the body, not from the signature's own types (func f(conn *conn)
// is valid Go); an inner one hides it everywhere. A parameter named as
// an import, of the import's type, is of that type too: the signature's
// types are resolved outside its names' scope.
func TestGoMethodRefsShadowedType(t *testing.T) {
	src := `package p

import "net/url"

type conn struct{}

func (*conn) serve() {}

func f(conn *conn) { conn.serve() }

func g(c string) {
	conn := c
	var v *conn
	v.serve()
}

func h(url *url.URL) string { return url.String() }
`
	got := methodRefs(t, "p/p.go", src)
	want := map[string][]string{"p.f": {"p.(*conn).serve"}, "p.h": {"url.(*URL).String"}}
	if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
		t.Errorf("method refs by chunk (-want +got):\n%s", diff)
	}
	res := chunkString(t, "p/p.go", src, Options{Strategy: Semantic})
	for _, c := range res.Chunks {
		if c.Name == "p.h" && !slices.Equal(c.Refs, []string{"url.URL", "url.(*URL).String"}) {
			t.Errorf("p.h's refs: %q, want [url.URL url.(*URL).String]", c.Refs)
		}
	}
}

// TestGoMethodRefsDotImport: with a dot import, an unqualified type may
// be the imported package's: no method ref is guessed for it.
func TestGoMethodRefsDotImport(t *testing.T) {
	src := `package p

import . "strings"

type Own struct{}

func (Own) M() {}

func f(b *Builder, o Own) {
	b.WriteString("")
	o.M()
}
`
	got := methodRefs(t, "p/p.go", src)
	if want := []string{"p.(*Own).M"}; !slices.Equal(got["p.f"], want) {
		t.Errorf("p.f's method refs: %q, want %q", got["p.f"], want)
	}
}

// TestGoValueMethodMembers: a method declared on T (not *T) answers to
// (*T).M too, as calls name it; one on *T answers to its name only. A
// split one lists it on its first piece.
func TestGoValueMethodMembers(t *testing.T) {
	var body strings.Builder
	for range 100 {
		body.WriteString("\t_ = \"a line that makes the method long enough to be split\"\n")
	}
	src := "package http\n\ntype Header map[string]string\n\n" +
		"func (h Header) Get(k string) string { return h[k] }\n\n" +
		"func (h *Header) Set(k, v string) { (*h)[k] = v }\n\n" +
		"func (h Header[T]) Long() {\n" + body.String() + "}\n"
	res := chunkString(t, "http/header.go", src, Options{MaxBytes: 1024})
	got := map[string][]string{}
	for _, c := range res.Chunks {
		got[c.Name] = c.Members
	}
	want := map[string][]string{
		"http":               nil,
		"http.Header":        nil,
		"http.Header.Get":    {"(*Header).Get"},
		"http.(*Header).Set": nil,
		"http.Header.Long#1": {"(*Header).Long"},
		"http.Header.Long#2": nil,
	}
	for name := range got {
		if _, ok := want[name]; !ok && strings.HasPrefix(name, "http.Header.Long#") {
			want[name] = nil
		}
	}
	if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
		t.Errorf("members by chunk (-want +got):\n%s", diff)
	}
}

// TestGoMethodRefsImportedTypes: a variable of an imported type gives the
// imported package's method ref (sync.(*Mutex).Lock), and the header
// records the path its qualifier names: the index links it to sync's
// Mutex, not to internal/sync's. Where an import has the file's own
// package name (html/template imports text/template as template), the
// ref would read as the file's own package's and link to its own type's
// method: none is made. A call on an imported interface names a method no
// chunk has. An unqualified type is the package's own, and keeps its refs.
func TestGoMethodRefsImportedTypes(t *testing.T) {
	cases := []methodCase{{
		name: "same-named packages",
		path: "cmd/go/main.go",
		src: `package main

import "sync"

var mu sync.Mutex

func lock() {
	var mu sync.Mutex
	mu.Lock()
	var once = &sync.Once{}
	once.Do(nil)
}
`,
		want:    map[string][]string{"main.lock": {"sync.(*Mutex).Lock", "sync.(*Once).Do"}},
		imports: map[string]string{"sync": "sync"},
	}, {
		name: "an import of the own package's name",
		path: "html/template/template.go",
		src: `package template

import "text/template"

type Template struct{ text *template.Template }

func (t *Template) Name() string { return t.text.Name() }

func (t *Template) Lookup(name string) *Template { return t }

func parse(name string) *template.Template { return template.New(name) }

func textName(t *template.Template) string {
	u := parse("x")
	u.Name()
	return t.Name()
}

func htmlName(t *Template) string { return t.Lookup("x").Name() + t.Name() }
`,
		want: map[string][]string{"template.htmlName": {"template.(*Template).Lookup", "template.(*Template).Name"}},
	}, {
		name: "an imported interface",
		path: "go/types/typestring.go",
		src: `package typestring

import "go/types"

func under(t types.Type, n *types.Named) types.Type {
	n.Obj()
	return t.Underlying()
}
`,
		want:    map[string][]string{"typestring.under": {"types.(*Named).Obj", "types.(*Type).Underlying"}},
		imports: map[string]string{"types": "go/types"},
	}}
	runMethodCases(t, cases)
}

// TestGoMethodRefsStdlib: on the standard library every method ref names
// a type of the chunk's own package, or one of an import whose path the
// file's header records (so that the index links it to that package
// only), and the calls within net/http and bufio that the refs are for
// are there: (*Server).Serve calls newConn and (*conn).serve,
// ListenAndServe calls Serve, ReadLine ReadSlice; and those of other
// packages' methods: (*Server).Serve's l.Accept() of a net.Listener.
func TestGoMethodRefsStdlib(t *testing.T) {
	files := goStdFiles(t, testing.Short())
	var mu sync.Mutex
	refs := map[string][]string{}
	own, imported := 0, 0
	forEachFile(files, func(path string) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Error(err)
			return
		}
		res, err := File(path, src, Options{Strategy: Semantic})
		if err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		var imports map[string]string
		for _, c := range res.Chunks {
			if c.Kind == KindHeader {
				imports = c.Imports
			}
		}
		for _, c := range res.Chunks {
			pkg, _, _ := strings.Cut(c.Name, ".")
			for _, r := range c.Refs {
				q, rest, _ := strings.Cut(r, ".")
				switch {
				case !strings.HasPrefix(rest, "(*"):
				case q == pkg:
					own++
				case imports[q] == "":
					t.Errorf("%s: %s refers to %s, a method of a package no recorded import names", path, c.Name, r)
				default:
					imported++
				}
			}
			if strings.HasSuffix(path, "/net/http/server.go") || strings.HasSuffix(path, "/bufio/bufio.go") {
				refs[c.Name] = c.Refs
			}
		}
	})
	t.Logf("%d method refs in %d files: %d of the package's own types, %d of imported ones", own+imported, len(files), own, imported)
	if testing.Short() {
		return
	}
	for name, want := range map[string][]string{
		"http.(*Server).Serve":          {"http.(*Server).newConn", "http.(*conn).serve", "net.(*Listener).Accept"},
		"http.(*Server).ListenAndServe": {"http.(*Server).Serve"},
		"bufio.(*Reader).ReadLine":      {"bufio.(*Reader).ReadSlice"},
	} {
		for _, r := range want {
			if !slices.Contains(refs[name], r) {
				t.Errorf("%s's refs %q lack %s", name, refs[name], r)
			}
		}
	}
}

// TestGoMethodRefsConversions: a variable given a conversion to one of
// the package's own types has that type: (*T)(y) of a type of this or
// another file (rqlite's store.go converts ex.Request to state.go's
// *PragmaCheckRequest and calls its Check), T(y) of a type this file
// declares, by := and by var. (*pkg.T)(y) gives the imported type's
// method ref; pkg.T(y) gives none, nor does T(y) where T may be a
// function of another file, nor (*f)(y) of a local f, a predeclared type
// or a pointer to a pointer.
func TestGoMethodRefsConversions(t *testing.T) {
	src := `package store

import "github.com/rqlite/rqlite/v8/command/proto"

type Store struct{}

type ident string

func (ident) quote() string { return "" }

func (ident) unquote() string { return "" }

func (s *Store) Execute(ex *proto.ExecuteRequest) error {
	p := (*PragmaCheckRequest)(ex.Request)
	if err := p.Check(); err != nil {
		return err
	}
	var q = (*PragmaCheckRequest)(ex.Request)
	q.Validate()
	n, m := ident("x"), (ident)("y")
	n.quote()
	m.unquote()
	return nil
}

func notConversions(ex *proto.ExecuteRequest, f *func(int) *Store) {
	a := (*proto.Request)(ex.Request)
	a.Reset()
	b := proto.Request(*ex.Request)
	b.Reset()
	c := newRequest(ex)
	c.Check()
	d := (*f)(1)
	d.Execute(nil)
	e := int64(1)
	e.String()
	g := (**PragmaCheckRequest)(nil)
	g.Check()
	h := own(1)
	h.Execute(nil)
}

func own(int) *Store { return nil }
`
	got := methodRefs(t, "store/store.go", src)
	want := map[string][]string{
		"store.(*Store).Execute": {"store.(*PragmaCheckRequest).Check", "store.(*PragmaCheckRequest).Validate",
			"store.(*ident).quote", "store.(*ident).unquote"},
		"store.notConversions": {"proto.(*Request).Reset", "store.(*Store).Execute"},
	}
	if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
		t.Errorf("method refs by chunk (-want +got):\n%s", diff)
	}
}
