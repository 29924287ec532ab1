package chunk

import (
	"bytes"

	"github.com/aiex-dev/aiex/app/parse/exlex"
)

// Calls without parentheses. `fetch k, []` is fetch/2 as much as
// `fetch(k, [])` is, and `Enum.map list, fn x -> x end` Enum.map/2:
// Elixir's parser makes a call of a name, local or remote, followed on its
// line and after white space by something that starts an argument (a
// name, a literal, a bracket, an attribute, `...`, a unary operator: `-`
// and `+` written against their operand, since `fetch -1` is a call and
// `fetch - 1` a subtraction; `!`, `^` and `&` with or without white space,
// since they are only unary: `Enum.map & &1.id`). A name after a dot is
// such a call too (`opts.fun a, b`, on a map's field or what a call
// returns), which is no ref but takes its commas.
// Its arguments run to the end of the expression: the commas at its level
// up to a line break that does not continue the line (one after a comma
// or an operator does), `;`, `->`, a clause word, the closer of the
// bracket it is in, or a `do`. A trailing keyword list is one argument, a
// `do … end` block after the arguments one more; `|>` before the call
// one more too. A remote name with no argument after it (`Mod.f`,
// `Mod.f[k]`, `Mod.f.(x)`) is a call of arity 0, as the parser reads it:
// unlike a local name alone, it cannot be a variable.
//
// Calls without parentheses nest: in `if fetch k, do: x` the commas after
// `fetch` are fetch's (`if(fetch(k, do: x))`), so the innermost open call
// of a level takes its commas, and the do block goes to the outermost:
// `fetch a, if x do y end` is fetch/3. A name followed by `do` (`schema do
// … end`) is a call of one argument when no call without parentheses is
// open at its level; else it is an argument (`case x do`).
//
// A name alone (`fetch`, `x = fetch`) is a variable or a call of arity 0,
// which only the compiler can tell apart. The lexer reports such a name
// only when the file defines a function of that name and arity 0, and
// notes whether the function it is in looks like it binds a variable of
// that name (the name is in a def head, or a `=`, `<-` or `->` follows it
// on its line); refs keeps it when the enclosing module defines name/0 and
// nothing binds it.

// The refs of calls without parentheses that are not refs (npCall.ref).
const (
	// npAttribute is a module attribute (`@spec …`), whose arguments are
	// read as a call's to keep their commas, and which marks what is
	// inside as a type, not code.
	npAttribute = -1
	// npUnnamed is a call of a name after a dot that is no ref: a field
	// of a variable or of what a call returns (`opts.fun a, b`,
	// `Mod.f.g a, b`). Its commas are its own, not the call's around it:
	// `Mod.f x.y a, b` is Mod.f/1.
	npUnnamed = -2
)

// npCall is a call without parentheses whose arguments are being read.
type npCall struct {
	// ref is the call's index in exLexer.refs, or npAttribute or
	// npUnnamed.
	ref   int
	level int // len(exLexer.stack) where the call was read
	depth int // the interpolation depth of its name (exlex.Token.Depth)
	// commas are the commas read at its level while it was the innermost
	// call, before a keyword key.
	commas   int
	keywords bool
	// noArgs: `fetch do … end`, a call whose only argument is its block.
	noArgs bool
}

// npOpen reports a call without parentheses open at the current level.
func (l *exLexer) npOpen() bool {
	n := len(l.np)
	return n > 0 && l.np[n-1].level == len(l.stack)
}

// npPush opens a call without parentheses for the ref just added (ref ≥
// 0), a module attribute (npAttribute) or a call that is no ref
// (npUnnamed).
func (l *exLexer) npPush(ref, depth int, noArgs bool) {
	l.np = append(l.np, npCall{ref: ref, level: len(l.stack), depth: depth, noArgs: noArgs})
}

// npEnd ends the calls without parentheses open at level or deeper: their
// arguments end here. do: a do block follows them, which is the outermost
// one's at level. Calls open outside the interpolation being read go on:
// in `@doc "#{if x do … end}"` the block is if's, not @doc's.
func (l *exLexer) npEnd(level int, do bool) {
	n := len(l.np)
	for n > 0 && l.np[n-1].level >= level && l.np[n-1].depth >= l.depth {
		n--
	}
	l.npFinish(n, do)
}

// npEndDeeper ends the calls read inside an interpolation when the string
// around it goes on (a token of a lower depth).
func (l *exLexer) npEndDeeper(depth int) {
	n := len(l.np)
	for n > 0 && l.np[n-1].depth > depth {
		n--
	}
	l.npFinish(n, false)
}

