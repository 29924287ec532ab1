package tui

import (
	"errors"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/session"
)

// conversationOrder is the conversation's prompts and answers in order,
// a prompt as its text and an answer as "=" and its text.
func conversationOrder(h *harness) []string {
	var out []string
	for _, it := range h.m.conv.items {
		switch it.kind {
		case userItem:
			out = append(out, it.text)
		case answerItem:
			out = append(out, "="+it.text)
		}
	}
	return out
}

// asks is how many questions the fake backend was asked.
func asks(f *fakeBackend) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.asks)
}

// TestQueuedAnswersUnderTheirQuestions: questions sent while an answer
// streams get their answers each directly under them, as they stream,
// not all under the last question asked.
func TestQueuedAnswersUnderTheirQuestions(t *testing.T) {
	f := newFake()
	f.echo = true // the answers tell which question they are for
	f.hold = true
	h := newHarness(t, f, plain, 100, 40)
	for _, q := range []string{"A1", "B2", "C3"} {
		h.typeText(q)
		h.press("enter")
	}
	h.gotAsk()
	close(f.release)
	h.until("every answer", func() bool {
		return asks(f) == 3 && h.m.ask == nil
	})
	want := "A1 =re: A1 B2 =re: B2 C3 =re: C3"
	if got := strings.Join(conversationOrder(h), " "); got != want {
		t.Errorf("conversation %q; want %q", got, want)
	}
}

// TestReconnectQueueAnswersInOrder: questions queued while the node is
// away go out in order when it is back, each answer under its question.
func TestReconnectQueueAnswersInOrder(t *testing.T) {
	f := newFake()
	f.echo = true // the answers tell which question they are for
	h := newHarness(t, f, plain, 100, 40)
	h.until("the status", func() bool { return h.m.conn == connUp })
	f.set(func(f *fakeBackend) { f.down = true })
	for _, q := range []string{"A1", "B2", "C3"} {
		h.typeText(q)
		h.press("enter")
		h.until(q+" queued", func() bool { return h.m.ask == nil })
	}
	h.untilScreen("reconnecting…", "3 queued")
	f.set(func(f *fakeBackend) { f.down = false })
	h.until("every answer", func() bool {
		h.fire(isStatus)
		return asks(f) == 3 && h.m.ask == nil
	})
	want := "A1 =re: A1 B2 =re: B2 C3 =re: C3"
	if got := strings.Join(conversationOrder(h), " "); got != want {
		t.Errorf("conversation %q; want %q", got, want)
	}
}

// TestOwnTurnCountedFromItsEvent: an answer stopped through a node comes
// back with its turn but without its model or tokens (the node's last
// frame never came); its turn.interrupted event has them, and they count,
// as they do in the TUI that answered it. An answer that did bring them
// is not counted again by its event.
func TestOwnTurnCountedFromItsEvent(t *testing.T) {
	f := newFake()
	f.chunks, f.hold = []string{"partial"}, true
	f.result = AskResult{}
	h := newHarness(t, f, plain, 120, 30)
	h.typeText("q")
	h.press("enter")
	h.gotAsk()
	h.press("esc")
	h.until("the stop", func() bool { return h.m.ask == nil })
	h.gotSub()
	f.feed <- []events.Event{
		event(1, "s-new", 1, session.TypeTurnStarted, actor, session.TurnStarted{Turn: 1, Prompt: "q"}),
		event(2, "s-new", 2, session.TypeTurnInterrupted, actor, session.TurnInterrupted{Turn: 1, Outcome: session.Outcome{
			Answer: "partial", Provider: "ollama", Model: "tiny", Node: "n1", PromptTokens: 303, CompletionTokens: 142, Reason: "cancelled"}}),
	}
	h.untilScreen("aiex · ollama/tiny · 303→142 tokens · interrupted: cancelled", "session s-new · 1 turn · 303→142 tokens")

	// A whole answer, whose event comes after it.
	f.set(func(f *fakeBackend) {
		f.hold = false
		f.result = AskResult{Provider: "ollama", Model: "tiny", Node: "n1", PromptTokens: 100, CompletionTokens: 30}
	})
	h.typeText("again")
	h.press("enter")
	h.until("the answer", func() bool { return h.m.ask == nil && asks(f) == 2 })
	f.feed <- []events.Event{
		event(3, "s-new", 3, session.TypeTurnStarted, actor, session.TurnStarted{Turn: 2, Prompt: "again"}),
		event(4, "s-new", 4, session.TypeTurnCompleted, actor, session.TurnCompleted{Turn: 2, Outcome: session.Outcome{
			Answer: "partial", Provider: "ollama", Model: "tiny", Node: "n1", PromptTokens: 100, CompletionTokens: 30}}),
	}
	h.until("the events", func() bool { return h.m.sess.version == 4 })
	h.untilScreen("session s-new · 2 turns · 403→172 tokens")
}

// TestCutOffLabels: an answer cut off is labelled as the session records
// it and shows it when reopened — a stopped one "interrupted: cancelled",
// one the provider broke off "interrupted", not "failed" — and the
// error's repeated "the answer from … broke off" is said once.
func TestCutOffLabels(t *testing.T) {
	f := newFake()
	f.chunks, f.hold = []string{"partial answer"}, true
	h := newHarness(t, f, plain, 220, 30)
	h.typeText("q")
	h.press("enter")
	h.gotAsk()
	h.press("esc")
	h.untilScreen("aiex · fake/m1 · 3→5 tokens · interrupted: cancelled")
	d := doc("dddd", 2, "q", "partial answer")
	d.Turns[0].Status, d.Turns[0].Reason = "interrupted", "cancelled"
	if _, ans := h.m.turnItems(d.Turns[0]); ans.state != "interrupted: cancelled" {
		t.Errorf("reopened, the stopped turn shows %q", ans.state)
	}

	f.set(func(f *fakeBackend) {
		f.hold = false
		f.askErr = errors.New("the answer from ollama (fakemodel:latest) broke off: the answer from Ollama at http://127.0.0.1:11434 broke off after 15 chunks: unexpected EOF; the partial answer is recorded as interrupted")
	})
	h.typeText("again")
	h.press("enter")
	h.until("the answer", func() bool { return h.m.ask == nil && asks(f) == 2 })
	last := h.m.conv.items[len(h.m.conv.items)-2]
	if last.kind != answerItem || last.state != "interrupted" {
		t.Errorf("the broken-off answer is labelled %q; want interrupted", last.state)
	}
	const said = "✗ the answer from ollama (fakemodel:latest) at http://127.0.0.1:11434 broke off after 15 chunks: unexpected EOF; the partial answer is recorded as interrupted"
	if !strings.Contains(h.screen(), said) {
		t.Errorf("the error is not said as %q:\n%s", said, h.screen())
	}
	if n := strings.Count(h.screen(), "broke off"); n != 1 {
		t.Errorf("%q said %d times:\n%s", "broke off", n, h.screen())
	}
}
