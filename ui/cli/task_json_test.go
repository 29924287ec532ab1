package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

const taskCalcGo = "package calc\n\n// Add adds.\nfunc Add(a, b int) int {\n\treturn a + b\n}\n"

// taskProject makes a Go module holding calc.go, the current directory for
// the test, and a fake Ollama that answers every request with reply.
func taskProject(t *testing.T, reply string) (dataDir, root string) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	fake := providertest.NewOllama(t, providertest.WithReply(reply))
	t.Setenv("OLLAMA_HOST", fake.URL())
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"go.mod": "module example.com/calc\n\ngo 1.22\n", "calc.go": taskCalcGo} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(root)
	return t.TempDir(), root
}

// taskOut is what refactor --json prints.
type taskOut struct {
	Proposal *struct {
		Diff   string `json:"diff"`
		Checks []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"checks"`
	} `json:"proposal"`
	Session     string `json:"session_id"`
	Interaction string `json:"interaction_id"`
	Error       string `json:"error"`
}

// TestRefactorJSONOnFailure: once the model has answered, refactor
// --json prints its object even though it fails (exit 1), with the error
// that stderr shows too: the proposal and its checks when a check failed,
// a null proposal when the answer's diff does not apply. A failure before
// any answer prints no JSON.
func TestRefactorJSONOnFailure(t *testing.T) {
	for _, tc := range []struct {
		name, reply, target string
		proposal            bool // the object has a proposal
		err                 string
	}{
		{"a check failed", "```diff\n--- a/calc.go\n+++ b/calc.go\n@@ -4,3 +4,3 @@\n func Add(a, b int) int {\n-\treturn a + b\n+\treturn a + b +\n }\n```\n",
			"calc.go", true, "the change failed its checks (syntax: "},
		{"the diff does not apply", "```diff\n--- a/calc.go\n+++ b/calc.go\n@@ -4,3 +4,3 @@\n func Sub(a, b int) int {\n-\treturn a - b\n+\treturn b - a\n }\n```\n",
			"calc.go", false, "the model's diff does not apply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, root := taskProject(t, tc.reply)
			r := runIn(nil, false, "--data-dir", dir, "--json", "refactor", tc.target, "--goal", "g", "-m", "tiny", "--no-build")
			var out taskOut
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				t.Fatalf("exit %d, stdout %q (%v), stderr %q", r.code, r.stdout, err, r.stderr)
			}
			if r.code != 1 || (out.Proposal != nil) != tc.proposal || out.Session == "" || out.Interaction == "" ||
				!strings.HasPrefix(out.Error, tc.err) || strings.TrimSpace(r.stderr) != "aiex: "+out.Error {
				t.Errorf("exit %d, %+v, stderr %q", r.code, out, r.stderr)
			}
			if out.Proposal != nil && (len(out.Proposal.Checks) < 2 || out.Proposal.Checks[1].Status != "failed") {
				t.Errorf("checks %+v", out.Proposal.Checks)
			}
			if got, _ := os.ReadFile(filepath.Join(root, "calc.go")); string(got) != taskCalcGo {
				t.Errorf("calc.go changed:\n%s", got)
			}
		})
	}

	t.Run("no answer", func(t *testing.T) {
		dir, _ := taskProject(t, "never asked")
		r := runIn(nil, false, "--data-dir", dir, "--json", "refactor", "nothere.go", "--goal", "g", "-m", "tiny")
		if r.code != 2 || r.stdout != "" || r.stderr == "" {
			t.Errorf("a target that does not exist: %+v; want a usage mistake, no JSON", r)
		}
	})
}

// TestRefactorDryRunRename: the dry run of a pure rename (git's
// similarity index 100%, no hunks) shows it as git does, in the diff on
// stdout and in --json's.
func TestRefactorDryRunRename(t *testing.T) {
	const reply = "Rename the file.\n\n```diff\ndiff --git a/calc.go b/add.go\nsimilarity index 100%\nrename from calc.go\nrename to add.go\n```\n"
	const want = "diff --git a/calc.go b/add.go\nsimilarity index 100%\nrename from calc.go\nrename to add.go\n"
	dir, root := taskProject(t, reply)
	r := runIn(nil, false, "--data-dir", dir, "refactor", "calc.go", "--goal", "call it add.go", "-m", "tiny", "--no-build")
	if r.code != 0 || r.stdout != want || !strings.Contains(r.stderr, "add --apply to rename calc.go to add.go") {
		t.Errorf("dry run: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runIn(nil, false, "--data-dir", dir, "--json", "refactor", "calc.go", "--goal", "call it add.go", "-m", "tiny", "--no-build")
	var out taskOut
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil || out.Proposal == nil || out.Proposal.Diff != want {
		t.Errorf("--json: exit %d, %s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(root, "add.go")); err == nil {
		t.Error("the dry run renamed calc.go")
	}
}
