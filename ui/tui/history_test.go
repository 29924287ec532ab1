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
