package chunk

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// textLines returns n lines of width bytes each (newline included), each
// starting with its number.
func textLines(n, width int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		l := fmt.Sprintf("%d.", i)
		l += strings.Repeat(" word", (width-len(l))/5+1)
		b.WriteString(l[:width-1] + "\n")
	}
	return b.String()
}

// TestTextOverlapLongLines: runs that MaxBytes cuts short repeat a sixth
// of their lines (rounded down), as full runs do (10 of 60), not 10 lines:
// a Markdown file of 50 lines of 1 KB is 7 chunks, not 43 covering it 6.9
// times.
func TestTextOverlapLongLines(t *testing.T) {
	res := chunkString(t, "README.md", textLines(50, 1001), Options{})
	want := []string{
		"text README.md#1 1-8", "text README.md#2 8-15", "text README.md#3 15-22", "text README.md#4 22-29",
		"text README.md#5 29-36", "text README.md#6 36-43", "text README.md#7 43-50",
	}
	if diff := cmp.Diff(want, outline(res)); diff != "" {
		t.Errorf("outline (-want +got):\n%s", diff)
	}

	for _, width := range []int{60, 137, 300, 1001, 2500, 4096, 8000, 20000} {
		for _, n := range []int{1, 7, 50, 61, 333} {
			if n*width > DefaultMaxFileSize {
				continue // skipped as too large
			}
			t.Run(fmt.Sprintf("%d lines of %d bytes", n, width), func(t *testing.T) {
				opt := Options{}.withDefaults()
				res := chunkString(t, "notes.md", textLines(n, width), Options{})
				covered, next := 0, 1
				for i, c := range res.Chunks {
					runLines := c.EndLine - c.StartLine + 1
					covered += runLines
					if c.StartLine > next {
						t.Errorf("chunk %d starts at line %d, after a gap from %d", i, c.StartLine, next)
					}
					if i > 0 {
						prev := res.Chunks[i-1]
						prevLines := prev.EndLine - prev.StartLine + 1
						if overlap := prev.EndLine - c.StartLine + 1; overlap > prevLines*opt.Overlap/opt.Lines {
							t.Errorf("chunk %d repeats %d of the %d lines before it", i, overlap, prevLines)
						}
					}
					if c.EndByte-c.StartByte > opt.MaxBytes && runLines > 1 {
						t.Errorf("chunk %d: %d lines, %d bytes", i, runLines, c.EndByte-c.StartByte)
					}
					next = c.EndLine + 1
				}
				if next != n+1 {
					t.Errorf("chunks end at line %d of %d", next-1, n)
				}
				if limit := n * opt.Lines / (opt.Lines - opt.Overlap); covered > limit {
					t.Errorf("chunks cover %d lines of %d (%.2f×); want at most %d", covered, n, float64(covered)/float64(n), limit)
				}
			})
		}
	}
}

// TestTextOverlapShortLines: where MaxBytes cuts no run, runs are as
// before: 60 lines, repeating 10, under Hybrid and Size alike.
func TestTextOverlapShortLines(t *testing.T) {
	want := []string{"text notes.md#1 1-60", "text notes.md#2 51-110", "text notes.md#3 101-160", "text notes.md#4 151-200"}
	for _, opt := range []Options{{}, {Strategy: Size}} {
		res := chunkString(t, "notes.md", textLines(200, 100), opt)
		if diff := cmp.Diff(want, outline(res)); diff != "" {
			t.Errorf("%s: outline (-want +got):\n%s", opt.withDefaults().Strategy, diff)
		}
	}
	// Size does not cut by bytes, so long lines change nothing there.
	res := chunkString(t, "notes.md", textLines(200, 1001), Options{Strategy: Size})
	if diff := cmp.Diff(want, outline(res)); diff != "" {
		t.Errorf("size, long lines: outline (-want +got):\n%s", diff)
	}
}
