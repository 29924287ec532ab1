package chunk

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/aiex-dev/aiex/app/parse/exlex"
)

// Arities of calls. A reference to a function of one arity should lead to
// that function only: `fetch(k, :none)` calls fetch/2, not fetch/1. The
// refs lexer counts a call's arguments from its tokens and the punctuation
// between them, as the compiler counts them: the top-level commas between
// the call's `(` and the `)` that closes it (nested brackets, `<<>>`,
// `do`/`fn` … `end` hold their own), a trailing keyword list being one
// argument (`f(a, b: 1, c: 2)` is f/2), `f()` none; plus one for a `do …
// end` block after the `)`, and one when `|>` comes right before the call
// (`x |> f(a)` is f/2). A capture gives the arity it names (`&f/2`,
// `&Mod.f/2`); `&f(&1, x)` is a call. A call without parentheses, local
// (`fetch k, []`) or remote (`Mod.f a, b`, `Logger.info "x"`), is
// counted up to the end of its expression (elixir_noparens.go). `x |> f`
// and `x |> Mod.f`, a pipe into a name, are f/1 and Mod.f/1. A remote
// call without arguments (`Mod.f`, `Mod.f[k]`, `Mod.f.(x)`) is Mod.f/0;
// a local name alone may be a variable (elixir_noparens.go).
//
// A do block after a call belongs to the call only when the call begins an
// expression (the line, or after `(`, `;`, `->`): in `if f(x) do` or `def
// f(x) do` it is if's or def's, as the parser attaches it to the outermost
// call without parentheses. TestExLexAgreesWithTreeSitter checks the
// arities against the tree-sitter tree of the Elixir sources.

// noArity is the arity of a reference that is not a call of a known
// arity: a module name, a call in code the lexer cannot read (a capture
// without its arity).
const noArity = -1

// opened is a delimiter open where the lexer reads: `(`, `[`, `{`, `<`
// (for `<<`) or `d` (a `do` or `fn` block). For the `(` of a call, ref is
// the call's index in exLexer.refs; else -1.
type opened struct {
	kind   byte
	ref    int
	commas int // top-level commas before a keyword list
	// keywords: a keyword key was read at the top level.
	keywords bool
	content  bool // something other than white space was read in it
}

// arityState is what exLexer keeps to count arguments.
type arityState struct {
	stack []opened
	// callAt is where the `(` of the last call read is, callRef its ref.
	callAt, callRef int
	// doRef is the call whose `)` was the last thing read, if a `do`
	// after it would count (-1 if none); doAt is the end of that `)`.
	doRef, doAt int
	// gapLo is where the text before the token being read starts (the
	// end of the token before it); -1 while reading inside a token.
	gapLo int
	// depth is the interpolation depth of the token being read.
	depth int
	// afterOperatorWord: the token before is `and`, `when`, … (a line
	// after it continues the expression).
	afterOperatorWord bool
	// np are the calls without parentheses whose arguments are being
	// read, innermost last (elixir_noparens.go).
	np []npCall
	// cont: the last code read is a comma or an operator, so a line
	// break after it does not end the expression.
	cont bool
	// zero are the names of the file's functions of arity 0: a name read
	// alone is reported only if it is one of them.
	zero map[string]bool
}

// addRef records r, a reference read at r.at that ends at end: a call if
// '(' follows at once (its arity is counted when its `)` is read), a
// capture or a pipe into a name when one of those says its arity, else a
// call without parentheses whose arguments are read from here on.
func (l *exLexer) addRef(r rawRef, end int) {
	r.arity = noArity
	src := l.src
	before := []byte(nil)
	if l.gapLo >= 0 && l.gapLo <= r.at {
		before = bytes.TrimRight(src[l.gapLo:r.at], " \t\r\n")
	}
	r.pipe = bytes.HasSuffix(before, []byte("|>")) && !bytes.HasSuffix(before, []byte("<|>"))
	if !r.alias {
		switch {
		case end < len(src) && src[end] == '(':
			l.callAt, l.callRef = end, len(l.refs)
			r.starts = l.startsExpression(before, r.at)
		case capturePrefix(before):
			if n, ok := captureArity(src, end); ok {
				r.arity = n
			}
		case r.pipe && pipeOperandEnds(src, end) && !argStarts(src, end) && (!doFollows(src, end) || l.npOpen()):
			// `x |> f`, and `Mod.g x |> f do … end`, where the block is
			// Mod.g's (elixir_noparens.go).
			r.arity = 1
		}
	}
	l.refs = append(l.refs, r)
	if !r.alias && r.arity == noArity {
		switch {
		case argStarts(src, end):
			l.npPush(len(l.refs)-1, l.depth, false)
		case !l.npOpen() && doFollows(src, end):
			l.npPush(len(l.refs)-1, l.depth, true)
		case r.mod != "" && !capturePrefix(before):
			// A remote call without arguments: `Mod.f`, `Mod.f[k]` (an
			// access to what it returns), `Mod.f.(x)`, `x |> Mod.f + 1`.
			// Unlike a name alone, it cannot be a variable. A capture
			// whose arity is not a number (`&Mod.f/unquote(n)` in a
			// macro) is left without one: the parser reads `Mod.f` there
			// as a call of none, but the code means some arity of f.
			l.refs[len(l.refs)-1].arity = 0
		}
	}
}

