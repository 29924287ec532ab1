package chunk

import (
	"os"
	"testing"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// TestExLexAgreesWithTreeSitterWithoutParens runs the comparison of
// TestExLexAgreesWithTreeSitter on the Elixir sources with the
// parentheses of remote calls dropped (dropRemoteParens): the sources
// write almost every remote call with them, so this is where the lexer
// meets thousands of remote calls without parentheses, in every place
// real code puts calls — keyword lists, do blocks, pipes, arguments over
// several lines, nested calls, guards, interpolations, types.
func TestExLexAgreesWithTreeSitterWithoutParens(t *testing.T) {
	files := elixirLibFiles(t, elixirCorpus(t), true)
	c := newTreeSitterComparer(t)
	dropped := 0
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out, n := dropRemoteParens(c.p, src)
		dropped += n
		c.compare(t, path, out)
	}
	if c.remoteNoParens < 10000 {
		t.Errorf("only %d remote calls without parentheses compared", c.remoteNoParens)
	}
	t.Logf("%d files, parentheses of %d remote calls dropped: %d refs from the query (%d with an arity, %d remote calls without parentheses): lexer misses %d, adds %d",
		len(files), dropped, c.total, c.arities, c.remoteNoParens, c.missed, c.extra)
}

// dropRemoteParens returns src with the parentheses of remote calls
// (`Mod.f(a, b)`, `:m.f(a)`) dropped where that leaves code Elixir reads
// as a call without parentheses: a call that is an expression of its own
// (a line of a body, the right side of `=` or `|>`) with any arguments,
// and a call anywhere else with one argument, unless a comma follows it
// (`g(Mod.f a, b)` would give it g's commas, which Elixir refuses), what
// it returns is called or accessed (`Mod.f(a).b`), it is captured
// (`&Mod.f(&1)`), or its first argument is on the next line. A capture
// among the arguments keeps them too: `Enum.map &f/1` ⏎ `|> g()` is
// `Enum.map(&(f/1 |> g()))`, which Elixir refuses. It also returns how
// many calls it changed.
func dropRemoteParens(p *sitter.Parser, src []byte) ([]byte, int) {
	tree := p.Parse(src, nil)
	defer tree.Close()
	drop := map[int]bool{}
	var walk func(n *sitter.Node)
	walk = func(n *sitter.Node) {
		if open, closing, ok := droppableParens(src, n); ok {
			drop[open], drop[closing] = true, true
		}
		for i := range n.NamedChildCount() {
			walk(n.NamedChild(i))
		}
	}
	walk(tree.RootNode())
	out := make([]byte, 0, len(src))
	for i, c := range src {
		switch {
		case !drop[i]:
			out = append(out, c)
		case c == '(':
			out = append(out, ' ')
		}
	}
	return out, len(drop) / 2
}

// droppableParens reports the offsets of the parentheses of n, if n is a
// remote call whose parentheses dropRemoteParens drops.
func droppableParens(src []byte, n *sitter.Node) (open, closing int, ok bool) {
	if n.Kind() != "call" {
		return 0, 0, false
	}
	target, parent := n.ChildByFieldName("target"), n.Parent()
	if target == nil || target.Kind() != "dot" || parent == nil {
		return 0, 0, false
	}
	left, right := target.ChildByFieldName("left"), target.ChildByFieldName("right")
	if left == nil || right == nil || left.Kind() != "alias" && left.Kind() != "atom" || right.Kind() != "identifier" {
		return 0, 0, false
	}
	var args *sitter.Node
	for i := range n.NamedChildCount() {
		if a := n.NamedChild(i); a.Kind() == "arguments" {
			args = a
		}
	}
	open = int(right.EndByte())
	if args == nil || int(args.StartByte()) != open || src[open] != '(' || args.NamedChildCount() == 0 {
		return 0, 0, false
	}
	closing = int(args.EndByte()) - 1
	if src[closing] != ')' || open+1 < len(src) && src[open+1] == '\n' {
		return 0, 0, false
	}
	for i := range args.NamedChildCount() {
		if a := args.NamedChild(i); a.Kind() == "unary_operator" && src[a.StartByte()] == '&' {
			return 0, 0, false
		}
	}
	after := skipBlanks(src, closing+1)
	if after < len(src) && (src[after] == ',' || after == closing+1 && (src[after] == '(' || src[after] == '.' || src[after] == '[')) {
		return 0, 0, false
	}
	switch pk := parent.Kind(); {
	case pk == "source" || pk == "body" || pk == "do_block" || pk == "block":
		return open, closing, true
	case pk == "binary_operator":
		op, r := parent.ChildByFieldName("operator"), parent.ChildByFieldName("right")
		if s := string(src[op.StartByte():op.EndByte()]); (s == "|>" || s == "=") && r.StartByte() == n.StartByte() {
			return open, closing, true
		}
	case pk == "dot" || pk == "access_call" || pk == "call" || pk == "unary_operator" && src[parent.StartByte()] == '&':
		return 0, 0, false
	}
	one := args.NamedChildCount() == 1 && args.NamedChild(0).Kind() != "keywords"
	return open, closing, one
}
