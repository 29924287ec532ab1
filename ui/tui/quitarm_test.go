package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

func isQuitDisarm(msg tea.Msg) bool { _, ok := msg.(quitDisarmMsg); return ok }

// TestCtrlCTwiceToQuit: the ctrl+c that stops an answer and the one after
// it, on the empty editor, do not quit: the second says that one more
// quits, and it does only within a few seconds; another key, or the time
// passing, disarms it.
func TestCtrlCTwiceToQuit(t *testing.T) {
	f := newFake()
	f.hold, f.chunks = true, []string{"part of it"}
	h := newHarness(t, f, plain, 100, 24)
	h.typeText("a question")
	h.press("enter")
	h.gotAsk()
	h.press("ctrl+c")
	h.until("the answer stopped", func() bool { return h.m.ask == nil })
	h.press("ctrl+c")
	h.untilScreen("ctrl+c again to quit")
	if h.quit {
		t.Fatal("two ctrl+c, the first stopping an answer, quit")
	}
	h.until("the window set", func() bool { _, ok := h.after["tui.quitDisarmMsg"]; return ok })
	if d := h.after["tui.quitDisarmMsg"]; d != 3*time.Second {
		t.Errorf("the second ctrl+c is waited for %v; want 3s", d)
	}

	// The window passes: the next ctrl+c arms again.
	h.until("the window's end", func() bool { return h.fire(isQuitDisarm) > 0 })
	if strings.Contains(h.screen(), "ctrl+c again to quit") {
		t.Errorf("still armed once the window passed:\n%s", h.screen())
	}
	h.press("ctrl+c")
	if h.quit {
		t.Fatal("a ctrl+c after the window quit")
	}
	// Another key disarms it too.
	h.press("down")
	h.press("ctrl+c")
	if h.quit {
		t.Fatal("a ctrl+c after another key quit")
	}
	h.press("ctrl+c")
	h.until("quit", func() bool { return h.quit })
}

// TestSlashQuitWarnsOfTheQueue: /quit with a question queued behind an
// answer being streamed, or waiting for the connection, does not drop it
// without a word: it says so, nothing is stopped or sent, and ctrl+c then
// quits. /quit with words after it is refused.
func TestSlashQuitWarnsOfTheQueue(t *testing.T) {
	t.Run("behind an answer", func(t *testing.T) {
		h, f := queueBehindAnswer(t)
		h.typeText("/quit")
		h.press("enter")
		h.untilScreen("1 question queued, not sent yet: ctrl+c quits without sending it")
		if h.quit || h.m.ask == nil {
			t.Fatalf("/quit with a question queued: quit %v, answer stopped %v", h.quit, h.m.ask == nil)
		}
		h.press("ctrl+c")
		h.until("quit", func() bool { return h.quit })
		if n := asks(f); n != 1 {
			t.Errorf("%d questions sent; want the first only", n)
		}
	})
	t.Run("reconnecting", func(t *testing.T) {
		f := newFake()
		h, _ := openFirst(t, f, 100, 24)
		queueWhileAway(h, f)
		h.typeText("/quit")
		h.press("enter")
		h.untilScreen("1 question queued, not sent yet")
		if h.quit {
			t.Fatal("/quit with a question queued quit at once")
		}
	})
	t.Run("arguments", func(t *testing.T) {
		h := newHarness(t, newFake(), plain, 100, 24)
		h.typeText("/quit now")
		h.press("enter")
		h.untilScreen("/quit takes no arguments")
		if h.quit {
			t.Fatal("/quit now quit")
		}
	})
}

