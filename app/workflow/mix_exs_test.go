package workflow

import (
	"context"
	"strings"
	"testing"
)

// A Mix project as mix new makes it, with a test, a config and a seeds
// script.
const (
	demoLib     = "defmodule Demo do\n  def hello, do: :world\nend\n"
	demoTest    = "defmodule DemoTest do\n  use ExUnit.Case\n\n  test \"greets the world\" do\n    assert Demo.hello() == :world\n  end\nend\n"
	demoConfig  = "import Config\nconfig :shop, greeting: :world\n"
	demoSeeds   = "IO.puts(\"seeding\")\n"
	demoBrokenT = "defmodule DemoTest do\n  use ExUnit.Case\n\n  test \"greets the world\" do\n    assert Demo.hello() == undefined_thing\n  end\nend\n"
)

// TestMixExsChecked: mix compile compiles no .exs file but mix.exs and
// the config it loads, so a change to a test file is compiled by mix
// test with every test excluded (the test module compiles, with
// test_helper.exs loaded, and no test runs): an error in it fails the
// check, blamed on the change, unless the file failed so before, and so
// does a call it adds of a function that does not exist (a warning, as
// under mix compile), not one it already had; a script the check could
// only run is said not to be checked, never ✓;
// a config file mix loads is checked by mix compile. In an umbrella the
// test file is named as the project names it.
func TestMixExsChecked(t *testing.T) {
	needMix(t)
	single := map[string]string{"mix.exs": brokenMixExs, "lib/demo.ex": demoLib, "config/config.exs": demoConfig,
		"test/test_helper.exs": "ExUnit.start()\n", "test/demo_test.exs": demoTest, "priv/repo/seeds.exs": demoSeeds}
	umbrella := map[string]string{"mix.exs": umbrellaMixExs,
		"apps/shop_core/mix.exs": shopCoreMixExs, "apps/shop_core/lib/shop_core/pricing/rules.ex": shopCoreRules,
		"apps/shop_core/test/test_helper.exs": "ExUnit.start()\n", "apps/shop_core/test/rules_test.exs": strings.ReplaceAll(demoTest, "Demo", "ShopCore.Pricing.Rules"),
		"apps/shop_web/mix.exs": shopWebMixExs, "apps/shop_web/lib/shop_web/handlers/cart.ex": shopWebCart}
	for name, tc := range map[string]struct {
		tree       map[string]string
		path, code string
		status     string
		detail     []string // in mix compile's detail
		not        string   // not in it ("" for no such)
	}{
		"test file error": {single, "test/demo_test.exs", demoBrokenT, Failed,
			[]string{"test/demo_test.exs:5: undefined function undefined_thing/0"}, "could not check"},
		"test file calls what is not there": {single, "test/demo_test.exs", strings.Replace(demoTest, "Demo.hello()", "Demo.nosuch(1)", 1), Failed,
			[]string{"test/demo_test.exs:5: Demo.nosuch/1 is undefined or private", "crashes when the test runs"}, "compiles"},
		"test file kept a call that was not there": {withFile(single, "test/demo_test.exs", strings.Replace(demoTest, "Demo.hello()", "Demo.nosuch(1)", 1)), "test/demo_test.exs",
			"# Demo.\n" + strings.Replace(demoTest, "Demo.hello()", "Demo.nosuch(1)", 1), OK, []string{"test/demo_test.exs compiles"}, ""},
		"test file compiles": {single, "test/demo_test.exs", "# Demo.\n" + demoTest, OK,
			[]string{"test/demo_test.exs compiles (mix test, every test excluded)"}, ""},
		"test file failed before": {withFile(single, "test/demo_test.exs", demoBrokenT), "test/demo_test.exs", "# Demo.\n" + demoBrokenT, Skipped,
			[]string{"could not check test/demo_test.exs: test/demo_test.exs already failed to compile before the change"}, ""},
		"script": {single, "priv/repo/seeds.exs", "IO.puts(\"seeding more\")\n", Skipped,
			[]string{"could not check priv/repo/seeds.exs: mix compiles no script, and checking it would mean running it"}, ""},
		"script beside lib": {single, "priv/repo/seeds.exs", "IO.puts(\"seeding more\")\n", Skipped,
			[]string{"could not check priv/repo/seeds.exs"}, ""},
		"config mix loads": {single, "config/config.exs", "import Config\nconfig :shop, greeting: undefined_cfg()\n", Failed,
			[]string{"undefined_cfg"}, ""},
		"umbrella test file": {umbrella, "apps/shop_core/test/rules_test.exs", strings.ReplaceAll(demoBrokenT, "Demo", "ShopCore.Pricing.Rules"), Failed,
			[]string{"apps/shop_core/test/rules_test.exs:5: undefined function undefined_thing/0"}, "could not check"},
	} {
		t.Run(name, func(t *testing.T) {
			root := writeTree(t, tc.tree)
			p, err := FromFile("refactor", "", "```elixir "+tc.path+"\n"+tc.code+"```\n", "", "elixir", reader(root))
			if err != nil {
				t.Fatal(err)
			}
			if name == "script beside lib" {
				more, err := FromFile("refactor", "", "```elixir lib/demo.ex\n# Demo.\n"+demoLib+"```\n", "", "elixir", reader(root))
				if err != nil {
					t.Fatal(err)
				}
				p.Changes = append(p.Changes, more.Changes...)
			}
			Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
			c := p.Checks[len(p.Checks)-1]
			if c.Name != "mix compile" || c.Status != tc.status {
				t.Fatalf("%s %s %q; want %s", c.Name, c.Status, c.Detail, tc.status)
			}
			for _, d := range tc.detail {
				if !strings.Contains(c.Detail, d) {
					t.Errorf("detail %q; want %q in it", c.Detail, d)
				}
			}
			if tc.not != "" && strings.Contains(c.Detail, tc.not) {
				t.Errorf("detail %q; want no %q in it", c.Detail, tc.not)
			}
		})
	}
}

// withFile is tree with the file p holding code.
func withFile(tree map[string]string, p, code string) map[string]string {
	out := map[string]string{p: code}
	for k, v := range tree {
		if k != p {
			out[k] = v
		}
	}
	return out
}

// TestMixUmbrellaCompileErrorPath: in an umbrella mix names a file that
// fails to compile relative to its app; the check names it as the
// project does, as it does an undefined remote call.
func TestMixUmbrellaCompileErrorPath(t *testing.T) {
	needMix(t)
	const path = "apps/shop_core/lib/shop_core/pricing/rules.ex"
	root := writeTree(t, map[string]string{"mix.exs": umbrellaMixExs,
		"apps/shop_core/mix.exs": shopCoreMixExs, path: shopCoreRules,
		"apps/shop_web/mix.exs": shopWebMixExs, "apps/shop_web/lib/shop_web/handlers/cart.ex": shopWebCart})
	p, err := FromFile("refactor", "", "```elixir "+path+"\n"+strings.Replace(shopCoreRules, "Enum.reduce(", "idd(", 1)+"```\n", "", "elixir", reader(root))
	if err != nil {
		t.Fatal(err)
	}
	Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
	c := p.Checks[len(p.Checks)-1]
	if c.Name != "mix compile" || c.Status != Failed || !strings.Contains(c.Detail, path+":2: undefined function idd/3") ||
		strings.Contains(strings.ReplaceAll(c.Detail, path, ""), "lib/shop_core/pricing/rules.ex") {
		t.Fatalf("%s %s %q; want failed naming %s", c.Name, c.Status, c.Detail, path)
	}
}
