package index

import "testing"

// TestUseEdges: `use Mini.DSL` in a module's header makes that header a
// caller of Mini.DSL.__using__/1, which the use expands to.
func TestUseEdges(t *testing.T) {
	s, p := indexedProject(t, map[string]string{
		"lib/dsl.ex": `defmodule Mini.DSL do
  defmacro __using__(_opts) do
    quote do
      import Mini.DSL
    end
  end

  def field(name), do: name
end
`,
		"lib/user.ex": `defmodule Mini.User do
  alias Mini.DSL
  use DSL, strict: true

  def f(x), do: x
end
`,
	})
	checkEdges(t, s, p, nil, map[string][]string{
		"Mini.DSL.__using__/1": {"Mini.User"},
	})
}
