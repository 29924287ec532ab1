package chunk

import "testing"

// TestElixirLexicalAliases: an alias counts, as in Elixir, from where it
// is written to the end of the block it is written in — the modules
// nested there after it included —, and an alias of the same name
// written later, in a nested module, shadows it there and only there. So
// a nested module's calls resolve through its enclosing modules' aliases
// and imports (and the file's) declared above it, not through those
// declared below it, nor through its own declared below the call.
func TestElixirLexicalAliases(t *testing.T) {
	src := `alias Top.Level

defmodule A do
  alias B.C
  alias B.Util
  import D.E

  defmodule Inner do
    import Util, only: [split: 1]
    def f, do: C.g()
    def h, do: k(1)
    def y, do: Y.n()
    def l, do: Level.x()
    def u, do: split(1)
  end

  alias X.Y

  defmodule Inner2 do
    def before, do: C.g()
    alias Z.C
    def f, do: C.g()
    def m, do: Y.n()
    def s, do: %C{}
  end

  def after_inner, do: C.g()
  defdelegate go(x), to: C
end
`
	res := chunkString(t, "lib/a.ex", src, Options{Strategy: Semantic})
	checkRefs(t, res, map[string][]string{
		"A.Inner.f/0":       {"B.C.g/0"},
		"A.Inner.h/0":       {"D.E.k/1"},
		"A.Inner.y/0":       {"Y.n/0"},
		"A.Inner.l/0":       {"Top.Level.x/0"},
		"A.Inner.u/0":       {"B.Util.split/1"},
		"A.Inner2.before/0": {"B.C.g/0"},
		"A.Inner2.f/0":      {"Z.C.g/0"},
		"A.Inner2.m/0":      {"X.Y.n/0"},
		"A.Inner2.s/0":      {"Z.C"},
		"A.after_inner/0":   {"B.C.g/0"},
		"A.go/1":            {"B.C.go/1"},
		"A.Inner2":          {"Z.C"},
		"A.Inner":           {"B.Util"},
	})
}

// TestElixirAliasAs: the name after `as:` is the module aliased, not a
// module of its own, as where it is used.
func TestElixirAliasAs(t *testing.T) {
	src := "defmodule R.F do\n  alias Code.Fragment, as: CF\n  def f, do: CF.x()\nend\n"
	res := chunkString(t, "lib/f.ex", src, Options{Strategy: Semantic})
	checkRefs(t, res, map[string][]string{"R.F": {"Code.Fragment"}, "R.F.f/0": {"Code.Fragment.x/0"}})
}

// TestElixirDescribeAliases: an alias in a describe block counts to the
// end of the block, not in the next one.
func TestElixirDescribeAliases(t *testing.T) {
	src := `defmodule R.CTest do
  use ExUnit.Case

  describe "a" do
    alias R.Cart
    test "one", do: assert Cart.new()
  end

  describe "b" do
    test "two", do: assert Cart.new()
  end
end
`
	res := chunkString(t, "test/r_test.exs", src, Options{Strategy: Semantic})
	checkRefs(t, res, map[string][]string{
		`describe "a" / test "one"`: {"assert/1", "R.Cart.new/0"},
		`describe "b" / test "two"`: {"assert/1", "Cart.new/0"},
	})
}
