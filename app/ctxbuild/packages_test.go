package ctxbuild

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// packagesFixture has packages of one name at several paths, as the Go
// standard library has: sync and internal/sync, sync/atomic and
// internal/runtime/atomic, commands and a generator (package main, in
// runtime/, built by no one), and the runtime with the compiler's
// bodyless stubs of it in a directory the go tool ignores.
var packagesFixture = map[string]string{
	"internal/sync/mutex.go": "package sync\n\n// Mutex is the internal one.\ntype Mutex struct{ state int32 }\n\n" +
		"// Lock locks m.\nfunc (m *Mutex) Lock() { m.state = 1 }\n",
	"sync/mutex.go": "package sync\n\nimport isync \"internal/sync\"\n\n// Mutex is a mutual exclusion lock.\ntype Mutex struct{ mu isync.Mutex }\n\n" +
		"// Lock locks m.\nfunc (m *Mutex) Lock() { m.mu.Lock() }\n",
	"internal/runtime/atomic/types.go": "package atomic\n\n// Pointer is the runtime's.\ntype Pointer[T any] struct{ v *T }\n\n" +
		"// Load loads.\nfunc (p *Pointer[T]) Load() *T { return p.v }\n",
	"sync/atomic/type.go": "package atomic\n\n// Pointer is an atomic pointer.\ntype Pointer[T any] struct{ v *T }\n\n" +
		"// Load atomically loads and returns the value stored in p.\nfunc (p *Pointer[T]) Load() *T { return p.v }\n",
	"cmd/addr2line/main.go": "package main\n\nfunc main() { println(\"addr2line\") }\n",
	"cmd/asm/main.go":       "package main\n\nfunc main() { println(\"asm\") }\n",
	"runtime/mkduff.go":     "//go:build ignore\n\npackage main\n\nfunc main() { println(\"mkduff\") }\n",
	"x/main.go":             "package main\n\nfunc main() { println(\"x\") }\n",
	"cmd/compile/internal/typecheck/_builtin/runtime.go": "package runtime\n\n" +
		"func makeslice(typ *byte, len int, cap int) *byte\n",
	"runtime/slice.go": "package runtime\n\n// makeslice makes a slice.\nfunc makeslice(typ *byte, len int, cap int) *byte {\n\treturn mallocgc(len * cap)\n}\n\n" +
		"func mallocgc(n int) *byte { return nil }\n",
	"go.mod":  "module example.com/m\n",
	"root.go": "package m\n\n// Lock is the module's.\nfunc Lock() {}\n",
}

// TestTargetPackageOfName: of packages that share a name, a name
// without an import path takes the one whose directory is that name
// (sync/, not internal/sync/), else one outside an internal directory,
// and never the compiler's stubs in a directory the go tool ignores
// (_builtin) over the real code; the others are listed. An import path
// takes the package whose directory ends with it — a command's
// directory without its package's name main —, and one that no package
// has is refused saying where the name is.
func TestTargetPackageOfName(t *testing.T) {
	e := setupFiles(t, packagesFixture)
	t.Chdir(e.root)
	for _, tc := range []struct {
		target, path, also string
	}{
		{"sync.(*Mutex).Lock", "sync/mutex.go", "internal/sync/mutex.go"},
		{"atomic.(*Pointer).Load", "sync/atomic/type.go", "internal/runtime/atomic/types.go"},
		{"atomic.(*Pointer[T]).Load", "sync/atomic/type.go", "internal/runtime/atomic/types.go"},
		{"internal/sync.(*Mutex).Lock", "internal/sync/mutex.go", ""},
		{"internal/runtime/atomic.(*Pointer).Load", "internal/runtime/atomic/types.go", ""},
		{"cmd/asm/main.main", "cmd/asm/main.go", ""},
		{"asm/main.main", "cmd/asm/main.go", ""},
		{"x/main.main", "x/main.go", ""},
		{"runtime.makeslice", "runtime/slice.go", "cmd/compile/internal/typecheck/_builtin/runtime.go"},
		{"makeslice", "runtime/slice.go", "cmd/compile/internal/typecheck/_builtin/runtime.go"},
		{"example.com/m.Lock", "root.go", ""},
	} {
		c := e.build(t, Request{Target: tc.target, Question: "what does it do?", Window: 8000})
		if c.Target == nil || c.Target.Path != tc.path {
			t.Errorf("%s: took %+v; want the one in %s", tc.target, c.Target, tc.path)
			continue
		}
		also := strings.Join(c.Also, ", ")
		if tc.also == "" && also != "" || !strings.Contains(also, tc.also) {
			t.Errorf("%s: also %q; want %q listed", tc.target, also, tc.also)
		}
	}
	for target, want := range map[string]string{
		"cmd/nope/main.main": "no package at cmd/nope/main has main.main",
		"other.com/m.Lock":   "no package at other.com/m has m.Lock",
	} {
		_, err := e.b.Build(t.Context(), Request{Root: e.root, Task: "explain", Target: target, Window: 8000, Count: o200k})
		if usererr.As(err) == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want a user error saying %q", target, err, want)
		}
	}
}

