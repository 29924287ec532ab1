package index

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"testing"
)

// TestAssertEdgesGoStd: on the Go standard library, every edge a method
// ref adds to the symbol graph is one the type checker confirms (as in
// TestFieldCallEdgesGoStd), and the calls on asserted values are counted:
// those the type checker sees (x.(T).M(), v.M() of a v := x.(T), v, ok :=
// x.(*T) or var v = x.(T), and of a type switch's variable in a clause of
// one type), and those the graph links, with the edges only such calls
// explain.
func TestAssertEdgesGoStd(t *testing.T) {
	ck := checkedStd(t)
	pkgOf := map[*checkedFile]*types.Package{}
	for _, p := range ck.pkgs {
		for _, f := range p.files {
			pkgOf[f] = p.pkg
		}
	}
	m := stdMethodGraph(t, ck)
	g, where, ranges, members, reach := m.g, m.where, m.ranges, m.members, m.reach
	chunkAt, sameChunk := m.chunkAt, m.sameChunk
	asserted := map[*checkedFile]map[int]string{}
	for f, p := range pkgOf {
		asserted[f] = assertedCalls(f, p)
	}
	edges := Edges(g, members...)
	added, unchecked := 0, 0
	linked := map[[2]int32]bool{} // the edges a call explains
	var wrong []string
	for _, e := range edges {
		from, to := g[e[0]], g[e[1]]
		byAssert, byOther := false, false
		for _, r := range from.Refs {
			if !strings.Contains(r, ".(*") || !slices.Contains(reach[r], e[1]) {
				continue
			}
			d, field, untyped := false, false, false
			for _, c := range where[e[0]].methodCalls(ck.fset) {
				if c.off < ranges[e[0]][0] || c.off >= ranges[e[0]][1] || c.name != r[strings.LastIndexByte(r, '.')+1:] {
					continue
				}
				switch {
				case c.untyped:
					untyped = true
				case sameChunk(chunkAt(c.decl), e[1]):
					d, field = d || !c.field, field || c.field
					if asserted[where[e[0]]][c.off] != "" {
						byAssert = true
					} else {
						byOther = true
					}
				}
			}
			isField := isFieldRef(r)
			if !d && !field && untyped && !isField {
				unchecked++
				continue
			}
			if isField && !field || !d && !field {
				wrong = append(wrong, from.Name+" ("+from.Path+"): "+r+" -> "+to.Name+" ("+to.Path+")")
				continue
			}
			linked[e] = true
		}
		if byAssert && !byOther {
			added++
		}
	}
	// The type checker's calls on asserted values, by form, and how many
	// are linked.
	calls, callsLinked := map[string]int{}, map[string]int{}
	for i := range g {
		if i > 0 && where[i] == where[i-1] {
			continue
		}
		f := where[i]
		for _, c := range f.methodCalls(ck.fset) {
			form := asserted[f][c.off]
			if form == "" || !c.call || c.untyped {
				continue
			}
			calls[form]++
			to := chunkAt(c.decl)
			for j := i; j < len(g) && where[j] == f; j++ {
				if c.off >= ranges[j][0] && c.off < ranges[j][1] && linked[[2]int32{int32(j), to}] {
					callsLinked[form]++
					break
				}
			}
		}
	}
	t.Logf("%d packages, %d chunks, %d edges, %d explained by method refs; %d edges only calls on asserted values explain; "+
		"of the type checker's calls on asserted values, linked: %d of %d x.(T).M(), %d of %d through a variable "+
		"given an assertion, %d of %d through a type switch's variable in a clause of one type; "+
		"%d method refs left unchecked (the type checker could not type their selector)",
		len(ck.pkgs), len(g), len(edges), len(linked), added, callsLinked["direct"], calls["direct"],
		callsLinked["var"], calls["var"], callsLinked["switch"], calls["switch"], unchecked)
	for i, w := range wrong {
		if i == 200 {
			t.Errorf("… and %d more", len(wrong)-200)
			break
		}
		t.Errorf("no selector in the chunk resolves to the method: %s", w)
	}
	if added == 0 || callsLinked["direct"] == 0 || callsLinked["var"] == 0 {
		t.Error("no edge from a call on an asserted value")
	}
}

// assertedCalls maps the offset of each method selector x.M of the file
// whose x is an asserted value to its form: "direct" for x.(T).M, "var"
// for a variable declared from an assertion (v := x.(T), v, ok :=
// x.(*T), var v = x.(T)), "switch" for a type switch's variable in a
// clause that lists one type other than nil. The variable x names is
// the one the package's scopes give it there.
func assertedCalls(f *checkedFile, pkg *types.Package) map[int]string {
	vars := map[token.Pos]bool{}                    // declared from an assertion
	switches := map[token.Pos]*ast.TypeSwitchStmt{} // a type switch's variable
	assigned := func(lhs []ast.Expr, rhs []ast.Expr) {
		for i, x := range lhs {
			id, ok := x.(*ast.Ident)
			if !ok {
				continue
			}
			var v ast.Expr
			switch {
			case len(lhs) == len(rhs):
				v = rhs[i]
			case len(rhs) == 1 && len(lhs) == 2 && i == 0:
				v = rhs[0]
			}
			if a, ok := ast.Unparen(v).(*ast.TypeAssertExpr); ok && a.Type != nil {
				vars[id.Pos()] = true
			}
		}
	}
	ast.Inspect(f.ast, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				assigned(n.Lhs, n.Rhs)
			}
		case *ast.ValueSpec:
			if n.Type == nil {
				lhs := make([]ast.Expr, len(n.Names))
				for i, id := range n.Names {
					lhs[i] = id
				}
				assigned(lhs, n.Values)
			}
		case *ast.TypeSwitchStmt:
			if a, ok := n.Assign.(*ast.AssignStmt); ok && len(a.Lhs) == 1 {
				switches[a.Lhs[0].Pos()] = n
			}
		}
		return true
	})
	out := map[int]string{}
	ast.Inspect(f.ast, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if s := f.info.Selections[sel]; s == nil || s.Kind() != types.MethodVal {
			return true
		}
		off := f.tf.Offset(sel.Sel.Pos())
		switch x := ast.Unparen(sel.X).(type) {
		case *ast.TypeAssertExpr:
			if x.Type != nil {
				out[off] = "direct"
			}
		case *ast.Ident:
			scope := pkg.Scope().Innermost(x.Pos())
			if scope == nil {
				return true
			}
			_, obj := scope.LookupParent(x.Name, x.Pos())
			if _, ok := obj.(*types.Var); !ok {
				return true
			}
			if vars[obj.Pos()] {
				out[off] = "var"
			} else if ts := switches[obj.Pos()]; ts != nil && oneTypeClause(ts, sel.Pos()) {
				out[off] = "switch"
			}
		}
		return true
	})
	return out
}

// oneTypeClause reports whether the clause of the type switch holding pos
// lists exactly one type, not nil.
func oneTypeClause(ts *ast.TypeSwitchStmt, pos token.Pos) bool {
	for _, s := range ts.Body.List {
		cc := s.(*ast.CaseClause)
		if pos < cc.Pos() || pos >= cc.End() {
			continue
		}
		if len(cc.List) != 1 {
			return false
		}
		id, ok := cc.List[0].(*ast.Ident)
		return !ok || id.Name != "nil"
	}
	return false
}
