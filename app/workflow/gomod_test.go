package workflow

import (
	"archive/zip"
	"cmp"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aymanbagabas/go-udiff"
)

// needGo skips a test that runs the go command where it is not
// installed, but fails it on CI, which has it.
func needGo(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("go is not installed: CI needs it to run this test")
		}
		t.Skip("go is not installed")
	}
}

// depVersions are the versions of example.com/dep the test proxy has:
// v1.1.0 drops X.
var depVersions = map[string]string{
	"v1.0.0": "package dep\n\n// X is x.\nvar X = 1\n\n// Y is y.\nvar Y = 2\n",
	"v1.1.0": "package dep\n\n// Y is y.\nvar Y = 2\n",
}

// depProxy lays out a module proxy (GOPROXY=file://…) holding
// depVersions, and returns its URL.
func depProxy(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "example.com", "dep", "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var list []string
	for v, src := range depVersions {
		list = append(list, v)
		mod := "module example.com/dep\n\ngo 1.22\n"
		files := map[string]string{
			v + ".info": `{"Version":"` + v + `","Time":"2024-01-01T00:00:00Z"}`,
			v + ".mod":  mod,
		}
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		f, err := os.Create(filepath.Join(dir, v+".zip"))
		if err != nil {
			t.Fatal(err)
		}
		z := zip.NewWriter(f)
		for name, data := range map[string]string{"go.mod": mod, "dep.go": src} {
			w, err := z.Create("example.com/dep@" + v + "/" + name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(data))
		}
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	if err := os.WriteFile(filepath.Join(dir, "list"), []byte(strings.Join(list, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.ToSlash(filepath.Dir(filepath.Dir(filepath.Dir(dir))))
}

// download fetches example.com/dep@version from proxy into the module
// cache cache, and returns its go.sum lines.
func download(t *testing.T, proxy, cache, version string) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", "example.com/dep@"+version)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GOPROXY="+proxy, "GOMODCACHE="+cache, "GOFLAGS=-modcacherw", "GOSUMDB=off", "GOTOOLCHAIN=local")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download: %v\n%s", err, out)
	}
	var m struct{ Sum, GoModSum string }
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return "example.com/dep " + version + " " + m.Sum + "\nexample.com/dep " + version + "/go.mod " + m.GoModSum + "\n"
}

// diffOf is a model's answer: a fenced unified diff making each file
// (path → content, "" for a new file's old side) of old what new says.
func diffOf(old, new map[string]string, order ...string) string {
	var b strings.Builder
	b.WriteString("```diff\n")
	for _, p := range order {
		from := "a/" + p
		if _, ok := old[p]; !ok {
			from = "/dev/null"
		}
		b.WriteString(udiff.Unified(from, "b/"+p, old[p], new[p]))
	}
	b.WriteString("```\n")
	return b.String()
}

// TestBuildWithModuleFiles: a change that adds a dependency changes
// go.mod and go.sum too, and the build sees them as the change leaves
// them. With the module in the module cache, the change builds; without
// it, and nothing to fetch it with (GOPROXY=off, or a proxy that cannot
// be reached), the build could not check the change, says why and what
// to fetch, and does not fail it; an import no required module provides
// fails it, saying (on its one line) what to do. A change of go.mod alone
// builds the module's packages: one that requires a version of a module
// without what the code uses fails.
func TestBuildWithModuleFiles(t *testing.T) {
	needGo(t)
	proxy := depProxy(t)
	cache := t.TempDir()
	sum1 := download(t, proxy, cache, "v1.0.0")
	both := t.TempDir() // a cache with both versions
	download(t, proxy, both, "v1.0.0")
	sum2 := download(t, proxy, both, "v1.1.0")
	t.Setenv("GOFLAGS", "-modcacherw")
	t.Setenv("GOSUMDB", "off")
	t.Setenv("GOTOOLCHAIN", "local")
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	unreachable := "http://" + closed.Addr().String()
	closed.Close()

	const mod = "module example.com/m\n\ngo 1.22\n"
	const m = "package m\n\n// Z is z.\nvar Z = 3\n"
	uses := "package m\n\nimport \"example.com/dep\"\n\n// W is dep's.\nvar W = dep.Y\n"
	withDep := func(v string) string { return mod + "\nrequire example.com/dep " + v + "\n" }
	for name, tc := range map[string]struct {
		proxy     string
		cache     string // "" for the one without v1.1.0
		old, new  map[string]string
		order     []string
		checks    string
		headline  string   // of the go build check
		detail    []string // in the go build check's detail
		notDetail string
	}{
		"in the module cache": {
			proxy: "off",
			old:   map[string]string{"go.mod": mod},
			new:   map[string]string{"go.mod": withDep("v1.0.0"), "go.sum": sum1, "uses.go": uses},
			order: []string{"go.mod", "go.sum", "uses.go"}, checks: "applies ok,syntax ok,go build ok,go vet ok",
		},
		"not in the module cache, GOPROXY=off": {
			proxy: "off",
			old:   map[string]string{"go.mod": mod},
			new:   map[string]string{"go.mod": withDep("v1.1.0"), "go.sum": sum2, "uses.go": uses},
			order: []string{"go.mod", "go.sum", "uses.go"}, checks: "applies ok,syntax ok,go build skipped,go vet skipped",
			headline: "could not check the change: it needs example.com/dep v1.1.0, which is not in the Go module cache",
			detail:   []string{"run go mod download example.com/dep@v1.1.0 in the project (outside aiex)", "module lookup disabled by GOPROXY=off"},
		},
		"not in the module cache, no network": {
			proxy: unreachable,
			old:   map[string]string{"go.mod": mod},
			new:   map[string]string{"go.mod": withDep("v1.1.0"), "go.sum": sum2, "uses.go": uses},
			order: []string{"go.mod", "go.sum", "uses.go"}, checks: "applies ok,syntax ok,go build skipped,go vet skipped",
			headline: "could not check the change: it needs example.com/dep v1.1.0, which is not in the Go module cache",
			detail:   []string{"connection refused"},
		},
		"in the module cache, without go.sum lines": {
			proxy: "off",
			old:   map[string]string{"go.mod": mod},
			new:   map[string]string{"go.mod": withDep("v1.0.0"), "uses.go": uses},
			order: []string{"go.mod", "uses.go"}, checks: "applies ok,syntax ok,go build skipped,go vet skipped",
			headline: "could not check the change: it needs go.sum lines for example.com/dep v1.0.0",
			detail:   []string{"run go mod tidy in the project after writing the change", "missing go.sum entry"},
		},
		"an import no module provides": {
			proxy: "off",
			old:   map[string]string{},
			new:   map[string]string{"uses.go": uses},
			order: []string{"uses.go"}, checks: "applies ok,syntax ok,go build failed",
			headline:  "uses.go:3:8: no required module provides package example.com/dep; to add it: go get example.com/dep",
			notDetail: "could not check",
		},
		"go.mod alone": {
			proxy: "off", cache: both,
			old:   map[string]string{"go.mod": withDep("v1.0.0"), "go.sum": sum1},
			new:   map[string]string{"go.mod": withDep("v1.1.0"), "go.sum": sum2},
			order: []string{"go.mod", "go.sum"}, checks: "applies ok,syntax skipped,go build failed",
			headline: "./old.go:6:13: undefined: dep.X",
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("GOPROXY", tc.proxy)
			t.Setenv("GOMODCACHE", cmp.Or(tc.cache, cache))
			files := map[string]string{"go.mod": mod, "m.go": m}
			for p, c := range tc.old {
				files[p] = c
			}
			if _, ok := tc.old["go.sum"]; ok {
				files["old.go"] = "package m\n\nimport \"example.com/dep\"\n\n// V is dep's.\nvar V = dep.X\n"
			}
			root := writeTree(t, files)
			before := treeHash(t, root)
			p, err := FromDiff("refactor", "m.go", diffOf(tc.old, tc.new, tc.order...), reader(root))
			if err != nil {
				t.Fatal(err)
			}
			Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
			if got := strings.Join(checkNames(p), ","); got != tc.checks {
				t.Fatalf("checks %s; want %s\n%+v", got, tc.checks, p.Checks)
			}
			var build Check
			for _, c := range p.Checks {
				if c.Name == "go build" {
					build = c
				}
			}
			if h := Headline(build.Detail); !strings.HasPrefix(h, tc.headline) {
				t.Errorf("go build's headline %q; want it to start %q", h, tc.headline)
			}
			for _, d := range tc.detail {
				if !strings.Contains(build.Detail, d) {
					t.Errorf("go build's detail lacks %q:\n%s", d, build.Detail)
				}
			}
			if tc.notDetail != "" && strings.Contains(build.Detail, tc.notDetail) {
				t.Errorf("go build's detail has %q:\n%s", tc.notDetail, build.Detail)
			}
			if treeHash(t, root) != before {
				t.Fatal("validation wrote into the project")
			}
		})
	}
}

