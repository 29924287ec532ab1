package workflow

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// notLoadedTree is a module whose package store imports example.com/dep,
// a module outside it (a replace directive's directory, at depth below
// the module's root) that imports example.com/missing, which is replaced
// by a directory that does not exist: the go command cannot load dep,
// with or without a change, and compiles nothing. It stands for a
// dependency the read-only module cache lacks, offline.
func notLoadedTree(t *testing.T, depth int) (root string) {
	t.Helper()
	base := t.TempDir()
	mod := filepath.Join(append([]string{base}, strings.Split(strings.Repeat("d/", depth)+"m", "/")...)...)
	dep := filepath.Join(base, "dep")
	rel, err := filepath.Rel(mod, dep)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		filepath.Join(dep, "go.mod"): "module example.com/dep\n\ngo 1.22\n\nrequire example.com/missing v1.0.0\n",
		filepath.Join(dep, "dep.go"): "package dep\n\nimport \"example.com/missing\"\n\n// X is x.\nvar X = missing.X\n",
		filepath.Join(mod, "go.mod"): fmt.Sprintf("module example.com/m\n\ngo 1.22\n\nrequire (\n\texample.com/dep v1.0.0\n\texample.com/missing v1.0.0\n)\n\n"+
			"replace example.com/dep => %s\n\nreplace example.com/missing => %s\n", filepath.ToSlash(rel), filepath.ToSlash(filepath.Join(rel, "..", "nowhere"))),
		filepath.Join(mod, "store", "state.go"): storeState,
	}
	for f, c := range files {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return mod
}

const storeState = "package store\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/dep\"\n)\n\n// F fails.\nfunc F() error {\n\t_ = dep.X\n\treturn fmt.Errorf(\"x\")\n}\n"

// TestBuildDependencyNotLoaded: a package the changed one imports cannot
// be loaded before the change or after it, so the go command stops
// before it compiles anything, and its output is the same whatever the
// change does. A type error the change adds must not pass as "the change
// adds none": go build is skipped, naming the package that could not be
// loaded by its import path, whether the go command names its file
// relative to the module (../dep/dep.go) or, being nearer the root,
// absolute (as it names the module cache's).
func TestBuildDependencyNotLoaded(t *testing.T) {
	for _, depth := range []int{0, 30} {
		t.Run(fmt.Sprintf("depth %d", depth), func(t *testing.T) {
			root := notLoadedTree(t, depth)
			before := treeHash(t, root)
			p := proposeFile(t, root, "store/state.go", strings.Replace(storeState, `return fmt.Errorf("x")`, `return fmt.Errorf("x") + 1`, 1))
			if got := strings.Join(checkNames(p), ","); got != "applies ok,syntax ok,go build skipped,go vet skipped" {
				t.Fatalf("checks %s; want go build skipped\n%+v\nnotes %q", got, p.Checks, p.Notes)
			}
			build := p.Checks[2]
			want := "could not check store: the go command stopped before it compiled any package: example.com/dep could not be loaded (example.com/missing@v1.0.0: replacement directory "
			if !strings.Contains(build.Detail, want) {
				t.Errorf("build detail %q\ndoes not say %q", build.Detail, want)
			}
			if depth > 0 && !strings.Contains(build.Detail, string(filepath.Separator)+"dep.go:3:8: ") {
				t.Errorf("build detail %q: want the go command's absolute path of dep.go", build.Detail)
			}
			for _, n := range p.Notes {
				if strings.Contains(n, "adds none") {
					t.Errorf("note %q claims the change adds no error", n)
				}
			}
			if treeHash(t, root) != before {
				t.Fatal("validation wrote into the project")
			}
		})
	}
}

