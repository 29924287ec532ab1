package workflow

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// cutDiff is goodDiff as an answer stopped at the output limit leaves it:
// its fence never closed, its hunk short of the lines its header counts.
var cutDiff = goodDiff[:strings.Index(goodDiff, "+\tif a >= b {")]

// TestFromDiffRefusesUnclosedFence: a diff whose fence the answer never
// closed may have lost its end — a hunk that deletes a line whose
// replacement never came still applies — so it is refused, as gen module
// refuses an unclosed code block, whatever the provider said of the end.
func TestFromDiffRefusesUnclosedFence(t *testing.T) {
	root := writeTree(t, map[string]string{"go.mod": goMod, "calc.go": goCalc})
	p, err := FromDiff("refactor", "calc.Max", cutDiff, reader(root))
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, "stopped inside its diff") || !strings.Contains(ue.Msg, "nothing was written") {
		t.Fatalf("FromDiff of a diff cut mid-hunk: %+v, %v; want it refused", p, err)
	}
	if _, err := FromDiff("refactor", "calc.Max", goodDiff, reader(root)); err != nil {
		t.Fatalf("the whole diff: %v", err)
	}
}

// TestCutShort: an answer the provider says was cut short (at the output
// limit) is refused when its diff may be what was cut: outside any fence,
// where no end can be seen. A diff in a closed fence is whole, whatever
// came after it.
func TestCutShort(t *testing.T) {
	bare := strings.NewReplacer("```diff\n", "", "```\n", "").Replace(goodDiff)
	const why = "the model reached its limit on output tokens"
	for _, tc := range []struct {
		name, answer, why string
		refused           bool
	}{
		{"bare diff, cut short", bare, why, true},
		{"fenced diff, cut short in the prose after it", goodDiff + "This keeps Max's contract but", why, false},
		{"bare diff, ended as meant", bare, "", false},
		{"no diff, cut short", "I would change Max so that", why, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CutShort(tc.answer, tc.why)
			if !tc.refused {
				if err != nil {
					t.Fatalf("CutShort: %v; want nil", err)
				}
				return
			}
			ue := usererr.As(err)
			if ue == nil || !strings.Contains(ue.Msg, "cut short ("+why+")") || !strings.Contains(ue.Msg, "nothing was written") {
				t.Fatalf("CutShort: %v; want a user error saying why", err)
			}
		})
	}
}
