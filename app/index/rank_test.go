package index

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestEdgesMatchView checks that Edges resolves names exactly as the
// code_edges view does, on a project with Go and Elixir references.
func TestEdgesMatchView(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	root := writeTree(t, project)
	ix, _ := newIndexer(t, s)
	index(t, ix, root, Options{})
	pid := mustProject(t, s, root)

	g, err := s.CodeGraph(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range Edges(g) {
		got = append(got, fmt.Sprintf("%s -> %s", g[e[0]].Name, g[e[1]].Name))
	}
	rows, err := s.Query(ctx, `SELECT DISTINCT f.name, t.name FROM code_edges AS e
		JOIN code_chunks AS f ON f.id = e.from_id JOIN code_chunks AS t ON t.id = e.to_id WHERE e.project = ?`, pid)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range rows.Values {
		want = append(want, fmt.Sprintf("%s -> %s", r[0], r[1]))
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(want) == 0 {
		t.Fatal("the view has no edges: the fixture lost its references")
	}
	if !slices.Equal(got, want) {
		t.Errorf("Edges:\n%q\nthe view:\n%q", got, want)
	}
}

// TestRanks checks PageRank on a small graph: a chunk everyone refers to
// ranks high, and so does the one it refers to (it inherits the rank);
// chunks nobody refers to rank alike and low; ranks average 1.
func TestRanks(t *testing.T) {
	g := []db.GraphChunk{
		{ID: 1, Name: "p.Hub", Path: "p/a.go", Lang: "go", Refs: []string{"p.Leaf"}},
		{ID: 2, Name: "p.Leaf", Path: "p/a.go", Lang: "go"},
		{ID: 3, Name: "p.A", Path: "p/a.go", Lang: "go", Refs: []string{"p.Hub"}},
		{ID: 4, Name: "p.B", Path: "p/a.go", Lang: "go", Refs: []string{"p.Hub"}},
		{ID: 5, Name: "p.C", Path: "p/a.go", Lang: "go", Refs: []string{"p.Hub"}},
		{ID: 6, Name: "q.D", Path: "q/d.go", Lang: "go", Refs: []string{"p.Hub", "q.Nothing"}},
	}
	r := Ranks(g)
	if len(r) != len(g) {
		t.Fatalf("%d ranks for %d chunks: %v", len(r), len(g), r)
	}
	sum := 0.0
	for _, v := range r {
		sum += v
	}
	if math.Abs(sum/float64(len(r))-1) > 1e-3 {
		t.Errorf("mean rank %.4f, want 1", sum/float64(len(r)))
	}
	if !(r["p.Hub"] > 3*r["p.A"] && r["p.Leaf"] > 3*r["p.A"]) {
		t.Errorf("want Hub and Leaf well above A, got %v", r)
	}
	if r["p.A"] != r["p.B"] || r["p.B"] != r["q.D"] {
		t.Errorf("chunks nobody refers to should rank alike: %v", r)
	}
}

// TestRankPolicy checks when an index run recomputes the ranks: on the
// first run, not when nothing changed, not for one file in 60 (counted as
// stale instead), and again once 2 % of the files changed.
func TestRankPolicy(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	files := map[string]string{}
	for i := range 60 {
		files[fmt.Sprintf("p/f%02d.go", i)] = fmt.Sprintf("package p\n\nfunc F%02d() { Shared() }\n", i)
	}
	files["p/shared.go"] = "package p\n\nfunc Shared() {}\n"
	root := writeTree(t, files)
	ix, _ := newIndexer(t, s)
	if sum := index(t, ix, root, Options{}); !sum.Ranked {
		t.Fatal("first run did not rank")
	}
	pid := mustProject(t, s, root)
	ranks, err := s.CodeRanks(ctx, pid, []string{"p.Shared", "p.F01"})
	if err != nil {
		t.Fatal(err)
	}
	if ranks["p.Shared"] <= ranks["p.F01"] {
		t.Errorf("Shared (called by 60) ranks %.3f, F01 %.3f", ranks["p.Shared"], ranks["p.F01"])
	}
	if sum := index(t, ix, root, Options{}); sum.Ranked {
		t.Error("a run with nothing changed ranked again")
	}
	writeFile(t, root, "p/f01.go", "package p\n\nfunc F01() { Shared(); F02() }\n")
	touch(t, root, "p/f01.go")
	if sum := index(t, ix, root, Options{}); sum.Ranked || sum.Changed != 1 {
		t.Errorf("one changed file of 61: ranked %v, changed %d; want no ranking", sum.Ranked, sum.Changed)
	}
	p, _, err := s.FindCodeProject(ctx, mustRoot(t, root))
	if err != nil || p.RankStale != 1 {
		t.Fatalf("rank_stale = %d, %v; want 1", p.RankStale, err)
	}
	writeFile(t, root, "p/f02.go", "package p\n\nfunc F02() { Shared(); F03() }\n")
	touch(t, root, "p/f02.go")
	if sum := index(t, ix, root, Options{}); !sum.Ranked {
		t.Error("two changed files of 61 (over 2 %) did not rank again")
	}
	if p, _, _ := s.FindCodeProject(ctx, mustRoot(t, root)); p.RankStale != 0 || p.RankedAt.IsZero() {
		t.Errorf("after ranking: rank_stale %d, ranked_at %v", p.RankStale, p.RankedAt)
	}
}

func mustRoot(t *testing.T, root string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(root)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
