package app

import (
	"strings"
	"testing"
)

// TestStrictHint: the warning of commands run less confined names the
// flag on the command line, and the config's key where there is no flag
// (the TUI has none).
func TestStrictHint(t *testing.T) {
	if got := strictHint("cli"); !strings.Contains(got, "--sandbox strict") {
		t.Errorf("cli: %q", got)
	}
	for _, actor := range []string{"tui", "node", ""} {
		if got := strictHint(actor); strings.Contains(got, "--") || !strings.Contains(got, `[sandbox] mode = "strict"`) {
			t.Errorf("%s: %q", actor, got)
		}
	}
}
