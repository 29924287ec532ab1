package chunk

import (
	"maps"
	"slices"
	"testing"
)

// TestGoImports: a Go file's header records the import paths of the
// qualifiers its refs use: named imports by their name, unnamed ones by
// the package name the path gives (a major version and gopkg.in's .vN
// left off, go- dropped), one whose name the path does not give by the
// one qualifier of the file no import explains; blank and dot imports,
// qualifiers no import names, and the package's own name, none. Other
// chunks record nothing.
func TestGoImports(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      map[string]string // the header's Imports
	}{
		{"named and unnamed", `package store

import (
	"fmt"
	pb "github.com/rqlite/rqlite/v8/command/proto"
	"github.com/rqlite/rqlite/v8/cluster/proto"
)

func Apply(c *pb.Command) { fmt.Println(c) }
func Join(r *proto.JoinRequest) {}
`, map[string]string{"pb": "github.com/rqlite/rqlite/v8/command/proto", "fmt": "fmt",
			"proto": "github.com/rqlite/rqlite/v8/cluster/proto"}},
		{"versions", `package x

import (
	"math/rand/v2"
	"gopkg.in/yaml.v3"
	"github.com/mattn/go-sqlite3"
	"github.com/x/client-go"
)

var A = rand.N(10)
var B yaml.Node
var C sqlite3.Error
var D client.Set
`, map[string]string{"rand": "math/rand/v2", "yaml": "gopkg.in/yaml.v3",
			"sqlite3": "github.com/mattn/go-sqlite3", "client": "github.com/x/client-go"}},
		// Two qualifiers (foobar, and cfg: another file's variable) and
		// one import left: which is which is not known.
		{"name the path does not give", `package x

import (
	"fmt"
	"example.com/go-foo-bar"
)

func F() { fmt.Println(foobar.X, cfg.Y) }
`, map[string]string{"fmt": "fmt"}},
		{"the one left over", `package x

import "example.com/go-foo-bar"

func G() int { return foobar.X }
`, map[string]string{"foobar": "example.com/go-foo-bar"}},
		{"blank and dot", `package x

import (
	_ "embed"
	. "strings"
	"net/http"
)

func F() string { return ToUpper(http.MethodGet) }
`, map[string]string{"http": "net/http"}},
		// text/template's Template and the package's own are both
		// template.Template once the index qualifies the unqualified one.
		{"the package's own name", `package template

import "text/template"

type Template struct{ text *template.Template }

func (t *Template) Name() string { return t.text.Name() }
`, nil},
		{"external test package", `package os_test

import (
	"os"
	"testing"
)

func TestOpen(t *testing.T) { os.Open("x") }
`, map[string]string{"os": "os", "testing": "testing"}},
		{"no imports", "package x\n\nfunc F() {}\n", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := File("x.go", []byte(c.src), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Chunks) == 0 || res.Chunks[0].Kind != KindHeader {
				t.Fatalf("no header first: %+v", res.Chunks)
			}
			if got := res.Chunks[0].Imports; !maps.Equal(got, c.want) {
				t.Errorf("imports: %v, want %v", got, c.want)
			}
			for _, ch := range res.Chunks[1:] {
				if ch.Imports != nil {
					t.Errorf("%s records imports %v; only the header does", ch.Name, ch.Imports)
				}
			}
		})
	}
}

// TestGoImportsOfBrokenFile: the refs of a declaration recovered after a
// syntax error (golang_recover.go) count too.
func TestGoImportsOfBrokenFile(t *testing.T) {
	src := `package x

import "net/http"

func Broken() {
	if true {

func After() *http.Client { return nil }
`
	res, err := File("x.go", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"http": "net/http"}; len(res.Chunks) == 0 || !maps.Equal(res.Chunks[0].Imports, want) {
		t.Errorf("chunks %+v; want a header with imports %v", res.Chunks, want)
	}
}

