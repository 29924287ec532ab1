package cli_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/db"
)

// TestRefactorApplyDiskFull: refactor --apply -y --json, when the data dir
// has no room to record the model's answer (here the history's row, which
// SQLite refuses as a full disk refuses it): the object keeps the
// proposal (the diff was valid), its error and stderr say the change was
// not written and why, and calc.go is as it was.
func TestRefactorApplyDiskFull(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	reply := "```diff\n--- a/calc.go\n+++ b/calc.go\n@@ -2,5 +2,5 @@\n \n-// Add adds.\n+// Add adds a and b.\n func Add(a, b int) int {\n \treturn a + b\n }\n```\n"
	dir, root := taskProject(t, reply)
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.Execute(ctx, db.Stmt(`CREATE TRIGGER history_full BEFORE UPDATE ON llm_interaction WHEN NEW.status = 'ok'
		BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`)); err != nil {
		t.Fatal(err)
	}
	a.Close(ctx)

	r := runIn(nil, false, "--data-dir", dir, "--json", "refactor", "calc.go", "--goal", "say what it adds", "-m", "tiny", "--no-build", "--apply", "-y")
	if r.code != 1 {
		t.Fatalf("exit %d; want 1\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	var out taskOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v:\n%s", err, r.stdout)
	}
	if out.Proposal == nil || !strings.Contains(out.Proposal.Diff, "Add adds a and b") {
		t.Errorf("proposal %+v; want the answer's diff", out.Proposal)
	}
	for _, msg := range []string{out.Error, r.stderr} {
		if !strings.Contains(msg, "the change was not written") || !strings.Contains(msg, "is full") || !strings.Contains(msg, "not recorded in history") &&
			!strings.Contains(msg, "neither history nor") && !strings.Contains(msg, "but not in history yet") {
			t.Errorf("message %q; want it to say the change was not written, the disk full, and the history's record not written", msg)
		}
	}
	if got := readFile(t, root, "calc.go"); got != taskCalcGo {
		t.Errorf("calc.go changed:\n%s", got)
	}
}
