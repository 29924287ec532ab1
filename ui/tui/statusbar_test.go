package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	xansi "github.com/charmbracelet/x/ansi"
)

// answeredSession opens session id (one turn) at 120x24 and asks one more
// question, answered with res.
func answeredSession(t *testing.T, id string, res AskResult) *harness {
	t.Helper()
	f := newFake()
	f.docs[id] = doc(id, 2, "first question", "first answer")
	f.nextTurn = 1
	f.result = res
	o := plain
	o.Session = id
	h := newHarness(t, f, o, 120, 24)
	// The node's status too: "starting…" is wider than "● n1 embedded",
	// and would cut the session at 120 columns.
	h.untilScreen("first answer", "● n1 embedded")
	h.typeText("q")
	h.press("enter")
	h.until("the answer", func() bool { return h.m.ask == nil && asks(f) == 1 })
	return h
}

// TestStatusBarKeepsTheModel: at any width the status bar fills it
// exactly; the model and the session are never run together, and the
// model shows whole wherever it fits: the session's text is cut first.
func TestStatusBarKeepsTheModel(t *testing.T) {
	const id = "45cb7e0a-1b2c-4d5e-8f90-123456789abc"
	h := answeredSession(t, id, AskResult{Provider: "ollama", Model: "fakemodel:latest", Node: "n1", PromptTokens: 3, CompletionTokens: 5})
	const model = "model: ollama/fakemodel:latest"
	for w := 30; w <= 160; w++ {
		h.send(tea.WindowSizeMsg{Width: w, Height: 24})
		ls := strings.Split(h.screen(), "\n")
		bar := ls[len(ls)-1]
		if got := xansi.StringWidth(bar); got != w {
			t.Errorf("at %d columns the status bar is %d wide: %q", w, got, bar)
		}
		if strings.Contains(bar, "latestsession") || strings.Contains(bar, "latest"+id[:1]) {
			t.Errorf("at %d columns the model and the session run together: %q", w, bar)
		}
		if w >= 50 && !strings.Contains(bar, model) {
			t.Errorf("at %d columns the model is cut: %q", w, bar)
		}
		if w >= 120 && !strings.Contains(bar, "session "+id+" · 2 turns") {
			t.Errorf("at %d columns the session is cut: %q", w, bar)
		}
	}
}

// TestStatusBarShortensByParts: the session's text keeps at least two
// cells from the model, and shortens by dropping whole parts — the full
// id, the word "session", the turns, what it spent — before anything is
// cut mid-word, which only happens where the id alone does not fit.
func TestStatusBarShortensByParts(t *testing.T) {
	const id = "f9d73d4e94b7-4d5e-8f90-123456789abc"
	h := answeredSession(t, id, AskResult{Provider: "ollama", Model: "tiny:latest", Node: "n1", PromptTokens: 780, CompletionTokens: 376})
	const model = "│ model: ollama/tiny:latest"
	forms := []string{
		"session " + id + " · 2 turns · 790→396 tokens",
		"session f9d73d4e94b7 · 2 turns · 790→396 tokens",
		"f9d73d4e94b7 · 2 turns · 790→396 tokens",
		"f9d73d4e94b7 · 790→396 tokens",
		"f9d73d4e94b7",
	}
	for w := 50; w <= 140; w++ {
		h.send(tea.WindowSizeMsg{Width: w, Height: 24})
		ls := strings.Split(h.screen(), "\n")
		bar := ls[len(ls)-1]
		i := strings.Index(bar, model)
		if i < 0 {
			t.Fatalf("at %d columns no %q: %q", w, model, bar)
		}
		rest := bar[i+len(model):]
		sess := strings.TrimSpace(rest)
		if sess == "" {
			continue
		}
		if !strings.HasPrefix(rest, "  ") {
			t.Errorf("at %d columns the session comes within a cell of the model: %q", w, bar)
		}
		room := xansi.StringWidth(rest) - 3 // two cells from the model, one after it
		want := ""
		for _, f := range forms {
			if xansi.StringWidth(f) <= room {
				want = f
				break
			}
		}
		if want != "" && sess != want {
			t.Errorf("at %d columns the session reads %q; want %q", w, sess, want)
		}
	}
}

