package tui

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/muesli/termenv"

	"github.com/aiex-dev/aiex/app/session"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenFake is a backend with a session worth looking at: Markdown with
// code, a turn from the CLI with its context.
func goldenFake() *fakeBackend {
	f := newFake()
	d := doc("3f2a9c01b7e4", 6,
		"How do I read a whole file in Go?",
		"Use `os.ReadFile`:\n\n```go\ndata, err := os.ReadFile(\"notes.txt\")\nif err != nil {\n\treturn err\n}\n```\n\n"+
			"It returns the bytes. For large files:\n\n1. open it with `os.Open`\n2. read it with a `bufio.Scanner`\n",
		"And in Elixir?",
		"## Elixir\n\n`File.read!/1` raises on error; `File.read/1` returns a tuple.",
	)
	d.Turns[0].Actor = actor
	d.Turns[1].Context = &session.ContextSummary{Window: 4096, Budget: 3072, Tokens: 1180, HistoryTurns: 1, HistoryTokens: 160,
		Chunks: []session.ContextChunk{
			{Path: "lib/notes/reader.ex", Name: "Notes.Reader.read/1", StartLine: 12, EndLine: 30, Tokens: 410},
			{Path: "lib/notes.ex", Name: "Notes", StartLine: 1, EndLine: 8, Tokens: 95},
		}, Dropped: 2}
	f.docs[d.Session.ID] = d
	f.nextTurn = int64(len(d.Turns)) // a question asked is the session's next turn
	other := doc("77aa01c2d3e4", 2, "Why is the build slow?", "Because.")
	other.Session.UpdatedAt = testNow.Add(-26 * 3600e9)
	f.list = []session.Info{d.Session, other.Session}
	return f
}

// TestGolden compares the screen at fixed sizes with testdata/*.golden
// (go test ./ui/tui -run TestGolden -update rewrites them). Colour is
// off: the files hold the text and the cursor's reverse video only.
func TestGolden(t *testing.T) {
	cases := []struct {
		name  string
		w, h  int
		setup func(h *harness)
	}{
		{"conversation-80x24", 80, 24, nil},
		{"conversation-120x40", 120, 40, nil},
		{"sessions-120x40", 120, 40, func(h *harness) {
			h.press("ctrl+o", "tab")
			h.untilScreen("77aa01c2d3e4")
		}},
		{"context-80x24", 80, 24, func(h *harness) { h.press("ctrl+o", "ctrl+o", "ctrl+o") }},
		{"files-80x24", 80, 24, func(h *harness) {
			h.f.set(func(f *fakeBackend) {
				f.work.files = &Files{Indexed: true, List: []File{{Path: "lib/notes.ex", Lang: "elixir"},
					{Path: "lib/notes/reader.ex", Lang: "elixir"}, {Path: "mix.exs", Lang: "elixir"}, {Path: "priv/logo.png", Skipped: "binary"}}}
			})
			h.press("ctrl+o", "ctrl+o", "tab")
			h.untilScreen("mix.exs")
			h.press("down")
		}},
		{"picker-80x24", 80, 24, func(h *harness) {
			h.f.set(func(f *fakeBackend) {
				f.models = []ModelInfo{
					{Provider: "openai", Model: "gpt-4.1", ContextWindow: 1047576, Priced: true, InputUSD: 2, OutputUSD: 8},
					{Provider: "anthropic", Model: "claude-sonnet-4", ContextWindow: 200000, Priced: true, InputUSD: 3, OutputUSD: 15},
					{Provider: "ollama", Model: "qwen2.5-coder:32b", Node: "gpu-box", Local: true, ContextWindow: 32768, Priced: true},
					{Provider: "ollama", Model: "tiny", Local: true, ContextWindow: 2048, Priced: true},
				}
			})
			h.press("ctrl+l")
			h.untilScreen("claude-sonnet-4")
			h.press("down")
		}},
		{"proposal-100x30", 100, 30, func(h *harness) {
			root, _, _, res := proposalProject(h.t)
			h.m.opts.Root = root
			h.f.set(func(f *fakeBackend) { f.work.taskResult = res })
			h.typeText("/refactor calc.go:3 bigger numbers")
			h.press("enter")
			h.until("the proposal", func() bool { return h.m.prop != nil })
			h.press("tab", "down", " ")
		}},
		{"proposal-opened-80x24", 80, 24, func(h *harness) {
			root, _, _, res := proposalProject(h.t)
			h.m.opts.Root = root
			h.f.set(func(f *fakeBackend) { f.work.taskResult = res })
			h.typeText("/refactor calc.go:3 bigger numbers")
			h.press("enter")
			h.until("the proposal", func() bool { return h.m.prop != nil })
		}},
		{"help-80x24", 80, 24, func(h *harness) { h.press("?") }},
		{"help-120x40", 120, 40, func(h *harness) { h.press("?") }},
		{"help-50x12", 50, 12, func(h *harness) { h.press("?", "down", "down") }},
		{"typing-80x24", 80, 24, func(h *harness) {
			h.typeText("/explain lib/notes.ex")
			h.press("alt+enter")
			h.typeText("and its callers")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := plain
			o.Session = "3f2a9c01b7e4"
			h := newHarness(t, goldenFake(), o, c.w, c.h)
			h.untilScreen("File.read/1")
			h.until("the status", func() bool { return h.m.conn == connUp })
			if c.setup != nil {
				c.setup(h)
			}
			scr := h.screen()
			checkSize(t, scr, c.w, c.h)
			if bad := strayEscape(scr); bad != "" {
				t.Errorf("an escape sequence other than the cursor's with colour off: %q", bad)
			}
			golden(t, c.name, scr)
		})
	}
}

