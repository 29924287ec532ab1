package tui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	xansi "github.com/charmbracelet/x/ansi"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/session"
)

// TestStreamingDrawsAtFrames: the answer's text is drawn at the frame
// ticks, never as it arrives; the finished answer shows what answered
// it, and the new session it started is followed from its first event.
func TestStreamingDrawsAtFrames(t *testing.T) {
	f := newFake()
	f.chunks = []string{"Hello", " **wor", "ld**", "\n\n```go\nfunc main() {}\n```\n"}
	f.hold = true
	h := newHarness(t, f, plain, 80, 24)

	h.typeText("hi there")
	h.press("enter")
	req := h.gotAsk()
	if req.Prompt != "hi there" || req.Session != "new" {
		t.Fatalf("asked %+v", req)
	}
	if got := h.m.input.value(); got != "" {
		t.Errorf("input not emptied: %q", got)
	}
	if !strings.Contains(h.screen(), "answering…") {
		t.Errorf("no answering state:\n%s", h.screen())
	}
	// Every chunk is in the buffer; nothing is drawn until a frame.
	if n := waitFor(h, "the chunks", f.streamed); h.m.ask.buf.written() != n {
		t.Fatalf("%d bytes in the buffer; want %d", h.m.ask.buf.written(), n)
	}
	if strings.Contains(h.screen(), "Hello") {
		t.Fatalf("text drawn before a frame:\n%s", h.screen())
	}
	h.until("a frame", func() bool { return h.fire(isFrame) > 0 })
	scr := h.screen()
	for _, w := range []string{"Hello **world**", "func main() {}"} {
		if !strings.Contains(scr, w) {
			t.Errorf("after a frame the screen lacks %q:\n%s", w, scr)
		}
	}
	close(f.release)
	h.untilScreen("fake/m1 · 3→5 tokens", "session s-new · 1 turn")
	sub := h.gotSub()
	if sub.after != 0 || len(sub.streams) != 1 || sub.streams[0] != session.Stream("s-new") {
		t.Errorf("subscribed %+v; want session/s-new from its start", sub)
	}
	// The final render came back (not pending) and the frames stopped.
	h.until("the final render", func() bool { return !h.m.conv.items[1].pending })
	h.send(frameMsg{})
	if h.m.framing {
		t.Error("frames go on after the answer")
	}
	// The next question goes into the session.
	h.typeText("more")
	h.press("enter")
	if req := h.gotAsk(); req.Session != "s-new" {
		t.Errorf("second question went to session %q", req.Session)
	}
}

// TestQuestionsQueue: a question asked while an answer streams waits for
// it.
func TestQuestionsQueue(t *testing.T) {
	f := newFake()
	f.chunks, f.hold = []string{"one"}, true
	h := newHarness(t, f, plain, 80, 24)
	h.typeText("first")
	h.press("enter")
	h.gotAsk()
	h.typeText("second")
	h.press("enter")
	if !strings.Contains(h.screen(), "1 queued") || len(h.m.queue) != 1 {
		t.Fatalf("second question not queued:\n%s", h.screen())
	}
	close(f.release)
	if req := h.gotAsk(); req.Prompt != "second" || req.Session != "s-new" {
		t.Errorf("queued question went as %+v", req)
	}
}

// TestStopAnswer: esc cancels the answer being streamed; the part that
// came stays, marked as the session records it.
func TestStopAnswer(t *testing.T) {
	f := newFake()
	f.chunks, f.hold = []string{"partial answer"}, true
	h := newHarness(t, f, plain, 80, 24)
	h.typeText("q")
	h.press("enter")
	h.gotAsk()
	h.press("esc")
	h.untilScreen("aiex · fake/m1", "interrupted: cancelled", "partial answer")
	if h.m.ask != nil {
		t.Error("still answering")
	}
}