// TestUncheckedOutsideModule: the go command's own output, as it printed
// it on a module whose dependency lacked a module in the read-only module
// cache, names the package it could not load by its import path, not by a
// file path glued to the module's path, and says which module to
// download. A package outside the module that fails to compile (under
// its "# path" header) is named by that path.
func TestUncheckedOutsideModule(t *testing.T) {
	t.Setenv("GOMODCACHE", "/root/go/pkg/mod")
	const loadOut = "go: downloading golang.org/x/sys v0.35.0\n" +
		"/root/go/pkg/mod/github.com/mattn/go-isatty@v0.0.20/isatty_tcgets.go:8:8: open /root/go/pkg/mod/cache/download/golang.org/x/sys/@v/v0.35.0.lock: permission denied\n" +
		"/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.5.0/internal/tz.go:3:8: open /root/go/pkg/mod/cache/download/golang.org/x/sys/@v/v0.35.0.lock: permission denied\n"
	const compileOut = "# github.com/mattn/go-isatty\n/root/go/pkg/mod/github.com/mattn/go-isatty@v0.0.20/isatty_tcgets.go:12:9: undefined: unix.IoctlGetTermios\n"
	b := baseline{modRoot: "/src/rqlite", root: "/src/rqlite", changed: []string{"./store"},
		graph: &goPackages{module: "github.com/rqlite/rqlite/v8", paths: map[string]string{"./store": "github.com/rqlite/rqlite/v8/store"}}}
	for _, tc := range []struct {
		name, out string
		vet       bool
		want      string
	}{
		{"load, build", loadOut, false, "could not check store: the go command stopped before it compiled any package: github.com/mattn/go-isatty could not be loaded (open /root/go/pkg/mod/cache/download/golang.org/x/sys/@v/v0.35.0.lock: permission denied)"},
		{"load, vet", loadOut, true, "could not check store: the go command stopped before it compiled any package: github.com/mattn/go-isatty could not be loaded"},
		{"compile, vet", compileOut, true, "could not check store: github.com/mattn/go-isatty, which the build needs, already fails to build"},
		{"compile, build", compileOut, false, "could not check store: github.com/mattn/go-isatty, which the build needs, already fails to build"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := b.unchecked(diagnostics(tc.out, b.modRoot, nil), tc.vet)
			if got != tc.want && !strings.HasPrefix(got, tc.want) {
				t.Errorf("unchecked:\n got %q\nwant %q", got, tc.want)
			}
			if strings.Contains(got, "//") {
				t.Errorf("unchecked %q glues a file path to the module path", got)
			}
		})
	}
	if got := outsidePackage("/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.5.0/internal", "/root/go/pkg/mod"); got != "github.com/BurntSushi/toml/internal" {
		t.Errorf("outsidePackage = %q; want github.com/BurntSushi/toml/internal", got)
	}
	want := "golang.org/x/sys v0.35.0 is not in the Go module cache, which the checks may read but not add to: run go mod download in the project (outside aiex), then try again."
	if got := loadHint(loadOut); got != want {
		t.Errorf("loadHint:\n got %q\nwant %q", got, want)
	}
}

// listFails is the plain runner, but for go list, which fails as it does
// for a whole module when one package of it cannot be loaded (seen with a
// module the read-only module cache lacks, in a directory unrelated to
// the change).
type listFails struct{ Exec }

func (r listFails) Run(ctx context.Context, c Command) (int, error) {
	if c.Name == "go" && len(c.Args) > 0 && c.Args[0] == "list" {
		fmt.Fprintln(c.Output, "go: downloading golang.org/x/sys v0.35.0")
		fmt.Fprintln(c.Output, "go: golang.org/x/sys@v0.35.0: open /root/go/pkg/mod/cache/download/golang.org/x/sys/@v/v0.35.0.lock: permission denied")
		return 1, nil
	}
	return r.Exec.Run(ctx, c)
}

// TestBuildImportersWhenListFails: when go list cannot list the module,
// the packages that import a changed one are still built, found from
// the module's files: a rename (in the package and its test) that breaks
// an importer fails go build, as it does when go list works.
func TestBuildImportersWhenListFails(t *testing.T) {
	const progress = "package progress\n\n// NewCountingReader counts.\nfunc NewCountingReader() int { return 1 }\n"
	root := writeTree(t, map[string]string{
		"go.mod":                             "module example.com/m\n\ngo 1.22\n",
		"internal/progress/progress.go":      progress,
		"internal/progress/progress_test.go": "package progress\n\nimport \"testing\"\n\nfunc TestCount(t *testing.T) {\n\tif NewCountingReader() != 1 {\n\t\tt.Fatal()\n\t}\n}\n",
		"store/gzip/gzip.go":                 "package gzip\n\nimport \"example.com/m/internal/progress\"\n\n// N is n.\nfunc N() int { return progress.NewCountingReader() }\n",
		"command/chunking.go":                "package command\n\nimport \"example.com/m/store/gzip\"\n\n// M is m.\nfunc M() int { return gzip.N() }\n",
		"unrelated/unrelated.go":             "package unrelated\n\n// U is u.\nfunc U() {}\n",
	})
	diff := "--- a/internal/progress/progress.go\n+++ b/internal/progress/progress.go\n@@ -1,4 +1,4 @@\n package progress\n \n-// NewCountingReader counts.\n-func NewCountingReader() int { return 1 }\n+// NewCounter counts.\n+func NewCounter() int { return 1 }\n" +
		"--- a/internal/progress/progress_test.go\n+++ b/internal/progress/progress_test.go\n@@ -3,7 +3,7 @@\n import \"testing\"\n \n func TestCount(t *testing.T) {\n-\tif NewCountingReader() != 1 {\n+\tif NewCounter() != 1 {\n \t\tt.Fatal()\n \t}\n }\n"
	p, err := FromDiff("refactor", "", "```diff\n"+diff+"```\n", reader(root))
	if err != nil {
		t.Fatal(err)
	}
	Validate(context.Background(), root, p, ValidateOptions{Toolchain: true, Runner: listFails{}})
	if got := strings.Join(checkNames(p), ","); got != "applies ok,syntax ok,go build failed" {
		t.Fatalf("checks %s; want go build failed\n%+v", got, p.Checks)
	}
	if d := p.Checks[2].Detail; !strings.Contains(d, "store/gzip/gzip.go") || !strings.Contains(d, "NewCountingReader") {
		t.Errorf("build detail %q does not name the broken importer", d)
	}
}
