package tui

import "testing"

// TestProposalWarnings: a proposal's warnings (a change to a file acted
// on later, such as AGENTS.md) are shown above its files.
func TestProposalWarnings(t *testing.T) {
	root, _, _, res := proposalProject(t)
	res.Proposal.Warnings = []string{"the change creates AGENTS.md: its text goes into every later prompt"}
	h := openProposal(t, newFake(), root, res, 100, 40, "/refactor calc.go:3 x")
	h.untilScreen("warning: the change creates AGENTS.md: its text goes into every later prompt", "calc.go (modified)")
}
