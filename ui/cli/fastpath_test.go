package cli_test

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/alecthomas/kong"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/ui/cli"
	"github.com/aiex-dev/aiex/ui/cli/fastpath"
)

var update = flag.Bool("update", false, "rewrite ui/cli/fastpath/help.txt from the command line's help")

// commandPaths lists every command of the tree, aiex itself first (""),
// in the tree's order.
func commandPaths(t *testing.T) []string {
	t.Helper()
	parser, err := kong.New(&cli.Root{})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	var walk func(n *kong.Node, path []string)
	walk = func(n *kong.Node, path []string) {
		paths = append(paths, strings.Join(path, " "))
		for _, c := range n.Children {
			if c.Type == kong.CommandNode {
				walk(c, append(path[:len(path):len(path)], c.Name))
			}
		}
	}
	walk(parser.Model.Node, nil)
	return paths
}

// fullRun runs the command line as main does once the fast path has let
// a request through, off a terminal.
func fullRun(args []string, env map[string]string) run {
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, cli.Env{
		Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] },
		Build:  cli.BuildInfo{Version: fastpath.Version, Commit: fastpath.Commit},
	})
	return run{code, out.String(), errb.String()}
}

// fastRun is what the binary does with args before anything else starts.
func fastRun(args []string, env map[string]string, stdinTTY, stdoutTTY bool, columns int) (run, bool) {
	var out, errb bytes.Buffer
	code, ok := fastpath.Answer(args, fastpath.Env{
		Stdout: &out, Stderr: &errb, StdinTTY: stdinTTY, StdoutTTY: stdoutTTY, Columns: columns,
		Getenv: func(k string) string { return env[k] },
	})
	return run{code, out.String(), errb.String()}, ok
}

// TestFastpathHelpIsKongs checks that the help the binary prints before it
// starts is, for every command, what the command line prints; with
// -update it rewrites it.
func TestFastpathHelpIsKongs(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	paths := commandPaths(t)
	if len(paths) < 40 {
		t.Fatalf("found %d commands; the tree has more than 40", len(paths))
	}
	help := map[string]string{}
	for _, p := range paths {
		r := fullRun(append(strings.Fields(p), "--help"), nil)
		if r.code != 0 || r.stderr != "" || !strings.HasPrefix(r.stdout, "Usage: aiex") {
			t.Fatalf("aiex %s --help: exit %d, stderr %q, stdout %.80q", p, r.code, r.stderr, r.stdout)
		}
		help[p] = r.stdout
	}
	want := fastpath.FormatHelp(help, paths)
	file := filepath.Join("fastpath", "help.txt")
	if *update {
		if err := os.WriteFile(file, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s is not the command line's help: run go test ./ui/cli -run FastpathHelp -update", file)
	}
	for _, p := range paths {
		r, ok := fastRun(append(strings.Fields(p), "--help"), nil, false, false, 0)
		if !ok || r != (run{0, help[p], ""}) {
			t.Errorf("fast path for aiex %s --help: answered %v, %+v", p, ok, r)
		}
	}
}

// TestFastpathAnswersAsTheCommandLine runs requests both ways: where the
// fast path answers, it answers as the command line does.
func TestFastpathAnswersAsTheCommandLine(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, tc := range []struct {
		args    []string
		env     map[string]string
		answers bool
	}{
		{args: nil, answers: true},
		{args: []string{"--help"}, answers: true},
		{args: []string{"-h"}, answers: true},
		{args: []string{"help"}, answers: true},
		{args: []string{"help", "keys"}, answers: true},
		{args: []string{"help", "keys", "set"}, answers: true},
		{args: []string{"--json", "help", "session", "show"}, answers: true},
		{args: []string{"keys", "set", "-h"}, answers: true},
		{args: []string{"--help", "ask"}, answers: true},
		{args: []string{"-v", "--no-color", "ask", "--help"}, answers: true},
		{args: []string{"version"}, answers: true},
		{args: []string{"--version"}, answers: true},
		{args: []string{"version", "--json"}, answers: true},
		{args: []string{"--json", "--version"}, answers: true},
		{args: []string{"-v", "version"}, answers: true},
		{args: []string{"version", "--help"}, answers: true},
		{args: []string{"--help"}, env: map[string]string{"COLUMNS": "200"}, answers: true},
		{args: []string{"--help"}, env: map[string]string{"COLUMNS": "wide"}, answers: true},
		// A COLUMNS that is no width is ignored: the help at 80 columns.
		{args: []string{"--help"}, env: map[string]string{"COLUMNS": "0"}, answers: true},
		{args: []string{"ask", "--help"}, env: map[string]string{"COLUMNS": "-1"}, answers: true},
		{args: []string{"help", "keys", "set"}, env: map[string]string{"COLUMNS": "-80"}, answers: true},
		{args: []string{"--help"}, env: map[string]string{"COLUMNS": ""}, answers: true},

		// Left to the command line.
		{args: []string{"--help"}, env: map[string]string{"COLUMNS": "60"}},
		{args: []string{"--help"}, env: map[string]string{"COLUMNS": "5"}},
		{args: []string{"--help=false"}},
		{args: []string{"status", "--version"}},
		{args: []string{"--help"}, env: map[string]string{"COMP_LINE": "aiex --he"}},
		{args: []string{"ask", "hello", "--help"}},
		{args: []string{"help", "nope"}},
		{args: []string{"help", "help", "ask"}},
		{args: []string{"help", "ask", "--help"}},
		{args: []string{"--help", "-h"}},
		{args: []string{"version", "extra"}},
		{args: []string{"--data-dir", "/tmp/x", "version"}},
		{args: []string{"--json"}},
		{args: []string{"--version", "--help"}},
		{args: []string{"--", "--help"}},
		{args: []string{"status"}},
		{args: []string{"help", "--", "ask"}},
		{args: []string{"help", ""}},
		{args: []string{"", "--help"}},
		{args: []string{"keys set", "--help"}},
		{args: []string{"help", "keys set"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			// kong reads COLUMNS from the process, Run from its Getenv.
			if c, ok := tc.env["COLUMNS"]; ok {
				t.Setenv("COLUMNS", c)
			}
			full := fullRun(tc.args, tc.env)
			fast, ok := fastRun(tc.args, tc.env, false, false, 0)
			if ok != tc.answers {
				t.Fatalf("aiex %q (env %q): fast path answered %v, want %v", tc.args, tc.env, ok, tc.answers)
			}
			if ok && fast != full {
				t.Errorf("aiex %q (env %q): fast path %+v\ncommand line %+v", tc.args, tc.env, fast, full)
			}
		})
	}

	// On a terminal: aiex alone is the TUI's; a narrower one than help's
	// width is left to the command line, a wider one gets the same help.
	if _, ok := fastRun(nil, nil, true, true, 120); ok {
		t.Error("fast path answered aiex alone on a terminal")
	}
	if _, ok := fastRun([]string{"--help"}, nil, true, true, 72); ok {
		t.Error("fast path answered --help on a 72-column terminal")
	}
	if r, ok := fastRun([]string{"--help"}, nil, true, true, 132); !ok || r != fullRun([]string{"--help"}, nil) {
		t.Errorf("fast path on a 132-column terminal: answered %v, %+v", ok, r)
	}
	// A terminal's width stands where COLUMNS is no width.
	if _, ok := fastRun([]string{"--help"}, map[string]string{"COLUMNS": "0"}, true, true, 72); ok {
		t.Error("fast path answered --help on a 72-column terminal with COLUMNS=0")
	}
	if r, ok := fastRun([]string{"--help"}, map[string]string{"COLUMNS": "-3"}, true, true, 132); !ok || r != fullRun([]string{"--help"}, nil) {
		t.Errorf("fast path on a 132-column terminal with COLUMNS=-3: answered %v, %+v", ok, r)
	}
}

// TestFastpathStoreFacts: the version the binary prints before it starts
// names the SQLite and store schema it was built with.
func TestFastpathStoreFacts(t *testing.T) {
	if got := app.SQLiteVersion(); got != fastpath.SQLiteVersion {
		t.Errorf("SQLite is %s; set fastpath.SQLiteVersion to it (it says %s)", got, fastpath.SQLiteVersion)
	}
	if got := app.KnownSchema(); got != fastpath.SchemaVersion {
		t.Errorf("the store's schema is v%d; set fastpath.SchemaVersion to it (it says v%d)", got, fastpath.SchemaVersion)
	}
}

// fullDisk is stdout on a full disk.
type fullDisk struct{}

func (fullDisk) Write([]byte) (int, error) {
	return 0, &fs.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.ENOSPC}
}

