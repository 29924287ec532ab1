package ctxbuild

import (
	"math"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// moduleLinesID is the id of the header item bodyLines' lines make for a
// module that has no header chunk: no chunk's, as outerHeaderID's are not.
const moduleLinesID = math.MinInt64 / 2

// bodyLines is what an Elixir module's body says between its units, above
// the target, that the target leans on: the chunker files a line such as
// `@timeout 5_000` written between two functions as a code chunk named
// after the module, which is no unit of the symbol graph and no part of
// the module's header chunk.
type bodyLines struct {
	mod   db.CodeChunk // the innermost module holding the target
	exprs []exExpr     // in file order
	last  int          // the line the last of them ends on
	// whole are the ids of the code chunks every expression of which is
	// in exprs: carried here, they are not to go again as hits.
	whole []int64
}

// moduleBody returns, for an Elixir target, the expressions of its
// innermost module's body written between the module's units above the
// target that the target leans on: the latest assignment of each
// attribute it reads (as Elixir reads @timeout where the function is
// compiled, an assignment below the target does not apply to it, and of
// two above it the later one does), and the alias, import and require
// expressions, which apply to the code below them. Attributes Elixir or
// ExUnit read themselves (@doc, @spec, @impl, @tag, …) are no value a
// function reads. cs are the file's chunks in file order; ok is false if
// one of those read is not what src holds.
func moduleBody(target *Item, src []byte, cs []db.CodeChunk) (_ bodyLines, ok bool) {
	mod := innermostModule(target, cs)
	if mod == nil {
		return bodyLines{}, true
	}
	type found struct {
		e    exExpr
		line int // the line it ends on
		id   int64
	}
	var kept []found
	latest := map[string]int{} // an attribute's name: its index in kept
	exprsOf := map[int64]int{} // a code chunk's id: how many expressions it has
	for _, u := range joinPieces(cs) {
		c := u.c
		if c.Kind != chunk.KindCode || c.Name != mod.Name || c.StartByte < mod.StartByte || c.EndByte > target.start {
			continue
		}
		if !current(src, c, u.pieces) {
			return bodyLines{}, false
		}
		exprs := elixirExprs(strings.Split(string(src[lineStart(src, c.StartByte):c.EndByte]), "\n"))
		exprsOf[c.ID] = len(exprs)
		for _, e := range exprs {
			f := found{e: e, line: c.StartLine + e.last, id: c.ID}
			if name, set := attrSet(e.head); set {
				if reservedAttr[name] || !usesAttr(target.full, name) {
					continue
				}
				if i, ok := latest[name]; ok {
					kept[i].e.lines = nil // an earlier assignment, not the one read
				}
				latest[name] = len(kept)
				kept = append(kept, f)
			} else if len(declared(e)) > 0 {
				kept = append(kept, f)
			}
		}
	}
	out := bodyLines{mod: *mod}
	shown := map[int64]int{}
	for _, f := range kept {
		if f.e.lines != nil {
			out.exprs = append(out.exprs, f.e)
			out.last = max(out.last, f.line)
			shown[f.id]++
		}
	}
	for id, n := range shown {
		if n == exprsOf[id] {
			out.whole = append(out.whole, id)
		}
	}
	slices.Sort(out.whole)
	return out, true
}

// attrSet returns the name of the attribute t, an expression's first line
// trimmed, sets (`@timeout 5_000`, `@timeout(5_000)`); set is false for
// any other expression, a bare `@timeout` (a read) included.
func attrSet(t string) (name string, set bool) {
	rest, ok := strings.CutPrefix(t, "@")
	if !ok {
		return "", false
	}
	i := strings.IndexFunc(rest, func(r rune) bool { return r >= 0x80 || !isIdent(byte(r)) })
	if i <= 0 {
		return "", false
	}
	name, rest = rest[:i], strings.TrimSpace(rest[i:])
	return name, rest != "" && !strings.HasPrefix(rest, "#")
}

// reservedAttr are the module attributes Elixir and ExUnit read
// themselves: a function does not read their values, and its own @doc or
// @spec line is no read of an earlier one.
var reservedAttr = map[string]bool{
	"doc": true, "moduledoc": true, "typedoc": true, "spec": true, "impl": true, "type": true, "typep": true,
	"opaque": true, "callback": true, "macrocallback": true, "optional_callbacks": true, "behaviour": true,
	"deprecated": true, "since": true, "derive": true, "enforce_keys": true, "compile": true, "on_load": true,
	"dialyzer": true, "before_compile": true, "after_compile": true, "after_verify": true, "on_definition": true,
	"external_resource": true, "file": true, "vsn": true, "tag": true, "moduletag": true, "describetag": true,
}

// innermostModule is the innermost module (or protocol, or impl) of cs,
// the file's chunks in file order, holding the target, the target itself
// aside; nil when there is none.
func innermostModule(target *Item, cs []db.CodeChunk) *db.CodeChunk {
	at := target.end - 1
	var mod *db.CodeChunk
	for i, c := range cs {
		if c.StartByte > at || at >= c.EndByte || c.Kind == target.Kind && c.Name == target.Name && c.EndByte == target.end {
			continue
		}
		switch c.Kind {
		case chunk.KindModule, chunk.KindProtocol, chunk.KindImpl:
			mod = &cs[i] // chunks come in order of start, the outer first
		}
	}
	return mod
}

// withBody adds the lines of body to the header items of the preamble,
// items: to the module's header, after a "# …" line for the units
// between, in its full form and its cut one alike; or, for a module
// without a header chunk, as a header item of its own, its defmodule
// line and the lines. The item's lines then run to the last of them.
func withBody(items []*Item, body bodyLines, src []byte, target *Item) []*Item {
	if len(body.exprs) == 0 {
		return items
	}
	var lines []string
	for _, e := range body.exprs {
		lines = append(lines, e.lines...)
	}
	add := func(code string) string {
		out := strings.Split(strings.TrimRight(code, "\n"), "\n")
		return strings.Join(append(cutExprs(out, []exExpr{{pad: body.exprs[0].pad}}, func(exExpr) bool { return false }), lines...), "\n")
	}
	for _, it := range items {
		// The enclosing modules' lines are named after those modules.
		if it.Role == RoleHeader && it.Name == body.mod.Name {
			it.full, it.cut = add(it.full), add(it.cut)
			it.EndLine = max(it.EndLine, body.last)
			return items
		}
	}
	head, line := firstCodeLine(src, body.mod.StartByte, body.mod.StartLine)
	code := add(head)
	it := &Item{Role: RoleHeader, Path: target.Path, Name: body.mod.Name, Kind: chunk.KindHeader, StartLine: line,
		EndLine: body.last, id: moduleLinesID, full: code, cut: code}
	// After the enclosing modules' lines, before the setup blocks.
	i := 0
	for i < len(items) && items[i].Role == RoleHeader {
		i++
	}
	return slices.Insert(items, i, it)
}
