package search

import (
	"math"
)

// coverage weighs the hits holding only some of a query's words by how
// much of it they hold: the square root of the share of the groups'
// weights (1/√df, a rare word says more, as for names: covered.go) of
// those each holds, over the best such share among them; the best hit is
// then scaled to relaxedShare again. The root, as bm25 counts rarity
// already: the share itself put proto.(*Statement).GetSql (37 tokens
// saying sql, statement, execute, against) before db.(*DB).executeWithConn
// for "how are SQL statements executed against the database?". Called
// only when no chunk holds every word. bm25 over the words ORed favours a short
// chunk saying one common word in its name (rqlite v8.43.4's tcp.Address,
// 31 tokens, for "how does the node decide which address to advertise")
// over a long one saying most of them (main.(*Config).Validate, 1,650
// tokens: node, address, advertised), which was not in the first 40.
// Which words a hit holds is read from its text in the project's files
// (a changed file's hit holds none): asking FTS5 (a MATCH of each word's
// group and rowid IN the hits) cost 9-11 ms on the standard library.
func (f *projectFiles) coverage(hits []*Hit, gs []group) {
	if len(hits) == 0 || len(gs) < 2 || f.Root() == "" { // unknown root: as bm25 ranks
		return
	}
	gs = gs[:min(len(gs), 64)]
	holds := holder(gs)
	held := map[int64]uint64{}
	for _, h := range hits {
		text, ok := f.text(h)
		if !ok {
			continue // changed since indexed: weighed as holding none
		}
		held[h.ID] = holds(text) | holds([]byte(h.Name))
	}
	w := make([]float64, len(gs))
	total := 0.0
	for i, g := range gs {
		w[i] = 1 / math.Sqrt(float64(max(1, g.df)))
		total += w[i]
	}
	share := make([]float64, len(hits))
	best := 0.0
	for i, h := range hits {
		for j := range gs {
			if held[h.ID]&(1<<j) != 0 {
				share[i] += w[j] / total
			}
		}
		best = max(best, share[i])
	}
	if best == 0 {
		return
	}
	// Scaled again to relaxedShare at best, as addLexical scales bm25.
	top := 0.0
	for i, h := range hits {
		h.Lexical *= math.Sqrt(share[i] / best)
		top = max(top, h.Lexical)
	}
	for _, h := range hits {
		if top > 0 {
			h.Lexical *= relaxedShare / top
		}
	}
}
