package tui

import (
	"errors"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/session"
)

// failoverError is an error as long as the coordinator's when every
// provider failed: its cause and its hint come last.
const failoverError = "no LLM provider could answer (tried bad: HTTP 500 from http://127.0.0.1:18801/v1: internal boom; " +
	"good: connection refused); check the providers with aiex models, or pick another with /model"

// TestFailedTurnReopenedSaysItsErrorWhole: a failed turn's error is said
// whole, wrapped, under its answer, live and when the session is read
// again (or its end arrives from elsewhere); its header says "failed",
// not the start of the error cut to the width.
func TestFailedTurnReopenedSaysItsErrorWhole(t *testing.T) {
	// Live.
	f := newFake()
	f.askErr = errors.New(failoverError)
	h := newHarness(t, f, plain, 80, 30)
	h.typeText("q")
	h.press("enter")
	h.until("the answer", func() bool { return h.m.ask == nil && asks(f) == 1 })
	if !strings.Contains(unwrapped(h.screen()), failoverError) {
		t.Fatalf("live, the error is not said whole:\n%s", h.screen())
	}

	// Reopened.
	d := doc("ffff", 2, "q", "")
	d.Turns[0].Status, d.Turns[0].Reason = "failed", failoverError
	f = newFake()
	f.docs["ffff"] = d
	o := plain
	o.Session = "ffff"
	h = newHarness(t, f, o, 80, 30)
	h.untilScreen("session ffff")
	scr := h.screen()
	if !strings.Contains(unwrapped(scr), failoverError) {
		t.Errorf("reopened, the error is not said whole:\n%s", scr)
	}
	for _, l := range strings.Split(scr, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "aiex ·") && !strings.HasSuffix(l, "· failed") {
			t.Errorf("reopened, the header says %q; want it to end in failed", l)
		}
	}

	// Its end from elsewhere.
	h.gotSub()
	f.feed <- []events.Event{
		event(5, "ffff", 3, session.TypeTurnStarted, "cli", session.TurnStarted{Turn: 2, Prompt: "again"}),
		event(6, "ffff", 4, session.TypeTurnFailed, "cli", session.TurnFailed{Turn: 2, Outcome: session.Outcome{Reason: "boom: " + failoverError}}),
	}
	h.until("the events", func() bool { return h.m.sess.version == 4 })
	if !strings.Contains(unwrapped(h.screen()), "boom: "+failoverError) {
		t.Errorf("from elsewhere, the error is not said whole:\n%s", h.screen())
	}
}

// TestProposalOutcomeReopened: a turn whose proposal was written, undone,
// declined or refused says so when the session is read again, under its
// answer, as the session's record has it.
func TestProposalOutcomeReopened(t *testing.T) {
	d := doc("pppp", 9, "refactor calc.go:3: bigger", "the diff 1", "refactor calc.go:3: again", "the diff 2",
		"refactor calc.go:3: once more", "the diff 3", "refactor calc.go:3: badly", "the diff 4",
		"refactor calc.go:3: declined", "the diff 5")
	checks := []session.ProposalCheck{{Name: "applies", Status: "ok"}, {Name: "go build", Status: "ok"}}
	d.Turns[0].Proposal = &session.Proposal{Task: "refactor", Checks: checks, Status: session.ProposalWritten, Checkpoint: "c5baf65c8f45aaaa"}
	d.Turns[1].Proposal = &session.Proposal{Task: "refactor", Checks: checks, Status: session.ProposalUndone, Checkpoint: "d00dfeed1234bbbb"}
	d.Turns[2].Proposal = &session.Proposal{Task: "refactor", Checks: checks, Status: session.ProposalDeclined, Reason: declinedInTUI}
	d.Turns[3].Proposal = &session.Proposal{Task: "refactor", Status: session.ProposalRefused,
		Checks: []session.ProposalCheck{{Name: "applies", Status: "ok"}, {Name: "go build", Status: "failed"}}}
	d.Turns[4].Proposal = &session.Proposal{Task: "refactor", Checks: checks, Status: session.ProposalDeclined}
	f := newFake()
	f.docs["pppp"] = d
	o := plain
	o.Session = "pppp"
	h := newHarness(t, f, o, 120, 60)
	h.untilScreen("session pppp")
	want := []string{
		"the diff 1", "wrote the change · checkpoint c5baf65c8f45",
		"the diff 2", "undone: checkpoint d00dfeed1234 restored",
		"the diff 3", "proposal closed; nothing written",
		"the diff 4", "not written: go build failed",
		"the diff 5", "proposal declined; nothing written",
	}
	scr := h.screen()
	at := 0
	for _, w := range want {
		i := strings.Index(scr[at:], w)
		if i < 0 {
			t.Fatalf("reopened, %q is not shown after what comes before it:\n%s", w, scr)
		}
		at += i + len(w)
	}

	// What becomes of a proposal elsewhere shows as it is recorded.
	h.gotSub()
	f.feed <- []events.Event{
		event(20, "pppp", 10, session.TypeTurnProposal, "cli", session.TurnProposal{Turn: 5,
			Proposal: session.Proposal{Status: session.ProposalWritten, Checkpoint: "abcdef0123456789"}}),
	}
	h.untilScreen("wrote the change · checkpoint abcdef012345")
	if strings.Contains(h.screen(), "proposal declined") {
		t.Errorf("the outcome written elsewhere did not replace the one before:\n%s", h.screen())
	}
}
