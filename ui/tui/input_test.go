package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	xansi "github.com/charmbracelet/x/ansi"
)

// burst sends s as bubbletea v1 reads keys that arrive together (typed
// fast, or pasted into a terminal without bracketed paste): each word is
// one KeyRunes message, each space a KeySpace.
func (h *harness) burst(s string) {
	for i, w := range strings.Split(s, " ") {
		if i > 0 {
			h.send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
		}
		if w != "" {
			h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(w)})
		}
	}
}

// TestBurstIsText: words that arrive together are text, even those that
// spell a key's name: they neither send, stop, clear, quit nor open
// anything.
func TestBurstIsText(t *testing.T) {
	for _, s := range []string{
		"say enter now",
		"pasted esc and enter and q words",
		"esc",
		"queued while down",
		"up and down",
		"press ctrl+l to",
		"ctrl+o tab f1 ? pgup pgdown shift+up",
		"a pasted ctrl+c",
		"ctrl+c",
		"alt+enter ctrl+j",
	} {
		t.Run(s, func(t *testing.T) {
			f := newFake()
			h := newHarness(t, f, plain, 80, 24)
			h.burst(s)
			if got := h.m.input.value(); got != s {
				t.Errorf("editor holds %q; want %q", got, s)
			}
			if h.m.ask != nil || len(h.m.queue) > 0 || h.quit || h.m.picker != nil || h.m.showHelp || h.m.pane.view != paneHidden || h.m.focus != focusInput {
				t.Errorf("%q acted as keys: ask %v, queue %d, quit %v, picker %v, help %v, pane %v, focus %v",
					s, h.m.ask != nil, len(h.m.queue), h.quit, h.m.picker != nil, h.m.showHelp, h.m.pane.view, h.m.focus)
			}
			if !strings.Contains(h.screen(), s) {
				t.Errorf("not on screen:\n%s", h.screen())
			}
		})
	}
}

// TestBurstOverlays: over the help and a proposal, words that arrive
// together do nothing; in the model picker they are its filter.
func TestBurstOverlays(t *testing.T) {
	h := newHarness(t, newFake(), plain, 80, 24)
	h.press("?")
	h.burst("esc ctrl+c enter")
	if !h.m.showHelp || h.quit {
		t.Fatalf("the help: shown %v, quit %v", h.m.showHelp, h.quit)
	}
	h.press("esc")

	root, _, _, res := proposalProject(t)
	f := newFake()
	f.chunks = []string{"the change\n"}
	f.work.taskResult = res
	o := plain
	o.Root = root
	h = newHarness(t, f, o, 100, 40)
	h.typeText("/refactor calc.go:3 bigger")
	h.press("enter")
	h.until("the proposal", func() bool { return h.m.prop != nil })
	h.burst("enter yes esc")
	if h.m.prop == nil || len(f.work.applies) > 0 {
		t.Fatalf("a burst over the proposal: open %v, applies %d", h.m.prop != nil, len(f.work.applies))
	}

	f = newFake()
	f.models = []ModelInfo{{Provider: "ollama", Model: "tiny", Local: true}, {Provider: "openai", Model: "enter-x"}}
	h = newHarness(t, f, plain, 100, 30)
	h.press("ctrl+l")
	h.untilScreen("Models · 2 in the cluster")
	h.burst("enter")
	if h.m.picker == nil || h.m.picker.filter != "enter" || h.m.model != "" {
		t.Fatalf("a burst in the picker: open %v, model %q", h.m.picker != nil, h.m.model)
	}
	h.untilScreen("filter: enter", "openai/enter-x")
}

// editorRows are the editor's rows on screen: the lines between the
// divider and the status bar.
func editorRows(h *harness) []string {
	ls := strings.Split(h.screen(), "\n")
	n := h.m.input.ta.Height()
	rows := ls[len(ls)-1-n : len(ls)-1]
	for i, r := range rows {
		rows[i] = strings.TrimSpace(strings.TrimPrefix(xansi.Strip(r), "›"))
	}
	return rows
}

// TestPasteShowsItsLines: the editor grown for a paste shows the paste's
// lines — all of them when they fit, else the last ones — not the last
// line over blank rows.
func TestPasteShowsItsLines(t *testing.T) {
	for _, n := range []int{2, 3, 9, 10, 15, 50} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			h := newHarness(t, newFake(), plain, 80, 30)
			var lines []string
			for i := 1; i <= n; i++ {
				lines = append(lines, fmt.Sprintf("pasted line %d", i))
			}
			h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(strings.Join(lines, "\n")), Paste: true})
			want := lines[max(0, n-maxInputRows):]
			if got := editorRows(h); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("editor rows %q; want %q", got, want)
			}
		})
	}
}

// TestEditorGrowsOnResize: a line that wraps into more rows when the
// terminal narrows shows whole.
func TestEditorGrowsOnResize(t *testing.T) {
	h := newHarness(t, newFake(), plain, 80, 24)
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("first\n" + strings.Repeat("word ", 20) + "end"), Paste: true})
	h.send(tea.WindowSizeMsg{Width: 40, Height: 24})
	rows := editorRows(h)
	if len(rows) < 3 || rows[0] != "first" || !strings.HasSuffix(rows[len(rows)-1], "end") {
		t.Errorf("editor rows after a resize %q", rows)
	}
}

// TestHelpListsEveryKey: the help overlay lists every key the TUI
// honours, the proposal's too.
func TestHelpListsEveryKey(t *testing.T) {
	h := newHarness(t, newFake(), plain, 160, 50)
	h.press("?")
	s := h.screen()
	for _, want := range []string{
		"enter", "send", "alt+⏎ ctrl+j", "↑ ↓", "history", "esc", "ctrl+c",
		"pgup pgdn", "scroll", "shift+↑ ↓", "scroll a line", "ctrl+o", "tab", "ctrl+l", "? f1",
		"↑ ↓ space", "proposal: move, keep/drop", "a n", "proposal: keep all, none",
		"proposal: write the kept", "proposal: close unwritten",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the help does not list %q:\n%s", want, s)
		}
	}
}
