package search

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/db"
)

// A question may name a symbol among its words: "how does Enum.reduce work
// on maps", "why does Server.Shutdown wait", "what calls handle_call". Its
// words alone rank it no higher than a module whose long doc holds the
// question's other words (Mix.Tasks.Release's came before Enum.reduce/3).
// The chunks a mention names get mentionBonus times how much of their name
// it is (completes): a name in full its whole share, a name begun
// (TrimSpa) its part. Mentions with a qualifier or an arity
// (Enum.reduce, http.Server, get_user/1) are also looked up by name, as a
// symbol typed alone is, since those few chunks may hold none of the
// question's words; a bare name (handle_call, ListenAndServe) may name a
// unit of every module, and only lifts the hits its words found.
const (
	mentionBonus = exactBonus
	// maxMentions bounds the lookups a question costs.
	maxMentions = 4
	// mentionLookup is how many chunks one qualified mention adds.
	mentionLookup = 4
)

// mentions returns the words of a question that look like symbols, as
// typed, without the punctuation around them, at most maxMentions.
func mentions(query string) []string {
	var out []string
	for _, f := range strings.Fields(query) {
		w := strings.Trim(f, "`\"'“”‘’,;:!?[]{}")
		// A sentence's full stop, and a call's parentheses: Enum.map(),
		// Serve().
		w = strings.TrimSuffix(strings.TrimRight(w, "."), "()")
		if strings.HasPrefix(w, "(") && !strings.HasPrefix(w, "(*") {
			w = strings.TrimLeft(w, "(")
		}
		if strings.HasSuffix(w, ")") && strings.Count(w, "(") < strings.Count(w, ")") {
			w = strings.TrimRight(w, ")")
		}
		if w == "" || !symbolLike(w) {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == w
		}
		if !dup {
			out = append(out, w)
		}
		if len(out) == maxMentions {
			break
		}
	}
	return out
}

// symbolLike tells a word that only a symbol would be: parts joined by
// dots (Enum.reduce, http.(*Server).Serve), an arity (get_user/1), words
// joined by underscores (handle_call) or a capital within a word
// (GenServer, listenAndServe). A word of plain prose, capitalised or not,
// a path (lib/foo.ex, net/http) and a version (1.14.0) are not.
func symbolLike(w string) bool {
	if strings.ContainsAny(w, `\:@#$%^&=+<>|~`) || strings.Contains(w, "..") {
		return false
	}
	if i := strings.LastIndexByte(w, '/'); i >= 0 {
		arity := w[i+1:]
		if arity == "" || strings.Trim(arity, "0123456789") != "" || strings.Contains(w[:i], "/") {
			return false // a path, not a name and its arity
		}
		return identStart(w[:i]) || dotted(w[:i])
	}
	if strings.Contains(w, ".") {
		return dotted(w)
	}
	if !identStart(w) {
		return false
	}
	if i := strings.IndexByte(w, '_'); i > 0 && i < len(w)-1 {
		return true
	}
	prevLower := false
	for _, r := range w {
		if unicode.IsUpper(r) && prevLower {
			return true
		}
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
	}
	return false
}

// dotted tells names joined by dots (Enum.reduce, http.(*Server).Serve),
// the last one not a file's extension (foo.ex, main.go, README.md), not
// all of one letter (e.g).
func dotted(w string) bool {
	parts := strings.Split(strings.NewReplacer("(*", "", ")", "").Replace(w), ".")
	long := false
	for _, p := range parts {
		if !identStart(p) {
			return false
		}
		long = long || utf8.RuneCountInString(p) > 1
	}
	return long && !fileExt[parts[len(parts)-1]]
}

// fileExt are extensions a word with a dot may end with in a question.
var fileExt = map[string]bool{
	"go": true, "ex": true, "exs": true, "md": true, "mod": true, "sum": true, "txt": true,
	"json": true, "toml": true, "yaml": true, "yml": true, "heex": true, "eex": true, "leex": true,
	"sh": true, "sql": true, "html": true, "js": true, "ts": true, "css": true, "log": true, "lock": true,
}

// identStart tells a name: a letter or underscore first, then letters,
// digits, underscores, and Elixir's closing ? or !.
func identStart(s string) bool {
	if s == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s)
	if r != '_' && !unicode.IsLetter(r) {
		return false
	}
	s = strings.TrimRight(s, "?!")
	for _, r := range s {
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// qualified tells a mention that names few chunks: one with a qualifier
// or an arity.
func qualified(m string) bool { return strings.ContainsAny(m, "./") }

// mentioned is how much of name the question's mentions are at most
// (completes), an arity typed counting only if it is the name's.
func mentioned(name string, ms []string) float64 {
	best := 0.0
	for _, m := range ms {
		if i := strings.LastIndexByte(m, '/'); i > 0 {
			if j := strings.LastIndexByte(name, '/'); j < 0 || name[j:] != m[i:] {
				continue
			}
			m = m[:i]
		}
		best = max(best, completes(name, m))
		if pm := PointerMethod(m); pm != "" {
			best = max(best, completes(name, pm))
		}
	}
	return best
}

// addMentioned adds the chunks the qualified mentions name.
func addMentioned(ctx context.Context, st *db.Store, project int64, ms []string, add func(db.CodeChunk, float64) *Hit) error {
	for _, m := range ms {
		if !qualified(m) {
			continue
		}
		cs, err := Named(ctx, st, project, m, mentionLookup)
		if err != nil {
			return err
		}
		for _, c := range cs[:min(len(cs), mentionLookup)] {
			add(c, 0)
		}
	}
	return nil
}
