package tui

import "testing"

// TestRecalledPromptsKeepTheirEscape: prompts read from a stored session
// come back with ↑ as they were typed: one that starts with a command's
// word was asked as "//…" and is recalled so (Enter asks it again rather
// than running the command); others as they are.
func TestRecalledPromptsKeepTheirEscape(t *testing.T) {
	f := newFake()
	f.docs["aaaa"] = doc("aaaa", 3, "/usr/lib is where?", "a1", "//x", "a2", "/quit is a command?", "a3")
	o := plain
	o.Session = "aaaa"
	h := newHarness(t, f, o, 80, 24)
	h.untilScreen("a3")
	for _, want := range []string{"//quit is a command?", "///x", "/usr/lib is where?"} {
		h.press("up")
		if got := h.m.input.value(); got != want {
			t.Fatalf("recalled %q; want %q", got, want)
		}
	}
	h.press("down", "down")
	h.press("enter")
	if req := h.gotAsk(); req.Prompt != "/quit is a command?" || h.quit {
		t.Fatalf("asked %q (quit %v); want the question again", req.Prompt, h.quit)
	}
}

// TestHistoryKeepsAnEditedEntry: a recalled prompt edited and then left
// with ↑ or ↓ comes back as edited when the walk returns to it, as in a
// shell; the draft typed before the walk stays at its end, and what is
// sent is the history's, unchanged.
func TestHistoryKeepsAnEditedEntry(t *testing.T) {
	f := newFake()
	f.echo = true
	h := newHarness(t, f, plain, 80, 24)
	for _, q := range []string{"one", "two", "three"} {
		h.typeText(q)
		h.press("enter")
		h.until("the answer to "+q, func() bool { return h.m.ask == nil && lastAsk(f) == q })
	}
	h.typeText("the draft")
	h.press("up", "up")
	if got := h.m.input.value(); got != "two" {
		t.Fatalf("↑↑ recalled %q", got)
	}
	h.press("ctrl+u")
	h.typeText("draft three")
	for _, step := range []struct{ key, want string }{
		{"up", "one"}, {"down", "draft three"}, {"down", "three"}, {"down", "the draft"}, {"up", "three"}, {"up", "draft three"},
	} {
		h.press(step.key)
		if got := h.m.input.value(); got != step.want {
			t.Fatalf("%s: the editor holds %q; want %q", step.key, got, step.want)
		}
	}
	h.press("enter")
	h.until("the answer to draft three", func() bool { return h.m.ask == nil && lastAsk(f) == "draft three" })
	for i, want := range []string{"draft three", "three", "two", "one"} {
		h.press("up")
		if got := h.m.input.value(); got != want {
			t.Fatalf("after sending, ↑ %d times recalls %q; want %q (the edits are gone)", i+1, got, want)
		}
	}
}

// lastAsk is the prompt the fake backend was asked last.
func lastAsk(f *fakeBackend) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.asks) == 0 {
		return ""
	}
	return f.asks[len(f.asks)-1].Prompt
}
