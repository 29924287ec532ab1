package tui

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/workflow"
)

// TestProposalQuotesNames: a proposal whose files a model named with an
// escape sequence, a newline or a bidi control shows each name quoted,
// escaped, on its line, as the CLI does, and so does the note of the
// write; nothing of them is dropped, which would show another name.
func TestProposalQuotesNames(t *testing.T) {
	root, _, _, res := proposalProject(t)
	const evil, split, bidi = "greet/evil\x1b[31mred\a.go", "greet/new\nline.go", "x\u202eog.go"
	res.Proposal.Files = []workflow.FileChange{{Path: evil, Status: "added", Added: 1}, {Path: split, Status: "added", Added: 1},
		{Path: bidi, OldPath: "calc.go", Status: "renamed"}}
	res.Proposal.Changes = []parse.Change{{Path: evil, Content: []byte("package greet\n")}, {Path: split, Content: []byte("package greet\n")},
		{Path: bidi, OldPath: "calc.go", Content: []byte(lines40(func(int) (string, bool) { return "", false }))}}
	f := newFake()
	h := openProposal(t, f, root, res, 100, 40, "/refactor calc.go make it")
	h.untilScreen(`refactor calc.go · 3 files`, `"greet/evil\x1b[31mred\a.go" (added)`, `"greet/new\nline.go" (added)`,
		`calc.go → "x\u202eog.go" (renamed)`)
	if scr := h.screen(); strings.Contains(scr, "\x1b[31m") || strings.ContainsAny(scr, "\a\u202e") {
		t.Errorf("a name's control character reached the screen:\n%q", scr)
	}
	h.press("tab", "enter")
	h.until("the write", func() bool { return h.m.prop == nil })
	h.untilScreen(`wrote "greet/evil\x1b[31mred\a.go", "greet/new\nline.go", "x\u202eog.go"`)

	// The task's target, typed or taken from the files pane, alike.
	if got := taskTitle(TaskRequest{Kind: TaskRefactor, Target: "ev\x1b[31mil.go:3"}); got != `refactor "ev\x1b[31mil.go:3"` {
		t.Errorf("title %q", got)
	}
}

// TestPaneQuotesNames: the files pane and the context pane show names
// of the project's files quoted when they hold what the terminal would
// act on.
func TestPaneQuotesNames(t *testing.T) {
	f := newFake()
	f.work.files = &Files{Indexed: true, List: []File{{Path: "ev\x1b[31mil.go", Lang: "go"}, {Path: "new\nline.go", Lang: "go"}, {Path: "sp ace/a b.go", Lang: "go"}}}
	f.work.ctxSum = &session.ContextSummary{Window: 4096, Budget: 3072, Tokens: 1200,
		Chunks: []session.ContextChunk{{Path: "x\u202eog.go", Name: "ctl.Zork", StartLine: 4, EndLine: 9, Tokens: 300}}}
	h := newHarness(t, f, plain, 120, 30)
	h.press("ctrl+o", "ctrl+o")
	h.untilScreen("Files", `"ev\x1b[31mil.go"`, `"new\nline.go"`, "sp ace/a b.go")
	if strings.Contains(h.screen(), "\x1b[31m") {
		t.Errorf("a name's escape reached the screen:\n%q", h.screen())
	}
	h.press("ctrl+o")
	h.typeText("why")
	h.until("the preview", func() bool {
		h.fire(isPreview)
		return strings.Contains(h.screen(), "1,200")
	})
	h.untilScreen(`"x\u202eog.go":4-9`)
	if strings.ContainsRune(h.screen(), '\u202e') {
		t.Errorf("a bidi control reached the screen:\n%s", h.screen())
	}
}