// TestSessionSwitch: --session opens a session (its turns shown, its
// prompts in the history, its stream followed from a little before the
// read); /session ID switches to another and drops the first one's
// subscription.
func TestSessionSwitch(t *testing.T) {
	f := newFake()
	f.docs["aaaa"] = doc("aaaa", 4, "first question", "first answer", "second question", "second answer")
	f.docs["bbbb"] = doc("bbbb", 2, "question of b", "answer of b")
	o := plain
	o.Session = "aaaa"
	h := newHarness(t, f, o, 80, 24)
	h.untilScreen("first question", "second answer", "session aaaa · 2 turns · 30→60 tokens")
	subA := h.gotSub()
	if subA.after != -recentEvents || subA.streams[0] != "session/aaaa" {
		t.Errorf("subscription %+v", subA)
	}

	h.typeText("/session bbbb")
	h.press("enter")
	h.untilScreen("question of b", "session bbbb · 1 turn")
	if strings.Contains(h.screen(), "first question") {
		t.Errorf("the old session is still shown:\n%s", h.screen())
	}
	subB := h.gotSub()
	if subB.streams[0] != "session/bbbb" {
		t.Errorf("subscription %+v", subB)
	}
	if subA.ctx.Err() == nil {
		t.Error("the first session's subscription was not cancelled")
	}
	// The history has both sessions' prompts (and the command).
	h.press("up")
	if got := h.m.input.value(); got != "/session bbbb" {
		t.Errorf("up: %q", got)
	}
	h.press("up")
	if got := h.m.input.value(); got != "question of b" {
		t.Errorf("up twice: %q", got)
	}
	// A question now goes into b.
	h.press("ctrl+c")
	h.typeText("and then?")
	h.press("enter")
	if req := h.gotAsk(); req.Session != "bbbb" {
		t.Errorf("asked into %q", req.Session)
	}
}

// TestSessionNotFound: a session that cannot be read is reported, and
// the conversation stays.
func TestSessionNotFound(t *testing.T) {
	h := newHarness(t, newFake(), plain, 80, 24)
	h.typeText("/session nope")
	h.press("enter")
	h.untilScreen("✗ session nope: no session \"nope\"")
}

// TestHistory: Up and Down walk what was sent, from the first and last
// line of the editor; the draft comes back after the last entry; in the
// middle of a multi-line text they move the cursor.
func TestHistory(t *testing.T) {
	f := newFake()
	h := newHarness(t, f, plain, 80, 24)
	for _, q := range []string{"one", "two"} {
		h.typeText(q)
		h.press("enter")
		h.gotAsk()
		h.until("the answer", func() bool { return h.m.ask == nil })
	}
	h.typeText("dr")
	steps := []struct{ key, want string }{
		{"up", "two"}, {"up", "one"}, {"up", "one"}, {"down", "two"}, {"down", "dr"}, {"down", "dr"},
	}
	for _, s := range steps {
		h.press(s.key)
		if got := h.m.input.value(); got != s.want {
			t.Fatalf("after %s: %q; want %q", s.key, got, s.want)
		}
	}
	// Two lines: Up on the second line moves to the first; Up there
	// recalls.
	h.press("ctrl+c")
	h.typeText("a")
	h.press("alt+enter")
	h.typeText("b")
	if got := h.m.input.value(); got != "a\nb" {
		t.Fatalf("alt+enter: %q", got)
	}
	if h.m.input.ta.Height() != 2 {
		t.Errorf("editor height %d; want 2", h.m.input.ta.Height())
	}
	h.press("up")
	if got := h.m.input.value(); got != "a\nb" || h.m.input.ta.Line() != 0 {
		t.Fatalf("up on line 2: %q, line %d", got, h.m.input.ta.Line())
	}
	h.press("up")
	if got := h.m.input.value(); got != "dr" {
		t.Fatalf("up on line 1: %q; want the draft ctrl+c cleared", got)
	}
	h.press("up")
	if got := h.m.input.value(); got != "two" {
		t.Fatalf("up again: %q", got)
	}
	h.press("down")
	h.press("down")
	if got := h.m.input.value(); got != "a\nb" {
		t.Fatalf("down back to the draft: %q", got)
	}
}

