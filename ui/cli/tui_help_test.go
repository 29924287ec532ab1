package cli_test

import (
	"strings"
	"testing"
)

// TestTuiHelpSaysWhereVerboseLogs: the global -v says it logs to stderr,
// which is the TUI's screen; aiex tui --help says where its log goes.
func TestTuiHelpSaysWhereVerboseLogs(t *testing.T) {
	h := runIn(nil, false, "tui", "--help")
	if help := strings.Join(strings.Fields(h.stdout), " "); h.code != 0 || !strings.Contains(help, "-v (--verbose) the log goes to DATA_DIR/tui.log") {
		t.Errorf("tui --help: exit %d, it does not say where -v logs:\n%s", h.code, h.stdout)
	}
}
