package chunk

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/aiex-dev/aiex/app/parse/exlex"
	sitter "github.com/tree-sitter/go-tree-sitter"
	elixir "github.com/tree-sitter/tree-sitter-elixir/bindings/go"
)

// exGrammar is the Elixir grammar, with its node kind names by id and the
// ids of the fields the chunker reads (looking them up by id saves a cgo
// string conversion per node).
type exGrammar struct {
	lang  *sitter.Language
	kinds []string
	field [numFields]uint16
	// The symbol ids of the kinds args and doBlock look for (one name
	// may have several ids).
	arguments, doBlock symbolSet

	// idle are parsers set to lang, kept between File calls: making one
	// (and freeing it) took ~5% of the time File spends besides parsing.
	mu   sync.Mutex
	idle []*sitter.Parser
}

// maxIdleParsers bounds exGrammar.idle: File runs on at most a few
// goroutines at once (the index's workers, one per core); the C memory of
// an idle parser is a few tens of KB.
const maxIdleParsers = 16

// parser returns an idle parser, or a new one.
func (g *exGrammar) parser() (*sitter.Parser, error) {
	g.mu.Lock()
	if n := len(g.idle); n > 0 {
		p := g.idle[n-1]
		g.idle = g.idle[:n-1]
		g.mu.Unlock()
		return p, nil
	}
	g.mu.Unlock()
	p := sitter.NewParser()
	if err := p.SetLanguage(g.lang); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// release keeps p for the next File call, or frees it if enough are kept.
// A parse that ran to its end leaves the parser ready for the next one.
func (g *exGrammar) release(p *sitter.Parser) {
	g.mu.Lock()
	if len(g.idle) < maxIdleParsers {
		g.idle = append(g.idle, p)
		p = nil
	}
	g.mu.Unlock()
	if p != nil {
		p.Close()
	}
}

// Fields of the grammar the chunker reads.
const (
	fTarget = iota
	fOperand
	fOperator
	fLeft
	fRight
	numFields
)

// elixirGrammar builds the grammar once; it is immutable afterwards and
// shared by all goroutines (each File call has a parser and a cursor of
// its own while it runs) for as long as the process lives.
var elixirGrammar = sync.OnceValues(func() (*exGrammar, error) {
	g := &exGrammar{lang: sitter.NewLanguage(elixir.Language())}
	g.kinds = make([]string, g.lang.NodeKindCount())
	for id := range g.kinds {
		g.kinds[id] = g.lang.NodeKindForId(uint16(id))
	}
	var args, doBlock []uint16
	for id, k := range g.kinds {
		switch k {
		case "arguments":
			args = append(args, uint16(id))
		case "do_block":
			doBlock = append(doBlock, uint16(id))
		}
	}
	if len(args) == 0 || len(doBlock) == 0 {
		return nil, fmt.Errorf("elixir grammar has no arguments or do_block nodes")
	}
	g.arguments, g.doBlock = newSymbolSet(len(g.kinds), args), newSymbolSet(len(g.kinds), doBlock)
	for i, name := range [numFields]string{"target", "operand", "operator", "left", "right"} {
		if g.field[i] = g.lang.FieldIdForName(name); g.field[i] == 0 {
			return nil, fmt.Errorf("elixir grammar has no field %q", name)
		}
	}
	return g, nil
})

// rawRef is a reference before alias expansion.
type rawRef struct {
	mod, fun string // mod is "" for a local call or an alias (in fun)
	at       int
	alias    bool
	// arity is the call's number of arguments, or noArity when it is not
	// known (elixir_arity.go).
	arity int
	// pipe: `|>` comes right before the call; starts: the call begins an
	// expression, so a do block after it is its argument.
	pipe, starts bool
	// zero: a name read alone that may be a call of arity 0 or a
	// variable (elixir_noparens.go); bound: one that looks bound as a
	// variable where it is.
	zero, bound bool
}

// refs gives each leaf unit the references inside it (see exLexer): remote
// calls (MyApp.Repo.get, with the module's aliases expanded), local calls
// (a call of an imported function named as a remote call of its module,
// see importedFrom) other than syntax (exSyntax) and declarations
// (kernelDeclares, whichever module defines them), module names. A
// reference belongs to the innermost leaf holding it: a unit spanning
// separated clauses does not take those of the units between them.
func (x *exFile) refs(root sitter.Node) {
	zero, zeroIn := x.zeroArity()
	l := exLex(x.src, zero)
	x.clauseWords = l.clauses
	var leaves []int
	for i, u := range x.units {
		if !isContainerKind(u.kind) {
			leaves = append(leaves, i)
		}
	}
	if len(leaves) == 0 {
		return
	}
	slices.SortStableFunc(leaves, func(a, b int) int { return x.units[a].start - x.units[b].start })
	maxEnd := make([]int, len(leaves))
	for i, l := range leaves {
		maxEnd[i] = x.units[l].end
		if i > 0 {
			maxEnd[i] = max(maxEnd[i], maxEnd[i-1])
		}
	}
	// holders returns the leaves holding offset at: the one that starts
	// last at or before it and is still open there, and the others of its
	// bytes (the list form of defdelegate), as leaves[lo:hi].
	holders := func(at int) (lo, hi int) {
		i := sort.Search(len(leaves), func(i int) bool { return x.units[leaves[i]].start > at }) - 1
		for ; i >= 0 && maxEnd[i] > at; i-- {
			if x.units[leaves[i]].end > at {
				lo = i
				for lo > 0 && x.units[leaves[lo-1]].start == x.units[leaves[i]].start {
					lo--
				}
				return lo, i + 1
			}
		}
		return 0, 0
	}

	var imports []exImport
	var uses []exUse             // the templates the file's modules use (elixir_using.go)
	var templates []usingImport  // the imports its templates' using quotes declare
	var defined map[string][]int // "Mod.fun" → its function units, made when first needed
	defines := func(mod, fun string, arity int) bool {
		if defined == nil {
			defined = x.definedFunctions()
		}
		for _, d := range defined[mod+"."+fun] {
			if arity == noArity || selfArity(&x.units[d], arity) {
				return true
			}
		}
		return false
	}
	slices.SortFunc(x.typespecs, func(a, b span) int { return a.start - b.start })
	inTypespec := func(at int) bool {
		i := sort.Search(len(x.typespecs), func(i int) bool { return x.typespecs[i].start > at }) - 1
		return i >= 0 && at < x.typespecs[i].end
	}
	multiEnd, multi := -1, "" // inside `alias Prefix.{A, B}` until multiEnd
	// useEnd is where the `use` just read ends (-1 if the last ref was
	// not one): `use X, opts` expands to `require X; X.__using__(opts)`,
	// so the module named right after it is also a call of X.__using__/1.
	useEnd := -1
	bound := boundNames(l.refs)
	// The pipes are calls of |>/2 (of Kernel's, unless the module has its
	// own), read after the rest: the imports are known by then.
	all := withSetupCallbacks(x.src, l.refs)
	if len(l.pipes) > 0 {
		// A new array with room for them all (all may be l.refs, whose
		// spare room is not this function's to write): appending to a full
		// slice one at a time copied it for every pipe.
		all = slices.Grow(all[:len(all):len(all)], len(l.pipes))
		for _, at := range l.pipes {
			all = append(all, rawRef{fun: "|>", at: at, arity: 2})
		}
	}
	for _, r := range all {
		local := r.mod == "" && !r.alias
		if local && r.fun == "import" && !x.notRefs[r.at] {
			lo, hi := holders(r.at)
			var s *exScope
			if lo < hi {
				s = x.scopes[leaves[lo]]
			}
			if imp, ok := x.importAt(root, r.at, s); ok {
				imports = append(imports, imp)
				if s != nil && x.inUsingQuote(root, r.at, len("import")) {
					templates = append(templates, usingImport{s.module, imp, leaves[lo]})
				}
			}
		}
		if local && r.fun == "alias" && !x.notRefs[r.at] {
			if lo, hi := holders(r.at); lo < hi {
				x.usingAlias(root, r.at, leaves[lo])
			}
		}
		if local && exSyntax(r.fun) || x.notRefs[r.at] {
			continue
		}
		used := useEnd >= 0 && r.alias && usesNext(x.src, useEnd, r.at)
		useEnd = -1
		if local && kernelDeclares[r.fun] && !inTypespec(r.at) {
			// The unit's own def, the module's alias: not a call, whether
			// the name is Kernel's, imported, or the module's own (in
			// Kernel's source, def/2 is).
			if r.fun == "use" {
				useEnd = r.at + len(r.fun)
			}
			continue
		}
		prefix := ""
		if r.alias {
			if end, ok := multiAlias(x.src, r.at+len(r.fun)); ok {
				// The prefix of a multi-alias is not a use of that module;
				// the modules in the braces are, named in full.
				multiEnd, multi = end, r.fun
				continue
			}
			if r.at < multiEnd {
				prefix = multi
			}
		}
		lo, hi := holders(r.at)
		for _, l := range leaves[lo:hi] {
			u := &x.units[l]
			if local && r.arity != noArity && r.fun == u.self && selfArity(u, r.arity) {
				continue // a recursive call, or the function's own head
			}
			if r.zero && (!zeroIn[u.parent+"."+r.fun] || boundIn(bound[r.fun], u)) {
				continue // a variable, or not a function of this module
			}
			s := x.scopes[l]
			name, arity := r.fun, r.arity
			viaUse := false   // a local call the module's templates may import
			viaAlias := false // a remote call through a name no alias expands
			switch {
			case r.mod != "":
				head := x.expandAt(s, r.mod, r.at)
				name = head + "." + r.fun
				viaAlias = head == r.mod && r.mod[0] >= 'A' && r.mod[0] <= 'Z' && !strings.Contains(r.mod, ".")
			case prefix != "":
				name = x.expandAt(s, prefix, r.at) + "." + r.fun
			case r.alias:
				name = x.expandAt(s, r.fun, r.at)
			case !r.zero && !inTypespec(r.at) && !defines(u.parent, r.fun, r.arity):
				// Not the module's own: imported, or Kernel's.
				if mod := importedFrom(imports, r.at, r.fun, r.arity, x.test, defines); mod != "" {
					name, viaUse = mod+"."+r.fun, true
				} else if mod, special := kernelModule(r.fun, r.arity); mod != "" && !kernelExcluded(imports, r.at, r.fun, r.arity) {
					name = mod + "." + r.fun
					if special {
						arity = noArity
					}
				} else {
					viaUse = true
				}
			}
			if arity != noArity {
				name += "/" + strconv.Itoa(arity)
			}
			u.refs = append(u.refs, ref{name, r.at})
			if viaUse {
				useRefs(u, uses, r.fun, r.arity, r.at, x.test)
			} else if viaAlias {
				// The templates' quotes may alias the name (usingAlias).
				useRefs(u, uses, r.mod+"."+r.fun, r.arity, r.at, false)
			}
			if used {
				u.refs = append(u.refs, ref{name + ".__using__/1", r.at})
				if !x.quoted(root, r.at) {
					uses = append(uses, exUse{user: u.parent, mod: name, at: r.at})
				}
			}
		}
	}
	x.templates = templates
}

// usesNext reports whether the module name at i is the first argument of
// the `use` ending at end: only blanks, and the call's opening
// parenthesis, lie between them.
func usesNext(src []byte, end, i int) bool {
	if i > len(src) {
		return false
	}
	paren := false
	for _, c := range src[end:i] {
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		case c == '(' && !paren:
			paren = true
		default:
			return false
		}
	}
	return true
}

