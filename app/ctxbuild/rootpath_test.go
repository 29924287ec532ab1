package ctxbuild

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTargetPathFromRoot: in a subdirectory of the project, a path as aiex
// prints it, relative to the project's root (tricky/cgo_unix.go:16 from
// tricky), names its file, whole or at a line; where the current
// directory has a file of that path too, that one is taken. A file
// deleted since it was indexed is said to be so by either path.
func TestTargetPathFromRoot(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"tricky/cgo_unix.go": "package tricky\n\nfunc Plat() int { return 1 }\n\nfunc CAdd(a, b int) int { return a + b }\n",
		"tricky/gone.go":     "package tricky\n\nfunc Gone() {}\n",
		"x.go":               "package r\n\nfunc RootX() {}\n",
		"tricky/x.go":        "package tricky\n\nfunc TrickyX() {}\n",
	})
	t.Chdir(filepath.Join(e.root, "tricky"))
	for _, tc := range []struct{ target, name string }{
		{"tricky/cgo_unix.go:5", "tricky.CAdd"},
		{"tricky/cgo_unix.go", "tricky/cgo_unix.go"},
		{"cgo_unix.go:3", "tricky.Plat"},
		{"x.go:3", "tricky.TrickyX"}, // the current directory's x.go
		{"../x.go:3", "r.RootX"},
	} {
		c := e.build(t, Request{Target: tc.target, Question: "q", Window: 8000})
		if c.Target == nil || c.Target.Name != tc.name {
			t.Errorf("%s took %+v; want %s", tc.target, c.Target, tc.name)
		}
	}
	if err := os.Remove(filepath.Join(e.root, "tricky/gone.go")); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"tricky/gone.go", "gone.go:3"} {
		_, err := e.b.Build(t.Context(), Request{Root: e.root, Task: "explain", Target: target, Window: 8000, Count: o200k})
		if err == nil || !strings.Contains(err.Error(), "tricky/gone.go was deleted since it was indexed") {
			t.Errorf("%s: %v; want deleted since indexed", target, err)
		}
	}
}
