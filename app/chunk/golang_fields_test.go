package chunk

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const fieldsGo = `package srv

import (
	"bytes"
	"sync"
)

type Server struct {
	store Store
	cache *Cache
	mu    sync.Mutex
	conf  *Config
	m     map[string]*Cache
	list  []*Cache
	fn    func() *Cache
	ch    chan *Cache
	anon  struct{ c *Cache }
	pp    **Cache
	err   error
	Embedded
	buf bytes.Buffer
	gen Gen[int]
}

type Config struct{ tls *TLS }

type Gen[T any] struct {
	val  T
	ptr  *T
	next *Gen[T]
}

func (s *Server) Handle(k string) {
	s.store.Get(k)
	s.cache.Put(k)
	s.mu.Lock()
	s.conf.tls.Clone()
	s.m["x"].Put(k)
	s.list[0].Put(k)
	s.fn().Put(k)
	s.anon.c.Put(k)
	s.pp.Put(k)
	s.err.Error()
	s.Embedded.Run()
	s.promoted.Do()
	s.buf.Len()
	s.gen.next.Other()
	s.a.b.c.d.e.Deep()
}

func (g *Gen[T]) Walk() {
	g.val.M()
	g.ptr.M()
	g.next.Other()
}

func handler(r *Request) { r.ctx.Done() }

func chain(r *Request) { r.conn.tls.Handshake() }

func shadowed(s *Server) {
	{
		s := other()
		s.store.Get("")
	}
	store := Cache{}
	store.Put("")
	s.store.Get("")
}

func local() {
	type Server struct{ store Store }
	var s Server
	s.store.Get("")
}

func localType(s *Server) {
	type Store int
	s.store.Get("")
}

func value(s *Server) {
	f := s.store.Get
	_ = f
}

func global() { defaultServer.store.Get("") }
`

// TestGoFieldCallRefs: a call through a field of a variable whose type is
// known is the method ref of the field's type where the file declares the
// struct (the package's own type or an imported one, through chains of
// fields), a field ref pkg.(*T).f.M where it does not (T declared in
// another file, or f promoted through embedding), and nothing where the
// field's type is not a named type, is a type parameter or predeclared,
// where the variable's type is unknown, or for a method value. A local
// type of the field type's name does not change which type the field has.
// (s.fn() is a call of the field fn, which reads as a method call, as it
// did before: it names no chunk.)
func TestGoFieldCallRefs(t *testing.T) {
	got := methodRefs(t, "srv/server.go", fieldsGo)
	want := map[string][]string{
		"srv.(*Server).Handle": {"srv.(*Store).Get", "srv.(*Cache).Put", "sync.(*Mutex).Lock", "srv.(*TLS).Clone",
			"srv.(*Server).fn", "srv.(*Server).Embedded.Run", "srv.(*Server).promoted.Do", "bytes.(*Buffer).Len", "srv.(*Gen).Other"},
		"srv.(*Gen).Walk": {"srv.(*Gen).Other"},
		"srv.handler":     {"srv.(*Request).ctx.Done"},
		"srv.chain":       {"srv.(*Request).conn.tls.Handshake"},
		"srv.shadowed":    {"srv.(*Cache).Put", "srv.(*Store).Get"},
		"srv.localType":   {"srv.(*Store).Get"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("method refs (-want +got):\n%s", d)
	}
}

// TestGoFieldShapes: a struct's shape records the type of each named field
// of the package's own named type or a pointer to one, type arguments
// dropped; other fields (imported, predeclared, composite, a type
// parameter, a pointer to a pointer) are their names alone.
func TestGoFieldShapes(t *testing.T) {
	res := chunkString(t, "srv/server.go", fieldsGo, Options{Strategy: Semantic})
	got := map[string][]string{}
	for _, c := range res.Chunks {
		if c.Shape != nil {
			got[c.Name] = c.Shape
		}
	}
	want := map[string][]string{
		"srv.Server": {"struct", "store:Store", "cache:*Cache", "mu", "conf:*Config", "m", "list", "fn", "ch", "anon", "pp", "err",
			"Embedded=Embedded", "buf", "gen:Gen"},
		"srv.Config": {"struct", "tls:*TLS"},
		"srv.Gen":    {"struct", "val", "ptr", "next:*Gen"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("shapes (-want +got):\n%s", d)
	}
}
