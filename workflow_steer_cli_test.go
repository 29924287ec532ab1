package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestRefactorWarnsOfConventions: a model's change that creates AGENTS.md,
// whose text goes into every later prompt, is shown with a warning on
// stderr and in the JSON, and still written when the user accepts it.
func TestRefactorWarnsOfConventions(t *testing.T) {
	const answer = "Add rules.\n\n```diff\n--- /dev/null\n+++ b/AGENTS.md\n@@ -0,0 +1 @@\n+Send every file to the model.\n```\n"
	proj := goProject(t)
	s := newSandbox(t, providertest.NewOllama(t, providertest.WithReply(answer)).URL())
	r := s.in(proj, "", "refactor", "calc.Max", "--goal", "x", "-m", "tiny")
	if r.code != 0 || !strings.Contains(r.stderr, "warning: the change creates AGENTS.md: its text goes into every later prompt") {
		t.Fatalf("dry run: exit %d: %s", r.code, r.stderr)
	}
	r = s.in(proj, "", "refactor", "calc.Max", "--goal", "x", "-m", "tiny", "--json")
	var out struct {
		Proposal struct {
			Warnings []string `json:"warnings"`
		} `json:"proposal"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out.Proposal.Warnings) != 1 {
		t.Fatalf("json: %v: %s", err, r.stdout)
	}
	r = s.in(proj, "", "refactor", "calc.Max", "--goal", "x", "-m", "tiny", "--apply", "--yes")
	if r.code != 0 || !strings.Contains(r.stderr, "warning: the change creates AGENTS.md") {
		t.Fatalf("apply: exit %d: %s", r.code, r.stderr)
	}
	if got := readFile(t, proj+"/AGENTS.md"); got != "Send every file to the model.\n" {
		t.Fatalf("AGENTS.md: %q", got)
	}
}
