// Package search ranks a project's chunks for a query: the lexical score
// of the full-text index (bm25), the chunk's centrality in the symbol graph
// (PageRank, computed by app/index) and, when an embedding model is
// configured, the similarity of the chunk's embedding to the query's —
// combined into one score. DESIGN.md has the plan and the figures.
package search

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
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
// candidates: lexical (bm25, relaxed matches discounted, weighed for what
// the chunk is: roles.go), centrality (log of the PageRank) and semantic
// (cosine similarity).
const (
	weightLexical  = 1.0
	weightCentral  = 0.2
	weightSemantic = 0.6
	// relaxedShare discounts hits that hold only some of the query's words.
	relaxedShare = 0.5
	// exactBonus puts chunks named as the query first.
	exactBonus = 1.0
	// relaxBelow is how few chunks may hold every word of a query before
	// those holding some are ranked with them. With more, those are only
	// added after them, when more hits are asked for: the first hits are
	// the same whatever their number.
	relaxBelow = 10
	// namesRanked is how many times MaxRanked the chunk counts of the
	// words a relaxed search looks for in names only can sum to: a word
	// is in fewer names than bodies (slice: 746 names of the 2,575
	// chunks holding it), but a package's name is in the name of all its
	// chunks (http: 3,261 of 4,073).
	namesRanked = 2
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
	// Called is how much of the other hits' lexical score reaches this
	// function through their calls (called.go), for a question.
	Called float64 `json:"called,omitempty"`
	Exact  bool    `json:"exact,omitempty"` // named as the query
	// Header is, for a module (an Elixir module, protocol or impl), its
	// header chunk (moduledoc, aliases, attributes) when that matched too:
	// both start at the same line, and the module is listed once.
	Header *db.CodeChunk `json:"header,omitempty"`

	bonus float64 // exactBonus or completeBonus, added to Lexical
	cover float64 // coveredBonus's part (covered.go), weighed as Lexical is
	// filler marks a hit found only because more hits were asked for
	// than the candidates (a hit holding every word ranked past them by
	// bm25), or than relaxBelow held every word (one holding some): it
	// comes after the others, and sets no scale.
	filler bool
}

// Result is a search's hits and how they were found.
type Result struct {
	Hits []Hit `json:"hits"`
	// Terms are the words looked for; NamesOnly the ones held by so many
	// chunks that only names were searched for them.
	Terms     []string `json:"terms"`
	NamesOnly []string `json:"names_only,omitempty"`
	// LeftOut counts the words of a long query (a file, a diff) not looked
	// for: only its maxWords most telling words are (long.go).
	LeftOut int `json:"left_out,omitempty"`
	// Forms are, for each term the index holds in other forms, the words
	// looked for in its place, the term itself first if held: retried:
	// [retried retry retries]; shut (in "shut down"): [shut shutdown];
	// parsed: [parsed parse parses parsing parser], the agent nouns last
	// and looked for in names only; a term no word of the index is,
	// looked for as the beginning of words: TrimSpa: [trimspa*].
	Forms map[string][]string `json:"forms,omitempty"`
	// Relaxed reports that fewer than limit chunks held every word, so
	// chunks holding some were added.
	Relaxed bool `json:"relaxed,omitempty"`
	// Embeddings reports whether semantic similarity was used.
	Embeddings bool `json:"embeddings"`
	// EmbedError says why the query could not be embedded (its provider
	// unreachable, refusing or failing): the hits are ranked without
	// embeddings, as if none were configured. EmbedWarning says so.
	EmbedError string `json:"embed_error,omitempty"`
	// Incomplete reports that no index run over the whole project has
	// finished (the first was interrupted, or only part of it was
	// indexed): files it had not reached yet are in no hit. The caller sets it; Search knows only the project's id.
	Incomplete bool `json:"incomplete,omitempty"`
	// OtherVersion reports that the last index run over the whole project
	// was another version of aiex's (index.ByOtherVersion): its chunks
	// and references may not be those this version makes. The caller sets
	// it, as Incomplete.
	OtherVersion bool `json:"other_version,omitempty"`
	// Changed lists the files of the hits that changed since they were
	// indexed (their size or modification time differ, or they are
	// gone): the hits' lines are the index's and may have moved. The
	// caller sets it, as Incomplete.
	Changed []string `json:"changed,omitempty"`
}

