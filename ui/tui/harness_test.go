package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"
)

// harness drives a Model as bubbletea does — messages in, commands run in
// goroutines, their messages back in — but on the test's goroutine, so
// that the test reads the model between messages. Ticks are held back
// until the test fires them (fire), so that frames and status polls come
// when the test says.
type harness struct {
	t     *testing.T
	m     *Model
	f     *fakeBackend
	msgs  chan tea.Msg
	done  chan struct{}
	held  []tea.Msg
	after map[string]time.Duration // each kind of tick's last delay, by its message's type ("tui.frameMsg")
	quit  bool
}

// heldMsg is a tick's message, held back, and the delay it was set for.
type heldMsg struct {
	msg   tea.Msg
	after time.Duration
}

func newHarness(t *testing.T, f *fakeBackend, o Options, w, h int) *harness {
	t.Helper()
	return newHarnessOver(t, f, f, o, w, h)
}

// newHarnessOver drives a model over b, a Backend made around f (f with
// a method more).
func newHarnessOver(t *testing.T, b Backend, f *fakeBackend, o Options, w, h int) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if o.Now == nil {
		o.Now = func() time.Time { return testNow }
	}
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" } // not the environment the tests run in
	}
	m := New(ctx, b, o)
	m.tick = func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		return func() tea.Msg { return heldMsg{fn(testNow), d} }
	}
	hs := &harness{t: t, m: m, f: f, msgs: make(chan tea.Msg, 64), done: make(chan struct{}), after: map[string]time.Duration{}}
	t.Cleanup(func() {
		cancel()
		close(hs.done)
		m.tasks.closeAndWait()
	})
	hs.exec(m.Init())
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

// plain is the Options of a colourless terminal.
var plain = Options{Profile: termenv.Ascii, Dark: true}

func (h *harness) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		select {
		case h.msgs <- msg:
		case <-h.done:
		}
	}()
}

func (h *harness) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.exec(c)
		}
	case heldMsg:
		h.held = append(h.held, msg.msg)
		h.after[fmt.Sprintf("%T", msg.msg)] = msg.after
	case tea.QuitMsg:
		h.quit = true
	default:
		h.send(msg)
	}
}

// send gives the model a message, as the program would (with a View
// after it), and runs the command it returns.
func (h *harness) send(msg tea.Msg) {
	_, cmd := h.m.Update(msg)
	_ = h.m.View()
	h.exec(cmd)
}

// until handles messages until cond holds.
func (h *harness) until(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for !cond() {
		select {
		case msg := <-h.msgs:
			h.handle(msg)
		case <-deadline.C:
			h.t.Fatalf("timed out waiting for %s; screen:\n%s", what, h.m.View())
		}
	}
}

// untilScreen handles messages until the screen shows all of want.
func (h *harness) untilScreen(want ...string) {
	h.t.Helper()
	h.until(strings.Join(want, ", "), func() bool {
		v := h.m.View()
		for _, w := range want {
			if !strings.Contains(v, w) {
				return false
			}
		}
		return true
	})
}

// fire delivers the held ticks whose message match says; it returns how
// many.
func (h *harness) fire(match func(tea.Msg) bool) int {
	held := h.held
	h.held = nil
	n := 0
	for _, msg := range held {
		if match(msg) {
			n++
			h.send(msg)
		} else {
			h.held = append(h.held, msg)
		}
	}
	return n
}

func isFrame(msg tea.Msg) bool  { _, ok := msg.(frameMsg); return ok }
func isStatus(msg tea.Msg) bool { _, ok := msg.(statusTickMsg); return ok }

// press sends keys by name ("enter", "ctrl+o", "alt+enter").
func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyMsg(h.t, k))
	}
}

// typeText types s one key at a time.
func (h *harness) typeText(s string) {
	for _, r := range s {
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func keyMsg(t *testing.T, k string) tea.KeyMsg {
	t.Helper()
	names := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "up": tea.KeyUp, "down": tea.KeyDown,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "shift+up": tea.KeyShiftUp, "shift+down": tea.KeyShiftDown,
		"ctrl+c": tea.KeyCtrlC, "ctrl+z": tea.KeyCtrlZ, "ctrl+o": tea.KeyCtrlO, "ctrl+l": tea.KeyCtrlL, "ctrl+u": tea.KeyCtrlU, "ctrl+j": tea.KeyCtrlJ, "f1": tea.KeyF1, "backspace": tea.KeyBackspace,
		"delete": tea.KeyDelete, "left": tea.KeyLeft, "right": tea.KeyRight, "home": tea.KeyHome, "end": tea.KeyEnd,
		"ctrl+w": tea.KeyCtrlW, "ctrl+a": tea.KeyCtrlA, "ctrl+e": tea.KeyCtrlE, "ctrl+home": tea.KeyCtrlHome, "ctrl+end": tea.KeyCtrlEnd,
	}
	alt := false
	if rest, ok := strings.CutPrefix(k, "alt+"); ok {
		alt, k = true, rest
	}
	if typ, ok := names[k]; ok {
		return tea.KeyMsg{Type: typ, Alt: alt}
	}
	if len([]rune(k)) != 1 {
		t.Fatalf("no key %q", k)
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k), Alt: alt}
}

// screen is the view.
func (h *harness) screen() string { return h.m.View() }

// gotAsk waits for the backend to be asked and returns the request.
func (h *harness) gotAsk() AskRequest {
	h.t.Helper()
	return waitFor(h, "a question to the backend", h.f.asked)
}

// gotSub waits for a subscription to start and returns it.
func (h *harness) gotSub() subCall {
	h.t.Helper()
	return waitFor(h, "a subscription", h.f.subscribed)
}

// waitFor handles messages until c delivers.
func waitFor[T any](h *harness, what string, c <-chan T) T {
	h.t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		select {
		case v := <-c:
			return v
		case msg := <-h.msgs:
			h.handle(msg)
		case <-deadline.C:
			h.t.Fatalf("timed out waiting for %s; screen:\n%s", what, h.m.View())
		}
	}
}
