package cli_test

import (
	"strings"
	"testing"
)

// aiex --version and aiex help [COMMAND…], typed from habit, print what
// aiex version and aiex [COMMAND…] --help print, on a terminal too
// (where flags without a command are otherwise the TUI's).
func TestVersionFlagAndHelpCommand(t *testing.T) {
	cases := []struct {
		typed, same []string
	}{
		{[]string{"--version"}, []string{"version"}},
		{[]string{"--json", "--version"}, []string{"--json", "version"}},
		{[]string{"help"}, []string{"--help"}},
		{[]string{"help", "ask"}, []string{"ask", "--help"}},
		{[]string{"help", "session", "show"}, []string{"session", "show", "--help"}},
		{[]string{"--data-dir", "/nonexistent/aiex", "help", "cluster", "join"}, []string{"cluster", "join", "--help"}},
	}
	for _, tc := range cases {
		for _, tty := range []bool{false, true} {
			got := runCLI(t, tty, nil, tc.typed...)
			want := runCLI(t, tty, nil, tc.same...)
			if got.code != 0 || got.stdout != want.stdout || got.stderr != "" || want.stdout == "" {
				t.Errorf("aiex %s (terminal %v): exit %d, stderr %q; want what aiex %s prints:\n%s\ngot:\n%s",
					strings.Join(tc.typed, " "), tty, got.code, got.stderr, strings.Join(tc.same, " "), want.stdout, got.stdout)
			}
		}
	}
	// help of a command that does not exist is a usage error naming it.
	if r := runCLI(t, false, nil, "help", "nosuchcommand"); r.code != 2 || !strings.Contains(r.stderr, "nosuchcommand") {
		t.Errorf("aiex help nosuchcommand: exit %d, %q; want a usage error naming it", r.code, r.stderr)
	}
}
