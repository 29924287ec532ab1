package linediff

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/aymanbagabas/go-udiff"
	"github.com/bluekeyes/go-gitdiff/gitdiff"
)

const calc = "package calc\n\n// Add adds.\nfunc Add(a, b int) int {\n\treturn a + b\n}\n\n// Div divides.\nfunc Div(a, b int) int {\n\treturn a / b\n}\n"

// TestUnchangedLinesStay: a function inserted before another, and a
// comment changed above an unchanged signature, show only the lines that
// changed (a character diff showed "-\treturn a + b" and "+\treturn a + b",
// or "-func Div…" and "+func Div…").
func TestUnchangedLinesStay(t *testing.T) {
	for name, tc := range map[string]struct {
		new            string
		removed, added int
	}{
		"insert": {strings.Replace(calc, "// Div divides.\n", "// Sub subtracts.\nfunc Sub(a, b int) int {\n\treturn a - b\n}\n\n// Div divides.\n", 1), 0, 5},
		"above a signature": {strings.Replace(calc, "// Div divides.\nfunc Div(a, b int) int {\n",
			"// Div divides; b must not be 0.\n//\n// Div panics otherwise.\nfunc Div(a, b int) int {\n", 1), 1, 3},
	} {
		got := Unified("a/calc.go", "b/calc.go", calc, tc.new)
		removed, added := count(got)
		if removed != tc.removed || added != tc.added || !strings.HasPrefix(got, "--- a/calc.go\n+++ b/calc.go\n@@ ") {
			t.Errorf("%s: %d lines removed, %d added; want %d and %d:\n%s", name, removed, added, tc.removed, tc.added, got)
		}
	}
	if got := Unified("a", "b", "x\n", "x\n"); got != "" {
		t.Errorf("equal texts: %q", got)
	}
	if got := Unified("a", "b", "x", "x\ny\n"); got != "--- a\n+++ b\n@@ -1 +1,2 @@\n-x\n\\ No newline at end of file\n+x\n+y\n" {
		t.Errorf("no final newline: %q", got)
	}
}

// count counts a diff's removed and added lines.
func count(diff string) (removed, added int) {
	for _, l := range strings.Split(diff, "\n") {
		switch {
		case strings.HasPrefix(l, "---"), strings.HasPrefix(l, "+++"):
		case strings.HasPrefix(l, "-"):
			removed++
		case strings.HasPrefix(l, "+"):
			added++
		}
	}
	return removed, added
}

// lcsLen is the length of the longest common subsequence of a's and b's
// lines, by dynamic programming: what a minimal line diff keeps.
func lcsLen(a, b []string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			switch {
			case a[i] == b[j]:
				cur[j+1] = prev[j] + 1
			default:
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// TestRandomPairs: every diff of random texts applies (go-gitdiff, as
// git apply would) and gives the new text, the edits applied too, and it
// is minimal: no line that could stay is removed and added.
func TestRandomPairs(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	text := func() string {
		words := []string{"a", "b", "c", "func f() {", "}", "", "\treturn x"}
		n := r.IntN(30)
		var b strings.Builder
		for i := range n {
			b.WriteString(words[r.IntN(len(words))])
			if i < n-1 || r.IntN(4) > 0 {
				b.WriteByte('\n')
			}
		}
		return b.String()
	}
	for i := range 2000 {
		a, b := text(), text()
		if got, err := udiff.Apply(a, Edits(a, b)); err != nil || got != b {
			t.Fatalf("case %d: edits give %q, %v; want %q", i, got, err, b)
		}
		if a == b {
			continue
		}
		patch := Unified("a/f", "b/f", a, b)
		files, _, err := gitdiff.Parse(strings.NewReader("diff --git a/f b/f\n" + patch))
		if err != nil || len(files) != 1 {
			t.Fatalf("case %d: parse: %v\n%s", i, err, patch)
		}
		var got bytes.Buffer
		if err := gitdiff.Apply(&got, strings.NewReader(a), files[0]); err != nil || got.String() != b {
			t.Fatalf("case %d: applied gives %q, %v; want %q\n%s", i, got.String(), err, b, patch)
		}
		la, lb := lines(a), lines(b)
		if removed, added := count(patch); removed+added != len(la)+len(lb)-2*lcsLen(la, lb) {
			t.Fatalf("case %d: %d lines removed and %d added; a minimal diff changes %d\n%s", i, removed, added,
				len(la)+len(lb)-2*lcsLen(la, lb), patch)
		}
	}
}