// TestPaste: a bracketed paste goes into the editor as it is, newlines
// and all, without sending.
func TestPaste(t *testing.T) {
	f := newFake()
	h := newHarness(t, f, plain, 80, 24)
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("line one\nline two?"), Paste: true})
	if got := h.m.input.value(); got != "line one\nline two?" {
		t.Fatalf("pasted %q", got)
	}
	if h.m.showHelp || h.m.ask != nil {
		t.Error("a paste acted as keys")
	}
}

// TestKeys: ? opens the help on an empty line and types itself
// otherwise; esc closes it; ctrl+c clears the input, then, pressed twice,
// quits.
func TestKeys(t *testing.T) {
	h := newHarness(t, newFake(), plain, 80, 24)
	h.typeText("why")
	h.press("?")
	if h.m.showHelp || h.m.input.value() != "why?" {
		t.Fatalf("? in text: help %v, input %q", h.m.showHelp, h.m.input.value())
	}
	h.press("ctrl+c")
	if h.m.input.value() != "" || h.quit {
		t.Fatalf("ctrl+c with text: input %q, quit %v", h.m.input.value(), h.quit)
	}
	h.press("?")
	if !h.m.showHelp || !strings.Contains(h.screen(), "/explain TARGET") {
		t.Fatalf("? on an empty line: no help:\n%s", h.screen())
	}
	h.typeText("x") // ignored while the help shows
	h.press("esc")
	if h.m.showHelp || h.m.input.value() != "" {
		t.Fatalf("esc: help %v, input %q", h.m.showHelp, h.m.input.value())
	}
	h.press("f1")
	h.press("ctrl+c")
	if h.m.showHelp || h.quit {
		t.Fatal("ctrl+c closes the help first")
	}
	h.press("ctrl+c")
	if h.quit {
		t.Fatal("one ctrl+c on an empty editor quit")
	}
	h.press("ctrl+c")
	h.until("quit", func() bool { return h.quit })
}

// TestSidePane: ctrl+o cycles sessions → files → context → off; tab
// focuses the sessions list, enter opens the session under the cursor;
// in the files list, enter puts the path into the editor.
func TestSidePane(t *testing.T) {
	f := newFake()
	f.docs["bbbb"] = doc("bbbb", 2, "question of b", "answer of b")
	f.list = []session.Info{f.docs["bbbb"].Session, {ID: "cccc", Title: "another", Turns: 3, UpdatedAt: testNow.Add(-3 * 24 * 3600e9)}}
	h := newHarness(t, f, plain, 100, 24)
	h.press("ctrl+o")
	h.untilScreen("Sessions", "bbbb · 1 turn · 10m ago", "cccc · 3 turns · Mar 1")
	if h.m.conv.width != 100-paneWidth(100)-1 {
		t.Errorf("conversation width %d with the pane", h.m.conv.width)
	}
	h.press("tab", "down", "up", "enter")
	h.untilScreen("question of b", "session bbbb")
	if h.m.focus != focusInput {
		t.Error("focus stayed in the pane")
	}
	f.set(func(f *fakeBackend) {
		f.work.files = &Files{Indexed: true, List: []File{{Path: "lib/a.ex", Lang: "elixir"}, {Path: "lib/b.ex", Lang: "elixir"},
			{Path: "priv/big.bin", Skipped: "binary"}}}
	})
	h.press("ctrl+o")
	h.untilScreen("Files", "3 files · 1 skipped", "lib/a.ex", "priv/big.bin (binary)")
	h.typeText("explain")
	h.press("tab", "down", "enter")
	if got := h.m.input.value(); got != "explain lib/b.ex " || h.m.focus != focusInput {
		t.Errorf("enter on a file: editor %q, focus %v", got, h.m.focus)
	}
	h.m.input.clear()
	h.press("ctrl+o")
	if !strings.Contains(h.screen(), "Context") {
		t.Fatalf("third ctrl+o: no context view:\n%s", h.screen())
	}
	h.press("ctrl+o")
	if h.m.pane.view != paneHidden || h.m.conv.width != 100 {
		t.Errorf("fourth ctrl+o: view %d, width %d", h.m.pane.view, h.m.conv.width)
	}
}

