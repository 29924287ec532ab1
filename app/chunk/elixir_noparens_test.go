package chunk

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestElixirRefsWithoutParens: a local call without parentheses is a ref
// at its arity (its arguments, a do block after them, a pipe before it);
// a name alone is a ref to the module's function of arity 0 of that name,
// unless the function it is in binds a variable of that name, and never
// inside a module attribute.
func TestElixirRefsWithoutParens(t *testing.T) {
	src := `defmodule Exproj.Two do
  def fetch(key), do: key
  def fetch(key, opts), do: {key, opts}
  def config, do: []
  def opts(o \\ []), do: o

  def use_block(k) do
    fetch k do
      :x
    end
  end

  def use_noparen(k) do
    x = fetch k
    x
  end

  def use_noparen2(k) do
    fetch k, []
  end

  def piped(k), do: k |> fetch
  def use_config, do: config |> Keyword.get(:a)
  def use_default, do: opts
  def param(config), do: config
  def bound(x) do
    {:ok, config} = x
    config
  end

  @spec typed(config) :: config
  def typed(c), do: c
end
`
	res := chunkString(t, "lib/two.ex", src, Options{Strategy: Semantic})
	want := map[string][]string{
		"Exproj.Two.use_block/1":    {"fetch/2"},
		"Exproj.Two.use_noparen/1":  {"fetch/1"},
		"Exproj.Two.use_noparen2/1": {"fetch/2"},
		"Exproj.Two.piped/1":        {"Kernel.|>/2", "fetch/1"},
		"Exproj.Two.use_config/0":   {"config/0", "Kernel.|>/2", "Keyword.get/2"},
		"Exproj.Two.use_default/0":  {"opts/0"},
		"Exproj.Two.param/1":        nil,
		"Exproj.Two.bound/1":        nil,
		"Exproj.Two.typed/1":        nil,
	}
	checkRefs(t, res, want)
}

// checkRefs compares the refs of the chunks want names with want, and
// fails t on any warning: the fixtures are valid Elixir. The refs to
// Kernel's definition macros and to alias/import/require/use, which
// nearly every chunk has, are left out (see withoutDefinitions).
func checkRefs(t *testing.T, res Result, want map[string][]string) {
	t.Helper()
	got := map[string][]string{}
	for _, c := range res.Chunks {
		if _, ok := want[c.Name]; ok {
			got[c.Name] = withoutDefinitions(c.Refs)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("refs (-want +got):\n%s", diff)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("warnings %q", res.Warnings)
	}
}

// withoutDefinitions returns refs without those to Kernel's definition
// macros (Kernel.def/2, Kernel.defmodule/2, …) and to the alias, import,
// require and use of a header: every function and header has them, and
// the tests of other refs leave them out (TestElixirKernelRefs has them);
// nil if none is left.
func withoutDefinitions(refs []string) []string {
	var out []string
	for _, r := range refs {
		switch {
		case strings.HasPrefix(r, "Kernel.def"), strings.HasPrefix(r, "Kernel.use/"),
			r == "Kernel.SpecialForms.alias", r == "Kernel.SpecialForms.import", r == "Kernel.SpecialForms.require":
			continue
		}
		out = append(out, r)
	}
	return out
}
