package index

import (
	"go/ast"
	"go/types"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/db"
)

// TestPromotedEdgesGoStd: on the Go standard library, every edge that a
// promoted name adds to the symbol graph (a ref pkg.(*Outer).M reaching,
// through the rows promotedRows computes from the directory's shapes, the
// chunk of a method M of type T, or of an interface T declaring it) is one
// the type checker confirms: in the chunk the edge comes from, a selector
// x.M on a value of type Outer (or *Outer) resolves to T's method M. The
// graph is the index's (Edges over the chunks the analyzer makes, with
// the writer's members and the promoted names), of the files of each
// package that build for this platform, as TestInterfaceEdgesGoStd's.
func TestPromotedEdgesGoStd(t *testing.T) {
	ck := checkedStd(t)
	var members []Member
	at := map[target]int32{}
	decls := map[string]map[string][]decl{} // by directory and path
	g, where, ranges := stdGraph(t, ck, func(f *checkedFile, cs []db.CodeChunk) {
		if ds := fileDecls(cs); len(ds) > 0 {
			if decls[pathDir(f.rel)] == nil {
				decls[pathDir(f.rel)] = map[string][]decl{}
			}
			decls[pathDir(f.rel)][f.rel] = ds
		}
	}, func(f *checkedFile, c db.CodeChunk, i int) {
		members = appendMembers(members, i, c.Name, "go", c.Members)
		at[target{f.rel, c.Name}] = int32(i)
	})
	var promoted []Member
	for _, d := range slices.Sorted(maps.Keys(decls)) {
		for _, r := range newDirTypes(decls[d]).promotedRows(d) {
			promoted = append(promoted, Member{Name: r.Name, Chunk: at[target{r.Path, r.Target}]})
		}
	}
	before := map[[2]int32]bool{}
	for _, e := range Edges(g, members...) {
		before[e] = true
	}
	reaches := map[string][]int32{} // promoted name → its chunks
	for _, m := range promoted {
		reaches[m.Name] = append(reaches[m.Name], m.Chunk)
	}
	resolved, confirmed, added := 0, 0, 0
	linked := map[promotedCall]bool{}
	var wrong []string
	for _, e := range Edges(g, append(members, promoted...)...) {
		from, to := g[e[0]], g[e[1]]
		if !before[e] {
			added++
		}
		for _, r := range from.Refs {
			if !slices.Contains(reaches[r], e[1]) {
				continue
			}
			resolved++
			// r is q.(*Outer).M; to is T's method M or interface T.
			outer, method, _ := strings.Cut(r[strings.Index(r, "(*")+2:], ").")
			typ := strings.TrimPrefix(to.Name[strings.IndexByte(to.Name, '.')+1:], "(*")
			typ, _, _ = strings.Cut(strings.ReplaceAll(typ, ")", ""), ".")
			typ, _, _ = strings.Cut(typ, "#")
			pkg := typesPath(strings.TrimSuffix(dir(to.Path), "/"))
			c := promotedCall{outer: pkg + "." + outer, key: pkg + "." + typ + "." + method}
			if where[e[0]].promotedCallIn(ranges[e[0]], c) {
				confirmed++
				linked[promotedCall{file: where[e[0]].rel, start: ranges[e[0]][0], outer: c.outer, key: c.key}] = true
			} else {
				wrong = append(wrong, from.Name+" ("+from.Path+"): "+r+" -> "+to.Name+" ("+to.Path+")")
			}
		}
	}
	// The type checker's calls of methods promoted into struct types.
	calls, callsLinked := 0, 0
	for i := range g {
		if i > 0 && where[i] == where[i-1] {
			continue
		}
		f := where[i]
		for _, c := range f.promotedCalls() {
			if !c.strct {
				continue
			}
			calls++
			for j := i; j < len(g) && where[j] == f; j++ {
				if c.off >= ranges[j][0] && c.off < ranges[j][1] &&
					linked[promotedCall{file: f.rel, start: ranges[j][0], outer: c.outer, key: c.key}] {
					callsLinked++
					break
				}
			}
		}
	}
	t.Logf("%d packages, %d chunks; %d promoted names; %d edges before; %d refs resolve through them, %d confirmed by the type checker; "+
		"%d edges added; %d of %d calls of methods promoted into struct types are linked",
		len(ck.pkgs), len(g), len(promoted), len(before), resolved, confirmed, added, callsLinked, calls)
	for i, w := range wrong {
		if i == 20 {
			t.Errorf("… and %d more", len(wrong)-20)
			break
		}
		t.Errorf("no selector in the chunk resolves to the promoted method: %s", w)
	}
	if resolved == 0 {
		t.Error("no ref resolved through a promoted name")
	}
}

// promotedCall is a selector of a method reached through embedding, or
// declared by an interface the receiver's interface embeds: the receiver's
// named type and the method, as "path.T" and "path.T.M" (T the type
// declaring it); off where it is, strct whether the receiver is a struct.
// With file and start (a chunk's) instead, it is a linked call's key.
type promotedCall struct {
	file       string
	start      int
	outer, key string
	off        int
	strct      bool
}

// promotedCallsOf memoizes promotedCalls by file.
var promotedCallsOf = map[*checkedFile][]promotedCall{}

// promotedCalls lists the file's selectors of promoted methods.
func (f *checkedFile) promotedCalls() []promotedCall {
	if out, ok := promotedCallsOf[f]; ok {
		return out
	}
	out := []promotedCall{}
	defer func() { promotedCallsOf[f] = out }()
	ast.Inspect(f.ast, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		s := f.info.Selections[sel]
		if s == nil || s.Kind() != types.MethodVal {
			return true
		}
		fn, ok := s.Obj().(*types.Func)
		if !ok || fn.Signature().Recv() == nil {
			return true
		}
		recv := namedOf(s.Recv())
		decl := namedOf(fn.Signature().Recv().Type())
		if recv == nil || decl == nil || recv.Obj().Pkg() == nil || decl.Obj().Pkg() == nil || recv.Obj() == decl.Obj() {
			return true
		}
		_, strct := recv.Underlying().(*types.Struct)
		out = append(out, promotedCall{
			outer: recv.Obj().Pkg().Path() + "." + recv.Obj().Name(),
			key:   decl.Obj().Pkg().Path() + "." + decl.Obj().Name() + "." + fn.Name(),
			off:   f.tf.Offset(sel.Sel.Pos()), strct: strct && len(s.Index()) > 1,
		})
		return true
	})
	return out
}

// namedOf is the named type of t or of what t points to, without type
// arguments; nil if none.
func namedOf(t types.Type) *types.Named {
	t = types.Unalias(t)
	if p, ok := t.(*types.Pointer); ok {
		t = types.Unalias(p.Elem())
	}
	if n, ok := t.(*types.Named); ok {
		return n.Origin()
	}
	return nil
}

// promotedCallIn reports whether, within the byte range r of the file, a
// selector on a value of c.outer resolves to the method c.key.
func (f *checkedFile) promotedCallIn(r [2]int, c promotedCall) bool {
	for _, p := range f.promotedCalls() {
		if p.off >= r[0] && p.off < r[1] && p.outer == c.outer && p.key == c.key {
			return true
		}
	}
	return false
}