func TestParseSlash(t *testing.T) {
	cases := []struct {
		in   string
		ok   bool
		name string
		args []string
	}{
		{"/help", true, "help", nil},
		{"  /session last ", true, "session", []string{"last"}},
		{"/explain lib/a.ex:12 why this?", true, "explain", []string{"lib/a.ex:12", "why", "this?"}},
		{"/Model ollama/tiny", true, "model", []string{"ollama/tiny"}},
		{"/nosuch thing", true, "nosuch", []string{"thing"}},
		{"/usr/lib is big, why?", false, "", nil},
		{"//help is a word", false, "", nil},
		{"what does /help do", false, "", nil},
		{"/", false, "", nil},
		{"/session\nnew", true, "session", []string{"new"}},
	}
	for _, c := range cases {
		got, ok := parseSlash(c.in)
		if ok != c.ok || got.name != c.name || strings.Join(got.args, "|") != strings.Join(c.args, "|") {
			t.Errorf("parseSlash(%q) = %+v, %v; want %s %v, %v", c.in, got, ok, c.name, c.args, c.ok)
		}
	}
	if got := unescapeSlash("//help me"); got != "/help me" {
		t.Errorf("unescape: %q", got)
	}
}

// TestSlashCommands: what each command does in the conversation.
func TestSlashCommands(t *testing.T) {
	f := newFake()
	f.models = []ModelInfo{
		{Provider: "ollama", Model: "tiny", Local: true, ContextWindow: 2048, Priced: true},
		{Provider: "openai", Model: "gpt-x", ContextWindow: 128000, Priced: true, InputUSD: 2.5, OutputUSD: 10},
	}
	h := newHarness(t, f, plain, 100, 30)
	run := func(cmd string) {
		t.Helper()
		h.typeText(cmd)
		h.press("enter")
	}
	run("/refactor lib/a.ex")
	h.untilScreen("✗ /refactor needs a target and a goal: /refactor TARGET what the change should do")
	run("/tests")
	h.untilScreen("✗ /tests needs one target")
	run("/gen Shop")
	h.untilScreen("✗ /gen needs a module name and what it should do")
	run("/undo")
	h.untilScreen("nothing written from this TUI to undo")
	run("/frobnicate")
	h.untilScreen("✗ unknown command /frobnicate; /help lists them")
	run("/model")
	h.untilScreen("Models · 2 in the cluster", "ollama/tiny", "2,048", "local", "free", "openai/gpt-x", "128,000", "cloud", "$2.50/$10.00 per 1M")
	h.press("esc")
	if h.m.picker != nil {
		t.Fatal("esc left the picker open")
	}
	run("/model gpt-x")
	h.untilScreen("model: openai/gpt-x · cloud · 128,000 tokens")
	run("/model nope")
	h.untilScreen(`✗ no model "nope" in the cluster; /model lists them`)
	run("/explain lib/a.ex:3 the loop")
	req := h.gotAsk()
	want := AskRequest{Prompt: "the loop", Session: "new", Provider: "openai", Model: "gpt-x", Task: "explain", Target: "lib/a.ex:3"}
	if req != want {
		t.Errorf("/explain asked %+v; want %+v", req, want)
	}
	h.until("the answer", func() bool { return h.m.ask == nil })
	run("/model auto")
	run("//usr/bin is what?")
	if req := h.gotAsk(); req.Prompt != "/usr/bin is what?" || req.Model != "" {
		t.Errorf("// question asked as %+v", req)
	}
	h.until("the answer", func() bool { return h.m.ask == nil })
	run("/help")
	if !h.m.showHelp {
		t.Error("/help shows no help")
	}
	h.press("esc")
	run("/session new")
	h.untilScreen("new session: the next question starts it")
	if h.m.sess.info.ID != "" || h.m.sub != nil {
		t.Error("/session new kept the old session")
	}
	run("/quit")
	h.until("quit", func() bool { return h.quit })
}

