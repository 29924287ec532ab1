package cli_test

import (
	"strings"
	"testing"
)

// TestTuiHelpSaysWhereVerboseLogs: -v logs to stderr, which is the TUI's
// screen; aiex tui --help says where its log goes, and the flag's own
// line does not say otherwise.
func TestTuiHelpSaysWhereVerboseLogs(t *testing.T) {
	h := runIn(nil, false, "tui", "--help")
	help := strings.Join(strings.Fields(h.stdout), " ")
	if h.code != 0 || !strings.Contains(help, "-v (--verbose) the log goes to DATA_DIR/tui.log") {
		t.Errorf("tui --help: exit %d, it does not say where -v logs:\n%s", h.code, h.stdout)
	}
	if !strings.Contains(help, "Log what aiex does to stderr (the TUI: to DATA_DIR/tui.log).") {
		t.Errorf("tui --help: the -v flag's line says only stderr:\n%s", h.stdout)
	}
}
