package ctxbuild

import (
	"strings"
	"testing"
)

// TestTargetGroupMember: a name declared in a Go const group is a target:
// the group, whose chunk name shows at most four of its names, bare or
// qualified by its package, one letter long or not.
func TestTargetGroupMember(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"http/status.go": `package http

// Status codes.
const (
	StatusContinue           = 100
	StatusSwitchingProtocols = 101
	StatusProcessing         = 102
	StatusEarlyHints         = 103
	StatusOK                 = 200
)
`,
		"main.go": "package main\n\nconst (\n\tA = iota\n\tB\n)\n\nfunc main() { println(A, B) }\n",
	})
	status := "http.{StatusContinue,StatusSwitchingProtocols,StatusProcessing,StatusEarlyHints,…}"
	for target, want := range map[string]struct{ name, code string }{
		"http.StatusOK": {status, "StatusOK                 = 200"},
		"StatusOK":      {status, "StatusOK                 = 200"},
		"main.B":        {"main.{A,B}", "A = iota"},
		"A":             {"main.{A,B}", "A = iota"},
	} {
		c := e.build(t, Request{Target: target, Question: "what is it?", Window: 8000})
		if c.Target == nil || c.Target.Name != want.name {
			t.Errorf("%s: target %+v; want %s", target, c.Target, want.name)
			continue
		}
		if c.Included[0].Role != RoleTarget || !strings.Contains(c.Included[0].Code, want.code) {
			t.Errorf("%s: first item %+v; want the group", target, c.Included[0])
		}
	}
	// Another package's name is not found.
	req := Request{Root: e.root, Task: "explain", Target: "main.StatusOK", Question: "q", Window: 8000, Count: o200k}
	if _, err := e.b.Build(t.Context(), req); err == nil || !strings.Contains(err.Error(), "no file or symbol") {
		t.Errorf("main.StatusOK: %v; want no file or symbol", err)
	}
}
