package chunk

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestElixirMultiAliasRefs: `alias R.{Util, B}` refers to R.Util and R.B,
// as `alias R.Util` and `alias R.B` do, and not to R, whose name is only
// their common prefix.
func TestElixirMultiAliasRefs(t *testing.T) {
	src := `defmodule R.A do
  alias R.{Util, B}
  alias R.C
  alias Shop.{
    # The cart.
    Cart,
    Orders.Order
  }
  require R.{Macros}
  def b, do: B.x()
end
`
	res := chunkString(t, "lib/r/a.ex", src, Options{Strategy: Semantic})
	checkRefs(t, res, map[string][]string{
		"R.A":     {"R.Util", "R.B", "R.C", "Shop.Cart", "Shop.Orders.Order", "R.Macros"},
		"R.A.b/0": {"R.B.x/0"},
	})
}

// TestElixirClausesApartRefs: a function whose clauses are apart spans the
// units between them, but not their refs: a def between its clauses is
// not its callee, nor are the calls in that def's body. (The @compile is
// set apart by a blank line, so it stays code between them.)
func TestElixirClausesApartRefs(t *testing.T) {
	src := `defmodule R.A do
  def h(:a), do: first()
  def other(x), do: helper(x)
  @compile {:inline, other: 1}

  def h(:b), do: second()
end
`
	res := chunkString(t, "lib/r/a.ex", src, Options{Strategy: Semantic})
	got := map[string][]string{}
	for _, c := range res.Chunks {
		got[c.Kind+" "+c.Name] = withoutDefinitions(c.Refs)
	}
	want := map[string][]string{
		"module R.A":           nil,
		"function R.A.h/1":     {"first/0", "second/0"},
		"function R.A.other/1": {"helper/1"},
		"code R.A":             nil,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("refs (-want +got):\n%s", diff)
	}
}

// TestElixirLeadingComments: the comments directly above a script's first
// expression are in its code chunk, and those directly above a module in
// its header, which a module starting with a function gets for them (with
// its defmodule line), as a Go package's doc comment is in its header. A
// comment set apart by a blank line stays out, as a licence above a Go
// package clause does.
func TestElixirLeadingComments(t *testing.T) {
	tests := []struct {
		name, path, src string
		want            []string
	}{
		{"script", "config/config.exs",
			"# Config for the repro app.\n# Set :limit here.\nimport Config\n\nconfig :r, limit: 5\n",
			[]string{"code config.exs 1-5"}},
		{"formatter", ".formatter.exs",
			"# Used by \"mix format\"\n[\n  inputs: [\"{mix,.formatter}.exs\"]\n]\n",
			[]string{"code .formatter.exs 1-4"}},
		{"module without header", "lib/r/c.ex",
			"# Leading comment\ndefmodule R.C do\n  def c, do: 1\nend\n",
			[]string{"module R.C 1-4", "header R.C 1-2", "function R.C.c/0 3-3"}},
		{"module with header", "lib/r/c.ex",
			"# Leading comment\ndefmodule R.C do\n  @moduledoc false\n  def c, do: 1\nend\n",
			[]string{"module R.C 1-5", "header R.C 1-3", "function R.C.c/0 4-4"}},
		{"nested and empty", "lib/r/c.ex",
			"defmodule R.C do\n  # The inner one.\n  defmodule D do\n    # Its function.\n    def d, do: 1\n  end\n\n  # Nothing.\n  defmodule E do\n  end\nend\n",
			[]string{"module R.C 1-11", "module R.C.D 2-6", "header R.C.D 2-3", "function R.C.D.d/0 4-5", "module R.C.E 8-10", "header R.C.E 8-10"}},
		{"code in a module", "lib/r/c.ex",
			"defmodule R.C do\n  def c, do: 1\n\n  # Inline it.\n  @compile {:inline, c: 0}\nend\n",
			[]string{"module R.C 1-6", "function R.C.c/0 2-2", "code R.C 4-5"}},
		{"set apart", "config/config.exs",
			"# Licence.\n\nimport Config\n",
			[]string{"code config.exs 3-3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := chunkString(t, tt.path, tt.src, Options{Strategy: Semantic})
			if diff := cmp.Diff(tt.want, outline(res)); diff != "" {
				t.Errorf("outline (-want +got):\n%s", diff)
			}
			if len(res.Warnings) > 0 {
				t.Errorf("warnings %q", res.Warnings)
			}
			// Every comment line a chunk starts at or after is in a leaf.
			if tt.name != "set apart" {
				commentsInLeaves(t, tt.src, res.Chunks, func(string) bool { return true })
			}
		})
	}
}

// commentsInLeaves fails for each comment line of src that want picks and
// no leaf of cs holds.
func commentsInLeaves(t *testing.T, src string, cs []Chunk, want func(line string) bool) {
	t.Helper()
	for i, line := range strings.Split(src, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") || !want(line) {
			continue
		}
		if !slices.ContainsFunc(cs, func(c Chunk) bool { return !c.Container() && c.StartLine <= i+1 && i+1 <= c.EndLine }) {
			t.Errorf("line %d %q is in no leaf", i+1, line)
		}
	}
}
