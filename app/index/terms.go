package index

import (
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"

	"github.com/aiex-dev/aiex/db/words"
)

// The lexical index (code_fts) holds, for each chunk, the words of its name
// and the distinct words of its body, as space-separated lists that its
// tokenizer (unicode61, with "_" as a word character) splits again and
// folds (lower case, Latin letters without their accents). A word is a run
// of letters, digits and underscores that starts with a letter or an
// underscore, in any script (db/words). Dotted names (http.Server,
// MyApp.Repo) are separate words.
//
// Names get more: each word also split at underscores and case changes
// (get_user: get, user; parseHTTPRequest: parse, HTTP, Request), so that a
// search for "user" finds getUser. Bodies do not: that would add a third
// to the index's size and to the time to build it (DESIGN.md), and a
// body's identifiers are mostly found by their whole name. Bodies also
// leave out the languages' keywords and the commonest English words, which
// every chunk has: another ~12 %.

// stopWords are left out of bodies and queries.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for w := range strings.FieldsSeq(`
		break case chan const continue default defer else fallthrough for func go goto if import
		interface package range return select struct switch type var nil true false
		after alias and catch cond def defmacro defmodule defp do end fn in not or quote receive
		require rescue unquote use when with
		the to of is it be that this as by on at are we an from can will if so all any its`) {
		m[w] = true
	}
	return m
}()

// terms builds word lists; one per goroutine, reused.
type terms struct {
	out   []byte
	slots []int32 // body's hash set: 1 + the offset in out of a word, or 0
	words map[string]bool
}

func newTerms() *terms { return &terms{words: map[string]bool{}} }

// body returns the distinct words of a chunk's text, stop words left out.
// The result is valid until the next call. (It dedupes with an open hash
// set over the words already in out: no allocation per word.)
func (t *terms) body(text []byte) string {
	t.out = t.out[:0]
	n := 16
	for n < len(text)/2 { // a word and its separator take 3 bytes or more
		n <<= 1
	}
	if cap(t.slots) < n {
		t.slots = make([]int32, n)
	} else {
		t.slots = t.slots[:n]
		clear(t.slots)
	}
	mask := uint32(n - 1)
	words.Scan(text, func(w []byte) {
		if len(w) < 2 || len(w) > words.MaxLen {
			return
		}
		h := hash(w)
		if isStop(h, w) {
			return
		}
		for i := h & mask; ; i = (i + 1) & mask {
			at := t.slots[i]
			if at == 0 {
				if len(t.out) > 0 {
					t.out = append(t.out, ' ')
				}
				t.slots[i] = int32(len(t.out)) + 1
				t.out = append(t.out, w...)
				return
			}
			start, end := int(at-1), int(at-1)+len(w)
			if end <= len(t.out) && (end == len(t.out) || t.out[end] == ' ') && string(t.out[start:end]) == string(w) {
				return
			}
		}
	})
	return string(t.out)
}

// hash is FNV-1a.
func hash(w []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range w {
		h = (h ^ uint32(c)) * 16777619
	}
	return h
}

// stopTable is stopWords as an open hash set keyed by hash.
var stopTable = func() [512]string {
	var tab [512]string
	for w := range stopWords {
		i := hash([]byte(w)) & 511
		for tab[i] != "" {
			i = (i + 1) & 511
		}
		tab[i] = w
	}
	return tab
}()

func isStop(h uint32, w []byte) bool {
	for i := h & 511; stopTable[i] != ""; i = (i + 1) & 511 {
		if stopTable[i] == string(w) {
			return true
		}
	}
	return false
}

// name returns the words of a chunk's name and their parts.
func (t *terms) name(name string) string {
	t.reset()
	t.nameWords(name)
	return string(t.out)
}

// nameAndMembers returns the words of a chunk's name and of the names it
// declares besides (a Go const/var group's members, which its name shows
// four of), with their parts: a group is a name match for each of its
// names. A member's words of one letter are there too, unlike a name's:
// db.Store.CodeChunksNamedLike finds `const ( A = iota; B )` by B through
// them; no query looks for a one-letter word otherwise (MatchQuery,
// QueryTerms).
func (t *terms) nameAndMembers(name string, members []string) string {
	t.reset()
	t.nameWords(name)
	for _, m := range members {
		words.Scan([]byte(m), func(w []byte) {
			if len(w) == 1 && !t.words[string(w)] {
				t.words[string(w)] = true
				t.appendWord(w)
			}
		})
		t.nameWords(m)
	}
	return string(t.out)
}

// nameWords adds the words of a name and their parts.
func (t *terms) nameWords(name string) {
	words.Scan([]byte(name), func(w []byte) {
		t.add(w)
		start := 0
		for i := 0; i <= len(w); i++ {
			if i < len(w) && w[i] != '_' {
				continue
			}
			t.add(w[start:i])
			t.camel(w[start:i])
			start = i + 1
		}
	})
}

func (t *terms) reset() {
	t.out = t.out[:0]
	clear(t.words)
}

// camel adds the parts of an identifier written in camel case: it cuts
// before an upper-case letter that follows a lower-case one or a digit
// (getUser), or that starts a word after an acronym (HTTPRequest).
func (t *terms) camel(w []byte) {
	start := 0
	for i := 1; i < len(w); i++ {
		if c, prev := w[i], w[i-1]; upper(c) && (lower(prev) || digit(prev) || upper(prev) && i+1 < len(w) && lower(w[i+1])) {
			t.add(w[start:i])
			start = i
		}
	}
	if start > 0 {
		t.add(w[start:])
	}
}

// add records a word of a name unless it is too short, too long or
// already there.
func (t *terms) add(w []byte) {
	if len(w) < 2 || len(w) > words.MaxLen || t.words[string(w)] {
		return
	}
	t.words[string(w)] = true
	t.appendWord(w)
}

func (t *terms) appendWord(w []byte) {
	if len(t.out) > 0 {
		t.out = append(t.out, ' ')
	}
	t.out = append(t.out, w...)
}

// be indexed. It returns "" when q holds no word to look for.
func MatchQuery(q string) string {
	var all, kept []string
	words.Scan([]byte(q), func(w []byte) {
		if len(w) < 2 || len(w) > words.MaxLen {
			return // not in the index
		}
		s := `"` + string(w) + `"`
		all = append(all, s)
		if !stopWords[strings.ToLower(string(w))] {
			kept = append(kept, s)
		}
	})
	if len(kept) == 0 {
		kept = all
	}
	return strings.Join(kept, " ")
}

// QueryTerms returns the distinct words of q as the index holds them
// (folded as its tokenizer folds them: lower case, Latin letters without
// their accent), stop words dropped unless nothing else is left, in the
// order typed.
func QueryTerms(q string) []string {
	ws := QueryWords(q)
	if ws == nil {
		return nil
	}
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Term
	}
	return out
}

func upper(c byte) bool { return 'A' <= c && c <= 'Z' }
func lower(c byte) bool { return 'a' <= c && c <= 'z' }
func digit(c byte) bool { return '0' <= c && c <= '9' }

// namedAfterContainer reports whether a chunk's name is its container's
// rather than its own: an Elixir code chunk inside a module or describe
// block (a lone @compile line, trailing comments) is named after it. Its
// name column then holds no words, so that a search of the module's name
// does not rank it as the module. Top-level code is named after its file,
// which is its own name.
func namedAfterContainer(kind, parent string) bool {
	return kind == chunk.KindCode && parent != ""
}
