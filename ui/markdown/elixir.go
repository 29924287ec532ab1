package markdown

import "unicode/utf8"

// exLexer highlights Elixir by scanning its text: comments, strings,
// charlists, heredocs and sigils (with interpolated code highlighted
// inside), atoms and keyword keys, numbers and character literals,
// module attributes, module names, reserved words and the names that
// def/defp/defmacro… define. It follows the rules of app/chunk's Elixir
// lexer (which finds calls for the code index), and like it, it never
// fails: text it does not understand stays plain, and an
// unterminated string runs to the end of the block.
type exLexer struct {
	src    string
	spans  []hlSpan
	defEnd int // end of the last def-like keyword, or -1
}

func elixirSpans(code string) []hlSpan {
	l := &exLexer{src: code, defEnd: -1}
	l.code(0, false)
	return l.spans
}

func (l *exLexer) add(start, end int, st style) {
	if end <= start {
		return
	}
	if n := len(l.spans); n > 0 && l.spans[n-1].end == start && l.spans[n-1].st == st {
		l.spans[n-1].end = end
		return
	}
	l.spans = append(l.spans, hlSpan{start, end, st})
}

func exLower(c byte) bool  { return c >= 'a' && c <= 'z' || c == '_' }
func exUpper(c byte) bool  { return c >= 'A' && c <= 'Z' }
func exDigit(c byte) bool  { return c >= '0' && c <= '9' }
func exIdent(c byte) bool  { return exLower(c) || exUpper(c) || exDigit(c) || c >= 0x80 }
func exLetter(c byte) bool { return c >= 'a' && c <= 'z' || exUpper(c) }

// ident returns the end of the identifier at i, with a trailing ? or !.
func (l *exLexer) ident(i int) int {
	for i < len(l.src) && exIdent(l.src[i]) {
		i++
	}
	if i < len(l.src) && (l.src[i] == '?' || l.src[i] == '!') {
		i++
	}
	return i
}

// code scans code from i. Nested in an interpolation, it stops after the
// '}' that closes it and returns the index after it.
func (l *exLexer) code(i int, nested bool) int {
	src := l.src
	depth := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '#':
			e := i
			for e < len(src) && src[e] != '\n' {
				e++
			}
			l.add(i, e, colComment|stItalic)
			i = e
		case c == '"' || c == '\'':
			if i+2 < len(src) && src[i+1] == c && src[i+2] == c {
				i = l.heredoc(i, i+3, c, true, colString)
			} else {
				i = l.quoted(i, i+1, c, true, colString)
			}
		case c == '~' && i+1 < len(src) && exLetter(src[i+1]):
			i = l.sigil(i)
		case c == '?' && i+1 < len(src) && src[i+1] != ' ' && src[i+1] != '\n':
			e := i + 1
			if src[e] == '\\' && e+1 < len(src) {
				e++
			}
			_, n := utf8.DecodeRuneInString(src[e:])
			e += n
			l.add(i, e, colNumber)
			i = e
		case c == ':':
			i = l.atom(i)
		case c == '@' && i+1 < len(src) && exLower(src[i+1]):
			e := l.ident(i + 1)
			l.add(i, e, colAttr)
			i = e
		case exUpper(c):
			e := l.ident(i)
			for e+1 < len(src) && src[e] == '.' && exUpper(src[e+1]) {
				e = l.ident(e + 1)
			}
			if e+1 < len(src) && src[e] == ':' && src[e+1] != ':' {
				l.add(i, e+1, colConst) // Foo: is a keyword key
				e++
			} else {
				l.add(i, e, colType)
			}
			i = e
		case exLower(c) || c >= 0x80:
			i = l.word(i)
		case exDigit(c):
			e := i + 1
			hex := c == '0' && e < len(src) && (src[e] == 'x' || src[e] == 'X')
			for e < len(src) {
				d := src[e]
				if exIdent(d) || d == '.' && e+1 < len(src) && exDigit(src[e+1]) ||
					(d == '+' || d == '-') && !hex && (src[e-1] == 'e' || src[e-1] == 'E') {
					e++
					continue
				}
				break
			}
			l.add(i, e, colNumber)
			i = e
		case c == '{' && nested:
			depth++
			i++
		case c == '}' && nested:
			i++
			if depth == 0 {
				return i
			}
			depth--
		default:
			i++
		}
	}
	return i
}

