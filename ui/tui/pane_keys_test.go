package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aiex-dev/aiex/app/session"
)

// TestTypingOverThePaneGoesToTheEditor: after /session (which gives the
// sessions list the keys) or tab into the pane, what is typed goes into
// the editor — a letter, a word that arrived at once — and the Enter
// after it sends it: /session new starts a new session rather than
// opening the session under the cursor.
func TestTypingOverThePaneGoesToTheEditor(t *testing.T) {
	f := newFake()
	f.list = []session.Info{{ID: "aaaa", Title: "older one", Turns: 1, UpdatedAt: testNow},
		{ID: "bbbb", Title: "oldest one", Turns: 1, UpdatedAt: testNow}}
	f.docs["aaaa"] = doc("aaaa", 2, "older question", "older answer")
	h := newHarness(t, f, plain, 100, 30)
	h.typeText("/session")
	h.press("enter")
	h.untilScreen("older one")
	if h.m.focus != focusPane {
		t.Fatalf("/session left the keys with %v; want the pane", h.m.focus)
	}
	h.typeText("/session new")
	if got := h.m.input.value(); got != "/session new" {
		t.Fatalf("the editor holds %q; want what was typed", got)
	}
	h.press("enter")
	h.untilScreen("new session: the next question starts it")
	if reads := docReads(f); len(reads) != 0 {
		t.Errorf("the session under the cursor was read (%v): Enter opened it", reads)
	}

	// Ctrl+O, then tab: the pane has the keys; a word typed at once.
	h.press("tab")
	if h.m.focus != focusPane {
		t.Fatalf("tab left the keys with %v; want the pane", h.m.focus)
	}
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("hello there")})
	if got := h.m.input.value(); got != "hello there" {
		t.Errorf("the editor holds %q; want the word typed over the pane", got)
	}
	// The pane's own keys still move it.
	h.press("backspace", "tab", "end")
	if h.m.pane.cursor != 1 || h.m.input.value() != "hello ther" {
		t.Errorf("end: the pane's cursor at %d, the editor %q", h.m.pane.cursor, h.m.input.value())
	}
	h.press("home", "esc")
	if h.m.focus != focusInput || h.m.pane.cursor != 0 {
		t.Errorf("focus %v, the pane's cursor at %d", h.m.focus, h.m.pane.cursor)
	}
}

func docReads(f *fakeBackend) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.docReads...)
}
