package chunk

import (
	"slices"
	"strings"
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

// Serve: calls of the receiver, of a parameter of an imported interface
// type, and a field (Addr) that is no ref.
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

// readLine: a parameter of an imported type, a named result, an import
// under another name.
func readLine(b *bufio.Reader, r *rd.Reader) (line []byte, h Header) {
	line, _, _ = b.ReadLine()
	r.Reset("")
	return line, h.clone()
}

// locals: var x T, var x *T, x := T{}, x := &T{}, x := new(T), x := y,
// var x = &T{}, results of a function and a method the file declares, and
// a method value of a method the file declares.
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
// there, or none when the syntax shows none.
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
	func(h *bufio.Reader) { h.ReadLine() }(nil)
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
// types, chains through fields.
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
		"http.readLine":                 {"bufio.(*Reader).ReadLine", "rd.(*Reader).Reset", "http.(*Header).clone"},
		"http.locals": {"http.(*Server).pair", "http.(*Header).Get", "http.(*Server).ListenAndServe", "http.(*Server).Serve",
			"http.(*Server).newConn", "bufio.(*Writer).Flush", "bufio.(*Writer).WriteString",
			"http.(*conn).serve"},
		// The function literal's h is its own, of a type of its own.
		"http.shadowed": {"bufio.(*Reader).ReadLine", "http.(*Server).ListenAndServe", "http.(*Header).Get"},
		"http.unknown":  {"http.(*list).first"},
	}
	if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
		t.Errorf("method refs by chunk (-want +got):\n%s", diff)
	}
}

// TestGoMethodRefsShadowedImport: a parameter named as an imported
// package hides it from the body, not from the signature's own types
// (func f(url *url.URL) is valid Go); an inner one hides it everywhere.
func TestGoMethodRefsShadowedImport(t *testing.T) {
	src := `package p

import "net/url"

func f(url *url.URL) string { return url.String() }

func g(u string) {
	url := u
	var v *url.URL
	v.String()
}
`
	got := methodRefs(t, "p/p.go", src)
	want := map[string][]string{"p.f": {"url.(*URL).String"}}
	if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
		t.Errorf("method refs by chunk (-want +got):\n%s", diff)
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