// TestQueueWarningGoesWhenSent: the warning that a question is queued,
// not sent, holds it (the model it waited for found meanwhile) until esc
// takes the quit back; it is gone once the question is sent. A notice
// that is not an error (others' answers being finished) is not marked as
// one.
func TestQueueWarningGoesWhenSent(t *testing.T) {
	f := newFake()
	f.models = []ModelInfo{{Provider: "ollama", Model: "qwen", Local: true}}
	f.modelsGate = make(chan struct{})
	h := newHarness(t, f, plain, 100, 24)
	h.typeText("/model qwen")
	h.press("enter")
	h.typeText("waits for the model")
	h.press("enter")
	h.untilScreen("queued")
	h.press("ctrl+c")
	h.untilScreen("not sent yet")
	close(f.modelsGate)
	h.until("the model found", func() bool { return h.m.pendingModel == "" })
	if asks(f) != 0 || !strings.Contains(h.screen(), "not sent yet") {
		t.Fatalf("the quit armed, the model found: %d questions sent; screen:\n%s", asks(f), h.screen())
	}
	h.press("esc")
	h.until("the question sent and answered", func() bool { return asks(f) == 1 && h.m.ask == nil && len(h.m.queue) == 0 })
	h.fire(isQuitDisarm)
	if s := h.screen(); strings.Contains(s, "not sent yet") {
		t.Errorf("the question was sent, and the screen says it was not:\n%s", s)
	}

	hs, _ := newServing(t, 2, 0)
	hs.press("ctrl+c", "ctrl+c")
	hs.untilScreen("· finishing 2 answers for other clients")
}

// TestCtrlZSuspends: ctrl+z asks Run's suspender to suspend the program,
// wherever the keys are — the editor holding text, the help open — and
// changes nothing else.
func TestCtrlZSuspends(t *testing.T) {
	h := newHarness(t, newFake(), plain, 100, 24)
	asked := make(chan struct{}, 4)
	h.m.suspend = func() { asked <- struct{}{} }
	h.typeText("half a question")
	h.press("ctrl+z")
	waitFor(h, "the suspension asked for", asked)
	if h.quit || h.m.input.value() != "half a question" {
		t.Errorf("after ctrl+z: quit %v, editor %q", h.quit, h.m.input.value())
	}
	h.press("ctrl+c", "?")
	if !h.m.showHelp {
		t.Fatal("no help")
	}
	h.press("ctrl+z")
	waitFor(h, "the suspension asked for over the help", asked)
	if !h.m.showHelp || h.quit {
		t.Errorf("after ctrl+z over the help: help %v, quit %v", h.m.showHelp, h.quit)
	}
}

// TestFilesPaneOneFile: the files pane counts one file in the singular.
func TestFilesPaneOneFile(t *testing.T) {
	f := newFake()
	f.work.files = &Files{Indexed: true, List: []File{{Path: "main.go", Lang: "go"}}}
	h := newHarness(t, f, plain, 100, 24)
	h.press("ctrl+o", "ctrl+o")
	h.untilScreen("Files", "main.go")
	if s := h.screen(); !strings.Contains(s, "1 file ") || strings.Contains(s, "1 files") {
		t.Errorf("the files pane's count:\n%s", s)
	}
}

// TestSlashArgumentsChecked: a target whose quote is not closed is
// refused with what to do, not looked up with the quote in its name; a
// command that takes no arguments refuses them.
func TestSlashArgumentsChecked(t *testing.T) {
	cases := []struct{ input, want string }{
		{`/explain "lib/my file.ex`, `/explain: the " before lib/my is not closed; close it after the target ("PATH") or leave it out`},
		{`/refactor 'calc.go:3 make it faster`, `/refactor: the ' before calc.go:3 is not closed`},
		{"/undo extra", "/undo takes no arguments"},
	}
	for _, c := range cases {
		f := newFake()
		h := newHarness(t, f, plain, 200, 24)
		h.typeText(c.input)
		h.press("enter")
		h.untilScreen(c.want)
		if asks(f) != 0 || len(f.work.tasks) != 0 || len(f.work.restores) != 0 {
			t.Errorf("%s: ran: %d asks, %d tasks, %d restores", c.input, asks(f), len(f.work.tasks), len(f.work.restores))
		}
	}
	// A quote in the free text after the target is the text's.
	f := newFake()
	h := newHarness(t, f, plain, 200, 24)
	h.typeText(`/explain calc.go why "this`)
	h.press("enter")
	if req := h.gotAsk(); req.Target != "calc.go" || req.Prompt != `why "this` {
		t.Errorf("asked %+v", req)
	}
}
