package ctxbuild

import (
	"fmt"
	"strings"
	"testing"
)

// TestCutKeepsHead: a neighbour cut to fit the room left keeps its head —
// the lines its signature shows, @spec and def, or a Go func line — and
// loses its doc text or the end of its body instead; a cut that cannot
// keep the head leaves the neighbour as its signature. More room never
// gives the model less of its code: at no window does the neighbour go
// cut short without the line that defines it.
func TestCutKeepsHead(t *testing.T) {
	var body strings.Builder
	for i := range 12 {
		fmt.Fprintf(&body, "    n%d = item.price * item.qty + %d\n", i, i)
	}
	var goBody strings.Builder
	for i := range 12 {
		fmt.Fprintf(&goBody, "\tn += it.Price * float64(it.Qty) + %d\n", i)
	}
	e := setupFiles(t, map[string]string{
		"lib/item.ex": "defmodule P.Item do\n  @doc \"\"\"\n" +
			strings.Repeat("  Computes the total of an item, its price times its quantity, rounded.\n", 4) +
			"  \"\"\"\n  @spec total(map()) :: number()\n  def total(item) do\n" + body.String() + "    n0\n  end\nend\n",
		"lib/cart.ex": "defmodule P.Cart do\n  def sum(items) do\n    Enum.reduce(items, 0, fn i, acc -> acc + P.Item.total(i) end)\n  end\nend\n",
		"item/item.go": "package item\n\n// Item is a line of a cart.\ntype Item struct {\n\tPrice float64\n\tQty   int\n}\n\n" +
			strings.Repeat("// Total computes the total of an item, its price times its quantity, rounded.\n", 8) +
			"func Total(it Item) float64 {\n\tn := 0.0\n" + goBody.String() + "\treturn n\n}\n",
		"item/cart.go": "package item\n\n// Sum totals a cart.\nfunc Sum(items []Item) float64 {\n\ts := 0.0\n\tfor _, it := range items {\n\t\ts += Total(it)\n\t}\n\treturn s\n}\n",
	})
	for _, tc := range []struct{ target, callee, head string }{
		{"P.Cart.sum/1", "P.Item.total/1", "def total(item) do"},
		{"item.Sum", "item.Total", "func Total(it Item) float64 {"},
	} {
		cut := 0
		for w := 300; w <= 900; w += 10 {
			c := e.build(t, Request{Target: tc.target, Question: "q", Window: w, Reserve: new(0)})
			for _, it := range c.Included {
				if it.Name != tc.callee || it.Role != RoleCallee {
					continue
				}
				if !strings.Contains(it.Code, tc.head) {
					t.Errorf("window %d: %s goes %s (%s) without %q:\n%s", w, tc.callee, it.Form, it.Reason, tc.head, it.Code)
				}
				if it.Form == FormTruncated {
					cut++
				}
			}
		}
		if cut == 0 {
			t.Errorf("%s: never cut to fit; the test shows nothing", tc.callee)
		}
	}
}
