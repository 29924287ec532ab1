package search

import (
	"cmp"
	"context"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/db/words"
)

// maxWords is how many of a query's words are looked for. A question typed
// by hand has fewer; a file or a diff piped to `aiex ask` has hundreds,
// and a chunk holding all of them, or a bm25 over the chunks holding any,
// means nothing. Of a longer query the most telling words are kept
// (informative).
const maxWords = 32

// informative returns the maxWords words of ws (the words of query) that
// tell most about what the query is about, in the order of ws, and their
// groups: the words as typed, no other forms. A word's weight is tf·idf:
// (1 + ln n) for the n times the query says it, times ln(N / d) for the
// d chunks of the index, of N, that hold it. A diff's own identifiers
// (transferWriter, said twenty times and held by a few chunks) come
// before the words every file says (return, err) and before a word said
// once in a string. Words no chunk holds are left out: nothing would
// match them. Their other forms are not looked for: the words a long
// query keeps are mostly its code's own, and reading the vocabulary for
// each would cost more than the search.
func (s *Searcher) informative(ctx context.Context, query string, ws []index.QueryWord) ([]index.QueryWord, []group, error) {
	terms := make([]string, len(ws))
	for i, w := range ws {
		terms[i] = w.Term
	}
	df, err := s.cfg.Store.CodeTermDocs(ctx, terms)
	if err != nil {
		return nil, nil, err
	}
	total, err := s.cfg.Store.CodeIndexSize(ctx)
	if err != nil {
		return nil, nil, err
	}
	tf := make(map[string]int, len(ws))
	words.Scan([]byte(query), func(w []byte) {
		if len(w) >= 2 && len(w) <= words.MaxLen {
			tf[words.Fold(string(w))]++
		}
	})
	type scored struct {
		at     int
		weight float64
	}
	var held []scored
	for i, t := range terms {
		d := df[t]
		if d <= 0 {
			continue
		}
		n := float64(max(1, tf[t]))
		held = append(held, scored{i, (1 + math.Log(n)) * math.Log(float64(max(total, d))/float64(d)+1)})
	}
	slices.SortStableFunc(held, func(a, b scored) int { return cmp.Compare(b.weight, a.weight) })
	held = held[:min(len(held), maxWords)]
	slices.SortFunc(held, func(a, b scored) int { return cmp.Compare(a.at, b.at) })
	kept := make([]index.QueryWord, len(held))
	gs := make([]group, len(held))
	for i, h := range held {
		t := terms[h.at]
		kept[i] = index.QueryWord{Term: t}
		gs[i] = group{term: t, forms: []string{t}, df: df[t]}
	}
	return kept, gs, nil
}

// cutText is s cut to at most n bytes, at the start of a character.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
