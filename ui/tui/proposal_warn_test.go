package tui

import (
	"slices"
	"strings"
	"testing"
)

// TestProposalWarnings: a proposal's warnings (a change to a file acted
// on later, such as AGENTS.md) are shown above its files.
func TestProposalWarnings(t *testing.T) {
	root, _, _, res := proposalProject(t)
	res.Proposal.Warnings = []string{"the change creates AGENTS.md: its text goes into every later prompt"}
	h := openProposal(t, newFake(), root, res, 100, 40, "/refactor calc.go:3 x")
	h.untilScreen("warning: the change creates AGENTS.md: its text goes into every later prompt", "calc.go (modified)")
}

// TestTaskWarnsOfWeakerConfinement: a task whose checks ran less confined
// than the sandbox's mode asks says so in the conversation, as the CLI
// does on stderr.
func TestTaskWarnsOfWeakerConfinement(t *testing.T) {
	root, _, _, res := proposalProject(t)
	res.Confinement = "commands ran without namespaces of their own: this kernel does not allow them"
	h := openProposal(t, newFake(), root, res, 100, 40, "/refactor calc.go:3 x")
	h.until("the warning", func() bool {
		return slices.ContainsFunc(h.m.conv.items, func(it *item) bool {
			return it.kind == errorItem && strings.Contains(it.text, "warning: commands ran without namespaces")
		})
	})
}

// TestAnswerWarningShown: what the core warns of with an answer (the
// index is incomplete, the prompt was cut) is shown under it, as the CLI
// prints it on stderr.
func TestAnswerWarningShown(t *testing.T) {
	f := newFake()
	f.result.Warning = "the index of /p is incomplete: run aiex index"
	h := newHarness(t, f, plain, 100, 30)
	h.typeText("a question")
	h.press("enter")
	h.until("the warning", func() bool {
		return slices.ContainsFunc(h.m.conv.items, func(it *item) bool {
			return it.kind == noteItem && it.text == "warning: the index of /p is incomplete: run aiex index"
		})
	})
}
