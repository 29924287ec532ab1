package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// dyingBackend breaks off every question or task whose prompt holds
// "DIE" after its text, as a provider that drops the connection does.
type dyingBackend struct{ *fakeBackend }

var errBrokeOff = errors.New("the answer from ollama (tiny:latest) broke off: the answer from Ollama at http://127.0.0.1:1 broke off after 40 chunks: unexpected EOF")

func (d dyingBackend) Ask(ctx context.Context, req AskRequest, fn func(string)) (*AskResult, error) {
	res, err := d.fakeBackend.Ask(ctx, req, fn)
	if strings.Contains(req.Prompt, "DIE") {
		return res, errBrokeOff
	}
	return res, err
}

func (d dyingBackend) Task(ctx context.Context, req TaskRequest, fn func(string)) (*TaskResult, error) {
	res, err := d.fakeBackend.Task(ctx, req, fn)
	if strings.Contains(req.Goal, "DIE") {
		return nil, errBrokeOff
	}
	return res, err
}

// itemTexts are the conversation's items, one line each: prompts as
// "You: …", answers as "aiex: …", errors as "✗ …".
func itemTexts(c *conversation) []string {
	var out []string
	for _, it := range c.items {
		switch it.kind {
		case userItem:
			out = append(out, "You: "+it.text)
		case answerItem:
			out = append(out, "aiex: "+strings.TrimSpace(it.text))
		case errorItem:
			out = append(out, "✗ "+it.text)
		case noteItem:
			out = append(out, "· "+it.text)
		}
	}
	return out
}

// TestBrokenAnswerNoteUnderIt: with questions queued behind an answer
// that breaks off, its error goes right under it, not under the answer of
// the question asked after it; the same for a task that fails.
func TestBrokenAnswerNoteUnderIt(t *testing.T) {
	for _, first := range []string{"why DIE Q110", "/refactor calc.go:3 DIE bigger"} {
		t.Run(strings.Fields(first)[0], func(t *testing.T) {
			f := newFake()
			f.echo = true
			f.hold = true
			f.chunks = []string{"part of the change"}
			h := newHarnessOver(t, dyingBackend{f}, f, plain, 100, 40)
			h.typeText(first)
			h.press("enter")
			h.until("the first to stream", func() bool { return h.m.ask != nil })
			h.typeText("next Q111")
			h.press("enter")
			h.typeText("then Q112")
			h.press("enter")
			close(f.release)
			h.until("every answer", func() bool { return h.m.ask == nil && len(h.m.queue) == 0 && asks(f) >= 2 })
			got := itemTexts(h.m.conv)
			if len(got) != 7 {
				t.Fatalf("items:\n%s", strings.Join(got, "\n"))
			}
			if !strings.HasPrefix(got[2], "✗ the answer from ollama (tiny:latest) at http://127.0.0.1:1 broke off after 40 chunks") {
				t.Errorf("the error is not under the answer that broke off:\n%s", strings.Join(got, "\n"))
			}
			if got[3] != "You: next Q111" || got[4] != "aiex: re: next Q111" || got[5] != "You: then Q112" || got[6] != "aiex: re: then Q112" {
				t.Errorf("the questions after it:\n%s", strings.Join(got, "\n"))
			}
		})
	}
}
