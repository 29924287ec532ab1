package index

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// Ranks: the centrality of each chunk in its project's symbol graph, as a
// repository map ranks code (PageRank: a chunk many chunks refer to, or
// that central chunks refer to, ranks high). app/search weighs them with
// the lexical score.

// rankShare is the share of a project's files that must change before an
// index run computes the ranks again: they move little with a few files,
// and computing them costs ~1.5 s for the Go standard library, against a
// target of 20 ms for re-indexing one changed file. Names new since then
// have no rank and count as average.
const rankShare = 0.02

// PageRank parameters: the usual damping, and iteration until the ranks
// move less than rankTol in total (a few dozen rounds on real projects).
const (
	rankDamping = 0.85
	rankTol     = 1e-6
	rankMaxIter = 100
)

// updateRanks computes the project's ranks when none exist or enough of
// it changed since they were; otherwise it counts the changed files. It
// reports whether it computed them.
func (ix *Indexer) updateRanks(ctx context.Context, proj db.CodeProject, changed, files int) (bool, error) {
	st := ix.cfg.Store
	// The run's write batches counted the changed files into rank_stale
	// (db.CodeWrite); proj holds the count from before the run.
	stale := proj.RankStale + int64(changed)
	if !proj.RankedAt.IsZero() && float64(stale) < rankShare*float64(files) {
		return false, nil
	}
	start := time.Now()
	g, err := st.CodeGraph(ctx, proj.ID)
	if err != nil {
		return false, err
	}
	rows, err := st.CodeMembers(ctx, proj.ID)
	if err != nil {
		return false, err
	}
	ranks := Ranks(g, graphMembers(g, rows)...)
	if _, err := st.Execute(ctx, db.CodeRankStmts(proj.ID, ranks, time.Now())...); err != nil {
		return false, fmt.Errorf("index: ranks: %w", err)
	}
	ix.logger.Debug("ranks", "chunks", len(g), "names", len(ranks), "took", time.Since(start))
	return true, nil
}

// Member is a name a chunk of the graph declares besides its own, as refs
// name it — one of a Go const/var group's (http.StatusOK), a method of a
// Go interface (store.(*Store).Get) or value method's pointer name, or
// another arity of an Elixir function with default arguments (MyApp.get/1
// for MyApp.get/2 with one) — and the index in the graph of the chunk
// that declares it (db.CodeMember).
type Member struct {
	Name  string
	Chunk int32
}

// graphMembers turns code_members rows into Members of g, which is in id
// order (db.Store.CodeGraph). A row whose chunk g lacks (another run
// changed the file between the two reads) is left out.
func graphMembers(g []db.GraphChunk, rows []db.CodeMember) []Member {
	out := make([]Member, 0, len(rows))
	for _, m := range rows {
		i, ok := slices.BinarySearchFunc(g, m.ChunkID, func(c db.GraphChunk, id int64) int { return cmp.Compare(c.ID, id) })
		if ok {
			out = append(out, Member{Name: m.Name, Chunk: int32(i)})
		}
	}
	return out
}

// appendMembers appends the Members a chunk at index i of a graph
// declares, as db's code_members rows are chosen: a Go const/var group's
// (named pkg.{A,B,…}), a Go value method's (pkg.T.M answers to (*T).M)
// and a Go interface's (pkg.T declares (*T).M for each of its methods),
// each name qualified by the chunk's package, and an Elixir function's
// other arities (Mod.f/N, qualified already).
func appendMembers(out []Member, i int, name, lang string, members []string) []Member {
	if len(members) == 0 {
		return out
	}
	if lang == "elixir" && strings.Contains(name, "/") {
		for _, m := range members {
			out = append(out, Member{Name: m, Chunk: int32(i)})
		}
		return out
	}
	if lang != "go" {
		return out
	}
	pkg := name[:strings.IndexByte(name, '.')+1]
	for _, m := range members {
		out = append(out, Member{Name: pkg + m, Chunk: int32(i)})
	}
	return out
}

