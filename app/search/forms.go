package search

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/index"
)

// A group is a word of the query and the words of the index that stand for
// it: the word as typed, its other forms (retried: retry, retries) and
// compounds it makes with a word next to it (shut down: shutdown). A chunk
// matches the group when it holds any of them (app/index/forms.go).
type group struct {
	term  string
	forms []string // the index's words for it, term first if the index holds it
	df    int64    // chunks holding any of forms, at most: the sum of each's count
	// agents are the nouns of the index naming what does what the word
	// says (parse: parser; write: writer; scan: scanner), looked for in
	// names only (agentOf).
	agents []string
	// prefix says the term is looked for as the beginning of words
	// (prefixes): no word of the index is the term or another form of it.
	prefix bool
}

// expr is the group as an FTS5 query: its words ORed, its agent nouns in
// names, or the prefix query of the term.
func (g group) expr() string {
	if g.prefix {
		return quote([]string{g.term}, "") + "*"
	}
	if len(g.agents) == 0 {
		if len(g.forms) == 1 {
			return quote(g.forms, "")
		}
		return "(" + quote(g.forms, " OR ") + ")"
	}
	return "(" + quote(g.forms, " OR ") + " OR name : (" + quote(g.agents, " OR ") + "))"
}

// A question says what code does ("how are floats parsed") and its names
// say what does it: toml.(*parser).valueFloat is the float parser, its
// receiver's type the word "parser". The stemmer makes a long agent noun
// the verb's form already (decoder, encoder, compiler: decod, encod,
// compil) but not a short one, whose -er it leaves (parser, reader,
// writer, server, scanner, handler). Such a noun is looked for in names
// only: in bodies it is mostly a variable or a package (go/parser's
// parser, io.Reader's reader, held by 2,376 chunks of the standard library
// where "read" is in names of 2,265), and would make the verb's group as
// common as the noun.
//
// agentOf reports whether word, of stem st, is an agent noun of a verb of
// stem verb: it ends in -er or -ers, and its stem is the verb's and -er,
// -r after its e (write: writer) or -er after its last letter doubled
// (scan: scanner). A word whose stem is so by another suffix is not:
// enumerable's stem is enumer, and no enum does it.
func agentOf(word, st, verb string) bool {
	if len(verb) < index.MinPrefix || !strings.HasSuffix(strings.TrimSuffix(word, "s"), "er") {
		return false
	}
	return st == verb+"er" || st == verb+"r" && strings.HasSuffix(verb, "e") ||
		st == verb+verb[len(verb)-1:]+"er"
}

// exprs joins the groups' FTS5 queries with sep (" AND ", " OR "):
// FTS5 reads a group in parentheses after a word as a syntax error, not
// as the AND that a space means between words.
func exprs(gs []group, sep string) string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.expr()
	}
	return strings.Join(out, sep)
}

// maxRange bounds the words read from one part of a range: a part with
// more keeps the first ones, in byte order. The word as typed is looked
// up apart, so only other forms can be missed.
const maxRange = 5000

// wideRange is how many words of a word's whole range are read at first;
// of a range holding more, the rest is read only in the parts that can
// hold forms (index.QueryWord.Ranges). The vocabulary's cursor spends
// ~0.8 µs a word and some 40 µs to open a range (or a part): on the
// standard library's index most ranges hold a few hundred words, but
// those of the short words of identifiers hold more (read: 637; new:
// 1,355; error: 3,489, ~3 ms whole, ~1.4 ms read so). Past about this
// many words the rest of a range costs more than its parts.
const wideRange = 400

// maxSuffix is how much longer than its prefix another form of a word can
// be (function: functionalities; cancel: cancellation). The longer words
// of a range are identifiers that begin with the word (errorhandler), not
// forms of it, and are not stemmed.
const maxSuffix = 10

