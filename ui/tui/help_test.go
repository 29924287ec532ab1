package tui

import (
	"strings"
	"testing"
)

// TestHelpScrollsInASmallWindow: in a window too short (and narrow) for
// the help, its box stays whole — both borders on every row — and ↓ and
// pgdn scroll it to its last line, ↑ back to its first.
func TestHelpScrollsInASmallWindow(t *testing.T) {
	h := newHarness(t, newFake(), plain, 50, 12)
	h.press("?")
	box := func() []string {
		var rows []string
		for _, l := range strings.Split(h.screen(), "\n") {
			if l = strings.TrimSpace(l); strings.HasPrefix(l, "│") || strings.HasPrefix(l, "┌") || strings.HasPrefix(l, "└") {
				rows = append(rows, l)
			}
		}
		return rows
	}
	check := func(when string) {
		rows := box()
		if len(rows) < 3 || !strings.HasPrefix(rows[0], "┌") || !strings.HasPrefix(rows[len(rows)-1], "└") {
			t.Fatalf("%s: the box is cut:\n%s", when, h.screen())
		}
		for _, r := range rows[1 : len(rows)-1] {
			if !strings.HasPrefix(r, "│") || !strings.HasSuffix(r, "│") {
				t.Fatalf("%s: row without its borders %q:\n%s", when, r, h.screen())
			}
		}
	}
	check("opened")
	if !strings.Contains(h.screen(), "Keys") || !strings.Contains(h.screen(), "↑↓ scroll") {
		t.Fatalf("opened:\n%s", h.screen())
	}
	for range 20 {
		h.press("pgdown")
	}
	check("scrolled down")
	if !strings.Contains(h.screen(), "esc or ? closes") {
		t.Fatalf("the help's end is not reached:\n%s", h.screen())
	}
	for range 40 {
		h.press("up")
	}
	if !strings.Contains(h.screen(), "Keys") {
		t.Fatalf("back up:\n%s", h.screen())
	}
	h.press("esc")
	if h.m.showHelp {
		t.Fatal("esc left the help open")
	}
}