// startsExpression reports whether a call at at, after the code before
// (white space trimmed), begins an expression whose do block would be its
// own: at the start of the file or of a line (unless the line before ends
// with an operator word: `when a and` ⏎ `f(x) do`), after `;` or `->`, or
// as an element of brackets: `g(a, f(x) do … end)`, where a comma does not
// separate the arguments of a call without parentheses (`for x <- xs,
// f(x) do`, whose do block is for's).
func (l *exLexer) startsExpression(before []byte, at int) bool {
	if l.gapLo < 0 {
		return false
	}
	if len(before) == 0 {
		return l.gapLo == 0 || bytes.ContainsAny(l.src[l.gapLo:at], "\n") && !l.afterOperatorWord
	}
	switch before[len(before)-1] {
	case ';':
		return true
	case '>':
		return bytes.HasSuffix(before, []byte("->"))
	case '(', '[', '{', ',':
		n := len(l.stack)
		return n > 0 && l.stack[n-1].kind != 'd' && !l.npOpen()
	}
	return false
}

// capturePrefix reports code before a name that ends with the capture
// operator (&f/2), not with && (a && f/2 is a division).
func capturePrefix(before []byte) bool {
	before = bytes.TrimRight(before, " \t\r\n")
	return bytes.HasSuffix(before, []byte("&")) && !bytes.HasSuffix(before, []byte("&&"))
}

// captureArity reads the `/2` of a capture (&f/2) at i.
func captureArity(src []byte, i int) (int, bool) {
	i = skipBlanks(src, i)
	if i >= len(src) || src[i] != '/' {
		return 0, false
	}
	i = skipBlanks(src, i+1)
	j := i
	for j < len(src) && isDigit(src[j]) {
		j++
	}
	if j == i || j < len(src) && exlex.IsIdent(src[j]) {
		return 0, false
	}
	n, err := strconv.Atoi(string(src[i:j]))
	return n, err == nil
}

// endsExpression reports whether nothing but the end of a line, a
// comment, a closer, a comma, `;` or another pipe follows i on its line.
func endsExpression(src []byte, i int) bool {
	i = skipBlanks(src, i)
	if i >= len(src) {
		return true
	}
	switch src[i] {
	case '\n', '\r', '#', ')', ']', '}', ',', ';':
		return true
	}
	return bytes.HasPrefix(src[i:], []byte("|>"))
}

func skipBlanks(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	return i
}

// arityGap reads the punctuation of src[start:end], text between tokens:
// delimiters, and the commas of the innermost call.
func (l *exLexer) arityGap(start, end int) {
	src := l.src
	for i := start; i < end; i++ {
		c := src[i]
		if c == ' ' || c == '\t' || c == '\r' {
			continue
		}
		if c == '\n' {
			// A line break ends the calls without parentheses of this
			// level, unless the line goes on after a comma or an operator.
			if !l.cont && l.npOpen() && !continuesOnNextLine(src, i+1) {
				l.npEnd(len(l.stack), false)
			}
			continue
		}
		if l.doRef >= 0 {
			l.doRef = -1 // something other than `do` follows the call
		}
		l.cont = true
		s := src[i:end]
		switch {
		case hasAnyPrefix(s, "<<<", ">>>", "<<~", "~>>", "<~>", "<|>"):
			l.content()
			i += 2
		case hasAnyPrefix(s, "->"):
			// A clause's head ends: so do the calls in it (`x when is_map x ->`).
			l.npEnd(len(l.stack), false)
			l.content()
			i++
		case hasAnyPrefix(s, "|>", "=>", "<-", "<>"):
			l.content()
			i++
		case hasAnyPrefix(s, "<<"):
			l.open('<', -1)
			l.cont = false
			i++
		case hasAnyPrefix(s, ">>"):
			l.close('<', i+2)
			l.cont = false
			i++
		case c == '(':
			ref := -1
			if i == l.callAt {
				ref = l.callRef
			}
			l.open('(', ref)
			l.cont = false
		case c == '[' || c == '{':
			l.open(c, -1)
			l.cont = false
		case c == ')':
			l.close('(', i+1)
			l.cont = false
		case c == ']':
			l.close('[', i+1)
			l.cont = false
		case c == '}':
			l.close('{', i+1)
			l.cont = false
		case c == ';':
			l.npEnd(len(l.stack), false)
			l.cont = false
		case c == ':' && i+1 < end && strings.IndexByte(operatorAtomChars, src[i+1]) >= 0:
			// An operator's atom (:==, :+): a value, not an operator.
			for i+1 < end && strings.IndexByte(operatorAtomChars, src[i+1]) >= 0 {
				i++
			}
			l.content()
			l.cont = false
		case c == ',':
			if l.npOpen() {
				if c := &l.np[len(l.np)-1]; !c.keywords {
					c.commas++
				}
			} else if n := len(l.stack); n > 0 && l.stack[n-1].ref >= 0 && !l.stack[n-1].keywords {
				l.stack[n-1].commas++
			}
		default:
			l.content()
		}
	}
}

