package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	xansi "github.com/charmbracelet/x/ansi"
)

// TestStatusBarKeepsTheModel: at any width the status bar fills it
// exactly; the model and the session are never run together, and the
// model shows whole wherever it fits: the session's text is cut first.
func TestStatusBarKeepsTheModel(t *testing.T) {
	const id = "45cb7e0a-1b2c-4d5e-8f90-123456789abc"
	f := newFake()
	f.docs[id] = doc(id, 2, "first question", "first answer")
	f.nextTurn = 1
	f.result = AskResult{Provider: "ollama", Model: "fakemodel:latest", Node: "n1", PromptTokens: 3, CompletionTokens: 5}
	o := plain
	o.Session = id
	h := newHarness(t, f, o, 120, 24)
	// The node's status too: "starting…" is wider than "● n1 embedded",
	// and would cut the session at 120 columns.
	h.untilScreen("first answer", "● n1 embedded")
	h.typeText("q")
	h.press("enter")
	h.until("the answer", func() bool { return h.m.ask == nil && asks(f) == 1 })
	const model = "model: ollama/fakemodel:latest"
	for w := 30; w <= 160; w++ {
		h.send(tea.WindowSizeMsg{Width: w, Height: 24})
		ls := strings.Split(h.screen(), "\n")
		bar := ls[len(ls)-1]
		if got := xansi.StringWidth(bar); got != w {
			t.Errorf("at %d columns the status bar is %d wide: %q", w, got, bar)
		}
		if strings.Contains(bar, "latestsession") || strings.Contains(bar, "latest"+id[:1]) {
			t.Errorf("at %d columns the model and the session run together: %q", w, bar)
		}
		if w >= 50 && !strings.Contains(bar, model) {
			t.Errorf("at %d columns the model is cut: %q", w, bar)
		}
		if w >= 120 && !strings.Contains(bar, "session "+id+" · 2 turns") {
			t.Errorf("at %d columns the session is cut: %q", w, bar)
		}
	}
}
