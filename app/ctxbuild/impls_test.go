package ctxbuild

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// manyImplsFixture is a protocol with more implementations than go in,
// each a few lines, and a caller.
func manyImplsFixture(types []string) map[string]string {
	var src strings.Builder
	src.WriteString("defprotocol Sizer do\n  @doc \"Returns the size of a data structure.\"\n  def size(data)\nend\n")
	for i, ty := range types {
		fmt.Fprintf(&src, "\ndefimpl Sizer, for: %s do\n  def size(data) do\n    data = {data, :%s}\n    elem(data, %d)\n  end\nend\n", ty, strings.ToLower(ty), i%2)
	}
	return map[string]string{
		"lib/sizer.ex": src.String(),
		"lib/user.ex":  "defmodule App.User do\n  def use(x), do: Sizer.size(x) + 1\nend\n",
	}
}

// TestFurtherImplementationsListed: a protocol function's implementations
// beyond the few that go before the callers are not left out for their
// number alone: they go after the search hits while room remains, each
// saying which it is; one that goes in as a search hit says it is an
// implementation; one left out for want of room says which it is too.
func TestFurtherImplementationsListed(t *testing.T) {
	types := []string{"List", "Map", "Tuple", "BitString", "Integer", "Float", "Atom", "PID"}
	e := setupFiles(t, manyImplsFixture(types))
	for _, r := range []struct {
		hits, window int
		allIn        bool // every implementation goes in
		someOut      bool // some further implementation is left out
	}{{1, 8000, true, false}, {12, 8000, true, false}, {12, 600, false, true}} {
		label := fmt.Sprintf("hits %d, window %d: ", r.hits, r.window)
		c := e.build(t, Request{Target: "Sizer.size/1", Question: "q", Window: r.window, Hits: r.hits})
		if impls := firstImpls(c); len(impls) != maxImpls {
			t.Fatalf("%simplementations before the callers %q; want %d of them (all: %v)", label, impls, maxImpls, roles(c))
		}
		var listed []string
		for _, it := range furtherImpls(t, c, len(types), label) {
			listed = append(listed, it.Name)
		}
		for _, ty := range types {
			name := "Sizer." + ty + ".size/1"
			in := slices.ContainsFunc(c.Included, func(it Item) bool { return it.Name == name })
			out := slices.ContainsFunc(c.Dropped, func(it Item) bool { return it.Name == name })
			switch {
			case in && out:
				t.Errorf("%s%s both included and left out", label, name)
			case !in && !slices.Contains(listed, name):
				t.Errorf("%s%s neither included nor listed as a further implementation (included %v; left out %v)", label, name, roles(c), droppedReasons(c))
			case r.allIn && !in:
				t.Errorf("%s%s left out with room to spare (%d of %d tokens): %v", label, name, c.Tokens, c.Budget, droppedReasons(c))
			}
		}
		if r.someOut && !slices.ContainsFunc(c.Dropped, func(it Item) bool { return it.Role == RoleImpl }) {
			t.Errorf("%sno further implementation left out: the test shows nothing", label)
		}
	}
}

// TestOwnFileImplementationsFirst: a protocol's implementations written
// in its own file go before the others, whatever the lookup's order.
func TestOwnFileImplementationsFirst(t *testing.T) {
	files := manyImplsFixture([]string{"Integer", "Float"})
	// More central implementations elsewhere: called from many places.
	for _, ty := range []string{"App.A", "App.Bb", "App.Ccc"} {
		mod := strings.ToLower(strings.TrimPrefix(ty, "App."))
		files["lib/"+mod+".ex"] = fmt.Sprintf("defmodule %s do\n  defstruct [:n]\nend\n\ndefimpl Sizer, for: %s do\n  def size(data), do: data.n + %d\nend\n", ty, ty, len(mod))
		for i := range 4 {
			files[fmt.Sprintf("lib/use_%s%d.ex", mod, i)] = fmt.Sprintf("defmodule App.Use%s%d do\n  def go(x), do: Sizer.%s.size(x)\nend\n", strings.ToUpper(mod), i, ty)
		}
	}
	e := setupFiles(t, files)
	c := e.build(t, Request{Target: "Sizer.size/1", Question: "q", Window: 8000, Hits: 1})
	impls := firstImpls(c)
	if len(impls) != maxImpls || impls[0] != "Sizer.Integer.size/1" && impls[0] != "Sizer.Float.size/1" || impls[1] != "Sizer.Integer.size/1" && impls[1] != "Sizer.Float.size/1" {
		t.Errorf("implementations %q; want Integer's and Float's, in the protocol's file, first (all: %v)", impls, roles(c))
	}
}