// Search returns a project's best limit chunks for query.
func (s *Searcher) Search(ctx context.Context, project int64, query string, limit int) (*Result, error) {
	st := s.cfg.Store
	files := s.files(ctx, project) // read once for the weighings that need them
	words := index.QueryWords(query)
	res := &Result{Hits: []Hit{}}
	// A symbol is looked for by name whatever its words: p.X and G have
	// none the index holds (words of one letter are not indexed).
	sym := strings.TrimSpace(query)
	isSym := sym != "" && !strings.ContainsAny(sym, " \t\n")
	if limit <= 0 || (len(words) == 0 && !isSym) {
		res.Terms = terms(words)
		return res, nil
	}
	// The words that ask (how, what, why; does, is opening the question)
	// are not what it asks about (question.go).
	var asked map[string]bool
	typed := words // the asking words too, in order (nearLight)
	if !isSym {
		words, asked = withoutQuestion(words, questionWords(query))
	}
	var gs []group
	if len(words) > maxWords {
		kept, kgs, err := s.informative(ctx, query, words)
		if err != nil {
			return nil, err
		}
		res.LeftOut = len(words) - len(kept)
		words, gs = kept, kgs
	}
	res.Terms = terms(words)
	cands := map[int64]*Hit{}
	var order []*Hit
	add := func(c db.CodeChunk, lex float64) *Hit {
		if h, ok := cands[c.ID]; ok {
			h.Lexical = max(h.Lexical, lex)
			return h
		}
		h := &Hit{CodeChunk: c, Lexical: lex}
		cands[c.ID] = h
		order = append(order, h)
		return h
	}

	// Chunks named as the query come first: a symbol typed in full.
	var exact []db.CodeChunk
	if isSym {
		var err error
		if exact, err = Named(ctx, st, project, sym, 8); err != nil {
			return nil, err
		}
		for _, c := range exact {
			h := add(c, 1)
			h.Exact, h.bonus = true, exactBonus
		}
	}

	// Symbols a question names among its words (mention.go); not those
	// of a file or a diff given whole, whose symbols are everywhere.
	var ms []string
	if !isSym && res.LeftOut == 0 {
		ms = mentions(query)
		if err := addMentioned(ctx, st, project, ms, add); err != nil {
			return nil, err
		}
	}

	// Lexical candidates, planned by how many chunks hold each word and
	// its other forms, or the words beginning with it.
	if gs == nil {
		var err error
		if gs, err = s.groups(ctx, words, !isSym); err != nil {
			return nil, err
		}
		force := -1
		if isSym && len(exact) == 0 {
			force = len(gs) - 1 // the symbol's last word
		}
		if err := s.prefixes(ctx, gs, force); err != nil {
			return nil, err
		}
	}
	var held []group // words some chunk holds in some form, rarest first
	completing := false
	for _, g := range gs {
		if g.df <= 0 {
			continue
		}
		held = append(held, g)
		switch {
		case g.prefix:
			completing = true
			res.addForms(g.term, []string{g.term + "*"})
		case len(g.forms) > 1 || g.forms[0] != g.term || len(g.agents) > 0:
			res.addForms(g.term, append(slices.Clip(g.forms), g.agents...))
		}
	}
	sort.SliceStable(held, func(i, j int) bool { return held[i].df < held[j].df })
	want := max(s.cfg.Candidates, limit) // -n 200 gets 200 if that many match
	roles := queryRoles(query, res.Terms, exact)
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
		before := len(order)
		s.addLexical(hits, 1, roles, add)
		// Those past the candidates (-n 200) only fill the list: they
		// must not change the first hits, which -n 10 ranks without them.
		s.fillers(hits, order[before:], false)
		whole := len(hits)
		if !isSym {
			// A symbol's words are its package's and its own: the
			// chunks holding them all, its tests too, are its.
			whole = wholeHits(hits[:min(len(hits), s.cfg.Candidates)], roles)
		}
		if len(held) > 1 && (whole < relaxBelow || len(hits) < limit) {
			// Too few chunks hold every word: take those holding some,
			// rare words first, as many as FTS5 can rank in time (some,
			// names). When fewer than relaxBelow holding every word
			// weigh more than code holding some (wholeHits: not tests,
			// prose), they are ranked together; else those holding some
			// only fill the list. Which happens must not depend on the
			// number of hits asked for: "example sort slice" listed
			// slices.Sort 5th at -n 60 and not at -n 10 when the rule
			// was fewer than asked for.
			some, names, wide := s.relaxed(held)
			anyOf := exprs(some, " OR ")
			if wide {
				anyOf = "name : (" + anyOf + ")"
			}
			if len(names) > 0 {
				anyOf += " OR name : (" + exprs(names, " OR ") + ")"
			}
			fill, before := whole >= relaxBelow, len(order)
			more, err := st.SearchCode(ctx, project, anyOf, want)
			if err != nil {
				return nil, err
			}
			if fill {
				// Only new hits: a filler must not change the score of
				// a hit ranked without it.
				s.addLexical(more, relaxedShare, roles, func(c db.CodeChunk, lex float64) *Hit {
					if h, ok := cands[c.ID]; ok {
						return h
					}
					return add(c, lex)
				})
			} else {
				s.addLexical(more, relaxedShare, roles, add)
			}
			s.fillers(more, order[before:], fill)
			if len(hits) == 0 {
				// No chunk holds every word: bm25 alone ranks them.
				files.coverage(order[before:], held)
			}
			res.Relaxed = len(hits) < limit && len(more) > 0
		}
		if len(hits) > 0 && len(res.NamesOnly) == 0 && len(asked) > 0 && res.LeftOut == 0 {
			// A light verb's neighbour next to it (light.go); not in a
			// file or a diff given whole.
			if err := s.nearLight(ctx, project, typed, asked, held, roles, add); err != nil {
				return nil, err
			}
		}
	}
	// A short question's stop words count for names (covered.go): "errors
	// is" is errors.Is, "enum at" Enum.at/3, "context with cancel"
	// context.WithCancel, though no body holds "is", "at" or "with".
	named := gs
	var stops []group
	if !isSym && res.LeftOut == 0 {
		var err error
		if stops, err = s.stopGroups(ctx, query, words, asked); err != nil {
			return nil, err
		}
		named = append(slices.Clip(gs), stops...)
	}
	if paired := append(held[:min(len(held), maxPaired):min(len(held), maxPaired)], stops...); !isSym && res.LeftOut == 0 && len(paired) >= 2 {
		// Names holding two of the question's words (covered.go) may hold
		// none of its others, and be missing from the hits above. Those
		// of its rarer words are looked up: a common word's names are
		// many, and say less.
		// Only those the question's words make whole are kept: the
		// others (a group of Windows constants holding "file" and
		// "rename") are no better for holding two words in their names.
		// They hold two of its words in the column that weighs most, and
		// count as hits holding some of them; a name that is the whole
		// question, as one holding all of them. bm25 ranks a long body
		// low (json.Marshal's, http.Error's: neither was among the best
		// 200 holding their words), and would rank such a name by the
		// number of hits asked for.
		cs, covers, err := namedPairs(ctx, st, project, paired, heldForms(query, named, asked), named)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			lex := relaxedShare
			if covers[c.ID] == 1 {
				lex = 1
			}
			add(c, lex).filler = false
		}
	}
	if len(order) == 0 {
		return res, nil
	}
	if completing && isSym && len(exact) == 0 {
		// A symbol typed in part: the names it begins come first.
		for _, h := range order {
			h.bonus = completeBonus * completes(h.Name, sym)
		}
	}

	if len(ms) > 0 {
		for _, h := range order {
			h.bonus = max(h.bonus, mentionBonus*mentioned(h.Name, ms))
		}
	}
	// A question names its subject when a hit's name is the whole of it,
	// or it mentions a symbol: then that is what it asks about, not what
	// the hits call (called.go).
	namesSubject := isSym || res.LeftOut > 0
	if !isSym && res.LeftOut == 0 {
		namesSubject = setCovers(order, heldForms(query, named, asked), named)
	}
	for _, h := range order {
		namesSubject = namesSubject || h.bonus > 0
	}

	if err := s.central(ctx, project, order); err != nil {
		return nil, err
	}
	var err error
	if res.Embeddings, err = s.semantic(ctx, query, order); err != nil {
		var qe *queryEmbedError
		if !errors.As(err, &qe) || ctx.Err() != nil {
			return nil, err
		}
		// A search must not fail for want of one of its three parts: the
		// index warns likewise and ranks without the chunks it could not
		// embed.
		res.EmbedError = qe.Error()
		for _, h := range order {
			h.Semantic = 0
		}
	}
	roles.thin = files.thinLists(order, held, roles)
	lex := make([]float64, len(order))
	for i, h := range order {
		share := roleShare(h.CodeChunk, roles)
		lex[i] = share * (h.Lexical + h.cover)
		h.Lexical = share*h.Lexical + max(h.bonus, share*h.cover)
		if roles.thin[h.ID] {
			// A list's embedding is of its fields, as spread as its
			// words (lists.go).
			h.Semantic *= groupShare
		}
	}
	if !namesSubject {
		// The function the hits call, for a question (called.go).
		called(order, lex)
	}
	for _, h := range order {
		h.Score = weightLexical*h.Lexical + weightCentral*h.Central + weightSemantic*h.Semantic + weightCalled*h.Called
	}
	byScore(order)
	order = s.distinct(files, order)
	for _, h := range order[:min(limit, len(order))] {
		res.Hits = append(res.Hits, *h)
	}
	return res, nil
}

