package chunk

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"slices"
	"strings"
)

// goFile is the state of chunking one Go file: one parse of it, or of a
// segment of it (see golang_recover.go), with the offsets of its AST
// mapped to the file's.
type goFile struct {
	*file
	fset  *token.FileSet
	af    *ast.File
	base  int // token.Pos of byte 0 of the file
	limit int // offsets are clamped to [0, limit]: the file's or the segment's end
	// openEnd marks a segment whose parse ran into its end: its last
	// declaration runs to limit (parseSegment).
	openEnd bool
	pkg     string
	top     map[string]int // package-level names of the file (topNames)
	// funcs are the functions and methods the file declares, dot whether
	// it has a dot import (golang_methods.go).
	funcs map[methodKey]*ast.FieldList
	dot   bool
	// scratch is the refs walk's scope stack, reused across declarations.
	scratch []local
}

// goDecl is a declaration and the parse it comes from.
type goDecl struct {
	g *goFile
	d ast.Decl
}

// off converts a position to a byte offset, clamped to the parse's range.
func (g *goFile) off(p token.Pos) int {
	if !p.IsValid() {
		return 0
	}
	return max(0, min(int(p)-g.base, g.limit))
}

// goParseMode is how every Go parse here runs: with comments and all
// errors, without object resolution (the refs walk resolves names).
const goParseMode = parser.ParseComments | parser.AllErrors | parser.SkipObjectResolution

// chunkGo cuts a Go file with the standard library's parser — the
// compiler's own view. A file with syntax errors still has a (partial) AST;
// the declarations after a broken one, which the parser takes into it, are
// recovered by parsing the file again from each top-level keyword
// (recoverDecls). Its declarations become chunks as usual, and the
// stretches between them that hold an error and are not blank become
// size-based text chunks.
func (f *file) chunkGo() {
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, f.path, f.src, goParseMode)
	var errOffs []int
	if err != nil {
		var list scanner.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				errOffs = append(errOffs, e.Pos.Offset)
			}
			list.RemoveMultiples() // one per line
			for i, e := range list {
				if i == 3 {
					f.warnf("%d more syntax errors", len(list)-3)
					break
				}
				f.warnf("line %d:%d: syntax error: %s", e.Pos.Line, e.Pos.Column, e.Msg)
			}
		} else {
			f.warnf("syntax error: %v", err)
			errOffs = append(errOffs, 0)
		}
	}
	if af == nil {
		f.sizeUnits(0, len(f.src), KindText, f.textName(), "")
		return
	}
	g := &goFile{file: f, fset: fset, af: af, limit: len(f.src), pkg: af.Name.Name}
	if tf := fset.File(af.FileStart); tf != nil {
		g.base = tf.Base()
	}
	if g.pkg == "" || g.pkg == "_" {
		g.pkg = "_"
	}
	decls := make([]goDecl, len(af.Decls))
	for i, d := range af.Decls {
		decls[i] = goDecl{g, d}
	}
	if len(errOffs) > 0 {
		slices.Sort(errOffs)
		decls, errOffs = g.recoverDecls(decls, errOffs)
	}
	g.top, g.funcs, g.dot = topNames(decls), fileFuncs(decls), dotImports(af)
	g.header(decls)
	for _, d := range decls {
		d.g.top, d.g.funcs, d.g.dot, d.g.scratch = g.top, g.funcs, g.dot, g.scratch
		n := len(g.units)
		switch x := d.d.(type) {
		case *ast.FuncDecl:
			d.g.funcDecl(x)
		case *ast.GenDecl:
			d.g.genDecl(x)
		case *ast.BadDecl:
			// Left to the error-region pass below.
		}
		g.scratch = d.g.scratch
		if d.g.openEnd && len(g.units) > n && d.d == d.g.af.Decls[len(d.g.af.Decls)-1] {
			u := &g.units[len(g.units)-1]
			u.end = max(u.end, d.g.limit)
		}
	}
	g.recordImports(decls)
	if len(errOffs) > 0 {
		g.errorRegions(errOffs)
	}
	f.protect(rawStrings(decls))
}

