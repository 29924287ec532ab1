package tui

import (
	"strings"
	"testing"
)

// TestSlashQuotedArgs: an argument in quotes may hold spaces (a path);
// the free text after the targets keeps its apostrophes and lone quotes.
func TestSlashQuotedArgs(t *testing.T) {
	cases := []struct {
		in    string
		args  []string
		after string // after the first argument
	}{
		{`/explain "my dir/a b.go" why this?`, []string{"my dir/a b.go", "why", "this?"}, "why this?"},
		{`/explain 'my dir/a b.go':12 why?`, []string{"my dir/a b.go:12", "why?"}, "why?"},
		{`/refactor "x y.go" don't "break it`, []string{"x y.go", "don't", `"break`, "it"}, `don't "break it`},
		{`/tests "unclosed.go`, []string{`"unclosed.go`}, ""},
	}
	for _, c := range cases {
		got, ok := parseSlash(c.in)
		if !ok || strings.Join(got.args, "|") != strings.Join(c.args, "|") || got.after(1) != c.after {
			t.Errorf("parseSlash(%q): args %q, after %q; want %q, %q", c.in, got.args, got.after(1), c.args, c.after)
		}
	}
}

// TestExplainPathWithSpaces: the files pane puts a path with spaces into
// the editor quoted, and /explain takes it as its target.
func TestExplainPathWithSpaces(t *testing.T) {
	f := newFake()
	f.work.files = &Files{Indexed: true, List: []File{{Path: "my dir/a b.go", Lang: "go"}}}
	h := newHarness(t, f, plain, 100, 24)
	h.press("ctrl+o", "ctrl+o")
	h.untilScreen("Files", "my dir/a b.go")
	h.typeText("/explain")
	h.press("tab", "enter")
	if got := h.m.input.value(); got != `/explain "my dir/a b.go" ` {
		t.Fatalf("editor %q; want the path quoted", got)
	}
	h.typeText("what is it?")
	h.press("enter")
	if req := h.gotAsk(); req.Task != "explain" || req.Target != "my dir/a b.go" || req.Prompt != "what is it?" {
		t.Fatalf("asked %+v", req)
	}
}

// TestFindModelLatest: /model NAME finds Ollama's NAME:latest, as -m does,
// and an exact name first.
func TestFindModelLatest(t *testing.T) {
	list := []ModelInfo{{Provider: "ollama", Model: "tiny:latest"}, {Provider: "lms", Model: "tiny"}, {Provider: "ollama", Model: "other:latest"}}
	for name, want := range map[string]string{"tiny": "lms/tiny", "other": "ollama/other:latest", "ollama/other": "ollama/other:latest", "tiny:latest": "ollama/tiny:latest"} {
		mi, ok := findModel(list, name)
		if !ok || mi.Provider+"/"+mi.Model != want {
			t.Errorf("findModel(%q) = %+v, %v; want %s", name, mi, ok, want)
		}
	}
	if _, ok := findModel(list, "nope"); ok {
		t.Error("findModel found nope")
	}
}
