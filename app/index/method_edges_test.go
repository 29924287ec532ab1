package index

import (
	"slices"
	"testing"
)

// methodProject calls methods through receivers, parameters and local
// variables, of pointer and value receivers, within a package and from
// another one; other/http, a package of the same name elsewhere,
// declares a method that net/http calls but does not declare.
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

// TestMethodEdges: a call of a method resolves to its chunk, whether it
// was declared on the pointer (by name) or on the value (through the
// members a value method lists), forwards and backwards; a method of the
// chunk's own package only in its directory.
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
	for _, e := range []string{"app.Run -> http.Header.Get", "http.(*Server).ListenAndServe -> http.(*Server).Serve"} {
		if !slices.Contains(edges, e) {
			t.Errorf("the view's edges %q lack %s", edges, e)
		}
	}
}
