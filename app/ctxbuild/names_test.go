package ctxbuild

import (
	"errors"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// TestTargetGenericReceiver: a method of a generic type is named as Go
// code spells its receiver, type parameters included, or as the index
// names it, without them.
func TestTargetGenericReceiver(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"lib/coll/list.go": `package coll

// List is a list of T.
type List[T any] struct{ items []T }

// Push appends v.
func (l *List[T]) Push(v T) { l.items = append(l.items, v) }

// Len is how many items l holds.
func (l List[T]) Len() int { return len(l.items) }

// Map maps K to V.
type Map[K comparable, V any] struct{ m map[K]V }

// Get returns the value of k.
func (m *Map[K, V]) Get(k K) V { return m.m[k] }
`,
	})
	for target, want := range map[string]string{
		"coll.(*List[T]).Push":      "coll.(*List).Push",
		"(*List[T]).Push":           "coll.(*List).Push",
		"coll.(*List).Push":         "coll.(*List).Push",
		"List[T].Len":               "coll.List.Len",
		"coll.List[T].Len":          "coll.List.Len",
		"coll.(*Map[K, V]).Get":     "coll.(*Map).Get",
		"coll.(*Map[K,V]).Get":      "coll.(*Map).Get",
		"coll.(*Map[_, V]).Get":     "coll.(*Map).Get",
		"example.com/coll.List.Len": "coll.List.Len",
	} {
		c := e.build(t, Request{Target: target, Question: "what does it do?", Window: 8000})
		if c.Target == nil || c.Target.Name != want {
			t.Errorf("%s: target %+v; want %s", target, c.Target, want)
		}
	}
}

// serveFixture has two packages named http, one at net/http, and Serve
// functions and methods in several packages, most with shorter names than
// net/http's (*Server).Serve.
var serveFixture = map[string]string{
	"net/http/server.go": "package http\n\ntype Server struct{}\n\ntype conn struct{}\n\n" +
		"// Serve accepts connections.\nfunc (srv *Server) Serve() error { return nil }\n\n" +
		"func (c *conn) serve() {}\n\n// Serve serves with a new Server.\nfunc Serve() error { return (&Server{}).Serve() }\n",
	"vendor/x/http/server.go": "package http\n\ntype Server struct{}\n\n// Serve is another package's.\nfunc (s *Server) Serve() error { return nil }\n",
	"net/http/cgi/cgi.go":     "package cgi\n\n// Serve runs a CGI handler.\nfunc Serve() error { return nil }\n",
	"net/http/fcgi/fcgi.go":   "package fcgi\n\n// Serve runs a FastCGI handler.\nfunc Serve() error { return nil }\n",
	"semver/semver.go":        "package semver\n\n// Compare compares two versions.\nfunc Compare(v, w string) int { return 0 }\n",
	"internal/semver/v.go":    "package semver\n\n// Compare is another package's.\nfunc Compare(v, w string) int { return 1 }\n",
}

// TestTargetImportPath: a name qualified by its import path is looked for
// by the path's last element, in the package at that path when several
// have its name; and a misspelt one is offered the name it misspells
// first.
func TestTargetImportPath(t *testing.T) {
	e := setupFiles(t, serveFixture)
	for target, want := range map[string]string{
		"net/http.(*Server).Serve":        "net/http/server.go",
		"x/http.(*Server).Serve":          "vendor/x/http/server.go",
		"net/http.Serve":                  "net/http/server.go",
		"golang.org/x/mod/semver.Compare": "semver/semver.go",
		"internal/semver.Compare":         "internal/semver/v.go",
	} {
		c := e.build(t, Request{Target: target, Question: "what does it do?", Window: 8000})
		if c.Target == nil || c.Target.Path != want {
			t.Errorf("%s: target %+v; want the one in %s", target, c.Target, want)
			continue
		}
		if target != "golang.org/x/mod/semver.Compare" && len(c.Also) > 0 {
			t.Errorf("%s: also %q; the import path names one package", target, c.Also)
		}
	}
	_, err := e.b.Build(t.Context(), Request{Root: e.root, Task: "explain", Target: "net/http.(*Server).Serv", Window: 8000, Count: o200k})
	if !errors.As(err, new(*usererr.Error)) || !strings.Contains(err.Error(), "did you mean http.(*Server).Serve,") {
		t.Errorf("misspelt: %v; want http.(*Server).Serve offered first", err)
	}
}

// TestTargetMajorVersion: an import path ending in a major version names
// the package by the element before it (math/rand/v2 is package rand), in
// the directory of the whole path, not the older version's; a package
// named as the version itself is found too.
func TestTargetMajorVersion(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"math/rand/rand.go":           "package rand\n\n// Int is version 1's.\nfunc Int() int { return 1 }\n\n// Intn is only version 1's.\nfunc Intn(n int) int { return 0 }\n",
		"math/rand/v2/rand.go":        "package rand\n\n// Int is version 2's.\nfunc Int() int { return 2 }\n\n// IntN is only version 2's.\nfunc IntN(n int) int { return 0 }\n",
		"api/autoscaling/v2/types.go": "package v2\n\n// Scale is a package v2's.\nfunc Scale() int { return 2 }\n",
	})
	for target, want := range map[string]string{
		"math/rand/v2.IntN":        "math/rand/v2/rand.go",
		"math/rand/v2.Int":         "math/rand/v2/rand.go",
		"math/rand.Int":            "math/rand/rand.go",
		"api/autoscaling/v2.Scale": "api/autoscaling/v2/types.go",
	} {
		c := e.build(t, Request{Target: target, Question: "what does it do?", Window: 8000})
		if c.Target == nil || c.Target.Path != want {
			t.Errorf("%s: target %+v; want the one in %s", target, c.Target, want)
		}
	}
	_, err := e.b.Build(t.Context(), Request{Root: e.root, Task: "explain", Target: "math/rand/v2.Intn", Window: 8000, Count: o200k})
	if !errors.As(err, new(*usererr.Error)) || !strings.Contains(err.Error(), "rand.Intn is in math/rand") {
		t.Errorf("math/rand/v2.Intn: %v; want a refusal naming math/rand, which has it", err)
	}
}

// TestTargetPointerFormOfValueMethod: a method with a value receiver is
// found by its pointer form too, as a call (t.Format()) reads the same
// for both; a pointer method still by its own.
func TestTargetPointerFormOfValueMethod(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"time/format.go": "package time\n\n// Time is an instant.\ntype Time struct{ s int64 }\n\n" +
			"// Format formats t.\nfunc (t Time) Format(layout string) string { return layout }\n\n" +
			"// Reset resets t.\nfunc (t *Time) Reset() { t.s = 0 }\n",
	})
	for target, want := range map[string]string{
		"time.(*Time).Format": "time.Time.Format",
		"(*Time).Format":      "time.Time.Format",
		"time.Time.Format":    "time.Time.Format",
		"time.(*Time).Reset":  "time.(*Time).Reset",
		"time.Time.Reset":     "time.(*Time).Reset",
	} {
		c := e.build(t, Request{Target: target, Question: "what does it do?", Window: 8000})
		if c.Target == nil || c.Target.Name != want {
			t.Errorf("%s: target %+v; want %s", target, c.Target, want)
		}
	}
}