// operatorAtomChars are the characters of the operators an atom can name
// (:==, :&&, :<>), which the lexer gives no token.
const operatorAtomChars = "+-*/=<>!&|^~.\\"

// arityToken reads a token for the arities: its content, a keyword key
// at the top level of a call, `do`, `fn` and `end`, and the `do` after a
// call's `)`.
func (l *exLexer) arityToken(t exlex.Token) {
	src := l.src
	if t.Kind == exlex.Comment {
		return
	}
	if l.depth = t.Depth; len(l.np) > 0 && l.np[len(l.np)-1].depth > t.Depth {
		l.npEndDeeper(t.Depth)
	}
	word := ""
	if t.Kind == exlex.Ident && !afterDot(src, t.Start) {
		word = string(src[t.Start:t.End])
	}
	l.cont = binaryWord(word)
	doTaken := false
	if l.doRef >= 0 {
		if word == "do" && !bytes.ContainsAny(src[l.doAt:t.Start], "\n\r") {
			l.refs[l.doRef].arity++
			doTaken = true
		}
		l.doRef = -1
	}
	switch word {
	case "do":
		if !doTaken && l.npOpen() {
			l.npEnd(len(l.stack), true)
		}
		l.open('d', -1)
		return
	case "fn":
		l.open('d', -1)
		return
	case "end":
		l.close('d', -1)
		return
	case "else", "after", "rescue", "catch":
		l.npEnd(len(l.stack), false)
	}
	// A keyword list's key may be quoted: f("a b": 1, c: 2).
	quotedKey := t.Kind == exlex.String && t.End+1 < len(src) && src[t.End] == ':' && (src[t.End+1] == ' ' || src[t.End+1] == '\n')
	if t.Kind == exlex.Key || quotedKey {
		if l.npOpen() {
			l.np[len(l.np)-1].keywords = true
		} else if n := len(l.stack); n > 0 && l.stack[n-1].ref >= 0 {
			l.stack[n-1].keywords = true
		}
	}
	if t.Kind == exlex.Attr && argStarts(src, t.End) {
		l.npPush(npAttribute, t.Depth, false)
	}
	l.content()
}

// binaryWord reports the words that are operators taking an operand
// after them, which may be on the next line.
func binaryWord(w string) bool {
	switch w {
	case "and", "or", "not", "in", "when":
		return true
	}
	return false
}

// operatorWord reports the words that are operators or parts of a block,
// not calls.
func operatorWord(w string) bool {
	switch w {
	case "and", "or", "not", "in", "when", "do", "end", "else", "after", "rescue", "catch", "fn", "true", "false", "nil":
		return true
	}
	return false
}

// content marks the innermost delimiter as holding something.
func (l *exLexer) content() {
	if n := len(l.stack); n > 0 {
		l.stack[n-1].content = true
	}
}

func (l *exLexer) open(kind byte, ref int) {
	l.content()
	l.stack = append(l.stack, opened{kind: kind, ref: ref})
}

// close closes the innermost delimiter of kind, and those open inside it
// (code with a syntax error); a closer that closes nothing is ignored. The
// `)` of a call sets its arity; end is where that `)` ends.
func (l *exLexer) close(kind byte, end int) {
	for n := len(l.stack) - 1; n >= 0; n-- {
		if l.stack[n].kind != kind {
			continue
		}
		o := l.stack[n]
		l.npEnd(n+1, false)
		l.stack = l.stack[:n]
		if o.ref >= 0 {
			r := &l.refs[o.ref]
			r.arity = 0
			if o.content {
				r.arity = o.commas + 1
			}
			// f(a)(b) and f(a).g(b) call what f(a) returns: a pipe or a
			// do block is that call's.
			again := end < len(l.src) && (l.src[end] == '(' || l.src[end] == '.')
			if r.pipe && !again {
				r.arity++
			}
			if r.starts && !again {
				l.doRef, l.doAt = o.ref, end
			}
		}
		return
	}
}

// defaultArities lists, as the members of each function unit with
// default arguments, the names of the other arities it defines: `def
// get(id, opts \\ [])` is MyApp.get/2 and declares MyApp.get/1, which a
// call get(id) names. The index resolves a ref to such a name to the unit
// as it resolves one to a name a Go const/var group declares
// (app/index/DESIGN.md). They are listed at the unit's first byte, so that
// the first piece of a unit Hybrid splits holds them, as it holds the
// unit's name (name#1).
func (x *exFile) defaultArities() {
	for i := range x.units {
		u := &x.units[i]
		if u.defaults == 0 || u.self == "" {
			continue
		}
		j := strings.LastIndexByte(u.name, '/')
		k, err := strconv.Atoi(u.name[j+1:])
		if j < 0 || err != nil {
			continue
		}
		for n := max(k-u.defaults, 0); n < k; n++ {
			u.members = append(u.members, ref{u.name[:j+1] + strconv.Itoa(n), u.start})
		}
	}
}
