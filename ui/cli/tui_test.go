package cli_test

import (
	"strings"
	"testing"
)

// TestTuiNeedsATerminal: the TUI refuses to run without a terminal, and
// --node without a node on the data dir to relay says to start one; aiex
// alone without a terminal prints the help, which lists tui.
func TestTuiNeedsATerminal(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		tty  bool
		args []string
		code int
		want string
	}{
		{"no terminal", false, []string{"--data-dir", dir, "tui"}, 2, "aiex tui needs a terminal"},
		{"--node", true, []string{"--data-dir", dir, "tui", "--node", "bravo"}, 1, "--node bravo needs a node running on " + dir},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, c.tty, nil, c.args...)
			if r.code != c.code || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want %d, %q", r.code, r.stderr, c.code, c.want)
			}
		})
	}
	r := runCLI(t, false, nil)
	if r.code != 0 || !strings.Contains(r.stdout, "tui") || !strings.Contains(r.stdout, "Open the terminal UI") {
		t.Errorf("aiex alone without a terminal: exit %d, stdout %q", r.code, r.stdout)
	}
}

// TestTuiUnknownSession: a session that is not there is one line and a
// failure, as session show says it, not a TUI opened on a new session.
func TestTuiUnknownSession(t *testing.T) {
	t.Setenv("OLLAMA_HOST", "http://127.0.0.1:1")
	r := runCLI(t, true, nil, "--data-dir", t.TempDir(), "tui", "--session", "0123456789ab")
	if r.code == 0 || !strings.Contains(r.stderr, "0123456789ab") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}
