package markdown

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// shape is a kind of answer: its Markdown of about n bytes.
type shape struct {
	name string
	doc  func(n int) string
}

// pathological are answers that made goldmark work in the square of their
// size (or more than linearly) before tame. (A function: a variable would
// be initialised with the package, which TestInitCost measures.)
func pathological() []shape {
	return []shape{
		{"quotes", func(n int) string { return strings.Repeat(">", n) + " deep\n" }},
		{"spaced quotes", func(n int) string { return strings.Repeat("> ", n/2) + "deep\n" }},
		{"bullets", func(n int) string { return strings.Repeat("- ", n/2) + "deep\n" }},
		{"numbers", func(n int) string { return strings.Repeat("1. ", n/3) + "deep\n" }},
		{"lists in quotes", func(n int) string { return strings.Repeat("- > ", n/4) + "deep\n" }},
		{"quotes line by line", func(n int) string {
			var b strings.Builder
			for i := 0; b.Len() < n; i++ {
				b.WriteString(strings.Repeat("> ", i) + "- deep\n")
			}
			return b.String()
		}},
		{"lists line by line", func(n int) string {
			var b strings.Builder
			for i := 0; b.Len() < n; i++ {
				b.WriteString(strings.Repeat("  ", i) + "- - - deep\n")
			}
			return b.String()
		}},
		{"brackets", func(n int) string { return strings.Repeat("[", n/2) + "deep" + strings.Repeat("]", n/2) + "(b)\n" }},
		{"open links in a word", func(n int) string { return strings.Repeat("[a](b", n/5) + "\n" }},
		{"open titles", func(n int) string { return strings.Repeat("[a](b (x ", n/9) + "\n" }},
		{"open angle destinations", func(n int) string { return strings.Repeat("[a](<b ", n/7) + "\n" }},
		{"reference definitions", func(n int) string {
			return strings.Repeat("[a]: b\n", n/14) + strings.Repeat("[a]", n/6)
		}},
		{"backtick runs", func(n int) string {
			var b strings.Builder
			for i := 1; b.Len() < n; i++ {
				b.WriteString(strings.Repeat("`", i) + "a")
			}
			return b.String()
		}},
		{"stars", func(n int) string { return strings.Repeat("*a _", n/4) + "\n" }},
		{"table columns", func(n int) string {
			c := n / 8
			return strings.Repeat("|a", c) + "|\n" + strings.Repeat("|-", c) + "|\n" + strings.Repeat("|b", c) + "|\n"
		}},
	}
}

// containerDepth is how deep quotes and list items nest in the tree.
func containerDepth(n ast.Node) int {
	deepest := 0
	type at struct {
		n     ast.Node
		depth int
	}
	stack := []at{{n, 0}}
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		d := top.depth
		switch top.n.(type) {
		case *ast.Blockquote, *ast.ListItem:
			d++
		}
		deepest = max(deepest, d)
		for c := top.n.FirstChild(); c != nil; c = c.NextSibling() {
			stack = append(stack, at{c, d})
		}
	}
	return deepest
}

// TestTameNesting: however deep an answer nests its quotes and lists, the
// tree the parser makes of it goes maxNesting deep on one line, and the
// rest of the marks are shown as text: an answer of a million ">" is
// drawn with maxNesting bars and its text.
func TestTameNesting(t *testing.T) {
	for _, tc := range pathological()[:7] {
		src := tame(tc.doc(1 << 20))
		doc := mdParser().Parse(text.NewReader([]byte(src)))
		limit := maxNesting
		if strings.Contains(tc.name, "line by line") {
			limit = maxPrefixDepth
		}
		if d := containerDepth(doc); d > limit || d < maxNesting/2 {
			t.Errorf("%s: nested %d deep, want at most %d", tc.name, d, limit)
		}
	}

	src := strings.Repeat(">", 1_000_000) + " deep\n"
	lines := New(termenv.ANSI256, true, 80).Render(src)
	if len(lines) == 0 {
		t.Fatal("nothing rendered")
	}
	if bars := strings.Count(ansi.Strip(lines[0]), "│"); bars != maxNesting {
		t.Errorf("%d bars, want %d", bars, maxNesting)
	}
	all := ansi.Strip(strings.Join(lines, "\n"))
	if !strings.Contains(all, "deep") || strings.Count(all, ">") != 1_000_000-maxNesting {
		t.Errorf("the deeper marks and the text are not all shown: %d >", strings.Count(all, ">"))
	}
}

// TestTameLeavesMarkdownAlone: the Markdown answers are made of goes to
// the parser as it is.
func TestTameLeavesMarkdownAlone(t *testing.T) {
	docs := append([]string{richDoc, urlDoc, goSample, exSample, deepQuote(15, 2000, false),
		"- a\n  - b\n    - c\n      - d\n        > e\n        > > f\n",
		"* * *\n- - - - - - - - - - - - - - - - - - - - - - -\n",
		"[a]: https://a.dev\n[b]: https://b.dev\n\nSee [a], [b] and [c](https://c.dev \"C\") ([d](x) (e)).\n",
		"```\n" + strings.Repeat(">", 40) + " not a quote\n```\n",
	}, streamDocs...)
	for _, kind := range []string{"prose", "lists", "tables", "go", "elixir"} {
		docs = append(docs, benchDoc(kind))
	}
	for i, doc := range docs {
		if got := tame(doc); got != doc {
			t.Errorf("doc %d changed:\n%s", i, got)
		}
	}
}

// TestTameShowsMarks: what tame escapes is shown as it was written.
func TestTameShowsMarks(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{strings.Repeat("- ", 20) + "x", strings.Repeat("- ", 16) + "- - - - x"},
		{"a [b](c (d " + strings.Repeat("e ", 2000), "a [b](c (d e e"},
		{"a " + strings.Repeat("`", 40) + " x", "a " + strings.Repeat("`", 40) + " x"},
	} {
		lines := New(termenv.Ascii, true, 100).Render(tc.src)
		got := strings.Join(lines, " ")
		got = strings.Join(strings.Fields(got), " ")
		if !strings.Contains(got, tc.want) || strings.Contains(got, `\`) {
			t.Errorf("%.40q… shows %.80q…, want %.40q…", tc.src, got, tc.want)
		}
	}
}

// TestRenderPathological: each shape of a megabyte renders in well under
// two seconds (it took minutes before tame). A safety net for
// BenchmarkPathological, which shows the cost per byte does not grow
// with the size.
func TestRenderPathological(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 15 MB")
	}
	r := New(termenv.ANSI256, true, 100)
	for _, tc := range pathological() {
		src := tc.doc(1 << 20)
		done := make(chan struct{})
		go func() {
			defer close(done)
			r.Render(src)
		}()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Fatalf("%s: a megabyte took more than 2 s to render", tc.name)
		}
	}
}

// BenchmarkPathological renders each shape at 64 KB and 256 KB: the time
// per byte (ns/op over SetBytes) stays about the same.
func BenchmarkPathological(b *testing.B) {
	for _, tc := range pathological() {
		for _, n := range []int{64 << 10, 256 << 10} {
			src := tc.doc(n)
			b.Run(fmt.Sprintf("%s/%dK", tc.name, n>>10), func(b *testing.B) {
				r := New(termenv.ANSI256, true, 100)
				b.SetBytes(int64(len(src)))
				for b.Loop() {
					r.Render(src)
				}
			})
		}
	}
}