// header is the package clause (with its doc comment and any build
// constraints above it) and the imports.
func (g *goFile) header(decls []goDecl) {
	af := g.af
	if !af.Package.IsValid() {
		return
	}
	start := af.Package
	if af.Doc != nil {
		start = af.Doc.Pos()
	}
	for _, cg := range af.Comments {
		if cg.Pos() >= start {
			break
		}
		if hasBuildConstraint(cg) {
			start = cg.Pos()
			break
		}
	}
	end := g.off(af.Name.End())
	for _, d := range decls {
		if gd, ok := d.d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			end = d.g.off(gd.End())
		}
	}
	g.units = append(g.units, unit{kind: KindHeader, name: g.pkg, start: g.off(start), end: end})
}

func hasBuildConstraint(cg *ast.CommentGroup) bool {
	for _, c := range cg.List {
		if strings.HasPrefix(c.Text, "//go:build") || strings.HasPrefix(c.Text, "// +build") {
			return true
		}
	}
	return false
}

// docStart is where a declaration's chunk starts: its doc comment, if any.
func docStart(doc *ast.CommentGroup, pos token.Pos) token.Pos {
	if doc != nil && doc.Pos() < pos {
		return doc.Pos()
	}
	return pos
}

func (g *goFile) funcDecl(d *ast.FuncDecl) {
	u := unit{kind: KindFunction, start: g.off(docStart(d.Doc, d.Pos())), end: g.off(d.End())}
	name := d.Name.Name
	u.private = !ast.IsExported(name)
	if d.Recv != nil && len(d.Recv.List) > 0 {
		typ, ptr := recvType(d.Recv.List[0].Type)
		u.kind = KindMethod
		u.parent = g.pkg + "." + typ
		if ptr {
			u.name = g.pkg + ".(*" + typ + ")." + name
		} else {
			u.name = g.pkg + "." + typ + "." + name
			// Calls name a method through the pointer, which a method
			// of T is one of too (golang_methods.go); the index finds
			// the chunk by its members. On the first piece of a split one.
			u.members = []ref{{"(*" + typ + ")." + name, u.start}}
		}
	} else {
		u.name = g.pkg + "." + name
		u.self = name
	}
	u.refs = g.refs(d, u.start, u.end)
	g.units = append(g.units, u)
}

// recvType returns the receiver's type name without type parameters, and
// whether it is a pointer.
func recvType(x ast.Expr) (name string, ptr bool) {
	for {
		switch t := x.(type) {
		case *ast.StarExpr:
			x, ptr = t.X, true
		case *ast.ParenExpr:
			x = t.X
		case *ast.IndexExpr:
			x = t.X
		case *ast.IndexListExpr:
			x = t.X
		case *ast.Ident:
			return t.Name, ptr
		default:
			return "_", ptr
		}
	}
}

// genDecl: a type declaration is a chunk per type (the group's own doc
// comment goes with the group's first type); a const or var declaration is
// one chunk, grouped or not. Imports belong to the header.
func (g *goFile) genDecl(d *ast.GenDecl) {
	switch d.Tok {
	case token.IMPORT:
		return
	case token.TYPE:
		if d.Lparen.IsValid() {
			for i, s := range d.Specs {
				ts := s.(*ast.TypeSpec)
				start := docStart(ts.Doc, ts.Pos())
				if i == 0 && d.Doc != nil {
					start = d.Doc.Pos()
				}
				g.typeUnit(ts, g.off(start), g.off(ts.End()))
			}
			return
		}
		if len(d.Specs) == 1 {
			g.typeUnit(d.Specs[0].(*ast.TypeSpec), g.off(docStart(d.Doc, d.Pos())), g.off(d.End()))
		}
	case token.CONST, token.VAR:
		kind := KindConst
		if d.Tok == token.VAR {
			kind = KindVar
		}
		var names []string
		var members []ref
		private := true
		for _, s := range d.Specs {
			for _, n := range s.(*ast.ValueSpec).Names {
				names = append(names, n.Name)
				private = private && !ast.IsExported(n.Name)
				if n.Name != "_" {
					members = append(members, ref{n.Name, g.off(n.Pos())})
				}
			}
		}
		u := unit{kind: kind, name: g.pkg + "." + groupName(names), private: private,
			start: g.off(docStart(d.Doc, d.Pos())), end: g.off(d.End())}
		if len(names) > 1 {
			// The name shows at most four of them; the index finds the
			// chunk by any (Chunk.Members).
			u.members = members
		}
		u.refs = g.refs(d, u.start, u.end)
		g.units = append(g.units, u)
	}
}