// relaxed returns the groups the words of a relaxed search are: the
// rarest ORed (some), as many as FTS5 can rank in time (MaxRanked
// chunks; in names only when even the rarest is held by more: wide), and
// the next commoner in names, where they are rarer (slice: in 2,575
// chunks, 746 names), as long as their counts sum to at most namesRanked
// times that: "sort a slice with a custom less function" finds sort.Slice
// by its name, though custom is not in it.
func (s *Searcher) relaxed(held []group) (some, names []group, wide bool) {
	var total int64
	for _, g := range held {
		if total+g.df > int64(s.cfg.MaxRanked) && len(some) > 0 {
			break
		}
		total += g.df
		some = append(some, g)
	}
	wide = total > int64(s.cfg.MaxRanked)
	total = 0
	for _, g := range held[len(some):] {
		if total+g.df > namesRanked*int64(s.cfg.MaxRanked) {
			break
		}
		total += g.df
		names = append(names, g)
	}
	return some, names, wide
}

// wholeHits counts the hits holding every word of a query that are worth
// more than a chunk holding some (roleShare above relaxedShare): not
// tests, prose, code the build leaves out or groups of names. Big structs
// spread thin (lists.go) count, since telling them needs their files.
func wholeHits(hits []db.CodeHit, q roleQuery) int {
	n := 0
	for _, h := range hits {
		if roleShare(h.CodeChunk, q) > relaxedShare {
			n++
		}
	}
	return n
}

