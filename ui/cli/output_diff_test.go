package cli

import (
	"strings"
	"testing"
)

// TestDiffContentsPrintable: on a terminal the lines of a model's diff
// cannot drive it (an escape sequence in the code would clear the screen,
// set the title or write the clipboard); written elsewhere, the diff is as
// the model gave it, for patch.
func TestDiffContentsPrintable(t *testing.T) {
	diff := "--- a/x.go\n+++ b/x.go\n@@ -1 +1 @@\n-a\n+b \x1b]52;c;cm0gLXJmIH4K\a\x1b[2J\n"
	for _, tty := range []bool{true, false} {
		for _, color := range []bool{true, false} {
			var out strings.Builder
			o := &Output{Out: &out, TTY: tty, Color: color && tty}
			if err := o.Diff(diff); err != nil {
				t.Fatal(err)
			}
			raw := strings.Contains(out.String(), "\x1b]52") || strings.Contains(out.String(), "\x1b[2J")
			if raw == tty || !strings.Contains(out.String(), "+b ") {
				t.Errorf("tty %v colour %v: %q", tty, color, out.String())
			}
		}
	}
}
