package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestPasteCRLF: text with CRLF line ends pastes as its lines, not with a
// blank line after each.
func TestPasteCRLF(t *testing.T) {
	h := newHarness(t, newFake(), plain, 80, 24)
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("line one\r\nline two\r\nthree"), Paste: true})
	if got := h.m.input.value(); got != "line one\nline two\nthree" {
		t.Fatalf("pasted %q", got)
	}
}

// TestClearedInputComesBack: ctrl+c empties the editor, and Up brings
// back what it held; a second ctrl+c, on the empty editor, quits.
func TestClearedInputComesBack(t *testing.T) {
	h := newHarness(t, newFake(), plain, 80, 24)
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("a long question\nwritten with care"), Paste: true})
	h.press("ctrl+c")
	if h.m.input.value() != "" || h.quit {
		t.Fatalf("ctrl+c: input %q, quit %v", h.m.input.value(), h.quit)
	}
	h.press("up")
	if got := h.m.input.value(); got != "a long question\nwritten with care" {
		t.Fatalf("up after ctrl+c: %q", got)
	}
}

// TestPasteTooLong: a paste longer than the editor holds says what was
// left out, instead of losing it silently.
func TestPasteTooLong(t *testing.T) {
	h := newHarness(t, newFake(), plain, 80, 24)
	h.typeText("first")
	h.press("alt+enter")
	lines := make([]string, maxInputLines+5)
	for i := range lines {
		lines[i] = fmt.Sprint("line ", i+1)
	}
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(strings.Join(lines, "\n")), Paste: true})
	got := strings.Split(h.m.input.value(), "\n")
	if len(got) != maxInputLines || got[len(got)-1] != "line 9999" {
		t.Fatalf("%d lines in the editor, the last %q", len(got), got[len(got)-1])
	}
	h.untilScreen("the paste was cut: the editor holds 10,000 lines, the last 6 were left out")
}

// TestPasteShowsItsEnd: after a paste longer than the editor, the editor
// shows the paste's last lines, where the cursor is, at once.
func TestPasteShowsItsEnd(t *testing.T) {
	h := newHarness(t, newFake(), plain, 80, 30)
	var lines []string
	for i := 1; i <= 30; i++ {
		lines = append(lines, fmt.Sprintf("pasted line %d", i))
	}
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(strings.Join(lines, "\n")), Paste: true})
	if s := h.screen(); !strings.Contains(s, "pasted line 30") || strings.Contains(s, "pasted line 1 ") {
		t.Errorf("after the paste:\n%s", s)
	}
}

// TestPasteKeepsTabs: pasted tabs are sent as tabs (Go, Makefiles), shown
// in the editor as ⇥, and come back as tabs from the history.
func TestPasteKeepsTabs(t *testing.T) {
	h := newHarness(t, newFake(), plain, 80, 24)
	code := "why?\nfunc f() {\n\treturn\n}"
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(code), Paste: true})
	if got := h.m.input.value(); got != code {
		t.Fatalf("pasted %q", got)
	}
	h.untilScreen("⇥return")
	h.press("enter")
	if req := h.gotAsk(); req.Prompt != code {
		t.Fatalf("asked %q; want %q", req.Prompt, code)
	}
	h.until("the answer", func() bool { return h.m.ask == nil })
	h.press("up")
	if got := h.m.input.value(); got != code {
		t.Fatalf("recalled %q", got)
	}
}
