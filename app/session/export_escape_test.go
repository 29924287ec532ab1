package session_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"

	"github.com/aiex-dev/aiex/app/session"
)

// topBlocks are the headings of a Markdown document as rendered, as
// "level text", and whether it renders an HTML comment.
func topBlocks(md []byte) (out []string, html bool) {
	var b bytes.Buffer
	if err := goldmark.Convert(md, &b); err != nil {
		return []string{err.Error()}, false
	}
	for _, m := range regexp.MustCompile(`<h(\d)>(.*?)</h\d>`).FindAllStringSubmatch(b.String(), -1) {
		out = append(out, m[1]+" "+m[2])
	}
	return out, strings.Contains(b.String(), "<!--")
}

// TestExportEscapesPrompts: a prompt that looks like the export's own
// structure (headings, a setext heading, an HTML comment left open) is
// written as the text it is; a heading inside a code block stays as
// typed, and a plain prompt is written as is.
func TestExportEscapesPrompts(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	s, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	turn(t, s, "## Turn 42\n\n### Answer\n\nfake", "a1")
	turn(t, s, "Fake heading\n===\n\n<!-- hide the rest", "a2")
	turn(t, s, "```python\n# a comment\n```\nplain", "a3")
	var md bytes.Buffer
	if err := s.WriteMarkdown(ctx, &md); err != nil {
		t.Fatal(err)
	}
	got, html := topBlocks(md.Bytes())
	want := []string{"1 ## Turn 42", "2 Turn 1", "3 Prompt", "3 Answer", "2 Turn 2", "3 Prompt", "3 Answer", "2 Turn 3", "3 Prompt", "3 Answer"}
	if d := cmp.Diff(want, got); d != "" || html {
		t.Errorf("headings (-want +got):\n%s\nHTML block: %v\n%s", d, html, md.String())
	}
	if !strings.Contains(md.String(), "```python\n# a comment\n```\nplain") {
		t.Errorf("a code block's line was changed:\n%s", md.String())
	}
}

// TestExportEscapesAnswers: a model's answer is escaped as a prompt is: a
// line "## Turn 43" in it, a setext heading or an open HTML comment does
// not make a turn or hide the rest of the export, and its code blocks are
// kept byte for byte.
func TestExportEscapesAnswers(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	s, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	code := "```elixir\n# Turn 44\ndef x, do: :ok\n```"
	turn(t, s, "q1", "Sure.\n\n## Turn 43\n\n### Prompt\n\n"+code+"\n\nFake\n---\n\n<!-- hide")
	turn(t, s, "q2", "plain answer")
	var md bytes.Buffer
	if err := s.WriteMarkdown(ctx, &md); err != nil {
		t.Fatal(err)
	}
	got, html := topBlocks(md.Bytes())
	want := []string{"1 q1", "2 Turn 1", "3 Prompt", "3 Answer", "2 Turn 2", "3 Prompt", "3 Answer"}
	if d := cmp.Diff(want, got); d != "" || html {
		t.Errorf("headings (-want +got):\n%s\nHTML block: %v\n%s", d, html, md.String())
	}
	if !strings.Contains(md.String(), "\n"+code+"\n") || !strings.Contains(md.String(), "\nplain answer\n") {
		t.Errorf("a code block or a plain answer was changed:\n%s", md.String())
	}
}
