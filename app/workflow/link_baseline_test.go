package workflow

import (
	"strings"
	"testing"
)

// TestBuildLinkErrorAlreadyFailing: a main package that imports the
// changed one and already failed to link, with a linker message that
// names no file, the same before and after the change, is not the
// change's doing. The compiler compiled every package (the linker runs
// after it), the changed one included, so the change is checked: the
// build passes with a note; one that adds a compile error still fails.
func TestBuildLinkErrorAlreadyFailing(t *testing.T) {
	lib := "package lib\n\nfunc Add(a, b int) int {\n\treturn a + b\n}\n"
	root := writeTree(t, map[string]string{
		"go.mod":     "module example.com/lk\n\ngo 1.22\n",
		"lib/lib.go": lib,
		// A function without a body, declared through linkname to a
		// symbol nothing defines: it compiles (the empty .s file allows
		// the missing body), and the linker refuses it.
		"cmd/app/main.go": "package main\n\nimport (\n\t_ \"unsafe\"\n\n\t\"example.com/lk/lib\"\n)\n\n//go:linkname missing example.com/lk/nowhere.missing\nfunc missing()\n\nfunc main() {\n\tmissing()\n\tprintln(lib.Add(1, 2))\n}\n",
		"cmd/app/empty.s": "",
	})
	for name, tc := range map[string]struct {
		code, status, want string
	}{
		"doc comment": {strings.Replace(lib, "func Add", "// Add returns a+b.\nfunc Add", 1), "ok", "relocation target"},
		"signature":   {strings.Replace(lib, "a, b int", "a, b, c int", 1), "failed", "not enough arguments in call to lib.Add"},
	} {
		t.Run(name, func(t *testing.T) {
			p := proposeFile(t, root, "lib/lib.go", tc.code)
			var build *Check
			for i := range p.Checks {
				if p.Checks[i].Name == "go build" {
					build = &p.Checks[i]
				}
			}
			if build == nil || string(build.Status) != tc.status || !strings.Contains(build.Detail, tc.want) {
				t.Fatalf("go build %+v; want %s, naming %q\nnotes %q", build, tc.status, tc.want, p.Notes)
			}
		})
	}
}