// TestResize: the view is exactly the terminal's size at every size, and
// the conversation keeps following the end.
func TestResize(t *testing.T) {
	f := newFake()
	pairs := []string{}
	for i := 1; i <= 30; i++ {
		pairs = append(pairs, fmt.Sprintf("question %d", i), fmt.Sprintf("answer %d with some words to wrap at narrow widths", i))
	}
	f.docs["aaaa"] = doc("aaaa", 60, pairs...)
	o := plain
	o.Session = "aaaa"
	h := newHarness(t, f, o, 80, 24)
	h.untilScreen("answer 30")
	for _, size := range [][2]int{{120, 40}, {40, 12}, {200, 60}, {20, 6}, {80, 24}} {
		h.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		checkSize(t, h.screen(), size[0], size[1])
		if size[0] >= 40 && !strings.Contains(h.screen(), "answer 30") {
			t.Errorf("%dx%d: the last answer is not in view:\n%s", size[0], size[1], h.screen())
		}
	}
	// Scrolling up shows earlier turns and says how far below the end is.
	h.press("pgup", "pgup")
	if !strings.Contains(h.screen(), "lines below") || strings.Contains(h.screen(), "answer 30") {
		t.Errorf("pgup:\n%s", h.screen())
	}
	for range 100 {
		h.press("pgup")
	}
	if !strings.HasPrefix(strings.Split(h.screen(), "\n")[1], "  question 1 ") || !h.m.conv.top {
		t.Errorf("scrolled to the top:\n%s", h.screen())
	}
	for range 100 {
		h.press("pgdown")
	}
	if h.m.conv.offset != 0 || !strings.Contains(h.screen(), "answer 30") {
		t.Errorf("back at the bottom: offset %d", h.m.conv.offset)
	}
}

func checkSize(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%dx%d: %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if lw := xansi.StringWidth(l); lw > w {
			t.Errorf("%dx%d: line %d is %d wide: %q", w, h, i, lw, l)
		}
	}
}

// TestTurnFromElsewhere: a turn another interface asks in the open
// session appears as its events arrive; events the read already had are
// skipped; a gap in the versions reads the session again.
func TestTurnFromElsewhere(t *testing.T) {
	f := newFake()
	f.docs["aaaa"] = doc("aaaa", 4, "first question", "first answer", "second question", "second answer")
	o := plain
	o.Session = "aaaa"
	h := newHarness(t, f, o, 80, 30)
	h.untilScreen("second answer")
	h.gotSub()
	f.feed <- []events.Event{
		event(90, "aaaa", 4, session.TypeTurnCompleted, "cli", map[string]any{"turn": 2, "answer": "second answer"}),
		event(91, "aaaa", 5, session.TypeTurnStarted, "cli", session.TurnStarted{Turn: 3, Prompt: "asked from the cli"}),
	}
	h.untilScreen("You (cli) · turn 3", "asked from the cli", "answering on n2…")
	f.feed <- []events.Event{event(93, "aaaa", 6, session.TypeTurnCompleted, "cli", map[string]any{
		"turn": 3, "answer": "the *cli* answer", "provider": "ollama", "model": "tiny", "node": "n2",
		"prompt_tokens": 7, "completion_tokens": 9, "cost_nusd": 1_500_000,
		"context": session.ContextSummary{Window: 4096, Budget: 3072, Tokens: 700, Chunks: []session.ContextChunk{{Path: "lib/a.ex", Name: "A.run/1", StartLine: 3, EndLine: 9, Tokens: 120}}},
	})}
	h.untilScreen("the *cli* answer", "ollama/tiny · on n2 · 7→9 tokens · $0.0015", "│ model: ollama/tiny", "  aaaa · 3 turns · 37→69 tokens · $0.0015")
	if h.m.sess.version != 6 || h.m.sess.lastID != 93 {
		t.Errorf("version %d, last id %d", h.m.sess.version, h.m.sess.lastID)
	}
	if h.m.pane.ctxTurn != 3 || h.m.pane.ctx.Chunks[0].Path != "lib/a.ex" {
		t.Errorf("context of turn %d: %+v", h.m.pane.ctxTurn, h.m.pane.ctx)
	}
	// A gap: events 7 and 8 were missed. The session is read again.
	reads := len(f.docReads)
	f.set(func(f *fakeBackend) {
		f.docs["aaaa"] = doc("aaaa", 9, "first question", "first answer", "second question", "second answer",
			"asked from the cli", "the *cli* answer", "fourth", "fourth answer")
	})
	f.feed <- []events.Event{event(99, "aaaa", 9, session.TypeTurnCompleted, "cli", map[string]any{"turn": 4, "answer": "x"})}
	h.untilScreen("fourth answer")
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.docReads) != reads+1 || h.m.sess.version != 9 || h.m.sess.lastID != 99 {
		t.Errorf("reads %d→%d, version %d, last id %d", reads, len(f.docReads), h.m.sess.version, h.m.sess.lastID)
	}
}

