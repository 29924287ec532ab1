package ctxbuild

import (
	"cmp"
	"context"
	"slices"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/search"
	"github.com/aiex-dev/aiex/db"
)

// ownFirst orders cs, the units a name names, the project's own code
// before the code beside it (db.CodeAside: examples, test data, vendored
// code, tests), keeping their order otherwise. The store's lookup by the
// end of a name orders so already, the most central and then the
// shortest first (db.Store.CodeChunksNamedLike); a name in full finds
// every unit of that name, in the order of their paths, and
// `_examples/…/main.go` sorts before `cmd/…`.
func ownFirst(cs []db.CodeChunk) {
	slices.SortStableFunc(cs, func(a, b db.CodeChunk) int {
		return cmpBool(db.CodeAside(a.Path, a.Lang), db.CodeAside(b.Path, b.Lang))
	})
}

func cmpBool(a, b bool) int {
	toInt := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	return cmp.Compare(toInt(a), toInt(b))
}

// namedCount is how many units sym names, of which search.Named found
// cs and stopped at its limit: counted in the store, as search.Named
// looks (the name in full, of a unit in pieces its first, a Go method as
// go doc names it, then the end of a name), without reading the chunks.
// A name in full finds every unit of it, and a lookup the store cannot
// count (an Elixir function reached through its defaults) is len(cs).
func namedCount(ctx context.Context, st *db.Store, project int64, sym string, cs []db.CodeChunk) (int, error) {
	names := []string{sym}
	if m := search.PointerMethod(sym); m != "" {
		names = append(names, m)
	}
	for _, n := range names {
		if cs[0].Name == n || cs[0].Name == chunk.PieceName(n, 1) {
			return len(cs), nil // found by its name in full: all of them
		}
	}
	for _, n := range names {
		for _, end := range []string{n, chunk.PieceName(n, 1)} {
			c, err := st.CodeChunksNamedLikeCount(ctx, project, end)
			if err != nil || c > 0 {
				return max(c, len(cs)), err
			}
		}
	}
	return len(cs), nil
}
