package workflow

import (
	"strings"
	"testing"
)

// TestBuildSkippedCounts: a go build skipped because it could not check
// the changed package says why and counts the errors there were before
// the change, but not when there were none to count: "already failing
// before the change: 0" under the error that says the build failed
// before it would say both that it did and that it did not. The errors
// are counted wherever they are, in the C code of a cgo package the
// changed one imports included.
func TestBuildSkippedCounts(t *testing.T) {
	for name, tc := range map[string]struct {
		cgo      bool
		files    map[string]string
		path     string
		old, new string
		want     []string
	}{
		// A module without a pruned module graph (go 1.16) needs the
		// go.mod of every module it requires, and this one's is nowhere:
		// the go command stops before it compiles anything, naming no
		// file.
		"not loaded": {files: map[string]string{
			"go.mod":     "module example.com/m\n\ngo 1.16\n\nrequire example.com/nope v1.0.0\n",
			"lib/lib.go": "package lib\n\n// X is x.\nfunc X() {}\n",
		}, path: "lib/lib.go", old: "// X is x.", new: "// X does nothing.", want: []string{
			"could not check lib: the go command stopped before it compiled any package: go: example.com/nope@v1.0.0: missing go.sum entry for go.mod file",
		}},
		"cgo dependency": {cgo: true, files: map[string]string{
			"go.mod":            "module example.com/r3\n\ngo 1.22\n",
			"mtmd/mtmd.go":      "package mtmd\n\nimport \"C\"\n\n// N is n.\nfunc N() int { return 1 }\n",
			"mtmd/helper.cpp":   "#include \"missing/header.h\"\nint f() { return 1; }\n",
			"server/server.go":  "package server\n\nimport \"example.com/r3/mtmd\"\n\n// S is s.\nfunc S() int { return mtmd.N() }\n",
			"server/server2.go": "package server\n",
		}, path: "server/server.go", old: "// S is s.", new: "// S is mtmd's n.", want: []string{
			"could not check server: example.com/r3/mtmd, which it imports, already fails to build",
			"already failing before the change: 1\n# example.com/r3/mtmd\nhelper.cpp:1:10: fatal error: missing/header.h",
		}},
		// The go command compiles no Go file of a package whose C code
		// does not compile, the changed one's included.
		"cgo changed package": {cgo: true, files: map[string]string{
			"go.mod":          "module example.com/r3\n\ngo 1.22\n",
			"mtmd/mtmd.go":    "package mtmd\n\nimport \"C\"\n\n// N is n.\nfunc N() int { return 1 }\n",
			"mtmd/helper.cpp": "#include \"missing/header.h\"\nint f() { return 1; }\n",
		}, path: "mtmd/mtmd.go", old: "return 1", new: "return 1 + \"x\"", want: []string{
			"could not check mtmd: its C code already fails to compile (helper.cpp:1:10: fatal error: missing/header.h: No such file or directory), so its Go files are not compiled",
			"already failing before the change: 1",
		}},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.cgo {
				needCgo(t)
			}
			t.Setenv("GOPROXY", "off")
			t.Setenv("GOFLAGS", "-mod=readonly")
			root := writeTree(t, tc.files)
			p := proposeFile(t, root, tc.path, strings.Replace(tc.files[tc.path], tc.old, tc.new, 1))
			if got := strings.Join(checkNames(p), ","); got != "applies ok,syntax ok,go build skipped,go vet skipped" {
				t.Fatalf("checks %s; want go build skipped\n%+v", got, p.Checks)
			}
			d := p.Checks[2].Detail
			for _, w := range tc.want {
				if !strings.Contains(d, w) {
					t.Errorf("build detail\n%s\nlacks %q", d, w)
				}
			}
			if strings.Contains(d, ": 0\n") || strings.HasSuffix(d, ": 0") {
				t.Errorf("build detail\n%s\ncounts no error", d)
			}
		})
	}
}
