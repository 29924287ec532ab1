package chunk

import (
	"go/ast"
	"go/token"
)

// Refs of Go declarations. The parser runs without object resolution
// (parser.SkipObjectResolution: its resolver walks the whole AST once more,
// a fifth of the parse); this walk resolves what the refs need as it goes,
// with the resolver's rules (go/parser's resolver.go): an identifier is
// local if a scope of the declaration declares it, else a name of the
// file (a package-level declaration of this file), else unresolved (a
// package name, or a name of another file of the package, or predeclared).

// topNames maps each package-level name the file declares to the offset
// of its declaration (the first, if declared twice): consts, vars, types
// and functions (not methods, not init).
func topNames(decls []goDecl) map[string]int {
	top := make(map[string]int, 2*len(decls))
	declare := func(g *goFile, id *ast.Ident, at token.Pos) {
		if id == nil || id.Name == "_" {
			return
		}
		if _, ok := top[id.Name]; !ok {
			top[id.Name] = g.off(at)
		}
	}
	for _, gd := range decls {
		g := gd.g
		switch d := gd.d.(type) {
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.ValueSpec:
					for _, id := range s.Names {
						declare(g, id, s.Pos())
					}
				case *ast.TypeSpec:
					declare(g, s.Name, s.Pos())
				}
			}
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name != "init" {
				declare(g, d.Name, d.Pos())
			}
		}
	}
	return top
}

// refWalk collects one declaration's refs.
type refWalk struct {
	g          *goFile
	start, end int // the chunk: names declared in it are not refs
	// locals is the stack of names the enclosing scopes declare; noObj
	// marks a receiver's type parameters, which the resolver declares but
	// never resolves to (so they count as unresolved).
	locals []local
	out    []ref
	// selfType and selfName are the method being walked (its receiver's
	// type and its name), whose calls of itself are no refs.
	selfType, selfName string
}

type local struct {
	name  string
	noObj bool
	// typ names a variable's type when its declaration shows it: T for
	// one of the package's own, pkg.T for an imported one
	// (golang_methods.go); "" when the type is unknown, and for every
	// name that is not a variable.
	typ string
}

// refs collects the names node references from outside the range
// [start, end): qualified identifiers ("fmt.Errorf", "http.Handler"),
// identifiers that are not local — package-level names of this or another
// file of the package — and methods of variables whose type the syntax
// shows ("http.(*Server).Serve", golang_methods.go). Predeclared names,
// other field and method selectors, struct field names and
// composite-literal keys are left out.
func (g *goFile) refs(node ast.Node, start, end int) []ref {
	w := refWalk{g: g, start: start, end: end, locals: g.scratch[:0]}
	switch n := node.(type) {
	case *ast.FuncDecl:
		w.funcDecl(n)
	case *ast.GenDecl:
		for _, s := range n.Specs {
			if vs, ok := s.(*ast.ValueSpec); ok {
				w.expr(vs.Type)
				w.exprs(vs.Values)
			}
		}
	case *ast.TypeSpec:
		w.typeSpec(n)
	}
	g.scratch = w.locals[:0]
	return w.out
}

// maxWalkRefs bounds the refs one declaration's walk keeps, repeats
// included. Names repeat (fmt.Println on 130 lines of one function): the
// bound leaves refsIn enough to find MaxRefs distinct ones among them in
// all but generated code.
const maxWalkRefs = 32 * MaxRefs

func (w *refWalk) add(name string, p token.Pos) {
	if len(w.out) < maxWalkRefs {
		w.out = append(w.out, ref{name, w.g.off(p)})
	}
}

func (w *refWalk) declare(id *ast.Ident) {
	if id != nil && id.Name != "_" {
		w.locals = append(w.locals, local{name: id.Name})
	}
}

// lookup tells how an identifier resolves: local, a name of the file
// (declared at offset at), or unresolved.
func (w *refWalk) lookup(name string) (isLocal, inFile bool, at int) {
	for i := len(w.locals) - 1; i >= 0; i-- {
		if w.locals[i].name == name {
			return !w.locals[i].noObj, false, 0
		}
	}
	at, inFile = w.g.top[name]
	return false, inFile, at
}

func (w *refWalk) ident(id *ast.Ident) {
	if id.Name == "_" {
		return
	}
	isLocal, inFile, at := w.lookup(id.Name)
	switch {
	case isLocal:
	case inFile:
		if at < w.start || at >= w.end {
			w.add(id.Name, id.Pos())
		}
	case !predeclared(id.Name):
		w.add(id.Name, id.Pos())
	}
}

