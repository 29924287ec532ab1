package chunk

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestElixirAttachedAttributes: the attributes written between a
// function's @doc/@spec and its def (`@compile {:inline, last: 2}`, a
// constant) are part of the function, as a reader reads them, and leave no
// code chunk of their own between the doc and the def; a @compile or
// @dialyzer directly above a def (no blank line) is the function's too.
// One set apart by a blank line, and any other attribute not below an
// @doc/… of the def, stay in the header or code around them: they are the
// module's.
func TestElixirAttachedAttributes(t *testing.T) {
	src := `defmodule R.L do
  @moduledoc "Lists."
  @compile :inline_list_funcs

  @doc """
  The last element.
  """
  @spec last([], any) :: any
  @compile {:inline, last: 2}
  def last(list, default \\ nil)
  def last([], default), do: default
  def last([_ | tail], default), do: last(tail, default)

  @doc "The endianness."
  @endianness :erlang.system_info(:endian)
  # Read at compile time.
  @spec endianness() :: atom
  def endianness, do: @endianness

  @compile {:inline, nilify: 1}
  # :undefined is nil.
  @dialyzer {:nowarn_function, nilify: 1}
  defp nilify(:undefined), do: nil
  defp nilify(other), do: other

  @compile {:inline, hash: 2}

  defp hash(term, limit), do: :erlang.phash2(term, limit)

  @columns [-60, 10]
  @doc false
  def columns, do: @columns

  @limit 10
  defp limit, do: @limit
end
`
	res := chunkString(t, "lib/r/l.ex", src, Options{Strategy: Semantic})
	want := []string{
		"module R.L 1-36",
		"header R.L 1-3",
		"function R.L.last/2 5-12 defaults=1",
		"function R.L.endianness/0 14-18",
		"function R.L.nilify/1 20-24 private",
		"code R.L 26-26",
		"function R.L.hash/2 28-28 private",
		"code R.L 30-30",
		"function R.L.columns/0 31-32",
		"code R.L 34-34",
		"function R.L.limit/0 35-35 private",
	}
	if diff := cmp.Diff(want, outline(res)); diff != "" {
		t.Errorf("outline (-want +got):\n%s", diff)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("warnings %q", res.Warnings)
	}
	// The spec's and the recursion's refs are the function's: no other
	// chunk refers to last/2, so none is listed as its caller.
	for _, c := range res.Chunks {
		if c.Name != "R.L.last/2" && slices.Contains(c.Refs, "last/2") {
			t.Errorf("%s %s refers to last/2: %q", c.Kind, c.Name, c.Refs)
		}
	}
}

// TestElixirAttachedAgreesWithCompiler runs the compiler's view of the
// same kind of file: the real Elixir parser, read by
// testdata/compiler_view.exs, puts each function's first line where the
// chunk starts.
func TestElixirAttachedAgreesWithCompiler(t *testing.T) {
	needElixir(t)
	src := `defmodule R.L do
  @compile :inline_list_funcs

  @doc "The last element."
  @spec last([], any) :: any
  @compile {:inline, last: 2}
  def last(list, default \\ nil)
  def last([], default), do: default

  @doc "The endianness."
  @endianness :erlang.system_info(:endian)
  def endianness, do: @endianness

  @compile {:inline, nilify: 1}
  # :undefined is nil.
  @dialyzer {:nowarn_function, nilify: 1}
  defp nilify(:undefined), do: nil

  @compile {:inline, hash: 2}

  defp hash(term, limit), do: :erlang.phash2(term, limit)

  @columns [-60, 10]
  @doc false
  def columns, do: @columns
end
`
	path := filepath.Join(t.TempDir(), "l.ex")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	view, _ := compilerView(t, []string{path})
	want := map[string]string{}
	for _, e := range view[path] {
		if e.what == "function" {
			want[e.name] = fmt.Sprintf("%d-%d", e.start, e.end)
		}
	}
	got := map[string]string{}
	for _, c := range chunkString(t, path, src, Options{Strategy: Semantic}).Chunks {
		if isDefKind(c.Kind) {
			got[c.Name] = fmt.Sprintf("%d-%d", c.StartLine, c.EndLine)
		}
	}
	if len(want) != 5 {
		t.Fatalf("the compiler sees %d functions, want 5: %v", len(want), want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("function lines (-compiler +chunks):\n%s", diff)
	}
}
