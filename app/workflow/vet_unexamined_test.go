package workflow

import (
	"strings"
	"testing"
)

// TestBuildDependencyAlreadyFailing: when a package the changed one
// imports already failed to type-check, the go command never compiles
// the changed package, so its output with the change is the same as
// without it whatever the change does. The check must not pass as "the
// change adds none": it is skipped, naming the package that stops it.
func TestBuildDependencyAlreadyFailing(t *testing.T) {
	root := writeTree(t, map[string]string{
		"go.mod":       "module example.com/g3\n\ngo 1.22\n",
		"util/util.go": "package util\n\n// One is one.\nfunc One() int { return \"one\" }\n",
		"calc/calc.go": "package calc\n\nimport \"example.com/g3/util\"\n\n// Add adds.\nfunc Add(a, b int) int {\n\treturn a + util.One()\n}\n",
	})
	before := treeHash(t, root)
	p := proposeFile(t, root, "calc/calc.go", "package calc\n\nimport \"example.com/g3/util\"\n\n// Add adds.\nfunc Add(a, b int) int {\n\treturn a + util.One() + \"x\"\n}\n")
	if got := strings.Join(checkNames(p), ","); got != "applies ok,syntax ok,go build skipped,go vet skipped" {
		t.Fatalf("checks %s; want go build skipped\n%+v\nnotes %q", got, p.Checks, p.Notes)
	}
	build := p.Checks[2]
	if !strings.Contains(build.Detail, "could not check calc: example.com/g3/util, which it imports, already fails to build") {
		t.Errorf("build detail %q does not say why calc was not checked", build.Detail)
	}
	for _, n := range p.Notes {
		if strings.Contains(n, "adds none") {
			t.Errorf("note %q claims the change adds no error", n)
		}
	}
	if treeHash(t, root) != before {
		t.Fatal("validation wrote into the project")
	}
}

// TestVetTestFileAlreadyFailing: a _test.go file that does not
// type-check stops go vet before its analyzers run on the package, so a
// finding the change adds (a bad Sprintf) is not printed with or without
// the change; go vet is skipped, saying so, not passed.
func TestVetTestFileAlreadyFailing(t *testing.T) {
	root := writeTree(t, map[string]string{
		"go.mod":    vetGoMod,
		"r.go":      vetR,
		"r_test.go": "package r\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) { var x int = \"s\"; _ = x }\n",
	})
	code := strings.Replace(strings.Replace(vetR, "return a + b", "_ = fmt.Sprintf(\"%d\")\n\treturn a + b", 1), "package r\n", "package r\n\nimport \"fmt\"\n", 1)
	p := proposeFile(t, root, "r.go", code)
	if got := strings.Join(checkNames(p), ","); got != "applies ok,syntax ok,go build ok,go vet skipped" {
		t.Fatalf("checks %s; want go vet skipped\n%+v\nnotes %q", got, p.Checks, p.Notes)
	}
	if vet := p.Checks[3]; !strings.Contains(vet.Detail, "could not check r: ") || !strings.Contains(vet.Detail, "r_test.go") {
		t.Errorf("vet detail %q does not say why", vet.Detail)
	}
}
