package index

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFindRoot: the nearest .git, else the outermost go.mod, go.work or
// mix.exs below the home directory, else the directory itself.
func TestFindRoot(t *testing.T) {
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(base, "home")
	t.Setenv("HOME", home)
	for _, f := range []string{
		"home/go.mod", // a stray one in the home directory counts for nothing
		"home/gomod/go.mod", "home/gomod/internal/cache/cache.go",
		"home/umbrella/mix.exs", "home/umbrella/apps/a/mix.exs", "home/umbrella/apps/a/lib/a.ex",
		"home/repo/.git/HEAD", "home/repo/sub/go.mod", "home/repo/sub/x/x.go",
		"home/plain/x/y.txt",
		"home/work/go.work", "home/work/svc/go.mod", "home/work/svc/main.go", "home/work/lib/go.mod",
	} {
		p := filepath.Join(base, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for dir, want := range map[string]string{
		"home/gomod/internal/cache": "home/gomod",
		"home/gomod":                "home/gomod",
		"home/umbrella/apps/a/lib":  "home/umbrella",
		"home/repo/sub/x":           "home/repo",
		"home/plain/x":              "home/plain/x",
		"home/work/svc":             "home/work", // a workspace: all its modules
		"home":                      "home",
	} {
		got, err := FindRoot(filepath.Join(base, dir))
		if err != nil {
			t.Fatal(err)
		}
		if got != filepath.Join(base, want) {
			t.Errorf("FindRoot(%s) = %s, want %s", dir, got, filepath.Join(base, want))
		}
	}
}
