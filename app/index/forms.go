package index

import (
	"strings"
	"unicode"

	"github.com/aiex-dev/aiex/db/words"
	"github.com/kljensen/snowball/english"
)

// Questions are asked in English ("gracefully shut down", "retried
// requests") and the code holds other forms of their words (graceful,
// Shutdown, retry, request). The index keeps words as written, and a query
// looks for a word's other forms instead: the words of the index's
// vocabulary (code_fts_terms) that have the same English stem, by the
// Snowball English stemmer (Porter2), found in the range of the vocabulary
// that starts with what the word and its stem share. app/search does the
// looking up; every form it adds is a word the index holds, with its own
// chunk count, so planning a query by those counts stays exact.
//
// Stemming as words go in (FTS5's porter tokenizer) was the other way. It
// would spend the store's one apply thread on every word of every index
// run, conflate identifiers (porter makes get_user get_us, and generic,
// general and generate all gener), and still miss the commonest case
// here: its Porter stems gracefully as gracefulli and graceful as grace.

// MinPrefix is the shortest range of the vocabulary a word's forms are
// looked for in: a shorter one (dying: d, for die) would be much of the
// vocabulary, so such a word is looked for as typed.
const MinPrefix = 3

// QueryWord is a word of a query as the index holds it, with what finds
// its other forms in the index's vocabulary.
type QueryWord struct {
	// Term is the word folded as the tokenizer folds it.
	Term string
	// Stem is its English stem, "" when the word is looked for as typed
	// only: it is part of a symbol (http.Server, get_user, Enum.map/2),
	// written in camel case or capitals (ServeHTTP, TLS), holds other
	// than ASCII letters, or its forms have no prefix of MinPrefix bytes.
	Stem string
	// Prefix starts every other form of the word: what the word and its
	// stem share, less a final e or i, which other forms change (retry,
	// retried: retri → retr; grace, graceful: grace → grac).
	Prefix string
}

// QueryWords returns the distinct words of q as the index holds them
// (QueryTerms), each with its stem when its other forms are to be looked
// for.
func QueryWords(q string) []QueryWord {
	var all, kept []QueryWord
	seen := map[string]bool{}
	for field := range strings.FieldsSeq(q) {
		plain := !symbol(field)
		words.Scan([]byte(field), func(w []byte) {
			if len(w) < 2 || len(w) > words.MaxLen {
				return
			}
			s := words.Fold(string(w))
			if seen[s] {
				return
			}
			seen[s] = true
			qw := QueryWord{Term: s}
			if plain && prose(w) {
				qw.Stem, qw.Prefix = stemPrefix(s)
			}
			all = append(all, qw)
			if !stopWords[s] {
				kept = append(kept, qw)
			}
		})
	}
	if len(kept) == 0 {
		return all
	}
	return kept
}

// Compound returns a and b written as one word (shut down: shutdown;
// time out: timeout), as code often writes them, when both are words of
// prose; ok is false otherwise.
func Compound(a, b QueryWord) (QueryWord, bool) {
	if a.Stem == "" || b.Stem == "" || len(a.Term)+len(b.Term) > words.MaxLen {
		return QueryWord{}, false
	}
	c := QueryWord{Term: a.Term + b.Term}
	c.Stem, c.Prefix = stemPrefix(c.Term)
	return c, true
}

// suffixStarts are the letters an English suffix that the stemmer takes
// off starts with (-able, -ed, -ful, -ing, -ly, -ment, -ness, -or, -s,
// -tion, -y and the rest). Another form of a word is its Prefix followed
// by one of them, by the Prefix's last letter doubled (shut: shutting) or
// by the rest of its stem (grac: grace). Words of the vocabulary that go
// on otherwise are identifiers that begin with the word (errorf,
// errorhandler): in the Go standard library's index, 3,409 of the 3,489
// words that begin with "error". On a seventh of that index's words, every
// form found in a word's whole range was found in these.
const suffixStarts = "aefilmnosty"

// Ranges returns the ranges of the vocabulary, half-open and in order, that
// hold the word's other forms, besides its Prefix itself; none for a word
// looked for as typed.
func (w QueryWord) Ranges() [][2]string {
	if w.Stem == "" {
		return nil
	}
	var next [26]bool
	for _, c := range []byte(suffixStarts) {
		next[c-'a'] = true
	}
	next[w.Prefix[len(w.Prefix)-1]-'a'] = true
	if len(w.Stem) > len(w.Prefix) && lower(w.Stem[len(w.Prefix)]) {
		next[w.Stem[len(w.Prefix)]-'a'] = true
	}
	var out [][2]string
	for c := 0; c < 26; c++ {
		if !next[c] {
			continue
		}
		end := c
		for end+1 < 26 && next[end+1] {
			end++
		}
		out = append(out, [2]string{w.Prefix + string(rune('a'+c)), w.Prefix + string(rune('a'+end+1))})
		c = end
	}
	return out
}

// Stem returns the English stem of a word of the index's vocabulary, ""
// if it is not a word of ASCII letters in lower case (as the vocabulary
// folds them): other words are not forms of a query's word.
func Stem(term string) string {
	for i := 0; i < len(term); i++ {
		if !lower(term[i]) {
			return ""
		}
	}
	return english.Stem(term, true)
}

// stemPrefix returns the stem of a folded word of ASCII letters and the
// prefix of the vocabulary its forms are in; "", "" when that prefix is
// shorter than MinPrefix.
func stemPrefix(term string) (stem, prefix string) {
	stem = english.Stem(term, true)
	n := 0
	for n < len(term) && n < len(stem) && term[n] == stem[n] {
		n++
	}
	if n == len(stem) && n > 0 && (stem[n-1] == 'e' || stem[n-1] == 'i') {
		n--
	}
	if n < MinPrefix {
		return "", ""
	}
	return stem, term[:n]
}

// prose reports whether a word as typed is one of prose: ASCII letters,
// all in lower case or only the first in upper case (a sentence's first
// word). Others are names (ServeHTTP, TLS, utf8) and are looked for as
// typed.
func prose(w []byte) bool {
	for i, c := range w {
		if !lower(c) && !(i == 0 && upper(c)) {
			return false
		}
	}
	return true
}

// symbol reports whether a whitespace-separated field of a query is a
// symbol (http.Server, get_user, Enum.map/2, (*Server).Serve) rather than
// a word of prose, which may be quoted, bracketed, end a sentence or hold
// an apostrophe or hyphen (server's, non-blocking).
func symbol(field string) bool {
	field = strings.TrimLeft(field, "\"'`‘“([{")
	field = strings.TrimRight(field, ".,;:!?\"'`’”)]}")
	for _, r := range field {
		if !unicode.IsLetter(r) && !unicode.IsMark(r) && !strings.ContainsRune("'’-", r) {
			return true
		}
	}
	return false
}
