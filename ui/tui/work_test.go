package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/workflow"
)

// lines40 is a file of 40 numbered lines, with line i replaced by edit(i)
// when edit returns ok.
func lines40(edit func(i int) (string, bool)) string {
	var b strings.Builder
	for i := 1; i <= 40; i++ {
		if s, ok := edit(i); ok {
			b.WriteString(s)
			continue
		}
		fmt.Fprintf(&b, "\tx%d := %d\n", i, i)
	}
	return b.String()
}

// proposalProject writes calc.go into a project and returns the project
// and a proposal that changes it in two places and adds lib/new.go.
func proposalProject(t *testing.T, checks ...workflow.Check) (root, old, new string, res *TaskResult) {
	root = t.TempDir()
	old = lines40(func(int) (string, bool) { return "", false })
	new = lines40(func(i int) (string, bool) {
		switch i {
		case 3:
			return "\tx3 := 300\n", true
		case 30:
			return "\tx30 := 3000\n", true
		}
		return "", false
	})
	if err := os.WriteFile(filepath.Join(root, "calc.go"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	if checks == nil {
		checks = []workflow.Check{{Name: "applies", Status: workflow.OK}, {Name: "syntax", Status: workflow.OK}, {Name: "go build", Status: workflow.OK}}
	}
	res = &TaskResult{Proposal: &workflow.Proposal{Task: "refactor", Target: "calc.go:3", Checks: checks,
		Files:   []workflow.FileChange{{Path: "calc.go", Status: "modified", Added: 2, Removed: 2}, {Path: "lib/new.go", Status: "added", Added: 1}},
		Changes: []parse.Change{{Path: "calc.go", OldPath: "calc.go", Content: []byte(new)}, {Path: "lib/new.go", Content: []byte("package lib\n")}},
	}}
	return root, old, new, res
}

// openProposal starts a harness of width×height on root whose backend
// answers every task with res, and types command; the proposal opens.
func openProposal(t *testing.T, f *fakeBackend, root string, res *TaskResult, width, height int, command string) *harness {
	t.Helper()
	f.work.taskResult = res
	o := plain
	o.Root = root
	h := newHarness(t, f, o, width, height)
	h.typeText(command)
	h.press("enter")
	h.until("the proposal", func() bool { return h.m.prop != nil })
	return h
}

// TestProposal: /refactor streams the answer, then opens the proposal;
// a hunk dropped is not written, the rest is (with the turn), and /undo
// restores the checkpoint written.
func TestProposal(t *testing.T) {
	root, old, _, res := proposalProject(t)
	f := newFake()
	f.chunks = []string{"here is the change:\n", "```diff\n…\n```\n"}
	h := openProposal(t, f, root, res, 100, 40, "/refactor calc.go:3 make the numbers bigger")
	if got, want := f.work.tasks[0], (TaskRequest{Kind: TaskRefactor, Target: "calc.go:3", Goal: "make the numbers bigger", Session: "new"}); got != want {
		t.Errorf("task %+v; want %+v", got, want)
	}
	h.untilScreen("refactor calc.go:3 · 2 files · +3 −2", "✓ applies  ✓ syntax  ✓ go build", "calc.go (modified)",
		"▸ [✓] @@ -1,6 +1,6 @@", "  [✓] @@ -27,7 +27,7 @@", "    -    x3 := 3", "    +    x3 := 300", "lib/new.go (added)", "[✓] new file")
	// The answer went into the conversation, behind the proposal.
	if !slices.ContainsFunc(h.m.conv.items, func(it *item) bool { return strings.Contains(it.text, "here is the change") }) {
		t.Error("the task's answer is not in the conversation")
	}
	h.press("tab", "down", " ")
	h.untilScreen("▸ [ ] @@ -27,7 +27,7 @@", "  [✓] @@ -1,6 +1,6 @@")
	h.press("enter")
	h.until("the write", func() bool { return h.m.prop == nil })
	h.untilScreen("wrote calc.go, lib/new.go (the hunks kept; the checks ran on the whole change) · checkpoint cp1", "/undo puts it back")
	a := f.work.applies[0]
	if a.Session != "s-new" || a.Turn != 1 || a.Reason != "refactor" || a.Label != "calc.go:3" || len(a.Changes) != 2 {
		t.Fatalf("apply %+v", a)
	}
	want := strings.Replace(old, "\tx3 := 3\n", "\tx3 := 300\n", 1)
	if got := string(a.Changes[0].Content); got != want {
		t.Errorf("calc.go as written:\n%s\nwant:\n%s", got, want)
	}
	if string(a.Changes[1].Content) != "package lib\n" {
		t.Errorf("new file %q", a.Changes[1].Content)
	}
	h.typeText("/undo")
	h.press("enter")
	h.untilScreen("undone: restored calc.go as before checkpoint cp1")
	if !slices.Equal(f.work.restores, []string{"cp1"}) {
		t.Errorf("restores %v", f.work.restores)
	}
	h.typeText("/undo")
	h.press("enter")
	h.untilScreen("nothing written from this TUI to undo")
}

// TestProposalRefused: a proposal that failed its checks, or with
// nothing kept, is not written; esc closes it.
func TestProposalRefused(t *testing.T) {
	root, _, _, res := proposalProject(t, workflow.Check{Name: "applies", Status: workflow.OK},
		workflow.Check{Name: "go build", Status: workflow.Failed, Detail: "./calc.go:3:2: undefined: y\n"})
	f := newFake()
	h := openProposal(t, f, root, res, 100, 40, "/tests calc.Max")
	h.untilScreen("✗ go build", "./calc.go:3:2: undefined: y", "failed its checks: go build: ./calc.go:3:2: undefined: y")
	// Its hints do not offer to write it.
	h.untilScreen("its checks failed, it cannot be written; esc closes")
	if strings.Contains(h.screen(), "enter writes") {
		t.Errorf("a failed proposal's hints offer enter to write it:\n%s", h.screen())
	}
	h.press("tab")
	h.untilScreen("proposal: its checks failed, it cannot be written · esc closes")
	if strings.Contains(h.screen(), "enter writes") || strings.Contains(h.screen(), "enter write ·") {
		t.Errorf("a failed proposal with the keys offers enter to write it:\n%s", h.screen())
	}
	h.press("enter")
	h.untilScreen("it cannot be written")
	if len(f.work.applies) != 0 {
		t.Fatal("a failed proposal was written")
	}
	h.press("esc")
	h.untilScreen("proposal closed; nothing written")

	// Nothing kept.
	root, _, _, res = proposalProject(t)
	f.set(func(f *fakeBackend) { f.work.taskResult = res })
	h.m.opts.Root = root
	h.typeText("/gen module Calc.More more of it")
	h.press("enter")
	h.until("the proposal", func() bool { return h.m.prop != nil })
	if got := f.work.tasks[1]; got.Kind != TaskGenModule || got.Name != "Calc.More" || got.Description != "more of it" {
		t.Errorf("gen task %+v", got)
	}
	h.press("tab", "n", "enter")
	h.untilScreen("nothing is kept")
	h.press("a", "ctrl+c")
	h.untilScreen("proposal closed; nothing written")
	if writes(f) != 0 {
		t.Fatal("a closed proposal was written")
	}
}

// TestModelPicker: ctrl+l lists the cluster's models, local ones first;
// typing filters, enter picks.
func TestModelPicker(t *testing.T) {
	f := newFake()
	f.models = []ModelInfo{
		{Provider: "openai", Model: "gpt-x", ContextWindow: 128000, Priced: true, InputUSD: 2.5, OutputUSD: 10},
		{Provider: "ollama", Model: "qwen", Node: "gpu-box", Local: true, ContextWindow: 32768, Priced: true},
		{Provider: "ollama", Model: "tiny", Local: true, ContextWindow: 2048, Priced: true},
	}
	h := newHarness(t, f, plain, 100, 30)
	h.press("ctrl+l")
	h.untilScreen("Models · 3 in the cluster")
	scr := h.screen()
	tiny, qwen, gpt := strings.Index(scr, "ollama/tiny"), strings.Index(scr, "ollama/qwen"), strings.Index(scr, "openai/gpt-x")
	if !(tiny < qwen && qwen < gpt) || !strings.Contains(scr, "node gpu-box") || !strings.Contains(scr, "32,768") {
		t.Fatalf("order or columns:\n%s", scr)
	}
	h.typeText("gpu")
	h.untilScreen("filter: gpu")
	if strings.Contains(h.screen(), "ollama/tiny") || !strings.Contains(h.screen(), "ollama/qwen") {
		t.Fatalf("filter gpu:\n%s", h.screen())
	}
	h.press("enter")
	h.untilScreen("model: ollama/qwen · node gpu-box · 32,768 tokens · free")
	if h.m.picker != nil || h.m.provider != "ollama" || h.m.model != "qwen" {
		t.Fatalf("picked %s/%s, picker %v", h.m.provider, h.m.model, h.m.picker != nil)
	}
	// Open again: the current one is marked.
	h.press("ctrl+l")
	h.untilScreen("▸● ollama/qwen")
	h.press("esc")
	if h.m.picker != nil || h.m.model != "qwen" {
		t.Fatal("esc changed the model or left the picker")
	}
}

func isPreview(msg tea.Msg) bool { _, ok := msg.(previewTickMsg); return ok }

// TestContextPreview: with the context view showing, what is typed is
// sent for its context once typing pauses (a held tick), and the pane
// shows what would go with it.
func TestContextPreview(t *testing.T) {
	f := newFake()
	f.work.ctxSum = &session.ContextSummary{Window: 4096, Budget: 3072, Tokens: 1200,
		Chunks: []session.ContextChunk{{Path: "lib/a.ex", Name: "A.slow/1", StartLine: 4, EndLine: 9, Tokens: 300}}}
	h := newHarness(t, f, plain, 120, 30)
	h.press("ctrl+o", "ctrl+o", "ctrl+o")
	h.untilScreen("Context", "type a question to see")
	h.typeText("why is A.slow slow")
	h.untilScreen("for: why is A.slow slow", "building…")
	h.until("the pause", func() bool {
		h.fire(isPreview)
		return strings.Contains(h.screen(), "1,200")
	})
	h.untilScreen("Context · to be sent", "1,200 of 3,072 tokens", "lib/a.ex:4-9", "A.slow/1")
	// Only the last pause builds a context: one call per pause.
	if len(f.work.ctxReqs) != 1 || f.work.ctxReqs[0].Prompt != "why is A.slow slow" {
		t.Fatalf("context requests %+v", f.work.ctxReqs)
	}
	h.press("ctrl+u")
	h.typeText("/explain lib/a.ex:4 and this")
	h.until("the explain context", func() bool {
		h.fire(isPreview)
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.work.ctxReqs) >= 2
	})
	f.mu.Lock()
	got := f.work.ctxReqs[len(f.work.ctxReqs)-1]
	f.mu.Unlock()
	if got.Task != "explain" || got.Target != "lib/a.ex:4" || got.Prompt != "and this" {
		t.Errorf("explain context request %+v", got)
	}
	// Sent: the pane goes back to the last turn's context.
	h.press("enter")
	h.until("the answer", func() bool { return h.m.ask == nil && len(f.asks) == 1 })
	if h.m.pane.previewFor != "" {
		t.Errorf("preview kept after sending: %q", h.m.pane.previewFor)
	}
}

// TestProposalWrapsLongLines: a line of the diff wider than the view is
// wrapped, not cut: a change is seen whole before it is written.
func TestProposalWrapsLongLines(t *testing.T) {
	root, _, _, res := proposalProject(t)
	long := `harmless := strings.Repeat("x", 3); _ = harmless; ` + strings.Repeat("y := 1; ", 12) + `os.RemoveAll("/")`
	res.Proposal.Changes[1].Content = []byte("package lib\n\nfunc init() { " + long + " }\n")
	h := openProposal(t, newFake(), root, res, 80, 60, "/refactor calc.go:3 make the numbers bigger")
	h.untilScreen("lib/new.go (added)", `os.RemoveAll("/")`)
	for _, l := range strings.Split(h.screen(), "\n") {
		if strings.Contains(l, "…") && strings.Contains(l, "harmless") {
			t.Errorf("a diff line is cut: %q", l)
		}
	}
}

// TestQuestionWaitsForModelByName: a question sent right after /model
// NAME, while the list to find NAME in is read, waits for it and goes to
// that model, not the one before.
func TestQuestionWaitsForModelByName(t *testing.T) {
	f := newFake()
	f.models = []ModelInfo{{Provider: "ollama", Model: "qwen", Local: true, Priced: true}}
	f.modelsGate = make(chan struct{})
	h := newHarness(t, f, plain, 100, 30)
	h.typeText("/model qwen")
	h.press("enter")
	h.typeText("which model?")
	h.press("enter")
	h.untilScreen("queued")
	f.mu.Lock()
	asks := len(f.asks)
	f.mu.Unlock()
	if asks != 0 {
		t.Fatal("the question went before the model was known")
	}
	close(f.modelsGate)
	if req := h.gotAsk(); req.Provider != "ollama" || req.Model != "qwen" || req.Prompt != "which model?" {
		t.Fatalf("asked %+v; want ollama/qwen", req)
	}
}
