package search

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/words"
)

// A question may name a symbol in words of its own: "http server
// shutdown" is http.(*Server).Shutdown, "read a file line by line as a
// stream" File.stream!/3, "sort a slice" sort.Slice. bm25 does not see
// it: a short body that repeats the words scores better than the
// symbol's long one (http.(*Server).RegisterOnShutdown, whose 10 lines
// say "server" and "shutdown" four times, ranked above Shutdown's 57).
// A hit whose name's every word the question holds, in some form, gets
// coveredBonus: a name of one word does not (a package's header, every
// Read and Close). One that says more than the question gets a part of
// it, when no hit's name is the whole question (setCovers).
//
// In Go, a name's package is a word the question may leave out ("server
// shutdown" is http.(*Server).Shutdown too), as long as two of the name's
// words remain: a method and its type, or a function named in two words
// (os.ReadFile for "read a file").
const coveredBonus = 0.5

// nameParts returns the words of a name as the question would write them:
// its identifiers cut at underscores and case changes, folded, each once,
// without words of one letter and an Elixir arity. Go's package qualifier
// is the first identifier's words; qual is how many of them lead. A word
// of the rest is there though the qualifier has it: time.(*Time).Before
// is time, time, before, and the question must say "time" for the type
// even where it may leave out the package.
func nameParts(name string) (parts []string, qual int) {
	first := true
	words.Scan([]byte(name), func(w []byte) {
		start := 0
		for i := 0; i <= len(w); i++ {
			if i < len(w) && w[i] != '_' {
				continue
			}
			parts = appendCamel(parts, qual, w[start:i])
			start = i + 1
		}
		if first {
			qual, first = len(parts), false
		}
	})
	return parts, qual
}

