package ctxbuild

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// names lists the names of items of a role, in order.
func names(items []Item, role string) []string {
	var out []string
	for _, it := range items {
		if it.Role == role {
			out = append(out, it.Name)
		}
	}
	return out
}

// TestCalleesOwnPackageFirst: a function's callees in its own package come
// before the project's most central code, and are kept when it calls more
// than maxNeighbours: the graph ranks tm's functions, which every package
// calls, far above the helpers only Serve calls.
func TestCalleesOwnPackageFirst(t *testing.T) {
	files := map[string]string{}
	var tm, calls strings.Builder
	tm.WriteString("package tm\n")
	for i := range maxNeighbours + 1 {
		fmt.Fprintf(&tm, "\n// T%d is used everywhere.\nfunc T%d() int { return %d }\n", i, i, i)
		fmt.Fprintf(&calls, "\t_ = tm.T%d()\n", i)
	}
	files["tm/tm.go"] = tm.String()
	for p := range 6 {
		files[fmt.Sprintf("user%d/u.go", p)] = fmt.Sprintf("package user%d\n\nimport \"example.com/m/tm\"\n\n// Use uses tm.\nfunc Use() {\n%s}\n", p, calls.String())
	}
	files["srv/srv.go"] = "package srv\n\nimport \"example.com/m/tm\"\n\n// Serve serves.\nfunc Serve() {\n" + calls.String() +
		"\tnewConn()\n\tlogf()\n\ttrack()\n}\n\nfunc newConn() {}\n\nfunc logf() {}\n\nfunc track() {}\n"
	e := setupFiles(t, files)
	c := e.build(t, Request{Target: "srv.Serve", Question: "q", Window: 32000})
	callees := names(c.Included, RoleCallee)
	if len(callees) < 3 || !slices.Equal(slices.Sorted(slices.Values(callees[:3])), []string{"srv.logf", "srv.newConn", "srv.track"}) {
		t.Errorf("callees %q; want srv's own newConn, logf and track first", callees)
	}
	if len(callees) != maxNeighbours {
		t.Errorf("%d callees; want %d", len(callees), maxNeighbours)
	}
}

// TestNeighboursNearestModuleFirst: an Elixir function's callees and
// callers in its own module come first, then those of modules under the
// same top-level namespace, then the rest, however central.
func TestNeighboursNearestModuleFirst(t *testing.T) {
	var users strings.Builder
	for i := range 6 {
		fmt.Fprintf(&users, "defmodule Other.U%d do\n  def use(x), do: Other.Central.norm(x) + MyApp.Server.call(x) + %d\nend\n\n", i, i)
	}
	e := setupFiles(t, map[string]string{
		"lib/server.ex": `defmodule MyApp.Server do
  def call(x) do
    Other.Central.norm(x) + MyApp.Util.fmt(x) + whereis(x)
  end

  def whereis(x), do: x

  def cast(x), do: call(x)
end
`,
		"lib/util.ex": `defmodule MyApp.Util do
  def fmt(x), do: x

  def shout(x), do: MyApp.Server.call(x)
end
`,
		"lib/central.ex": "defmodule Other.Central do\n  def norm(x), do: x\nend\n",
		"lib/users.ex":   users.String(),
	})
	c := e.build(t, Request{Target: "MyApp.Server.call/1", Question: "q", Window: 32000})
	if got, want := names(c.Included, RoleCallee), []string{"MyApp.Server.whereis/1", "MyApp.Util.fmt/1", "Other.Central.norm/1"}; !slices.Equal(got, want) {
		t.Errorf("callees %q; want %q", got, want)
	}
	callers := names(c.Included, RoleCaller)
	if len(callers) != 8 || callers[0] != "MyApp.Server.cast/1" || callers[1] != "MyApp.Util.shout/1" {
		t.Errorf("callers %q; want MyApp.Server.cast/1, then MyApp.Util.shout/1, then Other's six", callers)
	}
}

// kernelFixture is a project holding Elixir's built-ins, as Elixir's own
// source does: Kernel and Kernel.SpecialForms, with long docs, called by
// every function, and a GenServer whose call/3 calls them besides its own
// whereis/1.
var kernelFixture = map[string]string{
	"lib/kernel.ex": "defmodule Kernel do\n  @doc \"\"\"\n" + strings.Repeat("  Returns true if term is an integer, at length.\n", 40) +
		"  \"\"\"\n  defmacro is_integer(term) do\n    :erlang.is_integer(term)\n  end\n\n" +
		"  @doc \"Is it a list.\"\n  def is_list(term), do: :erlang.is_list(term)\n\n" +
		"  @doc \"The if macro.\"\n  defmacro if(condition, clauses) do\n    build_if(condition, clauses)\n  end\n\n" +
		"  defp build_if(condition, clauses) do\n    is_list(clauses)\n    condition\n  end\nend\n",
	"lib/kernel/special_forms.ex": "defmodule Kernel.SpecialForms do\n  @doc \"\"\"\n" + strings.Repeat("  Matches the given expression against the given clauses, at length.\n", 60) +
		"  \"\"\"\n  defmacro case(condition, clauses), do: error!([condition, clauses])\n\n  defp error!(args), do: args\nend\n",
	"lib/gen_server.ex": `defmodule GenServer do
  @doc "Calls a server."
  def call(server, request, timeout) do
    pid = whereis(server)
    Kernel.SpecialForms.case(pid, [])
    Kernel.is_integer(timeout)
    {pid, request}
  end

  @doc "Finds a server."
  def whereis(server) do
    {:whereis, server, :looked_up, :in, :the, :registry}
  end
end
`,
	"lib/agent.ex": `defmodule Agent do
  def get(agent, fun, timeout), do: GenServer.call(agent, {:get, fun}, timeout)
end
`,
}

