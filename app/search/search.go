// Package search ranks a project's chunks for a query: the lexical score
// of the full-text index (bm25), the chunk's centrality in the symbol graph
// (PageRank, computed by app/index) and, when an embedding model is
// configured, the similarity of the chunk's embedding to the query's —
// combined into one score. DESIGN.md has the plan and the figures.
package search

import (
	"context"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/db"
)

// Embedder computes embeddings: an Ollama or OpenAI provider.
type Embedder interface {
	Embed(ctx context.Context, model string, input []string) ([][]float32, error)
}

// Config configures a Searcher. It works at its zero value except for Store.
type Config struct {
	Store *db.Store
	// Embedder and EmbedModel turn embeddings on: chunks embedded by
	// EmbedModel (app/search.Embed, run by the index) are compared with the
	// query's embedding. EmbedKey is the name the embeddings are stored
	// under ("ollama/nomic-embed-text"); "" means EmbedModel.
	Embedder   Embedder
	EmbedModel string
	EmbedKey   string
	// MaxRanked bounds how many chunks FTS5 scores for one query (its
	// bm25 costs ~3.5 µs a chunk): words held by more chunks than this are
	// looked for in names only. 0 means 3,000 (about 10 ms).
	MaxRanked int
	// Candidates is how many lexical hits are re-ranked; 0 means 60.
	Candidates int
}

// Weights of the combined score. Each part is scaled to [0, 1] over the
// candidates: lexical (bm25, relaxed matches discounted), centrality
// (log of the PageRank) and semantic (cosine similarity).
const (
	weightLexical  = 1.0
	weightCentral  = 0.2
	weightSemantic = 0.6
	// relaxedShare discounts hits that hold only some of the query's words.
	relaxedShare = 0.5
	// exactBonus puts chunks named as the query first.
	exactBonus = 1.0
	// testShare discounts chunks of test files, unless the query is about
	// tests: a question about code wants the code first.
	testShare = 0.8
)

// Searcher searches projects' indexes.
type Searcher struct {
	cfg Config
	// wideRange is how many words of a range of the vocabulary are read
	// at first (see the const); tests make it small.
	wideRange int
}

// New returns a Searcher.
func New(cfg Config) *Searcher {
	if cfg.MaxRanked == 0 {
		cfg.MaxRanked = 3000
	}
	if cfg.Candidates == 0 {
		cfg.Candidates = 60
	}
	if cfg.EmbedKey == "" {
		cfg.EmbedKey = cfg.EmbedModel
	}
	return &Searcher{cfg: cfg, wideRange: wideRange}
}

// Hit is a ranked chunk: Score combines the parts, each in [0, 1].
type Hit struct {
	db.CodeChunk
	Score    float64 `json:"score"`
	Lexical  float64 `json:"lexical"`
	Central  float64 `json:"central"`
	Semantic float64 `json:"semantic"`
	Exact    bool    `json:"exact,omitempty"` // named as the query
}

// Result is a search's hits and how they were found.
type Result struct {
	Hits []Hit `json:"hits"`
	// Terms are the words looked for; NamesOnly the ones held by so many
	// chunks that only names were searched for them.
	Terms     []string `json:"terms"`
	NamesOnly []string `json:"names_only,omitempty"`
	// Forms are, for each term the index holds in other forms, the words
	// looked for in its place, the term itself first if held: retried:
	// [retried retry retries]; shut (in "shut down"): [shut shutdown].
	Forms map[string][]string `json:"forms,omitempty"`
	// Relaxed reports that fewer than limit chunks held every word, so
	// chunks holding some were added.
	Relaxed bool `json:"relaxed,omitempty"`
	// Embeddings reports whether semantic similarity was used.
	Embeddings bool `json:"embeddings"`
	// Incomplete reports that no index run over the whole project has
	// finished (the first was interrupted, or only part of it was
	// indexed): files it had not reached yet are in no hit. The caller sets it; Search knows only the project's id.
	Incomplete bool `json:"incomplete,omitempty"`
}

