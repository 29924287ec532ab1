package tui

import (
	"strings"
	"testing"
)

// narrowModels are models with names longer than a 40-column picker has
// room for beside their columns.
func narrowModels() []ModelInfo {
	return []ModelInfo{
		{Provider: "good", Model: "fake-big-model-1", ContextWindow: 128000, Priced: true, InputUSD: 0.15, OutputUSD: 0.6},
		{Provider: "good", Model: "fake-big-model-2", ContextWindow: 128000, Priced: true, InputUSD: 2.5, OutputUSD: 10},
		{Provider: "bad", Model: "fake-a", ContextWindow: 8192},
	}
}

// TestPickerNarrowKeepsNames: where the picker cannot show every column,
// the price, then the window, then where give way before the models'
// names are cut; with room, every column shows.
func TestPickerNarrowKeepsNames(t *testing.T) {
	for _, tc := range []struct {
		width      int
		want, gone []string
	}{
		{40, []string{"good/fake-big-model-1", "good/fake-big-model-2", "bad/fake-a"}, []string{"…", "per 1M", "128,000"}},
		{120, []string{"good/fake-big-model-1", "cloud", "128,000", "$0.15/$0.60 per 1M"}, []string{"…"}},
	} {
		f := newFake()
		f.models = narrowModels()
		h := newHarness(t, f, plain, tc.width, 24)
		h.press("ctrl+l")
		h.untilScreen("bad/fake-a")
		var models []string
		for _, l := range strings.Split(h.screen(), "\n") {
			if strings.Contains(l, "fake") {
				models = append(models, l)
			}
		}
		rows := strings.Join(models, "\n")
		for _, w := range tc.want {
			if !strings.Contains(rows, w) {
				t.Errorf("at %d columns, %q is not shown:\n%s", tc.width, w, rows)
			}
		}
		for _, g := range tc.gone {
			if strings.Contains(rows, g) {
				t.Errorf("at %d columns, %q is shown:\n%s", tc.width, g, rows)
			}
		}
	}
}

// TestPickerStartsOnTheCurrentModel: with no model picked, the picker
// marks the one questions go to now — as the status bar names it, from
// the backend's plan or from what answered last — and starts on it.
func TestPickerStartsOnTheCurrentModel(t *testing.T) {
	f := newFake()
	f.models = narrowModels()
	f.status.Provider, f.status.Model = "good", "fake-big-model-2"
	h := newHarness(t, f, plain, 100, 24)
	h.untilScreen("model: good/fake-big-model-2")
	h.press("ctrl+l")
	h.untilScreen("bad/fake-a")
	mi, ok := h.m.picker.selected()
	if !ok || mi.Model != "fake-big-model-2" {
		t.Errorf("the picker starts on %+v; want good/fake-big-model-2", mi)
	}
	line := ""
	for _, l := range strings.Split(h.screen(), "\n") {
		if strings.Contains(l, "good/fake-big-model-2") {
			line = l
		}
	}
	if !strings.Contains(line, "●") {
		t.Errorf("the current model is not marked: %q", line)
	}
	h.press("up")
	for _, l := range strings.Split(h.screen(), "\n") {
		if strings.Contains(l, "good/fake-big-model-2") && !strings.Contains(l, "●") {
			t.Errorf("off the cursor, the current model is not marked: %q", l)
		}
	}
}

// TestPaneTooNarrowSaysSo: ctrl+o (and /session) on a terminal too narrow
// for the side pane say why nothing shows, and leave the keys with the
// editor.
func TestPaneTooNarrowSaysSo(t *testing.T) {
	f := newFake()
	h := newHarness(t, f, plain, 40, 24)
	h.press("ctrl+o")
	h.untilScreen("the side pane needs")
	h.typeText("/session")
	h.press("enter")
	if h.m.focus != focusInput {
		t.Errorf("/session gave the keys to a pane that does not show")
	}
	h.typeText("hi")
	if got := h.m.input.value(); got != "hi" {
		t.Errorf("the editor holds %q; want hi", got)
	}
}
