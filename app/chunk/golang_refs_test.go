package chunk

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestGoRefsAgreeWithResolver: on every file of the standard library, the
// refs walk (over an AST parsed without object resolution) finds exactly
// the refs that the parser's own resolution gives (resolvedRefs below: the
// walk this package used before, reading ast.Ident.Obj), at the same
// offsets, for every declaration.
func TestGoRefsAgreeWithResolver(t *testing.T) {
	files := goStdFiles(t, testing.Short())
	var mu sync.Mutex
	var decls, refs, bad int
	forEachFile(files, func(path string) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Error(err)
			return
		}
		d, r, diffs := compareRefs(path, src)
		mu.Lock()
		defer mu.Unlock()
		decls, refs, bad = decls+d, refs+r, bad+len(diffs)
		for _, m := range diffs {
			if bad <= 20 {
				t.Error(m)
			}
		}
	})
	t.Logf("%d files, %d declarations, %d refs compared, %d mismatches", len(files), decls, refs, bad)
}

func TestGoRefsScopes(t *testing.T) {
	src := []byte(`package p

import "fmt"

var x, y = 1, 2

type List[T any] struct{ head *T }

func (l *List[T]) Push(v T) { fmt.Println(v, x) }

func f(a int) (r int) {
	x := a
	for i, x := range x {
		_, _ = i, x
	}
	if y := y; y > 0 {
		return y
	}
	switch t := any(a).(type) {
	case int:
		_ = t
	}
	g := func(x int) int { return x + y }
	type local struct{ y int }
	_ = local{y: x}
	_ = Other.Field
	return g(x) + f(r)
}
`)
	if _, _, diffs := compareRefs("p.go", src); len(diffs) > 0 {
		t.Error(diffs)
	}
}

// compareRefs parses src twice, with and without object resolution, and
// compares the refs of each declaration.
func compareRefs(path string, src []byte) (decls, refs int, diffs []string) {
	fs1, fs2 := token.NewFileSet(), token.NewFileSet()
	af1, err1 := parser.ParseFile(fs1, path, src, parser.ParseComments|parser.AllErrors)
	af2, _ := parser.ParseFile(fs2, path, src, parser.ParseComments|parser.AllErrors|parser.SkipObjectResolution)
	if af1 == nil || af2 == nil || len(af1.Decls) != len(af2.Decls) {
		if err1 == nil {
			diffs = append(diffs, path+": the two parses differ")
		}
		return
	}
	g1 := &goFile{file: &file{src: src}, base: fs1.File(af1.FileStart).Base(), limit: len(src)}
	g2 := &goFile{file: &file{src: src}, base: fs2.File(af2.FileStart).Base(), limit: len(src)}
	decls2 := make([]goDecl, len(af2.Decls))
	for i, d := range af2.Decls {
		decls2[i] = goDecl{g2, d}
	}
	g2.top = topNames(decls2)
	check := func(n1, n2 ast.Node, start, end int) {
		decls++
		// Method refs (golang_methods.go) are the walk's own: the
		// resolver knows no types. Where they filled the walk's list up
		// (maxWalkRefs), the rest must be where the resolver's begins.
		want, raw := g1.resolvedRefs(n1, start, end), g2.refs(n2, start, end)
		full := len(raw) == maxWalkRefs
		got := slices.DeleteFunc(raw, func(r ref) bool { return strings.Contains(r.name, "(*") })
		if full && len(got) < len(want) {
			want = want[:len(got)]
		}
		refs += len(want)
		if !slices.Equal(want, got) {
			diffs = append(diffs, fmt.Sprintf("%s:%d: refs %v, resolver's %v", path, fs1.Position(n1.Pos()).Line, got, want))
		}
	}
	for i, d1 := range af1.Decls {
		switch d1 := d1.(type) {
		case *ast.FuncDecl:
			check(d1, af2.Decls[i], g1.off(docStart(d1.Doc, d1.Pos())), g1.off(d1.End()))
		case *ast.GenDecl:
			d2 := af2.Decls[i].(*ast.GenDecl)
			switch d1.Tok {
			case token.CONST, token.VAR:
				check(d1, d2, g1.off(docStart(d1.Doc, d1.Pos())), g1.off(d1.End()))
			case token.TYPE:
				for j, s := range d1.Specs {
					ts := s.(*ast.TypeSpec)
					start := docStart(ts.Doc, ts.Pos())
					if j == 0 && d1.Doc != nil {
						start = d1.Doc.Pos()
					}
					check(ts, d2.Specs[j], g1.off(start), g1.off(ts.End()))
				}
			}
		}
	}
	return
}

// resolvedRefs is the refs walk as it was with the parser's resolution:
// identifiers it left unresolved, or resolved to a declaration outside
// [start, end), are refs.
func (g *goFile) resolvedRefs(node ast.Node, start, end int) []ref {
	var out []ref
	add := func(name string, p int) {
		if len(out) < maxWalkRefs {
			out = append(out, ref{name, p})
		}
	}
	var visit func(n ast.Node) bool
	walk := func(n ast.Node) {
		if n != nil {
			ast.Inspect(n, visit)
		}
	}
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && id.Obj == nil {
				if !predeclared(id.Name) {
					add(id.Name+"."+n.Sel.Name, g.off(id.Pos()))
				}
				return false
			}
			walk(n.X)
			return false
		case *ast.Ident:
			switch {
			case n.Name == "_":
			case n.Obj == nil:
				if !predeclared(n.Name) {
					add(n.Name, g.off(n.Pos()))
				}
			default:
				if d, ok := n.Obj.Decl.(ast.Node); ok {
					if o := g.off(d.Pos()); o < start || o >= end {
						add(n.Name, g.off(n.Pos()))
					}
				}
			}
		case *ast.Field:
			walk(n.Type)
			return false
		case *ast.FuncDecl:
			if n.Recv != nil {
				walk(n.Recv)
			}
			walk(n.Type)
			if n.Body != nil {
				walk(n.Body)
			}
			return false
		case *ast.TypeSpec:
			if n.TypeParams != nil {
				walk(n.TypeParams)
			}
			walk(n.Type)
			return false
		case *ast.ValueSpec:
			walk(n.Type)
			for _, v := range n.Values {
				walk(v)
			}
			return false
		case *ast.KeyValueExpr:
			if _, ok := n.Key.(*ast.Ident); !ok {
				walk(n.Key)
			}
			walk(n.Value)
			return false
		case *ast.LabeledStmt:
			walk(n.Stmt)
			return false
		case *ast.BranchStmt:
			return false
		}
		return true
	}
	walk(node)
	return out
}