// byScore sorts hits by score, the fillers after the first relaxBelow of
// the others: those are the first hits whatever the number asked for,
// and past them a filler is listed with the rest by its score, not after
// weaker hits.
func byScore(hits []*Hit) {
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].filler != hits[j].filler {
			return !hits[i].filler
		}
		return hits[i].Score > hits[j].Score
	})
	head := 0
	for head < min(relaxBelow, len(hits)) && !hits[head].filler {
		head++
	}
	rest := hits[head:]
	sort.SliceStable(rest, func(i, j int) bool { return rest[i].Score > rest[j].Score })
}

// fillers marks the hits added (added) for an FTS5 query's hits as
// fillers: all of them when fill is set, else those past the candidates
// by bm25.
func (s *Searcher) fillers(hits []db.CodeHit, added []*Hit, fill bool) {
	past := map[int64]bool{}
	for _, h := range hits[min(len(hits), s.cfg.Candidates):] {
		past[h.ID] = true
	}
	for _, h := range added {
		h.filler = fill || past[h.ID]
	}
}

// addForms records the words term was looked for as.
func (r *Result) addForms(term string, forms []string) {
	if r.Forms == nil {
		r.Forms = map[string][]string{}
	}
	r.Forms[term] = forms
}

// terms returns the words' terms.
func terms(ws []index.QueryWord) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Term
	}
	return out
}

// distinct drops the hits that repeat one ranked above them: the same name
// and content. A symlink to a file of the project is indexed under its own
// path too (app/index), and the same code listed twice helps no one. Of
// such hits the one at a real path, not a link, takes the first's place;
// the project's root is only looked up when there are any. Hits alike in
// content but not in name (two modules' identical new/1) are different
// symbols and both stay.
//
// A module and its header chunk start at the same line of the same file:
// listed once, as the module (what its name names, and what a user opens
// at that line), in the better one's place, with the header in
// Hit.Header.
func (s *Searcher) distinct(files *projectFiles, order []*Hit) []*Hit {
	type key struct{ name, hash string }
	type place struct {
		path string
		line int
	}
	first := make(map[key]int, len(order))
	opening := map[place]int{} // a module's or a header's hit in out
	out := order[:0]
	for _, h := range order {
		if container(h.Kind) || h.Kind == chunk.KindHeader {
			p := place{h.Path, h.StartLine}
			if i, ok := opening[p]; ok && mergeOpening(out[i], h) {
				continue
			}
			opening[p] = len(out)
		}
		k := key{h.Name, h.Hash}
		i, ok := first[k]
		if !ok {
			first[k] = len(out)
			out = append(out, h)
			continue
		}
		if root := files.Root(); root != "" && isLink(root, out[i].Path) && !isLink(root, h.Path) { // unknown: keep the first
			out[i].CodeChunk = h.CodeChunk // its score is the same code's
		}
	}
	return out
}

