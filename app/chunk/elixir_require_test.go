package chunk

import "testing"

// TestElixirRequireAs: `require X, as: Y` defines the alias Y as `alias
// X, as: Y` does (Enum's `require Stream.Reducers, as: R`), from where it
// is written to the end of its block; a require without `as:` defines no
// alias, and the multi form `require R.{Macros}` none either.
func TestElixirRequireAs(t *testing.T) {
	src := `defmodule R.E do
  def early(f), do: R.map(f)
  require Stream.Reducers, as: R
  require Logger
  require R.{Macros}

  def map(e, f), do: reduce(e, [], R.map(f))
  def log, do: Logger.info("x")
  def macros, do: Macros.m()

  defmodule Inner do
    def filter(f), do: R.filter(f)
  end
end
`
	res := chunkString(t, "lib/r/e.ex", src, Options{Strategy: Semantic})
	checkRefs(t, res, map[string][]string{
		"R.E.early/1":        {"R.map/1"},
		"R.E.map/2":          {"reduce/3", "Stream.Reducers.map/1"},
		"R.E.log/0":          {"Logger.info/1"},
		"R.E.macros/0":       {"Macros.m/0"},
		"R.E.Inner.filter/1": {"Stream.Reducers.filter/1"},
	})
}