// firstImpls is the names of the implementations c gives before any
// caller or search hit.
func firstImpls(c *Context) []string {
	var out []string
	for _, it := range c.Included {
		if it.Role == RoleCaller || it.Role == RoleHit {
			break
		}
		if it.Role == RoleImpl {
			out = append(out, it.Name)
		}
	}
	return out
}

func droppedReasons(c *Context) map[string]string {
	out := map[string]string{}
	for _, it := range c.Dropped {
		out[it.Name] = it.Role + ": " + it.Reason
	}
	return out
}

// furtherImpls is the further implementations c gives as such, past
// the first maxImpls: those included, after every caller and search hit,
// the numbers ascending, then those left out; each says it is
// implementation k of total, after the search hits. One that went in as
// a search hit says that it is implementation k of total too. label
// starts each complaint.
func furtherImpls(t *testing.T, c *Context, total int, label string) []Item {
	t.Helper()
	var listed []Item
	var nums []int
	num := func(it Item, how string) (int, bool) {
		var k, n int
		_, why, ok := strings.Cut(it.Reason, "implementation ")
		if _, err := fmt.Sscanf(why, "%d of %d", &k, &n); !ok || err != nil || n != total || !strings.Contains(why, how) {
			t.Errorf("%s%s (%s): %q; want it said to be implementation k of %d, %s", label, it.Name, it.Role, it.Reason, total, how)
			return 0, false
		}
		return k, true
	}
	first := len(firstImpls(c))
	lastOther := -1 // the last caller or hit included
	for i, it := range c.Included {
		if it.Role == RoleCaller || it.Role == RoleHit {
			lastOther = i
		}
	}
	seen := 0
	for i, it := range c.Included {
		switch {
		case it.Role == RoleHit && strings.Contains(it.Reason, "implementation "):
			if k, ok := num(it, "as a search hit"); ok && k <= maxImpls {
				t.Errorf("%s%s: implementation %d went in as a hit, not before the callers", label, it.Name, k)
			}
		case it.Role == RoleImpl:
			if seen++; seen <= first {
				continue
			}
			if i < lastOther {
				t.Errorf("%s%s: a further implementation before a caller or search hit: %v", label, it.Name, roles(c))
			}
			if k, ok := num(it, "after the search hits"); ok {
				listed, nums = append(listed, it), append(nums, k)
			}
		}
	}
	if !slices.IsSorted(nums) || len(nums) > 0 && nums[0] <= maxImpls {
		t.Errorf("%sfurther implementations given as %v; want them in order, after the %d before the callers", label, nums, maxImpls)
	}
	// Those left out: a search hit's copy in the hits' place.
	for _, it := range c.Dropped {
		if it.Role != RoleImpl {
			continue
		}
		if k, ok := num(it, "after the search hits"); ok {
			if it.Tokens <= 0 || k <= maxImpls || slices.Contains(nums, k) {
				t.Errorf("%s%s left out as implementation %d (%d tokens); want its tokens, and it one of the further ones, once (%v)", label, it.Name, k, it.Tokens, nums)
			}
			listed, nums = append(listed, it), append(nums, k)
		}
	}
	return listed
}