// strayEscape returns the first escape sequence that is not the
// cursor's reverse video on or off, or "".
func strayEscape(s string) string {
	for _, e := range escapes.FindAllString(s, -1) {
		if e != "\x1b[7m" && e != "\x1b[0m" && e != "\x1b[m" {
			return e
		}
	}
	return ""
}

var escapes = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if d := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got, "\n")); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, d)
	}
}

// TestSixteenColours: on a 16-colour terminal every colour is one of the
// 16 (no 256-colour or true-colour sequence), code included.
func TestSixteenColours(t *testing.T) {
	o := Options{Profile: termenv.ANSI, Dark: true, Session: "3f2a9c01b7e4"}
	h := newHarness(t, goldenFake(), o, 100, 30)
	h.untilScreen("File.read")
	h.until("the final renders", func() bool { return h.m.conn == connUp })
	h.press("ctrl+o")
	h.untilScreen("77aa01c2d3e4")
	scr := h.screen()
	if !strings.Contains(scr, "\x1b[") {
		t.Fatal("no colour at all on a 16-colour terminal")
	}
	if m := regexp.MustCompile(`\x1b\[[0-9;]*[34]8;[25];[0-9;]*m`).FindString(scr); m != "" {
		t.Errorf("a colour beyond 16: %q", m)
	}
}

func TestColorProfile(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want termenv.Profile
	}{
		{map[string]string{"TERM": "xterm-256color", "NO_COLOR": "1"}, termenv.Ascii},
		{map[string]string{"TERM": "dumb"}, termenv.Ascii},
		{map[string]string{}, termenv.Ascii},
		{map[string]string{"TERM": "xterm"}, termenv.ANSI},
		{map[string]string{"TERM": "linux"}, termenv.ANSI},
		{map[string]string{"TERM": "xterm-256color"}, termenv.ANSI256},
		{map[string]string{"TERM": "tmux-256color"}, termenv.ANSI256},
		{map[string]string{"TERM": "xterm", "COLORTERM": "truecolor"}, termenv.TrueColor},
	}
	for _, c := range cases {
		if got := ColorProfile(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("%v: %v; want %v", c.env, got, c.want)
		}
	}
	for v, dark := range map[string]bool{"": true, "15;0": true, "0;15": false, "0;7": false, "default;default": true} {
		if got := DarkBackground(func(string) string { return v }); got != dark {
			t.Errorf("COLORFGBG=%q: dark %v", v, got)
		}
	}
}
