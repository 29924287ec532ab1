package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNegativeCountsRefusedAtParse: a negative (or too small) number for
// an integer flag is a usage error while the command line is parsed — one
// line saying what the flag needs, then kong's help hint — that suggests
// no value the command would refuse in turn.
func TestNegativeCountsRefusedAtParse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	tests := []struct {
		args []string
		want string
		help string
	}{
		{[]string{"history", "-n", "-1"}, "--limit: must be 0 or more, not -1", "aiex history"},
		{[]string{"history", "--limit", "-1"}, "--limit: must be 0 or more, not -1", "aiex history"},
		{[]string{"history", "--limit=-1"}, "--limit: must be 0 or more, not -1", "aiex history"},
		{[]string{"history", "-n", "many"}, `--limit: "many" is not a whole number (0 or more)`, "aiex history"},
		{[]string{"history", "-n"}, "--limit: needs a number (0 or more)", "aiex history"},
		{[]string{"history", "-n", "--json"}, "--limit: needs a number (0 or more), not --json", "aiex history"},
		{[]string{"usage", "--days", "-7"}, "--days: must be 1 or more, not -7", "aiex usage"},
		{[]string{"usage", "--days", "0"}, "--days: must be 1 or more, not 0", "aiex usage"},
		{[]string{"session", "resume", "last", "--turns", "0"}, "--turns: must be 1 or more, not 0", "aiex session resume"},
		{[]string{"audit", "-n", "-2"}, "--limit: must be 0 or more, not -2", "aiex audit"},
		{[]string{"checkpoint", "prune", "--keep", "-1"}, "--keep: must be 0 or more, not -1", "aiex checkpoint prune"},
		{[]string{"events", "tail", "--since", "-5"}, "--since: must be 0 or more, not -5", "aiex events tail"},
		{[]string{"context", "main.Sum", "--reserve", "-1"}, "--reserve: must be 0 or more, not -1", "aiex context"},
		{[]string{"search", "-n", "0", "x"}, "--limit: must be 1 or more, not 0", "aiex search"},
	}
	for _, tt := range tests {
		r := runCLI(t, false, nil, append([]string{"--data-dir", dir}, tt.args...)...)
		if r.code != 2 {
			t.Errorf("aiex %v: exit %d; want 2 (stderr %q)", tt.args, r.code, r.stderr)
		}
		lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
		if len(lines) != 2 || lines[0] != "aiex: error: "+tt.want || lines[1] != `Run "`+tt.help+` --help" for usage.` {
			t.Errorf("aiex %v: stderr\n%s\nwant the line %q and the help hint", tt.args, r.stderr, tt.want)
		}
		if strings.Contains(r.stderr, "perhaps") {
			t.Errorf("aiex %v: stderr suggests a value: %q", tt.args, r.stderr)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a refused command line touched the data dir (%v)", err)
	}
	// Zero and positive values still parse.
	if r := runCLI(t, false, nil, "--data-dir", dir, "history", "-n", "0"); r.code != 0 {
		t.Errorf("history -n 0: exit %d: %s", r.code, r.stderr)
	}
}

// TestEventsPruneZeroAge: an age of 0 given on the command line is refused
// as such (it would delete every event), not taken for no age at all.
func TestEventsPruneZeroAge(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for _, args := range [][]string{{"events", "prune", "--older-than", "0s"}, {"events", "prune", "--older-than", "0d"}} {
		r := runCLI(t, false, nil, append([]string{"--data-dir", dir}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "give an age above 0") {
			t.Errorf("aiex %v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}
