package tui

import (
	"errors"
	"strings"
	"testing"

	xansi "github.com/charmbracelet/x/ansi"
)

// writes is how many writes the fake backend was asked for (a proposal
// closed unwritten is recorded declined through Apply too: not a write).
func writes(f *fakeBackend) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, a := range f.work.applies {
		if !a.Declined {
			n++
		}
	}
	return n
}

// TestProposalOpensWithoutKeys: a proposal opens on the screen but the
// editor keeps the keys, and the footer, the proposal's hint and the
// editor say how to give them to it: a question typed letter by letter
// right after it opens — "now" starts with one of its keys — goes into
// the editor whole, and Enter sends it; nothing is written.
func TestProposalOpensWithoutKeys(t *testing.T) {
	root, _, _, res := proposalProject(t)
	f := newFake()
	f.chunks = []string{"an answer about tests"}
	h := openProposal(t, f, root, res, 100, 40, "/refactor calc.go:3 bigger")
	h.untilScreen("▸ [✓] @@ -1,6 +1,6 @@")
	if h.m.focus != focusInput {
		t.Fatalf("the focus on opening is %v; want the editor", h.m.focus)
	}
	scr := h.screen()
	if n := strings.Count(scr, reviewHint); n != 2 {
		t.Errorf("the footer and the proposal's hint say %q %d times; want 2:\n%s", reviewHint, n, scr)
	}
	if !strings.Contains(scr, "tab: review the proposal") || strings.Contains(scr, "the proposal has the keys") {
		t.Errorf("the editor's placeholder:\n%s", scr)
	}

	h.typeText("now what about a test?")
	if got := h.m.input.value(); got != "now what about a test?" {
		t.Errorf("the editor holds %q", got)
	}
	if !h.m.prop.kept(h.m.prop.choices[0]) {
		t.Error("typing dropped a hunk")
	}
	h.press("enter")
	if req := h.gotAsk(); req.Prompt != "now what about a test?" {
		t.Errorf("asked %q", req.Prompt)
	}
	h.untilScreen("an answer about tests")
	if writes(f) != 0 {
		t.Fatal("typing a question wrote the proposal")
	}
	if h.m.prop == nil {
		t.Fatal("the proposal was closed")
	}
	// Tab gives the proposal the keys: then the footer and the editor say
	// so, and its own Enter writes it.
	h.press("tab")
	h.untilScreen("▸ [✓] @@ -1,6 +1,6 @@", "proposal: enter writes the kept · esc closes", "type to ask instead")
	h.press("n", "a", "enter")
	h.until("the write", func() bool { return h.m.prop == nil })
	if writes(f) != 1 {
		t.Fatalf("%d writes; want 1", writes(f))
	}
	if h.m.focus != focusInput {
		t.Errorf("the focus after the write is %v; want the editor", h.m.focus)
	}
}

// TestProposalEditingKeysGoToEditor: while the proposal has the keys,
// any key that is not one of its own — an editing key too — gives them
// back to the editor and is applied there, so an Enter after it sends the
// question being edited: it does not write the proposal.
func TestProposalEditingKeysGoToEditor(t *testing.T) {
	cases := []struct {
		key, want string
	}{
		{"backspace", "what does Add1 d"},
		{"ctrl+u", ""},
		{"ctrl+w", "what does Add1 "},
		{"left", "what does Add1 do"},
		{"right", "what does Add1 do"},
		{"delete", "what does Add1 do"},
		{"ctrl+a", "what does Add1 do"},
		{"ctrl+e", "what does Add1 do"},
		{"ctrl+j", "what does Add1 do\n"},
		{"x", "what does Add1 dox"},
	}
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			root, _, _, res := proposalProject(t)
			f := newFake()
			h := openProposal(t, f, root, res, 100, 40, "/refactor calc.go:3 bigger")
			h.typeText("what does Add1 do")
			h.press("tab")
			if h.m.focus != focusProposal {
				t.Fatalf("tab: the focus is %v; want the proposal", h.m.focus)
			}
			h.press(c.key)
			if h.m.focus != focusInput {
				t.Fatalf("%s over the proposal left the focus on %v", c.key, h.m.focus)
			}
			if got := h.m.input.value(); got != c.want {
				t.Errorf("%s over the proposal: the editor holds %q; want %q", c.key, got, c.want)
			}
			h.press("enter")
			if c.want != "" {
				h.gotAsk()
			}
			if writes(f) != 0 || h.m.prop == nil {
				t.Fatalf("%s then enter: %d writes, proposal open %v", c.key, writes(f), h.m.prop != nil)
			}
		})
	}
}

// TestTypingIntoProposalNoWriteKey: no letter writes a proposal (y and w
// did), and words that arrive together go into the editor: typed text
// never ends in a write.
func TestTypingIntoProposalNoWriteKey(t *testing.T) {
	root, _, _, res := proposalProject(t)
	f := newFake()
	h := openProposal(t, f, root, res, 100, 40, "/refactor calc.go:3 bigger")
	h.press("tab", "y")
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

// TestQueuedAnswerOverProposal: the answer to a question queued behind a
// task streams while the task's proposal shows; the scroll keys show the
// conversation, with that answer, and tab brings the proposal back.
func TestQueuedAnswerOverProposal(t *testing.T) {
	root, _, _, res := proposalProject(t)
	f := newFake()
	f.work.taskResult = res
	f.echo = true
	f.chunks = []string{"the change\n"}
	o := plain
	o.Root = root
	h := newHarness(t, f, o, 100, 30)
	h.typeText("/refactor calc.go:3 bigger")
	h.press("enter")
	h.typeText("next Q111")
	h.press("enter")
	h.until("the proposal and the answer", func() bool { return h.m.prop != nil && asks(f) == 1 && h.m.ask == nil })
	h.fire(isFrame)
	if strings.Contains(h.screen(), "re: next Q111") {
		t.Fatal("the proposal does not show")
	}
	h.press("pgdown")
	h.untilScreen("re: next Q111")
	if h.m.prop == nil || writes(f) != 0 {
		t.Fatalf("pgdn: the proposal open %v, %d writes", h.m.prop != nil, writes(f))
	}
	h.press("tab")
	h.untilScreen("▸ [✓] @@ -1,6 +1,6 @@", "proposal: enter writes the kept")
}

// TestProposalMessageWraps: a long message over the proposal (a write
// refused) is wrapped, not cut.
func TestProposalMessageWraps(t *testing.T) {
	root, _, _, res := proposalProject(t)
	f := newFake()
	msg := "internal/cache/cache.go changed since the change was proposed, so nothing was written; ask again to propose it against the files as they are now"
	f.work.applyErr = errors.New(msg)
	h := openProposal(t, f, root, res, 110, 40, "/refactor calc.go:3 bigger")
	h.press("tab", "enter")
	h.until("the refusal", func() bool { return writes(f) == 1 && !h.m.prop.writing })
	h.untilScreen("● n1 embedded") // not "starting…", which has an ellipsis of its own
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
