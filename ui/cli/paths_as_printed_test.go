package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChunksAndIndexTakePathsAsPrinted: in a directory of a workspace,
// chunks and index take a file by the path relative to the project's root
// that search and context print, as context does; a file of that name
// here is taken first.
func TestChunksAndIndexTakePathsAsPrinted(t *testing.T) {
	proj, dir := indexedProject(t, map[string]string{
		"go.work":      "go 1.22\n\nuse ./a\n",
		"a/go.mod":     "module a\n\ngo 1.22\n",
		"a/sub/x.go":   "package sub\n\n// X is one.\nfunc X() int { return 1 }\n",
		"a/sub/y.go":   "package sub\n\nfunc Y() int { return 2 }\n",
		"a/sub/a/y.go": "package a\n\nfunc Near() int { return 3 }\n",
	})
	t.Chdir(filepath.Join(proj, "a", "sub"))

	r := runCLI(t, false, nil, "--data-dir", dir, "chunks", "a/sub/x.go")
	if r.code != 0 || !strings.Contains(r.stdout, "X") {
		t.Errorf("chunks a/sub/x.go in a/sub: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// a/y.go is a file here too: the current directory's is taken.
	r = runCLI(t, false, nil, "--data-dir", dir, "chunks", "a/y.go")
	if r.code != 0 || !strings.Contains(r.stdout, "Near") {
		t.Errorf("chunks a/y.go in a/sub: exit %d; want the file here, a/sub/a/y.go\n%s%s", r.code, r.stdout, r.stderr)
	}

	if err := os.WriteFile(filepath.Join(proj, "a", "sub", "x.go"), []byte("package sub\n\nfunc X() int { return 1 }\n\nfunc Xs() int { return 11 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, false, nil, "--data-dir", dir, "--json", "index", "a/sub/x.go")
	if r.code != 0 || !strings.Contains(r.stdout, `"under":"a/sub/x.go"`) && !strings.Contains(r.stdout, `"under": "a/sub/x.go"`) {
		t.Fatalf("index a/sub/x.go in a/sub: exit %d; want a/sub/x.go indexed\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, false, nil, "--data-dir", dir, "search", "Xs")
	if r.code != 0 || !strings.Contains(r.stdout, "a/sub/x.go") {
		t.Errorf("search Xs after index a/sub/x.go: exit %d; want the new function found\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A path that names nothing, here or under the root, is still refused.
	r = runCLI(t, false, nil, "--data-dir", dir, "chunks", "a/sub/none.go")
	if r.code != 2 || !strings.Contains(r.stderr, "a/sub/none.go does not exist") {
		t.Errorf("chunks a/sub/none.go: exit %d, %q", r.code, r.stderr)
	}
}