// TestHelpUnwritten: help or a version that cannot be written is a failure
// (exit 1, the error as any output's), not a mistake of the command line,
// both before and after the rest of aiex starts.
func TestHelpUnwritten(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	const want = "aiex: write /dev/stdout: no space left on device\n"
	for _, args := range [][]string{{"--help"}, {"version"}, {"help", "keys", "set"}} {
		var errb bytes.Buffer
		code := cli.Run(context.Background(), append([]string{"--data-dir", t.TempDir()}, args...), cli.Env{
			Stdout: fullDisk{}, Stderr: &errb, Getenv: func(string) string { return "" },
		})
		if code != 1 || errb.String() != want {
			t.Errorf("aiex %v on a full disk: exit %d, stderr %q; want 1, %q", args, code, errb.String(), want)
		}
		errb.Reset()
		code, ok := fastpath.Answer(args, fastpath.Env{Stdout: fullDisk{}, Stderr: &errb, Getenv: func(string) string { return "" }})
		if !ok || code != 1 || errb.String() != want {
			t.Errorf("fast path for aiex %v on a full disk: answered %v, exit %d, stderr %q; want 1, %q", args, ok, code, errb.String(), want)
		}
	}
}

// TestHelpWordPutsHelpAfterTheCommand: aiex help CMD … asks for CMD's
// help whatever follows: --help goes right after the command's name, so
// it is neither a flag's value nor, after --, the command's argument
// (aiex help -- ask ran ask with the prompt "--help").
func TestHelpWordPutsHelpAfterTheCommand(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	askHelp := fullRun([]string{"ask", "--help"}, nil).stdout
	for _, tc := range []struct {
		args      []string
		code      int
		stdout    string
		stderrNot string
		stderrHas string
	}{
		{args: []string{"help", "ask", "--", "why"}, stdout: askHelp},
		{args: []string{"help", "ask", "--json"}, stdout: askHelp},
		{args: []string{"help", "--", "ask"}, stdout: askHelp},
		{args: []string{"help", "ask", "--model"}, code: 2, stderrHas: "--model", stderrNot: `"--help"`},
	} {
		r := fullRun(append([]string{"--data-dir", t.TempDir()}, tc.args...), nil)
		if r.code != tc.code || r.stdout != tc.stdout || !strings.Contains(r.stderr, tc.stderrHas) ||
			tc.stderrNot != "" && strings.Contains(r.stderr, tc.stderrNot) {
			t.Errorf("aiex %q: exit %d, stdout %.60q, stderr %q", tc.args, r.code, r.stdout, r.stderr)
		}
	}
}
