package workflow

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// TestFromDiffNotesDiffChangingNothing: a second file whose diff is a
// header and context lines only (no line added or removed) is not
// dropped unsaid: the proposal, of the first file alone, names it in a
// note, so that the user knows the model's change to it never came.
func TestFromDiffNotesDiffChangingNothing(t *testing.T) {
	root := writeTree(t, map[string]string{"go.mod": goMod, "calc.go": goCalc, "mul.go": goMul})
	context := "--- a/mul.go\n+++ b/mul.go\n@@ -1,3 +1,3 @@\n package calc\n \n // Mul multiplies.\n"
	for _, tc := range []struct{ name, answer string }{
		{"one fence", strings.TrimSuffix(goodDiff, "```\n") + context + "```\n"},
		{"a fence of its own", goodDiff + "\nAnd:\n\n```diff\n" + context + "```\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := FromDiff("refactor", "calc.Max", tc.answer, reader(root))
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Files) != 1 || p.Files[0].Path != "calc.go" {
				t.Fatalf("files %+v; want calc.go alone", p.Files)
			}
			want := "mul.go is left out: the answer's diff of it adds and removes no line"
			if !strings.Contains(strings.Join(p.Notes, "\n"), want) {
				t.Errorf("notes %q lack %q", p.Notes, want)
			}
		})
	}
}

// TestFromDiffUnreadableSaysWhere: a diff that cannot be read is told by
// the answer line and what is wrong there, without the parser's
// operation prefix.
func TestFromDiffUnreadableSaysWhere(t *testing.T) {
	root := writeTree(t, map[string]string{"go.mod": goMod, "calc.go": goCalc})
	for _, tc := range []struct{ name, answer, want string }{
		{"no file header", "```diff\n@@ -1,2 +1,2 @@\n-a\n+b\n```\n",
			`the model's diff cannot be read: answer line 2: hunk "@@ -1,2 +1,2 @@" has no file header (--- a/PATH, +++ b/PATH) before it; nothing was written`},
		{"a path outside", "```diff\n--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-a\n+b\n```\n",
			`the model's diff cannot be read: answer line 2: path "/etc/passwd" is outside the project; diffs must use paths relative to the project root; nothing was written`},
		{"new file with old lines", "```diff\n--- /dev/null\n+++ b/n.go\n@@ -0,0 +1,2 @@\n-old\n+new\n```\n",
			"the model's diff cannot be read: answer line 4: new file depends on old contents; nothing was written"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromDiff("refactor", "calc.go", tc.answer, reader(root))
			if ue := usererr.As(err); ue == nil || ue.Msg != tc.want {
				t.Errorf("FromDiff: %v\nwant %q", err, tc.want)
			}
		})
	}
}
