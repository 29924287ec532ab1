package chunk

import "testing"

// TestElixirAliasModule: an alias, import or require of a name written
// with __MODULE__ declares what the same name written out does, with
// __MODULE__ the innermost module around it: `alias __MODULE__.Helper`
// in Demo makes `Helper.go(x)` Demo.Helper.go/1, as `alias Demo.Helper`
// does; `alias __MODULE__` alone names the module by its last segment. A
// `require __MODULE__.Req` without `as:` defines no alias, as `require
// Demo.Req` does not.
func TestElixirAliasModule(t *testing.T) {
	src := `defmodule Demo do
  alias __MODULE__.Helper
  alias __MODULE__.{A, B}
  alias __MODULE__.Sub, as: S
  alias __MODULE__.Deep.Nest
  require __MODULE__.Macros, as: M
  require __MODULE__.Req

  def run(x), do: Helper.go(x)
  def multi, do: {A.a(), B.b()}
  def short, do: S.s()
  def deep, do: Nest.n()
  def req, do: {M.m(), Req.r()}
  def direct(x), do: __MODULE__.Helper.go(x)
  def struct, do: %__MODULE__.Helper{}

  defimpl String.Chars, for: Helper do
    def to_string(h), do: Helper.name(h)
  end

  defmodule Inner do
    alias __MODULE__.Part
    alias __MODULE__
    import __MODULE__.Imported

    def part, do: Part.p()
    def self, do: Inner.x()
    def outer, do: Helper.go(1)
    def imported, do: imp(1)
  end
end

defmodule Demo.Helper do
  def go(x), do: x
end

defmodule Demo.User do
  alias __MODULE__
  alias __MODULE__, as: Me

  defstruct [:name]
  def new, do: %User{}
  def other, do: User.Other.x()
  def me, do: Me.new()
end
`
	res := chunkString(t, "lib/demo.ex", src, Options{Strategy: Semantic})
	checkRefs(t, res, map[string][]string{
		"Demo": {"Demo.Helper", "Demo.A", "Demo.B", "Demo.Sub", "Demo.Deep.Nest",
			"Demo.Macros", "Demo.Req"},
		"Demo.run/1":    {"Demo.Helper.go/1"},
		"Demo.multi/0":  {"Demo.A.a/0", "Demo.B.b/0"},
		"Demo.short/0":  {"Demo.Sub.s/0"},
		"Demo.deep/0":   {"Demo.Deep.Nest.n/0"},
		"Demo.req/0":    {"Demo.Macros.m/0", "Req.r/0"},
		"Demo.direct/1": {"Demo.Helper.go/1"},
		"Demo.struct/0": {"Demo.Helper"},
		// defimpl expands its target through the aliases too.
		"String.Chars.Demo.Helper.to_string/1": {"Demo.Helper.name/1"},
		"Demo.Inner":                           {"Demo.Inner.Part", "Demo.Inner.Imported"},
		"Demo.Inner.part/0":                    {"Demo.Inner.Part.p/0"},
		"Demo.Inner.self/0":                    {"Demo.Inner.x/0"},
		"Demo.Inner.outer/0":                   {"Demo.Helper.go/1"},
		"Demo.Inner.imported/0":                {"Demo.Inner.Imported.imp/1"},
		"Demo.User.new/0":                      nil,
		"Demo.User.other/0":                    {"Demo.User.Other.x/0"},
		"Demo.User.me/0":                       {"Demo.User.new/0"},
	})
}

// TestElixirImportModule: `import __MODULE__.Helper` imports Helper of
// the module it is written in, so a local call of a function the module
// does not define is Helper's.
func TestElixirImportModule(t *testing.T) {
	src := `defmodule Demo do
  import __MODULE__.Helper

  def run(x), do: go(x)
end
`
	res := chunkString(t, "lib/demo.ex", src, Options{Strategy: Semantic})
	checkRefs(t, res, map[string][]string{"Demo.run/1": {"Demo.Helper.go/1"}})
}
