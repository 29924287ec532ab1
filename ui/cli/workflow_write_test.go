package cli_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// unwritable makes the file rel under root impossible to replace: a
// read-only directory holding it, or, for root (whom permissions do not
// stop), the file made immutable. It skips the test where neither works.
func unwritable(t *testing.T, root, rel string) {
	t.Helper()
	full := filepath.Join(root, filepath.FromSlash(rel))
	if os.Geteuid() != 0 {
		dir := filepath.Dir(full)
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		return
	}
	if out, err := exec.Command("chattr", "+i", full).CombinedOutput(); err != nil {
		t.Skipf("cannot make %s unwritable as root: chattr: %v %s", rel, err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", full).Run() })
}

// TestRefactorJSONWriteRolledBack: a write that fails midway and is
// rolled back still prints refactor --json's object — the session, the
// interaction, the checkpoint rolled back and the error stderr shows —
// and exits 1, with no file changed.
func TestRefactorJSONWriteRolledBack(t *testing.T) {
	const reply = "```diff\n--- a/calc.go\n+++ b/calc.go\n@@ -4,3 +4,3 @@\n func Add(a, b int) int {\n-\treturn a + b\n+\treturn b + a\n }\n" +
		"--- a/sub/mul.go\n+++ b/sub/mul.go\n@@ -1,3 +1,3 @@\n-package sub\n+package sub // multiplication\n \n func Mul(a, b int) int { return a * b }\n```\n"
	const mul = "package sub\n\nfunc Mul(a, b int) int { return a * b }\n"
	dir, root := taskProject(t, reply)
	if err := os.Mkdir(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "sub", "mul.go"), []byte(mul), 0o644); err != nil {
		t.Fatal(err)
	}
	unwritable(t, root, "sub/mul.go")

	r := runIn(nil, false, "--data-dir", dir, "--json", "refactor", "calc.go", "--goal", "g", "-m", "tiny", "--no-build", "--apply", "-y")
	var out struct {
		taskOut
		Applied    json.RawMessage `json:"applied"`
		Checkpoint string          `json:"checkpoint_id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("exit %d, stdout %q (%v), stderr %q", r.code, r.stdout, err, r.stderr)
	}
	if r.code != 1 || out.Session == "" || out.Interaction == "" || out.Proposal == nil || out.Applied != nil || out.Checkpoint == "" {
		t.Fatalf("exit %d, %+v, stderr %q", r.code, out, r.stderr)
	}
	if !strings.Contains(out.Error, "could not write sub/mul.go") || !strings.Contains(out.Error, "checkpoint "+out.Checkpoint+", rolled back") ||
		strings.TrimSpace(r.stderr) != "aiex: "+out.Error {
		t.Fatalf("error %q, stderr %q", out.Error, r.stderr)
	}
	if got := readFile(t, root, "calc.go"); got != taskCalcGo {
		t.Errorf("calc.go was not put back:\n%s", got)
	}
	show := runIn(nil, false, "--data-dir", dir, "--json", "checkpoint", "show", out.Checkpoint)
	if show.code != 0 || !strings.Contains(show.stdout, `"status": "rolled_back"`) {
		t.Errorf("checkpoint show %s: exit %d, %s%s", out.Checkpoint, show.code, show.stdout, show.stderr)
	}
}