// word handles the identifier at i: a reserved word, a keyword key
// (do:), true/false/nil, or the name a def defines.
func (l *exLexer) word(i int) int {
	src := l.src
	e := l.ident(i)
	w := src[i:e]
	afterDot := i > 0 && src[i-1] == '.' && (i < 2 || src[i-2] != '.')
	defName := l.defEnd >= 0 && onlyBlanks(src[l.defEnd:i])
	l.defEnd = -1
	switch {
	case afterDot:
	case e+1 < len(src) && src[e] == ':' && src[e+1] != ':' || e+1 == len(src) && src[e] == ':':
		if exReserved(w) {
			l.add(i, e+1, colKeyword)
		} else {
			l.add(i, e+1, colConst)
		}
		return e + 1
	case exReserved(w):
		l.add(i, e, colKeyword)
		if exDefines(w) {
			l.defEnd = e
		}
	case w == "true" || w == "false" || w == "nil":
		l.add(i, e, colConst)
	case defName:
		l.add(i, e, colFunc)
	}
	return e
}

func onlyBlanks(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' {
			return false
		}
	}
	return len(s) > 0
}

// atom handles ':' at i: "::", :atom, :"quoted atom", or a lone colon.
func (l *exLexer) atom(i int) int {
	src := l.src
	if i+1 >= len(src) {
		return i + 1
	}
	switch c := src[i+1]; {
	case c == ':':
		return i + 2
	case c == '"' || c == '\'':
		return l.quoted(i, i+2, c, true, colConst)
	case exLower(c) || exUpper(c) || c >= 0x80:
		e := l.ident(i + 1)
		l.add(i, e, colConst)
		return e
	}
	return i + 1
}

// quoted scans a string, charlist, quoted atom or sigil body from i
// (after the opening delimiter) to after the closing one; the text from
// start is in style st, interpolations (when interp) are code.
func (l *exLexer) quoted(start, i int, closer byte, interp bool, st style) int {
	src := l.src
	for i < len(src) {
		switch c := src[i]; {
		case c == '\\':
			i += 2
		case interp && c == '#' && i+1 < len(src) && src[i+1] == '{':
			l.add(start, i+2, st)
			if i = l.code(i+2, true); i >= len(src) {
				return len(src)
			}
			start = i - 1
		case c == closer:
			l.add(start, i+1, st)
			return i + 1
		default:
			i++
		}
	}
	l.add(start, min(i, len(src)), st)
	return len(src)
}

// heredoc scans a heredoc from i (after the opening triple quote) to
// after the closing one, which starts a line after white space.
func (l *exLexer) heredoc(start, i int, q byte, interp bool, st style) int {
	src := l.src
	lineStart := false
	for i < len(src) {
		c := src[i]
		if lineStart {
			if c == ' ' || c == '\t' {
				i++
				continue
			}
			if c == q && i+2 < len(src) && src[i+1] == q && src[i+2] == q {
				l.add(start, i+3, st)
				return i + 3
			}
			lineStart = false
		}
		switch {
		case c == '\n':
			lineStart = true
			i++
		case c == '\\':
			lineStart = i+1 < len(src) && src[i+1] == '\n'
			i += 2
		case interp && c == '#' && i+1 < len(src) && src[i+1] == '{':
			l.add(start, i+2, st)
			if i = l.code(i+2, true); i >= len(src) {
				return len(src)
			}
			start = i - 1
		default:
			i++
		}
	}
	l.add(start, min(i, len(src)), st)
	return len(src)
}

// sigil scans ~r/…/flags and the like from the '~' at i.
func (l *exLexer) sigil(i int) int {
	src := l.src
	start := i
	i++
	interp := src[i] >= 'a' && src[i] <= 'z'
	for i < len(src) && exLetter(src[i]) {
		i++
	}
	if i >= len(src) {
		l.add(start, i, colString)
		return i
	}
	d := src[i]
	if (d == '"' || d == '\'') && i+2 < len(src) && src[i+1] == d && src[i+2] == d {
		i = l.heredoc(start, i+3, d, interp, colString)
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
			l.add(start, i, colString)
			return i
		}
		i = l.quoted(start, i+1, closer, interp, colString)
	}
	e := i
	for e < len(src) && exLetter(src[e]) {
		e++
	}
	l.add(i, e, colString)
	return e
}

// exReserved reports Elixir's reserved words and the special forms and
// Kernel macros that read as keywords.
func exReserved(w string) bool {
	switch w {
	case "do", "end", "fn", "when", "and", "or", "not", "in", "case", "cond", "if", "unless", "else", "try",
		"catch", "rescue", "after", "receive", "with", "for", "quote", "unquote", "unquote_splicing",
		"import", "alias", "require", "use", "raise", "reraise", "throw", "super",
		"__MODULE__", "__ENV__", "__DIR__", "__CALLER__", "__STACKTRACE__",
		"defmodule", "defprotocol", "defimpl", "defstruct", "defexception", "defoverridable":
		return true
	}
	return exDefines(w)
}

// exDefines reports the keywords whose next word is a function's name.
func exDefines(w string) bool {
	switch w {
	case "def", "defp", "defmacro", "defmacrop", "defguard", "defguardp", "defdelegate", "defn", "defnp":
		return true
	}
	return false
}
