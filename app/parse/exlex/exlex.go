// Package exlex splits Elixir source into tokens by scanning its text: the
// comments, strings, charlists, heredocs, sigils, atoms, keyword keys,
// character literals, numbers, module attributes, module names and
// identifiers a highlighter colours and a reference finder looks through.
// It is not a parser: punctuation and operators give no tokens, and it
// never fails. Text it does not understand gives no token, and a string
// left open runs to the end of the input (FindUnclosed says which one and
// where it starts).
//
// Two users read the tokens: the chunker (app/chunk), which finds the
// calls and module names a piece of code refers to, and the terminal
// Markdown renderer (ui/markdown), which highlights Elixir code blocks.
// Both read the source around a token themselves where they need to (what
// follows an alias, whether a name follows a dot).
package exlex

import "unicode/utf8"

// Kind is what a token is.
type Kind uint8

// The kinds of token. A string, heredoc, sigil or quoted atom with
// interpolations is split into pieces at them: the piece before holds the
// "#{", the piece after starts at the closing "}", and the interpolated
// code between gives tokens of its own, one Depth deeper.
const (
	// Comment is '#' to the end of the line, without the newline.
	Comment Kind = iota + 1
	// String is a string ("…") or a charlist ('…'), with its quotes.
	String
	// Heredoc is a triple-quoted string or charlist; its closing quotes
	// start a line after white space.
	Heredoc
	// Sigil is ~r/…/flags and the like, from '~' to after the modifiers.
	// Lower-case sigils interpolate, upper-case ones do not; a sigil with
	// a delimiter it does not know is only "~r".
	Sigil
	// QuotedAtom is :"…" or :'…'.
	QuotedAtom
	// Atom is :name or :Name, with its colon.
	Atom
	// Key is a keyword key with its colon: do:, name:, Foo:.
	Key
	// Char is a character literal: ?a, ?\n, ?".
	Char
	// Number is an integer or float: 1_000, 0x1F, 1.5e-3.
	Number
	// Attr is a module attribute: @doc.
	Attr
	// Alias is a module name: Foo or Foo.Bar.Baz.
	Alias
	// Ident is a name: a variable, a function, a reserved word. A trailing
	// ? or ! is part of it.
	Ident
)

var kindNames = [...]string{"", "Comment", "String", "Heredoc", "Sigil", "QuotedAtom", "Atom", "Key",
	"Char", "Number", "Attr", "Alias", "Ident"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return "Kind(?)"
}

// Token is one token: src[Start:End]. Depth is how many interpolations
// (#{…}) it is inside; 0 is top-level code.
type Token struct {
	Kind       Kind
	Start, End int
	Depth      int
}

// Lex calls emit for each token of src, in order. Tokens are not empty and
// do not overlap.
func Lex[S ~string | ~[]byte](src S, emit func(Token)) {
	l := lexer[S]{src: src, emit: emit}
	l.code(0, 0)
}

// Unclosed is a string, charlist, heredoc, sigil or quoted atom whose
// closing delimiter is missing: it runs to the end of the input.
type Unclosed struct {
	// Start is its first byte: the quote, the sigil's '~' or the atom's ':'.
	Start int
	// What names it as the Elixir tokenizer does: "string" (charlists
	// too), "heredoc" (heredoc sigils too), "atom", or "sigil" and its
	// opening (`sigil ~s"`, `sigil ~r/`).
	What string
	// Closer is the missing delimiter: `"`, `'''`, `)`, `/`.
	Closer string
}

// FindUnclosed returns the literal of src that is left open, if any. When
// one is left open inside the interpolation of another ("a #{"b), it is
// the inner one, as the Elixir tokenizer reports. An interpolation left
// open ("a #{b) is not a literal left open: the parser reports that.
func FindUnclosed[S ~string | ~[]byte](src S) (Unclosed, bool) {
	var u Unclosed
	l := lexer[S]{src: src, emit: func(Token) {}, unclosed: &u}
	l.code(0, 0)
	return u, u.What != ""
}

type lexer[S ~string | ~[]byte] struct {
	src  S
	emit func(Token)
	// unclosed, when set, receives the first literal found left open.
	unclosed *Unclosed
}

// open records, for FindUnclosed, that the literal from start, whose
// opening delimiter ends at bodyStart, has no closer before the end of the
// input.
func (l *lexer[S]) open(k Kind, start, bodyStart int, closer string) {
	if l.unclosed == nil || l.unclosed.What != "" {
		return
	}
	what := "string"
	switch {
	case k == Heredoc || len(closer) == 3:
		what = "heredoc"
	case k == QuotedAtom:
		what = "atom"
	case k == Sigil:
		what = "sigil " + string(l.src[start:bodyStart])
	}
	*l.unclosed = Unclosed{Start: start, What: what, Closer: closer}
}