// TestUnfetchedReadOnlyCache: in the sandbox the go command cannot even
// lock a module it would download in the read-only module cache: the
// change was not checked. A load error of another kind beside it fails
// the change.
func TestUnfetchedReadOnlyCache(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("GOMODCACHE", cache)
	denied := "go: downloading example.com/dep v1.1.0\nuses.go:3:8: open " + cache + "/cache/download/example.com/dep/@v/v1.1.0.lock: permission denied"
	failed := Check{Name: "go build", Status: Failed, Detail: denied}
	c := unfetched(failed, "/p", denied)
	if c.Status != Skipped || !strings.Contains(c.Detail, "run go mod download example.com/dep@v1.1.0 in the project") {
		t.Errorf("read-only cache: %+v", c)
	}
	both := denied + "\nother.go:3:8: no required module provides package example.com/x; to add it:\n\tgo get example.com/x"
	if c := unfetched(failed, "/p", both); c.Status != Failed {
		t.Errorf("with an import no module provides: %+v", c)
	}
}

// TestModuleCacheNotCreatable: a go command that cannot make its module
// cache (HOME without a writable GOPATH, so no $HOME/go/pkg/mod) builds
// nothing that requires a module, whatever the change: the change was not
// checked, which is this machine's problem, not the change's. (The tests
// run as root, whom no permission stops, so HOME is under a file: mkdir
// fails there as it does where it is denied.)
func TestModuleCacheNotCreatable(t *testing.T) {
	needGo(t)
	proxy := depProxy(t)
	sum := download(t, proxy, t.TempDir(), "v1.0.0")
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOCACHE", strings.TrimSpace(string(gocache))) // the build cache is not what is tested
	t.Setenv("HOME", filepath.Join(file, "home"))
	t.Setenv("GOPATH", "")
	t.Setenv("GOMODCACHE", "")
	t.Setenv("GOENV", "off")
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOSUMDB", "off")
	t.Setenv("GOTOOLCHAIN", "local")
	t.Setenv("GOFLAGS", "")

	const mod = "module example.com/m\n\ngo 1.22\n"
	root := writeTree(t, map[string]string{"go.mod": mod, "m.go": "package m\n\n// Z is z.\nvar Z = 3\n"})
	uses := "package m\n\nimport \"example.com/dep\"\n\n// W is dep's.\nvar W = dep.Y\n"
	withDep := mod + "\nrequire example.com/dep v1.0.0\n"
	p, err := FromDiff("refactor", "m.go", diffOf(map[string]string{"go.mod": mod},
		map[string]string{"go.mod": withDep, "go.sum": sum, "uses.go": uses}, "go.mod", "go.sum", "uses.go"), reader(root))
	if err != nil {
		t.Fatal(err)
	}
	Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
	if got := strings.Join(checkNames(p), ","); got != "applies ok,syntax ok,go build skipped,go vet skipped" {
		t.Fatalf("checks %s\n%+v", got, p.Checks)
	}
	build := p.Checks[2]
	for _, want := range []string{machineProblem, "could not create module cache"} {
		if !strings.Contains(build.Detail, want) {
			t.Errorf("go build's detail lacks %q:\n%s", want, build.Detail)
		}
	}
}

