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
// beyond the few that go in as such are not silently left out: each that
// goes in neither as an implementation nor as a search hit is listed among
// those left out, saying it is a further implementation, in their order,
// after the implementations that went in.
func TestFurtherImplementationsListed(t *testing.T) {
	types := []string{"List", "Map", "Tuple", "BitString", "Integer", "Float", "Atom", "PID"}
	e := setupFiles(t, manyImplsFixture(types))
	// Of 8 implementations, 3 go in as such; the others, with one search
	// hit, are listed as left out; with 12, they come as hits, in a large
	// window all in, in a small one some left out for want of room.
	for _, r := range []struct {
		hits, window int
		someOut      bool // some further implementation is left out
	}{{1, 8000, true}, {12, 8000, false}, {12, 600, true}} {
		hits := r.hits
		c := e.build(t, Request{Target: "Sizer.size/1", Question: "q", Window: r.window, Hits: hits})
		impls := names(c.Included, RoleImpl)
		if len(impls) != maxImpls {
			t.Fatalf("hits %d, window %d: implementations %q; want %d of them (all: %v)", hits, r.window, impls, maxImpls, roles(c))
		}
		var listed []string
		for _, it := range furtherImpls(t, c, len(types), fmt.Sprintf("hits %d, window %d: ", hits, r.window)) {
			listed = append(listed, it.Name)
		}
		for _, ty := range types {
			name := "Sizer." + ty + ".size/1"
			in := slices.ContainsFunc(c.Included, func(it Item) bool { return it.Name == name })
			out := slices.ContainsFunc(c.Dropped, func(it Item) bool { return it.Name == name })
			switch {
			case in && out:
				t.Errorf("hits %d, window %d: %s both included and left out", hits, r.window, name)
			case !in && !slices.Contains(listed, name):
				t.Errorf("hits %d, window %d: %s neither included nor listed as a further implementation (included %v; left out %v)", hits, r.window, name, roles(c), droppedReasons(c))
			}
		}
		if r.someOut && len(listed) == 0 {
			t.Errorf("hits %d, window %d: no further implementation left out: the test shows nothing", hits, r.window)
		}
	}
}

func droppedReasons(c *Context) map[string]string {
	out := map[string]string{}
	for _, it := range c.Dropped {
		out[it.Name] = it.Role + ": " + it.Reason
	}
	return out
}

// furtherImpls is what c lists among those left out as further
// implementations, in order, checking that each says it is implementation
// k of total and how many go in, and that they come in order after the
// implementations that went in; label starts each complaint.
func furtherImpls(t *testing.T, c *Context, total int, label string) []Item {
	t.Helper()
	var listed []Item
	var nums []int
	for _, it := range c.Dropped {
		if it.Role != RoleImpl {
			continue
		}
		var k, n int
		_, why, _ := strings.Cut(it.Reason, "; ")
		if _, err := fmt.Sscanf(why, "implementation %d of %d", &k, &n); err != nil || n != total {
			t.Errorf("%s%s left out: %q; want it said to be implementation k of %d", label, it.Name, it.Reason, total)
			continue
		}
		if !strings.Contains(it.Reason, fmt.Sprintf("up to %d go in", maxImpls)) || it.Tokens <= 0 {
			t.Errorf("%s%s left out: %q, %d tokens; want how many go in, and its tokens", label, it.Name, it.Reason, it.Tokens)
		}
		listed, nums = append(listed, it), append(nums, k)
	}
	if !slices.IsSorted(nums) || len(nums) > 0 && nums[0] <= maxImpls {
		t.Errorf("%sfurther implementations listed as %v; want them in order, after the %d that went in", label, nums, maxImpls)
	}
	return listed
}
