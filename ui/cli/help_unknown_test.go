package cli_test

import (
	"testing"
)

// aiex help with a word that names no command says so, with where to look;
// aiex help help is the top-level help.
func TestHelpUnknownAndHelpHelp(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"help", "nosuch"}, "aiex: error: unknown command \"nosuch\"\nRun \"aiex --help\" for usage.\n"},
		{[]string{"help", "session", "nosuch"}, "aiex: error: unknown command \"nosuch\"\nRun \"aiex session --help\" for usage.\n"},
		// A typo gets what it may have meant, as aiex verison does.
		{[]string{"help", "verison"}, "aiex: error: unknown command \"verison\", did you mean \"version\"?\nRun \"aiex --help\" for usage.\n"},
		{[]string{"help", "session", "shwo"}, "aiex: error: unknown command \"shwo\", did you mean \"show\"?\nRun \"aiex session --help\" for usage.\n"},
		{[]string{"help", "xy"}, "aiex: error: unknown command \"xy\"\nRun \"aiex --help\" for usage.\n"},
	}
	for _, tc := range cases {
		if r := runCLI(t, false, nil, tc.args...); r.code != 2 || r.stderr != tc.want || r.stdout != "" {
			t.Errorf("aiex %v: exit %d, stdout %q, stderr %q; want exit 2, stderr %q", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
	}
	got, want := runCLI(t, false, nil, "help", "help"), runCLI(t, false, nil, "--help")
	if got.code != 0 || got.stdout != want.stdout || want.stdout == "" || got.stderr != "" {
		t.Errorf("aiex help help: exit %d, stderr %q, stdout:\n%s\nwant what aiex --help prints", got.code, got.stderr, got.stdout)
	}
	// A command's own arguments after it are left to it.
	if r := runCLI(t, false, nil, "help", "ask", "anything"); r.code != 0 || r.stdout == "" {
		t.Errorf("aiex help ask anything: exit %d, stderr %q; want ask's help", r.code, r.stderr)
	}
}
