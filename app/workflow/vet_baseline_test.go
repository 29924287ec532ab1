package workflow

import (
	"context"
	"strings"
	"testing"
)

// The module of a project whose tests go vet has always rejected (a
// struct tag that is not key:"value", as some projects' tests use) while
// go build and go test pass.
const (
	vetGoMod = "module example.com/r\n\ngo 1.22\n"
	vetR     = "package r\n\n// Add adds.\nfunc Add(a, b int) int {\n\treturn a + b\n}\n"
	vetRTest = "package r\n\nimport \"testing\"\n\ntype opts struct {\n\tX int `required`\n}\n\nfunc TestAdd(t *testing.T) { _ = opts{}; if Add(1, 2) != 3 { t.Fatal() } }\n"
	tagMsg   = "struct field tag `required` not compatible"
)

// proposeFile is the proposal to make path's content code, validated
// with the toolchain.
func proposeFile(t *testing.T, root, path, code string) *Proposal {
	t.Helper()
	p, err := FromFile("refactor", "", "```go "+path+"\n"+code+"```\n", "", "go", reader(root))
	if err != nil {
		t.Fatal(err)
	}
	Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
	return p
}

// TestVetAlreadyFailing: the diagnostics go vet gave the package before
// the change are not the change's. A change that adds none passes, with a
// note that counts them, even when it moves them (lines inserted above);
// one that adds a diagnostic fails with that diagnostic alone, the old
// ones counted, even when the new one has the same text as an old one.
func TestVetAlreadyFailing(t *testing.T) {
	root := writeTree(t, map[string]string{"go.mod": vetGoMod, "r.go": vetR, "r_test.go": vetRTest})
	before := treeHash(t, root)
	moved := strings.Replace(vetRTest, "type opts", "// opts are options.\n//\n// They are few.\ntype opts", 1)
	for name, tc := range map[string]struct {
		path, code string
		checks     string
		detail     string // in the go vet check's detail
		notDetail  string // not in it
	}{
		"doc comment": {"r.go", strings.Replace(vetR, "// Add adds.", "// Add adds a and b.", 1),
			"applies ok,syntax ok,go build ok,go vet ok", "already failing before the change: 1", ""},
		"lines moved": {"r_test.go", moved,
			"applies ok,syntax ok,go build ok,go vet ok", "r_test.go:9:2: " + tagMsg, "r_test.go:6:2"},
		"new diagnostic": {"r.go", strings.Replace(vetR, "return a + b", "_ = fmt.Sprintf(\"%d\")\n\treturn a + b", 1),
			"applies ok,syntax ok,go build ok,go vet failed", "Sprintf format %d reads arg #1, but call has 0 args", tagMsg},
		// The new field is above the old one: the old one is told by
		// where its line moved, not by being first.
		"same text again": {"r_test.go", strings.Replace(moved, "\tX int `required`\n", "\tY int `required`\n\tX int `required`\n", 1),
			"applies ok,syntax ok,go build ok,go vet failed", "r_test.go:9:2: " + tagMsg, "r_test.go:10:2"},
	} {
		t.Run(name, func(t *testing.T) {
			if name == "new diagnostic" {
				tc.code = strings.Replace(tc.code, "package r\n", "package r\n\nimport \"fmt\"\n", 1)
			}
			p := proposeFile(t, root, tc.path, tc.code)
			if got := strings.Join(checkNames(p), ","); got != tc.checks {
				t.Fatalf("checks %s; want %s\n%+v", got, tc.checks, p.Checks)
			}
			vet := p.Checks[len(p.Checks)-1]
			if !strings.Contains(vet.Detail, tc.detail) || tc.notDetail != "" && strings.Contains(vet.Detail, tc.notDetail) {
				t.Fatalf("detail %q: want %q, not %q", vet.Detail, tc.detail, tc.notDetail)
			}
			if vet.Status == Failed {
				// The failure is told by the diagnostic the change adds;
				// the old ones are counted.
				if f := p.Failures(); len(f) != 1 || !strings.Contains(f[0], tc.detail) {
					t.Errorf("failures %q; want %q", f, tc.detail)
				}
				if !strings.Contains(vet.Detail, "already failing before the change: 1") {
					t.Errorf("detail %q does not count the old diagnostic", vet.Detail)
				}
				return
			}
			if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "go vet: already failing before the change: 1") || !strings.Contains(p.Notes[0], tagMsg) {
				t.Errorf("notes %q", p.Notes)
			}
		})
	}
	if treeHash(t, root) != before {
		t.Fatal("validation wrote into the project")
	}
}

// TestBuildAlreadyFailing: a package that did not build before the change
// (here a command importing the changed package, built with it) does not
// fail a change that adds no error to it; a change that breaks the build
// further fails, with the error it adds.
func TestBuildAlreadyFailing(t *testing.T) {
	root := writeTree(t, map[string]string{
		"go.mod":           vetGoMod,
		"r.go":             vetR,
		"cmd/bad/main.go":  "package main\n\nimport \"example.com/r\"\n\nfunc main() {\n\tx := r.Add(1, 2)\n}\n",
		"cmd/good/main.go": "package main\n\nimport \"example.com/r\"\n\nfunc main() { println(r.Add(1, 2)) }\n",
	})
	const unused = "cmd/bad/main.go:6:2: declared and not used: x"
	for name, tc := range map[string]struct{ code, checks, detail string }{
		"doc comment": {strings.Replace(vetR, "// Add adds.", "// Add adds a and b.", 1), "applies ok,syntax ok,go build ok,go vet ok", ""},
		"signature": {strings.Replace(vetR, "a, b int) int", "a, b, c int) int", 1), "applies ok,syntax ok,go build failed",
			"cmd/good/main.go:5:32: not enough arguments in call to r.Add"},
	} {
		t.Run(name, func(t *testing.T) {
			p := proposeFile(t, root, "r.go", tc.code)
			if got := strings.Join(checkNames(p), ","); got != tc.checks {
				t.Fatalf("checks %s; want %s\n%+v", got, tc.checks, p.Checks)
			}
			build := p.Checks[2]
			if !strings.Contains(build.Detail, tc.detail) {
				t.Fatalf("build detail %q lacks %q", build.Detail, tc.detail)
			}
			if build.Status == OK {
				if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "go build: already failing before the change: 1 ("+unused+")") {
					t.Errorf("notes %q", p.Notes)
				}
				return
			}
			// The commands are built in parallel: either may be told first.
			if f := p.Failures(); len(f) != 1 || !strings.Contains(f[0], "main.go") || !strings.Contains(f[0], "not enough arguments in call to r.Add") {
				t.Errorf("failures %q; want a new error", f)
			}
			// The command's new error is the change's; its old one is
			// counted, not listed.
			if !strings.Contains(build.Detail, "cmd/bad/main.go:6:16: not enough arguments") || strings.Contains(build.Detail, unused) ||
				!strings.Contains(build.Detail, "already failing before the change: 1") {
				t.Errorf("build detail %q", build.Detail)
			}
		})
	}
}
