package workflow

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

const goMul = "package calc\n\n// Mul multiplies.\nfunc Mul(a, b int) int { return a * b }\n"

// TestFromDiffLeavesOutUnchanged: a file whose hunks remove lines and add
// them back as they were is no change: the proposal neither lists it nor
// writes it, and says so in a note; an answer of such files alone has
// nothing to write.
func TestFromDiffLeavesOutUnchanged(t *testing.T) {
	root := writeTree(t, map[string]string{"go.mod": goMod, "calc.go": goCalc, "mul.go": goMul})
	same := "```diff\n--- a/mul.go\n+++ b/mul.go\n@@ -1,3 +1,3 @@\n-package calc\n+package calc\n \n // Mul multiplies.\n```\n"
	answer := goodDiff + "\n" + same // two diff blocks in one answer
	p, err := FromDiff("refactor", "calc.Max", answer, reader(root))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 1 || p.Files[0].Path != "calc.go" || len(p.Changes) != 1 || p.Changes[0].Path != "calc.go" {
		t.Fatalf("files %+v, changes %d; want calc.go alone", p.Files, len(p.Changes))
	}
	if strings.Contains(p.Diff, "mul.go") {
		t.Fatalf("the diff shows mul.go:\n%s", p.Diff)
	}
	if want := "mul.go is left out: the answer's change to it leaves it as it is"; !strings.Contains(strings.Join(p.Notes, "\n"), want) {
		t.Fatalf("notes %q lack %q", p.Notes, want)
	}

	_, err = FromDiff("refactor", "calc.Mul", same, reader(root))
	if ue := usererr.As(err); ue == nil || ue.Msg != "the model's diff leaves mul.go as it is; there is nothing to write" {
		t.Fatalf("a diff changing nothing: %v", err)
	}
}