// mergeOpening merges h, ranked below kept, into kept when one is a
// module and the other its header, and reports whether it did: the
// module's chunk is kept, with the header's in Header, in kept's place
// (the better of the two's, and its scores).
func mergeOpening(kept, h *Hit) bool {
	switch {
	case container(kept.Kind) && h.Kind == chunk.KindHeader && kept.Header == nil:
		hc := h.CodeChunk
		kept.Header = &hc
	case kept.Kind == chunk.KindHeader && container(h.Kind):
		hc := kept.CodeChunk
		kept.CodeChunk, kept.Header = h.CodeChunk, &hc
		kept.Exact = kept.Exact || h.Exact
	default:
		return false
	}
	return true
}

// container reports chunk kinds whose text is their children's: a module
// and its header open at the same line.
func container(kind string) bool {
	switch kind {
	case chunk.KindModule, chunk.KindProtocol, chunk.KindImpl:
		return true
	}
	return false
}

// isLink reports whether the project file at path (slash-separated,
// relative to root) is a symlink.
func isLink(root, path string) bool {
	fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(path)))
	return err == nil && fi.Mode()&fs.ModeSymlink != 0
}

// addLexical adds FTS hits with their bm25 scaled to (0, share] by the
// best of the candidates that weigh in full for what they are (roleShare
// 1: not tests, prose, groups of names; bm25 is negative, lower is
// better), or of all the candidates when none does; a hit scoring better
// than that best gets share. A hit that weighs a quarter sets no scale:
// rqlite v8.43.4's best bm25 for "how are reads made consistent" is a
// test's, which held store.(*Store).Query, holding both words, at 0.45,
// under progress.(*CountingReader).Read, best of the hits holding one
// ("read", in its name) and so at relaxedShare. Only the candidates, not
// hits past them, set it: the first hits are the same whatever the
// number asked for.
func (s *Searcher) addLexical(hits []db.CodeHit, share float64, q roleQuery, add func(db.CodeChunk, float64) *Hit) {
	best, bestFull := 0.0, 0.0
	for _, h := range hits[:min(len(hits), s.cfg.Candidates)] {
		best = min(best, h.Rank)
		if h.Rank < bestFull && roleShare(h.CodeChunk, q) == 1 {
			bestFull = h.Rank
		}
	}
	if bestFull < 0 {
		best = bestFull
	}
	for _, h := range hits {
		lex := share
		if best < 0 {
			lex = share * min(1, h.Rank/best)
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
	top, fillTop := 0.0, 0.0
	for _, h := range hits {
		r, ok := ranks[h.Name]
		if !ok {
			r = 1
		}
		h.Central = math.Log1p(r)
		if h.filler {
			fillTop = max(fillTop, h.Central)
		} else {
			top = max(top, h.Central)
		}
	}
	// Hits that only fill the list set no scale: the others' must not
	// change with the number of hits asked for.
	if top == 0 {
		top = fillTop
	}
	if top > 0 {
		for _, h := range hits {
			h.Central = min(1, h.Central/top)
		}
	}
	return nil
}

// queryEmbedError is the embedding model's failure to embed a query.
type queryEmbedError struct {
	model string
	err   error
}

func (e *queryEmbedError) Error() string {
	return fmt.Sprintf("the query could not be embedded with %s: %v", e.model, e.err)
}

func (e *queryEmbedError) Unwrap() error { return e.err }

// EmbedWarning says that hits were ranked without embeddings, and why
// (Result.EmbedError).
func EmbedWarning(why string) string {
	return "ranked without embeddings: " + why
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
	// A long query (a file, a diff) is embedded by its start, as chunks
	// are: the model reads a few thousand tokens at most, and some
	// providers refuse a longer input rather than cut it.
	qv, err := s.cfg.Embedder.Embed(ctx, s.cfg.EmbedModel, []string{cutText(query, embedMaxBytes)})
	if err != nil {
		return false, &queryEmbedError{s.cfg.EmbedModel, err}
	}
	if len(qv) != 1 {
		return false, &queryEmbedError{s.cfg.EmbedModel, fmt.Errorf("%d vectors for one input", len(qv))}
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
		if !h.filler { // as in central
			lo, hi = min(lo, sims[i]), max(hi, sims[i])
		}
	}
	if lo > hi { // only fillers have embeddings
		for i := range sims {
			if !math.IsNaN(sims[i]) {
				lo, hi = min(lo, sims[i]), max(hi, sims[i])
			}
		}
	}
	for i, h := range hits {
		switch {
		case math.IsNaN(sims[i]):
			h.Semantic = 0
		case hi > lo:
			h.Semantic = min(1, max(0, (sims[i]-lo)/(hi-lo)))
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
