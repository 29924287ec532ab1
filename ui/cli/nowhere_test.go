package cli_test

import (
	"strings"
	"testing"
)

// TestFailedRequestKeepsItsModel: a request whose provider could not be
// reached is recorded with the model it asked for, which history and
// usage show (an empty cell shifted the row and hid what was asked).
func TestFailedRequestKeepsItsModel(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"OLLAMA_HOST": "http://127.0.0.1:1"}
	t.Setenv("OLLAMA_HOST", "http://127.0.0.1:1")
	if r := runCLI(t, false, env, "--data-dir", dir, "ask", "--no-code", "-m", "tiny", "hi"); r.code == 0 {
		t.Fatalf("ask with no provider reachable: exit 0")
	}
	for _, cmd := range []string{"history", "usage"} {
		r := runCLI(t, false, env, "--data-dir", dir, cmd)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if r.code != 0 || len(lines) < 2 || !strings.Contains(lines[1], "ollama") || !strings.Contains(lines[1], "tiny") {
			t.Errorf("%s: exit %d:\n%s", cmd, r.code, r.stdout)
		}
	}
}
