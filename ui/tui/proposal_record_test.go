package tui

import (
	"testing"
)

// applies is what the fake backend was asked to Apply.
func applies(f *fakeBackend) []ApplyRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ApplyRequest(nil), f.work.applies...)
}

// TestProposalPartialWriteSaysSo: a proposal written with hunks dropped
// tells the write what was left out, which its turn records; one written
// whole says nothing of the kind.
func TestProposalPartialWriteSaysSo(t *testing.T) {
	root, _, _, res := proposalProject(t)
	f := newFake()
	h := openProposal(t, f, root, res, 100, 40, "/refactor calc.go:3 make the numbers bigger")
	h.press("tab", "down", " ")
	h.untilScreen("▸ [ ] @@ -27,7 +27,7 @@")
	h.press("enter")
	h.until("the write", func() bool { return h.m.prop == nil })
	if a := applies(f); len(a) != 1 || a[0].Declined || a[0].Partial != "1 of 2 hunks of calc.go left out" {
		t.Fatalf("%d applies, the first declined %v, left out %q; want one saying 1 of 2 hunks of calc.go left out", len(a), a[0].Declined, a[0].Partial)
	}

	// The new file dropped as well.
	h.typeText("/refactor calc.go:3 again")
	h.press("enter")
	h.until("the proposal", func() bool { return h.m.prop != nil })
	h.press("tab", "down", " ", "down", " ", "enter")
	h.until("the write", func() bool { return h.m.prop == nil })
	if a := applies(f); len(a) != 2 || a[1].Partial != "1 of 2 hunks of calc.go left out; lib/new.go left out" {
		t.Fatalf("second write: left out %q", a[len(a)-1].Partial)
	}

	// Whole.
	h.typeText("/refactor calc.go:3 once more")
	h.press("enter")
	h.until("the proposal", func() bool { return h.m.prop != nil })
	h.press("tab", "enter")
	h.until("the write", func() bool { return h.m.prop == nil })
	if a := applies(f); len(a) != 3 || a[2].Partial != "" {
		t.Fatalf("whole write: left out %q", a[len(a)-1].Partial)
	}
}

// TestProposalClosedIsDeclined: a proposal that passed its checks, closed
// with esc (with the keys or without) or ctrl+c, is recorded in its turn
// as declined, writing nothing; one that failed its checks stays recorded
// as refused (nothing is asked of the backend).
func TestProposalClosedIsDeclined(t *testing.T) {
	root, _, _, res := proposalProject(t)
	f := newFake()
	h := openProposal(t, f, root, res, 100, 40, "/refactor calc.go:3 make the numbers bigger")
	for i, keys := range [][]string{{"tab", "esc"}, {"esc"}, {"tab", "ctrl+c"}} {
		if i > 0 {
			h.typeText("/refactor calc.go:3 again")
			h.press("enter")
			h.until("the proposal", func() bool { return h.m.prop != nil })
		}
		h.press(keys...)
		h.untilScreen("proposal closed; nothing written")
		h.until("the record", func() bool { return len(applies(f)) == i+1 })
		a := applies(f)[i]
		if !a.Declined || a.DeclinedHow != declinedInTUI || len(a.Changes) != 0 || a.Session != "s-new" || a.Turn != int64(i+1) || a.Partial != "" {
			t.Fatalf("%v: apply %+v; want the turn's proposal declined", keys, a)
		}
	}

	f.set(func(f *fakeBackend) {
		_, _, _, res := proposalProject(t)
		res.Proposal.Checks[2].Status = "failed"
		f.work.taskResult = res
	})
	h.typeText("/refactor calc.go:3 badly")
	h.press("enter")
	h.until("the proposal", func() bool { return h.m.prop != nil })
	h.untilScreen("failed its checks")
	h.press("esc")
	h.untilScreen("proposal closed; nothing written")
	if n := len(applies(f)); n != 3 {
		t.Errorf("a proposal that failed its checks was recorded declined (%d applies)", n)
	}
}
