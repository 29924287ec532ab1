package main

import (
	"bytes"
	"encoding/json"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goPackage is the part of `go list -json` these tests read.
type goPackage struct {
	ImportPath string
	Dir        string
	Doc        string
	Name       string
	GoFiles    []string
	Deps       []string
}

func listPackages(t *testing.T) []goPackage {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps=false", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	var pkgs []goPackage
	for dec.More() {
		var p goPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

// TestLayering enforces the architecture's rules of dependencies: the
// user interfaces and the providers never reach into storage or the mesh;
// they go through app, which the providers do not import either.
func TestLayering(t *testing.T) {
	const mod = "github.com/aiex-dev/aiex/"
	banned := []string{mod + "db", mod + "mesh"}
	// The providers are used by app, not the other way round: not even
	// app's small packages (usererr), so a provider's errors say what
	// went wrong and app decides how the user is told.
	providersBanned := append([]string{mod + "app"}, banned...)
	checked := 0
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(p.ImportPath, mod)
		if !strings.HasPrefix(rel, "ui/") && !strings.HasPrefix(rel, "providers/") && rel != "providers" {
			continue
		}
		checked++
		for _, dep := range p.Deps {
			for _, b := range providersBanned {
				if (dep == b || strings.HasPrefix(dep, b+"/")) && !strings.HasPrefix(rel, "ui/") {
					t.Errorf("%s depends on %s", p.ImportPath, dep)
				}
			}
		}
		// ui may reach the store only through app: not import db itself.
		if strings.HasPrefix(rel, "ui/") {
			for _, imp := range directImports(t, p) {
				for _, b := range banned {
					if imp == b || strings.HasPrefix(imp, b+"/") {
						t.Errorf("%s imports %s; go through app", p.ImportPath, imp)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no ui/ or providers/ packages found")
	}
}

func directImports(t *testing.T, p goPackage) []string {
	t.Helper()
	var out []string
	fset := token.NewFileSet()
	for _, f := range p.GoFiles {
		af, err := parser.ParseFile(fset, filepath.Join(p.Dir, f), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			out = append(out, strings.Trim(imp.Path.Value, `"`))
		}
	}
	return out
}

// TestPackageDocs: every package says what it is for.
func TestPackageDocs(t *testing.T) {
	for _, p := range listPackages(t) {
		if strings.TrimSpace(p.Doc) == "" {
			t.Errorf("package %s (%s) has no doc comment", p.ImportPath, p.Dir)
		}
	}
}

// TestBinaryLeavesOut: packages the binary must not link, for their size
// (the binary's target is 60 MB): go/types is 1.2 MB, and once came in
// for one call that go/printer, already linked, does as well.
func TestBinaryLeavesOut(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 100 {
		t.Fatalf("go list -deps found only %d packages", len(deps))
	}
	for _, banned := range []string{"go/types"} {
		for _, d := range deps {
			if d == banned {
				t.Errorf("the aiex binary links %s; find what imports it (go list -deps -f '{{.ImportPath}}: {{.Imports}}' .)", banned)
			}
		}
	}
}
