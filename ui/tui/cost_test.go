package tui

import (
	"testing"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/session"
)

// TestUnknownCostShown: an answer of a model no price is known for shows
// its cost as the CLI does ("$0.0000+?"), in its header and in the
// session's totals, both as it ends and when the session is read again:
// it never reads as free.
func TestUnknownCostShown(t *testing.T) {
	f := newFake()
	f.chunks = []string{"ok"}
	f.result = AskResult{Provider: "fake", Model: "fake-a", Node: "n1", PromptTokens: 100, CompletionTokens: 1, CostUnknown: true}
	h := newHarness(t, f, plain, 120, 30)
	h.typeText("q")
	h.press("enter")
	h.until("the answer", func() bool { return h.m.ask == nil && asks(f) == 1 })
	h.untilScreen("aiex · fake/fake-a · 100→1 tokens · $0.0000+?", "session s-new · 1 turn · 100→1 tokens · $0.0000+?")

	d := doc("cccc", 2, "asked before", "answered before")
	d.Turns[0].CostUSD, d.Turns[0].CostUnknown = 0.002, true
	d.Session.CostUSD = 0.002
	f.docs["cccc"] = d
	o := plain
	o.Session = "cccc"
	h2 := newHarness(t, f, o, 120, 30)
	h2.untilScreen("answered before", "ollama/tiny · 10→20 tokens · $0.0020+? · 1.5 s", "session cccc · 1 turn · 10→20 tokens · $0.0020+?")
}

// TestUnknownCostShownLive: a turn answered elsewhere (the CLI, another
// TUI) by a model of no known price shows "+?" as its event arrives, in
// its header and the session's totals, not only once the session is read
// again.
func TestUnknownCostShownLive(t *testing.T) {
	f := newFake()
	f.chunks = []string{"ok"}
	f.result = AskResult{Provider: "ollama", Model: "tiny", Node: "n1", PromptTokens: 10, CompletionTokens: 2}
	h := newHarness(t, f, plain, 140, 30)
	h.typeText("q")
	h.press("enter")
	h.until("the answer", func() bool { return h.m.ask == nil && asks(f) == 1 })
	h.gotSub()
	f.feed <- []events.Event{
		event(1, "s-new", 1, session.TypeTurnStarted, actor, session.TurnStarted{Turn: 1, Prompt: "q"}),
		event(2, "s-new", 2, session.TypeTurnCompleted, actor, session.TurnCompleted{Turn: 1, Outcome: session.Outcome{
			Answer: "ok", Provider: "ollama", Model: "tiny", Node: "n1", PromptTokens: 10, CompletionTokens: 2}}),
		event(3, "s-new", 3, session.TypeTurnStarted, "cli", session.TurnStarted{Turn: 2, Prompt: "from the cli"}),
		event(4, "s-new", 4, session.TypeTurnCompleted, "cli", session.TurnCompleted{Turn: 2, Outcome: session.Outcome{
			Answer: "cloud answer", Provider: "gw", Model: "big", Node: "n1", PromptTokens: 100, CompletionTokens: 5, CostUnknown: true}}),
	}
	h.untilScreen("gw/big · 100→5 tokens · $0.0000+?", "session s-new · 2 turns · 110→7 tokens · $0.0000+?")
}
