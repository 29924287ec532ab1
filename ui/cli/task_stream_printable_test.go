package cli_test

import (
	"strings"
	"testing"
)

// TestTaskStreamPrintable: refactor, gen module and gen tests stream the
// model's answer to a terminal's stderr when stdout is elsewhere (on a
// terminal they show the checked change instead: task_shown_test.go), as
// ask streams it to stdout, with the escape sequences and control
// characters the terminal would act on (set the title, write the
// clipboard, erase the lines of the diff above) left out.
func TestTaskStreamPrintable(t *testing.T) {
	const esc = "\x1b"
	reply := "Sure." + esc + "]0;TITLE\a Line A.\nHIDDEN" + esc + "[2K\rLine B.\n" +
		"```diff\n--- a/calc.go\n+++ b/calc.go\n@@ -1 +1 @@\n-package calc\n+package calc " + esc + "]52;c;ZWNobyBwd25lZA==\a" + esc + "[1A\n```\n"
	dir, _ := taskProject(t, reply)
	for _, cmd := range [][]string{
		{"refactor", "calc.go", "--goal", "x"},
		{"gen", "module", "internal/cache", "--desc", "x"},
		{"gen", "tests", "calc.go", "--no-build"},
	} {
		r := runSplit(t, false, true, append([]string{"--data-dir", dir}, cmd...)...)
		if strings.Contains(r.stderr, esc+"]") || strings.Contains(r.stderr, esc+"[2K") || strings.Contains(r.stderr, esc+"[1A") || strings.Contains(r.stderr, "HIDDEN\r") {
			t.Errorf("aiex %s: the answer's escape sequences reached the terminal: %q", strings.Join(cmd, " "), r.stderr)
		}
		if !strings.Contains(r.stderr, "HIDDEN") || !strings.Contains(r.stderr, "Line A.") {
			t.Errorf("aiex %s: the answer's text is not on stderr: %q", strings.Join(cmd, " "), r.stderr)
		}
	}
}