// isMultiAlias reports whether the module name ending at i is the prefix
// of a multi-alias.
func isMultiAlias(src []byte, i int) bool {
	_, ok := multiAlias(src, i)
	return ok
}

// multiAlias reports whether the module name ending at i is the prefix of
// a multi-alias (`alias MyApp.{Repo, User}`), and where its braces close.
func multiAlias(src []byte, i int) (end int, ok bool) {
	if i >= len(src) || src[i] != '.' {
		return 0, false
	}
	i++
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i++
	}
	if i >= len(src) || src[i] != '{' {
		return 0, false
	}
	// Only module names and comments are inside.
	for ; i < len(src) && src[i] != '}'; i++ {
		if src[i] == '#' {
			for i < len(src) && src[i] != '\n' {
				i++
			}
		}
	}
	return i, true
}

// definedFunctions returns the function units of the file by module and
// name ("MyApp.get" → its units, one per arity).
func (x *exFile) definedFunctions() map[string][]int {
	out := map[string][]int{}
	for i := range x.units {
		if u := &x.units[i]; u.self != "" {
			out[u.parent+"."+u.self] = append(out[u.parent+"."+u.self], i)
		}
	}
	return out
}

// zeroArity returns the names of the file's functions that can be called
// with no arguments, and the same qualified by their module (Mod.f).
func (x *exFile) zeroArity() (names, qualified map[string]bool) {
	for i := range x.units {
		u := &x.units[i]
		if u.self == "" || !selfArity(u, 0) {
			continue
		}
		if names == nil {
			names, qualified = map[string]bool{}, map[string]bool{}
		}
		names[u.self] = true
		qualified[u.parent+"."+u.self] = true
	}
	return names, qualified
}

