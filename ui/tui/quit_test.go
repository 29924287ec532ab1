package tui

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// queueWhileAway takes the node away from h's TUI and queues a question
// there, "while away".
func queueWhileAway(h *harness, f *fakeBackend) {
	h.t.Helper()
	f.set(func(f *fakeBackend) { f.down = true })
	f.drop <- fmt.Errorf("node: %w", ErrUnreachable)
	h.untilScreen("reconnecting…")
	h.typeText("while away")
	h.press("enter")
	h.untilScreen("1 queued, sent when it is back")
}

// TestQuitWarnsOfTheQueue: ctrl+c with questions queued (the node is
// away) does not drop them silently: it says so, and only a second
// ctrl+c quits.
func TestQuitWarnsOfTheQueue(t *testing.T) {
	f := newFake()
	h, _ := openFirst(t, f, 100, 24)
	queueWhileAway(h, f)
	h.press("ctrl+c")
	h.untilScreen("1 question queued, not sent yet: ctrl+c quits without sending it")
	if h.quit {
		t.Fatal("ctrl+c quit with a question queued")
	}
	h.press("ctrl+c")
	h.until("quit", func() bool { return h.quit })
}

// servingFake is a backend whose process streams answers for other
// clients: each Serving call takes the next count sent on counts, or
// waits for one until its context ends.
type servingFake struct {
	*fakeBackend
	counts chan int
}

func (s *servingFake) Serving(ctx context.Context) (int, error) {
	select {
	case n := <-s.counts:
		return n, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// newServing is a harness over a backend serving others, whose Serving
// calls return counts in turn.
func newServing(t *testing.T, counts ...int) (*harness, *servingFake) {
	t.Helper()
	f := newFake()
	sf := &servingFake{fakeBackend: f, counts: make(chan int, 16)}
	for _, n := range counts {
		sf.counts <- n
	}
	return newHarnessOver(t, sf, f, plain, 100, 24), sf
}

func isServingTick(msg tea.Msg) bool { _, ok := msg.(servingTickMsg); return ok }
func isDrainEnd(msg tea.Msg) bool    { _, ok := msg.(drainEndMsg); return ok }

// pollServing fires the next poll of the answers served for others.
func (h *harness) pollServing() {
	h.t.Helper()
	h.until("the next poll of the answers served", func() bool { return h.fire(isServingTick) > 0 })
}

// TestQuitFinishesOthersAnswers: quitting a TUI whose process streams
// answers for other clients on the data dir does not cut them off: it
// says how many, counts them down every 250 ms, and quits once none is
// left; meanwhile keys other than ctrl+c do nothing.
func TestQuitFinishesOthersAnswers(t *testing.T) {
	h, _ := newServing(t, 2, 1, 0)
	h.press("ctrl+c", "ctrl+c")
	h.untilScreen("finishing 2 answers for other clients on this data dir; ctrl+c again quits at once",
		"quitting: finishing 2 answers for other clients · ctrl+c quits at once")
	if h.quit {
		t.Fatal("quit with answers for others streaming")
	}
	h.until("the bound set", func() bool { _, ok := h.after["tui.drainEndMsg"]; return ok })
	if d := h.after["tui.drainEndMsg"]; d != 30*time.Second {
		t.Errorf("the wait is bounded at %v; want 30s", d)
	}
	h.typeText("x")
	if h.m.input.value() != "" {
		t.Errorf("typed %q while quitting", h.m.input.value())
	}
	h.pollServing()
	h.untilScreen("quitting: finishing 1 answer for other clients")
	if d := h.after["tui.servingTickMsg"]; d != 250*time.Millisecond {
		t.Errorf("polled after %v; want 250ms", d)
	}
	if h.quit {
		t.Fatal("quit with an answer for others streaming")
	}
	h.pollServing()
	h.until("quit", func() bool { return h.quit })
}

// TestQuitAgainQuitsAtOnce: a second ctrl+c while waiting for others'
// answers quits at once — also while the count is still being asked,
// which never holds the update loop.
func TestQuitAgainQuitsAtOnce(t *testing.T) {
	t.Run("counted", func(t *testing.T) {
		h, _ := newServing(t, 2)
		h.press("ctrl+c", "ctrl+c")
		h.untilScreen("finishing 2 answers")
		h.press("ctrl+c")
		h.until("quit", func() bool { return h.quit })
	})
	t.Run("asking", func(t *testing.T) {
		h, _ := newServing(t) // Serving waits for its timeout
		h.press("ctrl+c", "ctrl+c")
		h.untilScreen("quitting…")
		h.press("ctrl+c")
		h.until("quit", func() bool { return h.quit })
	})
}

// TestQuitWaitsAtMost: /quit waits for others' answers as ctrl+c does,
// 30 s at most; a backend that does not answer how many within its
// timeout is not waited for.
func TestQuitWaitsAtMost(t *testing.T) {
	t.Run("bound", func(t *testing.T) {
		h, _ := newServing(t, 3, 3)
		h.typeText("/quit")
		h.press("enter")
		h.untilScreen("finishing 3 answers")
		h.pollServing()
		if h.quit {
			t.Fatal("quit before the bound")
		}
		h.until("the bound", func() bool { return h.fire(isDrainEnd) > 0 })
		h.until("quit", func() bool { return h.quit })
	})
	t.Run("no answer", func(t *testing.T) {
		h, _ := newServing(t)
		start := time.Now()
		h.press("ctrl+c", "ctrl+c")
		h.until("quit", func() bool { return h.quit })
		if took := time.Since(start); took < 2*time.Second || took > 5*time.Second {
			t.Errorf("quit after %v; want the 2 s timeout", took)
		}
	})
}

// TestQuitQueueThenOthersAnswers: the two things a quit would drop are
// said in turn, each with what the next ctrl+c does: the questions
// queued here (the next one quits without sending them — they are not
// sent while waiting either), then the answers for others (the next one
// quits at once).
func TestQuitQueueThenOthersAnswers(t *testing.T) {
	h, sf := newServing(t, 1)
	f := sf.fakeBackend // set before the model is asked for

	f.models = []ModelInfo{{Provider: "ollama", Model: "qwen", Local: true}}
	f.modelsGate = make(chan struct{})
	h.typeText("/model qwen")
	h.press("enter")
	h.typeText("waits for the model")
	h.press("enter")
	h.untilScreen("queued")
	h.press("ctrl+c")
	h.untilScreen("1 question queued, not sent yet: ctrl+c quits without sending it")
	h.press("ctrl+c")
	h.untilScreen("finishing 1 answer for other clients on this data dir; ctrl+c again quits at once")
	close(f.modelsGate)
	h.until("the model found", func() bool { return h.m.pendingModel == "" })
	if h.m.ask != nil || h.quit {
		t.Fatalf("while quitting: the queued question was sent (%v), quit %v", h.m.ask != nil, h.quit)
	}
	h.press("ctrl+c")
	h.until("quit", func() bool { return h.quit })
}

// TestQuitStopsOwnAnswer: /quit while this TUI's own answer streams stops
// it at once, while the answers for others are waited for.
func TestQuitStopsOwnAnswer(t *testing.T) {
	h, sf := newServing(t, 1)
	sf.set(func(f *fakeBackend) { f.hold, f.chunks = true, []string{"mine"} })
	h.typeText("a question")
	h.press("enter")
	h.gotAsk()
	h.typeText("/quit")
	h.press("enter")
	h.untilScreen("finishing 1 answer for other clients")
	h.until("the own answer stopped", func() bool { return h.m.ask == nil })
	if h.quit {
		t.Fatal("quit with an answer for others streaming")
	}
}
