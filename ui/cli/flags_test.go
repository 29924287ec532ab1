package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/ui/cli"
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

// TestEmptyPathFlags: --data-dir "$UNSET" (or --config) is a usage error,
// not the default data dir in disguise; an empty AIEX_DATA_DIR means unset,
// as an empty XDG_DATA_HOME does.
func TestEmptyPathFlags(t *testing.T) {
	data := t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	for _, args := range [][]string{{"--data-dir", "", "history"}, {"--data-dir=", "history"}, {"--config", "", "history"}} {
		r := runCLI(t, false, nil, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "is empty: give a path") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("aiex %q: exit %d, stderr %q; want a one-line usage error", args, r.code, r.stderr)
		}
	}
	if entries, _ := os.ReadDir(data); len(entries) != 0 {
		t.Fatalf("an empty --data-dir wrote into the default data home: %v", entries)
	}
	t.Setenv("AIEX_DATA_DIR", "")
	if r := runCLI(t, false, nil, "history"); r.code != 0 {
		t.Fatalf("AIEX_DATA_DIR empty: exit %d, %s; want the default data dir", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "aiex")); err != nil {
		t.Fatalf("AIEX_DATA_DIR empty: the default data dir was not used: %v", err)
	}
}

// TestFlagsAloneAreTheTUIs: flags without a command are the TUI's, as aiex
// alone is ("aiex [tui] [--session ID|last]"): --session reaches the TUI,
// which looks the session up; off a terminal, the TUI says it needs one.
// A word that is no command is still kong's error.
func TestFlagsAloneAreTheTUIs(t *testing.T) {
	dir := t.TempDir()
	if r := runCLI(t, true, nil, "--data-dir", dir, "--session", "ffffffffffff"); r.code != 1 || !strings.Contains(r.stderr, `no session "ffffffffffff"`) {
		t.Errorf("aiex --session ID on a terminal: exit %d, %q; want the TUI's lookup of the session", r.code, r.stderr)
	}
	if r := runCLI(t, false, nil, "--session", "last"); r.code != 2 || !strings.Contains(r.stderr, "aiex tui needs a terminal") {
		t.Errorf("aiex --session last off a terminal: exit %d, %q", r.code, r.stderr)
	}
	if r := runCLI(t, false, nil, "--data-dir", dir); r.code != 2 || !strings.Contains(r.stderr, `expected one of "ask"`) {
		t.Errorf("aiex --data-dir D off a terminal: exit %d, %q; want kong's list of commands", r.code, r.stderr)
	}
	if r := runCLI(t, true, nil, "bogus"); r.code != 2 || !strings.Contains(r.stderr, "unexpected argument bogus") {
		t.Errorf("aiex bogus: exit %d, %q", r.code, r.stderr)
	}
}

// TestEmptyJoin: node run --join "$UNSET" is a usage error; it started a
// cluster of its own, which can then never join the one meant.
func TestEmptyJoin(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for _, args := range [][]string{{"--join", ""}, {"--join="}} {
		argv := append([]string{"--data-dir", dir, "node", "run", "--listen", "127.0.0.1:0", "--cluster-key", "/nonexistent"}, args...)
		r := runCLI(t, false, nil, argv...)
		if r.code != 2 || !strings.Contains(r.stderr, "--join is empty") {
			t.Errorf("aiex %q: exit %d, %q; want a usage error", argv, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("an empty --join made the data dir")
	}
}

// TestTailResumeHint: the command that continues a cut tail keeps the
// flags that matter to it, quoted for the shell.
func TestTailResumeHint(t *testing.T) {
	dir := "/tmp/my data"
	c := cli.NewTestContext(&cli.Globals{DataDir: &dir, JSON: true})
	got := cli.TailResume(c, []string{"session/*"}, 32)
	if want := "aiex --data-dir '/tmp/my data' --json events tail --stream 'session/*' --since 32"; got != want {
		t.Fatalf("resume hint %q, want %q", got, want)
	}
}

// TestCheckpointPruneZeroAge: an age of 0 is refused saying so and what
// deletes every checkpoint instead, not as if it had no unit.
func TestCheckpointPruneZeroAge(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for _, age := range []string{"0s", "0h", "0d", "0", "-1d"} {
		r := runCLI(t, false, nil, "--data-dir", dir, "checkpoint", "prune", "--older-than="+age)
		if r.code != 2 || !strings.Contains(r.stderr, "give an age above 0") || strings.Contains(r.stderr, "is not a duration") {
			t.Errorf("checkpoint prune --older-than %s: exit %d, stderr %q", age, r.code, r.stderr)
		}
	}
}
