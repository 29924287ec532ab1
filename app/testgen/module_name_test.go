package testgen

import "testing"

// TestTestPathTakenModule: the prompt has the model name the test module
// after the file (test/app/cart_test.exs → App.CartTest), so an Elixir
// test path whose module a test file already defines, under whatever
// file name (a flat test/cart_test.exs), is passed over as a path that
// exists is: the generated file would define that module a second time.
func TestTestPathTakenModule(t *testing.T) {
	for name, tc := range map[string]struct {
		files  map[string]string
		target string
		want   string
	}{
		"flat test dir": {map[string]string{"mix.exs": "", "lib/app/cart.ex": "",
			"test/cart_test.exs": "defmodule App.CartTest do\n  use ExUnit.Case\nend\n"},
			"lib/app/cart.ex", "test/app/cart_gen_test.exs"},
		"generated name taken too": {map[string]string{"mix.exs": "", "lib/app/cart.ex": "",
			"test/cart_test.exs":     "defmodule App.CartTest do\nend\n",
			"test/cart_gen_test.exs": "defmodule App.CartGenTest do\nend\n"},
			"lib/app/cart.ex", "test/app/cart_gen2_test.exs"},
		"umbrella app": {map[string]string{"mix.exs": "", "apps/x/mix.exs": "", "apps/x/lib/x/cart_item.ex": "",
			"apps/x/test/support/cases.ex": "defmodule X.CartItemTest do\nend\n"},
			"apps/x/lib/x/cart_item.ex", "apps/x/test/x/cart_item_gen_test.exs"},
		"other module names": {map[string]string{"mix.exs": "", "lib/app/cart.ex": "",
			"test/cart_test.exs": "defmodule CartTest do\n  defmodule App.CartTest do\n  end\nend\n"},
			"lib/app/cart.ex", "test/app/cart_test.exs"},
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, tc.files)
			got, err := TestPath(root, tc.target)
			if err != nil || got != tc.want {
				t.Errorf("TestPath = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
