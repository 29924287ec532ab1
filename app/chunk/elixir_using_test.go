package chunk

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestElixirUsingImports: the public functions of a module that a
// template's using (ExUnit.CaseTemplate) or __using__ quote imports answer
// to Template:name/arity, each arity a default gives too, less those the
// import's except: leaves out and the private ones; a local call in a
// module that uses the template, not settled otherwise, refers to that
// name as well, for each template used above it.
func TestElixirUsingImports(t *testing.T) {
	tmpl := `defmodule MixTest.Case do
  use ExUnit.CaseTemplate

  using do
    quote do
      import MixTest.Case
      import MixTest.Helpers, except: [skipped: 0]
    end
  end

  def in_tmp(which, function), do: function.(which)
  def tmp_path(extension \\ ""), do: extension
  defmacro in_fixture(which, block), do: {which, block}
  defp secret, do: :s
end

defmodule MixTest.Helpers do
  def helper(x), do: x
  def skipped, do: :skipped
end

defmodule MyAppWeb.ConnCase do
  alias MyAppWeb.ConnCase, as: Self

  defmacro __using__(_opts) do
    quote do
      import Self
    end
  end

  def build_conn(path), do: path
end

defmodule NotTemplate do
  def run do
    quote do
      import NotTemplate
    end
  end

  def f(x), do: x
end
`
	res := chunkString(t, "test/support/case.ex", tmpl, Options{Strategy: Semantic})
	got := map[string][]string{}
	for _, c := range res.Chunks {
		if len(c.Members) > 0 {
			got[c.Name] = c.Members
		}
	}
	want := map[string][]string{
		"MixTest.Case.in_tmp/2":          {"MixTest.Case:in_tmp/2"},
		"MixTest.Case.tmp_path/1":        {"MixTest.Case.tmp_path/0", "MixTest.Case:tmp_path/0", "MixTest.Case:tmp_path/1"},
		"MixTest.Case.in_fixture/2":      {"MixTest.Case:in_fixture/2"},
		"MixTest.Helpers.helper/1":       {"MixTest.Case:helper/1"},
		"MyAppWeb.ConnCase.build_conn/1": {"MyAppWeb.ConnCase:build_conn/1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}

	user := `defmodule Mix.Dep.LockTest do
  use ExUnit.Case
  use MixTest.Case
  alias MyAppWeb.ConnCase

  def own(x), do: x

  test "lock" do
    in_tmp("x", fn -> own(1) end)
    assert true
    Enum.map([], &own/1)
    if true, do: :ok
  end
end

defmodule Mix.Dep.Two do
  use MixTest.Case
  use ConnCase2

  def g, do: build_conn("/")
end

defmodule Mix.Dep.None do
  def h, do: in_tmp("x", nil)
end

defmodule Nested.Case do
  using do
    quote do
      use Other.Case
    end
  end

  def k, do: elsewhere(1)
end
`
	res = chunkString(t, "test/lock_test.exs", user, Options{Strategy: Semantic})
	checkRefs(t, res, map[string][]string{
		`test "lock"`:      {"in_tmp/2", "MixTest.Case:in_tmp/2", "own/1", "assert/1", "Enum.map/2", "MixTest.Case:Enum.map/2", "Kernel.if/2"},
		"Mix.Dep.Two.g/0":  {"build_conn/1", "MixTest.Case:build_conn/1", "ConnCase2:build_conn/1"},
		"Mix.Dep.None.h/0": {"in_tmp/2"},
		// A use quoted for the modules that use Nested.Case is none of
		// Nested.Case's own.
		"Nested.Case.k/0": {"elsewhere/1"},
	})
}

// TestElixirKeywordKeyNoRef: a keyword key (`except: [skipped: 0]`,
// `f(skipped: 1)`) named as a zero-arity function of the module is no
// call of it; the name alone, or before `::` in a type, is.
func TestElixirKeywordKeyNoRef(t *testing.T) {
	src := `defmodule A do
  defmacro __using__(_) do
    quote do
      import A, except: [skipped: 0]
    end
  end

  def g do
    f(skipped: 1)
    [skipped:  2]
  end

  def h, do: [skipped]

  def f(x), do: x
  def skipped, do: 1
end
`
	res := chunkString(t, "lib/a.ex", src, Options{Strategy: Semantic})
	checkRefs(t, res, map[string][]string{
		"A.__using__/1": {"Kernel.SpecialForms.quote"},
		"A.g/0":         {"f/1"},
		"A.h/0":         {"skipped/0"},
	})
}