// TestImportedFrom: which directories of a project an import path can
// denote.
func TestImportedFrom(t *testing.T) {
	for _, c := range []struct {
		dir, path string
		want      bool
	}{
		{"net/http", "net/http", true}, // the standard library's own tree
		{"src/net/http", "net/http", true},
		{"http", "net/http", false},            // a package http at the root
		{"cmd/rqlite/http", "net/http", false}, // … or anywhere else
		{"math/rand", "math/rand/v2", false},
		{"math/rand/v2", "math/rand/v2", true},
		{"crypto/rand", "math/rand", false},
		{"internal/sync", "sync", false},
		{"command/proto", "github.com/rqlite/rqlite/v8/command/proto", true},
		{"cluster/proto", "github.com/rqlite/rqlite/v8/command/proto", false},
		// The root's proto is that package if the module's path is
		// github.com/rqlite/rqlite/v8/command: the index does not read
		// go.mod.
		{"proto", "github.com/rqlite/rqlite/v8/command/proto", true},
		{"", "github.com/rqlite/rqlite/v8", true}, // the module's root package
		{"", "sync", false},
		{"vendor/golang.org/x/net/http2", "golang.org/x/net/http2", true},
		{"cmd/vendor/golang.org/x/net/http2", "golang.org/x/net/http2", true},
		{"xvendor/golang.org/x/net/http2", "golang.org/x/net/http2", false},
		{"internal/http2", "golang.org/x/net/http2", false},
		{"vendor/gopkg.in/yaml.v3", "gopkg.in/yaml.v3", true},
	} {
		if got := ImportedFrom(c.dir, c.path); got != c.want {
			t.Errorf("ImportedFrom(%q, %q) = %v, want %v", c.dir, c.path, got, c.want)
		}
	}
}

// TestGoAliasedImportRefs: a ref through a renamed import is written by
// the name the index gives the package's units (cp.Encode is
// proto.Encode: the path's last element, less a major version, gopkg.in's
// .vN and go-), and the header records the path under that name. Where
// that name would stay no one package's — another import known by it,
// two aliases becoming it, the file's own package, a package-level name
// of the file — the alias and its refs stay as written; blank and dot
// imports are never renamed.
func TestGoAliasedImportRefs(t *testing.T) {
	for _, c := range []struct {
		name, src string
		refs      []string          // of the file's last chunk
		want      map[string]string // the header's Imports
	}{
		{"renamed", `package server

import (
	cp "example.com/gp/command/proto"
	ourhttp "example.com/gp/http"
	yv3 "gopkg.in/yaml.v3"
	sq "github.com/mattn/go-sqlite3"
	r2 "math/rand/v2"
)

func RunCLI() {
	cp.Encode(cp.Command{})
	(&ourhttp.Client{}).Get("u")
	_ = yv3.Node{}
	_ = sq.Error{}
	_ = r2.N(3)
	scheduleRunner()
}
`, []string{"proto.Encode", "proto.Command", "http.Client", "yaml.Node", "sqlite3.Error", "rand.N", "scheduleRunner"},
			map[string]string{"proto": "example.com/gp/command/proto", "http": "example.com/gp/http", "yaml": "gopkg.in/yaml.v3",
				"sqlite3": "github.com/mattn/go-sqlite3", "rand": "math/rand/v2"}},
		{"collides with an unnamed import", `package server

import (
	cp "example.com/gp/command/proto"
	"example.com/gp/cluster/proto"
)

func Both() { cp.Encode(proto.Command{}) }
`, []string{"cp.Encode", "proto.Command"},
			map[string]string{"cp": "example.com/gp/command/proto", "proto": "example.com/gp/cluster/proto"}},
		{"two aliases of one name", `package server

import (
	a "example.com/gp/command/proto"
	b "example.com/gp/cluster/proto"
)

func Both() { a.Encode(b.Command{}) }
`, []string{"a.Encode", "b.Command"},
			map[string]string{"a": "example.com/gp/command/proto", "b": "example.com/gp/cluster/proto"}},
		{"the file's own package", `package proto

import cp "example.com/gp/command/proto"

func Wrap() { cp.Encode(nil) }
`, []string{"cp.Encode"}, map[string]string{"cp": "example.com/gp/command/proto"}},
		{"a package-level name", `package server

import cp "example.com/gp/command/proto"

var proto = 1

func Use() { cp.Encode(nil) }
`, []string{"cp.Encode"}, map[string]string{"cp": "example.com/gp/command/proto"}},
		{"dot import", `package server

import . "example.com/gp/command/proto"

func Use() { Encode(Command{}) }
`, []string{"Encode", "Command"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := File("x.go", []byte(c.src), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Chunks) < 2 || res.Chunks[0].Kind != KindHeader {
				t.Fatalf("chunks %+v; want a header and a unit", res.Chunks)
			}
			last := res.Chunks[len(res.Chunks)-1]
			if !slices.Equal(last.Refs, c.refs) {
				t.Errorf("%s refs %q, want %q", last.Name, last.Refs, c.refs)
			}
			if got := res.Chunks[0].Imports; !maps.Equal(got, c.want) {
				t.Errorf("imports %v, want %v", got, c.want)
			}
		})
	}
}