func (g *goFile) typeUnit(ts *ast.TypeSpec, start, end int) {
	u := unit{kind: KindType, name: g.pkg + "." + ts.Name.Name, self: ts.Name.Name,
		private: !ast.IsExported(ts.Name.Name), start: start, end: end}
	u.refs = g.refs(ts, start, end)
	u.members = g.interfaceMethods(ts)
	if ts.Name.Name != "_" {
		u.shape = g.typeShape(ts)
	}
	g.units = append(g.units, u)
}

// interfaceMethods lists the methods an interface type declares, named
// as a call through a variable of the type names them, (*T).M
// (golang_methods.go): the index resolves such a call to the interface's
// chunk, as it resolves (*T).M to a value method. Each is listed at its
// name, so that the piece of a split interface that declares it has it.
// The methods of an embedded interface (type RW interface{ Reader;
// Writer }) are not the type's to list: they are declared elsewhere,
// often in another file or package, which the chunker does not see; a
// call of one through RW names pkg.(*RW).Read, which no chunk declares.
// The type's shape lists the interfaces it embeds (golang_shapes.go), and
// the index links such a name to the embedded interface declaring the
// method when that one is of the same package (app/index/promoted.go).
func (g *goFile) interfaceMethods(ts *ast.TypeSpec) []ref {
	it, ok := ast.Unparen(ts.Type).(*ast.InterfaceType)
	if !ok || it.Methods == nil || ts.Name.Name == "_" {
		return nil
	}
	var out []ref
	for _, f := range it.Methods.List {
		if _, ok := f.Type.(*ast.FuncType); !ok {
			continue // an embedded interface or a type set
		}
		for _, n := range f.Names {
			out = append(out, ref{"(*" + ts.Name.Name + ")." + n.Name, g.off(n.Pos())})
		}
	}
	return out
}

// groupName names a const/var group: "A", or "{A,B,C}", or "{A,B,C,D,…}".
func groupName(names []string) string {
	switch {
	case len(names) == 0:
		return "_"
	case len(names) == 1:
		return names[0]
	case len(names) > 4:
		return "{" + strings.Join(names[:4], ",") + ",…}"
	}
	return "{" + strings.Join(names, ",") + "}"
}

// errorRegions adds text chunks for the stretches between units that hold
// a syntax error: what the parser could not make declarations of.
func (g *goFile) errorRegions(errOffs []int) {
	cover := make([]span, 0, len(g.units))
	for _, u := range g.units {
		cover = append(cover, span{u.start, u.end})
	}
	slices.SortFunc(cover, func(a, b span) int { return a.start - b.start })
	slices.Sort(errOffs)
	prev := 0
	n0 := len(g.units)
	gap := func(s, e int) {
		i, _ := slices.BinarySearch(errOffs, s)
		if i < len(errOffs) && errOffs[i] < e || e == len(g.src) && i < len(errOffs) {
			g.sizeUnits(s, e, KindText, g.textName(), "")
		}
	}
	for _, c := range cover {
		if c.start > prev {
			gap(prev, c.start)
		}
		prev = max(prev, c.end)
	}
	if prev < len(g.src) {
		gap(prev, len(g.src))
	}
	// Each gap names its runs on its own (name#1, … only for a gap of
	// several); with more than one run in all, they are numbered across
	// the file, in order, so that no two chunks of the file share a name.
	if added := g.units[n0:]; len(added) > 1 {
		for i := range added {
			added[i].name = PieceName(g.textName(), i+1)
		}
	}
	slices.SortStableFunc(g.units, func(a, b unit) int { return a.start - b.start })
}

// rawStrings returns the protect function for Go: multi-line raw strings
// in the declarations (which are in order and do not overlap).
func rawStrings(decls []goDecl) func(start, end int) []span {
	return func(start, end int) []span {
		var out []span
		for _, d := range decls {
			g := d.g
			if g.off(d.d.End()) <= start {
				continue
			}
			if g.off(d.d.Pos()) >= end {
				break
			}
			ast.Inspect(d.d, func(n ast.Node) bool {
				if n == nil {
					return false
				}
				s, e := g.off(n.Pos()), g.off(n.End())
				if e <= start || s >= end {
					return false
				}
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.IndexByte(lit.Value, '\n') >= 0 {
					out = append(out, span{s, e})
				}
				return true
			})
		}
		return out
	}
}