// TestStatusBarNamesTheModel: the status bar names the model a question
// goes to before any answer here says it: the one the backend's status
// names, the one that answered the session's last turn, or the only one
// listed — and keeps naming it while an answer streams.
func TestStatusBarNamesTheModel(t *testing.T) {
	bar := func(h *harness) string {
		ls := strings.Split(h.screen(), "\n")
		return ls[len(ls)-1]
	}
	// Only one model listed.
	f := newFake()
	f.models = []ModelInfo{{Provider: "ollama", Model: "tiny:latest", Local: true}}
	h := newHarness(t, f, plain, 100, 24)
	h.until("the models", func() bool { return len(h.m.models) == 1 })
	if !strings.Contains(bar(h), "model: ollama/tiny:latest") {
		t.Errorf("one model listed: %q", bar(h))
	}

	// The backend's status says which.
	f = newFake()
	f.models = []ModelInfo{{Provider: "ollama", Model: "tiny:latest", Local: true}, {Provider: "openai", Model: "gpt-4.1"}}
	f.status.Provider, f.status.Model = "openai", "gpt-4.1"
	h = newHarness(t, f, plain, 100, 24)
	h.until("the status", func() bool { return h.m.conn == connUp })
	if !strings.Contains(bar(h), "model: openai/gpt-4.1") {
		t.Errorf("the status names it: %q", bar(h))
	}

	// A session reopened: the model of its last turn, also while the next
	// question's answer streams.
	f = newFake()
	f.docs["aaaa"] = doc("aaaa", 2, "first question", "first answer")
	f.hold = true
	o := plain
	o.Session = "aaaa"
	h = newHarness(t, f, o, 100, 24)
	h.untilScreen("first answer")
	if !strings.Contains(bar(h), "model: ollama/tiny") {
		t.Errorf("a session reopened: %q", bar(h))
	}
	h.typeText("q")
	h.press("enter")
	h.gotAsk()
	if !strings.Contains(bar(h), "model: ollama/tiny") {
		t.Errorf("while the answer streams: %q", bar(h))
	}
}

// TestAIEXModel: AIEX_MODEL names the model questions go to until one is
// picked, as it does for the CLI (its --model default, before the config's
// model): the status bar names it, a question and a task ask for it, a
// model picked goes first, and /model auto comes back to it.
func TestAIEXModel(t *testing.T) {
	f := newFake()
	f.status.Provider, f.status.Model = "ollama", "from-config"
	f.models = []ModelInfo{{Provider: "ollama", Model: "qwen", Local: true}, {Provider: "ollama", Model: "other", Local: true}}
	o := plain
	o.Getenv = func(k string) string {
		if k == "AIEX_MODEL" {
			return "qwen"
		}
		return ""
	}
	h := newHarness(t, f, o, 100, 24)
	h.until("the status", func() bool { return h.m.conn == connUp })
	h.untilScreen("model: qwen")
	h.typeText("why")
	h.press("enter")
	if req := h.gotAsk(); req.Model != "qwen" || req.Provider != "" {
		t.Errorf("asked %q/%q; want AIEX_MODEL's qwen", req.Provider, req.Model)
	}
	h.until("the answer", func() bool { return h.m.ask == nil })
	h.typeText("/refactor calc.Add return an error")
	h.press("enter")
	h.until("the task", func() bool { return h.m.ask == nil && len(f.work.tasks) == 1 })
	if got := f.work.tasks[0]; got.Model != "qwen" {
		t.Errorf("task for model %q; want qwen", got.Model)
	}
	h.typeText("/model other")
	h.press("enter")
	h.until("the model picked", func() bool { return h.m.pendingModel == "" && h.m.model == "other" })
	h.typeText("and?")
	h.press("enter")
	if req := h.gotAsk(); req.Model != "other" {
		t.Errorf("asked %q after /model other", req.Model)
	}
	h.until("the answer", func() bool { return h.m.ask == nil })
	h.typeText("/model auto")
	h.press("enter")
	h.untilScreen("model: qwen, as AIEX_MODEL says")
	h.typeText("again")
	h.press("enter")
	if req := h.gotAsk(); req.Model != "qwen" {
		t.Errorf("asked %q after /model auto; want qwen", req.Model)
	}
}

// TestStatusBarSaysNodesDown: a cluster with a leader and a member that
// does not answer is not "ok": the bar counts the members down.
func TestStatusBarSaysNodesDown(t *testing.T) {
	f := newFake()
	f.status = Status{Node: "n3", Mode: "node", Leader: "n1", Members: 3, Down: 1}
	h := newHarness(t, f, plain, 120, 24)
	h.until("the status", func() bool { return h.m.conn == connUp })
	ls := strings.Split(h.screen(), "\n")
	if bar := ls[len(ls)-1]; !strings.Contains(bar, "3 nodes 1 down") || strings.Contains(bar, "ok") {
		t.Errorf("a member down: %q; want it counted, not ok", bar)
	}
}
