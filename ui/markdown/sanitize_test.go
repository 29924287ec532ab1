package markdown

import (
	"strings"
	"testing"

	"github.com/muesli/termenv"
)

// TestRenderDropsEscapeSequences: an answer's escape sequences (set the
// title, write the clipboard, erase a line, move the cursor) go whole,
// not only their ESC, which left "]0;TITLE" and "[2K" on the screen.
func TestRenderDropsEscapeSequences(t *testing.T) {
	src := "Sure.\x1b]0;PWNED-TITLE\x07 then \x1b]52;c;cHduZWQ=\x07 clip \x1b[2K erased \x1b[1A up \u009b2J end"
	got := strings.Join(New(termenv.Ascii, true, 120).Render(src), "\n")
	for _, bad := range []string{"\x1b", "]0;", "PWNED", "]52;", "cHduZWQ", "[2K", "[1A", "2J"} {
		if strings.Contains(got, bad) {
			t.Errorf("rendered %q holds %q", got, bad)
		}
	}
	if !strings.Contains(got, "Sure.") || !strings.Contains(got, "clip") || !strings.Contains(got, "end") {
		t.Errorf("rendered %q lost the text", got)
	}
}
