package tui

import (
	"testing"
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