// TestUnsummed: a build stopped only by go.sum lines missing for modules
// the change's go.mod requires, in either of the go command's words, was
// not checked; one missing those of a module the change does not require,
// or stopped by anything else too, fails.
func TestUnsummed(t *testing.T) {
	root := t.TempDir()
	gomod := parse.Change{Path: "go.mod", OldPath: "go.mod", Content: []byte("module example.com/m\n\ngo 1.22\n\nrequire (\n\texample.com/dep v1.0.0 // indirect\n)\n")}
	const goModFile = "go: example.com/dep@v1.0.0: missing go.sum entry for go.mod file; to add it:\n\tgo mod download example.com/dep"
	const pkg = "uses.go:3:8: missing go.sum entry for module providing package example.com/dep/sub (imported by example.com/m); to add:\n\tgo get example.com/m"
	for name, tc := range map[string]struct {
		changes []parse.Change
		out     string
		want    string
	}{
		"go.mod file":                 {[]parse.Change{gomod}, goModFile, Skipped},
		"package":                     {[]parse.Change{gomod}, pkg, Skipped},
		"a module not required":       {[]parse.Change{gomod}, strings.ReplaceAll(pkg, "example.com/dep/sub", "example.com/other"), Failed},
		"and an import none provides": {[]parse.Change{gomod}, pkg + "\nm.go:3:8: no required module provides package example.com/x; to add it:\n\tgo get example.com/x", Failed},
		"go.mod unchanged":            {nil, pkg, Failed},
	} {
		t.Run(name, func(t *testing.T) {
			c := unsummed(Check{Name: "go build", Status: Failed, Detail: tc.out}, root, root, tc.changes, tc.out)
			if c.Status != tc.want {
				t.Fatalf("%+v; want %s", c, tc.want)
			}
			if tc.want == Skipped && !strings.HasPrefix(c.Detail, "could not check the change: it needs go.sum lines for example.com/dep v1.0.0,") {
				t.Errorf("detail %q", c.Detail)
			}
		})
	}
}
