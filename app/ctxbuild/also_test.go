package ctxbuild

import (
	"strings"
	"testing"
)

// TestTargetNamingSeveral: a bare name that three packages define is
// taken as the first (shortest) and the other two are listed in Also; a
// name typed in full names one, and a unit's own pieces are not others.
func TestTargetNamingSeveral(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"w/w.go":     "package w\n\n// Run runs w.\nfunc Run() {}\n",
		"sub/r.go":   "package sub\n\n// Run runs sub.\nfunc Run() {}\n",
		"zz/r.go":    "package zz\n\n// Run runs zz.\nfunc Run() {}\n",
		"one/one.go": "package one\n\n// Only is alone.\nfunc Only() {}\n",
	})
	c := e.build(t, Request{Target: "Run", Question: "what does it do?", Window: 8000})
	if c.Target == nil || len(c.Also) != 2 {
		t.Fatalf("target %+v, also %q; want one Run taken and the other two listed", c.Target, c.Also)
	}
	for _, a := range c.Also {
		if !strings.Contains(a, ".Run (") || strings.Contains(a, c.Target.Path) {
			t.Errorf("also %q: want another package's Run with its path", a)
		}
	}
	for _, target := range []string{"sub.Run", "Only"} {
		if c := e.build(t, Request{Target: target, Question: "q", Window: 8000}); len(c.Also) != 0 {
			t.Errorf("%s: also %q; want none", target, c.Also)
		}
	}
}
