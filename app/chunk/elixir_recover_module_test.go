package chunk

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// moneyEx is a module being edited: a `(` left open in parse/1, below a
// @moduledoc heredoc. tree-sitter then makes the whole file one ERROR
// node, the defmodule three tokens in it.
const moneyEx = `defmodule P.Money do
  @moduledoc ~S"""
  Cents: ` + "`format(1234)` is `\"$12.34\"`" + `.
  """

  def format(cents), do: "$#{div(cents, 100)}"

  def parse(~S"$" <> rest) do
    x = (
    String.to_integer(rest)
  end
end
`

// TestElixirRecoverModule: where an error leaves a module's `do` without
// its `end`, or makes the defmodule tokens, the module keeps its name,
// header and functions, and ends where its body's indentation ends: the
// module after it is not nested in it, nor are the functions after a
// nested module's `end` its own.
func TestElixirRecoverModule(t *testing.T) {
	tests := []struct {
		name, path, src string
		want            []string
		warning         string
	}{
		{"a heredoc above an open paren", "lib/money.ex", moneyEx, []string{
			"module P.Money 1-12",
			"header P.Money 1-4",
			"function P.Money.format/1 6-6",
			"function P.Money.parse/1 8-11",
		}, `line 11: syntax error: unexpected reserved word: end. The "(" at line 9 is missing terminator ")"`},
		{"and a module after it", "lib/money.ex", moneyEx + "\ndefmodule P.Money.Extra do\n  def extra, do: 1\nend\n", []string{
			"module P.Money 1-12",
			"header P.Money 1-4",
			"function P.Money.format/1 6-6",
			"function P.Money.parse/1 8-11",
			"module P.Money.Extra 14-16",
			"function P.Money.Extra.extra/0 15-15",
		}, `line 11: syntax error: unexpected reserved word: end. The "(" at line 9 is missing terminator ")"`},
		{"a case left open, a module after", "lib/b.ex", `defmodule B do
  def f(x) do
    case x do
      1 -> :one
  end

  def g, do: 2
end

defmodule B.C do
  def h, do: 3
end
`, []string{
			"module B 1-8",
			"function B.f/1 2-5",
			"function B.g/0 7-7",
			"module B.C 10-12",
			"function B.C.h/0 11-11",
		}, `line 1: syntax error: missing terminator: end (for "do" starting at line 1)`},
		{"a paren left open around a fn, a module after", "lib/two.ex", `defmodule V5.One do
  @moduledoc """
  First.
  """

  def first(list) do
    Enum.map(list, fn x ->
      x * 2
    end
  end

  def second(y), do: y
end

defmodule V5.Two do
  @moduledoc """
  Second.
  """
  def third(z), do: z
end
`, []string{
			"module V5.One 1-13",
			"header V5.One 1-4",
			"function V5.One.first/1 6-10",
			"function V5.One.second/1 12-12",
			"module V5.Two 15-20",
			"header V5.Two 15-18",
			"function V5.Two.third/1 19-19",
		}, `line 10: syntax error: unexpected reserved word: end. The "(" at line 7 is missing terminator ")"`},
		{"in a nested module", "lib/p.ex", `defmodule P do
  @moduledoc "P."

  defmodule Money do
    @moduledoc """
    Money.
    """

    def parse(s) do
      x = (
      String.to_integer(s)
    end
  end

  # Outside Money.
  def outer, do: 1
end
`, []string{
			"module P 1-17",
			"header P 1-2",
			"module P.Money 4-13",
			"header P.Money 4-7",
			"function P.Money.parse/1 9-12",
			"function P.outer/0 15-16",
		}, `line 12: syntax error: unexpected reserved word: end. The "(" at line 10 is missing terminator ")"`},
		{"in a describe block", "test/p_test.exs", `defmodule PTest do
  use ExUnit.Case

  describe "parse" do
    test "cents" do
      assert P.Money.parse("$1") == (
    end
  end

  test "format" do
    assert P.Money.format(1) == "$0"
  end
end
`, []string{
			"module PTest 1-13",
			"header PTest 1-2",
			`describe describe "parse" 4-8`,
			`test describe "parse" / test "cents" 5-7`,
			`test test "format" 10-12`,
		}, `line 7: syntax error: unexpected reserved word: end. The "(" at line 6 is missing terminator ")"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := chunkString(t, tt.path, tt.src, Options{Strategy: Semantic})
			if diff := cmp.Diff(tt.want, outline(res)); diff != "" {
				t.Errorf("outline (-want +got):\n%s", diff)
			}
			if len(res.Warnings) != 1 || !strings.HasSuffix(res.Warnings[0], tt.warning) {
				t.Errorf("warnings %q, want %q", res.Warnings, tt.warning)
			}
		})
	}
}

// TestElixirRecoverModuleShapes: a def left open in each way an edit
// leaves it — a bracket, a do block, a string, heredoc or sigil of each
// delimiter — with and without a @moduledoc heredoc above it, in one
// module, before a second one, and in a nested module. Where the code
// says where the module ends, every name comes out as without the error;
// where a literal left open takes the rest of the file (as the compiler
// reads it too), what is named still carries its module.
func TestElixirRecoverModuleShapes(t *testing.T) {
	shapes := []struct {
		name, body string
		literal    bool // a literal left open: the rest of the file is in it
	}{
		{"paren", "x = (\nString.to_integer(rest)\n", false},
		{"bracket", "x = [1,\nString.to_integer(rest)\n", false},
		{"brace", "x = {1,\nString.to_integer(rest)\n", false},
		{"case without end", "case rest do\n  \"1\" -> 1\n", false},
		{"fn without end", "f = fn x ->\n  x\n", false},
		{"operand", "x = 1 +\n", false},
		{"string", "x = \"abc\n", true},
		{"heredoc", "x = \"\"\"\nabc\n", true},
		{"sigil (", "x = ~s(abc\n", true},
		{"sigil [", "x = ~s[abc\n", true},
		{"sigil {", "x = ~s{abc\n", true},
		{"sigil <", "x = ~s<abc\n", true},
		{"sigil |", "x = ~s|abc\n", true},
		{"sigil /", "x = ~r/abc\n", true},
		{"sigil \"", "x = ~S\"abc\n", true},
		{"sigil heredoc", "x = ~S\"\"\"\nabc\n", true},
	}
	// indent puts n spaces before each line of s that is not empty.
	indent := func(s string, n int) string {
		lines := strings.SplitAfter(s, "\n")
		for i, l := range lines {
			if strings.TrimSpace(l) != "" {
				lines[i] = strings.Repeat(" ", n) + l
			}
		}
		return strings.Join(lines, "")
	}
	money := func(body, doc string) string {
		return "defmodule Money do\n" + indent(doc, 2) +
			"  def format(cents), do: \"$#{div(cents, 100)}\"\n\n" +
			"  def parse(~S\"$\" <> rest) do\n" + indent(body, 4) + "  end\n\n" +
			"  def last(x), do: x\nend\n"
	}
	layouts := []struct {
		name  string
		src   func(body, doc string) string
		names []string
	}{
		{"one module", func(body, doc string) string { return "defmodule P." + money(body, doc)[len("defmodule "):] },
			[]string{"P.Money.format/1", "P.Money.parse/1", "P.Money.last/1"}},
		{"two modules", func(body, doc string) string {
			return "defmodule P." + money(body, doc)[len("defmodule "):] +
				"\ndefmodule P.Money.Extra do\n" + indent(doc, 2) + "  def extra, do: 1\nend\n"
		}, []string{"P.Money.format/1", "P.Money.parse/1", "P.Money.last/1", "P.Money.Extra.extra/0"}},
		{"nested", func(body, doc string) string {
			return "defmodule P do\n" + indent(doc, 2) + indent(money(body, doc), 2) + "\n  def outer, do: 1\nend\n"
		}, []string{"P.Money.format/1", "P.Money.parse/1", "P.Money.last/1", "P.outer/0"}},
	}
	for _, l := range layouts {
		for _, doc := range []string{"", "@moduledoc ~S\"\"\"\nCents: `\"$12.34\"`.\n\"\"\"\n\n"} {
			for _, sh := range shapes {
				name := l.name + "/" + sh.name
				if doc != "" {
					name += "/moduledoc"
				}
				t.Run(name, func(t *testing.T) {
					src := l.src(sh.body, doc)
					res := chunkString(t, "lib/m.ex", src, Options{Strategy: Semantic})
					if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "syntax error") {
						t.Errorf("warnings %q, want a syntax error", res.Warnings)
					}
					var fns, modules []string
					for _, c := range res.Chunks {
						switch c.Kind {
						case KindFunction:
							fns = append(fns, c.Name)
							if c.Parent == "" || !strings.HasPrefix(c.Name, c.Parent+".") {
								t.Errorf("%s has parent %q", c.Name, c.Parent)
							}
						case KindModule:
							modules = append(modules, c.Name)
						case KindHeader:
							if doc == "" {
								t.Errorf("a header %s without a moduledoc", c.Name)
							}
						}
					}
					if sh.literal {
						// What comes before the literal is named as it is.
						if len(fns) < 2 || fns[0] != "P.Money.format/1" || fns[1] != "P.Money.parse/1" {
							t.Errorf("functions %q, want P.Money.format/1, P.Money.parse/1 first\n%s", fns, src)
						}
						return
					}
					if diff := cmp.Diff(l.names, fns); diff != "" {
						t.Errorf("functions (-want +got):\n%s\n%s", diff, src)
					}
					if doc != "" && !slices.ContainsFunc(res.Chunks, func(c Chunk) bool { return c.Kind == KindHeader && c.Name == "P.Money" }) {
						t.Errorf("no header P.Money: %q", outline(res))
					}
					for _, m := range modules {
						if strings.Count(m, "Money") > 1 {
							t.Errorf("module %s", m)
						}
					}
				})
			}
		}
	}
}
