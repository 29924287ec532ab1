package ctxbuild

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// pkgFixture has two packages named format and two named server (one
// each under app/), a package doc comment in format/format.go, unexported
// code and tests beside the exported API, and a RoPE method elsewhere
// that an unknown method of server's Server is spelt like.
var pkgFixture = map[string]string{
	"go.mod": "module example.com/o\n\ngo 1.22\n",
	"format/bytes.go": "package format\n\nimport \"fmt\"\n\n// HumanBytes formats b for people.\nfunc HumanBytes(b int64) string {\n" +
		strings.Repeat("\tif b < 0 {\n\t\tb = -b\n\t}\n", 60) + "\treturn fmt.Sprint(b)\n}\n\nfunc helper() int { return 1 }\n",
	"format/format.go": "// Package format formats numbers and times for people.\npackage format\n\n" +
		"// HumanNumber formats n.\nfunc HumanNumber(n int) string { return \"\" }\n",
	"format/format_test.go": "package format\n\nimport \"testing\"\n\nfunc TestHumanNumber(t *testing.T) {}\n",
	"app/format/field.go":   "package format\n\n// Field is a field of a form.\ntype Field struct{}\n",
	"server/routes.go": "package server\n\n// Server serves the API.\ntype Server struct{}\n\n" +
		"// Serve serves.\nfunc (s *Server) Serve() error { return nil }\n\n// Close stops it.\nfunc (s *Server) Close() error { return nil }\n\n" +
		"func (s *Server) handle() {}\n\ntype conn struct{}\n\n// Read is unexported's.\nfunc (c *conn) Read() {}\n",
	"app/server/server.go": "package server\n\n// Server is the app's.\ntype Server struct{}\n",
	"ml/tensor.go":         "package ml\n\n// Tensor is a tensor.\ntype Tensor struct{}\n\n// RoPE rotates it.\nfunc (t *Tensor) RoPE() {}\n",
	"ml/nn/rope.go":        "package nn\n\n// RoPE rotates.\nfunc RoPE() {}\n",
}

// TestTargetImportPathListsNoOtherPackage: a name qualified by its
// import path names the unit of that package; same-named units of other
// packages, which the path rules out, are not listed as also named.
func TestTargetImportPathListsNoOtherPackage(t *testing.T) {
	e := setupFiles(t, pkgFixture)
	c := e.build(t, Request{Target: "example.com/o/server.Server", Question: "what is it?", Window: 8000})
	if c.Target == nil || c.Target.Path != "server/routes.go" {
		t.Fatalf("target %+v; want server/routes.go's Server", c.Target)
	}
	if len(c.Also) != 0 || c.AlsoHint != "" {
		t.Errorf("also %q (%s); want none: the import path names one package", c.Also, c.AlsoHint)
	}
	// Without the path, the other package's is listed.
	if c := e.build(t, Request{Target: "server.Server", Question: "what is it?", Window: 8000}); !strings.Contains(strings.Join(c.Also, ","), "app/server/server.go") {
		t.Errorf("server.Server: also %q; want app/server's listed", c.Also)
	}
}

// TestTargetPackage: a package's name, or its directory, names the
// package: its doc comment and package clause, then its exported API —
// not its unexported code nor its tests —, fitted to the window (in
// outline when it does not fit whole); other packages of the name are
// listed by their directories, which take them.
func TestTargetPackage(t *testing.T) {
	e := setupFiles(t, pkgFixture)
	t.Chdir(e.root)
	c := e.build(t, Request{Target: "format", Question: "what does it format?", Window: 16000})
	if c.Target == nil || c.Target.Kind != KindPackage || c.Target.Form != FormFull {
		t.Fatalf("format: target %+v; want the package format, in full", c.Target)
	}
	code := c.Target.Code
	for _, want := range []string{"// Package format formats numbers and times for people.\npackage format", "func HumanBytes(b int64) string {", "func HumanNumber(n int) string"} {
		if !strings.Contains(code, want) {
			t.Errorf("format: code lacks %q:\n%s", want, code)
		}
	}
	for _, not := range []string{"helper", "TestHumanNumber", "import"} {
		if strings.Contains(code, not) {
			t.Errorf("format: code holds %q:\n%s", not, code)
		}
	}
	if also := strings.Join(c.Also, ", "); !strings.Contains(also, "app/format") || strings.Contains(also, "format/format.go") || !strings.Contains(c.AlsoHint, "app/format") {
		t.Errorf("format: also %q, hint %q; want the other package, app/format, and not format's own files", c.Also, c.AlsoHint)
	}

	// Too large whole: the doc and the API's signatures.
	c = e.build(t, Request{Target: "format", Question: "what does it format?", Window: 1200})
	if c.Target == nil || c.Target.Kind != KindPackage || c.Target.Form != FormOutline {
		t.Fatalf("format in 1,200 tokens: target %+v; want the package in outline", c.Target)
	}
	if code := c.Target.Code; !strings.Contains(code, "// Package format formats") || !strings.Contains(code, "func HumanBytes(b int64) string") ||
		strings.Contains(code, "b = -b") {
		t.Errorf("format in outline:\n%s\nwant the doc and HumanBytes's signature without its body", code)
	}
	for _, u := range c.Target.Units {
		if u.Path == "" || !strings.HasPrefix(u.Path, "format/") {
			t.Errorf("unit %+v: want its own file's path", u)
		}
	}

	c = e.build(t, Request{Target: "server", Question: "what does it serve?", Window: 16000})
	if c.Target == nil || c.Target.Kind != KindPackage || !strings.Contains(c.Target.Code, "func (s *Server) Serve() error") ||
		strings.Contains(c.Target.Code, "handle") || strings.Contains(c.Target.Code, "Read") {
		t.Errorf("server: target %+v; want server/'s exported API", c.Target)
	}
	for _, dir := range []string{"app/format", "app/format/"} {
		c = e.build(t, Request{Target: dir, Question: "what is it?", Window: 16000})
		if c.Target == nil || c.Target.Kind != KindPackage || !strings.Contains(c.Target.Code, "type Field struct{}") {
			t.Errorf("%s: target %+v; want the package app/format", dir, c.Target)
		}
	}
	// A unit of a package is a unit still; a file's package clause by its
	// line is the file's header.
	if c := e.build(t, Request{Target: "format/bytes.go:1", Question: "q", Window: 8000}); c.Target == nil || c.Target.Kind == KindPackage {
		t.Errorf("format/bytes.go:1: target %+v; want the file's header", c.Target)
	}
}

// TestSuggestInPackageTyped: an unknown name is offered the names of the
// package (and receiver) it was typed in before those spelt like it
// elsewhere; an unknown path, the files of its directory.
func TestSuggestInPackageTyped(t *testing.T) {
	e := setupFiles(t, pkgFixture)
	t.Chdir(e.root)
	for target, want := range map[string]string{
		"server.(*Server).Nope": "did you mean server.(*Server).",
		"server/nope.go":        "did you mean server/routes.go",
		"format.HumanBites":     "did you mean format.HumanBytes",
	} {
		_, err := e.b.Build(t.Context(), Request{Root: e.root, Task: "explain", Target: target, Window: 8000, Count: o200k})
		if usererr.As(err) == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %q first", target, err, want)
		}
	}
}
