package testgen

import (
	"errors"
	"sync"

	sitter "github.com/tree-sitter/go-tree-sitter"
	elixir "github.com/tree-sitter/tree-sitter-elixir/bindings/go"
)

// exFlip maps the Elixir operators a mutant flips to their replacements.
var exFlip = map[string]string{
	"==": "!=", "!=": "==", "===": "!==", "!==": "===",
	"<": ">=", ">=": "<", ">": "<=", "<=": ">",
	"+": "-", "-": "+",
	"and": "or", "or": "and", "&&": "||", "||": "&&",
}

// exMutated says, for a target without a site, what elixirSites looks
// for. Elixir has no compound assignment (x = x + 1 rebinds, and its +
// is flipped), and its ++ and -- are list operators, not steps.
const exMutated = "no comparison, + or -, and or or, && or ||, true or false, nor :ok or :error tuple being built"

// exDefs are the calls whose arguments are a function head (a pattern).
var exDefs = map[string]bool{
	"def": true, "defp": true, "defmacro": true, "defmacrop": true,
	"defguard": true, "defguardp": true,
}

// elixirLanguage is built once and shared; it is immutable.
var elixirLanguage = sync.OnceValue(func() *sitter.Language {
	return sitter.NewLanguage(elixir.Language())
})

// elixirSites finds the mutation sites of Elixir source inside
// [start, end) on its tree-sitter tree, so that nothing in a string,
// charlist, sigil (interpolations included), comment or module attribute
// is touched: binary operators of exFlip (a unary minus is not one),
// true↔false, and :ok↔:error as the tag of a tuple that is built rather
// than matched (not in a function head, left of = or <-, or before ->).
func elixirSites(src []byte, start, end int) ([]site, error) {
	p := sitter.NewParser()
	defer p.Close()
	if err := p.SetLanguage(elixirLanguage()); err != nil {
		return nil, err
	}
	tree := p.Parse(src, nil)
	if tree == nil {
		return nil, errors.New("tree-sitter returned no tree")
	}
	defer tree.Close()
	w := &exWalk{src: src, start: start, end: end}
	w.walk(*tree.RootNode(), false)
	return w.sites, nil
}

type exWalk struct {
	src        []byte
	start, end int
	sites      []site
}

func (w *exWalk) text(n *sitter.Node) string { return string(w.src[n.StartByte():n.EndByte()]) }

func (w *exWalk) in(n *sitter.Node) bool {
	return int(n.StartByte()) >= w.start && int(n.EndByte()) <= w.end
}

func (w *exWalk) add(n *sitter.Node, to string, class int) {
	w.sites = append(w.sites, site{int(n.StartByte()), int(n.EndByte()), w.text(n), to, class})
}

// walk visits n; pattern says n is inside a pattern.
func (w *exWalk) walk(n sitter.Node, pattern bool) {
	if int(n.EndByte()) <= w.start || int(n.StartByte()) >= w.end || n.IsError() {
		return
	}
	switch n.Kind() {
	case "string", "charlist", "sigil", "comment":
		return
	case "unary_operator":
		if op := n.ChildByFieldName("operator"); op != nil && w.text(op) == "@" {
			return // a module attribute: @doc false, @spec …
		}
	case "binary_operator":
		op := n.ChildByFieldName("operator")
		left, right := n.ChildByFieldName("left"), n.ChildByFieldName("right")
		if op == nil || left == nil || right == nil {
			break
		}
		if to, ok := exFlip[w.text(op)]; ok && w.in(op) {
			w.add(op, to, classOperator)
		}
		if o := w.text(op); o == "=" || o == "<-" {
			w.walk(*left, true)
			w.walk(*right, pattern)
			return
		}
	case "stab_clause":
		// `pattern -> body`: the left side matches.
		if left := n.ChildByFieldName("left"); left != nil {
			w.walk(*left, true)
		}
		if right := n.ChildByFieldName("right"); right != nil {
			w.walk(*right, false)
		}
		return
	case "call":
		// def name(args) when guard do … end: the head is a pattern.
		if t := n.ChildByFieldName("target"); t != nil && exDefs[w.text(t)] {
			for i := uint(0); i < n.NamedChildCount(); i++ {
				c := n.NamedChild(i)
				w.walk(*c, c.Kind() == "arguments")
			}
			return
		}
	case "do_block":
		pattern = false
	case "boolean":
		if w.in(&n) {
			w.add(&n, map[string]string{"true": "false", "false": "true"}[w.text(&n)], classConstant)
		}
		return
	case "tuple":
		if first := n.NamedChild(0); !pattern && first != nil && first.Kind() == "atom" && w.in(first) {
			switch w.text(first) {
			case ":ok":
				w.add(first, ":error", classConstant)
			case ":error":
				w.add(first, ":ok", classConstant)
			}
		}
	}
	for i := uint(0); i < n.NamedChildCount(); i++ {
		w.walk(*n.NamedChild(i), pattern)
	}
}
