//go:build linux

// Linux only: the terminal is a pseudo-terminal (openPTY).

package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/ui/cli"
)

// TestRefactorJSONApplyAsksOnATerminal: refactor --apply --json on a
// terminal asks before writing, as it does without --json (the question is
// on stderr; stdout keeps the JSON): a "no" writes nothing.
func TestRefactorJSONApplyAsksOnATerminal(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	const reply = "```diff\n--- a/calc.go\n+++ b/calc.go\n@@ -4,3 +4,3 @@\n func Add(a, b int) int {\n-\treturn a + b\n+\treturn b + a\n }\n```\n"
	dir, root := taskProject(t, reply)
	master, slave := openPTY(t)
	var out bytes.Buffer
	errw := newPromptWriter()
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(context.Background(), []string{"--data-dir", dir, "--json", "refactor", "calc.go", "--goal", "g", "-m", "tiny", "--no-build", "--apply"}, cli.Env{
			Stdin: slave, StdinTTY: true, Stdout: &out, Stderr: errw,
			Getenv: func(string) string { return "" },
		})
	}()
	select {
	case <-errw.asked:
		master.Write([]byte("n\n"))
	case code := <-done:
		t.Fatalf("ended without asking: exit %d, stdout %q, stderr %q", code, out.String(), errw.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("never asked; stderr %q", errw.String())
	}
	code := <-done
	if code != 1 || !strings.Contains(errw.String(), "Write calc.go? [y/N] ") || !strings.Contains(errw.String(), "not written") {
		t.Errorf("exit %d, stderr %q; want the question, then not written", code, errw.String())
	}
	if got := readFile(t, root, "calc.go"); got != taskCalcGo {
		t.Errorf("calc.go was written after a no:\n%s", got)
	}
}
