package ctxbuild

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/chunk"
)

// TestNoLineTwice: a function whose clauses another function splits
// (a def between two clauses of classify/1) is one chunk holding that
// function too; what it calls there is already in the prompt with it,
// and does not come again as a neighbour. No line of a file goes in
// twice, whichever of them is the target or comes first.
func TestNoLineTwice(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"lib/t.ex": "defmodule T do\n  def classify(0), do: :zero\n  def helper(x), do: {:other, x}\n  def classify(n), do: helper(n)\nend\n",
		"lib/u.ex": "defmodule U do\n  def run(n) do\n    T.classify(n)\n  end\nend\n",
		// Calls both: the chunk holding the other comes first or after it.
		"lib/v.ex": "defmodule V do\n  def both(n) do\n    {T.helper(n), T.classify(n)}\n  end\n\n  def other(n) do\n    {T.classify(n), T.helper(n)}\n  end\nend\n",
	})
	for _, target := range []string{"T.classify/1", "U.run/1", "V.both/1", "V.other/1"} {
		c := e.build(t, Request{Target: target, Question: "what does classify return for 1?", Window: 8000})
		type line struct {
			path string
			n    int
		}
		by := map[line]string{}
		for _, it := range c.Included {
			if it.Role == RoleHeader {
				continue // its lines run over what it leaves out
			}
			for n := it.StartLine; n <= it.EndLine; n++ {
				if prev, ok := by[line{it.Path, n}]; ok {
					t.Errorf("%s: %s:%d goes in twice, with %s and with %s %s (%d-%d)", target, it.Path, n, prev, it.Role, it.Name, it.StartLine, it.EndLine)
				}
				by[line{it.Path, n}] = it.Role + " " + it.Name
			}
		}
		if _, ok := by[line{"lib/t.ex", 3}]; !ok {
			t.Errorf("%s: helper/1's line left out altogether (%v)", target, roles(c))
		}
	}
}

// TestDistinctHeld: of two candidates one of which holds the other's
// lines, the one holding them goes, in the place of the first of them; a
// header, whose lines run over what it leaves out, neither holds nor is
// held.
func TestDistinctHeld(t *testing.T) {
	item := func(role, name string, from, to int) *Item {
		return &Item{Role: role, Path: "lib/t.ex", Name: name, StartLine: from, EndLine: to, id: int64(from*100 + to), hash: name}
	}
	names := func(items []*Item) string {
		var s []string
		for _, it := range items {
			s = append(s, it.Name)
		}
		return strings.Join(s, " ")
	}
	for _, tc := range []struct {
		items  []*Item
		target *Item
		want   string
	}{
		{[]*Item{item(RoleCallee, "classify", 2, 4), item(RoleCallee, "helper", 3, 3), item(RoleHit, "other", 6, 7)}, nil, "classify other"},
		{[]*Item{item(RoleCallee, "helper", 3, 3), item(RoleHit, "other", 6, 7), item(RoleCaller, "classify", 2, 4)}, nil, "classify other"},
		{[]*Item{item(RoleHeader, "T", 1, 9), item(RoleCallee, "helper", 3, 3)}, nil, "T helper"},
		{[]*Item{item(RoleCallee, "helper", 3, 3), item(RoleHit, "other", 6, 7)}, item(RoleTarget, "classify", 2, 4), "other"},
	} {
		if got := names(distinct(tc.items, tc.target, map[int64]bool{}, map[string]bool{}, newFileCache(t.TempDir(), chunk.Options{}, nil))); got != tc.want {
			t.Errorf("distinct(%s) = %s; want %s", names(tc.items), got, tc.want)
		}
	}
}