// appendCamel appends the parts of an identifier written in camel case,
// folded, that parts[from:] does not hold yet: cut before an upper-case
// letter that follows a lower-case one or a digit (getUser), or that
// starts a word after an acronym (HTTPRequest).
func appendCamel(parts []string, from int, w []byte) []string {
	add := func(p []byte) {
		if len(p) < 2 {
			return
		}
		s := words.Fold(string(p))
		for _, o := range parts[from:] {
			if o == s {
				return
			}
		}
		parts = append(parts, s)
	}
	start := 0
	for i := 1; i < len(w); i++ {
		c, prev := w[i], w[i-1]
		if isUpper(c) && (isLower(prev) || isDigit(prev) || isUpper(prev) && i+1 < len(w) && isLower(w[i+1])) {
			add(w[start:i])
			start = i
		}
	}
	add(w[start:])
	return parts
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// covered is how much of the question a chunk's name is, when the name
// is in the question's words: 0 unless the name holds two of them (in
// language lang; a Go name's package may be left out, by the rule above);
// else the share of the question's words (gs) that the name holds, each
// word weighing more the fewer chunks hold it. "hash a string with
// sha256" holds crypto.Hash.String, which is two of its three words, and
// the commoner two: a name in full is a question's whole subject, one that
// leaves out its rarest word is less likely to be. whole reports that the
// question holds every word of the name; a name saying more than the
// question has a part of the share (below).
func covered(name, lang string, held map[string]bool, gs []group) (cover float64, whole bool) {
	parts, qual := nameParts(name)
	if lang != "go" || qual >= len(parts) {
		qual = 0
	}
	missing, other, formed := 0, 0, false
	for i, p := range parts {
		if typed, ok := held[p]; ok {
			formed = formed || !typed && i >= qual
			continue
		}
		if i >= qual {
			other++
		} else {
			missing++
		}
	}
	if len(parts)-missing-other < 2 {
		return 0, false
	}
	in := map[string]bool{}
	for _, p := range parts {
		in[p] = true
	}
	n, of := 0.0, 0.0
	for _, g := range gs {
		if g.prefix || g.df <= 0 {
			continue
		}
		w := 1 / math.Sqrt(float64(g.df)) // a rare word says more
		of += w
		if inName(g, in) {
			n += w
		}
	}
	if of == 0 {
		return 0, false
	}
	share := n / of
	if formed {
		// A word the question says in another form makes a name a little
		// less the question's: "json marshal" is json.Marshal before
		// json.Marshalers.
		share *= formedShare
	}
	cover = share * share
	if other > 0 {
		// A name saying more than the question is about a part of it:
		// toml.(*parser).valueFloat, two thirds of it "floats parsed",
		// gets that share of the cover.
		own := float64(len(parts) - qual)
		cover *= (own - float64(other)) / own
	}
	return cover, other == 0
}

// formedShare weighs the share of a name holding a word of the question
// only in another form than the question's.
const formedShare = 0.95

// inName reports whether the name whose parts are in holds the word of g:
// itself or one of its forms, or all the parts of an identifier
// (handle_call).
func inName(g group, in map[string]bool) bool {
	if in[g.term] {
		return true
	}
	for _, f := range g.forms {
		if in[f] {
			return true
		}
	}
	for _, f := range g.agents {
		if in[f] {
			return true
		}
	}
	ps, _ := nameParts(g.term)
	for _, p := range ps {
		if !in[p] {
			return false
		}
	}
	return len(ps) > 1
}

// heldForms is the set of the words of the question, its identifiers'
// parts (handle_call: handle and call; GenServer: gen and server) and the
// other forms its words were looked for as (slices: slice), the last
// false: the words the question says are true. The words that ask
// (asked) are none: "how" is no word of unix.OpenHow's that the question
// says.
func heldForms(query string, gs []group, asked map[string]bool) map[string]bool {
	held := map[string]bool{}
	parts, _ := nameParts(query)
	for _, p := range parts {
		if !asked[p] {
			held[p] = true
		}
	}
	for _, g := range gs {
		if g.prefix {
			continue
		}
		held[g.term] = true
		for _, f := range append(slices.Clip(g.forms), g.agents...) {
			if _, ok := held[f]; !ok {
				held[f] = false
			}
		}
	}
	return held
}

// The names holding two of a question's maxPaired rarest words, or one
// of them and a stop word it says, are looked up (namedPairs): up to
// pairScan of them are read, and the best pairedNames of those the
// question makes whole are candidates. A short question's stop words,
// at most maxStops, are looked for in names only (stopGroups).
const (
	maxPaired   = 4
	pairedNames = 20
	pairScan    = 2000
	maxStops    = 2
)

// pairs is an FTS5 query for two of the groups' words: each word and any
// of those after it, (a AND (b OR c)) OR (b AND c), which reads each
// word's chunks fewer times than the pairs one by one (a quarter less
// time for four words with many forms).
func pairs(gs []group) string {
	var out []string
	for i := 0; i+1 < len(gs); i++ {
		rest := exprs(gs[i+1:], " OR ")
		if len(gs)-i > 2 {
			rest = "(" + rest + ")"
		}
		out = append(out, "("+gs[i].expr()+" AND "+rest+")")
	}
	return strings.Join(out, " OR ")
}

// stopWordsOf returns the words of a short question that the index's
// query words left out (index.QueryWords drops its stop words: "is",
// "at", "with", "after", "func"), at most maxStops, in the question's
// order. Names hold them (errors.Is, Enum.at/3, context.WithCancel,
// time.AfterFunc) though bodies do not. A question of more than
// maxPaired words has none: its stop words are mostly its prose's. Nor
// are the words that ask (asked: "how is a cidr parsed" asks nothing
// about "is").
func stopWordsOf(query string, kept []index.QueryWord, asked map[string]bool) []string {
	if len(kept) > maxPaired {
		return nil
	}
	seen := map[string]bool{}
	for w := range asked {
		seen[w] = true // the question's asking words name nothing
	}
	for _, w := range kept {
		seen[w.Term] = true
	}
	var out []string
	for field := range strings.FieldsSeq(query) {
		words.Scan([]byte(field), func(w []byte) {
			s := words.Fold(string(w))
			if len(s) < 2 || seen[s] || len(out) >= maxStops || !letters(s) {
				return
			}
			seen[s] = true
			out = append(out, s)
		})
	}
	return out
}

// letters reports whether s is lower-case ASCII letters only: a word of
// prose, not an identifier.
func letters(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLower(s[i]) {
			return false
		}
	}
	return true
}

