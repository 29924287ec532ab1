package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	xansi "github.com/charmbracelet/x/ansi"
	"github.com/mattn/go-runewidth"
)

// TestPickerColumnsAligned: the model picker's columns line up by what
// the terminal shows, whatever the models' names are written in (a CJK
// character takes two cells and three bytes).
func TestPickerColumnsAligned(t *testing.T) {
	f := newFake()
	f.models = []ModelInfo{
		{Provider: "ollama", Model: "模型-7b", Local: true, ContextWindow: 4096, Priced: true},
		{Provider: "ollama", Model: "tiny", Local: true, ContextWindow: 2048, Priced: true},
	}
	h := newHarness(t, f, plain, 100, 30)
	h.press("ctrl+l")
	h.untilScreen("ollama/tiny", "模型-7b")
	col := map[string]int{}
	for _, l := range strings.Split(h.screen(), "\n") {
		for _, name := range []string{"模型-7b", "tiny"} {
			if i := strings.Index(l, "ollama/"+name); i >= 0 {
				at := strings.Index(l, "local")
				if at < 0 {
					t.Fatalf("no where column in %q", l)
				}
				col[name] = xansi.StringWidth(l[:at])
			}
		}
	}
	if col["模型-7b"] != col["tiny"] {
		t.Errorf("the where column starts at cell %d for 模型-7b, %d for tiny:\n%s", col["模型-7b"], col["tiny"], h.screen())
	}
}

// TestLinesBelowCount: scrolled up by one line, the status bar says so in
// English.
func TestLinesBelowCount(t *testing.T) {
	f := newFake()
	var pairs []string
	for i := 1; i <= 30; i++ {
		pairs = append(pairs, fmt.Sprintf("question %d", i), fmt.Sprintf("answer %d", i))
	}
	f.docs["aaaa"] = doc("aaaa", 60, pairs...)
	o := plain
	o.Session = "aaaa"
	h := newHarness(t, f, o, 80, 24)
	h.untilScreen("answer 30")
	h.m.conv.scroll(1)
	if !strings.Contains(h.screen(), "↓ 1 line below") {
		t.Errorf("one line up:\n%s", h.screen())
	}
	h.m.conv.scroll(1)
	if !strings.Contains(h.screen(), "↓ 2 lines below") {
		t.Errorf("two lines up:\n%s", h.screen())
	}
}

// TestAnswerStoppedEarly: an answer the provider cut off at its output
// limit is followed by a note saying so; a whole one is not.
func TestAnswerStoppedEarly(t *testing.T) {
	f := newFake()
	f.chunks = []string{"The first half"}
	f.result.StopReason = "max_tokens"
	h := newHarness(t, f, plain, 100, 24)
	h.typeText("tell me everything")
	h.press("enter")
	h.untilScreen("The first half", `the answer stopped early: the model reached its limit on output tokens (stop reason "max_tokens")`)

	f.set(func(f *fakeBackend) { f.result.StopReason = "end_turn" })
	h.typeText("again")
	h.press("enter")
	h.until("the second answer", func() bool { return h.m.ask == nil && strings.Count(h.screen(), "The first half") == 2 })
	if n := strings.Count(h.screen(), "stopped early"); n != 1 {
		t.Errorf("%d notes after a whole answer:\n%s", n, h.screen())
	}
}

// drawnWidth is how many columns a terminal that does not cluster
// graphemes (tmux, many others) draws a line in: each rune by its own
// width, a skin-tone modifier as an emoji of its own.
func drawnWidth(line string) int {
	n := 0
	for _, r := range xansi.Strip(line) {
		n += runewidth.RuneWidth(r)
	}
	return n
}

// TestSkinToneFitsTheWidth: an emoji with a skin-tone modifier (👍🏽) in a
// prompt, an answer or the editor does not make a line wider than the
// screen on a terminal that draws the modifier as an emoji of its own:
// such a line wrapped and pushed the whole screen down a row. What is
// sent keeps the modifier.
func TestSkinToneFitsTheWidth(t *testing.T) {
	const thumbs = "👍🏽"
	f := newFake()
	f.echo = true
	h := newHarness(t, f, plain, 60, 16)
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(thumbs + " works for me " + thumbs), Paste: true})
	if got := h.m.input.value(); got != thumbs+" works for me "+thumbs {
		t.Fatalf("the editor holds %q", got)
	}
	check := func(when string) {
		t.Helper()
		lines := strings.Split(h.screen(), "\n")
		if len(lines) != 16 {
			t.Errorf("%s: %d lines; want 16", when, len(lines))
		}
		for i, l := range lines {
			if w := drawnWidth(l); w > 60 {
				t.Errorf("%s: line %d is drawn %d columns wide, on a screen of 60: %q", when, i, w, xansi.Strip(l))
			}
		}
	}
	check("typed")
	h.press("enter")
	if req := h.gotAsk(); req.Prompt != thumbs+" works for me "+thumbs {
		t.Errorf("sent %q; want the modifiers kept", req.Prompt)
	}
	h.until("the answer", func() bool { return h.m.ask == nil })
	h.untilScreen("re: ")
	check("asked and answered")
}
