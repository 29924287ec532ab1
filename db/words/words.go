// Package words cuts text into words as the code index's full-text table
// (FTS5, tokenizer unicode61 with "_" as a token character) cuts it into
// tokens, and folds them as it does. The index's word lists, its queries
// and the store's name lookups all cut text here, so that no word of
// theirs is two tokens to the table.
package words

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxLen is the length in bytes of the longest word the index holds:
// longer ones are generated identifiers and encoded data, which nobody
// searches for.
const MaxLen = 64

// Words are cut where the full-text index's tokenizer (unicode61, with "_"
// as a token character) cuts tokens, so that each word of a list or a query
// is one token: a quoted word the tokenizer splits in two would be a
// phrase, two adjacent words, not the word. unicode61 keeps letters, numbers and
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

// Scan calls fn with each word of text.
func Scan(text []byte, fn func(w []byte)) {
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
			if !Continues(r) {
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

// Continues reports whether r continues a word: what starts one, a number,
// or a combining mark of the Latin letters.
func Continues(r rune) bool {
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
// They are found on first use, not at start-up: every aiex process would
// otherwise pay for decomposing ~800 letters (0.3 ms), --help included.
var latinMarks = sync.OnceValue(func() (set [0x70]bool) {
	for _, block := range [][2]rune{{0xC0, 0x250}, {0x1E00, 0x1F00}} {
		for r := block[0]; r < block[1]; r++ {
			if _, mark, ok := latinParts(r); ok {
				set[mark-0x300] = true
			}
		}
	}
	return set
})

// latinMark reports whether r is one of latinMarks.
func latinMark(r rune) bool { return 0x300 <= r && r < 0x370 && latinMarks()[r-0x300] }

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

// Fold returns word w as the tokenizer stores it (remove_diacritics=1):
// each character case-folded, a Latin letter with one diacritic made the
// plain letter (É, é: e; İ: i), the Latin marks left out. Letters with two
// diacritics (ǘ, ệ) keep them, as the tokenizer does, and so do other
// scripts (й, ά).
func Fold(w string) string {
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
