package tui

import (
	"errors"
	"strings"
	"testing"
)

// TestContextPreviewErrorWraps: a context that cannot be built (the
// question and its target too long for the window) is said whole in the
// context pane, wrapped to its width: the figures and what to do come at
// the error's end.
func TestContextPreviewErrorWraps(t *testing.T) {
	f := newFake()
	const tooLong = "the question and Agent (lib/agent.ex:1-186) take 9,100 tokens, more than the 3,072 this model allows a prompt " +
		"(a 4096-token window less 1024 for the answer); use a model with a larger window or ask about a smaller target"
	f.work.ctxErr = errors.New(tooLong)
	h := newHarness(t, f, plain, 200, 30)
	h.press("ctrl+o", "ctrl+o", "ctrl+o")
	h.untilScreen("Context", "type a question to see")
	h.typeText("/explain Agent why")
	h.until("the error", func() bool {
		h.fire(isPreview)
		return h.m.pane.previewErr != ""
	})
	var shown []string
	for _, l := range h.m.pane.lines {
		shown = append(shown, strings.TrimSpace(l))
	}
	if got := strings.Join(strings.Fields(strings.Join(shown, " ")), " "); !strings.Contains(got, tooLong) {
		t.Errorf("the error is not shown whole:\n%s", strings.Join(h.m.pane.lines, "\n"))
	}
}
