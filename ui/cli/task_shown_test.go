package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/ui/cli"
)

// refactorReply is an answer as models write it: a line of prose, the
// diff with the model's own (wrong) line numbers, and a closing remark.
const refactorReply = "Here is the change.\n\n```diff\n--- a/calc.go\n+++ b/calc.go\n@@ -40,3 +40,3 @@\n func Add(a, b int) int {\n-\treturn a + b\n+\treturn b + a\n }\n```\n\nAddition commutes, so callers see no difference.\n"

const refactorRemark = "Addition commutes, so callers see no difference."

// runSplit runs the command line with stdout and stderr each a terminal
// or not, colour off.
func runSplit(t *testing.T, stdoutTTY, stderrTTY bool, args ...string) run {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, cli.Env{
		Stdout: &out, Stderr: &errb, StdoutTTY: stdoutTTY, StderrTTY: stderrTTY,
		Getenv: func(k string) string {
			if k == "NO_COLOR" {
				return "1"
			}
			return ""
		},
		Build: cli.BuildInfo{Version: "test", Commit: "abc"},
	})
	return run{code, out.String(), errb.String()}
}

// TestRefactorOnTerminalShowsTheChangeOnce: on a terminal, refactor does
// not stream the model's raw diff (its own line numbers, perhaps wrong)
// before the checked one: the change is shown once, as checked, and the
// model's closing remark once, after it and before the dry run's line.
// With stdout elsewhere (a file, a pipe) the answer streams to a terminal's
// stderr as before, the remark in it and not repeated; off a terminal
// nothing streams and the remark follows the diff on stderr.
func TestRefactorOnTerminalShowsTheChangeOnce(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	dir, _ := taskProject(t, refactorReply)
	args := []string{"--data-dir", dir, "refactor", "calc.go", "--goal", "swap", "-m", "tiny", "--no-build"}
	const added = "+\treturn b + a"
	for _, tc := range []struct {
		name                 string
		stdoutTTY, stderrTTY bool
		streamed             bool // the raw answer is on stderr
	}{
		{"terminal", true, true, false},
		{"stdout elsewhere", false, true, true},
		{"no terminal", false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runSplit(t, tc.stdoutTTY, tc.stderrTTY, args...)
			if r.code != 0 {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			if strings.Count(r.stdout, added) != 1 || !strings.Contains(r.stdout, "@@ -2,5 +2,5 @@") || strings.Contains(r.stdout, refactorRemark) {
				t.Errorf("stdout %q; want the checked diff alone", r.stdout)
			}
			raw := strings.Contains(r.stderr, "@@ -40,3") || strings.Contains(r.stderr, "Here is the change.")
			if raw != tc.streamed {
				t.Errorf("the raw answer on stderr: %v, want %v: %q", raw, tc.streamed, r.stderr)
			}
			if n := strings.Count(r.stderr, refactorRemark); n != 1 {
				t.Errorf("the model's remark is on stderr %d times, want once: %q", n, r.stderr)
			}
			if i, j := strings.Index(r.stderr, refactorRemark), strings.Index(r.stderr, "dry run: nothing written"); j < 0 || i > j {
				t.Errorf("the remark does not come before the dry run's line: %q", r.stderr)
			}
		})
	}

	r := runSplit(t, true, true, append([]string{"--json"}, args...)...)
	if r.code != 0 || strings.Contains(r.stderr, refactorRemark) || strings.Contains(r.stderr, "@@") {
		t.Errorf("--json on a terminal: exit %d, stderr %q; want neither the answer nor the remark there", r.code, r.stderr)
	}
}

// TestGenShowsTheModelsRemarks: gen module's design choices and gen
// tests' what is left untested, which their prompts ask for after the
// code block, are shown after the code (on stderr, as the checks are),
// made printable on a terminal.
func TestGenShowsTheModelsRemarks(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	const esc = "\x1b"
	for _, tc := range []struct {
		name, reply, remark string
		args                []string
	}{
		{"gen module", "```go internal/cache/cache.go\n// Package cache caches.\npackage cache\n\n// Size is how many entries fit.\nconst Size = 8\n```\n\nSize is a constant: nothing needs it to change." + esc + "]0;TITLE\a\n",
			"Size is a constant: nothing needs it to change.", []string{"gen", "module", "internal/cache", "--desc", "a cache"}},
		{"gen tests", "```go calc_test.go\npackage calc\n\nimport \"testing\"\n\nfunc TestAddZero(t *testing.T) {\n\tif Add(0, 0) != 0 {\n\t\tt.Fatal(\"0+0\")\n\t}\n}\n```\nOverflow is left untested: the inputs are small.\n",
			"Overflow is left untested: the inputs are small.", []string{"gen", "tests", "calc.go"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, _ := taskProject(t, tc.reply)
			for _, tty := range []bool{false, true} {
				r := runSplit(t, tty, tty, append([]string{"--data-dir", dir}, append(tc.args, "-m", "tiny", "--no-build")...)...)
				if r.code != 0 || strings.Count(r.stderr, tc.remark) != 1 || strings.Contains(r.stdout, tc.remark) {
					t.Errorf("terminal %v: exit %d, stderr %q; want the remark once on stderr", tty, r.code, r.stderr)
				}
				if tty && strings.Contains(r.stderr, esc+"]") {
					t.Errorf("the remark's escape sequence reached the terminal: %q", r.stderr)
				}
			}
		})
	}
}