// npFinish sets the arities of the calls l.np[n:] and drops them; with do,
// the first of them (the outermost) takes the block after them.
func (l *exLexer) npFinish(n int, do bool) {
	for i := n; i < len(l.np); i++ {
		c := l.np[i]
		if c.ref < 0 {
			continue
		}
		r := &l.refs[c.ref]
		r.arity = c.commas + 1
		if c.noArgs {
			r.arity = 0
		}
		if r.pipe {
			r.arity++
		}
		if do && i == n {
			r.arity++
		}
	}
	l.np = l.np[:n]
}

// argStarts reports whether, at e (the end of a name), white space and
// then the start of an argument follow on the same line: what makes the
// name a call without parentheses. A `do` is not an argument (doFollows).
func argStarts(src []byte, e int) bool {
	i := skipBlanks(src, e)
	if i == e || i >= len(src) {
		return false
	}
	next := func(k int) byte {
		if i+k < len(src) {
			return src[i+k]
		}
		return 0
	}
	switch c := src[i]; {
	case isLower(c) || c >= 0x80:
		we := exlex.IdentEnd(src, i)
		switch w := string(src[i:we]); {
		case we < len(src) && src[we] == ':' && (we+1 == len(src) || src[we+1] != ':'):
			return true // a keyword list: `quote do: x`
		case w == "not":
			return !bytes.HasPrefix(src[skipBlanks(src, we):], []byte("in "))
		default:
			return !blockOrOperatorWord(w)
		}
	case isUpper(c) || isDigit(c), c == '"', c == '\'', c == '%', c == '{', c == '[', c == '(', c == '@', c == '?':
		return true
	case c == ':':
		return next(1) != ':' && next(1) != ' ' && next(1) != '\n' && next(1) != 0
	case c == '~':
		return isLower(next(1)) || isUpper(next(1))
	case c == '<':
		return next(1) == '<' && next(2) != '<' && next(2) != '~'
	case c == '-', c == '+':
		// The Elixir tokenizer's ambiguous operator: a unary - or + right
		// against its operand after a name and a space is the name's
		// argument.
		n := next(1)
		return n != ' ' && n != '\t' && n != '\n' && n != '\r' && n != '>' && n != c && n != '=' && n != 0
	case c == '!':
		// The operators that are only unary start an argument even with
		// white space after them: `fetch ! x` is fetch(!x), `Enum.map &
		// &1.id` Enum.map(& &1.id).
		return next(1) != '=' && next(1) != 0
	case c == '^':
		return next(1) != '^' && next(1) != 0
	case c == '&':
		return next(1) != '&' && next(1) != 0
	case c == '.':
		// `...`, a name to the parser (`Mod.f ...` is Mod.f(...)).
		return next(1) == '.' && next(2) == '.' && next(3) != '.'
	}
	return false
}

// blockOrOperatorWord reports the words that cannot start an argument:
// operators taking a left operand and the words of a block.
func blockOrOperatorWord(w string) bool {
	switch w {
	case "and", "or", "in", "when", "do", "end", "else", "after", "rescue", "catch":
		return true
	}
	return false
}

// doFollows reports whether the word `do` (not the key do:) follows e on
// its line, after white space.
func doFollows(src []byte, e int) bool {
	i := skipBlanks(src, e)
	return i > e && i+2 <= len(src) && src[i] == 'd' && src[i+1] == 'o' && (i+2 == len(src) || !exlex.IsIdent(src[i+2]) && src[i+2] != ':')
}

// pipedInto reports a name right after `|>` that is its whole right
// operand: `x |> f` calls f(x).
func (l *exLexer) pipedInto(at, e int) bool {
	if l.gapLo < 0 || l.gapLo > at {
		return false
	}
	before := bytes.TrimRight(l.src[l.gapLo:at], " \t\r\n")
	// A `do` after the name is the block of a call without parentheses
	// open around it (`Mod.f x |> g do … end` is Mod.f(x |> g, do: …)), or
	// else the name's own. In `defmacro left |> right do` the block is
	// defmacro's, and right a parameter.
	return bytes.HasSuffix(before, []byte("|>")) && !bytes.HasSuffix(before, []byte("<|>")) && pipeOperandEnds(l.src, e) &&
		(!doFollows(l.src, e) || l.npOpen() && !l.inDefHead())
}

