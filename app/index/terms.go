package index

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The lexical index (code_fts) holds, for each chunk, the words of its name
// and the distinct words of its body, as space-separated lists that its
// tokenizer (unicode61, with "_" as a word character) splits again and
// folds (lower case, Latin letters without their accents). A word is a run
// of letters, digits and underscores that starts with a letter or an
// underscore, in any script (see scan). Dotted names (http.Server,
// MyApp.Repo) are separate words.
//
// Names get more: each word also split at underscores and case changes
// (get_user: get, user; parseHTTPRequest: parse, HTTP, Request), so that a
// search for "user" finds getUser. Bodies do not: that would add a third
// to the index's size and to the time to build it (DESIGN.md), and a
// body's identifiers are mostly found by their whole name. Bodies also
// leave out the languages' keywords and the commonest English words, which
// every chunk has: another ~12 %.

// maxTermLen drops longer words: generated identifiers and encoded data,
// which nobody searches for.
const maxTermLen = 64

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
	scan(text, func(w []byte) {
		if len(w) < 2 || len(w) > maxTermLen {
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
	scan([]byte(name), func(w []byte) {
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
	return string(t.out)
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
	if len(w) < 2 || len(w) > maxTermLen || t.words[string(w)] {
		return
	}
	t.words[string(w)] = true
	if len(t.out) > 0 {
		t.out = append(t.out, ' ')
	}
	t.out = append(t.out, w...)
}

// Words are cut where the full-text index's tokenizer (unicode61, with "_"
// as a token character) cuts tokens, so that each word of a list or a query
// is one token: with detail=column, a quoted word the tokenizer splits in
// two is a phrase, which FTS5 rejects. unicode61 keeps letters, numbers and
// private-use characters (categories L*, N*, Co) and separates at anything
// else (punctuation, symbols, spaces of any kind; here invalid UTF-8 too);
// inside a token it also keeps the combining marks of accented Latin letters
// ("cafe\u0301"), which it folds away. A word here must moreover start with
// a letter, "_" or a private-use character, as identifiers do ("2x" is x):
// that only ever cuts finer than the tokenizer.
//
// The tokenizer's Unicode tables are older (Unicode 6) than Go's. What
// Unicode assigned since is a token character there, whatever its class,
// so a word here is never split by it; but a few characters since moved
// from combining marks to letters (laterLetters), and case pairs added
// since are not folded there (laterCase). TestWordsAreTokens compares
// every character with SQLite's own tokenizer.

// scan calls fn with each word of text.
func scan(text []byte, fn func(w []byte)) {
	for i := 0; i < len(text); {
		j := i + 1
		if c := text[i]; c < utf8.RuneSelf {
			if asciiWord[c] != wordStarts {
				i++
				continue
			}
		} else {
			r, n := utf8.DecodeRune(text[i:])
			if !wordStart(r) {
				i += n
				continue
			}
			j = i + n
		}
		for j < len(text) {
			if c := text[j]; c < utf8.RuneSelf {
				if asciiWord[c] == 0 {
					break
				}
				j++
				continue
			}
			r, n := utf8.DecodeRune(text[j:])
			if !wordRune(r) {
				break
			}
			j += n
		}
		fn(text[i:j])
		i = j
	}
}

// asciiWord classes ASCII: letters and "_" start words (wordStarts),
// digits only continue them (wordContinues), the rest separates (0).
var asciiWord = func() (t [utf8.RuneSelf]uint8) {
	for c := range t {
		switch b := byte(c); {
		case b == '_' || upper(b) || lower(b):
			t[c] = wordStarts
		case digit(b):
			t[c] = wordContinues
		}
	}
	return t
}()

const (
	wordStarts = 1 + iota
	wordContinues
)

// wordStart reports whether r starts a word: a letter, "_" or a
// private-use character.
func wordStart(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r] == wordStarts
	}
	return (unicode.IsLetter(r) || unicode.Is(unicode.Co, r)) && !laterLetter(r)
}

// wordRune reports whether r continues a word: what starts one, a number,
// or a combining mark of the Latin letters.
func wordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r] != 0
	}
	return (unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r)) && !laterLetter(r) || latinMark(r)
}

// laterLetters are letters that were combining marks in Unicode 6 (New
// Tai Lue vowel signs, two Vedic signs): the tokenizer separates tokens
// at them.
var laterLetters = [...][2]rune{{0x19B0, 0x19C0}, {0x19C8, 0x19C9}, {0x1CF2, 0x1CF3}}

func laterLetter(r rune) bool {
	for _, rg := range laterLetters {
		if rg[0] <= r && r <= rg[1] {
			return true
		}
	}
	return false
}

