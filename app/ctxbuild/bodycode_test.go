package ctxbuild

import (
	"strings"
	"testing"
)

// TestModuleBodyCodeIsNoCallee: code in a module's body outside any
// function (an `if` block defining functions) is chunked named after the
// module, so a reference to the module by name (`use MyCase`) reached
// it: it went in as a callee of a test that calls none of it. Named so,
// it is no callee; the function the test calls is.
func TestModuleBodyCodeIsNoCallee(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"mix.exs": "defmodule App.MixProject do\n  use Mix.Project\n  def project, do: [app: :app]\nend\n",
		"test/test_helper.exs": "ExUnit.start()\n\ndefmodule MyCase do\n  use ExUnit.CaseTemplate\n\n  defmodule Sample do\n    def project, do: []\n  end\n\n  using do\n    quote do\n      import MyCase\n    end\n  end\n\n" +
			"  if System.get_env(\"WINDOWS\") do\n    def windows?, do: true\n  else\n    def windows?, do: false\n  end\n\n  def helper(x), do: x + 1\nend\n",
		"test/foo_test.exs": "defmodule FooTest do\n  use MyCase\n\n  setup do\n    MyCase.Sample.project()\n    :ok\n  end\n\n  test \"adds\" do\n    assert helper(1) == 2\n  end\nend\n",
	})
	c := e.build(t, Request{Target: "test/foo_test.exs:10", Window: 8192})
	var callees []string
	for _, it := range append(c.Included, c.Dropped...) {
		if it.Role == RoleCallee {
			callees = append(callees, it.Name+" "+it.Kind)
			if it.Kind == "code" {
				t.Errorf("callee %s (%s, %d-%d): module-body code, which the test does not call", it.Name, it.Kind, it.StartLine, it.EndLine)
			}
		}
	}
	if !strings.Contains(strings.Join(callees, ","), "MyCase.helper/1") {
		t.Errorf("callees %v; want MyCase.helper/1", callees)
	}
}