// groups returns a group for each word of ws, in the same order, with the
// index's words for it and their chunk counts, read from the vocabulary
// (code_fts_terms) in one query, and one more when a range holds many
// words: the words as typed, and for each word of prose the ranges of the
// vocabulary its other forms are in, of which the words with the same
// stem are kept. With agents, a verb's agent nouns are kept too, for
// names (agentOf): a question says what code does, a symbol typed is
// looked for as it is (Serve is not Server).
func (s *Searcher) groups(ctx context.Context, ws []index.QueryWord, withAgents bool) ([]group, error) {
	// Compounds of neighbours: each is a form of both words.
	type compound struct {
		at   int // of the first word
		word index.QueryWord
	}
	var comps []compound
	for i := 0; i+1 < len(ws); i++ {
		if c, ok := index.Compound(ws[i], ws[i+1]); ok {
			comps = append(comps, compound{i, c})
		}
	}

	// First the words as typed and each word's whole range, up to
	// wideRange words; then, for the words whose range held more, the
	// rest of the parts of it their other forms can be in
	// (index.QueryWord.Ranges).
	var q vocabQuery
	var ranged []index.QueryWord // in the order of q.ranges
	prefixes := map[string]bool{}
	want := func(w index.QueryWord) {
		q.exact = append(q.exact, w.Term)
		if w.Stem == "" || prefixes[w.Prefix] {
			return
		}
		prefixes[w.Prefix] = true
		// The prefix is ASCII letters: its range ends before the prefix
		// with its last letter's successor.
		end := w.Prefix[:len(w.Prefix)-1] + string(w.Prefix[len(w.Prefix)-1]+1)
		q.ranges = append(q.ranges, [2]string{w.Prefix, end})
		ranged = append(ranged, w)
	}
	for _, w := range ws {
		want(w)
	}
	for _, c := range comps {
		want(c.word)
	}
	df := map[string]int64{}
	last, err := q.read(ctx, s, s.wideRange, df)
	if err != nil {
		return nil, err
	}
	q = vocabQuery{}
	for i, w := range ranged {
		if last[i] == "" {
			continue // read whole
		}
		// Words up to the last read are in df: read the rest.
		after := last[i] + "\x00"
		for _, r := range w.Ranges() {
			if r[1] > after {
				q.ranges = append(q.ranges, [2]string{max(r[0], after), r[1]})
			}
		}
	}
	if len(q.ranges) > 0 {
		if _, err := q.read(ctx, s, maxRange, df); err != nil {
			return nil, err
		}
	}

	stems := map[string]string{} // of the words read, as needed
	forms := func(w index.QueryWord) (out, agents []string) {
		if df[w.Term] > 0 {
			out = append(out, w.Term)
		}
		if w.Stem == "" {
			return out, nil
		}
		var more []string
		for t := range df {
			if t == w.Term || len(t) > len(w.Prefix)+maxSuffix || !strings.HasPrefix(t, w.Prefix) {
				continue
			}
			st, ok := stems[t]
			if !ok {
				st = index.Stem(t)
				stems[t] = st
			}
			switch {
			case sameStem(st, w.Stem):
				more = append(more, t)
			case withAgents && agentOf(t, st, w.Stem):
				agents = append(agents, t)
			}
		}
		sortForms(more)
		sortForms(agents)
		return append(out, more...), agents
	}

	gs := make([]group, len(ws))
	for i, w := range ws {
		fs, agents := forms(w)
		if len(fs) == 0 {
			agents = nil // a word no chunk holds is looked for as a beginning
		}
		gs[i] = group{term: w.Term, forms: fs, agents: agents}
	}
	for _, c := range comps {
		fs, _ := forms(c.word)
		for _, f := range fs {
			gs[c.at].forms = appendNew(gs[c.at].forms, f)
			gs[c.at+1].forms = appendNew(gs[c.at+1].forms, f)
		}
	}
	for i := range gs {
		// An agent noun counts all the chunks holding it, though only
		// its names match: the plan's counts stay an upper bound.
		for _, f := range append(slices.Clip(gs[i].forms), gs[i].agents...) {
			gs[i].df += df[f]
		}
	}
	return gs, nil
}

// sameStem reports whether two stems are one word's: the same, or one
// the other and an e after a vowel. The stemmer keeps the e of a word
// whose vowels all come last (queue, queues: queue) and takes it off with
// -ed or -ing (queued, queuing: queu), and "how are writes queued" did not
// find rqlite's queue.Queue. An e after a consonant makes another word
// (rat, rate).
func sameStem(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	return a == b || len(b) == len(a)+1 && b[len(a)] == 'e' && strings.HasPrefix(b, a) &&
		a != "" && strings.IndexByte("aeiouy", a[len(a)-1]) >= 0
}

// sortForms orders a word's other forms shortest first, then
// alphabetically, so that a group reads the same every time.
func sortForms(fs []string) {
	slices.SortFunc(fs, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
	})
}

func appendNew(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// maxCompound is how many SELECTs one statement of vocabQuery.read joins:
// SQLite refuses a compound SELECT of more than 500.
const maxCompound = 400

// vocabQuery reads words and ranges of the vocabulary (code_fts_terms)
// with their chunk counts, in one query.
type vocabQuery struct {
	exact  []string
	ranges [][2]string // half-open
}

// read adds the words read and their chunk counts to df, reading up to
// limit words of each range, and returns for each range that held more
// the last word read ("" for the others).
func (q vocabQuery) read(ctx context.Context, s *Searcher, limit int, df map[string]int64) ([]string, error) {
	var sql []string
	var args []any
	for i, r := range q.ranges {
		sql = append(sql, `SELECT * FROM (SELECT term, doc, ? FROM code_fts_terms WHERE term >= ? AND term < ? LIMIT ?)`)
		args = append(args, i, r[0], r[1], limit)
	}
	if len(q.exact) > 0 {
		b, _ := json.Marshal(q.exact) // strings always encode
		sql = append(sql, `SELECT term, doc, -1 FROM code_fts_terms WHERE term IN (SELECT value FROM json_each(?))`)
		args = append(args, string(b))
	}
	last := make([]string, len(q.ranges))
	counts := make([]int, len(q.ranges))
	// SQLite allows 500 terms in a compound SELECT: a query of many words
	// reads its ranges in several statements. (Each range's SELECT takes
	// four arguments; the words as typed, one.)
	for len(sql) > 0 {
		n := min(len(sql), maxCompound)
		nargs := 0
		for _, part := range sql[:n] {
			nargs += strings.Count(part, "?")
		}
		rows, err := s.cfg.Store.Query(ctx, strings.Join(sql[:n], " UNION ALL "), args[:nargs]...)
		if err != nil {
			return nil, fmt.Errorf("search: the index's words: %w", err)
		}
		sql, args = sql[n:], args[nargs:]
		for _, r := range rows.Values {
			t, ok := r[0].(string)
			if !ok {
				continue
			}
			df[t], _ = r[1].(int64)
			if i, _ := r[2].(int64); i >= 0 && int(i) < len(counts) {
				counts[i]++
				last[i] = max(last[i], t)
			}
		}
	}
	for i, n := range counts {
		if n < limit {
			last[i] = ""
		}
	}
	return last, nil
}
