package workflow

import (
	"context"
	"strings"
	"testing"
)

// TestMixCompileRedefinedModule: a change that defines again a module the
// project defines elsewhere (a new lib/shop/discounts/flat.ex for the
// Shop.Discounts.Flat nested in lib/shop/discounts.ex) fails mix compile,
// also when mix compiles it with only a warning — which it does or not
// by the order its parallel compiler takes the files in; the slow module
// body here makes it the warning. A module the change moves from one
// file to another passes.
func TestMixCompileRedefinedModule(t *testing.T) {
	needMix(t)
	discounts := "defmodule Shop.Discounts do\n  def all, do: []\n  Process.sleep(300)\n\n  defmodule Flat do\n    def apply(x), do: x\n  end\nend\n"
	root := writeTree(t, map[string]string{"mix.exs": brokenMixExs, "lib/shop/discounts.ex": discounts})
	flat := "defmodule Shop.Discounts.Flat do\n  def apply(x), do: x - 1\nend\n"
	p, err := FromFile("gen-module", "Shop.Discounts.Flat", "```elixir\n"+flat+"```\n", "lib/shop/discounts/flat.ex", "elixir", reader(root))
	if err != nil {
		t.Fatal(err)
	}
	Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
	last := p.Checks[len(p.Checks)-1]
	if last.Name != "mix compile" || last.Status != Failed || !strings.Contains(last.Detail, "Shop.Discounts.Flat") {
		t.Fatalf("a second Shop.Discounts.Flat: %+v", p.Checks)
	}

	// Moved: taken out of discounts.ex, into a file of its own.
	p, err = FromDiff("refactor", "Shop.Discounts.Flat", "```diff\n--- a/lib/shop/discounts.ex\n+++ b/lib/shop/discounts.ex\n@@ -3,7 +3,3 @@\n   Process.sleep(300)\n-\n-  defmodule Flat do\n-    def apply(x), do: x\n-  end\n end\n--- /dev/null\n+++ b/lib/shop/discounts/flat.ex\n@@ -0,0 +1,3 @@\n+defmodule Shop.Discounts.Flat do\n+  def apply(x), do: x\n+end\n```\n", reader(root))
	if err != nil {
		t.Fatal(err)
	}
	Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
	if last := p.Checks[len(p.Checks)-1]; last.Name != "mix compile" || last.Status != OK {
		t.Fatalf("moved: %+v", p.Checks)
	}
}
