package chunk

import "github.com/aiex-dev/aiex/app/parse/exlex"

// exLexer finds references in Elixir source from its tokens (package
// exlex): remote calls (Mod.fun, :mod.fun, __MODULE__.fun), local calls
// with or without parentheses (fun(…), fun a, b) and module names;
// comments, strings, charlists, heredocs, sigils, atoms and character
// literals are skipped, the code interpolated in strings is not. It sees
// what the tree-sitter query `(call target: (dot left: [(alias) (atom)]
// right: (identifier)))`, `(call target: (identifier))`, `(alias)` sees,
// at a fraction of the cost: running a query walks the whole tree through
// cgo, ~25% of the parse (see DESIGN.md). A test checks it against the
// query on the Elixir sources. A name alone (`fetch`) may be a variable or
// a call of arity 0; it is reported only as a candidate (elixir_noparens.go).
//
// References do not follow token bounds: Foo.bar is one reference over an
// alias and a name token, do:x is the key do: then the atom :x, 1e+f(x) is
// the number 1e then a call. So exLexer keeps where its reading stands: it
// skips the tokens that start before it and reads on inside a token it
// stopped in.
type exLexer struct {
	src  []byte
	refs []rawRef
	next int // where the reading stands; tokens that start before it are read
	// clauses are the offsets of the words else, after, rescue and catch
	// (not after a dot), for reservedWordWarning.
	clauses []int
	// pipes are the offsets of the `|>` operators: calls of |>/2, which
	// refs resolves as it resolves other local calls (they are not in
	// refs, which hold what a tree-sitter query for calls finds).
	pipes []int
	arityState
}

// exLexRefs returns the references in src, in order; zero are the names of
// its functions of arity 0 (see exLex).
func exLexRefs(src []byte, zero map[string]bool) []rawRef { return exLex(src, zero).refs }

// exLex reads the references in src, and the clause words. A name read
// alone is a reference only if it is in zero, the names of the file's
// functions of arity 0 (nil for none): a call of one, or a variable.
func exLex(src []byte, zero map[string]bool) *exLexer {
	l := &exLexer{src: src, arityState: arityState{callAt: -1, doRef: -1, zero: zero}}
	prevEnd := 0
	exlex.Lex(src, func(t exlex.Token) {
		if t.Kind == exlex.Ident && isClauseWord(src[t.Start:t.End]) && !afterDot(src, t.Start) {
			l.clauses = append(l.clauses, t.Start)
		}
		l.arityGap(prevEnd, t.Start)
		l.findPipes(prevEnd, t.Start)
		l.arityToken(t)
		if t.Start >= l.next {
			l.gapLo = prevEnd
			l.token(t, prevEnd)
		}
		if t.Kind != exlex.Comment {
			l.afterOperatorWord = t.Kind == exlex.Ident && binaryWord(string(src[t.Start:t.End]))
		}
		switch t.Kind {
		case exlex.Key, exlex.Alias, exlex.Ident, exlex.Atom, exlex.Number, exlex.Char:
			l.gapLo = -1
			l.within(t.End)
		}
		prevEnd = t.End
	})
	l.arityGap(prevEnd, len(src))
	l.findPipes(prevEnd, len(src))
	l.depth = 0
	l.npEnd(0, false)
	return l
}

// findPipes records the `|>` operators in src[from:to], code between two
// tokens (strings, comments and atoms are tokens): not `<|>` nor `|>>`,
// other operators, nor the atom `:|>`. `&|>/2` captures it.
func (l *exLexer) findPipes(from, to int) {
	src := l.src
	for i := from; i+1 < to; i++ {
		if src[i] != '|' || src[i+1] != '>' {
			continue
		}
		if i > 0 && (src[i-1] == '<' || src[i-1] == '|' || src[i-1] == ':') || i+2 < len(src) && src[i+2] == '>' {
			continue
		}
		l.pipes = append(l.pipes, i)
	}
}

// isClauseWord reports else, after, rescue and catch: the words that start
// a clause of a do block.
func isClauseWord(w []byte) bool {
	switch string(w) {
	case "else", "after", "rescue", "catch":
		return true
	}
	return false
}

func isLower(c byte) bool { return exlex.IsLower(c) }
func isUpper(c byte) bool { return exlex.IsUpper(c) }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// ident returns the end of the identifier starting at i, with a trailing
// ? or !.
func (l *exLexer) ident(i int) int { return exlex.IdentEnd(l.src, i) }

// token reads the references that start at t; prevEnd is where the token
// before it ended.
func (l *exLexer) token(t exlex.Token, prevEnd int) {
	src := l.src
	i := t.Start
	switch {
	case i > prevEnd && src[i-1] == '@' && l.ident(i) > i:
		// A module attribute is not a call, whatever its name is (@Foo).
		l.next = l.ident(i)
	case t.Kind == exlex.Ident || t.Kind == exlex.Key && !isUpper(src[i]):
		l.next = l.word(i)
	case t.Kind == exlex.Alias || t.Kind == exlex.Key:
		l.next = l.alias(i)
	case t.Kind == exlex.Atom:
		l.next = l.atom(i)
	case t.Kind == exlex.Number:
		l.next = l.number(i)
	default:
		l.next = t.End
	}
}

