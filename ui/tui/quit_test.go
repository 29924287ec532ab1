package tui

import (
	"fmt"
	"testing"
)

// TestQuitWarnsOfTheQueue: ctrl+c with questions queued (the node is
// away) does not drop them silently: it says so, and only a second
// ctrl+c quits.
func TestQuitWarnsOfTheQueue(t *testing.T) {
	f := newFake()
	h, _ := openFirst(t, f, 100, 24)
	f.set(func(f *fakeBackend) { f.down = true })
	f.drop <- fmt.Errorf("node: %w", ErrUnreachable)
	h.untilScreen("reconnecting…")
	h.typeText("while away")
	h.press("enter")
	h.untilScreen("1 queued, sent when it is back")
	h.press("ctrl+c")
	h.untilScreen("1 question queued, not sent yet: ctrl+c again quits without sending it")
	if h.quit {
		t.Fatal("ctrl+c quit with a question queued")
	}
	h.press("ctrl+c")
	h.until("quit", func() bool { return h.quit })
}
