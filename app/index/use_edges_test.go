package index

import (
	"slices"
	"testing"
)

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

// caseTemplateProject: an ExUnit case template (`using do quote do import
// … end end`) and a Phoenix-style one (`defmacro __using__`) that import
// functions of their own modules into the modules that use them.
func caseTemplateProject() map[string]string {
	return map[string]string{
		"test/support/mix_case.ex": `defmodule MixTest.Case do
  use ExUnit.CaseTemplate

  using do
    quote do
      import MixTest.Case
    end
  end

  if match?({:win32, _}, :os.type()) do
    def windows?, do: true
  else
    def windows?, do: false
  end

  def in_tmp(which, function), do: function.(which)
  def tmp_path(extension \\ ""), do: extension
  defp secret, do: :s
end
`,
		"test/support/conn_case.ex": `defmodule MyAppWeb.ConnCase do
  defmacro __using__(_opts) do
    quote do
      import Plug.Conn
      import MyAppWeb.ConnCase, except: [skipped: 0]
    end
  end

  def build_conn(path), do: path
  def skipped, do: :skipped
end
`,
		"test/lock_test.exs": `defmodule Mix.Dep.LockTest do
  use MixTest.Case

  test "creates new lock" do
    in_tmp("x", fn _ -> tmp_path() end)
    secret()
  end
end
`,
		"test/page_test.exs": `defmodule MyAppWeb.PageTest do
  use MyAppWeb.ConnCase

  test "GET /" do
    build_conn("/")
    skipped()
  end
end
`,
		"test/plain_test.exs": `defmodule PlainTest do
  use ExUnit.Case

  test "no template" do
    in_tmp("x", fn _ -> :ok end)
    build_conn("/")
  end
end
`,
	}
}

// TestUsingImportEdges: a local call in a module that uses a case
// template resolves as the imports the template's using (or __using__)
// quote declares would have it: to the public functions (all their
// arities) of the modules it imports, less those its except: leaves out;
// a module that does not use the template links none of them.
func TestUsingImportEdges(t *testing.T) {
	s, p, g, rows := indexedGraph(t, caseTemplateProject())
	checkEdges(t, s, p, map[string][]string{
		`test "creates new lock"`: {"MixTest.Case.in_tmp/2", "MixTest.Case.tmp_path/1"},
		`test "GET /"`:            {"MyAppWeb.ConnCase.build_conn/1"},
		`test "no template"`:      nil,
	}, map[string][]string{
		"MixTest.Case.in_tmp/2":          {`test "creates new lock"`},
		"MixTest.Case.secret/0":          nil,
		"MyAppWeb.ConnCase.build_conn/1": {`test "GET /"`},
		"MyAppWeb.ConnCase.skipped/0":    nil,
	})
	// The ranks' graph finds the view's edges (by name: a module's header
	// and the code of its body share its name).
	if got, want := slices.Compact(edgeNames(g, graphMembers(g, rows))), viewEdges(t, s, p); !slices.Equal(got, want) {
		t.Errorf("Edges:\n%q\nthe view:\n%q", got, want)
	}
}
