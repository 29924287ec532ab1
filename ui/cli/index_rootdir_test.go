package cli_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestIndexTakesDirectoriesAsPrinted: in a directory of the project,
// index takes a directory by the path relative to the project's root that
// search and context print, as it takes a file; a directory of that name
// here is taken first, and a path that is in neither place is refused as
// before.
func TestIndexTakesDirectoriesAsPrinted(t *testing.T) {
	proj, dir := indexedProject(t, map[string]string{
		"go.work":      "go 1.22\n\nuse ./a\n",
		"a/go.mod":     "module a\n\ngo 1.22\n",
		"a/sub/x.go":   "package sub\n\nfunc X() int { return 1 }\n",
		"a/sub/a/y.go": "package a\n\nfunc Near() int { return 3 }\n",
		"b/z.go":       "package b\n\nfunc Z() int { return 4 }\n",
	})
	t.Chdir(filepath.Join(proj, "a", "sub"))

	under := func(path string) string {
		t.Helper()
		r := runCLI(t, false, nil, "--data-dir", dir, "--json", "index", path)
		var res struct {
			Under string `json:"under"`
		}
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &res) != nil {
			t.Errorf("index %s in a/sub: exit %d\n%s%s", path, r.code, r.stdout, r.stderr)
		}
		return res.Under
	}
	for _, tc := range []struct{ path, want string }{
		{"a/sub", "a/sub"},  // relative to the root: none here
		{"b", "b"},          // likewise
		{"a", "a/sub/a"},    // a directory here of that name comes first
		{".", "a/sub"},      // the current directory
		{"a/sub/", "a/sub"}, // a trailing slash changes nothing
		{"../../b", "b"},    // relative to here, as ever
	} {
		if got := under(tc.path); got != tc.want {
			t.Errorf("index %s in a/sub indexed %q; want %q", tc.path, got, tc.want)
		}
	}

	r := runCLI(t, false, nil, "--data-dir", dir, "index", "nope/dir")
	if r.code != 2 || !strings.Contains(r.stderr, "a/sub/nope/dir does not exist") {
		t.Errorf("index nope/dir: exit %d, %q; want it refused as a path of here", r.code, r.stderr)
	}
}
