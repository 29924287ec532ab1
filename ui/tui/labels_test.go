package tui

import (
	"errors"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/ctxbuild"
	xansi "github.com/charmbracelet/x/ansi"
)

// answerHeader is the screen's header line of the last answer.
func answerHeader(t *testing.T, h *harness) string {
	t.Helper()
	var last string
	for _, l := range strings.Split(xansi.Strip(h.screen()), "\n") {
		if strings.HasPrefix(l, "aiex ·") {
			last = strings.TrimRight(l, " ")
		}
	}
	if last == "" {
		t.Fatalf("no answer header:\n%s", h.screen())
	}
	return last
}

// TestAnswerHeaderKeepsItsState: an answer's header too wide for the
// conversation gives up its time, then its tokens, then where it ran and
// the model — never its state, which shows whole.
func TestAnswerHeaderKeepsItsState(t *testing.T) {
	const model = "ollama/qwen2.5-coder:32b-instruct"
	cases := []struct {
		width int
		text  string // the answer's text before it broke off; "" fails
		err   string
		want  string // the header, as shown
	}{
		{80, "half an answer", "connection reset", "aiex · " + model + " · on n2 · 107→17 tokens · interrupted"},
		{70, "half an answer", "connection reset", "aiex · " + model + " · on n2 · interrupted"},
		{60, "half an answer", "connection reset", "aiex · " + model + " · interrupted"},
		{40, "half an answer", "connection reset", "aiex · interrupted"},
		{80, "", "the request took longer than 2m0s", "aiex · " + model + " · on n2 · 107→17 tokens · failed"},
	}
	for _, c := range cases {
		f := newFake()
		f.result = AskResult{Provider: "ollama", Model: "qwen2.5-coder:32b-instruct", Node: "n2",
			PromptTokens: 107, CompletionTokens: 17, TotalMillis: 3000}
		f.chunks = nil
		if c.text != "" {
			f.chunks = []string{c.text}
		}
		f.askErr = errors.New(c.err)
		h := newHarness(t, f, plain, c.width, 24)
		h.typeText("why")
		h.press("enter")
		h.until("the answer", func() bool { return h.m.ask == nil && asks(f) == 1 })
		if got := answerHeader(t, h); got != c.want {
			t.Errorf("at %d columns the header is\n%q; want\n%q", c.width, got, c.want)
		}
	}
}

// TestTooLongWithoutReserve: a question too long for the model's window
// is refused with what to do, and names no reserve for the answer nor a
// command-line flag such as `aiex context`'s --reserve, which the TUI has
// no way to set.
func TestTooLongWithoutReserve(t *testing.T) {
	f := newFake()
	f.askErr = ctxbuild.TooLong(7950, 6144, 8192, 2048, "")
	h := newHarness(t, f, plain, 100, 24)
	h.typeText("a long question")
	h.press("enter")
	h.until("the answer", func() bool { return h.m.ask == nil && asks(f) == 1 })
	var shown []string
	for _, l := range strings.Split(xansi.Strip(h.screen()), "\n") {
		shown = append(shown, strings.TrimSpace(l))
	}
	all := strings.Join(shown, " ")
	if strings.Contains(all, "--") || strings.Contains(all, "keep less") || !strings.Contains(all, "use a model with a larger window or ask a shorter question") {
		t.Errorf("the refusal as shown:\n%s", h.screen())
	}
}

// TestCompleteAnswerWithErrorNotInterrupted: an answer that arrived whole
// is not labelled interrupted when an error comes with it — the history's
// row that could not be written for a full disk, or a task's answer that
// held no code to propose — since the session records the turn completed
// (and shows no label when read again). The error shows under it.
func TestCompleteAnswerWithErrorNotInterrupted(t *testing.T) {
	const full = "the disk holding the data dir /d is full; free some space there and run the command again"
	const noCode = "the answer holds no code block or diff to make a proposal of"
	cases := []struct {
		name, input, err string
		task             bool
	}{
		{"question", "why", full, false},
		{"gen", "/gen module Calc.More more of it", noCode, true},
		{"refactor", "/refactor calc.Add return an error", noCode, true},
		{"tests", "/tests calc.Add", noCode, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake()
			f.result.Complete = true
			f.chunks = []string{"a whole answer"}
			if c.task {
				f.work.taskResult, f.work.taskErr = &TaskResult{}, errors.New(c.err)
			} else {
				f.askErr = errors.New(c.err)
			}
			h := newHarness(t, f, plain, 120, 24)
			h.typeText(c.input)
			h.press("enter")
			h.until("the answer", func() bool { return h.m.ask == nil && (asks(f) == 1 || len(f.work.tasks) == 1) })
			if got := answerHeader(t, h); strings.Contains(got, "interrupted") || strings.Contains(got, "failed") {
				t.Errorf("header %q; want no label, as the session records the turn completed", got)
			}
			if !strings.Contains(xansi.Strip(h.screen()), c.err[:40]) {
				t.Errorf("the error is not shown:\n%s", h.screen())
			}
		})
	}
}