func upper(c byte) bool { return 'A' <= c && c <= 'Z' }
func lower(c byte) bool { return 'a' <= c && c <= 'z' }
func digit(c byte) bool { return '0' <= c && c <= '9' }

// latinMarks holds the combining marks that accented Latin letters
// decompose into (U+0300 grave … U+0331 macron below): the ones unicode61
// takes as part of a token and removes. They are found, not listed: the
// marks of every canonical decomposition of a Latin letter into an ASCII
// letter and one mark.
var latinMarks = func() (set [0x70]bool) {
	for _, block := range [][2]rune{{0xC0, 0x250}, {0x1E00, 0x1F00}} {
		for r := block[0]; r < block[1]; r++ {
			if _, mark, ok := latinParts(r); ok {
				set[mark-0x300] = true
			}
		}
	}
	return set
}()

// latinMark reports whether r is one of latinMarks.
func latinMark(r rune) bool { return 0x300 <= r && r < 0x370 && latinMarks[r-0x300] }

// latinParts splits r if its canonical decomposition is an ASCII letter
// and one combining mark of the block U+0300–U+036F (é: e, U+0301).
func latinParts(r rune) (base byte, mark rune, ok bool) {
	if r < 0xC0 || r > 0xFFFF {
		return 0, 0, false
	}
	d := norm.NFD.String(string(r))
	if len(d) < 2 || !(upper(d[0]) || lower(d[0])) {
		return 0, 0, false
	}
	m, n := utf8.DecodeRuneInString(d[1:])
	if 1+n != len(d) || m < 0x300 || m >= 0x370 {
		return 0, 0, false
	}
	return d[0], m, true
}

// fold returns word w as the tokenizer stores it (remove_diacritics=1):
// each character case-folded, a Latin letter with one diacritic made the
// plain letter (É, é: e; İ: i), the Latin marks left out. Letters with two
// diacritics (ǘ, ệ) keep them, as the tokenizer does, and so do other
// scripts (й, ά).
func fold(w string) string {
	ascii := true
	for i := 0; i < len(w) && ascii; i++ {
		ascii = w[i] < utf8.RuneSelf
	}
	if ascii {
		return strings.ToLower(w)
	}
	var b strings.Builder
	for _, r := range w {
		if latinMark(r) {
			continue
		}
		r = foldCase(r)
		if base, _, ok := latinParts(r); ok {
			r = unicode.ToLower(rune(base))
		}
		b.WriteRune(r)
	}
	return b.String()
}

// foldCase is Unicode's simple case folding, which the tokenizer applies:
// mostly the lower case, but ſ folds to s, ς to σ and µ to μ, while ı and
// İ, folded only in Turkish, stay as they are. Case pairs newer than the
// tokenizer's tables stay too: laterCase, and outside the BMP all but
// Deseret's.
func foldCase(r rune) rune {
	if r < utf8.RuneSelf {
		return unicode.ToLower(r)
	}
	if r > 0xFFFF && !(0x10400 <= r && r < 0x10450) {
		return r
	}
	for _, rg := range laterCase {
		if rg[0] <= r && r <= rg[1] {
			return r
		}
	}
	for _, c := range [2]rune{unicode.ToLower(unicode.ToUpper(r)), unicode.ToLower(r)} {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f == c {
				return c
			}
		}
	}
	return r
}

// laterCase are the case pairs of the BMP that Unicode added after version
// 6 (Cherokee's lower case, Georgian's Mtavruli, Latin and Cyrillic
// additions): the tokenizer leaves their letters as they are.
var laterCase = [...][2]rune{
	{0x037F, 0x037F}, {0x0528, 0x052F}, {0x13A0, 0x13FF}, {0x1C80, 0x1CBF}, {0x2C2F, 0x2C2F},
	{0xA698, 0xA69B}, {0xA796, 0xA79F}, {0xA7AB, 0xA7FF}, {0xAB70, 0xABBF},
}

// MatchQuery turns what someone typed into an FTS5 query over code_fts:
// chunks holding every word (in the name or the body), words as the index
// cuts them (http.Server is http and Server). Stop words are dropped
// unless nothing else is left, and so are words too short or too long to
// be indexed. It returns "" when q holds no word to look for.
func MatchQuery(q string) string {
	var all, kept []string
	scan([]byte(q), func(w []byte) {
		if len(w) < 2 || len(w) > maxTermLen {
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
	var all, kept []string
	seen := map[string]bool{}
	scan([]byte(q), func(w []byte) {
		if len(w) < 2 || len(w) > maxTermLen {
			return
		}
		s := fold(string(w))
		if seen[s] {
			return
		}
		seen[s] = true
		all = append(all, s)
		if !stopWords[s] {
			kept = append(kept, s)
		}
	})
	if len(kept) == 0 {
		return all
	}
	return kept
}
