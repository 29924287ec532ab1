package ctxbuild

import (
	"fmt"
	"strings"
	"testing"
)

// typedocFixture: a module whose header is mostly @typedoc prose over its
// types, with an alias its functions call through, a function walk/2 and
// the three functions it calls, each longer than its signature.
func typedocFixture() map[string]string {
	var h, fns strings.Builder
	h.WriteString("defmodule R.Coll do\n  @moduledoc \"\"\"\n  Walks collections one element at a time.\n  \"\"\"\n  alias R.Util\n")
	for _, ty := range []string{"acc", "reducer", "result", "continuation", "slicer"} {
		fmt.Fprintf(&h, "\n  @typedoc \"\"\"\n  The %s of a walk.\n\n", ty)
		for range 6 {
			fmt.Fprintf(&h, "  A %s is passed from one step of the walk to the next, and says whether the walk goes on or stops here.\n", ty)
		}
		fmt.Fprintf(&h, "  \"\"\"\n  @type %s ::\n          {:cont, term}\n          | {:halt, term}\n", ty)
	}
	for _, f := range []string{"step_one", "step_two", "step_three"} {
		fmt.Fprintf(&fns, "\n  def %s(coll, acc) do\n", f)
		for j := range 8 {
			fmt.Fprintf(&fns, "    acc = Util.visit(coll, acc, %d) # visit the element at offset %d and keep what it returns\n", j, j)
		}
		fns.WriteString("    acc\n  end\n")
	}
	return map[string]string{
		"mix.exs": headerFixture["mix.exs"],
		"lib/coll.ex": h.String() + "\n  def walk(coll, acc) do\n    acc = step_one(coll, acc)\n    acc = step_two(coll, acc)\n    Util.done(step_three(coll, acc))\n  end\n" +
			fns.String() + "end\n",
		"lib/util.ex": "defmodule R.Util do\n  def visit(_c, acc, _n), do: acc\n  def done(acc), do: acc\nend\n",
	}
}

// TestHeaderYieldsToNeighbours: the header of the target's module shrinks
// before the target's neighbours are reduced or dropped: its @typedoc
// prose goes first, then its other doc text, then its @type definitions
// are cut to their names; its alias stays in each form, and its form says
// it was cut. With room for all, it goes whole.
func TestHeaderYieldsToNeighbours(t *testing.T) {
	e := setupFiles(t, typedocFixture())
	callees := []string{"R.Coll.step_one/2", "R.Coll.step_two/2", "R.Coll.step_three/2"}
	seen := map[string]bool{} // the header's forms met
	for w := 900; w <= 4000; w += 100 {
		c := e.build(t, Request{Target: "R.Coll.walk/2", Question: "q", Window: w})
		r := roles(c)
		full, in := 0, 0
		for _, n := range callees {
			switch r[n] {
			case RoleCallee + "/" + FormFull:
				full++
				in++
			case "":
			default:
				in++
			}
		}
		h := included(c, RoleHeader)
		if len(h) != 1 {
			if in > 0 {
				t.Errorf("window %d: no header, though %d callees went in (all: %v)", w, in, r)
			}
			continue
		}
		hd := h[0]
		seen[hd.Form] = true
		prose := strings.Contains(hd.Code, "is passed from one step")
		heads := strings.Contains(hd.Code, "@type acc :: …")
		switch {
		case prose && full < len(callees):
			t.Errorf("window %d: the header with its @typedoc text (%s, %d tokens), %d of %d callees in full (all: %v; left out: %v)",
				w, hd.Form, hd.Tokens, full, len(callees), r, droppedReasons(c))
		case heads && in < len(callees) && hd.Form != FormSignature:
			t.Errorf("window %d: the header with its types cut, %d of %d callees in (all: %v)", w, in, len(callees), r)
		}
		if hd.Form != FormSignature && (!strings.Contains(hd.Code, "alias R.Util") || !strings.Contains(hd.Code, "@type slicer ::")) {
			t.Errorf("window %d: the header as %s lacks its alias or a type's name:\n%s", w, hd.Form, hd.Code)
		}
		if !prose && hd.Form != FormSignature && (hd.Form == FormFull || !strings.Contains(hd.Reason, "left out")) {
			t.Errorf("window %d: the header without its @typedoc text goes as %q (%s): want a form and reason that say what was cut", w, hd.Form, hd.Reason)
		}
		if heads && !strings.Contains(hd.Reason, "@type definitions cut") {
			t.Errorf("window %d: the header with its types cut says %q", w, hd.Reason)
		}
		if w == 4000 && (hd.Form != FormFull || !prose || full < len(callees)) {
			t.Errorf("window %d: header %s; callees %v; want all whole with room for all", w, hd.Form, r)
		}
	}
	for _, f := range []string{FormFull, "cut", FormNoDoc} {
		if !seen[f] {
			t.Errorf("the header never went as %q across the windows (forms seen: %v)", f, seen)
		}
	}
}

// TestGroupCutForm: a group cut to the members the target uses goes as a
// cut, not a signature; left out for want of room even so, its reason
// says what the cut would have taken. A function the target calls, fitted
// before it, goes as its signature rather than leave the cut no room: a
// larger window never leaves the group out where a smaller one had it.
func TestGroupCutForm(t *testing.T) {
	files := codesFixture()
	// Describe calls a long helper first: a function it calls goes before
	// the group, and in a small window leaves it no room.
	files["codes/codes.go"] = strings.Replace(files["codes/codes.go"], "\tswitch c {", "\tExplain(c)\n\tswitch c {", 1)
	var explain strings.Builder
	explain.WriteString("package codes\n\n// Explain logs what c is.\nfunc Explain(c Code) {\n")
	for i := range 12 {
		fmt.Fprintf(&explain, "\tprintln(\"step %d of explaining a code, at some length\", int(c)+%d)\n", i, i)
	}
	files["codes/explain.go"] = explain.String() + "}\n"
	e := setupFiles(t, files)
	const group = "codes.{_,Code0,Code1,Code2,…}"
	var cut, out bool
	in := 0 // the last window the group went in
	for w := 380; w <= 1600; w += 20 {
		c := e.build(t, Request{Target: "codes.Describe", Question: "q", Window: w})
		for _, it := range c.Included {
			if it.Name == group {
				in = w
			}
			if it.Name == group && it.Form != FormFull {
				cut = true
				if it.Form != "cut" || !strings.Contains(it.Reason, "cut to the lines declaring Code3, Code7") {
					t.Errorf("window %d: the group cut to Code3 and Code7 goes as %q (%s)", w, it.Form, it.Reason)
				}
			}
		}
		for _, it := range c.Dropped {
			if it.Name != group {
				continue
			}
			out = true
			if in > 0 {
				t.Errorf("window %d: the group is left out (%s), though it went in a %d-token window", w, it.Reason, in)
			}
			var n int
			_, tail, _ := strings.Cut(it.Reason, "not even for the group cut to the lines declaring Code3, Code7 (")
			if _, err := fmt.Sscanf(tail, "%d tokens)", &n); err != nil || n <= 0 || n >= it.Tokens {
				t.Errorf("window %d: the group left out says %q: want the size of its cut", w, it.Reason)
			}
		}
	}
	if !cut || !out {
		t.Errorf("across the windows the group went cut: %v, left out: %v; want both", cut, out)
	}
}
