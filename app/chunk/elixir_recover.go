package chunk

import (
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
	case it.kind == itemOther && x.kind(n) == "identifier" && i+1 < len(nodes) && x.kind(nodes[i+1]) == "arguments":
		// The tokens of a def: `def` (arguments) … up to the next unit.
		if kw := x.text(n); isDefKeyword(kw) {
			it.kind, it.what, it.args = itemDef, kw, &nodes[i+1]
			j := i + 2
			for j < len(nodes) && !x.startsUnit(nodes, j) {
				j++
			}
			it.end = int(nodes[j-1].EndByte())
			return nodes, j - 1, false
		}
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
	return x.kind(nodes[j]) == "identifier" && j+1 < len(nodes) && x.kind(nodes[j+1]) == "arguments" &&
		isDefKeyword(x.text(nodes[j]))
}

func isDefKeyword(s string) bool {
	switch s {
	case "def", "defp", "defmacro", "defmacrop", "defguard", "defguardp", "defdelegate":
		return true
	}
	return false
}