func (w *refWalk) exprs(list []ast.Expr) {
	for _, x := range list {
		w.expr(x)
	}
}

// types walks the types of a field list (its names are declarations).
func (w *refWalk) types(fl *ast.FieldList) {
	if fl == nil {
		return
	}
	for _, f := range fl.List {
		w.expr(f.Type)
	}
}

// declareFields declares the names of a field list.
func (w *refWalk) declareFields(fl *ast.FieldList) {
	if fl == nil {
		return
	}
	for _, f := range fl.List {
		for _, id := range f.Names {
			w.declare(id)
		}
	}
}

func (w *refWalk) expr(x ast.Expr) {
	switch x := x.(type) {
	case nil:
	case *ast.Ident:
		w.ident(x)
	case *ast.SelectorExpr:
		w.selector(x, false)
	case *ast.Ellipsis:
		w.expr(x.Elt)
	case *ast.FuncLit:
		mark := len(w.locals)
		w.types(x.Type.TypeParams)
		w.types(x.Type.Params)
		w.types(x.Type.Results)
		w.declareTyped(x.Type.Params, mark)
		w.declareTyped(x.Type.Results, mark)
		if x.Body != nil {
			w.stmts(x.Body.List)
		}
		w.locals = w.locals[:mark]
	case *ast.CompositeLit:
		w.expr(x.Type)
		w.exprs(x.Elts)
	case *ast.ParenExpr:
		w.expr(x.X)
	case *ast.IndexExpr:
		w.expr(x.X)
		w.expr(x.Index)
	case *ast.IndexListExpr:
		w.expr(x.X)
		w.exprs(x.Indices)
	case *ast.SliceExpr:
		w.expr(x.X)
		w.expr(x.Low)
		w.expr(x.High)
		w.expr(x.Max)
	case *ast.TypeAssertExpr:
		w.expr(x.X)
		w.expr(x.Type)
	case *ast.CallExpr:
		if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
			w.selector(sel, true)
		} else {
			w.expr(x.Fun)
		}
		w.exprs(x.Args)
	case *ast.StarExpr:
		w.expr(x.X)
	case *ast.UnaryExpr:
		w.expr(x.X)
	case *ast.BinaryExpr:
		w.expr(x.X)
		w.expr(x.Y)
	case *ast.KeyValueExpr:
		if _, ok := x.Key.(*ast.Ident); !ok {
			w.expr(x.Key)
		}
		w.expr(x.Value)
	case *ast.ArrayType:
		w.expr(x.Len)
		w.expr(x.Elt)
	case *ast.StructType:
		w.types(x.Fields)
	case *ast.FuncType:
		w.types(x.TypeParams)
		w.types(x.Params)
		w.types(x.Results)
	case *ast.InterfaceType:
		w.types(x.Methods)
	case *ast.MapType:
		w.expr(x.Key)
		w.expr(x.Value)
	case *ast.ChanType:
		w.expr(x.Value)
	}
}

func (w *refWalk) stmts(list []ast.Stmt) {
	for _, s := range list {
		w.stmt(s)
	}
}

// block walks statements in a scope of their own.
func (w *refWalk) block(b *ast.BlockStmt) {
	if b != nil {
		mark := len(w.locals)
		w.stmts(b.List)
		w.locals = w.locals[:mark]
	}
}