// Search returns a project's best limit chunks for query.
func (s *Searcher) Search(ctx context.Context, project int64, query string, limit int) (*Result, error) {
	st := s.cfg.Store
	words := index.QueryWords(query)
	res := &Result{Terms: make([]string, len(words)), Hits: []Hit{}}
	for i, w := range words {
		res.Terms[i] = w.Term
	}
	// A symbol is looked for by name whatever its words: p.X and G have
	// none the index holds (words of one letter are not indexed).
	sym := strings.TrimSpace(query)
	isSym := sym != "" && !strings.ContainsAny(sym, " \t\n")
	if limit <= 0 || (len(res.Terms) == 0 && !isSym) {
		return res, nil
	}
	cands := map[int64]*Hit{}
	var order []*Hit
	add := func(c db.CodeChunk, lex float64) {
		if h, ok := cands[c.ID]; ok {
			h.Lexical = max(h.Lexical, lex)
			return
		}
		h := &Hit{CodeChunk: c, Lexical: lex}
		cands[c.ID] = h
		order = append(order, h)
	}

	// Chunks named as the query come first: a symbol typed in full.
	if isSym {
		exact, err := Named(ctx, st, project, sym, 8)
		if err != nil {
			return nil, err
		}
		for _, c := range exact {
			add(c, 1+exactBonus)
			cands[c.ID].Exact = true
		}
	}

	// Lexical candidates, planned by how many chunks hold each word and
	// its other forms.
	gs, err := s.groups(ctx, words)
	if err != nil {
		return nil, err
	}
	var held []group // words some chunk holds in some form, rarest first
	for _, g := range gs {
		if g.df > 0 {
			held = append(held, g)
			if len(g.forms) > 1 || g.forms[0] != g.term {
				if res.Forms == nil {
					res.Forms = map[string][]string{}
				}
				res.Forms[g.term] = g.forms
			}
		}
	}
	sort.SliceStable(held, func(i, j int) bool { return held[i].df < held[j].df })
	want := max(s.cfg.Candidates, limit) // -n 200 gets 200 if that many match
	if len(held) > 0 {
		all := exprs(held, " AND ")
		match := all
		if held[0].df > int64(s.cfg.MaxRanked) {
			// Even the rarest word is everywhere: rank names only.
			match = "name : (" + all + ")"
			for _, g := range held {
				res.NamesOnly = append(res.NamesOnly, g.term)
			}
		}
		hits, err := st.SearchCode(ctx, project, match, want)
		if err != nil {
			return nil, err
		}
		addLexical(hits, 1, add)
		if len(hits) < limit && len(held) > 1 {
			// Too few chunks hold every word: take those holding some,
			// rare words first, as many as FTS5 can rank in time.
			var some []group
			var total int64
			for _, g := range held {
				if total+g.df > int64(s.cfg.MaxRanked) && len(some) > 0 {
					break
				}
				total += g.df
				some = append(some, g)
			}
			match := exprs(some, " OR ")
			if total > int64(s.cfg.MaxRanked) {
				match = "name : (" + match + ")"
			}
			more, err := st.SearchCode(ctx, project, match, want)
			if err != nil {
				return nil, err
			}
			res.Relaxed = len(more) > 0
			addLexical(more, relaxedShare, add)
		}
	}
	if len(order) == 0 {
		return res, nil
	}

	if err := s.central(ctx, project, order); err != nil {
		return nil, err
	}
	if res.Embeddings, err = s.semantic(ctx, query, order); err != nil {
		return nil, err
	}
	aboutTests := slices.Contains(res.Terms, "test") || slices.Contains(res.Terms, "tests")
	for _, h := range order {
		lex := h.Lexical
		if !aboutTests && !h.Exact && isTest(h.Path) {
			lex *= testShare
		}
		h.Score = weightLexical*lex + weightCentral*h.Central + weightSemantic*h.Semantic
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].Score > order[j].Score })
	order = s.distinct(ctx, project, order)
	for _, h := range order[:min(limit, len(order))] {
		res.Hits = append(res.Hits, *h)
	}
	return res, nil
}