func (l *lexer[S]) tok(k Kind, start, end, depth int) {
	if end > start {
		l.emit(Token{k, start, end, depth})
	}
}

// IsLower reports a byte that starts a name: a-z or '_'.
func IsLower(c byte) bool { return c >= 'a' && c <= 'z' || c == '_' }

// IsUpper reports a byte that starts a module name: A-Z.
func IsUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// IsIdent reports a byte that continues a name: a letter, a digit, '_' or
// any byte of a multi-byte UTF-8 sequence (non-ASCII names).
func IsIdent(c byte) bool { return IsLower(c) || IsUpper(c) || isDigit(c) || c >= 0x80 }

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || IsUpper(c) }

// IdentEnd returns the end of the name that starts at i, with a trailing
// ? or !.
func IdentEnd[S ~string | ~[]byte](src S, i int) int {
	for i < len(src) && IsIdent(src[i]) {
		i++
	}
	if i < len(src) && (src[i] == '?' || src[i] == '!') {
		i++
	}
	return i
}

// AfterDot reports whether the byte before i is a dot that makes the name
// at i a field or function (x.name), not the end of a range (a..b).
func AfterDot[S ~string | ~[]byte](src S, i int) bool {
	return i > 0 && src[i-1] == '.' && (i < 2 || src[i-2] != '.')
}

// code scans code from i at the given interpolation depth. Inside an
// interpolation (depth > 0) it stops after the '}' that closes it and
// returns the index after it.
func (l *lexer[S]) code(i, depth int) int {
	src := l.src
	braces := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '#':
			e := i
			for e < len(src) && src[e] != '\n' {
				e++
			}
			l.tok(Comment, i, e, depth)
			i = e
		case c == '"' || c == '\'':
			if i+2 < len(src) && src[i+1] == c && src[i+2] == c {
				i = l.heredoc(Heredoc, i, i+3, c, true, depth)
			} else {
				i = l.quoted(String, i, i+1, c, true, depth)
			}
		case c == '~' && i+1 < len(src) && isLetter(src[i+1]):
			i = l.sigil(i, depth)
		case c == '?' && i+1 < len(src) && src[i+1] != ' ' && src[i+1] != '\n':
			e := i + 1
			if src[e] == '\\' && e+1 < len(src) {
				e++
			}
			e += runeLen(src[e:min(e+utf8.UTFMax, len(src))])
			l.tok(Char, i, e, depth)
			i = e
		case c == ':':
			i = l.atom(i, depth)
		case c == '@' && i+1 < len(src) && IsLower(src[i+1]):
			e := IdentEnd(src, i+1)
			l.tok(Attr, i, e, depth)
			i = e
		case IsUpper(c):
			e := IdentEnd(src, i)
			for e+1 < len(src) && src[e] == '.' && IsUpper(src[e+1]) {
				e = IdentEnd(src, e+1)
			}
			if e+1 < len(src) && src[e] == ':' && src[e+1] != ':' {
				l.tok(Key, i, e+1, depth)
				e++
			} else {
				l.tok(Alias, i, e, depth)
			}
			i = e
		case IsLower(c) || c >= 0x80:
			e := IdentEnd(src, i)
			// A keyword key, unless it follows a dot (x.y: is a field
			// and a colon).
			if !AfterDot(src, i) && e < len(src) && src[e] == ':' && (e+1 == len(src) || src[e+1] != ':') {
				l.tok(Key, i, e+1, depth)
				e++
			} else {
				l.tok(Ident, i, e, depth)
			}
			i = e
		case isDigit(c):
			e := i + 1
			hex := c == '0' && e < len(src) && (src[e] == 'x' || src[e] == 'X')
			for e < len(src) {
				d := src[e]
				if IsIdent(d) || d == '.' && e+1 < len(src) && isDigit(src[e+1]) ||
					(d == '+' || d == '-') && !hex && (src[e-1] == 'e' || src[e-1] == 'E') {
					e++
					continue
				}
				break
			}
			l.tok(Number, i, e, depth)
			i = e
		case c == '{' && depth > 0:
			braces++
			i++
		case c == '}' && depth > 0:
			i++
			if braces == 0 {
				return i
			}
			braces--
		default:
			i++
		}
	}
	return i
}

// runeLen is the length of the UTF-8 sequence that starts s: 1 for a byte
// that does not start one, 0 for an empty s.
func runeLen[S ~string | ~[]byte](s S) int {
	_, n := utf8.DecodeRuneInString(string(s))
	return n
}