func (w *refWalk) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case nil:
	case *ast.DeclStmt:
		w.localDecl(s.Decl)
	case *ast.LabeledStmt:
		w.stmt(s.Stmt)
	case *ast.ExprStmt:
		w.expr(s.X)
	case *ast.SendStmt:
		w.expr(s.Chan)
		w.expr(s.Value)
	case *ast.IncDecStmt:
		w.expr(s.X)
	case *ast.AssignStmt:
		if s.Tok != token.DEFINE {
			w.exprs(s.Lhs)
			w.exprs(s.Rhs)
			return
		}
		// The right side first: x := x refers to an outer x.
		w.exprs(s.Rhs)
		mark := len(w.locals)
		for i, x := range s.Lhs {
			if id, ok := x.(*ast.Ident); ok {
				w.declareAs(id, w.assignedType(len(s.Lhs), s.Rhs, i, mark))
			} else {
				w.expr(x)
			}
		}
	case *ast.GoStmt:
		w.expr(s.Call)
	case *ast.DeferStmt:
		w.expr(s.Call)
	case *ast.ReturnStmt:
		w.exprs(s.Results)
	case *ast.BlockStmt:
		w.block(s)
	case *ast.IfStmt:
		mark := len(w.locals)
		w.stmt(s.Init)
		w.expr(s.Cond)
		w.block(s.Body)
		w.stmt(s.Else)
		w.locals = w.locals[:mark]
	case *ast.CaseClause:
		w.exprs(s.List)
		mark := len(w.locals)
		w.stmts(s.Body)
		w.locals = w.locals[:mark]
	case *ast.SwitchStmt:
		mark := len(w.locals)
		w.stmt(s.Init)
		w.expr(s.Tag)
		if s.Body != nil {
			w.stmts(s.Body.List)
		}
		w.locals = w.locals[:mark]
	case *ast.TypeSwitchStmt:
		w.typeSwitch(s)
	case *ast.CommClause:
		mark := len(w.locals)
		w.stmt(s.Comm)
		w.stmts(s.Body)
		w.locals = w.locals[:mark]
	case *ast.SelectStmt:
		if s.Body != nil {
			w.stmts(s.Body.List)
		}
	case *ast.ForStmt:
		mark := len(w.locals)
		w.stmt(s.Init)
		w.expr(s.Cond)
		w.stmt(s.Post)
		w.block(s.Body)
		w.locals = w.locals[:mark]
	case *ast.RangeStmt:
		mark := len(w.locals)
		if s.Tok == token.DEFINE {
			// The range expression first: it is outside the new names' scope.
			w.expr(s.X)
			for _, x := range []ast.Expr{s.Key, s.Value} {
				if id, ok := x.(*ast.Ident); ok {
					w.declare(id)
				} else {
					w.expr(x)
				}
			}
		} else {
			w.expr(s.Key)
			w.expr(s.Value)
			w.expr(s.X)
		}
		w.block(s.Body)
		w.locals = w.locals[:mark]
	}
}

// localDecl walks a declaration inside a function; its names are declared
// after their types and values, a type's before its own type (a type may
// refer to itself).
func (w *refWalk) localDecl(d ast.Decl) {
	gd, ok := d.(*ast.GenDecl)
	if !ok {
		return
	}
	for _, s := range gd.Specs {
		switch s := s.(type) {
		case *ast.ValueSpec:
			w.expr(s.Type)
			w.exprs(s.Values)
			w.declareValues(s)
		case *ast.TypeSpec:
			w.declare(s.Name)
			w.declareFields(s.TypeParams)
			w.types(s.TypeParams)
			w.expr(s.Type)
		}
	}
}

// typeSpec walks a package-level type: its parameters are local to it.
func (w *refWalk) typeSpec(ts *ast.TypeSpec) {
	w.declareFields(ts.TypeParams)
	w.types(ts.TypeParams)
	w.expr(ts.Type)
}

// funcDecl walks a function or method: the receiver's type parameters,
// then the type parameters, are declared before any type is resolved, the
// receiver, parameters and results after them.
func (w *refWalk) funcDecl(d *ast.FuncDecl) {
	if d.Recv != nil && len(d.Recv.List) > 0 {
		typ := d.Recv.List[0].Type
		if p, ok := typ.(*ast.StarExpr); ok {
			typ = p.X
		}
		var params []ast.Expr
		switch t := typ.(type) {
		case *ast.IndexExpr:
			params = []ast.Expr{t.Index}
		case *ast.IndexListExpr:
			params = t.Indices
		}
		for _, x := range params {
			if id, ok := x.(*ast.Ident); ok && id.Name != "_" {
				w.locals = append(w.locals, local{name: id.Name, noObj: true})
			}
		}
	}
	w.declareFields(d.Type.TypeParams)
	w.types(d.Recv)
	w.types(d.Type.TypeParams)
	w.types(d.Type.Params)
	w.types(d.Type.Results)
	// The signature's types are resolved outside its names' scope
	// (func f(url *url.URL) is valid Go).
	mark := len(w.locals)
	w.declareTyped(d.Recv, mark)
	w.declareTyped(d.Type.Params, mark)
	w.declareTyped(d.Type.Results, mark)
	if d.Recv != nil && len(d.Recv.List) > 0 {
		w.selfType, _ = recvType(d.Recv.List[0].Type)
		w.selfName = d.Name.Name
	}
	if d.Body != nil {
		w.stmts(d.Body.List)
	}
}

// predeclared reports Go's predeclared identifiers.
func predeclared(name string) bool {
	switch name {
	case "any", "bool", "byte", "comparable", "complex64", "complex128", "error",
		"float32", "float64", "int", "int8", "int16", "int32", "int64", "rune",
		"string", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr",
		"true", "false", "iota", "nil",
		"append", "cap", "clear", "close", "complex", "copy", "delete", "imag",
		"len", "make", "max", "min", "new", "panic", "print", "println", "real", "recover":
		return true
	}
	return false
}
