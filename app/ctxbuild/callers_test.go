package ctxbuild

import (
	"fmt"
	"strings"
	"testing"
)

// TestCallersOwnFirst: of a function's callers, those of the project's own
// code come before a vendored copy's and a test's, though their paths
// sort after them and the graph ranks them alike.
func TestCallersOwnFirst(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"strs/strs.go":        "package strs\n\n// Trim trims s.\nfunc Trim(s string) string { return s }\n",
		"strs/strs_test.go":   "package strs\n\nimport \"testing\"\n\nfunc TestTrim(t *testing.T) {\n\tif Trim(\"a\") != \"a\" {\n\t\tt.Fatal(\"trim\")\n\t}\n}\n",
		"vendor/x/doc/doc.go": "package doc\n\nimport \"example.com/m/strs\"\n\n// Extract extracts.\nfunc Extract(s string) string { return strs.Trim(s) }\n",
		"zz/app.go":           "package zz\n\nimport \"example.com/m/strs\"\n\n// Clean cleans.\nfunc Clean(s string) string { return strs.Trim(s) }\n",
	})
	c := e.build(t, Request{Target: "strs.Trim", Question: "q", Window: 8000})
	var callers []string
	for _, it := range c.Included {
		if it.Role == RoleCaller {
			callers = append(callers, it.Path)
		}
	}
	if len(callers) != 3 || callers[0] != "zz/app.go" {
		t.Errorf("callers %q; want zz/app.go's first of three", callers)
	}
}

// TestCallerCutAroundCall: a caller too large to go whole, cut to the room
// left, keeps its signature and the lines around its call of the target,
// not its doc comment and its first lines.
func TestCallerCutAroundCall(t *testing.T) {
	var b strings.Builder
	b.WriteString("package app\n\nimport \"example.com/m/strs\"\n\n")
	b.WriteString(strings.Repeat("// Process does a great many things to its input, described at length here.\n", 20))
	b.WriteString("func Process(in []string) []string {\n")
	for i := range 60 {
		fmt.Fprintf(&b, "\tin = append(in, \"step %d of the long preparation that comes first\")\n", i)
	}
	b.WriteString("\tin[0] = strs.Trim(in[0])\n")
	for i := range 60 {
		fmt.Fprintf(&b, "\tin = append(in, \"step %d of the long tail that follows the call\")\n", i)
	}
	b.WriteString("\treturn in\n}\n")
	e := setupFiles(t, map[string]string{
		"strs/strs.go": "package strs\n\n// Trim trims s.\nfunc Trim(s string) string { return s }\n",
		"app/app.go":   b.String(),
	})
	c := e.build(t, Request{Target: "strs.Trim", Question: "q", Window: 900, Reserve: new(0)})
	var caller *Item
	for i, it := range c.Included {
		if it.Role == RoleCaller {
			caller = &c.Included[i]
		}
	}
	if caller == nil || caller.Form != FormTruncated {
		t.Fatalf("caller %+v; want it cut to fit", caller)
	}
	code := caller.Code
	for _, want := range []string{"func Process(in []string) []string {", "in[0] = strs.Trim(in[0])", "step 1 of the long tail", "more lines)"} {
		if !strings.Contains(code, want) {
			t.Errorf("cut caller lacks %q:\n%s", want, code)
		}
	}
	if strings.Contains(code, "described at length") || strings.Contains(code, "step 0 of the long preparation") {
		t.Errorf("cut caller keeps its doc comment or its first lines:\n%s", code)
	}
	if !strings.Contains(caller.Reason, "around its call") {
		t.Errorf("reason %q", caller.Reason)
	}
}
