package workflow

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// statCacheRunner is the plain runner, but for go build, which also says,
// as the go command does when it stamps a binary with the module's
// version from git and cannot record that version in a read-only module
// cache, that it could not write its stat cache: a temp file's name with
// a random suffix, which differs from run to run.
type statCacheRunner struct {
	Exec
	cache string
	n     *atomic.Int64
}

func (r statCacheRunner) Run(ctx context.Context, c Command) (int, error) {
	code, err := r.Exec.Run(ctx, c)
	if c.Name == "go" && len(c.Args) > 0 && c.Args[0] == "build" {
		fmt.Fprintf(c.Output, "go: writing stat cache: open %s/cache/download/example.com/r/@v/v0.0.0-20250101000000-0123456789ab.info%d.tmp: permission denied\n",
			r.cache, 967130755+r.n.Add(1))
	}
	return code, err
}

// TestBuildStatCacheLine: the go command's note that it could not write
// its stat cache into the read-only module cache is no compile error:
// it is printed on every run, differently each time, and the build goes
// on. A change that adds no error to a project that already failed to
// build passes, and the failure is not put down to the module cache.
func TestBuildStatCacheLine(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("GOMODCACHE", cache)
	root := writeTree(t, map[string]string{
		"go.mod":          vetGoMod,
		"r.go":            vetR,
		"cmd/bad/main.go": "package main\n\nimport \"example.com/r\"\n\nfunc main() {\n\tx := r.Add(1, 2)\n}\n",
	})
	p, err := FromFile("refactor", "", "```go r.go\n"+strings.Replace(vetR, "// Add adds.", "// Add adds a and b.", 1)+"```\n", "", "go", reader(root))
	if err != nil {
		t.Fatal(err)
	}
	Validate(context.Background(), root, p, ValidateOptions{Toolchain: true, Runner: statCacheRunner{cache: cache, n: new(atomic.Int64)}})
	if got := strings.Join(checkNames(p), ","); got != "applies ok,syntax ok,go build ok,go vet ok" {
		t.Fatalf("checks %s; want go build ok\n%+v", got, p.Checks)
	}
	if d := p.Checks[2].Detail; strings.Contains(d, "stat cache") || strings.Contains(d, "go mod download") {
		t.Errorf("build detail %q", d)
	}
	if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "go build: already failing before the change: 1 (cmd/bad/main.go:6:2: declared and not used: x)") {
		t.Errorf("notes %q", p.Notes)
	}
}

// TestBuildNoVCSStamp: the checks build no binary anyone runs, so they do
// not stamp one with the module's version from git: the go command looks
// that version up through the module cache and records it there, which it
// cannot in the read-only module cache the checks are given (it then
// prints a line on every run), and which is not the checks' to write.
func TestBuildNoVCSStamp(t *testing.T) {
	needGit(t)
	cache := t.TempDir()
	t.Setenv("GOMODCACHE", cache)
	t.Setenv("GOFLAGS", "-buildvcs=auto")
	t.Setenv("GOPROXY", "off")
	root := writeTree(t, map[string]string{
		"go.mod":           vetGoMod,
		"r.go":             vetR,
		"cmd/good/main.go": "package main\n\nimport \"example.com/r\"\n\nfunc main() { println(r.Add(1, 2)) }\n",
	})
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "init"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", args[0], err, out)
		}
	}
	p := proposeFile(t, root, "r.go", strings.Replace(vetR, "// Add adds.", "// Add adds a and b.", 1))
	if got := strings.Join(checkNames(p), ","); got != "applies ok,syntax ok,go build ok,go vet ok" {
		t.Fatalf("checks %s; want go build ok\n%+v", got, p.Checks)
	}
	written, _ := filepath.Glob(filepath.Join(cache, "cache", "download", "example.com", "r", "@v", "*"))
	if len(written) > 0 {
		t.Errorf("the checks wrote %q into the module cache", written)
	}
	if _, err := os.Stat(filepath.Join(cache, "cache", "download", "example.com", "r")); err == nil {
		t.Errorf("the checks made the module's directory in the module cache")
	}
}
