package tui

import (
	"strings"
	"testing"
)

// queueBehindAnswer starts an answer that streams until released and
// queues a second question behind it.
func queueBehindAnswer(t *testing.T) (*harness, *fakeBackend) {
	t.Helper()
	f := newFake()
	f.hold, f.chunks = true, []string{"part of it"}
	h := newHarness(t, f, plain, 100, 24)
	h.typeText("first")
	h.press("enter")
	h.gotAsk()
	h.typeText("second")
	h.press("enter")
	h.untilScreen("1 queued")
	return h, f
}

const queueHint = "1 question queued, not sent yet: ctrl+c quits without sending it"

// TestSlashQuitStaysArmed: /quit with a question queued stays armed — no
// time runs it out — and holds the question while it is: the answer being
// streamed may end, and the question is still not sent; the next ctrl+c
// quits without sending it. Esc disarms it without stopping the answer,
// and the question then goes as it would have.
func TestSlashQuitStaysArmed(t *testing.T) {
	t.Run("ctrl+c quits", func(t *testing.T) {
		h, f := queueBehindAnswer(t)
		h.typeText("/quit")
		h.press("enter")
		h.untilScreen(queueHint)
		// Time passes: an arming's end, were one set, comes.
		h.send(quitDisarmMsg{gen: h.m.quitGen})
		if !strings.Contains(h.screen(), queueHint) || !h.m.quitArmed {
			t.Fatalf("/quit with a question queued ran out:\n%s", h.screen())
		}
		close(f.release)
		h.until("the first answer done", func() bool { return h.m.ask == nil })
		if n := asks(f); n != 1 || !strings.Contains(h.screen(), queueHint) {
			t.Fatalf("/quit armed, the answer done: %d questions sent; want 1; screen:\n%s", n, h.screen())
		}
		h.press("ctrl+c")
		h.until("quit", func() bool { return h.quit })
		if n := asks(f); n != 1 {
			t.Errorf("%d questions sent; want the first only", n)
		}
	})
	t.Run("esc disarms", func(t *testing.T) {
		h, f := queueBehindAnswer(t)
		h.typeText("/quit")
		h.press("enter")
		h.untilScreen(queueHint)
		h.press("esc")
		if h.m.quitArmed || strings.Contains(h.screen(), "not sent yet") {
			t.Fatalf("esc left the quit armed:\n%s", h.screen())
		}
		close(f.release)
		if req := h.gotAsk(); req.Prompt != "second" {
			t.Fatalf("asked %q; want the queued question", req.Prompt)
		}
		if s := h.screen(); strings.Contains(s, "interrupted") {
			t.Errorf("esc disarming the quit stopped the answer:\n%s", s)
		}
	})
}

// TestCtrlCWithQueueHoldsIt: ctrl+c that stops an answer with a question
// queued behind it does not send that question as a side effect: it says
// it is queued and not sent, and the next ctrl+c quits without it. A key
// of something else (typing) lets it go.
func TestCtrlCWithQueueHoldsIt(t *testing.T) {
	t.Run("ctrl+c again quits", func(t *testing.T) {
		h, f := queueBehindAnswer(t)
		h.press("ctrl+c")
		h.until("the answer stopped", func() bool { return h.m.ask == nil })
		h.untilScreen(queueHint)
		if n := asks(f); n != 1 {
			t.Fatalf("ctrl+c stopping the answer sent the queued question (%d asked)", n)
		}
		h.send(quitDisarmMsg{gen: h.m.quitGen})
		h.press("ctrl+c")
		h.until("quit", func() bool { return h.quit })
		if n := asks(f); n != 1 {
			t.Errorf("%d questions sent; want the first only", n)
		}
	})
	t.Run("typing lets it go", func(t *testing.T) {
		h, f := queueBehindAnswer(t)
		h.press("ctrl+c")
		h.until("the answer stopped", func() bool { return h.m.ask == nil })
		h.untilScreen(queueHint)
		h.typeText("x")
		if req := h.gotAsk(); req.Prompt != "second" || asks(f) != 2 {
			t.Fatalf("asked %q (%d in all); want the queued question", req.Prompt, asks(f))
		}
	})
}
