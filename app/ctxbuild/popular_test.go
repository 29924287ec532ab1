package ctxbuild

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestPopularCallersKeptByPlaceThenRank: of a function called from more
// places than a context keeps, its own package's callers come first, and
// of the others, all in places alike, the most central are kept — the
// ranks of the callers up to the cut decide (they are read for those
// only), and those kept go whole.
func TestPopularCallersKeptByPlaceThenRank(t *testing.T) {
	files := map[string]string{
		"tm/tm.go": "package tm\n\n// Base is called everywhere.\nfunc Base() int { return 1 }\n\n" +
			"func A1() int { return Base() }\n\nfunc A2() int { return Base() + 1 }\n\nfunc A3() int { return Base() + 2 }\n",
	}
	var hub strings.Builder
	hub.WriteString("package hub\n\nimport (\n")
	const others = maxNeighbours + 8
	for i := range others {
		files[fmt.Sprintf("p%02d/u.go", i)] = fmt.Sprintf("package p%02d\n\nimport \"example.com/m/tm\"\n\n// Use uses tm.\nfunc Use() int { return tm.Base() + %d }\n", i, i)
		if i >= others-5 {
			fmt.Fprintf(&hub, "\t\"example.com/m/p%02d\"\n", i)
		}
	}
	hub.WriteString(")\n")
	// The last five callers (last by path) are called from many places:
	// the most central.
	for j := range 8 {
		fmt.Fprintf(&hub, "\nfunc H%d() int {\n\treturn 0", j)
		for i := others - 5; i < others; i++ {
			fmt.Fprintf(&hub, " + p%02d.Use()", i)
		}
		hub.WriteString("\n}\n")
	}
	files["hub/hub.go"] = hub.String()
	e := setupFiles(t, files)
	c := e.build(t, Request{Target: "tm.Base", Question: "q", Window: 64000})
	callers := names(c.Included, RoleCaller)
	if len(callers) != maxNeighbours {
		t.Fatalf("%d callers %q; want %d", len(callers), callers, maxNeighbours)
	}
	if !slices.Equal(slices.Sorted(slices.Values(callers[:3])), []string{"tm.A1", "tm.A2", "tm.A3"}) {
		t.Errorf("callers %q; want tm's own first", callers)
	}
	for i := others - 5; i < others; i++ {
		if want := fmt.Sprintf("p%02d.Use", i); !slices.Contains(callers, want) {
			t.Errorf("callers %q leave out %s, called from hub eight times", callers, want)
		}
	}
	for _, it := range c.Included {
		if it.Role == RoleCaller && (it.StartLine < 3 || it.EndLine < it.StartLine || !strings.Contains(it.Code, "Base()") || strings.Contains(it.Code, "package ")) {
			t.Errorf("caller %s went as lines %d-%d: %q; want its function's lines", it.Name, it.StartLine, it.EndLine, it.Code)
		}
	}
}
