package ctxbuild

import "testing"

// TestCallerThroughModuleAlias: a function calling Helper.go after `alias
// __MODULE__.Helper` is a caller of Demo.Helper.go/1, as one written after
// `alias Demo.Helper` is, so the context about go/1 carries it.
func TestCallerThroughModuleAlias(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"lib/demo.ex": `defmodule Demo do
  alias __MODULE__.Helper

  def run(x), do: Helper.go(x)
end
`,
		"lib/demo/helper.ex": `defmodule Demo.Helper do
  def go(x), do: x
end
`,
	})
	c := e.build(t, Request{Target: "Demo.Helper.go/1", Question: "q", Window: 8000})
	var callers []string
	for _, it := range c.Included {
		if it.Role == RoleCaller {
			callers = append(callers, it.Name)
		}
	}
	if len(callers) != 1 || callers[0] != "Demo.run/1" {
		t.Errorf("callers %q; want Demo.run/1", callers)
	}
}