// boundNames returns, for each name read alone that looks bound as a
// variable somewhere, where it is.
func boundNames(refs []rawRef) map[string][]int {
	var out map[string][]int
	for _, r := range refs {
		if r.zero && r.bound {
			if out == nil {
				out = map[string][]int{}
			}
			out[r.fun] = append(out[r.fun], r.at)
		}
	}
	return out
}

// boundIn reports whether one of the offsets at is inside u: the name is
// a variable in u.
func boundIn(at []int, u *unit) bool {
	for _, a := range at {
		if u.start <= a && a < u.end {
			return true
		}
	}
	return false
}

// selfArity reports whether a function unit u (named Mod.f/K, with D
// defaults) is called by a call of its own name with n arguments: the
// compiler defines f/K−D to f/K.
func selfArity(u *unit, n int) bool {
	i := strings.LastIndexByte(u.name, '/')
	if i < 0 {
		return false
	}
	k, err := strconv.Atoi(u.name[i+1:])
	return err == nil && k-u.defaults <= n && n <= k
}

func isContainerKind(k string) bool { return Chunk{Kind: k}.Container() }

// exSyntax reports the names that are not refs where a call of them is
// written: operators written as words (`not(x)` included), `fn`, the
// names read as values (__MODULE__, __ENV__, …), and ExUnit's blocks.
// Every other call is a ref, Kernel's macros and the special forms too
// (`if` is Kernel.if/2, `def` Kernel.def/2, `case`
// Kernel.SpecialForms.case), unless its module defines the name.
func exSyntax(name string) bool {
	switch name {
	case "and", "or", "not", "in", "when", "fn",
		"__MODULE__", "__ENV__", "__DIR__", "__CALLER__", "__STACKTRACE__",
		"describe", "test", "setup", "setup_all":
		return true
	}
	return false
}

