package testgen

import (
	"encoding/json"
	"testing"
)

// TestMutantsOnOneLineAreTold: two mutants of one line (two `and`s, two
// `&&`s) are told apart by their column, in the description and in the
// JSON's own fields.
func TestMutantsOnOneLineAreTold(t *testing.T) {
	for _, tc := range []struct {
		lang, path, src string
		sites           func([]byte) ([]site, error)
		want            []string
	}{
		{"elixir", "lib/shop/cart.ex", "defmodule Shop.Cart do\n  def ok?(a, b, c), do: a and b and c\nend\n",
			func(src []byte) ([]site, error) { return elixirSites(src, 0, len(src)) },
			[]string{"lib/shop/cart.ex:2:27: `and` → `or`", "lib/shop/cart.ex:2:33: `and` → `or`"}},
		{"go", "cart/cart.go", "package cart\n\nfunc OK(a, b, c bool) bool { return a && b && c }\n",
			func(src []byte) ([]site, error) { return goSites("cart/cart.go", src, 0, len(src)) },
			[]string{"cart/cart.go:3:39: `&&` → `||`", "cart/cart.go:3:44: `&&` → `||`"}},
	} {
		src := []byte(tc.src)
		sites, err := tc.sites(src)
		if err != nil {
			t.Fatal(err)
		}
		var got []Mutant
		for _, s := range order(sites) {
			got = append(got, s.mutant(tc.path, src))
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%s: %d mutants %+v, want %d", tc.lang, len(got), got, len(tc.want))
		}
		for i, m := range got {
			if m.Description != tc.want[i] {
				t.Errorf("%s: mutant %d is %q, want %q", tc.lang, i, m.Description, tc.want[i])
			}
		}
		b, _ := json.Marshal(got[1])
		var back struct {
			Path         string
			Line, Column int
		}
		if err := json.Unmarshal(b, &back); err != nil || back.Path != tc.path || back.Line == 0 || back.Column == 0 ||
			back.Column == got[0].Column {
			t.Errorf("%s: JSON %s; want path, line and a column of its own", tc.lang, b)
		}
	}
}
