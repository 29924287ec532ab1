package search

import (
	"math"
	"strings"

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
// Read and Close), nor does one the question holds a part of.
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
// is in the question's words: 0 unless the question holds every word of
// the name (in language lang, but for a Go name's package, by the rule
// above); else the share of the question's words (gs) that the name holds,
// each word weighing more the fewer chunks hold it. "hash a string with
// sha256" holds crypto.Hash.String, which is two of its three words, and
// the commoner two: a name in full is a question's whole subject, one that
// leaves out its rarest word is less likely to be.
func covered(name, lang string, held map[string]bool, gs []group) float64 {
	parts, qual := nameParts(name)
	if lang != "go" || qual >= len(parts) {
		qual = 0
	}
	missing := 0
	for i, p := range parts {
		if held[p] {
			continue
		}
		if i >= qual {
			return 0
		}
		missing++
	}
	if len(parts)-missing < 2 {
		return 0
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
		return 0
	}
	share := n / of
	return share * share
}

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
// other forms its words were looked for as (slices: slice).
func heldForms(query string, gs []group) map[string]bool {
	held := map[string]bool{}
	parts, _ := nameParts(query)
	for _, p := range parts {
		held[p] = true
	}
	for _, g := range gs {
		if g.prefix {
			continue
		}
		held[g.term] = true
		for _, f := range g.forms {
			held[f] = true
		}
	}
	return held
}

// The names holding two of a question's maxPaired rarest words are
// looked up, the best pairedNames of them by bm25.
const (
	maxPaired   = 4
	pairedNames = 20
)

// pairs is an FTS5 query for two of the groups' words.
func pairs(gs []group) string {
	var out []string
	for i := range gs {
		for j := i + 1; j < len(gs); j++ {
			out = append(out, "("+gs[i].expr()+" AND "+gs[j].expr()+")")
		}
	}
	return strings.Join(out, " OR ")
}