// strings returns the multi-line strings, charlists, sigils and quoted
// atoms overlapping [start, end), in order: a split must not cut them.
func (x *exFile) strings(root sitter.Node, start, end int) []span {
	var out []span
	var walk func(n sitter.Node)
	walk = func(n sitter.Node) {
		s, e := int(n.StartByte()), int(n.EndByte())
		if e <= start || s >= end || n.StartPosition().Row == n.EndPosition().Row {
			return
		}
		switch x.kind(n) {
		case "string", "charlist", "sigil", "quoted_atom":
			out = append(out, span{s, e})
			return
		}
		for _, c := range x.children(n) {
			walk(c)
		}
	}
	walk(root)
	return out
}

// syntaxWarnings reports the file's syntax error where the Elixir compiler
// does. A string, heredoc, sigil or quoted atom left open is reported
// where it starts: it takes the rest of the file, so tree-sitter's errors
// point at whatever encloses it (often line 1), while the Elixir compiler
// stops at it. Else a delimiter that does not pair up (elixir_delims.go)
// is, as the compiler's tokenizer reports it before it parses. Else a
// reserved word tree-sitter took for a variable (elixir_recover.go), where
// the compiler's parser stops. Else the errors tree-sitter found or the
// tokens it made up (at most three), the innermost: an ERROR node holding
// another is not where the error is.
func (x *exFile) syntaxWarnings(root *sitter.Node) {
	if u, ok := exlex.FindUnclosed(x.src); ok {
		line := x.lines.line(u.Start)
		x.warnf("line %d: syntax error: missing terminator: %s (for %s starting at line %d)", line, u.Closer, u.What, line)
		return
	}
	if x.delimiterWarning() || x.reservedWordWarning(*root, x.blockWordOffsets()) {
		return
	}
	n := 0
	// A token tree-sitter made up at the end of the file is after its
	// final newline: report it on the file's last line, not one past it.
	lastByte := max(len(bytes.TrimRight(x.src, "\n"))-1, 0)
	var walk func(nd *sitter.Node)
	walk = func(nd *sitter.Node) {
		if n >= 3 {
			return
		}
		inner := false
		for i := range nd.ChildCount() {
			if c := nd.Child(i); c.HasError() || c.IsMissing() {
				inner = true
				walk(c)
			}
		}
		switch {
		case inner:
		case nd.IsMissing():
			n++
			x.warnf("line %d: syntax error: missing %q", x.lines.line(min(int(nd.StartByte()), lastByte)), nd.Kind())
		case nd.IsError():
			n++
			x.warnf("line %d: syntax error", x.lines.line(min(int(nd.StartByte()), lastByte)))
		}
	}
	walk(root)
}

// sortUnits orders units by start; a container stays before the units that
// start where it does.
func sortUnits(us []unit) {
	slices.SortStableFunc(us, func(a, b unit) int { return a.start - b.start })
}
