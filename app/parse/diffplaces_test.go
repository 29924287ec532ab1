package parse

import "testing"

// TestDiffPlaces: where an answer's diffs are — in a fence the answer
// ended inside, or outside any fence — so that a caller can refuse a diff
// that may have been cut short.
func TestDiffPlaces(t *testing.T) {
	const hunk = "--- a/m.go\n+++ b/m.go\n@@ -1,3 +1,3 @@\n package m\n-var x = 1\n+var x = 2\n"
	for _, tc := range []struct {
		name           string
		answer         string
		unclosed, bare bool
	}{
		{"closed fence", "Here:\n```diff\n" + hunk + "```\nDone.\n", false, false},
		{"fence cut mid-hunk", "Here:\n```diff\n" + hunk, true, false},
		{"unlabelled fence holding a diff, cut", "```\n" + hunk, true, false},
		{"bare diff", "Here:\n\n" + hunk, false, true},
		{"bare diff, then a closed fence", hunk + "\n```diff\n" + hunk + "```\n", false, true},
		{"closed fence, then an unclosed go block", "```diff\n" + hunk + "```\n```go\npackage m\n", false, false},
		{"no diff", "I cannot change that.\n", false, false},
		{"bare hunk headers changing nothing", "--- a/m.go\n+++ b/m.go\n@@ -1,1 +1,1 @@\n package m\n", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			unclosed, bare := DiffPlaces(tc.answer)
			if unclosed != tc.unclosed || bare != tc.bare {
				t.Errorf("DiffPlaces = unclosed %v, bare %v; want %v, %v", unclosed, bare, tc.unclosed, tc.bare)
			}
		})
	}
}
