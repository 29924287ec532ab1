package markdown

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// deepQuote is text of about size bytes in quotes nested depth deep,
// every line marked ("> > > text") or, lazy, only the first (the
// paragraph's other lines continue it, as CommonMark allows).
func deepQuote(depth, size int, lazy bool) string {
	marks := strings.Repeat("> ", depth)
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		if i == 0 || !lazy {
			b.WriteString(marks)
		}
		fmt.Fprintf(&b, "line%d of quoted text that goes on for a while\n", i)
	}
	return b.String()
}

// TestDeepQuotes: quotes nested deeper than the width allows keep their
// text readable, every word of it shown, in lines no wider than the
// width, and cost about what one quote of the same text costs.
func TestDeepQuotes(t *testing.T) {
	for _, p := range []termenv.Profile{termenv.Ascii, termenv.ANSI256} {
		for _, depth := range []int{1, 50, 200} {
			for _, lazy := range []bool{false, true} {
				src := deepQuote(depth, 4000, lazy)
				lines := New(p, true, 80).render(src)
				text := strings.Join(stripAll(lines), "\n")
				for _, word := range strings.Fields(strings.ReplaceAll(src, ">", "")) {
					if !strings.Contains(text, word) {
						t.Fatalf("%v depth %d lazy %v: %q is not shown", p, depth, lazy, word)
					}
				}
				for _, l := range lines {
					if w := ansi.StringWidth(l); w > 80 {
						t.Fatalf("%v depth %d lazy %v: line of %d cells: %q", p, depth, lazy, w, l)
					}
				}
			}
		}
	}
}

// TestDeepQuotesCost: a quote nested 200 deep costs at most a few times
// the memory one quote of the same text costs (it used to grow with the
// square of the depth).
func TestDeepQuotesCost(t *testing.T) {
	for _, lazy := range []bool{false, true} {
		cost := func(depth int) float64 {
			src := deepQuote(depth, 4000, lazy)
			r := New(termenv.ANSI256, true, 80)
			return testing.AllocsPerRun(3, func() { r.Render(src) })
		}
		one, deep := cost(1), cost(200)
		t.Logf("lazy %v: %.0f allocations at depth 1, %.0f at depth 200", lazy, one, deep)
		if deep > 4*one {
			t.Errorf("lazy %v: %.0f allocations at depth 200, %.0f at depth 1", lazy, deep, one)
		}
	}
}

func BenchmarkDeepQuotes(b *testing.B) {
	for _, depth := range []int{1, 50, 200} {
		for _, lazy := range []bool{false, true} {
			src := deepQuote(depth, 4000, lazy)
			b.Run(fmt.Sprintf("depth=%d/lazy=%v", depth, lazy), func(b *testing.B) {
				r := New(termenv.ANSI256, true, 80)
				b.SetBytes(int64(len(src)))
				b.ReportAllocs()
				for b.Loop() {
					r.Render(src)
				}
			})
		}
	}
}