// distinct drops the hits that repeat one ranked above them: the same name
// and content. A symlink to a file of the project is indexed under its own
// path too (app/index), and the same code listed twice helps no one. Of
// such hits the one at a real path, not a link, takes the first's place;
// the project's root is only looked up when there are any. Hits alike in
// content but not in name (two modules' identical new/1) are different
// symbols and both stay.
func (s *Searcher) distinct(ctx context.Context, project int64, order []*Hit) []*Hit {
	type key struct{ name, hash string }
	first := make(map[key]int, len(order))
	out := order[:0]
	root, looked := "", false
	for _, h := range order {
		k := key{h.Name, h.Hash}
		i, ok := first[k]
		if !ok {
			first[k] = len(out)
			out = append(out, h)
			continue
		}
		if !looked {
			looked = true
			root, _ = s.cfg.Store.CodeProjectRoot(ctx, project) // unknown: keep the first
		}
		if root != "" && isLink(root, out[i].Path) && !isLink(root, h.Path) {
			out[i].CodeChunk = h.CodeChunk // its score is the same code's
		}
	}
	return out
}

// isLink reports whether the project file at path (slash-separated,
// relative to root) is a symlink.
func isLink(root, path string) bool {
	fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(path)))
	return err == nil && fi.Mode()&fs.ModeSymlink != 0
}

// isTest reports whether path is a test file: Go's _test.go, Elixir's
// _test.exs, or anything under a test/ directory.
func isTest(path string) bool {
	return strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "_test.exs") ||
		strings.HasPrefix(path, "test/") || strings.Contains(path, "/test/")
}

// addLexical adds FTS hits with their bm25 scaled to (0, share] by the
// best of them (bm25 is negative, lower is better).
func addLexical(hits []db.CodeHit, share float64, add func(db.CodeChunk, float64)) {
	best := 0.0
	for _, h := range hits {
		best = min(best, h.Rank)
	}
	for _, h := range hits {
		lex := share
		if best < 0 {
			lex = share * h.Rank / best
		}
		add(h.CodeChunk, lex)
	}
}

// quote joins words as FTS5 strings.
func quote(words []string, sep string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return strings.Join(q, sep)
}

// central sets each hit's centrality: the log of its name's rank, scaled
// by the highest among the hits. A name without a rank (new since the
// ranks were computed) counts as average (1).
func (s *Searcher) central(ctx context.Context, project int64, hits []*Hit) error {
	names := make([]string, 0, len(hits))
	for _, h := range hits {
		names = append(names, h.Name)
	}
	ranks, err := s.cfg.Store.CodeRanks(ctx, project, names)
	if err != nil {
		return err
	}
	top := 0.0
	for _, h := range hits {
		r, ok := ranks[h.Name]
		if !ok {
			r = 1
		}
		h.Central = math.Log1p(r)
		top = max(top, h.Central)
	}
	if top > 0 {
		for _, h := range hits {
			h.Central /= top
		}
	}
	return nil
}

// semantic sets each hit's similarity to the query, scaled to [0, 1] over
// the hits that have an embedding; it reports false when embeddings are
// off or no hit has one.
func (s *Searcher) semantic(ctx context.Context, query string, hits []*Hit) (bool, error) {
	if s.cfg.Embedder == nil || s.cfg.EmbedModel == "" {
		return false, nil
	}
	hashes := make([]string, 0, len(hits))
	for _, h := range hits {
		hashes = append(hashes, h.Hash)
	}
	vecs, err := s.cfg.Store.CodeEmbeddings(ctx, s.cfg.EmbedKey, hashes)
	if err != nil || len(vecs) == 0 {
		return false, err
	}
	qv, err := s.cfg.Embedder.Embed(ctx, s.cfg.EmbedModel, []string{query})
	if err != nil {
		return false, fmt.Errorf("search: embed the query with %s: %w", s.cfg.EmbedModel, err)
	}
	if len(qv) != 1 {
		return false, fmt.Errorf("search: embed the query with %s: %d vectors for one input", s.cfg.EmbedModel, len(qv))
	}
	sims := make([]float64, len(hits))
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, h := range hits {
		v, ok := vecs[h.Hash]
		if !ok {
			sims[i] = math.NaN()
			continue
		}
		sims[i] = cosine(qv[0], v)
		lo, hi = min(lo, sims[i]), max(hi, sims[i])
	}
	for i, h := range hits {
		switch {
		case math.IsNaN(sims[i]):
			h.Semantic = 0
		case hi > lo:
			h.Semantic = (sims[i] - lo) / (hi - lo)
		default:
			h.Semantic = 1
		}
	}
	return true, nil
}

// cosine is the cosine similarity of a and b; 0 if either is zero or they
// differ in length.
func cosine(a, b []float32) float64 {
	if len(a) != len(b) {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}
