package index

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// arityProject calls functions of one name at different arities, with and
// without default arguments, and through a pipe, a capture and a remote
// call without parentheses, and in a capture whose arity the chunker
// cannot tell (a macro's unquote).
func arityProject() map[string]string {
	var big strings.Builder
	big.WriteString("  def big(a, b \\\\ 1) do\n")
	for i := range 300 {
		fmt.Fprintf(&big, "    x%03d = a + b + %d # long enough a line that the function is split\n", i, i)
	}
	big.WriteString("    a\n  end\n")
	return map[string]string{
		"lib/ar.ex": `defmodule Ar do
  def fetch(key) do :a end
  def fetch(key, default) do Map.get(%{}, key, default) end
  def caller_of_two(k), do: fetch(k, :none)
  def caller_of_one(k), do: k |> fetch()
  def remote_one(k), do: Ar.fetch k
  def any_arity(n), do: &Ar.fetch/unquote(n)
end
`,
		"lib/defaults.ex": `defmodule Defaults do
  def get(id, opts \\ []), do: {id, opts}
  def user(id), do: get(id)
  def user(id, opts), do: get(id, opts)
  def captured, do: &get/1
  def too_many(id), do: get(id, [], :x)
  def small(x), do: big(x)
` + big.String() + `end
`,
	}
}

// TestArityEdges: a call of a function of one arity is an edge to that
// function only, and to a function whose default arguments let it be
// called so (get/2 with one is also get/1; a split one through its first
// piece), forwards (CodeCallees) and backwards (CodeCallers). A call
// whose arity the chunker cannot tell reaches every arity.
func TestArityEdges(t *testing.T) {
	s, p := indexedProject(t, arityProject())
	if got := chunkNamed(t, s, p, "Defaults.get/2").Members; !slices.Equal(got, []string{"Defaults.get/1"}) {
		t.Errorf("members of Defaults.get/2: %q, want Defaults.get/1", got)
	}

	checkEdges(t, s, p, map[string][]string{
		"Ar.caller_of_two/1":  {"Ar.fetch/2"},
		"Ar.caller_of_one/1":  {"Ar.fetch/1"}, // k |> fetch() is fetch/1
		"Ar.remote_one/1":     {"Ar.fetch/1"}, // Ar.fetch k is fetch/1
		"Ar.any_arity/1":      {"Ar.fetch/1", "Ar.fetch/2"},
		"Ar.fetch/1":          nil,
		"Defaults.user/1":     {"Defaults.get/2"},
		"Defaults.user/2":     {"Defaults.get/2"},
		"Defaults.captured/0": {"Defaults.get/2"},
		"Defaults.too_many/1": nil,
		"Defaults.small/1":    {"Defaults.big/2#1"},
	}, map[string][]string{
		"Ar.fetch/1":       {"Ar.any_arity/1", "Ar.caller_of_one/1", "Ar.remote_one/1"},
		"Ar.fetch/2":       {"Ar.any_arity/1", "Ar.caller_of_two/1"},
		"Defaults.get/2":   {"Defaults.captured/0", "Defaults.user/1", "Defaults.user/2"},
		"Defaults.big/2#1": {"Defaults.small/1"},
	})
}

// TestArityEdgesMatchView: Edges resolves refs with arities exactly as the
// code_edges view does, with the members read from the store and with
// those the writer collects from the chunks (appendMembers), which must
// be the same.
func TestArityEdgesMatchView(t *testing.T) {
	s, p, g, rows := indexedGraph(t, arityProject())
	fromStore := graphMembers(g, rows)
	if a, b := memberNames(g, fromStore), memberNames(g, chunkMembers(t, s, g)); !slices.Equal(a, b) {
		t.Errorf("members from code_members:\n%q\nfrom the chunks:\n%q", a, b)
	}

	want := edgesMatchView(t, s, p, g, fromStore)
	if !slices.Contains(want, "Defaults.user/1 -> Defaults.get/2") || slices.Contains(want, "Ar.caller_of_two/1 -> Ar.fetch/1") {
		t.Errorf("the view's edges: %q; want user/1 -> get/2 and not caller_of_two/1 -> fetch/1", want)
	}
}

// TestArityRanks: the ranks a first run computes from the chunks it wrote
// count the edges through default arguments, as those read from the
// store do.
func TestArityRanks(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	root := writeTree(t, arityProject())
	ix, _ := newIndexer(t, s)
	if sum := index(t, ix, root, Options{}); !sum.Ranked {
		t.Fatalf("first run did not rank: %+v", sum)
	}
	p := mustProject(t, s, root)
	first, err := s.CodeRanks(ctx, p, []string{"Defaults.get/2", "Ar.fetch/1"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.CodeGraph(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.CodeMembers(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	stored := Ranks(g, graphMembers(g, rows)...)
	for _, name := range []string{"Defaults.get/2", "Ar.fetch/1"} {
		if d := first[name] - stored[name]; d > 1e-9 || d < -1e-9 {
			t.Errorf("rank of %s: %v from the first run, %v from the store", name, first[name], stored[name])
		}
	}
	if !(first["Defaults.get/2"] > first["Ar.fetch/1"]) {
		t.Errorf("ranks %v: want get/2 (called three times) above fetch/1 (twice)", first)
	}
}

// TestElixirImportEdges: a call of an imported function is an edge to the
// module it is imported from; an alias's multi-alias prefix is no use of
// that module; and a function whose clauses lie apart does not call what
// lies between them.
func TestElixirImportEdges(t *testing.T) {
	s, p := indexedProject(t, map[string]string{"lib/r.ex": `defmodule R do
  def name, do: "r"
end
defmodule R.Util do
  def split(s), do: String.split(s, ",")
end
defmodule R.A do
  alias R.{Util, B}
  import R.Util, only: [split: 1]
  def parse(s), do: split(s)
  def b, do: B.x()
  def h(:a), do: 1
  def other(x), do: x
  def h(:b), do: 2
end
defmodule R.B do
  def x, do: 1
end
`})
	checkEdges(t, s, p, map[string][]string{
		"R.A.parse/1": {"R.Util.split/1"},
		"R.A.b/0":     {"R.B.x/0"},
		"R.A.h/1":     nil,
	}, map[string][]string{
		"R.Util.split/1": {"R.A.parse/1"},
		"R.A.other/1":    nil,
	})
}

// chunkMembers is the Members the writer collects from the chunks of g
// (appendMembers), read back from the store.
func chunkMembers(t *testing.T, s *db.Store, g []db.GraphChunk) []Member {
	t.Helper()
	var out []Member
	for i, c := range g {
		cs, err := s.CodeChunksByID(context.Background(), []int64{c.ID})
		if err != nil || len(cs) != 1 {
			t.Fatalf("chunk %d: %v, %v", c.ID, cs, err)
		}
		out = appendMembers(out, i, c.Name, c.Lang, cs[0].Members)
	}
	return out
}

// memberNames is ms as "member chunk" lines, sorted.
func memberNames(g []db.GraphChunk, ms []Member) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name+" "+g[m.Chunk].Name)
	}
	slices.Sort(out)
	return out
}
