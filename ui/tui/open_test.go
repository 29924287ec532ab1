package tui

import (
	"strings"
	"testing"
)

// TestQuestionWaitsForTheSessionBeingOpened: a question typed before the
// session asked for at start (--session) has been read goes into that
// session, after its turns; not into a new one.
func TestQuestionWaitsForTheSessionBeingOpened(t *testing.T) {
	f := newFake()
	f.docs["aaaa"] = doc("aaaa", 2, "first question", "first answer")
	f.nextTurn = 1
	o := plain
	o.Session = "aaaa"
	h := newHarness(t, f, o, 80, 24)
	// Typed at once: the session's read has not come back yet.
	h.typeText("quick one")
	h.press("enter")
	if req := h.gotAsk(); req.Session != "aaaa" {
		t.Fatalf("asked into session %q; want aaaa", req.Session)
	}
	h.untilScreen("first answer", "quick one", "session aaaa")
	scr := h.screen()
	if strings.Index(scr, "first question") > strings.Index(scr, "quick one") {
		t.Errorf("the question shows before the session's turns:\n%s", scr)
	}
}

// TestQuestionAfterASessionFailsToOpen: when the session cannot be read,
// the question waiting for it is asked, in a new session.
func TestQuestionAfterASessionFailsToOpen(t *testing.T) {
	f := newFake()
	o := plain
	o.Session = "nope"
	h := newHarness(t, f, o, 80, 24)
	h.typeText("quick one")
	h.press("enter")
	if req := h.gotAsk(); req.Session != "new" {
		t.Fatalf("asked into session %q; want a new one", req.Session)
	}
	h.untilScreen(`session nope: no session "nope"`)
}