// TestOwnTurnEvents: the events of this TUI's own question do not add it
// twice.
func TestOwnTurnEvents(t *testing.T) {
	f := newFake()
	f.chunks, f.hold = []string{"mine"}, true
	f.nextTurn = 1
	h, _ := openFirst(t, f, 80, 30)
	h.typeText("my question")
	h.press("enter")
	h.gotAsk()
	f.feed <- []events.Event{event(10, "aaaa", 3, session.TypeTurnStarted, actor, session.TurnStarted{Turn: 2, Prompt: "my question"})}
	h.untilScreen("You · turn 2")
	close(f.release)
	h.until("the answer", func() bool { return h.m.ask == nil })
	f.feed <- []events.Event{event(11, "aaaa", 4, session.TypeTurnCompleted, actor, map[string]any{"turn": 2, "answer": "mine"})}
	h.until("the event", func() bool { return h.m.sess.version == 4 })
	if n := strings.Count(h.screen(), "my question"); n != 1 {
		t.Errorf("own question shown %d times:\n%s", n, h.screen())
	}
}

// TestReconnect: a dropped subscription shows "reconnecting…"; questions
// wait in the queue; once the status answers again the subscription
// resumes after the last event seen and the queue is sent.
func TestReconnect(t *testing.T) {
	f := newFake()
	h, _ := openFirst(t, f, 80, 24)
	f.feed <- []events.Event{event(41, "aaaa", 3, session.TypeArchived, "cli", struct{}{})}
	h.untilScreen("this session was archived elsewhere")

	queueWhileAway(h, f)
	// A probe while it is still down: still reconnecting, nothing sent.
	h.until("a reconnection probe", func() bool { return h.fire(isStatus) > 0 })
	h.until("the probe's answer", func() bool { return len(h.held) > 0 })
	f.mu.Lock()
	asks := len(f.asks)
	f.mu.Unlock()
	if asks != 0 || h.m.conn != connLost {
		t.Fatalf("asked %d times while down; conn %d", asks, h.m.conn)
	}
	f.set(func(f *fakeBackend) { f.down = false })
	h.fire(isStatus)
	sub := h.gotSub()
	if sub.after != 41 {
		t.Errorf("resubscribed after %d; want 41", sub.after)
	}
	if req := h.gotAsk(); req.Prompt != "while away" || req.Session != "aaaa" {
		t.Errorf("queued question sent as %+v", req)
	}
	h.until("connected", func() bool { return h.m.conn == connUp })
	if strings.Contains(h.screen(), "reconnecting") || !strings.Contains(h.screen(), "● n1 embedded") {
		t.Errorf("after reconnecting:\n%s", h.screen())
	}
}

