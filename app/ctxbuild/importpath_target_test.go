package ctxbuild

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// importPathFixture is a module with two packages named proto and one
// named rand at a major version's path, and three named wire in trees
// of other modules' paths.
var importPathFixture = map[string]string{
	"go.mod":                 "module example.com/gp\n\ngo 1.22\n",
	"cluster/proto/proto.go": "package proto\n\n// Command is a cluster command.\ntype Command struct{}\n\n// Encode encodes it.\nfunc Encode(Command) []byte { return nil }\n",
	"command/proto/proto.go": "package proto\n\n// Command is a CLI command.\ntype Command struct{ Name string }\n\n// Encode encodes it.\nfunc Encode(Command) []byte { return nil }\n",
	"rand/v2/rand.go":        "package rand\n\n// IntN is a number.\nfunc IntN(n int) int { return n }\n",
	"gp.go":                  "// Package gp is the root.\npackage gp\n\n// Root is at the root.\ntype Root struct{}\n",
	"a/x/wire/wire.go":       "package wire\n\n// A is a's.\ntype A struct{}\n",
	"b/x/wire/wire.go":       "package wire\n\n// B is b's.\ntype B struct{}\n",
	"c/y/wire/wire.go":       "package wire\n\n// C is c's.\ntype C struct{}\n",
}

// TestTargetImportPathPackage: a Go package's import path names the
// package, as its directory does — the module's own path followed by the
// directory, a major version's path, the module's root —, for the tasks
// that read it; one that is no package of the project still names
// nothing, and a task that changes its target is refused it as it is a
// directory.
func TestTargetImportPathPackage(t *testing.T) {
	e := setupFiles(t, importPathFixture)
	t.Chdir(e.root)
	for target, want := range map[string]string{
		"example.com/gp/cluster/proto":  "type Command struct{}",
		"example.com/gp/command/proto":  "type Command struct{ Name string }",
		"example.com/gp/command/proto/": "type Command struct{ Name string }",
		"example.com/gp/rand/v2":        "func IntN(n int) int",
		"example.com/gp":                "type Root struct{}",
		"example.org/y/wire":            "type C struct{}",
	} {
		c := e.build(t, Request{Target: target, Question: "what is it?", Window: 16000})
		if c.Target == nil || c.Target.Kind != KindPackage || !strings.Contains(c.Target.Code, want) {
			t.Errorf("%s: target %+v; want the package holding %q", target, c.Target, want)
		}
	}
	for target, want := range map[string]string{
		"example.com/gp/nope/proto": "no file or symbol",
		"example.com/other/proto":   "no file or symbol",
		"example.org/x/wire":        "may be any of the packages in a/x/wire, b/x/wire",
	} {
		_, err := e.b.Build(t.Context(), Request{Root: e.root, Task: "explain", Target: target, Window: 8000, Count: o200k})
		if usererr.As(err) == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %q", target, err, want)
		}
	}
	_, err := e.b.Build(t.Context(), Request{Root: e.root, Task: "refactor", Target: "example.com/gp/cluster/proto", Window: 8000, Count: o200k})
	if usererr.As(err) == nil || !strings.Contains(err.Error(), "is the Go package in cluster/proto") {
		t.Errorf("refactor of an import path: %v; want it refused as a package", err)
	}
}