// Ranks computes the PageRank of every chunk of a project's symbol graph
// (members: the names its Go const/var groups declare, see Edges) and
// returns it by chunk name (the highest of the chunks sharing a name),
// scaled so that the mean rank is 1.
func Ranks(g []db.GraphChunk, members ...Member) map[string]float64 {
	n := len(g)
	out := make(map[string]float64, n)
	if n == 0 {
		return out
	}
	edges := Edges(g, members...)
	// Compressed rows: the targets of chunk i are to[start[i]:start[i+1]].
	start := make([]int, n+1)
	for _, e := range edges {
		start[e[0]+1]++
	}
	for i := range n {
		start[i+1] += start[i]
	}
	to := make([]int32, len(edges))
	fill := append([]int(nil), start[:n]...)
	for _, e := range edges {
		to[fill[e[0]]] = e[1]
		fill[e[0]]++
	}

	// Power iteration. A chunk that refers to nothing spreads its rank
	// evenly over all chunks, as does the damping's share.
	rank := make([]float64, n)
	next := make([]float64, n)
	for i := range rank {
		rank[i] = 1 / float64(n)
	}
	for range rankMaxIter {
		dangling := 0.0
		for i := range next {
			next[i] = 0
		}
		for i := range n {
			out := start[i+1] - start[i]
			if out == 0 {
				dangling += rank[i]
				continue
			}
			share := rank[i] / float64(out)
			for _, j := range to[start[i]:start[i+1]] {
				next[j] += share
			}
		}
		base := (1-rankDamping)/float64(n) + rankDamping*dangling/float64(n)
		delta := 0.0
		for i := range next {
			next[i] = base + rankDamping*next[i]
			delta += math.Abs(next[i] - rank[i])
		}
		rank, next = next, rank
		if delta < rankTol {
			break
		}
	}
	for i, c := range g {
		r := rank[i] * float64(n)
		if r > out[c.Name] {
			out[c.Name] = r
		}
	}
	return out
}

// Edges resolves the names each chunk refers to into the chunks they name,
// by the rules of the code_edges view (migrations 0004, 0017 and 0020),
// returned as pairs of indexes into g: a name r resolves to the chunks
// named r, r#1 (the first piece of a split unit) or r/N and r/N#1 (an
// Elixir function of any arity, for a ref without one), and to the chunks
// that members say declare r (a Go const/var group, a Go interface
// declaring the method r names, an Elixir function whose default
// arguments define r: Mod.f/1 for Mod.f/2 with one); a Go
// name of the chunk's own package only to chunks in the same directory,
// and one whose qualifier the Imports of its file's header give a path
// only to chunks in a directory that path denotes (chunk.ImportedFrom);
// never to the chunk itself. Each pair appears once.
func Edges(g []db.GraphChunk, members ...Member) [][2]int32 {
	declared := make(map[string][]int32, len(members))
	for _, m := range members {
		declared[m.Name] = append(declared[m.Name], m.Chunk)
	}
	exact := make(map[string][]int32, len(g))
	arity := map[string][]int32{} // "Mod.fun" → chunks named Mod.fun/N or Mod.fun/N#1
	for i, c := range g {
		exact[c.Name] = append(exact[c.Name], int32(i))
		name := c.Name
		if strings.Contains(name, "#") {
			var ok bool
			if name, ok = strings.CutSuffix(name, "#1"); !ok || strings.Contains(name, "#") {
				continue
			}
		}
		if j := strings.LastIndexByte(name, '/'); j > 0 {
			arity[name[:j]] = append(arity[name[:j]], int32(i))
		}
	}
	// The import paths of each Go file, which its header records: they
	// pin the packages the refs of all its chunks name.
	fileImports := map[string]map[string]string{}
	for _, c := range g {
		if len(c.Imports) > 0 && c.Lang == "go" {
			fileImports[c.Path] = c.Imports
		}
	}
	var out [][2]int32
	// seen[t] == i: chunk i has an edge to t already. (A map cleared for
	// each chunk took ~15 % longer on the standard library: clearing it
	// costs as much as the largest it ever grew, and a chunk of syscall
	// reaches dozens of per-platform groups per name.)
	seen := make([]int32, len(g))
	for i := range seen {
		seen[i] = -1
	}
	for i, c := range g {
		pkg := ""
		if c.Lang == "go" {
			if j := strings.IndexByte(c.Name, '.'); j > 0 {
				pkg = c.Name[:j+1]
			}
		}
		imports := fileImports[c.Path]
		for _, r := range c.Refs {
			// own: a name of the chunk's package; path: the import path
			// that pins the package r names, "" if none does.
			own, path := pkg != "" && strings.HasPrefix(r, pkg), ""
			if pkg != "" && !own && len(imports) > 0 {
				if j := strings.IndexByte(r, '.'); j > 0 {
					path = imports[r[:j]]
				}
			}
			add := func(ts []int32) {
				for _, t := range ts {
					if t == int32(i) || seen[t] == int32(i) {
						continue
					}
					if own && dir(g[t].Path) != dir(c.Path) {
						continue
					}
					if path != "" && !chunk.ImportedFrom(strings.TrimSuffix(dir(g[t].Path), "/"), path) {
						continue
					}
					seen[t] = int32(i)
					out = append(out, [2]int32{int32(i), t})
				}
			}
			add(exact[r])
			add(exact[r+"#1"])
			add(arity[r])
			add(declared[r])
		}
	}
	return out
}

// dir is the directory part of a slash-separated path, with its slash.
func dir(p string) string { return p[:strings.LastIndexByte(p, '/')+1] }
