package tui

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/session"
)

// TestInterruptedReasonKept: a turn cut off shows why under its answer
// when the session is read again — an orphaned one (its process quit)
// and one a provider broke off alike — as it did when it happened, and
// so does one cut off elsewhere whose end arrives as an event; a turn
// the user stopped says "cancelled" in its header only.
func TestInterruptedReasonKept(t *testing.T) {
	const quit = "the aiex process serving this data dir (pid 4242) quit before the answer finished"
	const broke = "the answer from ollama (tiny) broke off: unexpected EOF"
	f := newFake()
	d := doc("rrrr", 6, "first", "half of one", "second", "half of two", "third", "stopped")
	d.Turns[0].Status, d.Turns[0].Orphaned, d.Turns[0].Reason = "running", true, quit
	d.Turns[1].Status, d.Turns[1].Reason = "interrupted", broke
	d.Turns[2].Status, d.Turns[2].Reason = "interrupted", "cancelled"
	f.docs["rrrr"] = d
	o := plain
	o.Session = "rrrr"
	h := newHarness(t, f, o, 200, 40)
	h.untilScreen("half of one", "✗ "+quit, "half of two", "✗ "+broke, "interrupted: cancelled")
	if strings.Contains(h.screen(), "✗ cancelled") {
		t.Errorf("a stopped turn's reason is said twice:\n%s", h.screen())
	}

	h.gotSub()
	const lost = "the provider went away mid-answer"
	f.feed <- []events.Event{
		event(90, "rrrr", 7, session.TypeTurnStarted, "cli", session.TurnStarted{Turn: 4, Prompt: "asked from the cli"}),
		event(91, "rrrr", 8, session.TypeTurnInterrupted, "cli", session.TurnInterrupted{Turn: 4, Outcome: session.Outcome{
			Answer: "part of four", Provider: "ollama", Model: "tiny", Reason: lost}}),
	}
	h.untilScreen("part of four", "✗ "+lost)
}
