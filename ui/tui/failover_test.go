package tui

import "testing"

// TestFailoverNoteShown: an answer another provider gave after the first
// failed says so under it, as the CLI says it on stderr.
func TestFailoverNoteShown(t *testing.T) {
	f := newFake()
	f.chunks = []string{"ok"}
	f.result = AskResult{Provider: "good", Model: "tiny", Node: "n1", PromptTokens: 3, CompletionTokens: 1,
		Failover: "bad failed: HTTP 500 from http://h:1: boom; good (tiny) answered instead"}
	h := newHarness(t, f, plain, 140, 30)
	h.typeText("q")
	h.press("enter")
	h.until("the answer", func() bool { return h.m.ask == nil && asks(f) == 1 })
	h.untilScreen("note: bad failed: HTTP 500 from http://h:1: boom; good (tiny) answered instead")
}