// atom handles ':' at i: "::", :atom, :"quoted atom", or a lone colon.
func (l *lexer[S]) atom(i, depth int) int {
	src := l.src
	if i+1 >= len(src) {
		return i + 1
	}
	switch c := src[i+1]; {
	case c == ':':
		return i + 2
	case c == '"' || c == '\'':
		return l.quoted(QuotedAtom, i, i+2, c, true, depth)
	case IsLower(c) || IsUpper(c) || c >= 0x80:
		e := IdentEnd(src, i+1)
		l.tok(Atom, i, e, depth)
		return e
	}
	return i + 1
}

// quoted scans a string, charlist, quoted atom or sigil body from i (after
// the opening delimiter) to after the closer, giving tokens of kind k from
// start; interpolations (when interp) are scanned as code. It returns the
// index after the closer, or the end of the input.
func (l *lexer[S]) quoted(k Kind, start, i int, closer byte, interp bool, depth int) int {
	start, end := l.body(k, start, i, closer, interp, depth)
	l.tok(k, start, end, depth)
	return end
}

// body is quoted without its last token, which starts at the returned
// start and ends at end (the sigil adds its modifiers to it). An
// interpolation that reaches the end of the input ends the token: nothing
// is left, not even a '}' closing it there.
func (l *lexer[S]) body(k Kind, start, i int, closer byte, interp bool, depth int) (int, int) {
	src := l.src
	litStart, bodyStart := start, i
	for i < len(src) {
		switch c := src[i]; {
		case c == '\\':
			i += 2
		case interp && c == '#' && i+1 < len(src) && src[i+1] == '{':
			l.tok(k, start, i+2, depth)
			if i = l.code(i+2, depth+1); i >= len(src) {
				return len(src), len(src)
			}
			start = i - 1
		case c == closer:
			return start, i + 1
		default:
			i++
		}
	}
	l.open(k, litStart, bodyStart, string(closer))
	return start, len(src)
}

// heredoc scans a heredoc from i (after the opening triple quote q) to
// after the closing one, as quoted does.
func (l *lexer[S]) heredoc(k Kind, start, i int, q byte, interp bool, depth int) int {
	start, end := l.heredocBody(k, start, i, q, interp, depth)
	l.tok(k, start, end, depth)
	return end
}

// heredocBody is heredoc without its last token, as body is for quoted.
func (l *lexer[S]) heredocBody(k Kind, start, i int, q byte, interp bool, depth int) (int, int) {
	src := l.src
	litStart, bodyStart := start, i
	lineStart := false
	for i < len(src) {
		c := src[i]
		if lineStart {
			if c == ' ' || c == '\t' {
				i++
				continue
			}
			if c == q && i+2 < len(src) && src[i+1] == q && src[i+2] == q {
				return start, i + 3
			}
			lineStart = false
		}
		switch {
		case c == '\n':
			lineStart = true
			i++
		case c == '\\':
			// A backslash at the end of a line joins it with the next,
			// which can still close the heredoc.
			lineStart = i+1 < len(src) && src[i+1] == '\n'
			i += 2
		case interp && c == '#' && i+1 < len(src) && src[i+1] == '{':
			l.tok(k, start, i+2, depth)
			if i = l.code(i+2, depth+1); i >= len(src) {
				return len(src), len(src)
			}
			start = i - 1
		default:
			i++
		}
	}
	l.open(k, litStart, bodyStart, string([]byte{q, q, q}))
	return start, len(src)
}

// sigil scans ~r/…/flags and the like from the '~' at i.
func (l *lexer[S]) sigil(start, depth int) int {
	src := l.src
	i := start + 1
	interp := src[i] >= 'a' && src[i] <= 'z'
	for i < len(src) && isLetter(src[i]) {
		i++
	}
	if i >= len(src) {
		l.tok(Sigil, start, i, depth)
		return i
	}
	var end int
	d := src[i]
	if (d == '"' || d == '\'') && i+2 < len(src) && src[i+1] == d && src[i+2] == d {
		start, end = l.heredocBody(Sigil, start, i+3, d, interp, depth)
	} else {
		closer := d
		switch d {
		case '(':
			closer = ')'
		case '[':
			closer = ']'
		case '{':
			closer = '}'
		case '<':
			closer = '>'
		case '/', '|', '"', '\'':
		default:
			l.tok(Sigil, start, i, depth)
			return i
		}
		start, end = l.body(Sigil, start, i+1, closer, interp, depth)
	}
	for end < len(src) && isLetter(src[end]) {
		end++
	}
	l.tok(Sigil, start, end, depth)
	return end
}
