package markdown

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// classOf returns the style highlighting gives needle (its first
// occurrence after the text before, if any), or -1 if the needle is
// split between styles.
const split = style(0xffff)

func classOf(t *testing.T, spans []hlSpan, code, before, needle string) style {
	t.Helper()
	from := 0
	if before != "" {
		from = strings.Index(code, before)
		if from < 0 {
			t.Fatalf("%q not in the sample", before)
		}
		from += len(before)
	}
	i := strings.Index(code[from:], needle)
	if i < 0 {
		t.Fatalf("%q not in the sample", needle)
	}
	start, end := from+i, from+i+len(needle)
	for _, s := range spans {
		if s.end <= start || s.start >= end {
			continue
		}
		if s.start <= start && s.end >= end {
			return s.st
		}
		return split
	}
	return 0
}

func checkSpans(t *testing.T, code string, spans []hlSpan) {
	t.Helper()
	for i, s := range spans {
		if s.start >= s.end || s.end > len(code) || i > 0 && s.start < spans[i-1].end {
			t.Fatalf("span %d %+v out of order or empty (previous %+v)", i, s, spans[max(i-1, 0)])
		}
	}
}

const goSample = `package main

import "fmt"

// Greet says hello.
func (g *Greeter) Greet(name string) error {
	n := len(name) + 42
	f := func(x int) int { return x }
	fmt.Println("hi", n, nil, f, 'c', 1.5e3)
	return nil
}

func Map[T any](xs []T) {}
`

func TestGoClasses(t *testing.T) {
	spans := goSpans(goSample)
	checkSpans(t, goSample, spans)
	for _, tc := range []struct {
		before, needle string
		want           style
	}{
		{"", "package", colKeyword},
		{"", `"fmt"`, colString},
		{"", "// Greet says hello.", colComment | stItalic},
		{"", "func", colKeyword},
		{"*Greeter) ", "Greet", colFunc},
		{"", "Greeter", 0},
		{"name ", "string", colType},
		{"", "error", colType},
		{"", "len", colFunc},
		{"", "42", colNumber},
		{"", "1.5e3", colNumber},
		{"", "'c'", colString},
		{"n, ", "nil", colConst},
		{"func(x int) ", "int", colType}, // a function literal's result, not a name
		{"fmt.", "Println", 0},
		{"", "Map", colFunc},
		{"", "any", colType},
	} {
		if got := classOf(t, spans, goSample, tc.before, tc.needle); got != tc.want {
			t.Errorf("%q after %q: style %#x, want %#x", tc.needle, tc.before, got, tc.want)
		}
	}
}

const exSample = `defmodule MyApp.Cache do
  @moduledoc """
  A cache. #{inspect(1)}
  """
  use GenServer

  # starts it
  def start_link(opts \\ []) do
    GenServer.start_link(__MODULE__, opts, name: :cache)
  end

  defp ttl, do: 1_000 * 60
  def re, do: ~r/a+b/i
  def ch, do: ?a
  def s(y), do: "x #{y} z" <> 'cl' <> :"q a"
  def ok?(x) when is_atom(x), do: x.field and true
end
`

func TestElixirClasses(t *testing.T) {
	spans := elixirSpans(exSample)
	checkSpans(t, exSample, spans)
	for _, tc := range []struct {
		before, needle string
		want           style
	}{
		{"", "defmodule", colKeyword},
		{"", "MyApp.Cache", colType},
		{"", "@moduledoc", colAttr},
		{"", "A cache.", colString},
		{"A cache. #{", "inspect", 0},
		{"", "use", colKeyword},
		{"", "# starts it", colComment | stItalic},
		{"", "def", colKeyword},
		{"def ", "start_link", colFunc},
		{"GenServer.", "start_link", 0},
		{"", "__MODULE__", colKeyword},
		{"", "name:", colConst},
		{"", ":cache", colConst},
		{"defp ", "ttl", colFunc},
		{"ttl, ", "do:", colKeyword},
		{"", "1_000", colNumber},
		{"", "~r/a+b/i", colString},
		{"", "?a", colNumber},
		{`"x #{`, "y", 0},
		{"", `} z"`, colString},
		{"", "'cl'", colString},
		{"", `:"q a"`, colConst},
		{"", "ok?", colFunc},
		{"", "when", colKeyword},
		{"x.", "field", 0},
		{"and ", "true", colConst},
		{"x.field and true\n", "end", colKeyword},
	} {
		if got := classOf(t, spans, exSample, tc.before, tc.needle); got != tc.want {
			t.Errorf("%q after %q: style %#x, want %#x", tc.needle, tc.before, got, tc.want)
		}
	}
}

// TestHighlightDistinct: in every palette, the code classes a sample uses
// are drawn differently, and the rendered block shows them.
func TestHighlightDistinct(t *testing.T) {
	classes := []style{colKeyword, colString, colComment | stItalic, colNumber, colType, colFunc, colConst, colAttr}
	for _, p := range profiles[1:] {
		for _, dark := range []bool{true, false} {
			s := newStyler(p, dark)
			seen := map[string]style{}
			for _, c := range classes {
				if prev, ok := seen[s.seq(c)]; ok {
					t.Errorf("%v dark=%v: %#x and %#x drawn the same", p, dark, prev, c)
				}
				seen[s.seq(c)] = c
			}
			lines := New(p, dark, 80).render("```go\n" + goSample + "```")
			out := strings.Join(lines, "\n")
			if !strings.Contains(out, s.seq(colKeyword)+"func"+reset) || !strings.Contains(out, s.seq(colString)+`"fmt"`+reset) {
				t.Errorf("%v dark=%v: keyword or string not drawn in its style:\n%s", p, dark, out)
			}
		}
	}
}

// TestPlainLanguages: other languages and Ascii are not highlighted.
func TestPlainLanguages(t *testing.T) {
	for _, src := range []string{"```python\ndef f(): pass\n```", "```\nfunc f() {}\n```"} {
		for _, l := range New(termenv.ANSI256, true, 40).render(src) {
			if strings.Contains(l, "\x1b") {
				t.Errorf("%q highlighted: %q", src, l)
			}
		}
	}
	for _, l := range New(termenv.Ascii, true, 40).render("```go\nfunc f() {}\n```") {
		if strings.Contains(l, "\x1b") {
			t.Errorf("Ascii highlighted: %q", l)
		}
	}
}

// TestBrokenCode: code that does not lex fully is still shown whole,
// highlighted as far as it goes.
func TestBrokenCode(t *testing.T) {
	for _, tc := range []struct{ lang, code string }{
		{"go", "func f() {\n\ts := \"unterminated\n\treturn `raw\n"},
		{"go", "@@@ ### func\n"},
		{"elixir", "def f do\n  \"\"\"\n  open heredoc #{x\n"},
		{"elixir", "~r/open sigil\n:\"atom\n?\n"},
		{"exs", "x = \"#{\"nested #{1}\"}\" # c\n"},
	} {
		checkSpans(t, tc.code, highlight(tc.lang, tc.code))
		lines := New(termenv.TrueColor, true, 80).render("```" + tc.lang + "\n" + tc.code + "```")
		var got []string
		for _, l := range lines {
			got = append(got, strings.TrimPrefix(ansi.Strip(l), "  "))
		}
		want := strings.ReplaceAll(strings.TrimRight(tc.code, "\n"), "\t", "    ")
		if strings.Join(got, "\n") != want {
			t.Errorf("%s block shown as\n%s\nwant\n%s", tc.lang, strings.Join(got, "\n"), want)
		}
	}
}
