package chunk

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// delimCases are sources whose delimiters do not pair up, and the warning
// each gets: the line and the words of the Elixir 1.14 compiler
// (TestElixirDelimitersAgreeWithCompiler checks them against it), not
// line 1, where tree-sitter's ERROR node starts.
var delimCases = []struct{ name, src, warning string }{
	{"call left open", "defmodule R6 do\n  def f(x) do\n    x + 1\n  end\n\n  def h(x) do\n    g(x\n  end\n\n  def g(x), do: x\nend\n",
		`line 8: syntax error: unexpected reserved word: end. The "(" at line 7 is missing terminator ")"`},
	{"list left open", "defmodule R7 do\n  def h(x) do\n    [x,\n  end\nend\n",
		`line 4: syntax error: unexpected reserved word: end. The "[" at line 3 is missing terminator "]"`},
	{"wrong closer", "defmodule B do\n  def f(x) do\n    {x]\n  end\nend\n",
		`line 3: syntax error: unexpected token: ]. The "{" at line 3 is missing terminator "}"`},
	{"paren closes a do", "defmodule P do\n  def k(x) do\n    x )\n  end\nend\n",
		`line 3: syntax error: unexpected token: ). The "do" at line 2 is missing terminator "end"`},
	{"binary closed by a bracket", "defmodule Bin do\n  def b, do: <<1, 2]\nend\n",
		`line 2: syntax error: unexpected token: ]. The "<<" at line 2 is missing terminator ">>"`},
	{"do left open", "defmodule M do\n  def f(x) do\n    x\n  end\n",
		`line 1: syntax error: missing terminator: end (for "do" starting at line 1)`},
	{"fn left open", "defmodule F do\n  def f(xs) do\n    Enum.map(xs, fn x -> x)\n  end\nend\n",
		`line 3: syntax error: unexpected token: ). The "fn" at line 3 is missing terminator "end"`},
}

// TestElixirDelimiters: a bracket or block that does not pair up is
// reported where the compiler reports it, and the file is chunked anyway.
func TestElixirDelimiters(t *testing.T) {
	for _, tc := range delimCases {
		t.Run(tc.name, func(t *testing.T) {
			res := chunkString(t, "lib/a.ex", tc.src, Options{Strategy: Semantic})
			if w := "lib/a.ex: " + tc.warning; !slices.Equal(res.Warnings, []string{w}) {
				t.Errorf("warnings %q, want %q", res.Warnings, w)
			}
			if len(res.Chunks) == 0 {
				t.Error("no chunks")
			}
		})
	}
	// Operators made of < and >, strings, sigils, characters and comments
	// hold no delimiters (the compiler accepts this code).
	ok := "defmodule O do\n  def f(a, b), do: a <<< b >>> 1 |> g() <~> b ~>> b <<~ \">>\" <> ~s(]) <> <<?(, ?]>>\n" +
		"  # ) ] end\n  def g(x), do: %{x: [x.end, fn -> :do end, x.do]}\nend\n"
	if c, o, bad := delimiterError([]byte(ok)); bad {
		t.Errorf("delimiters of valid code: closer %+v, open %+v", c, o)
	}
}

// TestElixirDelimitersAgreeWithCompiler: the real elixir's
// Code.string_to_quoted says of each of delimCases what its warning says
// (at the closer's line; a terminator missing at the end it reports at
// the end, the warning where the opener is); and no file of the Elixir
// sources, which all compile, has delimiters that do not pair up.
func TestElixirDelimitersAgreeWithCompiler(t *testing.T) {
	srcs := make([]string, len(delimCases))
	for i, tc := range delimCases {
		srcs[i] = tc.src
	}
	got := elixirSays(t, srcs, `case Code.string_to_quoted(File.read!(p)) do
    {:error, {meta, {pre, post}, token}} -> IO.puts("line #{meta[:line]}: syntax error: #{pre}#{token}#{post}")
    {:error, {meta, msg, _}} -> IO.puts("line #{meta[:line]}: syntax error: #{msg}")
    other -> IO.puts("unexpected: " <> inspect(other))
  end`)
	for i, tc := range delimCases {
		want := tc.warning
		if _, msg, ok := strings.Cut(want, ": syntax error: missing terminator"); ok {
			g, _, _ := strings.Cut(got[i], ":")
			want = g + ": syntax error: missing terminator" + msg // reported at the end
		}
		if got[i] != want {
			t.Errorf("%s: elixir says %q, the warning %q", tc.name, got[i], tc.warning)
		}
	}

	corpus := elixirLibFiles(t, elixirCorpus(t), true)
	for _, path := range corpus {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if c, o, bad := delimiterError(src); bad {
			t.Errorf("%s: closer %+v, open %+v, in a file that compiles", path, c, o)
		}
	}
	t.Logf("%d cases agree with elixir; %d corpus files have their delimiters paired", len(delimCases), len(corpus))
}
