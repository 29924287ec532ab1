package chunk

import (
	"bytes"
	"cmp"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// exFile is the state of chunking one Elixir file.
type exFile struct {
	*file
	g        *exGrammar
	nodes    *nodeLister
	test     bool // .exs: ExUnit describe/test blocks are units
	hasError bool // the tree has ERROR or MISSING nodes
	// unitWords are, in a tree with errors, the words that start units
	// written first on their line, in order (see cutSwallowed).
	unitWords []lineWord
	// clauseWords are the offsets of else, after, rescue and catch, found
	// by the refs lexer (see reservedWordWarning).
	clauseWords []int
	// scopes[i] is the module scope of f.units[i] (nil outside modules).
	scopes []*exScope
	// notRefs are the offsets of what the refs lexer takes for references
	// in a defdelegate but are not: the module of its `to:` (its units
	// refer to the target function instead, see addDelegateRef) and the
	// heads it defines (in the list form, `defdelegate [a(x), b()]`, a
	// head is not a call of a from b).
	notRefs map[int]bool
	// typespecs are the module attributes holding types (@spec, @type,
	// @callback, …): the calls in them are types, which imports do not
	// bring in.
	typespecs []span
	// aliases are the file's alias declarations by the name they alias,
	// in the order declared, each with the bytes it is in effect in (see
	// expandAt).
	aliases map[string][]aliasDecl
	// templates are the imports the quotes of the file's templates'
	// `using` blocks and `__using__` macros declare (elixir_using.go).
	templates []usingImport
}

// exScope is a module: its qualified name.
type exScope struct {
	module string
}

// itemKind classifies the expressions of a module body.
type itemKind int

const (
	itemOther    itemKind = iota
	itemComment           // a comment on its own line
	itemAttr              // @doc/@spec/@impl/@deprecated/@since, attr, slot: attaches to the next def
	itemOption            // @compile/@dialyzer: attaches to the next def when nothing sets it apart (see attached)
	itemModAttr           // any other module attribute: attaches to a def only below an @doc/… of it
	itemTag               // @tag/@describetag: attaches to the next test or describe
	itemDef               // def, defp, defmacro, …
	itemModule            // defmodule, defprotocol, defimpl
	itemDescribe          // ExUnit describe with a do block
	itemTest              // ExUnit test
	itemAlias             // alias, require (its `as:` recorded in the scope; otherwise like other)
)

// exItem is one expression of a body.
type exItem struct {
	kind       itemKind
	n          sitter.Node
	start, end int
	// what is the def keyword, the module keyword or the test/describe label.
	what string
	// Recovered from a tree with errors: a def's arguments (its head) when
	// the def call itself is lost, a module's body when its do block is.
	args *sitter.Node
	body []sitter.Node
	// items are a module's or describe's body, read already (read) when
	// the tree has errors: where it ends depends on them (see
	// splitContainer).
	items []exItem
	read  bool
}

// chunkElixir parses with tree-sitter and cuts along modules, functions
// (all clauses of a name/arity together, with their @doc/@spec above) and,
// in .exs files, ExUnit describe and test blocks. tree-sitter recovers from
// syntax errors, so a file being edited still yields its units.
func (f *file) chunkElixir() {
	g, err := elixirGrammar()
	if err != nil {
		f.warnf("elixir grammar: %v", err)
		f.sizeUnits(0, len(f.src), KindText, f.textName(), "")
		return
	}
	p, err := g.parser()
	if err != nil {
		f.warnf("elixir grammar: %v", err)
		f.sizeUnits(0, len(f.src), KindText, f.textName(), "")
		return
	}
	defer g.release(p)
	key := cmp.Or(f.opt.TreeKey, f.path)
	tree := f.opt.Trees.parse(p, key, f.src)
	if tree == nil {
		p.Reset() // a parse that stopped would resume with the next input
		f.warnf("tree-sitter returned no tree")
		f.sizeUnits(0, len(f.src), KindText, f.textName(), "")
		return
	}
	if f.opt.Trees != nil {
		defer f.opt.Trees.keep(key, f.src, tree)
	} else {
		defer tree.Close()
	}
	root := tree.RootNode()
	nodes := newNodeLister(*root)
	defer nodes.close()
	x := &exFile{file: f, g: g, nodes: nodes, test: filepath.Ext(f.path) == ".exs", hasError: root.HasError()}
	if x.hasError {
		x.unitWords = x.lineWords()
		x.syntaxWarnings(root)
	}
	top := x.children(*root)
	if x.kind(*root) == "ERROR" {
		// What tree-sitter could not fit is the whole file (a heredoc
		// above the error can make it so): its tokens, `do` included,
		// are the top level, as an ERROR node's are spliced into a body.
		top = x.allChildren(*root)
	}
	x.body(x.items(top), nil, "", -1, nil)
	x.refs(*root)
	x.defaultArities()
	x.usingMembers()
	if !x.hasError {
		// A clause word taken for an operand can leave no error in the
		// tree; the words were found by the refs lexer.
		x.reservedWordWarning(*root, x.clauseWords)
	}
	f.protect(func(start, end int) []span { return x.strings(*root, start, end) })
	sortUnits(f.units)
}

// children returns a node's named children.
func (x *exFile) children(n sitter.Node) []sitter.Node { return x.nodes.namedChildren(n) }

// kind returns a node's kind name.
func (x *exFile) kind(n sitter.Node) string {
	id := n.KindId()
	if int(id) < len(x.g.kinds) {
		return x.g.kinds[id]
	}
	if id == 0xFFFF { // tree-sitter's builtin error symbol
		return "ERROR"
	}
	return ""
}

// field returns a node's child in field f, or nil.
func (x *exFile) field(n sitter.Node, f int) *sitter.Node { return n.ChildByFieldId(x.g.field[f]) }

// args returns a call's first named child of kind arguments, if any.
func (x *exFile) args(call sitter.Node) *sitter.Node { return x.nodes.childOf(call, x.g.arguments) }

// doBlock returns a call's first named child of kind do_block, if any.
func (x *exFile) doBlock(call sitter.Node) (sitter.Node, bool) {
	if c := x.nodes.childOf(call, x.g.doBlock); c != nil {
		return *c, true
	}
	return sitter.Node{}, false
}

func (x *exFile) text(n sitter.Node) string { return string(x.src[n.StartByte():n.EndByte()]) }

// items classifies the expressions of a body. In a tree with syntax
// errors it also recovers what it can (see elixir_recover.go).
func (x *exFile) items(nodes []sitter.Node) []exItem {
	out := make([]exItem, 0, len(nodes))
	for i := 0; i < len(nodes); i++ {
		if x.hasError && (x.kind(nodes[i]) == "ERROR" || x.unitArgs(nodes[i])) {
			// What tree-sitter could not fit, flattened: take it apart
			// (the bare arguments of an `end` read as a call as well).
			nodes = slices.Concat(nodes[:i:i], x.allChildren(nodes[i]), nodes[i+1:])
			i--
			continue
		}
		for x.hasError && i+1 < len(nodes) && x.kind(nodes[i+1]) == "ERROR" {
			nodes = slices.Concat(nodes[:i+1:i+1], x.allChildren(nodes[i+1]), nodes[i+2:])
		}
		n := nodes[i]
		it := exItem{n: n, start: int(n.StartByte()), end: int(n.EndByte())}
		it.kind, it.what = x.classify(n)
		if it.kind == itemComment && !x.ownLine(it.start) {
			it.kind = itemOther
		}
		if x.hasError {
			var stop bool
			first := i
			nodes, i, stop = x.recoverItem(&it, nodes, i)
			if it.kind == itemDef || it.kind == itemTest {
				nodes, i = x.cutSwallowed(&it, nodes, first, i)
			}
			var rest []exItem
			if it.kind == itemModule || it.kind == itemDescribe {
				rest = x.splitContainer(&it)
			}
			if stop {
				return append(append(out, it), rest...)
			}
			if rest != nil {
				out = append(append(out, it), rest...)
				continue
			}
		}
		out = append(out, it)
	}
	return out
}

// classify says what an expression of a body is.
func (x *exFile) classify(n sitter.Node) (itemKind, string) {
	switch x.kind(n) {
	case "comment":
		return itemComment, ""
	case "unary_operator":
		op := x.field(n, fOperand)
		if op == nil || x.kind(*op) != "call" || x.text(*n.Child(0)) != "@" {
			return itemOther, ""
		}
		t := x.field(*op, fTarget)
		if t == nil {
			return itemOther, ""
		}
		name := x.text(*t)
		switch name {
		case "spec", "type", "typep", "opaque", "callback", "macrocallback":
			x.typespecs = append(x.typespecs, span{int(n.StartByte()), int(n.EndByte())})
		}
		switch name {
		case "doc", "spec", "impl", "deprecated", "since":
			return itemAttr, ""
		case "compile", "dialyzer":
			return itemOption, ""
		case "tag", "describetag":
			return itemTag, ""
		case "moduledoc", "shortdoc", "typedoc", "type", "typep", "opaque", "callback", "macrocallback",
			"optional_callbacks", "behaviour", "moduletag":
			// These document or declare something of their own (the
			// module, a type, a callback), never the function below.
			return itemOther, ""
		}
		return itemModAttr, ""
	case "call":
		t := x.field(n, fTarget)
		if t == nil || x.kind(*t) != "identifier" {
			return itemOther, ""
		}
		kw := x.text(*t)
		switch kw {
		case "def", "defp", "defmacro", "defmacrop", "defguard", "defguardp", "defdelegate":
			if x.args(n) != nil {
				return itemDef, kw
			}
		case "defmodule", "defprotocol", "defimpl":
			if _, ok := x.bodyOf(n); ok {
				return itemModule, kw
			}
		case "alias", "require":
			// `require X, as: Y` defines the alias Y as `alias X, as: Y`
			// does (declare sees to the as:); a require without it
			// defines none.
			return itemAlias, kw
		case "attr", "slot":
			// A Phoenix function component's declared attributes and
			// slots (`attr :kind, :atom`, `slot :col do … end`) are part
			// of the function that follows, as its @doc is.
			if args := x.argList(n); len(args) > 0 && x.kind(args[0]) == "atom" {
				return itemAttr, ""
			}
		case "describe", "test":
			if !x.test {
				break
			}
			if _, ok := x.doBlock(n); ok && kw == "describe" {
				return itemDescribe, "describe " + x.label(n)
			} else if kw == "test" && x.args(n) != nil {
				return itemTest, "test " + x.label(n)
			}
		}
	}
	return itemOther, ""
}

// bodyOf returns the expressions of a module's body: its do block's, or
// those of a `do:` keyword (`defmodule A, do: (def f, do: 1)`).
func (x *exFile) bodyOf(call sitter.Node) ([]sitter.Node, bool) {
	if db, ok := x.doBlock(call); ok {
		return x.children(db), true
	}
	args := x.argList(call)
	if len(args) < 2 || x.kind(args[len(args)-1]) != "keywords" {
		return nil, false
	}
	for _, p := range x.children(args[len(args)-1]) {
		cs := x.children(p)
		if len(cs) != 2 || strings.TrimSpace(x.text(cs[0])) != "do:" {
			continue
		}
		if x.kind(cs[1]) == "block" {
			return x.children(cs[1]), true
		}
		return cs[1:], true
	}
	return nil, false
}

// label is the first argument of a test or describe, as written.
func (x *exFile) label(call sitter.Node) string { return x.labelOf(x.args(call)) }

// labelOf is the first of arguments args, as written.
func (x *exFile) labelOf(args *sitter.Node) string {
	if args != nil {
		if cs := x.children(*args); len(cs) > 0 {
			return x.text(cs[0])
		}
	}
	return `""`
}

// ownLine reports whether only white space precedes off on its line.
func (x *exFile) ownLine(off int) bool {
	for i := off - 1; i >= 0 && x.src[i] != '\n'; i-- {
		if x.src[i] != ' ' && x.src[i] != '\t' {
			return false
		}
	}
	return true
}

// add appends a unit with its scope and returns its index.
func (x *exFile) add(u unit, s *exScope) int {
	x.units = append(x.units, u)
	x.scopes = append(x.scopes, s)
	return len(x.units) - 1
}

// body cuts the items of a module body (or of the file, scope nil, or of a
// describe block, describe >= 0 its unit) into units. The expressions before
// the first unit form the module's header (from the defmodule line on);
// later runs of other expressions form code units. lex holds the aliases in
// effect where the body starts; the body's own count from where they are
// declared, and end with it (for naming modules, see moduleName, and for
// refs, see expandAt).
func (x *exFile) body(items []exItem, s *exScope, containerKind string, container int, lex map[string]string) {
	to := len(x.src) // where the body's aliases stop counting
	if container >= 0 {
		to = x.units[container].end
	}
	lex = maps.Clone(lex)
	if lex == nil {
		lex = map[string]string{}
	}
	groups := map[string]int{} // name/arity → unit index
	lastGroup := ""            // key of the last unit if it is a function group
	header := containerKind == KindModule || containerKind == KindProtocol || containerKind == KindImpl
	next := 0 // first item not yet in a unit or run
	parent, describe := "", ""
	if s != nil {
		parent = s.module
	}
	if containerKind == KindDescribe {
		describe = x.units[container].name + " / "
	}

	// run emits the items [from, to) as a header or code unit.
	run := func(from, to int) {
		first, last := -1, -1
		for i := from; i < to; i++ {
			if items[i].kind != itemComment {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		if first < 0 {
			header = false
			return
		}
		// Like a unit, code takes the comments directly above it: in a
		// script, the file's opening comments.
		u := unit{kind: KindCode, start: x.commentsAbove(items, first, from), end: items[last].end, parent: parent}
		switch {
		case header:
			u.kind, u.name, u.start = KindHeader, parent, x.units[container].start
		case s != nil:
			u.name = parent
		default:
			u.name = x.textName()
		}
		if describe != "" {
			u.name = strings.TrimSuffix(describe, " / ")
		}
		header = false
		x.add(u, s)
	}

	for i, it := range items {
		switch it.kind {
		case itemDef, itemModule, itemDescribe, itemTest:
		case itemAlias:
			x.declare(it, parent, lex, to)
			continue
		case itemOther:
			// After `defoverridable f: 1` a def of f/1 is a new
			// definition, not another clause of the one above.
			if names, all := x.overridable(it.n); all {
				clear(groups)
				lastGroup = ""
			} else {
				for _, key := range names {
					delete(groups, key)
					if lastGroup == key {
						lastGroup = ""
					}
				}
			}
			continue
		default:
			continue
		}
		first := x.attached(items, i, next)
		start := x.commentsAbove(items, first, next)
		if it.kind == itemDef {
			// One unit per function defined: a defdelegate of a list gives
			// units of the same bytes, one named after each function.
			var target delegateTo
			if it.what == "defdelegate" {
				target = x.delegateTarget(it)
			}
			for _, h := range x.defHeads(it) {
				key := h.name + "/" + strconv.Itoa(h.arity)
				if gi, ok := groups[key]; ok {
					// Another clause of a function seen before: one unit
					// spans them all. Apart from the previous one, it
					// overlaps what is between (the compiler warns about
					// that too).
					u := &x.units[gi]
					u.end = max(u.end, it.end)
					u.defaults = max(u.defaults, h.defaults)
					if lastGroup != key {
						x.warnf("line %d: clauses of %s are not together; its chunk spans the code between", x.lines.line(it.start), u.name)
						run(next, first)
					}
				} else {
					run(next, first)
					qual := key
					if parent != "" {
						qual = parent + "." + qual
					}
					groups[key] = x.add(unit{kind: defKind(it.what), name: qual, parent: parent, start: start, end: it.end, self: h.name,
						private: strings.HasSuffix(it.what, "p"), defaults: h.defaults}, s)
					lastGroup = key
				}
				if it.what == "defdelegate" {
					x.addDelegateRef(groups[key], s, target, h)
				}
				next = i + 1
			}
			continue
		}
		run(next, first)
		lastGroup = ""
		switch it.kind {
		case itemModule:
			x.module(it, start, s, lex, to)
		case itemDescribe:
			d := x.add(unit{kind: KindDescribe, name: it.what, parent: parent, start: start, end: it.end, noSplit: true}, s)
			if it.read {
				x.body(it.items, s, KindDescribe, d, lex)
			} else if db, ok := x.doBlock(it.n); ok {
				x.body(x.items(x.children(db)), s, KindDescribe, d, lex)
			}
		case itemTest:
			x.add(unit{kind: KindTest, name: describe + it.what, parent: parent, start: start, end: it.end}, s)
		}
		next = i + 1
	}
	n := len(x.units)
	run(next, len(items))
	if containerKind != "" {
		x.trailingComments(items, next, n, s, container, parent)
	}
}

// trailingComments puts the own-line comments after the last expression
// of a container's body, before its `end` (a TODO, a function commented
// out), in a leaf: a reader takes them for part of the module, and
// without a leaf neither search nor a context would see them. They end
// the header or code unit the body ends with (added from n on, if any);
// after a unit they are a code unit of their own, named as code there is
// (the unit before ends where the compiler says it does, and a function's
// chunk is its code, not what was commented out after it); a module body
// of comments alone is the module's header, the whole module, as an empty
// module's is. next is the first item after the body's last unit; parent
// is the module the body is of. At the top of a file there is no `end`:
// comments after the last expression stay in no chunk, as those after a
// Go file's last declaration do.
func (x *exFile) trailingComments(items []exItem, next, n int, s *exScope, container int, parent string) {
	tail := len(items)
	for tail > next && items[tail-1].kind == itemComment {
		tail--
	}
	if tail == len(items) {
		return
	}
	end := items[len(items)-1].end
	c := &x.units[container]
	switch {
	case len(x.units) > n:
		u := &x.units[len(x.units)-1]
		u.end = max(u.end, end)
	case next == 0 && c.kind != KindDescribe:
		// A module holding nothing else is empty: its header is all of
		// it, as an empty module's is.
		x.add(unit{kind: KindHeader, name: parent, parent: parent, start: c.start, end: c.end}, s)
	default:
		x.add(unit{kind: KindCode, name: c.name, parent: parent, start: items[tail].start, end: end}, s)
	}
}

// defKind is the chunk kind of a def keyword.
func defKind(kw string) string {
	switch kw {
	case "defmacro", "defmacrop":
		return KindMacro
	case "defguard", "defguardp":
		return KindGuard
	case "defdelegate":
		return KindDelegate
	}
	return KindFunction
}

// attached returns the index of the first item attached above item i
// (comments between them allowed; comments above it are commentsAbove's);
// i itself if there is none. It does not look before from. A test or
// describe takes the @tag/@describetag run above it. A def takes the run
// of attributes a reader reads with it, as the compiler applies them to
// it: @doc/@spec/@impl/@deprecated/@since (and attr/slot) however far
// apart; @compile and @dialyzer (`@compile {:inline, last: 2}`), which
// are about the functions they name, when they lie inside that run or
// directly above it or the def, with no blank line between (one set apart
// is read as the module's: `@compile :inline_list_funcs` in a header);
// and any other attribute (`@decorate`, a constant) only inside the run,
// below an @doc/… of the def: above the run it is the module's data,
// which a function may share with others.
func (x *exFile) attached(items []exItem, i, from int) int {
	switch items[i].kind {
	case itemTest, itemDescribe:
		first := i
		for j := i - 1; j >= from && (items[j].kind == itemTag || items[j].kind == itemComment); j-- {
			if items[j].kind == itemTag {
				first = j
			}
		}
		return first
	case itemModule:
		return i
	}
	first := i
	glued := true // no blank line from item below to the last attached one
	for j := i - 1; j >= from; j-- {
		it := items[j]
		glued = glued && x.lines.line(it.end-1)+1 >= x.lines.line(items[j+1].start)
		switch it.kind {
		case itemAttr:
			first, glued = j, true
			continue
		case itemOption:
			if glued {
				first = j
			}
			continue
		case itemModAttr, itemComment:
			continue
		case itemOther:
			if x.kind(it.n) == "comment" { // after code on its line
				continue
			}
		}
		break
	}
	return first
}

// commentsAbove returns where item i's unit starts: at the block of
// own-line comments directly above it (no blank line between), if any.
func (x *exFile) commentsAbove(items []exItem, i, from int) int {
	start := items[i].start
	line := x.lines.line(start)
	for j := i - 1; j >= from && items[j].kind == itemComment; j-- {
		if x.lines.line(items[j].end-1) != line-1 {
			break
		}
		start = items[j].start
		line = x.lines.line(start)
	}
	return start
}

// module adds a container unit for defmodule/defprotocol/defimpl and the
// units of its body. lex holds the aliases in effect where it is defined;
// the alias a nested defmodule or defprotocol defines is added to them,
// for its body and what follows it up to to, the end of the enclosing
// body.
func (x *exFile) module(it exItem, start int, outer *exScope, lex map[string]string, to int) {
	kind := KindModule
	switch it.what {
	case "defprotocol":
		kind = KindProtocol
	case "defimpl":
		kind = KindImpl
	}
	name := x.moduleName(it, outer, lex)
	parent := ""
	if outer != nil {
		parent = outer.module
	}
	x.declare(it, parent, lex, to)
	s := &exScope{module: name}
	idx := x.add(unit{kind: kind, name: name, parent: parent, start: start, end: it.end, noSplit: true}, s)
	var items []exItem
	if it.read {
		items = it.items
	} else if it.body != nil {
		items = x.items(it.body)
	} else if nodes, ok := x.bodyOf(it.n); ok {
		items = x.items(nodes)
	} else {
		return
	}
	x.body(items, s, kind, idx, lex)
	if start < it.start && (len(x.units) == idx+1 || x.units[idx+1].kind != KindHeader) {
		// The comments above a module whose body starts with a unit are
		// in a header of their own, with the defmodule line, as a Go
		// package's doc comment is in its header: a container's text is
		// searched through its leaves.
		end := it.end
		if len(items) > 0 {
			end = len(bytes.TrimRight(x.src[:items[0].start], " \t\r\n"))
		}
		if end > start {
			x.add(unit{kind: KindHeader, name: name, parent: name, start: start, end: end}, s)
		}
	}
}
