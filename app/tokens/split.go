package tokens

import (
	"unicode"
	"unicode/utf8"
)

// The encodings cut a text into pieces with a regular expression before
// merging each piece's bytes (the BPE proper); merges never cross a piece.
// The library runs that expression with a backtracking engine, which takes
// three quarters of a count. The functions here cut a text exactly as the
// two expressions do, in one pass over its runes; the expressions are
//
//	o200k_base:
//	  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	  |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//	  |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
//	cl100k_base:
//	  (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*
//	  |\s*[\r\n]+|\s+(?!\S)|\s+
//
// with the first alternative that matches winning, each quantifier greedy
// and given back only as far as the rest needs. \s is unicode.IsSpace, the
// classes are Go's Unicode tables, as in the library's engine, and an
// invalid UTF-8 byte is one U+FFFD. TestSplitClasses checks every rune's
// classes against the library's engine, TestSplitAgainstRegexp the pieces
// on real code and on random strings.

// Rune classes, as bits.
const (
	cLetter  = 1 << iota // \p{L}
	cNumber              // \p{N}
	cSpace               // \s
	cUpper               // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
	cLower               // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
	cNewline             // \r or \n
)

// asciiClass holds the classes of the ASCII runes.
var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for r := range rune(utf8.RuneSelf) {
		t[r] = classOf(r)
	}
	return t
}()

// classOf returns r's classes.
func classOf(r rune) uint8 {
	var c uint8
	if unicode.IsLetter(r) {
		c |= cLetter
		if !unicode.IsLower(r) {
			c |= cUpper
		}
		if !unicode.IsUpper(r) && !unicode.IsTitle(r) {
			c |= cLower
		}
	}
	if unicode.IsMark(r) {
		c |= cUpper | cLower
	}
	if unicode.IsNumber(r) {
		c |= cNumber
	}
	if unicode.IsSpace(r) {
		c |= cSpace
	}
	if r == '\r' || r == '\n' {
		c |= cNewline
	}
	return c
}

// at returns the rune at t[i], its classes and its length in bytes.
func at(t string, i int) (rune, uint8, int) {
	if b := t[i]; b < utf8.RuneSelf {
		return rune(b), asciiClass[b], 1
	}
	r, n := utf8.DecodeRuneInString(t[i:])
	return r, classOf(r), n
}

// prefix reports a rune that may go before a run of letters:
// [^\r\n\p{L}\p{N}].
func prefix(c uint8) bool { return c&(cNewline|cLetter|cNumber) == 0 }

// punct reports [^\s\p{L}\p{N}].
func punct(c uint8) bool { return c&(cSpace|cLetter|cNumber) == 0 }

// run returns the end of the run of runes from i having any of the
// classes in c.
func run(t string, i int, c uint8) int {
	for i < len(t) {
		_, rc, n := at(t, i)
		if rc&c == 0 {
			break
		}
		i += n
	}
	return i
}

// contraction returns the end of (?i:'s|'t|'re|'ve|'m|'ll|'d) at i, or i.
func contraction(t string, i int) int {
	if i+1 >= len(t) || t[i] != '\'' {
		return i
	}
	lower := func(j int) rune {
		r, _ := utf8.DecodeRuneInString(t[j:])
		return unicode.ToLower(r)
	}
	switch lower(i + 1) {
	case 's', 't', 'm', 'd':
		return i + 2
	case 'r', 'v':
		if i+2 < len(t) && lower(i+2) == 'e' {
			return i + 3
		}
	case 'l':
		if i+2 < len(t) && lower(i+2) == 'l' {
			return i + 3
		}
	}
	return i
}

// splitO200k returns the end of the piece of o200k_base that starts at
// t[i].
func splitO200k(t string, i int) int {
	r, c, n := at(t, i)
	// [^\r\n\p{L}\p{N}]?[upper]*[lower]+'s?, with the prefix, then without.
	if prefix(c) && i+n < len(t) {
		if end := upperLower(t, i+n); end > 0 {
			return end
		}
	}
	if c&(cUpper|cLower) != 0 {
		if end := upperLower(t, i); end > 0 {
			return end
		}
	}
	// [^\r\n\p{L}\p{N}]?[upper]+[lower]*'s?, alike.
	if prefix(c) && i+n < len(t) {
		if _, c2, _ := at(t, i+n); c2&cUpper != 0 {
			return contraction(t, run(t, run(t, i+n, cUpper), cLower))
		}
	}
	if c&cUpper != 0 {
		return contraction(t, run(t, run(t, i, cUpper), cLower))
	}
	return splitRest(t, i, r, c, n, true)
}

// upperLower returns the end of [upper]*[lower]+'s? at t[p], or 0: the
// greedy upper run gives back runes until one that is also lower starts
// the lower run.
func upperLower(t string, p int) int {
	q := -1 // where the lower run starts
	for j := p; j < len(t); {
		_, c, n := at(t, j)
		if c&cLower != 0 {
			q = j
		}
		if c&cUpper == 0 {
			break
		}
		j += n
	}
	if q < 0 {
		return 0
	}
	return contraction(t, run(t, q, cLower))
}

// splitCl100k returns the end of the piece of cl100k_base that starts at
// t[i].
func splitCl100k(t string, i int) int {
	if end := contraction(t, i); end > i {
		return end
	}
	r, c, n := at(t, i)
	// [^\r\n\p{L}\p{N}]?\p{L}+
	if prefix(c) && i+n < len(t) {
		if _, c2, _ := at(t, i+n); c2&cLetter != 0 {
			return run(t, i+n, cLetter)
		}
	}
	if c&cLetter != 0 {
		return run(t, i, cLetter)
	}
	return splitRest(t, i, r, c, n, false)
}

// splitRest returns the end of the piece at t[i] (the rune r, of classes c
// and n bytes) for the alternatives the two expressions share:
// \p{N}{1,3}, ` ?[^\s\p{L}\p{N}]+` followed by [\r\n]* (o200k_base:
// [\r\n/]*), \s*[\r\n]+, \s+(?!\S) and \s+.
func splitRest(t string, i int, r rune, c uint8, n int, slash bool) int {
	if c&cNumber != 0 {
		end := i + n
		for k := 1; k < 3 && end < len(t); k++ {
			_, c2, n2 := at(t, end)
			if c2&cNumber == 0 {
				break
			}
			end += n2
		}
		return end
	}
	p := i
	if r == ' ' {
		p++
	}
	if p < len(t) {
		if _, c2, n2 := at(t, p); punct(c2) {
			end := p + n2
			for end < len(t) {
				_, c3, n3 := at(t, end)
				if !punct(c3) {
					break
				}
				end += n3
			}
			for end < len(t) && (t[end] == '\r' || t[end] == '\n' || slash && t[end] == '/') {
				end++
			}
			return end
		}
	}
	if c&cSpace == 0 {
		return i + n // not reached: every rune is a letter, a number, a space or else
	}
	// A run of white space: up to its last line break, if it has one;
	// else all of it at the text's end, or all but its last rune (which
	// goes with what follows), or a lone rune.
	lastBreak, last, end := -1, i, i
	for end < len(t) {
		_, c2, n2 := at(t, end)
		if c2&cSpace == 0 {
			break
		}
		if c2&cNewline != 0 {
			lastBreak = end
		}
		last = end
		end += n2
	}
	switch {
	case lastBreak >= 0:
		return lastBreak + 1
	case end == len(t) || last == i:
		return end
	}
	return last
}
