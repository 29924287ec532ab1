package chunk

import "unicode/utf8"

// exLexer finds references in Elixir source by scanning its text: remote
// calls (Mod.fun, :mod.fun, __MODULE__.fun), local calls written with
// parentheses (fun(…)) and module names, skipping comments, strings,
// charlists, heredocs, sigils, atoms and character literals. It sees what
// the tree-sitter query `(call target: (dot left: [(alias) (atom)]
// right: (identifier)))`, `(call target: (identifier))`, `(alias)` sees,
// except local calls without parentheses (which text cannot tell from
// variables), at a fraction of the cost: running a query walks the whole
// tree through cgo, ~25% of the parse (see DESIGN.md). A test checks it
// against the query on the Elixir sources.
type exLexer struct {
	src  []byte
	refs []rawRef
}

// exLexRefs returns the references in src, in order.
func exLexRefs(src []byte) []rawRef {
	l := &exLexer{src: src}
	l.code(0, false)
	return l.refs
}

func isLower(c byte) bool   { return c >= 'a' && c <= 'z' || c == '_' }
func isUpper(c byte) bool   { return c >= 'A' && c <= 'Z' }
func isIdent(c byte) bool   { return isLower(c) || isUpper(c) || c >= '0' && c <= '9' || c >= 0x80 }
func isDigit(c byte) bool   { return c >= '0' && c <= '9' }
func isLetterB(c byte) bool { return isLower(c) && c != '_' || isUpper(c) }

// ident returns the end of the identifier starting at i, with a trailing
// ? or !.
func (l *exLexer) ident(i int) int {
	for i < len(l.src) && isIdent(l.src[i]) {
		i++
	}
	if i < len(l.src) && (l.src[i] == '?' || l.src[i] == '!') {
		i++
	}
	return i
}

// code scans code from i. Nested (inside #{…}), it stops after the '}'
// that closes the interpolation and returns the index after it.
func (l *exLexer) code(i int, nested bool) int {
	src := l.src
	depth := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			if i+2 < len(src) && src[i+1] == c && src[i+2] == c {
				i = l.heredoc(i+3, c, true)
			} else {
				i = l.quoted(i+1, c, c, true)
			}
		case c == '~' && i+1 < len(src) && isLetterB(src[i+1]):
			i = l.sigil(i + 1)
		case c == '?' && i+1 < len(src):
			// A character literal: ?a ?\n ?" ?#.
			i++
			if src[i] == '\\' {
				i++
			}
			if i < len(src) {
				_, n := utf8.DecodeRune(src[i:])
				i += n
			}
		case c == ':':
			i = l.atom(i)
		case c == '@':
			// A module attribute is not a call.
			i = l.ident(i + 1)
		case isUpper(c):
			i = l.alias(i)
		case isLower(c) || c >= 0x80:
			i = l.word(i)
		case isDigit(c):
			for i < len(src) && (isIdent(src[i]) || src[i] == '.' && i+1 < len(src) && isDigit(src[i+1])) {
				i++
			}
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

// word handles an identifier at i: a local call if '(' follows at once, a
// remote call if it is __MODULE__.fun; keyword keys (do:) and fields
// (x.field) are skipped.
func (l *exLexer) word(i int) int {
	src := l.src
	e := l.ident(i)
	switch {
	case afterDot(src, i):
	case e < len(src) && src[e] == '(':
		l.refs = append(l.refs, rawRef{fun: string(src[i:e]), at: i})
	case string(src[i:e]) == "__MODULE__" && e+1 < len(src) && src[e] == '.' && isLower(src[e+1]):
		fe := l.ident(e + 1)
		l.refs = append(l.refs, rawRef{mod: "__MODULE__", fun: string(src[e+1 : fe]), at: i})
		return fe
	case string(src[i:e]) == "__MODULE__" && e+1 < len(src) && src[e] == '.' && isUpper(src[e+1]):
		return l.aliasFrom(i, e+1)
	}
	return e
}

// afterDot reports a name that follows a dot (x.name), not a range (a..b).
func afterDot(src []byte, i int) bool {
	return i > 0 && src[i-1] == '.' && (i < 2 || src[i-2] != '.')
}

// alias handles Foo.Bar (a module name) or Foo.Bar.baz (a remote call);
// a keyword key (Foo: 1) and a name after a dot (x.Foo) are skipped.
func (l *exLexer) alias(i int) int { return l.aliasFrom(i, i) }

// aliasFrom is alias for a name that starts at start (__MODULE__.Sub) and
// whose module path starts at i.
func (l *exLexer) aliasFrom(start, i int) int {
	src := l.src
	e := l.ident(i)
	for e+1 < len(src) && src[e] == '.' && isUpper(src[e+1]) {
		e = l.ident(e + 1)
	}
	if start == i && afterDot(src, i) || e+1 < len(src) && src[e] == ':' && src[e+1] != ':' {
		return e
	}
	if e+1 < len(src) && src[e] == '.' && isLower(src[e+1]) {
		fe := l.ident(e + 1)
		l.refs = append(l.refs, rawRef{mod: string(src[start:e]), fun: string(src[e+1 : fe]), at: start})
		return fe
	}
	l.refs = append(l.refs, rawRef{fun: string(src[start:e]), at: start, alias: true})
	return e
}

// atom handles ':' at i: `::`, :atom, :"quoted", :mod.fun (a remote call
// on an Erlang module), or a keyword's colon.
func (l *exLexer) atom(i int) int {
	src := l.src
	if i+1 >= len(src) {
		return i + 1
	}
	switch c := src[i+1]; {
	case c == ':':
		return i + 2
	case c == '"' || c == '\'':
		return l.quoted(i+2, c, c, true)
	case isLower(c) || isUpper(c):
		e := l.ident(i + 1)
		if e+1 < len(src) && src[e] == '.' && isLower(src[e+1]) && !isUpper(c) {
			fe := l.ident(e + 1)
			l.refs = append(l.refs, rawRef{mod: string(src[i:e]), fun: string(src[e+1 : fe]), at: i})
			return fe
		}
		return e
	}
	return i + 1
}

// quoted skips a string, charlist or sigil body from i (after the opening
// delimiter) to after its closing delimiter; interp says whether #{…}
// interpolates (it is scanned as code).
func (l *exLexer) quoted(i int, open, close byte, interp bool) int {
	src := l.src
	for i < len(src) {
		switch c := src[i]; {
		case c == '\\':
			i += 2
		case interp && c == '#' && i+1 < len(src) && src[i+1] == '{':
			i = l.code(i+2, true)
		case c == close:
			return i + 1
		default:
			i++
		}
	}
	return i
}

// heredoc skips a heredoc body from i (after the opening triple quote) to
// after the closing triple quote, which starts a line after white space.
func (l *exLexer) heredoc(i int, q byte, interp bool) int {
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
				return i + 3
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
			i = l.code(i+2, true)
		default:
			i++
		}
	}
	return i
}

// sigil skips ~r/…/flags and the like; i is at the sigil's letter.
func (l *exLexer) sigil(i int) int {
	src := l.src
	interp := isLower(src[i])
	for i < len(src) && isLetterB(src[i]) {
		i++
	}
	if i >= len(src) {
		return i
	}
	d := src[i]
	if (d == '"' || d == '\'') && i+2 < len(src) && src[i+1] == d && src[i+2] == d {
		i = l.heredoc(i+3, d, interp)
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
			return i
		}
		i = l.quoted(i+1, d, closer, interp)
	}
	for i < len(src) && isLetterB(src[i]) {
		i++
	}
	return i
}
