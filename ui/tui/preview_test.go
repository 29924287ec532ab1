package tui

import (
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/events"

	"github.com/aiex-dev/aiex/app/session"
)

// TestContextPreviewInSession: the context a question would be sent with
// is built in the open session, whose history goes with it.
func TestContextPreviewInSession(t *testing.T) {
	f := newFake()
	f.work.ctxSum = &session.ContextSummary{Window: 4096, Budget: 3072, Tokens: 338, HistoryTurns: 1, HistoryTokens: 47}
	h, _ := openFirst(t, f, 120, 30)
	h.press("ctrl+o", "ctrl+o", "ctrl+o")
	h.untilScreen("Context")
	h.typeText("and then?")
	h.until("the context", func() bool {
		h.fire(isPreview)
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.work.ctxReqs) > 0
	})
	f.mu.Lock()
	got := f.work.ctxReqs[0]
	f.mu.Unlock()
	if got.Session != "aaaa" || got.Prompt != "and then?" {
		t.Fatalf("context request %+v; want it in session aaaa", got)
	}
}

// TestSessionsPaneFollowsAnswers: the sessions list, while it shows, is
// read again when an answer ends: the new session the first answer made
// appears, with its turns.
func TestSessionsPaneFollowsAnswers(t *testing.T) {
	f := newFake()
	f.list = []session.Info{{ID: "bbbb", Title: "older", Turns: 2, UpdatedAt: testNow.Add(-time.Hour)}}
	h := newHarness(t, f, plain, 100, 24)
	h.press("ctrl+o")
	h.untilScreen("bbbb · 2 turns")
	f.set(func(f *fakeBackend) {
		f.list = append([]session.Info{{ID: "s-new", Title: "titled by the store", Turns: 1, UpdatedAt: testNow}}, f.list...)
	})
	h.typeText("a question")
	h.press("enter")
	h.gotAsk()
	h.untilScreen("titled by the store", "bbbb · 2 turns")
	// A turn asked elsewhere, too.
	h.gotSub()
	f.set(func(f *fakeBackend) { f.list[0].Title = "retitled elsewhere" })
	f.feed <- []events.Event{
		event(5, "s-new", 3, session.TypeTurnStarted, "cli", session.TurnStarted{Turn: 2, Prompt: "from the cli"}),
		event(6, "s-new", 4, session.TypeTurnCompleted, "cli", map[string]any{"turn": 2, "answer": "ok"}),
	}
	h.untilScreen("retitled elsewhere")
}
