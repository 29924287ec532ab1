package ctxbuild

import (
	"fmt"
	"strings"
	"testing"
)

// codesFixture is a function using 2 of a 40-name const group, and three
// callers of it, each longer than a signature says.
func codesFixture() map[string]string {
	var consts, callers strings.Builder
	for i := range 40 {
		fmt.Fprintf(&consts, "\t// Code%d is the status of condition %d, documented at some length.\n\tCode%d\n", i, i, i)
	}
	for i := range 3 {
		fmt.Fprintf(&callers, "\n// Report%d reports the code of step %d.\nfunc Report%d(c Code) string {\n", i, i, i)
		for j := range 6 {
			fmt.Fprintf(&callers, "\tif c == Code(%d) {\n\t\treturn \"step %d: \" + Describe(c)\n\t}\n", j, j)
		}
		callers.WriteString("\treturn \"\"\n}\n")
	}
	return map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.22\n",
		"codes/codes.go": "package codes\n\n// Code is a status.\ntype Code int\n\nconst (\n\t_ Code = iota\n" + consts.String() + ")\n\n" +
			"// Describe says what c is.\nfunc Describe(c Code) string {\n\tswitch c {\n\tcase Code3:\n\t\treturn \"three\"\n\tcase Code7:\n\t\treturn \"seven\"\n\t}\n\treturn \"other\"\n}\n",
		"codes/report.go": "package codes\n" + callers.String(),
	}
}

// TestGroupCutBeforeLaterNeighbours: a const group of which the target
// uses 2 of 40 names goes cut to them, not whole, whenever whole it
// would cost a later neighbour (a caller) its full form: at no window
// does the group go whole beside a caller reduced or left out, nor a
// larger window show fewer callers in full. With room for all, it goes
// whole.
func TestGroupCutBeforeLaterNeighbours(t *testing.T) {
	e := setupFiles(t, codesFixture())
	const group = "codes.{_,Code0,Code1,Code2,…}"
	most := 0 // callers in full in a smaller window
	for w := 1000; w <= 3000; w += 100 {
		c := e.build(t, Request{Target: "codes.Describe", Question: "q", Window: w})
		r := roles(c)
		full := 0
		for _, it := range c.Included {
			if it.Role == RoleCaller && it.Form == FormFull {
				full++
			}
		}
		switch g := r[group]; {
		case g == "":
			t.Errorf("window %d: the group is left out (all: %v)", w, r)
		case g == RoleCallee+"/"+FormFull && full < 3:
			t.Errorf("window %d: the group in full, %d of 3 callers (all: %v; left out: %v)", w, full, r, droppedReasons(c))
		case g != RoleCallee+"/"+FormFull:
			for _, it := range c.Included {
				if it.Name == group && (!strings.Contains(it.Code, "Code3\n") || !strings.Contains(it.Code, "Code7\n") || strings.Contains(it.Code, "Code12")) {
					t.Errorf("window %d: the group as %s:\n%s\nwant it cut to Code3 and Code7", w, it.Form, it.Code)
				}
			}
		}
		if full < most {
			t.Errorf("window %d: %d callers in full, fewer than the %d of a smaller window (all: %v)", w, full, most, r)
		}
		most = max(most, full)
		if w == 3000 && (r[group] != RoleCallee+"/"+FormFull || full < 3) {
			t.Errorf("window %d: %v; want the group whole and every caller in full, with room for all", w, r)
		}
	}
}