// TestTargetOutsideProject: a path out of the project — a file anywhere
// else, one of a sibling directory, one that does not exist — is refused
// as such, naming the project's root, with the exit code of a usage
// error, not answered with names like it.
func TestTargetOutsideProject(t *testing.T) {
	e := setupFiles(t, fixture)
	t.Chdir(e.root)
	elsewhere := filepath.Join(t.TempDir(), "passwd")
	sibling := filepath.Join(filepath.Dir(e.root), "other", "enum.ex")
	for _, p := range []string{elsewhere, sibling} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("defmodule Enum do\n  def map(l, f), do: l\nend\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, target := range []string{elsewhere, elsewhere + ":1", "../other/enum.ex", "../other/none.ex", "/nonexistent/dir/x.go"} {
		_, err := e.b.Build(t.Context(), Request{Root: e.root, Task: "explain", Target: target, Window: 8000, Count: o200k})
		ue := usererr.As(err)
		if ue == nil || ue.ExitCode() != usererr.ExitUsage || !strings.Contains(err.Error(), "is outside the project at "+e.root) ||
			strings.Contains(err.Error(), "did you mean") {
			t.Errorf("%s: %v; want a usage error saying it is outside the project at %s", target, err, e.root)
		}
	}
	// Inside, a path from a subdirectory up to the root still works.
	t.Chdir(filepath.Join(e.root, "lib"))
	if c := e.build(t, Request{Target: "../go/cache.go", Window: 8000}); c.Target == nil || c.Target.Path != "go/cache.go" {
		t.Errorf("../go/cache.go from lib: %+v", c.Target)
	}
}

// serverFile is a Go file whose first units are many small helpers that
// nothing calls, each with a doc comment longer than NewServer's, and
// whose last are what it is about: NewServer, called from several
// packages, and Serve, a method with a long doc comment (the index
// resolves no call of a method to it).
var serverFile = func() map[string]string {
	var b strings.Builder
	b.WriteString("package srv\n\n")
	for i := range 30 {
		fmt.Fprintf(&b, "// Helper%d adds %d to x, for the callers that need it added.\n// It is one of many alike.\nfunc Helper%d(x int) int {\n\treturn x + %d\n}\n\n", i, i, i, i)
	}
	b.WriteString("// Server serves.\ntype Server struct{ n int }\n\n")
	b.WriteString("// NewServer returns a Server.\nfunc NewServer() *Server {\n\treturn &Server{}\n}\n\n")
	b.WriteString(strings.Repeat("// Serve accepts incoming connections on the listener, creating a new\n// service goroutine for each, which reads requests and replies to them.\n", 6) +
		"func (s *Server) Serve() error {\n\ts.n++\n\treturn nil\n}\n")
	files := map[string]string{"srv/server.go": b.String()}
	for i := range 4 {
		files[fmt.Sprintf("use%d/use.go", i)] = fmt.Sprintf("package use%d\n\nimport \"example.com/m/srv\"\n\nfunc Run() error { return srv.NewServer().Serve() }\n", i)
	}
	return files
}()

// TestOutlineMostImportant: a file whose signatures do not all fit keeps
// those of its most important units — the most central, and of the rest
// those with the most doc text —, not its first ones, and shows them in
// file order.
func TestOutlineMostImportant(t *testing.T) {
	e := setupFiles(t, serverFile)
	c := e.build(t, Request{Target: filepath.Join(e.root, "srv/server.go"), Window: 400, Reserve: new(0)})
	if c.Target.Form != FormOutline {
		t.Fatalf("target is %q; want an outline", c.Target.Form)
	}
	forms := map[string]string{}
	left := 0
	for _, u := range c.Target.Units {
		forms[u.Name] = u.Form
		if u.Form == "" {
			left++
		}
	}
	if left == 0 {
		t.Fatalf("every unit went in; want a window that leaves some out:\n%s", c.Target.Code)
	}
	for _, name := range []string{"srv.NewServer", "srv.(*Server).Serve", "srv.Server"} {
		if forms[name] == "" {
			t.Errorf("%s left out of the outline (forms %v):\n%s", name, forms, c.Target.Code)
		}
	}
	code := c.Target.Code
	if i, j := strings.Index(code, "func NewServer"), strings.Index(code, "func (s *Server) Serve"); i < 0 || j < i {
		t.Errorf("NewServer at %d, Serve at %d; want both, in file order:\n%s", i, j, code)
	}
}
