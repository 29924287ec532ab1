package cli_test

import (
	"strings"
	"testing"
)

// TestContextWarningsPrefixed: context's warnings start "aiex: warning: "
// as search's, index's and explain's do, so one pattern finds them all on
// stderr.
func TestContextWarningsPrefixed(t *testing.T) {
	dir, root := taskProject(t, "an answer")
	writeTree(t, root, map[string]string{"lib/lib.go": "package lib\n\n// Twice doubles n.\nfunc Twice(n int) int { return 2 * n }\n"})
	if r := runIn(nil, false, "--data-dir", dir, "index", "lib"); r.code != 0 {
		t.Fatalf("index lib: exit %d: %s", r.code, r.stderr)
	}
	// lib.go changed since it was indexed, and only lib was indexed: two
	// warnings.
	writeTree(t, root, map[string]string{"lib/lib.go": "package lib\n\n// Twice doubles n.\nfunc Twice(n int) int { return n + n }\n"})
	r := runIn(nil, false, "--data-dir", dir, "context", "--window", "4000", "lib.Twice")
	if r.code != 0 {
		t.Fatalf("context: exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) < 2 {
		t.Fatalf("context: stderr %q; want a warning for the changed file and one for the part indexed", r.stderr)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "aiex: warning: ") {
			t.Errorf("context: stderr line %q does not start %q", l, "aiex: warning: ")
		}
	}
}
