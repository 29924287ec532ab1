package ctxbuild

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestGoInterfaceMethodCallerPastFirst: the caller that calls the method
// asked about comes first though more than maxNeighbours callers of the
// interface's other methods come before it in the graph's order (its own
// package's, nearer the interface, and more central).
func TestGoInterfaceMethodCallerPastFirst(t *testing.T) {
	var b strings.Builder
	b.WriteString("package cache\n\n// Cache keeps values.\ntype Cache interface {\n\t// Get reads a value.\n\tGet(k string) string\n\t// Evict drops a value.\n\tEvict(k string)\n}\n")
	for i := range maxNeighbours + 4 {
		fmt.Fprintf(&b, "\nfunc use%02d(c Cache) string { return c.Get(%q) }\n", i, fmt.Sprint(i))
	}
	e := setupFiles(t, map[string]string{
		"go.mod":         "module example.com/m\n\ngo 1.22\n",
		"cache/cache.go": b.String(),
		"zz/far/far.go":  "package far\n\nimport \"example.com/m/cache\"\n\n// Drop evicts k.\nfunc Drop(c cache.Cache, k string) {\n\tc.Evict(k)\n}\n",
	})
	c := e.build(t, Request{Target: "cache.Cache.Evict", Question: "q", Window: 16000, Hits: 1})
	if c.Target == nil || c.Target.Name != "cache.Cache.Evict" {
		t.Fatalf("target %+v; want cache.Cache named as its method Evict", c.Target)
	}
	var callers []string
	for _, it := range slices.Concat(c.Included, c.Dropped) {
		if it.Role == RoleCaller {
			callers = append(callers, it.Name)
		}
	}
	if len(callers) == 0 || callers[0] != "far.Drop" {
		t.Errorf("callers %q; want far.Drop, the one calling Evict, first", callers)
	}
	// Asked about the interface, the graph's order stands: its own
	// package's callers first.
	c = e.build(t, Request{Target: "cache.Cache", Question: "q", Window: 16000, Hits: 1})
	for _, it := range c.Included {
		if it.Role == RoleCaller {
			if it.Name == "far.Drop" {
				t.Errorf("cache.Cache: far.Drop first of the callers; want the package's own first")
			}
			break
		}
	}
}
