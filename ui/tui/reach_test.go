package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

func isModelsTick(msg tea.Msg) bool { _, ok := msg.(modelsTickMsg); return ok }

// statusBar is the screen's last line.
func statusBar(h *harness) string {
	ls := strings.Split(h.screen(), "\n")
	return ls[len(ls)-1]
}

// TestStatusBarSaysNoModelReachable: when no provider answers the model
// listing the TUI does at start, the status bar says so instead of
// naming a model ("default"); the listing is done again from time to
// time while it fails, and the bar names the model again once one
// answers — the listing, or an answer.
func TestStatusBarSaysNoModelReachable(t *testing.T) {
	f := newFake()
	f.modelsErr = errors.New("no provider answered (ollama: dial tcp 127.0.0.1:1: connection refused)")
	h := newHarness(t, f, plain, 100, 24)
	h.until("the listing failed", func() bool { return strings.Contains(statusBar(h), "no model reachable") })
	if bar := statusBar(h); strings.Contains(bar, "model: default") || !strings.Contains(bar, "✗") {
		t.Errorf("no model reachable, the status bar: %q", bar)
	}
	h.until("the listing asked again", func() bool { _, ok := h.after["tui.modelsTickMsg"]; return ok })
	if d := h.after["tui.modelsTickMsg"]; d <= 0 || d > time.Minute {
		t.Errorf("the listing is asked again after %v", d)
	}

	// The server comes up: the next listing finds its model.
	f.set(func(f *fakeBackend) {
		f.modelsErr, f.models = nil, []ModelInfo{{Provider: "ollama", Model: "qwen:latest", Local: true}}
	})
	h.until("the tick", func() bool { return h.fire(isModelsTick) > 0 })
	h.until("the model named", func() bool { return strings.Contains(statusBar(h), "model: ollama/qwen:latest") })
	if bar := statusBar(h); strings.Contains(bar, "no model reachable") {
		t.Errorf("a model listed, the status bar: %q", bar)
	}

	// An answer says a model is reachable, whatever the last listing said.
	f.set(func(f *fakeBackend) { f.modelsErr = errors.New("no provider answered (ollama: timeout)") })
	h.typeText("/model")
	h.press("enter")
	h.untilScreen("no model reachable")
	h.press("esc")
	h.typeText("a question")
	h.press("enter")
	h.until("answered", func() bool { return asks(f) == 1 && h.m.ask == nil })
	if bar := statusBar(h); strings.Contains(bar, "no model reachable") || !strings.Contains(bar, "model: fake/m1") {
		t.Errorf("a model answered, the status bar: %q", bar)
	}
}

// TestStatusBarSeesModelGo: a model reachable at start that goes away is
// not named by the status bar once a question fails for it: the failure
// has the models listed again, and none answering, the bar says so.
func TestStatusBarSeesModelGo(t *testing.T) {
	f := newFake()
	f.models = []ModelInfo{{Provider: "ollama", Model: "tiny:latest", Local: true}}
	h := newHarness(t, f, plain, 100, 24)
	h.until("the model named", func() bool { return strings.Contains(statusBar(h), "model: ollama/tiny:latest") })
	f.set(func(f *fakeBackend) {
		f.result = AskResult{}
		f.askErr = errors.New("no LLM provider reachable (tried ollama: connection refused)")
		f.modelsErr = errors.New("no provider answered (ollama: connection refused)")
	})
	h.typeText("a question")
	h.press("enter")
	h.until("failed", func() bool { return asks(f) == 1 && h.m.ask == nil })
	h.until("the bar says no model is reachable", func() bool { return strings.Contains(statusBar(h), "no model reachable") })
}
