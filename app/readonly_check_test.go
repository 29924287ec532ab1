package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/workflow"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestRefactorOfReadOnlyFileFailsItsChecks: a refactor of a file the user
// made read-only fails its sandbox check in the dry run already, naming
// the file and what to do, rather than pass and be refused only once the
// user said to write it; a writable file passes (the check is listed only
// when it fails).
func TestRefactorOfReadOnlyFileFailsItsChecks(t *testing.T) {
	ctx := context.Background()
	reply := "```diff\n--- a/calc/calc.go\n+++ b/calc/calc.go\n@@ -3,2 +3,2 @@\n // Add adds.\n-func Add(a, b int) int { return a + b }\n+func Add(a, b int) int { return b + a }\n```\n"
	root := calcProject(t)
	fake := providertest.NewOllama(t, providertest.WithReply(reply))
	t.Setenv("OLLAMA_HOST", fake.URL())
	a, err := app.New(ctx, app.Config{DataDir: t.TempDir(), ConfigPath: filepath.Join(t.TempDir(), "none.toml"), File: app.File{Model: "tiny"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	sandboxCheck := func() workflow.Check {
		t.Helper()
		res, err := a.Refactor(ctx, app.TaskRequest{Root: root, Target: "calc/calc.go", Goal: "g", Actor: "test"}, func(string) error { return nil })
		if err != nil || res == nil || res.Proposal == nil {
			t.Fatalf("refactor: %v %+v", err, res)
		}
		for _, c := range res.Proposal.Checks {
			if c.Name == "sandbox" {
				return c
			}
		}
		return workflow.Check{} // shown only when it fails
	}
	if c := sandboxCheck(); c.Status == workflow.Failed {
		t.Fatalf("writable file: sandbox check %+v; want it passed", c)
	}
	if err := os.Chmod(filepath.Join(root, "calc/calc.go"), 0o444); err != nil {
		t.Fatal(err)
	}
	c := sandboxCheck()
	if c.Status != workflow.Failed || !strings.Contains(c.Detail, "calc/calc.go is read-only (mode 0444)") || !strings.Contains(c.Detail, "chmod u+w calc/calc.go") {
		t.Errorf("read-only file: sandbox check %+v; want it failed naming the file and what to do", c)
	}
}
