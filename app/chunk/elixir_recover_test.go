package chunk

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// reservedCases are sources in which an operator lacks its right operand
// before a block word, and the warning each gets: the line and words of the
// Elixir 1.14 compiler (TestElixirReservedWordAgreesWithCompiler checks
// them against it), not the end of the file, where tree-sitter misses an
// `end`.
var reservedCases = []struct{ name, src, warning string }{
	{"end", "defmodule R1 do\n  def f(x) do\n    x +\n  end\n\n  def g, do: 1\nend\n",
		`line 4: syntax error before: 'end'`},
	{"else", "defmodule R2 do\n  def f(x) do\n    if x do\n      x ==\n    else\n      1\n    end\n  end\nend\n",
		`line 5: syntax error before: else`},
	{"after", "defmodule R3 do\n  def f do\n    receive do\n      x -> x ++\n    after\n      0 -> 1\n    end\n  end\nend\n",
		`line 5: syntax error before: 'after'`},
	{"rescue", "defmodule R4 do\n  def f do\n    try do\n      1 -\n    rescue\n      e -> e\n    end\n  end\nend\n",
		`line 5: syntax error before: rescue`},
	{"catch", "defmodule R5 do\n  def f do\n    try do\n      1 *\n    catch\n      e -> e\n    end\n  end\nend\n",
		`line 5: syntax error before: 'catch'`},
}

// TestElixirReservedWord: a block word taken for an operand is reported
// where the compiler reports it, and the file is chunked anyway.
func TestElixirReservedWord(t *testing.T) {
	for _, tc := range reservedCases {
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
}

// TestElixirReservedWordAgreesWithCompiler: the real elixir's
// Code.string_to_quoted says of each of reservedCases what its warning
// says.
func TestElixirReservedWordAgreesWithCompiler(t *testing.T) {
	srcs := make([]string, len(reservedCases))
	for i, tc := range reservedCases {
		srcs[i] = tc.src
	}
	got := elixirSays(t, srcs, `case Code.string_to_quoted(File.read!(p)) do
    {:error, {meta, msg, token}} when is_binary(msg) -> IO.puts("line #{meta[:line]}: #{msg}#{token}")
    other -> IO.puts("unexpected: " <> inspect(other))
  end`)
	for i, tc := range reservedCases {
		if got[i] != tc.warning {
			t.Errorf("%s: elixir says %q, the warning %q", tc.name, got[i], tc.warning)
		}
	}
}

// TestElixirRecoverLaterUnits: where an `end` is missing in a def or test,
// the units after it, which tree-sitter nests inside it, keep chunks of
// their own (with the @doc and comments above them), so that they are
// found by name.
func TestElixirRecoverLaterUnits(t *testing.T) {
	tests := []struct {
		name, path, src string
		want            []string
		warning         string
	}{
		{"an operand missing before a test's end", "test/c_test.exs", `defmodule CTest do
  use ExUnit.Case
  describe "d" do
    test "t1" do
      assert 1 ==
    end
    test "t2" do
      assert true
    end
  end
end
`, []string{
			"module CTest 1-11",
			"header CTest 1-2",
			"describe describe \"d\" 3-11",
			"test describe \"d\" / test \"t1\" 4-6",
			"test describe \"d\" / test \"t2\" 7-9",
		}, `line 6: syntax error before: 'end'`},
		{"a case left open takes the defs after it", "lib/b.ex", `defmodule B do
  def broken(x) do
    case x do
      1 -> :one

  # After.
  @doc "After."
  def after_broken(y) do
    y
  end

  defp other(_), do: :ok
end
`, []string{
			"module B 1-13",
			"function B.broken/1 2-4",
			"function B.after_broken/1 6-10",
			"function B.other/1 12-12 private",
		}, `line 2: syntax error: missing terminator: end (for "do" starting at line 2)`},
		{"a def nested deeper is not cut", "lib/q.ex", `defmodule Q do
  defmacro m do
    quote do
      def inner, do: 1
    end

  def later, do: 2
end
`, []string{
			"module Q 1-8",
			"macro Q.m/0 2-5",
			"function Q.later/0 7-7",
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := chunkString(t, tt.path, tt.src, Options{Strategy: Semantic})
			if diff := cmp.Diff(tt.want, outline(res)); diff != "" {
				t.Errorf("outline (-want +got):\n%s", diff)
			}
			if tt.warning != "" && (len(res.Warnings) != 1 || !strings.HasSuffix(res.Warnings[0], tt.warning)) {
				t.Errorf("warnings %q, want %q", res.Warnings, tt.warning)
			}
		})
	}
}
