package parse

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestUnchanged: a file whose diff is a header and context lines only,
// which Diffs leaves out, is named, so that a caller can say that the
// answer's diff of it changed nothing rather than drop it unsaid. A file
// another diff of the answer does change, a new file (its context lines
// are its lines) and a pure rename are not.
func TestUnchanged(t *testing.T) {
	const first = "--- a/a.go\n+++ b/a.go\n@@ -1,2 +1,2 @@\n package a\n-var x = 1\n+var x = 2\n"
	const onlyContext = "--- a/b.go\n+++ b/b.go\n@@ -1,2 +1,2 @@\n package b\n var y = 1\n"
	for _, tc := range []struct {
		name, answer string
		want         []string
		diffs        int // files Diffs gives
	}{
		{"second file only context", "```diff\n" + first + onlyContext + "```\n", []string{"b.go"}, 1},
		{"first file only context", "```diff\n" + onlyContext + first + "```\n", []string{"b.go"}, 1},
		{"git headers", "```diff\ndiff --git a/a.go b/a.go\n" + first + "diff --git a/b.go b/b.go\n" + onlyContext + "```\n", []string{"b.go"}, 1},
		{"in fences of their own", "```diff\n" + first + "```\nAnd:\n```diff\n" + onlyContext + "```\n", []string{"b.go"}, 1},
		{"changed by another diff", "```diff\n" + onlyContext + "```\n```diff\n" + strings.ReplaceAll(first, "a.go", "b.go") + "```\n", nil, 1},
		{"every file changed", answerTwoFiles, nil, 2},
		{"a new file", "```diff\n" + first + "--- /dev/null\n+++ b/c.go\n@@ -0,0 +1,2 @@\n package c\n var z = 1\n```\n", nil, 2},
		{"a pure rename", "```diff\ndiff --git a/b.go b/c.go\nsimilarity index 100%\nrename from b.go\nrename to c.go\n" + first + "```\n", nil, 2},
		{"no diff", "No change is needed.", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Unchanged(tc.answer)); diff != "" {
				t.Errorf("Unchanged (-want +got):\n%s", diff)
			}
			if ds, err := Diffs(tc.answer); err != nil || len(ds) != tc.diffs {
				t.Errorf("Diffs = %d files, %v; want %d", len(ds), err, tc.diffs)
			}
		})
	}
}

// TestDiffErrorSaysWhereWithoutThePrefix: a diff that cannot be read is a
// *DiffError whose message says the answer line and what is wrong there,
// for a user; the error Diffs returns keeps its operation prefix.
func TestDiffErrorSaysWhereWithoutThePrefix(t *testing.T) {
	for _, tc := range []struct {
		name, answer string
		line         int
		want         string
	}{
		{"hunk without file header", "Change:\n\n```diff\n@@ -1,2 +1,2 @@\n-a\n+b\n```\n",
			4, "answer line 4: hunk \"@@ -1,2 +1,2 @@\" has no file header (--- a/PATH, +++ b/PATH) before it"},
		{"new file with old lines", "```diff\n--- /dev/null\n+++ b/n.ex\n@@ -0,0 +1,2 @@\n-old\n+new\n```\n",
			4, "answer line 4: new file depends on old contents"},
		{"unplaceable insertion", "```diff\n--- a/a.ex\n+++ b/a.ex\n@@ @@\n+new\n```\n",
			4, "answer line 4: hunk has neither line numbers nor context lines, so there is no telling where its lines go"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Diffs(tc.answer)
			var de *DiffError
			if !errors.As(err, &de) {
				t.Fatalf("Diffs error %v (%T); want a *DiffError", err, err)
			}
			if de.Line != tc.line || de.Error() != tc.want {
				t.Errorf("DiffError line %d, %q; want %d, %q", de.Line, de.Error(), tc.line, tc.want)
			}
			if err.Error() != "parse diffs: "+tc.want {
				t.Errorf("Diffs error %q; want the operation prefix before %q", err, tc.want)
			}
		})
	}
}
