package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestIncompleteIndexWarned: on a fresh data dir, aiex index of a part of
// the project (lib) finishes, but no run over the whole project has: what
// it did not reach (main.go) is in no search hit and no context. Search,
// context, explain and ask with code say so, in words true of a part
// indexed as of a first run interrupted (not "did not finish"), and stop
// saying it once aiex index has run at the root.
func TestIncompleteIndexWarned(t *testing.T) {
	dir, root := taskProject(t, "an answer")
	writeTree(t, root, map[string]string{"lib/lib.go": "package lib\n\n// Twice doubles n.\nfunc Twice(n int) int { return 2 * n }\n"})
	if r := runIn(nil, false, "--data-dir", dir, "index", "lib"); r.code != 0 {
		t.Fatalf("index lib: exit %d: %s", r.code, r.stderr)
	}
	const want = "no run over the whole project has finished yet (the first was interrupted, or only part of it was indexed): " +
		"what it did not reach is missing; run aiex index at the project's root"
	commands := [][]string{
		{"search", "Twice"},
		{"context", "--window", "4000", "lib.Twice"},
		{"explain", "lib.Twice"},
		{"ask", "what does lib.Twice do?"},
	}
	for _, args := range commands {
		r := runIn(nil, false, append([]string{"--data-dir", dir}, args...)...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", args[0], r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "warning: ") || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "did not finish") {
			t.Errorf("%s after aiex index lib: stderr %q; want a warning saying %q", args[0], r.stderr, want)
		}
	}
	// ask --json carries it in its warning field.
	r := runIn(nil, false, "--data-dir", dir, "--json", "explain", "lib.Twice")
	var got struct {
		Warning string `json:"warning"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); r.code != 0 || err != nil || !strings.Contains(got.Warning, want) {
		t.Errorf("explain --json: exit %d, %v, warning %q; want %q\n%s", r.code, err, got.Warning, want, r.stderr)
	}

	if r := runIn(nil, false, "--data-dir", dir, "index"); r.code != 0 {
		t.Fatalf("index: exit %d: %s", r.code, r.stderr)
	}
	for _, args := range commands {
		if r := runIn(nil, false, append([]string{"--data-dir", dir}, args...)...); r.code != 0 || strings.Contains(r.stderr, "whole project") {
			t.Errorf("%s after aiex index: exit %d, stderr %q; want no warning", args[0], r.code, r.stderr)
		}
	}
}