// stopGroups returns groups for the stop words of a short question, as
// typed, with their chunk counts (in names: bodies leave them out), those
// no chunk holds left out.
func (s *Searcher) stopGroups(ctx context.Context, query string, kept []index.QueryWord, asked map[string]bool) ([]group, error) {
	stops := stopWordsOf(query, kept, asked)
	if len(stops) == 0 {
		return nil, nil
	}
	df, err := s.cfg.Store.CodeTermDocs(ctx, stops)
	if err != nil {
		return nil, fmt.Errorf("search: stop words' counts: %w", err)
	}
	var gs []group
	for _, w := range stops {
		if df[w] > 0 {
			gs = append(gs, group{term: w, forms: []string{w}, df: df[w]})
		}
	}
	return gs, nil
}

// namedPairs returns the chunks whose names hold two of the words of
// paired and that the question makes whole, with how much of it they
// are (covered), the best
// pairedNames of them by how much of the question they are, shorter
// names first among equals. The names are read without bm25: it ranks
// a name by its body too, and short bodies that say the words came
// first ("http get" read 40 names, http.(*http2frameCache).getDataFrame
// and http_test's tests among them, before http.Get); bm25 also costs
// ~3.5 µs a chunk where reading a name costs less than one.
func namedPairs(ctx context.Context, st *db.Store, project int64, paired []group, held map[string]bool, gs []group) ([]db.CodeChunk, map[int64]float64, error) {
	rows, err := st.Query(ctx, `SELECT c.id, c.name, c.lang FROM code_fts JOIN code_chunks AS c ON c.id = code_fts.rowid
		WHERE code_fts MATCH ? AND c.project = ? LIMIT ?`, "name : ("+pairs(paired)+")", project, pairScan)
	if err != nil {
		return nil, nil, fmt.Errorf("search: names holding the question's words: %w", err)
	}
	type named struct {
		id    int64
		name  string
		cover float64
	}
	var found, part []named
	for _, r := range rows.Values {
		id, _ := r[0].(int64)
		name, _ := r[1].(string)
		lang, _ := r[2].(string)
		switch c, whole := covered(name, lang, held, gs); {
		case whole:
			found = append(found, named{id, name, c})
		case c > 0:
			part = append(part, named{id, name, c})
		}
	}
	if len(found) == 0 {
		// No name is the whole question: those holding a part of it
		// are the next best (partCovers).
		found = part
	}
	sort.Slice(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if a.cover != b.cover {
			return a.cover > b.cover
		}
		if len(a.name) != len(b.name) {
			return len(a.name) < len(b.name)
		}
		return a.id < b.id
	})
	ids := make([]int64, 0, pairedNames)
	covers := map[int64]float64{}
	for _, f := range found[:min(len(found), pairedNames)] {
		ids = append(ids, f.id)
		covers[f.id] = f.cover
	}
	cs, err := st.CodeChunksByID(ctx, ids)
	return cs, covers, err
}

// setCovers sets each hit's cover: coveredBonus times how much of the
// question its name is (covered). A name holding a part of the question
// and words it does not say counts only when no hit's name is the whole
// question: a name saying more is about something else then
// (sync.(*RWMutex).Unlock for "mutex unlock of unlocked mutex", whose
// sync.(*Mutex).Unlock is the question whole; http.(*Server).
// RegisterOnShutdown for "server shutdown"). When none is, as on
// BurntSushi/toml for "how are floats parsed", the name saying most of it
// is the best there is (toml.(*parser).valueFloat). Hits that only fill
// the list are not asked: the first hits must not change with their
// number. It reports whether a hit's name is the whole question.
func setCovers(hits []*Hit, held map[string]bool, gs []group) bool {
	wholes := make([]bool, len(hits))
	anyWhole := false
	for i, h := range hits {
		c, whole := covered(h.Name, h.Lang, held, gs)
		h.cover, wholes[i] = coveredBonus*c, whole && c > 0
		anyWhole = anyWhole || wholes[i] && !h.filler
	}
	if !anyWhole {
		return false
	}
	for i, h := range hits {
		if !wholes[i] {
			h.cover = 0
		}
	}
	return true
}