// TestBuiltinsLastAsSignatures: the language's built-ins a function calls
// come after everything else, and at most as their signatures, so that
// its own module's callees and its callers fit first; in a window with
// room for all, they still go as signatures.
func TestBuiltinsLastAsSignatures(t *testing.T) {
	e := setupFiles(t, kernelFixture)
	builtin := func(name string) bool { return strings.HasPrefix(name, "Kernel.") }
	for _, window := range []int{1000, 32000} {
		c := e.build(t, Request{Target: "GenServer.call/3", Question: "q", Window: window, Reserve: new(0)})
		r := roles(c)
		for _, want := range []string{"GenServer.whereis/1", "Agent.get/3"} {
			if !strings.HasSuffix(r[want], "/full") {
				t.Errorf("window %d: %s %q; want it in full (all: %v)", window, want, r[want], r)
			}
		}
		seen := false
		for _, it := range append(slices.Clone(c.Included[1:]), c.Dropped...) {
			if builtin(it.Name) {
				seen = true
				if it.Form != "" && it.Form != FormSignature {
					t.Errorf("window %d: %s went %s; a built-in goes as its signature at most", window, it.Name, it.Form)
				}
			} else if seen && slices.ContainsFunc(c.Included, func(in Item) bool { return in.Name == it.Name }) {
				t.Errorf("window %d: %s after a built-in", window, it.Name)
			}
		}
		if window == 32000 {
			for _, want := range []string{"Kernel.is_integer/1", "Kernel.SpecialForms.case/2"} {
				if r[want] != "callee/signature" {
					t.Errorf("window %d: %s %q; want it as its signature (all: %v)", window, want, r[want], r)
				}
			}
			for _, it := range c.Included {
				if builtin(it.Name) && strings.Contains(it.Code, "at length") {
					t.Errorf("%s carries its doc:\n%s", it.Name, it.Code)
				}
			}
		}
	}
	// In Kernel itself, Kernel's functions are its own module's.
	c := e.build(t, Request{Target: "Kernel.if/2", Question: "q", Window: 32000})
	if r := roles(c); r["Kernel.build_if/2"] != "callee/full" {
		t.Errorf("Kernel.if/2: build_if %q; want it in full (all: %v)", r["Kernel.build_if/2"], r)
	}
}

// TestNeighboursLongestSharedPrefix: every module of an app shares its
// top-level namespace, so among them the one sharing more of the
// target's module name comes first — App.Checkout.Steps before
// App.Util.Money for App.Checkout.run/1, though Money is the more
// central —, and among Go packages the one sharing more of the target's
// directory: app/pay before lib/money for app/checkout.
func TestNeighboursLongestSharedPrefix(t *testing.T) {
	var users strings.Builder
	for i := range 6 {
		fmt.Fprintf(&users, "defmodule App.U%d do\n  def use(x), do: App.Util.Money.format(x) + %d\nend\n\n", i, i)
	}
	var gousers strings.Builder
	for i := range 6 {
		gousers.WriteString("\t_ = money.Format(" + fmt.Sprint(i) + ")\n")
	}
	e := setupFiles(t, map[string]string{
		"lib/checkout.ex": "defmodule App.Checkout do\n  def run(x), do: App.Util.Money.format(App.Checkout.Steps.reserve(x))\nend\n",
		"lib/steps.ex":    "defmodule App.Checkout.Steps do\n  def reserve(x), do: x\nend\n",
		"lib/money.ex":    "defmodule App.Util.Money do\n  def format(x), do: x\nend\n",
		"lib/users.ex":    users.String(),
		"go.mod":          "module example.com/m\n\ngo 1.22\n",
		"app/checkout/run.go": "package checkout\n\nimport (\n\t\"example.com/m/app/pay\"\n\t\"example.com/m/lib/money\"\n)\n\n" +
			"// Run runs.\nfunc Run() { _ = money.Format(pay.Charge(1)) }\n",
		"app/pay/pay.go":     "package pay\n\n// Charge charges.\nfunc Charge(n int) int { return n }\n",
		"lib/money/money.go": "package money\n\n// Format formats.\nfunc Format(n int) int { return n }\n",
		"app/other/use.go":   "package other\n\nimport \"example.com/m/lib/money\"\n\n// Use uses.\nfunc Use() {\n" + gousers.String() + "}\n",
	})
	for _, tt := range []struct{ target, want string }{
		{"App.Checkout.run/1", "App.Checkout.Steps.reserve/1"},
		{"checkout.Run", "pay.Charge"},
	} {
		c := e.build(t, Request{Target: tt.target, Question: "q", Window: 32000})
		if got := names(c.Included, RoleCallee); len(got) != 2 || got[0] != tt.want {
			t.Errorf("%s: callees %q; want %s first", tt.target, got, tt.want)
		}
	}
}
