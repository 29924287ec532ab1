package cli_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/db"
)

// TestOtherVersionIndexWarned: an index another version of aiex made (its
// rows name another analyzer) is used with a warning by search, context,
// explain and ask, in --json too; the next aiex index says the files were
// analysed again because aiex changed, not that they changed, and the
// warning goes.
func TestOtherVersionIndexWarned(t *testing.T) {
	dir, root := taskProject(t, "an answer")
	writeTree(t, root, map[string]string{"lib/lib.go": "package lib\n\n// Twice doubles n.\nfunc Twice(n int) int { return 2 * n }\n"})
	if r := runIn(nil, false, "--data-dir", dir, "index"); r.code != 0 {
		t.Fatalf("index: exit %d: %s", r.code, r.stderr)
	}
	// The rows as an older aiex left them.
	ctx := context.Background()
	st, err := db.Open(ctx, db.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	old := "index.v1/chunk.v1/hybrid-8192"
	_, err = st.Execute(ctx, db.Stmt(`UPDATE code_projects SET analyzer = ?`, old+"/generic"),
		db.Stmt(`UPDATE code_files SET analyzer = replace(analyzer, ?, ?)`, index.Version(), old))
	if cerr := st.Close(ctx); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	const want = "was made by another version of aiex: its chunks and references may differ from what this one makes; run aiex index at the project's root to rebuild it"
	commands := [][]string{
		{"search", "Twice"},
		{"context", "--window", "4000", "lib.Twice"},
		{"explain", "lib.Twice"},
		{"ask", "what does lib.Twice do?"},
	}
	for _, args := range commands {
		r := runIn(nil, false, append([]string{"--data-dir", dir}, args...)...)
		if r.code != 0 || !strings.Contains(r.stderr, "warning: ") || !strings.Contains(r.stderr, want) {
			t.Errorf("%s over an older aiex's index: exit %d, stderr %q; want a warning saying %q", args[0], r.code, r.stderr, want)
		}
	}
	var got struct {
		Warning      string `json:"warning"`
		OtherVersion bool   `json:"other_version"`
	}
	for _, args := range [][]string{{"search", "Twice"}, {"context", "--window", "4000", "lib.Twice"}} {
		got.OtherVersion = false
		r := runIn(nil, false, append([]string{"--data-dir", dir, "--json"}, args...)...)
		if err := json.Unmarshal([]byte(r.stdout), &got); r.code != 0 || err != nil || !got.OtherVersion {
			t.Errorf("%s --json: exit %d, %v, other_version %v; want true", args[0], r.code, err, got.OtherVersion)
		}
	}
	r := runIn(nil, false, "--data-dir", dir, "--json", "explain", "lib.Twice")
	if err := json.Unmarshal([]byte(r.stdout), &got); r.code != 0 || err != nil || !strings.Contains(got.Warning, want) {
		t.Errorf("explain --json: exit %d, %v, warning %q; want %q", r.code, err, got.Warning, want)
	}

	r = runIn(nil, false, "--data-dir", dir, "index")
	if r.code != 0 || !strings.Contains(r.stdout, "2 files, 0 changed, 2 analysed again") || !strings.Contains(r.stdout, "2 files indexed by another version of aiex") {
		t.Errorf("index after the upgrade: exit %d, stdout %q; want 0 changed, 2 analysed again, and why", r.code, r.stdout)
	}
	for _, args := range commands {
		if r := runIn(nil, false, append([]string{"--data-dir", dir}, args...)...); r.code != 0 || strings.Contains(r.stderr, "another version") {
			t.Errorf("%s after aiex index: exit %d, stderr %q; want no warning", args[0], r.code, r.stderr)
		}
	}
}
