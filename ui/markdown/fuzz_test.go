package markdown

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// FuzzRender: any input at any width renders without panicking, no line
// wider than the width (with WholeURLs, but for lines holding a URL wider
// than it), no escape sequence under Ascii.
func FuzzRender(f *testing.F) {
	for _, s := range append([]string{richDoc, urlDoc, goSample, exSample, "| a |\n|-|\n| b |", "- [x]\n1.\n>", "~~a~~ ~b~ ~~~c"}, streamDocs...) {
		f.Add(s, uint8(40), uint8(2))
	}
	f.Add("```go\n\"\\\n```", uint8(3), uint8(1))
	f.Add("> > > - - - 1. deep", uint8(4), uint8(0))
	f.Add(urlDoc, uint8(12), uint8(8+3))
	f.Fuzz(func(t *testing.T, src string, width, profile uint8) {
		w := int(width%120) + 1
		p := profiles[int(profile)%len(profiles)]
		var opts []Option
		if profile&8 != 0 {
			opts = append(opts, WholeURLs())
		}
		r := New(p, profile%2 == 0, w, opts...)
		for _, l := range r.render(sanitize(src)) {
			if lw := ansi.StringWidth(l); lw > w && (opts == nil || !r.holdsWide(l)) {
				t.Fatalf("line of %d cells at width %d: %q", lw, w, l)
			}
			if p == termenv.Ascii && strings.ContainsRune(l, '\x1b') {
				t.Fatalf("escape under Ascii: %q", l)
			}
		}
	})
}
