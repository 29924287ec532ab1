package chunk

import (
	"slices"
	"testing"
)

// TestElixirImportedCalls: a local call of a function the module does not
// define is named after the module an import in effect there brings it
// from, so that it names the chunk of that function (the index keeps a
// name with a dot as it is): through `only:` by name and arity, through
// an import without `only:` when it is the only candidate (or the only one
// defined in the file), not through one whose `except:` names it. Calls of
// the module's own functions, of Kernel's, and types in specs stay as they
// were; an import inside a def counts only there.
func TestElixirImportedCalls(t *testing.T) {
	src := `defmodule R.Util do
  def split(s), do: String.split(s, ",")
  def join(l), do: Enum.join(l, ",")
end
defmodule R.More do
  def join(l), do: l
end
defmodule R.A do
  alias R.Util
  import Util, only: [split: 1]
  @spec parse(binary()) :: [t()]
  def parse(s), do: split(s)
  def two(s), do: split(s, ",")
  def own(s), do: helper(s)
  defp helper(s), do: s
end
defmodule Shop.Cart do
  import Shop.Macros
  def add(cart, x) when is_sku(x), do: is_integer(x) and length(cart) > 0
  @spec kept(term()) :: boolean()
  def kept(x), do: is_sku(x)
end
defmodule Shop.Order do
  import Shop.Macros, except: [is_sku: 1]
  def add(x) when is_sku(x), do: x
  def inner(x) do
    import R.More
    join(x)
  end
  def after_inner(x), do: join(x)
end
defmodule R.Both do
  import R.Util
  import R.More, only: :functions
  import Remote.Lib
  def j(l), do: join(l)
  def s(x), do: split(x)
  def l(x), do: lib_fun(x)
end
defmodule R.Again do
  import R.Util, only: [split: 1]
  import R.Util, only: [join: 1]
  def s(x), do: split(x)
  def j(x), do: join(x)
end
defmodule R.Sigils do
  import R.Util, only: :sigils
  def s(x), do: split(x)
end
`
	res := chunkString(t, "lib/r.ex", src, Options{Strategy: Semantic})
	checkRefs(t, res, map[string][]string{
		"R.A.parse/1": {"binary/0", "t/0", "R.Util.split/1"},
		// Not the arity `only:` lists.
		"R.A.two/1": {"split/2"},
		"R.A.own/1": {"helper/1"},
		// A guard from another module; Kernel's functions stay.
		"Shop.Cart.add/2":  {"Shop.Macros.is_sku/1", "Kernel.is_integer/1", "Kernel.length/1"},
		"Shop.Cart.kept/1": {"term/0", "boolean/0", "Shop.Macros.is_sku/1"},
		"Shop.Order.add/1": {"is_sku/1"},
		// The import in inner/1 is inner's own: after it, Shop.Macros is
		// the one import in effect.
		"Shop.Order.inner/1":       {"R.More", "R.More.join/1"},
		"Shop.Order.after_inner/1": {"Shop.Macros.join/1"},
		// Three imports: the one of them this file shows defining the
		// function; none when two do (a call Elixir rejects).
		"R.Both.j/1": {"join/1"},
		"R.Both.s/1": {"R.Util.split/1"},
		"R.Both.l/1": {"lib_fun/1"},
		// The later import of a module replaces the earlier one.
		"R.Again.s/1": {"split/1"},
		"R.Again.j/1": {"R.Util.join/1"},
		// Only the module's sigils.
		"R.Sigils.s/1": {"split/1"},
	})
	names := map[string]bool{}
	for _, c := range res.Chunks {
		names[c.Name] = true
	}
	for _, r := range []string{"R.Util.split/1", "R.More.join/1", "R.Util.join/1"} {
		if !names[r] {
			t.Errorf("ref %s names no chunk", r)
		}
	}
}

// TestElixirImportedCallsInScripts: in a script the file's imports count
// from where they are written; in a test script, ExUnit's assertions (which
// `use ExUnit.Case` imports) are not taken for another import's.
func TestElixirImportedCallsInScripts(t *testing.T) {
	res := chunkString(t, "config/config.exs", "import Config\n\nconfig :r, limit: 5\n", Options{Strategy: Semantic})
	if c := res.Chunks[0]; !slices.Equal(withoutDefinitions(c.Refs), []string{"Config", "Config.config/2"}) {
		t.Errorf("refs %q", c.Refs)
	}
	src := `defmodule R.UtilTest do
  use ExUnit.Case
  import R.Helpers

  test "splits" do
    assert split("a,b") == fixture(:ab)
  end
end
`
	res = chunkString(t, "test/r/util_test.exs", src, Options{Strategy: Semantic})
	checkRefs(t, res, map[string][]string{
		`test "splits"`: {"assert/1", "R.Helpers.split/1", "R.Helpers.fixture/1"},
	})
}
