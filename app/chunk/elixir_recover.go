package chunk

import (
	"bytes"
	"slices"
	"sort"

	"github.com/aiex-dev/aiex/app/parse/exlex"
	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Recovery. tree-sitter parses any input, but around a syntax error — the
// usual state of a file being edited — it wraps what it could not fit in
// ERROR nodes, often flattened: `defmodule A do … ` without its `end`
// becomes a bodiless defmodule call followed by an ERROR holding `do` and
// the body, and a def that lost its call node becomes the tokens `def`,
// (arguments), `do`, …. items splices ERROR nodes into the body and
// recoverItem rebuilds the units it can from such sequences. Whatever is
// not recognised ends up in code chunks, so every byte stays covered, and
// File reports the syntax errors as warnings.

// allChildren returns all of a node's children, anonymous tokens included.
func (x *exFile) allChildren(n sitter.Node) []sitter.Node {
	out := make([]sitter.Node, 0, n.ChildCount())
	for i := range n.ChildCount() {
		if c := n.Child(i); c != nil {
			out = append(out, *c)
		}
	}
	return out
}

// recoverItem looks at item it, nodes[i], of a body in a tree with errors,
// and returns the nodes (changed when it splices), the index of the last
// node the item took, and whether the item took the rest of the body.
func (x *exFile) recoverItem(it *exItem, nodes []sitter.Node, i int) ([]sitter.Node, int, bool) {
	n := nodes[i]
	switch {
	case it.kind == itemOther && x.kind(n) == "call" && i+1 < len(nodes) && x.kind(nodes[i+1]) == "do":
		// defmodule A followed by a stray `do`: the rest is its body.
		if t := x.field(n, fTarget); t != nil && x.args(n) != nil {
			switch kw := x.text(*t); kw {
			case "defmodule", "defprotocol", "defimpl":
				it.kind, it.what, it.body = itemModule, kw, nodes[i+2:]
				it.end = int(nodes[len(nodes)-1].EndByte())
				return nodes, len(nodes) - 1, true
			}
		}
	case it.kind == itemOther && x.kind(n) == "call" && i+1 < len(nodes) && x.kind(nodes[i+1]) == "do_block":
		// defmodule A followed by a do block of its own: the block of an
		// `end` read as a call (`end defmodule A do … end`, after a
		// bracket left open), whose arguments cutSwallowed took apart.
		if t := x.field(n, fTarget); t != nil && x.args(n) != nil && isModuleKeyword(x.text(*t)) {
			it.kind, it.what, it.body = itemModule, x.text(*t), x.children(nodes[i+1])
			it.end = int(nodes[i+1].EndByte())
			return nodes, i + 1, false
		}
	case it.kind == itemOther && x.kind(n) == "identifier" && i+2 < len(nodes) && x.kind(nodes[i+1]) == "arguments" &&
		x.kind(nodes[i+2]) == "do" && isModuleKeyword(x.text(n)):
		// The tokens of a module, `defmodule` (arguments) `do`, when the
		// call itself is lost (an error further down, after a heredoc):
		// the rest is its body, until splitContainer finds where it ends.
		it.kind, it.what, it.args, it.body = itemModule, x.text(n), &nodes[i+1], nodes[i+3:len(nodes):len(nodes)]
		it.end = int(nodes[len(nodes)-1].EndByte())
		return nodes, len(nodes) - 1, true
	case it.kind == itemOther && x.test && x.kind(n) == "identifier" && x.text(n) == "describe" && i+2 < len(nodes) &&
		x.kind(nodes[i+1]) == "arguments" && x.kind(nodes[i+2]) == "do":
		// The same of an ExUnit describe block.
		it.kind, it.what, it.args, it.body = itemDescribe, "describe "+x.labelOf(&nodes[i+1]), &nodes[i+1], nodes[i+3:len(nodes):len(nodes)]
		it.end = int(nodes[len(nodes)-1].EndByte())
		return nodes, len(nodes) - 1, true
	case it.kind == itemOther && x.kind(n) == "identifier" && i+1 < len(nodes) && x.kind(nodes[i+1]) == "arguments":
		// The tokens of a def: `def` (arguments) … up to the next unit,
		// or to an `end` on its own line indented less than the def,
		// which closes what encloses it.
		kw := x.text(n)
		if x.test && kw == "test" {
			// The same of an ExUnit test.
			it.kind, it.what = itemTest, "test "+x.labelOf(&nodes[i+1])
		} else if isDefKeyword(kw) {
			it.kind, it.what, it.args = itemDef, kw, &nodes[i+1]
		}
		if it.kind != itemOther {
			j := i + 2
			for j < len(nodes) && !x.startsUnit(nodes, j) && !x.startsTest(nodes, j) && !x.closesAbove(nodes[j], it.start) {
				j++
			}
			it.end = int(nodes[j-1].EndByte())
			return nodes, j - 1, false
		}
	case it.kind == itemDef && i+1 < len(nodes) && x.kind(nodes[i+1]) == "do_block" &&
		x.lines.line(int(nodes[i+1].StartByte())) == x.lines.line(it.end-1) && x.nodes.childOf(n, x.g.doBlock) == nil:
		// The same of a def: `end` / `def f(x) do … end` after a bracket
		// left open is end(def f(x)) do … end, and the arguments go to
		// the def again when cutSwallowed takes them apart.
		it.end = int(nodes[i+1].EndByte())
		return nodes, i + 1, false
	case it.kind == itemDef:
		// A def whose body holds further defs or modules has lost its
		// `end`: it ends before them, and they are spliced in after it.
		if db, ok := x.doBlock(n); ok {
			inner := x.children(db)
			for j := range inner {
				if x.startsUnit(inner, j) {
					it.end = int(db.StartByte()) + len("do")
					if j > 0 {
						it.end = int(inner[j-1].EndByte())
					}
					nodes = append(append(nodes[:i+1:i+1], inner[j:]...), nodes[i+1:]...)
					break
				}
			}
		}
	}
	return nodes, i, false
}

// startsUnit reports whether nodes[j] begins a def or module, whole or as
// recovered tokens.
func (x *exFile) startsUnit(nodes []sitter.Node, j int) bool {
	if k, _ := x.classify(nodes[j]); k == itemDef || k == itemModule {
		return true
	}
	return x.unitArgs(nodes[j]) || x.kind(nodes[j]) == "identifier" && j+1 < len(nodes) && x.kind(nodes[j+1]) == "arguments" &&
		(isDefKeyword(x.text(nodes[j])) || isModuleKeyword(x.text(nodes[j])))
}

// unitArgs reports whether n is the arguments, without parentheses, of
// an `end` read as a call, and the first of them a def or module: after a
// bracket left open, `end` / `defmodule B do … end` is the call end(defmodule
// B do … end), and tree-sitter's recovery can leave its arguments bare in
// the body.
func (x *exFile) unitArgs(n sitter.Node) bool {
	if x.kind(n) != "arguments" || n.NamedChildCount() == 0 {
		return false
	}
	c := n.NamedChild(0)
	if c == nil || c.StartByte() != n.StartByte() || x.kind(*c) != "call" {
		return false
	}
	k, _ := x.classify(*c)
	return k == itemDef || k == itemModule
}

// startsTest reports whether nodes[j] begins an ExUnit test or describe
// block (in .exs files), whole or as recovered tokens.
func (x *exFile) startsTest(nodes []sitter.Node, j int) bool {
	if !x.test {
		return false
	}
	if k, _ := x.classify(nodes[j]); k == itemTest || k == itemDescribe {
		return true
	}
	w := x.text(nodes[j])
	return x.kind(nodes[j]) == "identifier" && (w == "test" || w == "describe") && j+1 < len(nodes) && x.kind(nodes[j+1]) == "arguments"
}

func isModuleKeyword(s string) bool {
	return s == "defmodule" || s == "defprotocol" || s == "defimpl"
}

// closesAbove reports whether n is an `end` that tree-sitter read as a
// variable, written first on its line and indented less than the line of
// start: the `end` of what encloses the unit starting at start.
func (x *exFile) closesAbove(n sitter.Node, start int) bool {
	at := int(n.StartByte())
	return x.isEndWord(n) && at-x.lineStart(at) < start-x.lineStart(start)
}

// isEndWord reports whether n is an `end` read as a variable, first on its
// line.
func (x *exFile) isEndWord(n sitter.Node) bool {
	return x.kind(n) == "identifier" && x.text(n) == "end" && x.ownLine(int(n.StartByte()))
}

func isDefKeyword(s string) bool {
	switch s {
	case "def", "defp", "defmacro", "defmacrop", "defguard", "defguardp", "defdelegate":
		return true
	}
	return false
}

// lineWord is a word that starts a unit (def, defmodule, test, …) written
// first on its line, and the white space before it on that line.
type lineWord struct{ at, indent int }

// lineWords returns the words of the file that start a unit (in .exs files
// test and describe too) and come first on their line, in order; words in
// comments, strings and heredocs are not words.
func (x *exFile) lineWords() []lineWord {
	var out []lineWord
	exlex.Lex(x.src, func(t exlex.Token) {
		if t.Kind != exlex.Ident || t.Depth > 0 || !x.ownLine(t.Start) {
			return
		}
		switch w := string(x.src[t.Start:t.End]); {
		case isDefKeyword(w), w == "defmodule", w == "defprotocol", w == "defimpl",
			x.test && (w == "test" || w == "describe"):
			out = append(out, lineWord{at: t.Start, indent: t.Start - x.lineStart(t.Start)})
		}
	})
	return out
}

// cutSwallowed ends a def or test, it (nodes[first..last]), before a def,
// module or test inside it that starts a line indented no more than its
// own first line, and puts what follows in it after it (nodes returned,
// and the index of its last node). That is where an `end` is missing: a
// `case` left open in a def takes the defs after it into its last clause,
// and `x ==` before an `end` takes that `end` for its operand, so the test
// runs on over the next ones. The compiler sees the same: its hint names
// the `do` that an equally indented one follows while still open. Legal
// code indents what is nested in a def (defs in a quote) deeper.
func (x *exFile) cutSwallowed(it *exItem, nodes []sitter.Node, first, last int) ([]sitter.Node, int) {
	indent := it.start - x.lineStart(it.start)
	ws := x.unitWords
	at := -1
	for j := sort.Search(len(ws), func(j int) bool { return ws[j].at > it.start }); j < len(ws) && ws[j].at < it.end; j++ {
		if ws[j].indent <= indent {
			at = ws[j].at
			break
		}
	}
	if at < 0 {
		return nodes, last
	}
	for k := first; k <= last; k++ {
		top := nodes[k]
		if int(top.StartByte()) == at && k > first {
			// Already a node of its own in the body: end the item before it.
			it.end = x.cutEnd(it.start, at)
			return nodes, k - 1
		}
		if int(top.StartByte()) < at && at < int(top.EndByte()) {
			rest, ok := x.after(top, at)
			if !ok {
				return nodes, last
			}
			// What starts after the item's end is in nodes already: the
			// units recoverItem took out of the def's do block.
			rest = rest[:sort.Search(len(rest), func(r int) bool { return int(rest[r].StartByte()) >= it.end })]
			it.end = x.cutEnd(it.start, int(rest[0].StartByte()))
			return slices.Concat(nodes[:k+1:k+1], rest, nodes[k+1:]), k
		}
	}
	return nodes, last
}

// after returns the named descendants of n that start at or after at, the
// outermost possible (at must be where one of them starts), in order: the
// node starting at at and its later siblings, then the later siblings of
// its parent, and so on up to n. Comments and module attributes (but
// those declaring types, callbacks or the module's docs) directly above
// the node at at go with it; which of them attach is attached's to say.
// ok is false if no node starts at at.
func (x *exFile) after(n sitter.Node, at int) (rest []sitter.Node, ok bool) {
	var outer [][]sitter.Node // later siblings, innermost level last
	for {
		cs := x.children(n)
		i := slices.IndexFunc(cs, func(c sitter.Node) bool { return int(c.StartByte()) <= at && at < int(c.EndByte()) })
		if i < 0 {
			return nil, false
		}
		if int(cs[i].StartByte()) == at && x.kind(cs[i]) == "arguments" && cs[i].NamedChildCount() > 0 {
			// The arguments of an `end` read as a call (`end def f …`,
			// after a bracket left open): the node is what they hold.
			outer = append(outer, slices.Clone(cs[i+1:]))
			n = cs[i]
			continue
		}
		if int(cs[i].StartByte()) == at {
			for i > 0 {
				k, _ := x.classify(cs[i-1])
				if k != itemComment && k != itemAttr && k != itemOption && k != itemModAttr && k != itemTag || !x.ownLine(int(cs[i-1].StartByte())) {
					break
				}
				i--
			}
			rest = slices.Clone(cs[i:])
			for l := len(outer) - 1; l >= 0; l-- {
				rest = append(rest, outer[l]...)
			}
			return rest, true
		}
		outer = append(outer, slices.Clone(cs[i+1:]))
		n = cs[i]
	}
}

// cutEnd returns where a unit starting at start and cut before end ends:
// end moved back over the white space before it, and over an `end` first
// on its line and indented less than start's line, which closes what
// encloses the unit (a module whose `end` an `end` read as a call took
// along: `def g, do: 1` / `end` / `defmodule B do`), with the white space
// before that.
func (x *exFile) cutEnd(start, end int) int {
	end = x.trimEnd(start, end)
	if e := end - len("end"); e > start && string(x.src[e:end]) == "end" && exlex.IdentEnd(x.src, e) == end && x.ownLine(e) &&
		e-x.lineStart(e) < start-x.lineStart(start) {
		end = x.trimEnd(start, e)
	}
	return end
}

// trimEnd returns end moved back over the white space before it, not
// before start.
func (x *exFile) trimEnd(start, end int) int {
	for end > start+1 && isSpace(x.src[end-1]) {
		end--
	}
	return end
}

// lineStart returns the offset of the start of the line holding off.
func (x *exFile) lineStart(off int) int { return x.lines[x.lines.line(off)-1] }

// blockWords are the reserved words that end a do block or start one of
// its clauses, each with how the compiler writes it in a message: as an
// Erlang atom, quoted where the word is reserved in Erlang too.
var blockWords = map[string]string{"end": "'end'", "after": "'after'", "catch": "'catch'", "else": "else", "rescue": "rescue"}

// blockWordOffsets returns the offsets of the block words of the file (not
// after a dot), in order.
func (x *exFile) blockWordOffsets() []int {
	var out []int
	exlex.Lex(x.src, func(t exlex.Token) {
		if t.Kind == exlex.Ident && blockWords[string(x.src[t.Start:t.End])] != "" && !exlex.AfterDot(x.src, t.Start) {
			out = append(out, t.Start)
		}
	})
	return out
}

// reservedWordWarning reports the first of the block words at offsets at
// that tree-sitter parsed as a variable, and returns whether there is one.
// An operator left without its right operand (`assert 1 ==` on the line
// before `end`) takes the word for that operand. After an `end` taken so
// the structure shifts by one `end`, and tree-sitter's own error (an `end`
// missing) is at the end of the file; after `else` there may be no error
// at all. The compiler's parser stops at the word: "syntax error before:
// 'end'".
func (x *exFile) reservedWordWarning(root sitter.Node, at []int) bool {
	for _, a := range at {
		e := exlex.IdentEnd(x.src, a)
		if n := root.DescendantForByteRange(uint(a), uint(e)); n != nil && x.kind(*n) == "identifier" {
			x.warnf("line %d: syntax error before: %s", x.lines.line(a), blockWords[string(x.src[a:e])])
			return true
		}
	}
	return false
}

// splitContainer reads the body of module (or describe) item it, in a
// tree with errors, into it.items, and returns the items that follow the
// module, which tree-sitter took into its body. A module whose `end` is missing (or
// whose `do` tree-sitter could not pair with it: a def left open
// further down makes the defmodule tokens, `defmodule` (arguments) `do`,
// and the rest of the file its body) runs on to the end of what encloses
// it; the module after it would be named as nested in it
// (P.Money.P.Money.Extra), and the functions after a nested module's
// `end` as its own. So where a def or module inside it starts a line
// indented no more than the defmodule line, while its body is indented
// deeper, the module ends before it (and the comments and attributes
// directly above it, indented as it is), as cutSwallowed ends a def;
// the `end` between is the module's. Without that indentation (a
// module written on one line, or unindented), the body runs on as read.
// A describe block, which a test left open swallows the same way, ends
// the same way, before a test, describe or def indented as it is.
func (x *exFile) splitContainer(it *exItem) []exItem {
	nodes := it.body
	if nodes == nil {
		var ok bool
		if nodes, ok = x.bodyOf(it.n); !ok {
			return nil
		}
	}
	items := x.items(nodes)
	it.items, it.read = items, true
	indent := it.start - x.lineStart(it.start)
	first := slices.IndexFunc(items, func(b exItem) bool { return x.ownLine(b.start) })
	if first < 0 || items[first].start-x.lineStart(items[first].start) <= indent {
		return nil
	}
	k := len(items)
	ws := x.unitWords
	for j := sort.Search(len(ws), func(j int) bool { return ws[j].at > it.start }); j < len(ws) && ws[j].at < it.end; j++ {
		if ws[j].indent <= indent {
			at := ws[j].at
			k = sort.Search(len(items), func(i int) bool { return items[i].start >= at })
			break
		}
	}
	for k < len(items) && k > 0 {
		b := items[k-1]
		if b.kind != itemComment && b.kind != itemAttr && b.kind != itemOption && b.kind != itemModAttr && b.kind != itemTag ||
			!x.ownLine(b.start) || b.start-x.lineStart(b.start) > indent {
			break
		}
		k--
	}
	rest := items[k:]
	if k == len(items) && it.body == nil {
		// A module read whole, with nothing after it in its body.
		return nil
	}
	end := it.start
	for _, b := range items[:k] {
		end = max(end, b.end)
	}
	if k > 0 && items[k-1].kind == itemOther && x.isEndWord(items[k-1].n) && items[k-1].start-x.lineStart(items[k-1].start) <= indent {
		// The module's own `end`, read as a variable.
		k--
	} else if e, ok := x.endWordAt(end, indent); ok && (len(rest) == 0 || e <= rest[0].start) {
		// The `end` the do block of the def above took for its own.
		end = e
	}
	it.items, it.end = items[:k:k], end
	return rest
}

// endWordAt returns the end of the `end` that follows off after white
// space only, when it is first on its line and indented no more than
// indent.
func (x *exFile) endWordAt(off, indent int) (int, bool) {
	i := off
	for i < len(x.src) && isSpace(x.src[i]) {
		i++
	}
	if !bytes.HasPrefix(x.src[i:], []byte("end")) || exlex.IdentEnd(x.src, i) != i+3 || !x.ownLine(i) || i-x.lineStart(i) > indent {
		return 0, false
	}
	return i + 3, true
}
