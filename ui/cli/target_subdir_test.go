package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestContextTakesPathsAsPrinted: in a subdirectory of the project, a
// PATH:LINE as aiex search prints it, relative to the project's root,
// is a target of aiex context, and the hint of a name that named units of
// the same name gives paths that take them from there.
func TestContextTakesPathsAsPrinted(t *testing.T) {
	proj, dir := indexedProject(t, map[string]string{
		".git/HEAD":             "ref: refs/heads/main\n",
		"tricky/cgo_unix.go":    "package tricky\n\nfunc Plat() int { return 1 }\n\nfunc CAdd(a, b int) int { return a + b }\n",
		"tricky/plat_other.go":  "package tricky\n\nfunc Plat() int { return 2 }\n",
		"tricky/sub/nothing.go": "package sub\n",
	})
	t.Chdir(filepath.Join(proj, "tricky"))
	r := runCLI(t, false, nil, "--data-dir", dir, "context", "--window", "4000", "tricky/cgo_unix.go:5")
	if r.code != 0 || !strings.Contains(r.stdout, "tricky.CAdd") {
		t.Fatalf("context tricky/cgo_unix.go:5 in tricky: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, false, nil, "--data-dir", dir, "context", "--window", "4000", "tricky.Plat")
	_, hint, _ := strings.Cut(r.stdout, "; give ")
	take, _, found := strings.Cut(hint, " to take it")
	if r.code != 0 || !found {
		t.Fatalf("context tricky.Plat: exit %d; want a hint with a PATH:LINE\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, wd := range []string{"tricky", "tricky/sub", "."} {
		t.Chdir(filepath.Join(proj, wd))
		r := runCLI(t, false, nil, "--data-dir", dir, "context", "--window", "4000", take)
		if r.code != 0 || !strings.Contains(r.stdout, "tricky.Plat") || strings.Contains(r.stdout, "also named so") {
			t.Errorf("context %s in %s: exit %d; want the other Plat\n%s%s", take, wd, r.code, r.stdout, r.stderr)
		}
	}
}
