package tui

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	xansi "github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

const longCode = `w := tabwriter.NewWriter(os.Stdout, 0, 8, 1, '\t', tabwriter.AlignRight|tabwriter.Debug) // "aligned"`

// codeOf joins what lines show of code, from its first word on, without
// blanks (a line may end or start with one where it was wrapped), the
// continuation marker and what comes before it.
func codeOf(lines []string, first string) string {
	var b strings.Builder
	in := false
	for _, l := range lines {
		l = xansi.Strip(l)
		switch {
		case !in && b.Len() == 0 && strings.Contains(l, first):
			in = true
			l = l[strings.Index(l, first):]
		case in && strings.Contains(l, "↪"):
			l = l[strings.Index(l, "↪")+len("↪"):]
		case in:
			in = false
		}
		if in {
			b.WriteString(l)
		}
	}
	return strings.ReplaceAll(b.String(), " ", "")
}

var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestCodeWraps: a line of code wider than the answer is wrapped, not
// cut: every character shows, each line within the width, the lines
// after the first marked as its continuation; in a list too; and in
// colour with the highlighting it has unwrapped.
func TestCodeWraps(t *testing.T) {
	docs := map[string]string{
		"top level": "Make the writer:\n\n```go\n" + longCode + "\nfmt.Println(w)\n```\n\nThen flush it.\n",
		"in a list": "1. Make the writer:\n\n   ```go\n   " + longCode + "\n   ```\n2. Flush it.\n",
	}
	for name, src := range docs {
		for _, p := range []termenv.Profile{termenv.Ascii, termenv.ANSI256} {
			for _, w := range []int{30, 50, 79} {
				lines := newMarkdown(p, true, w).render(src)
				if got, want := codeOf(lines, "w :="), strings.ReplaceAll(longCode, " ", ""); got != want {
					t.Errorf("%s, %d columns, profile %d: the code shows as\n%s\nwant\n%s\nlines:\n%s", name, w, p, got, want, strings.Join(lines, "\n"))
				}
				for i, l := range lines {
					if n := xansi.StringWidth(l); n > w {
						t.Errorf("%s, %d columns: line %d is %d wide: %q", name, w, i, n, l)
					}
					if strings.Contains(l, "…") {
						t.Errorf("%s, %d columns: line %d is cut: %q", name, w, i, l)
					}
				}
				if !strings.Contains(strings.Join(lines, "\n"), "fmt.Println(w)") && name == "top level" {
					t.Errorf("%s: the next line of code is gone:\n%s", name, strings.Join(lines, "\n"))
				}
				if p == termenv.Ascii {
					continue
				}
				// The same styles as unwrapped, each line closing what it opens.
				wide := newMarkdown(p, true, 200).render(src)
				if got, want := styles(lines), styles(wide); !slices.Equal(got, want) {
					t.Errorf("%s, %d columns: styles %q; unwrapped %q", name, w, got, want)
				}
				for i, l := range lines {
					if seqs := sgr.FindAllString(l, -1); len(seqs) > 0 && seqs[len(seqs)-1] != "\x1b[0m" {
						t.Errorf("%s, %d columns: line %d leaves a style open: %q", name, w, i, l)
					}
				}
			}
		}
	}
}

// styles lists the distinct SGR sequences of lines, sorted.
func styles(lines []string) []string {
	var out []string
	for _, l := range lines {
		for _, s := range sgr.FindAllString(l, -1) {
			if s != "\x1b[0m" && s != "\x1b[2m" {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestAnswerCodeWrapsOnScreen: an answer's long line of code reads whole
// in a narrow window, and beside the side pane.
func TestAnswerCodeWrapsOnScreen(t *testing.T) {
	for _, c := range []struct {
		width int
		keys  []string
	}{{50, nil}, {120, []string{"ctrl+o"}}} {
		f := newFake()
		f.chunks = []string{"Here:\n\n```go\n" + strings.Repeat(longCode, 2) + "\n```\n"}
		h := newHarness(t, f, plain, c.width, 30)
		h.press(c.keys...)
		h.typeText("a writer?")
		h.press("enter")
		h.until("answered", func() bool { return asks(f) == 1 && h.m.ask == nil })
		h.untilScreen("w :=")
		var conv []string
		for _, l := range strings.Split(h.screen(), "\n") {
			// The conversation's column, without the side pane's.
			conv = append(conv, xansi.Cut(l, 0, h.m.conv.width))
		}
		if got, want := codeOf(conv, "w :="), strings.ReplaceAll(strings.Repeat(longCode, 2), " ", ""); got != want {
			t.Errorf("at %d columns the code shows as\n%s\nwant\n%s\nscreen:\n%s", c.width, got, want, h.screen())
		}
	}
}
