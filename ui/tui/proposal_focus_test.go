package tui

import (
	"errors"
	"strings"
	"testing"

	xansi "github.com/charmbracelet/x/ansi"
)

// writes is how many writes the fake backend was asked for.
func writes(f *fakeBackend) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.work.applies)
}

// TestTypingIntoProposal: a question typed while a proposal has the keys
// goes into the editor from its first letter that is not one of the
// proposal's keys, and Enter then sends it: nothing is written. While the
// proposal has the keys, the footer and the editor say so.
func TestTypingIntoProposal(t *testing.T) {
	root, _, _, res := proposalProject(t)
	f := newFake()
	f.chunks = []string{"an answer about tests"}
	h := openProposal(t, f, root, res, 100, 40, "/refactor calc.go:3 bigger")
	h.untilScreen("▸ [✓] @@ -1,6 +1,6 @@")
	scr := h.screen()
	for _, bad := range []string{"enter send", "Ask about your code"} {
		if strings.Contains(scr, bad) {
			t.Errorf("with the proposal holding the keys the screen says %q:\n%s", bad, scr)
		}
	}
	for _, want := range []string{"proposal: enter writes the kept · esc closes", "type to ask instead"} {
		if !strings.Contains(scr, want) {
			t.Errorf("the footer or the editor does not say %q:\n%s", want, scr)
		}
	}

	h.press("n")
	h.typeText("what about a test?")
	if got := h.m.input.value(); got != "what about a test?" {
		t.Errorf("the editor holds %q", got)
	}
	h.press("enter")
	if req := h.gotAsk(); req.Prompt != "what about a test?" {
		t.Errorf("asked %q", req.Prompt)
	}
	h.untilScreen("an answer about tests")
	if writes(f) != 0 {
		t.Fatal("typing a question wrote the proposal")
	}
	if h.m.prop == nil {
		t.Fatal("the proposal was closed")
	}
	// Tab gives the proposal the keys again: its own Enter writes it,
	// with the hunks the n dropped.
	h.press("tab")
	h.untilScreen("▸ [ ] @@ -1,6 +1,6 @@", "proposal: enter writes the kept")
	h.press("a", "enter")
	h.until("the write", func() bool { return h.m.prop == nil })
	if writes(f) != 1 {
		t.Fatalf("%d writes; want 1", writes(f))
	}
	if h.m.focus != focusInput {
		t.Errorf("the focus after the write is %v; want the editor", h.m.focus)
	}
}

// TestTypingIntoProposalNoWriteKey: no letter writes a proposal (y and w
// did), and words that arrive together go into the editor: typed text
// never ends in a write.
func TestTypingIntoProposalNoWriteKey(t *testing.T) {
	root, _, _, res := proposalProject(t)
	f := newFake()
	h := openProposal(t, f, root, res, 100, 40, "/refactor calc.go:3 bigger")
	h.press("y")
	if h.m.input.value() != "y" || writes(f) != 0 {
		t.Fatalf("y over the proposal: editor %q, %d writes", h.m.input.value(), writes(f))
	}
	h.press("ctrl+u", "tab")
	h.burst("would it work")
	if h.m.input.value() != "would it work" || writes(f) != 0 {
		t.Fatalf("a burst over the proposal: editor %q, %d writes", h.m.input.value(), writes(f))
	}
}

// TestProposalOpensWhileTyping: a proposal that opens while a question is
// being typed does not take the keys from it.
func TestProposalOpensWhileTyping(t *testing.T) {
	root, _, _, res := proposalProject(t)
	f := newFake()
	f.work.taskResult = res
	f.hold = true
	o := plain
	o.Root = root
	h := newHarness(t, f, o, 100, 40)
	h.typeText("/refactor calc.go:3 bigger")
	h.press("enter")
	h.typeText("and")
	h.until("the proposal", func() bool { return h.m.prop != nil })
	h.typeText(" now")
	if got := h.m.input.value(); got != "and now" {
		t.Errorf("the editor holds %q", got)
	}
	if !h.m.prop.kept(h.m.prop.choices[0]) {
		t.Error("typing dropped a hunk")
	}
}

// TestProposalMessageWraps: a long message over the proposal (a write
// refused) is wrapped, not cut.
func TestProposalMessageWraps(t *testing.T) {
	root, _, _, res := proposalProject(t)
	f := newFake()
	msg := "internal/cache/cache.go changed since the change was proposed, so nothing was written; ask again to propose it against the files as they are now"
	f.work.applyErr = errors.New(msg)
	h := openProposal(t, f, root, res, 110, 40, "/refactor calc.go:3 bigger")
	h.press("enter")
	h.until("the refusal", func() bool { return writes(f) == 1 && !h.m.prop.writing })
	var shown []string
	for _, l := range strings.Split(xansi.Strip(h.screen()), "\n") {
		if strings.Contains(l, "…") {
			t.Errorf("a line is cut: %q", l)
		}
		shown = append(shown, strings.TrimSpace(l))
	}
	if all := strings.Join(shown, " "); !strings.Contains(all, "not written: "+msg) {
		t.Errorf("the message is not shown whole:\n%s", h.screen())
	}
}