// TestAskFails: a failed answer says why, and the editor is free again.
func TestAskFails(t *testing.T) {
	f := newFake()
	f.askErr = errors.New("ollama: model \"x\" not found; it has: tiny")
	h := newHarness(t, f, plain, 80, 24)
	h.typeText("q")
	h.press("enter")
	h.untilScreen("failed", "✗ ollama: model \"x\" not found; it has: tiny")
	if h.m.ask != nil {
		t.Error("still answering")
	}
}

// TestSessionRemovedElsewhere: when the open session is removed from
// another interface, its conversation stays on the screen, the TUI says
// so, and the next question starts a new session instead of failing on
// the one that is gone.
func TestSessionRemovedElsewhere(t *testing.T) {
	f := newFake()
	h, sub := openFirst(t, f, 80, 24)
	f.feed <- []events.Event{event(41, "aaaa", 3, session.TypeRemoved, "cli", struct{}{})}
	h.untilScreen("this session was removed elsewhere; the next question starts a new one")
	h.until("the subscription's end", func() bool { return sub.ctx.Err() != nil })
	h.typeText("again")
	h.press("enter")
	if req := h.gotAsk(); req.Session != "new" {
		t.Fatalf("asked into %q after the session was removed; want a new one", req.Session)
	}
	h.untilScreen("first answer", "again")
}

// TestAskIntoRemovedSession: a question sent into a session removed
// before its event came fails with the node's "no session" error, which
// arrives as text: the answer says it was not asked, the TUI leaves the
// session, and ↑ then Enter ask it in a new one.
func TestAskIntoRemovedSession(t *testing.T) {
	f := newFake()
	f.askErr = errors.New(`no session "aaaa"; the most recent: bbbb (2 turns, 1h ago, other) (aiex session list shows them all)`)
	h, _ := openFirst(t, f, 100, 24)
	h.typeText("lost question")
	h.press("enter")
	if req := h.gotAsk(); req.Session != "aaaa" {
		t.Fatalf("asked into %q", req.Session)
	}
	h.untilScreen("not asked: the session was removed", "↑ recalls the question")
	if strings.Contains(h.screen(), "aiex session list") {
		t.Errorf("the CLI's hint shown in the TUI:\n%s", h.screen())
	}
	f.set(func(f *fakeBackend) { f.askErr = nil })
	h.press("up")
	h.press("enter")
	if req := h.gotAsk(); req.Session != "new" || req.Prompt != "lost question" {
		t.Fatalf("asked %q into %q; want the question again, into a new session", req.Prompt, req.Session)
	}
}

// TestUnusableBackendEndsTheTUI: a backend that says it can do nothing
// (a store that cannot open here at all) ends the TUI, and Run returns
// its error for the command to print on one line, instead of a TUI that
// shows the error inside and can do nothing.
func TestUnusableBackendEndsTheTUI(t *testing.T) {
	f := newFake()
	cause := errors.New("data dir /d is a member of a cluster of 3 nodes; it opens only in its node (aiex node run)")
	f.statusErr = &Unusable{Err: cause}
	in, w := io.Pipe()
	defer w.Close() // ends bubbletea's reader
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- Run(context.Background(), f, in, &out, plain) }()
	select {
	case err := <-done:
		if err != cause {
			t.Fatalf("Run returned %v; want the backend's error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the TUI did not end on an unusable backend")
	}
}

// openFirst starts the TUI on session aaaa (two turns, "first answer"
// last) at width×height, over f as its caller set it up, and returns it
// once the session shows and is followed, with the subscription.
func openFirst(t *testing.T, f *fakeBackend, width, height int) (*harness, subCall) {
	t.Helper()
	f.docs["aaaa"] = doc("aaaa", 2, "first question", "first answer")
	o := plain
	o.Session = "aaaa"
	h := newHarness(t, f, o, width, height)
	h.untilScreen("first answer")
	return h, h.gotSub()
}
