package workflow

import (
	"context"
	"strings"
	"testing"
)

// An umbrella: shop_web calls ShopCore.Pricing.Rules.stack/2 of the
// shop_core app.
const (
	umbrellaMixExs = "defmodule Shop.Umbrella.MixProject do\n  use Mix.Project\n  def project, do: [apps_path: \"apps\", version: \"0.1.0\", deps: []]\nend\n"
	umbrellaAppOpt = `version: "0.1.0", elixir: "~> 1.14", build_path: "../../_build", config_path: "../../config/config.exs", deps_path: "../../deps", lockfile: "../../mix.lock"`
	shopCoreMixExs = "defmodule ShopCore.MixProject do\n  use Mix.Project\n  def project, do: [app: :shop_core, " + umbrellaAppOpt + "]\nend\n"
	shopWebMixExs  = "defmodule ShopWeb.MixProject do\n  use Mix.Project\n  def project, do: [app: :shop_web, " + umbrellaAppOpt + ", deps: [{:shop_core, in_umbrella: true}]]\nend\n"
	shopCoreRules  = "defmodule ShopCore.Pricing.Rules do\n  def stack(price, rules), do: Enum.reduce(rules, price, fn r, p -> r.(p) end)\nend\n"
	shopWebCart    = "defmodule ShopWeb.Handlers.Cart do\n  alias ShopCore.Pricing.Rules\n\n  def add(price, rules) do\n    Rules.stack(price, rules)\n  end\nend\n"
	mixTimeoutB    = "defmodule B do\n  @timeout 5000\n  def b(opts), do: Keyword.get(opts, :timeout, @timeout)\nend\n"
	mixCallsGone   = "defmodule A do\n  def a(x), do: Gone.f(x)\nend\n"
)

// TestMixCompileUndefinedCall: mix compile only warns about a call of a
// remote function that does not exist, which crashes at run time. A
// change that adds such a call fails the check with the warning and where
// it is, also when the call is in a file the change does not touch (a
// function renamed in one umbrella app, called by its old name in
// another). Such calls the project had before the change, and other
// warnings (an unused variable, a deprecated function), do not fail it;
// when the project did not compile before the change, which calls are
// old is unknown, and the check is skipped saying so. The old calls are
// counted where there are any.
func TestMixCompileUndefinedCall(t *testing.T) {
	needMix(t)
	single := writeTree(t, map[string]string{"mix.exs": brokenMixExs, "lib/b.ex": mixTimeoutB})
	old := writeTree(t, map[string]string{"mix.exs": brokenMixExs, "lib/a.ex": mixCallsGone, "lib/b.ex": mixTimeoutB})
	fixed := writeTree(t, map[string]string{"mix.exs": brokenMixExs, "lib/a.ex": mixCallsGone, "lib/b.ex": strings.Replace(mixTimeoutB, "Keyword.get(", "undefined_local(", 1)})
	umbrella := writeTree(t, map[string]string{"mix.exs": umbrellaMixExs,
		"apps/shop_core/mix.exs": shopCoreMixExs, "apps/shop_core/lib/shop_core/pricing/rules.ex": shopCoreRules,
		"apps/shop_web/mix.exs": shopWebMixExs, "apps/shop_web/lib/shop_web/handlers/cart.ex": shopWebCart})
	for name, tc := range map[string]struct {
		root, path, code string
		status           string
		detail           []string // in mix compile's detail
	}{
		"undefined or private": {single, "lib/b.ex", strings.Replace(mixTimeoutB, "Keyword.get(opts, :timeout, @timeout)", "String.no_such_fun(@timeout)", 1),
			Failed, []string{"lib/b.ex:3: String.no_such_fun/1 is undefined or private (B.b/1): a call of a function that does not exist"}},
		"module not available": {single, "lib/b.ex", strings.Replace(mixTimeoutB, "Keyword.get(", "Nope.Keyword.get(", 1),
			Failed, []string{"Nope.Keyword.get/3 is undefined (module Nope.Keyword is not available or is yet to be defined)", "lib/b.ex:3"}},
		"caller in another app": {umbrella, "apps/shop_core/lib/shop_core/pricing/rules.ex", strings.Replace(shopCoreRules, "def stack(", "def apply_all(", 1),
			Failed, []string{"ShopCore.Pricing.Rules.stack/2 is undefined or private", "apps/shop_web/lib/shop_web/handlers/cart.ex:5"}},
		"other warnings": {single, "lib/b.ex", strings.Replace(mixTimeoutB, "def b(opts), do: Keyword.get(opts, :timeout, @timeout)", "def b(opts) do\n    unused = 1\n    String.to_char_list(Keyword.get(opts, :timeout, @timeout))\n  end", 1),
			OK, nil},
		"there before": {old, "lib/b.ex", strings.Replace(mixTimeoutB, "5000", "6000", 1),
			OK, []string{"calls of undefined functions already there before the change: 1"}},
		"did not compile before": {fixed, "lib/b.ex", mixTimeoutB,
			Skipped, []string{"which of them the change adds is unknown", "lib/a.ex:2: Gone.f/1 is undefined"}},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := FromFile("refactor", "", "```elixir "+tc.path+"\n"+tc.code+"```\n", "", "elixir", reader(tc.root))
			if err != nil {
				t.Fatal(err)
			}
			Validate(context.Background(), tc.root, p, ValidateOptions{Toolchain: true})
			c := p.Checks[len(p.Checks)-1]
			if c.Name != "mix compile" || c.Status != tc.status {
				t.Fatalf("%s %s %q; want %s", c.Name, c.Status, c.Detail, tc.status)
			}
			for _, d := range tc.detail {
				if !strings.Contains(c.Detail, d) {
					t.Errorf("detail %q; want %q in it", c.Detail, d)
				}
			}
			// The one-line summary of the failure names the call.
			if h := Headline(c.Detail); c.Status == Failed && !strings.Contains(h, " is undefined") {
				t.Errorf("headline %q does not name the undefined function", h)
			}
			// A count of none says nothing the failure does not.
			if strings.Contains(c.Detail, "before the change: 0") {
				t.Errorf("detail %q counts no old call", c.Detail)
			}
		})
	}
}

// TestUndefinedCalls reads the warnings of calls of undefined functions
// out of mix compile's output, as Elixir 1.14 and later print them: one
// a location, after any suggestions, under the umbrella app they are in.
func TestUndefinedCalls(t *testing.T) {
	out := `==> shop_web
Compiling 2 files (.ex)
warning: variable "y" is unused (if the variable is not meant to be used, prefix it with an underscore)
  lib/a.ex:7: A.d/1

warning: B.bb/1 is undefined or private. Did you mean:

      * b/1

  lib/a.ex:3: A.b/1

warning: B.gone/1 is undefined or private
Invalid call found at 2 locations:
  lib/a.ex:2: A.a/1
  lib/a.ex:4: A.c/1

    warning: Nope.f/0 is undefined (module Nope is not available or is yet to be defined)
    │
  9 │   def e, do: Nope.f()
    │                   ~
    │
    └─ lib/e.ex:9:19: E.e/0

Generated shop_web app
`
	got := joinUndefinedCalls(undefinedCalls(out, func(app, file string) string { return app + "/" + file }))
	want := `shop_web/lib/a.ex:3: B.bb/1 is undefined or private (A.b/1)
shop_web/lib/a.ex:2: B.gone/1 is undefined or private (A.a/1)
shop_web/lib/a.ex:4: B.gone/1 is undefined or private (A.c/1)
shop_web/lib/e.ex:9: Nope.f/0 is undefined (module Nope is not available or is yet to be defined) (E.e/0)`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
