package workflow

import (
	"context"
	"strings"
	"testing"
)

// A Mix project as mix phx.new lays it out: test/support is compiled
// only in the test environment (elixirc_paths(:test)).
const (
	supportMixExs = "defmodule Shop.MixProject do\n  use Mix.Project\n\n" +
		"  def project, do: [app: :shop, version: \"0.1.0\", elixir: \"~> 1.14\", elixirc_paths: elixirc_paths(Mix.env())]\n\n" +
		"  defp elixirc_paths(:test), do: [\"lib\", \"test/support\"]\n  defp elixirc_paths(_), do: [\"lib\"]\nend\n"
	supportDataCase = "defmodule Shop.DataCase do\n  def fixture, do: Demo.hello()\nend\n"
)

// TestMixCompileTestSupport: a changed .ex file that mix compile (dev)
// does not compile, because mix.exs compiles its directory only in the
// test environment, is compiled by MIX_ENV=test mix compile, which the
// detail names: an error in it fails the check, and so does a call it
// adds of a function that does not exist, not one it already had. A .ex
// file compiled in neither environment is said not to be checked,
// never ✓.
func TestMixCompileTestSupport(t *testing.T) {
	needMix(t)
	tree := map[string]string{"mix.exs": supportMixExs, "lib/demo.ex": demoLib, "test/test_helper.exs": "ExUnit.start()\n",
		"test/demo_test.exs": demoTest, "test/support/data_case.ex": supportDataCase}
	coreDataCase := strings.Replace(supportDataCase, "Demo.hello()", "ShopCore.Pricing.Rules.stack(1, [])", 1)
	umbrella := map[string]string{"mix.exs": umbrellaMixExs,
		"apps/shop_core/mix.exs":                        strings.Replace(shopCoreMixExs, "def project, do: [", "defp elixirc_paths(:test), do: [\"lib\", \"test/support\"]\n  defp elixirc_paths(_), do: [\"lib\"]\n  def project, do: [elixirc_paths: elixirc_paths(Mix.env()), ", 1),
		"apps/shop_core/lib/shop_core/pricing/rules.ex": shopCoreRules, "apps/shop_core/test/support/data_case.ex": coreDataCase,
		"apps/shop_web/mix.exs": shopWebMixExs, "apps/shop_web/lib/shop_web/handlers/cart.ex": shopWebCart}
	calls := strings.Replace(supportDataCase, "Demo.hello()", "Demo.nosuch(1)", 1)
	broken := strings.Replace(supportDataCase, "Demo.hello()", "undefined_thing()", 1)
	for name, tc := range map[string]struct {
		tree       map[string]string
		path, code string
		status     string
		headline   string   // the failure's headline holds it
		detail     []string // in the detail
	}{
		"error": {tree, "test/support/data_case.ex", broken, Failed,
			"undefined function undefined_thing/0", []string{"test/support/data_case.ex", "MIX_ENV=test mix compile"}},
		"calls what is not there": {tree, "test/support/data_case.ex", calls, Failed,
			"test/support/data_case.ex:2: Demo.nosuch/1 is undefined or private", []string{"MIX_ENV=test mix compile"}},
		"kept a call that was not there": {withFile(tree, "test/support/data_case.ex", calls), "test/support/data_case.ex", "# Data.\n" + calls, OK,
			"", []string{"test/support/data_case.ex compiles (MIX_ENV=test mix compile", "already there before the change: 1"}},
		"compiles": {tree, "test/support/data_case.ex", "# Data.\n" + supportDataCase, OK,
			"", []string{"test/support/data_case.ex compiles (MIX_ENV=test mix compile"}},
		"failed before": {withFile(tree, "test/support/data_case.ex", broken), "test/support/data_case.ex", "# Data.\n" + broken, Skipped,
			"", []string{"could not check test/support/data_case.ex", "already failing before the change: 1", "MIX_ENV=test mix compile"}},
		"umbrella app": {umbrella, "apps/shop_core/test/support/data_case.ex", strings.Replace(coreDataCase, "stack(1, [])", "nosuch(1)", 1), Failed,
			"apps/shop_core/test/support/data_case.ex:2: ShopCore.Pricing.Rules.nosuch/1 is undefined or private", []string{"checked apps/shop_core/test/support/data_case.ex (MIX_ENV=test mix compile"}},
		"umbrella app compiles": {umbrella, "apps/shop_core/test/support/data_case.ex", "# Data.\n" + coreDataCase, OK,
			"", []string{"apps/shop_core/test/support/data_case.ex compiles (MIX_ENV=test mix compile"}},
		"compiled nowhere": {withFile(tree, "priv/templates/x.ex", "defmodule X do\nend\n"), "priv/templates/x.ex", "defmodule X do\n  def x, do: Nope.x()\nend\n", Skipped,
			"", []string{"could not check priv/templates/x.ex"}},
	} {
		t.Run(name, func(t *testing.T) {
			root := writeTree(t, tc.tree)
			p, err := FromFile("refactor", "", "```elixir "+tc.path+"\n"+tc.code+"```\n", "", "elixir", reader(root))
			if err != nil {
				t.Fatal(err)
			}
			Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
			c := p.Checks[len(p.Checks)-1]
			t.Logf("%s %s\n%s\nnotes %q", c.Name, c.Status, c.Detail, p.Notes)
			if c.Name != "mix compile" || c.Status != tc.status {
				t.Fatalf("%s %s %q; want %s", c.Name, c.Status, c.Detail, tc.status)
			}
			for _, d := range tc.detail {
				if !strings.Contains(c.Detail, d) {
					t.Errorf("detail %q; want %q in it", c.Detail, d)
				}
			}
			if h := Headline(c.Detail); c.Status == Failed && !strings.Contains(h, tc.headline) {
				t.Errorf("headline %q; want %q in it", h, tc.headline)
			}
		})
	}
}
