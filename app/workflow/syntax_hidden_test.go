package workflow

import (
	"context"
	"strings"
	"testing"
)

// TestSyntaxHiddenBehindOldError: a file that did not parse before the
// change hides what the change adds behind its old error — go/parser
// stops after ten errors, tree-sitter's Elixir error names the first
// unclosed do alone — so the syntax check cannot say the change adds no
// error. It is skipped, saying the file did not parse before, and no
// note says the change adds none.
func TestSyntaxHiddenBehindOldError(t *testing.T) {
	tenErrors := "package r\n\n" + strings.Repeat("func ( {}\n", 10)
	gomod := writeTree(t, map[string]string{"go.mod": vetGoMod, "r.go": tenErrors})
	mix := writeTree(t, map[string]string{"mix.exs": brokenMixExs, "lib/shop/cart.ex": brokenCart})
	for name, tc := range map[string]struct{ root, lang, path, code string }{
		"go, past ten errors": {gomod, "go", "r.go", tenErrors + "\nfunc D() { x := := 1 }\n"},
		"elixir, behind the unclosed do": {mix, "elixir", "lib/shop/cart.ex",
			strings.Replace(brokenCart, "def count(items), do: length(items)", "def count(items), do: length(items)\n\n  def other(items) do\n    items\n", 1)},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := FromFile("refactor", "", "```"+tc.lang+" "+tc.path+"\n"+tc.code+"```\n", "", tc.lang, reader(tc.root))
			if err != nil {
				t.Fatal(err)
			}
			Validate(context.Background(), tc.root, p, ValidateOptions{})
			if got := strings.Join(checkNames(p), ","); got != "applies ok,syntax skipped" {
				t.Fatalf("checks %s, want syntax skipped: %+v\nnotes %q", got, p.Checks, p.Notes)
			}
			if d := p.Checks[1].Detail; !strings.Contains(d, "could not check the syntax of "+tc.path+": it did not parse before the change") {
				t.Errorf("syntax detail %q", d)
			}
			if notes := strings.Join(p.Notes, "\n"); strings.Contains(notes, "adds no new error") {
				t.Errorf("notes %q claim the change adds no error", notes)
			}
		})
	}
}
