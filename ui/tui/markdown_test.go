package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/muesli/termenv"
)

// answerText is an answer of the usual shape: prose, a list, a long code
// block, a heading, more prose.
func answerText(codeLines int) string {
	var b strings.Builder
	b.WriteString("The function reads the file and **parses** it. It returns an error when `path` is empty.\n\n")
	b.WriteString("- first it opens the file\n- then it scans each line\n- finally it closes it\n\n")
	b.WriteString("```go\n")
	for i := range codeLines {
		fmt.Fprintf(&b, "x%d := strings.TrimSpace(line) // line %d\n", i, i)
	}
	b.WriteString("```\n\n## Why\n\nBecause a scanner keeps memory flat, whatever the size of the file.\n")
	return b.String()
}

// TestStreamDocMatchesWhole: an answer streamed in chunks of any size
// renders as the whole does, for prose, lists and code split across
// segments.
func TestStreamDocMatchesWhole(t *testing.T) {
	// (In colour the blank lines between segments lose glamour's padding,
	// and highlighting may pick a neighbouring shade: the finished answer
	// is rendered whole again.)
	for _, codeLines := range []int{3, codeSplitLines - 1, codeSplitLines, 3*codeSplitLines + 5} {
		text := answerText(codeLines)
		md := newMarkdown(termenv.Ascii, true, 60)
		want := md.render(text)
		for _, size := range []int{3, 64, len(text)} {
			d := newStreamDoc(md)
			for i := 0; i < len(text); i += size {
				d.write(text[i:min(i+size, len(text))])
			}
			if diff := cmp.Diff(want, d.rendered()); diff != "" {
				t.Errorf("%d code lines in chunks of %d: (-whole +streamed)\n%s", codeLines, size, diff)
			}
		}
	}
}

// TestStreamDocTailBounded: however long the code block, what is
// rendered again at each frame stays a few lines.
func TestStreamDocTailBounded(t *testing.T) {
	d := newStreamDoc(newMarkdown(termenv.Ascii, true, 60))
	d.write("Here:\n\n```elixir\n")
	for i := range 500 {
		d.write(fmt.Sprintf("def f%d(x), do: x + %d\n", i, i))
		if n := strings.Count(d.tailSource(), "\n"); n > codeSplitLines+1 {
			t.Fatalf("after %d lines the tail has %d lines", i+1, n)
		}
	}
	d.write("```\n")
	if d.tailSource() != "" {
		t.Errorf("a closed code block left a tail: %q", d.tailSource())
	}
	// A long paragraph without blank lines is cut too, except a table.
	d = newStreamDoc(newMarkdown(termenv.Ascii, true, 60))
	for i := range 200 {
		d.write(fmt.Sprintf("- item %d\n", i))
	}
	if n := strings.Count(d.tailSource(), "\n"); n >= blockSplitLines {
		t.Errorf("a 200-item list left %d lines in the tail", n)
	}
}

func TestOpensFence(t *testing.T) {
	for line, want := range map[string]string{
		"```": "```", "```go": "```", "  ~~~~ elixir": "~~~~", "    ```": "", "``": "", "``` a ` b": "", "text": "",
	} {
		if got := opensFence(line); got != want {
			t.Errorf("opensFence(%q) = %q; want %q", line, got, want)
		}
	}
}

// TestStreamDocListItems: a list item that goes on past a blank line
// (its code block, a second paragraph) and a loose list numbered 1. 1. 1.
// render streamed as they do whole: a cut at such a blank line would
// render the rest of the item outside the list.
func TestStreamDocListItems(t *testing.T) {
	for name, text := range map[string]string{
		"item with code": "Steps:\n\n1. Install:\n\n   ```sh\n   mix deps.get\n   ```\n\n   Second para.\n\n2. Run it.\n\nDone.\n",
		"loose list":     "Do:\n\n1. one\n\n1. two\n\n1. three\n\nThat is all.\n",
		"bullets":        "- a\n\n  more about a\n\n- b\n\nEnd.\n",
	} {
		md := newMarkdown(termenv.Ascii, true, 60)
		want := md.render(text)
		for _, size := range []int{1, 7, len(text)} {
			d := newStreamDoc(md)
			for i := 0; i < len(text); i += size {
				d.write(text[i:min(i+size, len(text))])
			}
			if diff := cmp.Diff(want, d.rendered()); diff != "" {
				t.Errorf("%s in chunks of %d: (-whole +streamed)\n%s", name, size, diff)
			}
		}
	}
}
