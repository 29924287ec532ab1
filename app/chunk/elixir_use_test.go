package chunk

import "testing"

// TestElixirUseRefs: `use X` (with options or without, in parentheses or
// not) expands to `require X; X.__using__(opts)`, so the chunk holding it
// refers to X.__using__/1 as well as to X, the module named through the
// aliases in effect as other module names are; `use` itself stays no ref.
func TestElixirUseRefs(t *testing.T) {
	src := `defmodule Mini.User do
  use Mini.DSL
  use Mini.Schema, table: "users"
  alias Mini.Web
  use Web.Controller
  use(GenServer, restart: :temporary)

  def f(x), do: x
end

defmodule Mini.Plain do
  @moduledoc "No use here."
  alias Mini.DSL
  def g, do: DSL.h()
end
`
	res := chunkString(t, "lib/mini/user.ex", src, Options{Strategy: Semantic})
	checkRefs(t, res, map[string][]string{
		"Mini.User": {
			"Mini.DSL", "Mini.DSL.__using__/1",
			"Mini.Schema", "Mini.Schema.__using__/1",
			"Mini.Web",
			"Mini.Web.Controller", "Mini.Web.Controller.__using__/1",
			"GenServer", "GenServer.__using__/1",
		},
		// An alias of a module is no use of it.
		"Mini.Plain":     {"Mini.DSL"},
		"Mini.Plain.g/0": {"Mini.DSL.h/0"},
	})
}