// pipeOperandEnds reports whether a name that ends at e, after `|>`, is
// the pipe's whole right operand: no operator binding tighter than `|>`
// (`* / + - ++ -- .. <> ^^^ in`, a dot, an access) follows it.
func pipeOperandEnds(src []byte, e int) bool {
	i := skipBlanks(src, e)
	if i >= len(src) {
		return true
	}
	switch src[i] {
	case '*', '/', '+', '-', '.', '[', '(':
		return false
	case '<':
		return !hasAnyPrefix(src[i:], "<>")
	case '^':
		return !hasAnyPrefix(src[i:], "^^^")
	}
	if isLower(src[i]) {
		w := string(src[i:exlex.IdentEnd(src, i)])
		return w != "in" && w != "not"
	}
	return true
}

// zeroCandidate records a name read alone that the file defines a
// function of arity 0 of (l.zero): refs decides whether it is a call.
// Names inside a module attribute (types, @doc) are not.
func (l *exLexer) zeroCandidate(i, e int) {
	for _, c := range l.np {
		if c.ref == npAttribute {
			return
		}
	}
	l.refs = append(l.refs, rawRef{fun: string(l.src[i:e]), at: i, zero: true, bound: l.inDefHead() || bindsBefore(l.src, e)})
}

// inDefHead reports reading inside the head of a def (before its do
// block or do:), where a name is a parameter.
func (l *exLexer) inDefHead() bool {
	for _, c := range l.np {
		if c.ref >= 0 && !c.keywords && isDefWord(l.refs[c.ref].fun) && l.refs[c.ref].mod == "" {
			return true
		}
	}
	return false
}

func isDefWord(w string) bool {
	switch w {
	case "def", "defp", "defmacro", "defmacrop", "defguard", "defguardp", "defdelegate":
		return true
	}
	return false
}

// bindsBefore reports whether a match (=), a generator (<-) or a clause
// arrow (->) follows e on its line: the name before it is then likely in
// a pattern, a variable bound there. It reads text, strings included, so
// it errs towards a variable.
func bindsBefore(src []byte, e int) bool {
	end := bytes.IndexByte(src[e:], '\n')
	if end < 0 {
		end = len(src) - e
	}
	line := src[e : e+end]
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '=':
			prev, next := byte(0), byte(0)
			if i > 0 {
				prev = line[i-1]
			}
			if i+1 < len(line) {
				next = line[i+1]
			}
			if next != '=' && next != '~' && next != '>' && prev != '=' && prev != '!' && prev != '<' && prev != '>' {
				return true
			}
		case '-':
			if i+1 < len(line) && line[i+1] == '>' {
				return true
			}
		case '<':
			if i+1 < len(line) && line[i+1] == '-' {
				return true
			}
		}
	}
	return false
}

// continuesOnNextLine reports whether the code after the line break at i
// (blank and comment lines skipped) starts with a binary operator, which
// continues the expression before the break: `f a` ⏎ `|> g` is f(a |> g).
// `+` and `-` are unary too: `f a` ⏎ `-b` is two expressions.
func continuesOnNextLine(src []byte, i int) bool {
	for i < len(src) {
		switch src[i] {
		case ' ', '\t', '\r', '\n':
			i++
			continue
		case '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		}
		break
	}
	if i >= len(src) {
		return false
	}
	s := src[i:]
	switch s[0] {
	case '|', '.', '*', '/', '=', '>', '\\':
		return true
	case '<':
		return !hasAnyPrefix(s, "<<") || hasAnyPrefix(s, "<<<", "<<~")
	case ':':
		return hasAnyPrefix(s, "::")
	case '&':
		return hasAnyPrefix(s, "&&")
	case '+':
		return hasAnyPrefix(s, "++")
	case '-':
		return hasAnyPrefix(s, "--")
	case '!':
		return hasAnyPrefix(s, "!=")
	case '^':
		return hasAnyPrefix(s, "^^^")
	case '~':
		return hasAnyPrefix(s, "~>", "~>>")
	}
	if isLower(s[0]) {
		switch w := string(s[:exlex.IdentEnd(s, 0)]); w {
		case "when", "and", "or", "in":
			return true
		case "not":
			return bytes.HasPrefix(bytes.TrimLeft(s[3:], " \t"), []byte("in")) && !exlex.IsIdent(append(bytes.TrimLeft(s[3:], " \t"), ' ')[2])
		}
	}
	return false
}
