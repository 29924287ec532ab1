package cli_test

import (
	"strings"
	"testing"
)

// TestUnknownCommandOnTerminal: a word that names no command is said the
// same way on a terminal as off one, with kong's "did you mean" and the
// top-level help to look at, although aiex alone (or with only flags) on a
// terminal opens the TUI.
func TestUnknownCommandOnTerminal(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"serch"},
		{"nosuch"},
		{"--data-dir", dir, "serch"},
		{"--json", "sesion", "list"},
	} {
		piped := runCLI(t, false, nil, args...)
		if piped.code != 2 || piped.stderr == "" {
			t.Fatalf("aiex %q piped: exit %d, stderr %q; want exit 2 and an error", args, piped.code, piped.stderr)
		}
		if tty := runCLI(t, true, nil, args...); tty.code != piped.code || tty.stderr != piped.stderr || tty.stdout != "" {
			t.Errorf("aiex %q on a terminal: exit %d, stderr %q; want exit %d, stderr %q as piped", args, tty.code, tty.stderr, piped.code, piped.stderr)
		}
	}
	if r := runCLI(t, false, nil, "serch"); r.stderr != "aiex: error: unexpected argument serch, did you mean \"search\"?\nRun \"aiex --help\" for usage.\n" {
		t.Errorf("aiex serch: stderr %q", r.stderr)
	}
	// Flags alone are still the TUI's: on a terminal it opens (here it
	// refuses the session it is not given, as aiex tui --session does).
	t.Setenv("OLLAMA_HOST", "http://127.0.0.1:1")
	if r := runCLI(t, true, nil, "--data-dir", dir, "--session", "0123456789ab"); r.code == 0 || r.stderr == "" || !strings.Contains(r.stderr, "0123456789ab") {
		t.Errorf("aiex --session ID on a terminal: exit %d, stderr %q; want the TUI's own refusal", r.code, r.stderr)
	}
}