// within reads on from l.next to end, the end of a name, module name, key,
// atom, number or character token the reading stopped in: the colon of a
// keyword key (do:) starts an atom when a name follows at once (do:x),
// that atom may end at another key's colon (A:B:c), a number ends before
// the sign of an exponent.
func (l *exLexer) within(end int) {
	src := l.src
	for l.next < end {
		switch c := src[l.next]; {
		case c == ':':
			l.next = l.atom(l.next)
		case isUpper(c):
			l.next = l.alias(l.next)
		case isLower(c) || c >= 0x80:
			l.next = l.word(l.next)
		case isDigit(c):
			l.next = l.number(l.next)
		case c == '@':
			l.next = l.ident(l.next + 1)
		default:
			l.next++
		}
	}
}

// number returns the end of the number at i, without the sign of an
// exponent (1e+x is 1e, +, x).
func (l *exLexer) number(i int) int {
	src := l.src
	for i < len(src) && (exlex.IsIdent(src[i]) || src[i] == '.' && i+1 < len(src) && isDigit(src[i+1])) {
		i++
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
		// A field of a variable or of a call's result, called without
		// parentheses (`opts.fun a, b`): no ref, but its arguments are
		// its own (elixir_noparens.go).
		if argStarts(src, e) || !l.npOpen() && doFollows(src, e) {
			l.npPush(npUnnamed, l.depth, false)
		}
	case e < len(src) && src[e] == '(':
		l.addRef(rawRef{fun: string(src[i:e]), at: i}, e)
	case string(src[i:e]) == "__MODULE__" && isMultiAlias(src, e):
		// The prefix of `alias __MODULE__.{A, B}`: refs names the modules
		// in the braces under it, as under `alias MyApp.{A, B}`'s, and
		// takes the prefix itself for no ref.
		l.refs = append(l.refs, rawRef{fun: "__MODULE__", at: i, alias: true, arity: noArity})
	case string(src[i:e]) == "__MODULE__" && e+1 < len(src) && src[e] == '.' && isLower(src[e+1]):
		fe := l.ident(e + 1)
		l.addRef(rawRef{mod: "__MODULE__", fun: string(src[e+1 : fe]), at: i}, fe)
		return fe
	case string(src[i:e]) == "__MODULE__" && e+1 < len(src) && src[e] == '.' && isUpper(src[e+1]):
		return l.aliasFrom(i, e+1)
	case l.gapLo >= 0 && l.gapLo <= i && capturePrefix(src[l.gapLo:i]) && !operatorWord(string(src[i:e])):
		// A local function captured by name and arity (&f/2).
		if n, ok := captureArity(src, e); ok {
			l.refs = append(l.refs, rawRef{fun: string(src[i:e]), at: i, arity: n})
		}
	case operatorWord(string(src[i:e])):
	case argStarts(src, e) || !l.npOpen() && doFollows(src, e) || l.pipedInto(i, e):
		// A call without parentheses (elixir_noparens.go).
		l.addRef(rawRef{fun: string(src[i:e]), at: i}, e)
	case l.zero[string(src[i:e])] && !keywordKey(src, e):
		l.zeroCandidate(i, e)
	}
	return e
}

// keywordKey reports whether the name ending at e is a keyword key
// (`name: value`): a colon, then a blank or the end (not `name::type`).
func keywordKey(src []byte, e int) bool {
	return e < len(src) && src[e] == ':' && (e+1 == len(src) || src[e+1] == ' ' || src[e+1] == '\t' || src[e+1] == '\n' || src[e+1] == '\r')
}

// afterDot reports a name that follows a dot (x.name), not a range (a..b).
func afterDot(src []byte, i int) bool { return exlex.AfterDot(src, i) }

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
		l.addRef(rawRef{mod: string(src[start:e]), fun: string(src[e+1 : fe]), at: start}, fe)
		return fe
	}
	l.refs = append(l.refs, rawRef{fun: string(src[start:e]), at: start, alias: true, arity: noArity})
	return e
}

// atom handles ':' at i: `::`, :atom, :mod.fun (a remote call on an Erlang
// module), a keyword's colon, or the colon of :"quoted" (whose tokens
// follow).
func (l *exLexer) atom(i int) int {
	src := l.src
	if i+1 >= len(src) {
		return i + 1
	}
	switch c := src[i+1]; {
	case c == ':':
		return i + 2
	case isLower(c) || isUpper(c):
		e := l.ident(i + 1)
		if e+1 < len(src) && src[e] == '.' && isLower(src[e+1]) && !isUpper(c) {
			fe := l.ident(e + 1)
			l.addRef(rawRef{mod: string(src[i:e]), fun: string(src[e+1 : fe]), at: i}, fe)
			return fe
		}
		return e
	case c >= 0x80:
		// Not an atom to the old rules: a name, which may be a call.
		return l.word(i + 1)
	}
	return i + 1
}
