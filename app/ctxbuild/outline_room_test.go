package ctxbuild

import (
	"fmt"
	"strings"
	"testing"
)

// TestReducedOutlineTakesNoCandidates: a file target that goes in outline
// with some units reduced took the budget as its own; the slack its
// fitting leaves is no room for any candidate, so none is looked for
// (the neighbours of every unit and a search cost more than the rest of
// the context did) and none is listed as dropped.
func TestReducedOutlineTakesNoCandidates(t *testing.T) {
	var big, use strings.Builder
	big.WriteString("package big\n\n")
	use.WriteString("package use\n\nimport \"example.com/m/big\"\n\n")
	for i := range 40 {
		fmt.Fprintf(&big, "// F%d adds the numbers it is given, one by one, and returns the sum.\nfunc F%d(xs ...int) int {\n\ts := 0\n\tfor _, x := range xs {\n\t\ts += x * %d\n\t}\n\treturn s\n}\n\n", i, i, i)
		fmt.Fprintf(&use, "// U%d calls big.F%d.\nfunc U%d() int { return big.F%d(1, 2, 3) }\n\n", i, i, i, i)
	}
	e := setupFiles(t, map[string]string{"go.mod": "module example.com/m\n\ngo 1.22\n", "big/big.go": big.String(), "use/use.go": use.String()})
	reduced := 0
	for window := 900; window <= 2000; window += 37 {
		c := e.build(t, Request{Task: "explain", Target: "big/big.go", Question: "what does it do", Window: window, Hits: 4})
		if c.Target == nil || !strings.Contains(c.Target.Reason, "as signatures") {
			continue
		}
		reduced++
		for _, d := range c.Dropped {
			if d.Role != RoleTarget {
				t.Errorf("window %d: outline %q, and %s %s was looked for and dropped (%s)", window, c.Target.Reason, d.Role, d.Name, d.Reason)
			}
		}
	}
	if reduced == 0 {
		t.Fatal("no window reduced the outline: the test tests nothing")
	}
}
