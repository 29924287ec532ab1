package chunk

import (
	"go/ast"
	"go/token"
)

// Method refs. A call x.M(…) refers to the method M of x's type, which
// only the type checker knows in general; too slow for the index (it needs
// every imported package). The syntax of the enclosing function often
// shows it, though: the receiver (func (s *Server) …), a parameter or named
// result (b *bufio.Reader), var x T, x := T{…}, x := &T{…}, x := new(T),
// x := y of such a y, and x := f(…) or x, err := s.m(…) of a function or
// method the file declares (its result types are in the same file's
// syntax; another file's are not at hand). Then the call is a ref to the method, named as
// the chunks of methods are but always through the pointer,
// pkg.(*T).M: a call site does not show whether M was declared on T or
// on *T, and (*T).M is a valid name (a method expression) of both. A
// method declared on T lists (*T).M among its members, so that the
// symbol graph reaches it by that name too (golang.go).
//
// Wrong edges are worse than missing ones, so a variable's type is known
// only from its declaration, in the scope the refs walk keeps: a name
// declared again (in an inner scope, or by range, a type switch or a call's
// results) has no known type, nor has a type the function declares itself
// or a type parameter. A field or a method promoted through embedding
// gives a name no chunk has, which links nothing.

// methodKey is a function or method the file declares: its receiver's
// type ("" for a function) and its name.
type methodKey struct{ typ, name string }

// fileFuncs lists the functions and methods the file declares, with their
// results; nil for a generic one, whose result types may be its type
// parameters.
func fileFuncs(decls []goDecl) map[methodKey]*ast.FieldList {
	out := make(map[methodKey]*ast.FieldList, len(decls))
	for _, gd := range decls {
		d, ok := gd.d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		k, results := methodKey{name: d.Name.Name}, d.Type.Results
		if d.Type.TypeParams != nil {
			results = nil
		}
		if d.Recv != nil && len(d.Recv.List) > 0 {
			recv := d.Recv.List[0].Type
			k.typ, _ = recvType(recv)
			if p, ok := recv.(*ast.StarExpr); ok {
				recv = p.X
			}
			switch recv.(type) {
			case *ast.IndexExpr, *ast.IndexListExpr:
				results = nil
			}
		}
		out[k] = results
	}
	return out
}

// dotImports reports whether a file imports a package with `import . "p"`,
// whose names are used unqualified like the package's own.
func dotImports(af *ast.File) bool {
	for _, is := range af.Imports {
		if is.Name != nil && is.Name.Name == "." {
			return true
		}
	}
	return false
}

// find returns the index in w.locals[:limit] of the innermost declaration
// of name, or -1.
func (w *refWalk) find(name string, limit int) int {
	for i := limit - 1; i >= 0; i-- {
		if w.locals[i].name == name {
			return i
		}
	}
	return -1
}

// named is a named type as method refs qualify it; typ is "" when unknown.
type named struct{ pkg, typ string }

// typeName returns the named type a type expression denotes (T, *T,
// pkg.T, T[X]), resolving names in w.locals[:limit]: a package-level type
// of the file's package or of an imported one. Pointers to pointers, and
// names local to the function, predeclared or perhaps dot-imported, give
// none.
func (w *refWalk) typeName(x ast.Expr, limit int) named {
	stars := 0
	for {
		switch t := x.(type) {
		case *ast.StarExpr:
			if stars++; stars > 1 {
				return named{}
			}
			x = t.X
		case *ast.ParenExpr:
			x = t.X
		case *ast.IndexExpr:
			x = t.X
		case *ast.IndexListExpr:
			x = t.X
		case *ast.Ident:
			if t.Name == "_" || w.find(t.Name, limit) >= 0 {
				return named{}
			}
			if _, ok := w.g.top[t.Name]; !ok && (predeclared(t.Name) || w.g.dot) {
				return named{}
			}
			return named{w.g.pkg, t.Name}
		case *ast.SelectorExpr:
			id, ok := t.X.(*ast.Ident)
			if !ok || id.Name == "_" || w.find(id.Name, limit) >= 0 || predeclared(id.Name) {
				return named{}
			}
			if _, ok := w.g.top[id.Name]; ok {
				return named{}
			}
			return named{id.Name, t.Sel.Name}
		default:
			return named{}
		}
	}
}

// valueType returns the named type of the value of x when its syntax
// shows it: T{…}, &T{…}, new(T), or a variable of a known type.
func (w *refWalk) valueType(x ast.Expr, limit int) named {
	for {
		switch v := x.(type) {
		case *ast.ParenExpr:
			x = v.X
		case *ast.CompositeLit:
			return w.typeName(v.Type, limit)
		case *ast.UnaryExpr:
			if v.Op != token.AND {
				return named{}
			}
			x = v.X
			if p, ok := x.(*ast.ParenExpr); ok {
				x = p.X
			}
			if _, ok := x.(*ast.CompositeLit); !ok {
				return named{}
			}
		case *ast.CallExpr:
			if id, ok := v.Fun.(*ast.Ident); ok && id.Name == "new" && len(v.Args) == 1 && w.find("new", limit) < 0 {
				if _, ok := w.g.top["new"]; !ok {
					return w.typeName(v.Args[0], limit)
				}
			}
			return w.resultType(v, 0, limit)
		case *ast.Ident:
			if i := w.find(v.Name, limit); i >= 0 && !w.locals[i].noObj {
				return named{w.locals[i].pkg, w.locals[i].typ}
			}
			return named{}
		default:
			return named{}
		}
	}
}

// resultType returns the named type of result i of a call of a function
// or method the file declares (f(…), or x.m(…) of a variable x of one of
// the package's types).
func (w *refWalk) resultType(call *ast.CallExpr, i, limit int) named {
	var k methodKey
	switch f := call.Fun.(type) {
	case *ast.Ident:
		if w.find(f.Name, limit) >= 0 {
			return named{}
		}
		k.name = f.Name
	case *ast.SelectorExpr:
		id, ok := f.X.(*ast.Ident)
		if !ok {
			return named{}
		}
		j := w.find(id.Name, limit)
		if j < 0 || w.locals[j].noObj || w.locals[j].typ == "" || w.locals[j].pkg != w.g.pkg {
			return named{}
		}
		k = methodKey{w.locals[j].typ, f.Sel.Name}
	default:
		return named{}
	}
	results := w.g.funcs[k]
	if results == nil {
		return named{}
	}
	for _, f := range results.List {
		n := max(1, len(f.Names))
		if i < n {
			// Resolved at the package level: the declaring function's
			// own scope is not the caller's.
			return w.typeName(f.Type, 0)
		}
		i -= n
	}
	return named{}
}

// declareAs declares a variable of a known type (or of none).
func (w *refWalk) declareAs(id *ast.Ident, t named) {
	if id != nil && id.Name != "_" {
		w.locals = append(w.locals, local{name: id.Name, pkg: t.pkg, typ: t.typ})
	}
}

// declareTyped declares the names of a signature's field list (receiver,
// parameters, results) with their types, resolved in w.locals[:limit].
// A variadic parameter is a slice: no type.
func (w *refWalk) declareTyped(fl *ast.FieldList, limit int) {
	if fl == nil {
		return
	}
	for _, f := range fl.List {
		if len(f.Names) == 0 {
			continue
		}
		t := w.typeName(f.Type, limit)
		for _, id := range f.Names {
			w.declareAs(id, t)
		}
	}
}

// declareValues declares the names of a var (or const) declaration inside
// a function: typed by its type when written (var x T), else each by its
// own value (var x = &T{}).
func (w *refWalk) declareValues(s *ast.ValueSpec) {
	mark := len(w.locals)
	var t named
	if s.Type != nil {
		t = w.typeName(s.Type, mark)
	}
	for i, id := range s.Names {
		if s.Type == nil {
			t = w.assignedType(len(s.Names), s.Values, i, mark)
		}
		w.declareAs(id, t)
	}
}

// assignedType returns the named type of the i-th of names given values
// (x, y := a, b; x, err := f()), when the syntax shows it.
func (w *refWalk) assignedType(names int, values []ast.Expr, i, limit int) named {
	switch {
	case names == len(values):
		return w.valueType(values[i], limit)
	case len(values) == 1:
		if call, ok := ast.Unparen(values[0]).(*ast.CallExpr); ok {
			return w.resultType(call, i, limit)
		}
	}
	return named{}
}

// selector walks x.Sel: a qualified identifier (pkg.Name) is a ref; a
// method of a variable whose type is known is a ref too, when called
// (x.M(…)) or, as a method value (f := x.M), when the file declares M on
// the variable's type — otherwise x.Sel is as likely a field.
func (w *refWalk) selector(x *ast.SelectorExpr, call bool) {
	id, ok := x.X.(*ast.Ident)
	if !ok {
		w.expr(x.X)
		return
	}
	if id.Name == "_" {
		w.add("_."+x.Sel.Name, id.Pos())
		return
	}
	i := w.find(id.Name, len(w.locals))
	if i < 0 || w.locals[i].noObj {
		if _, inFile := w.g.top[id.Name]; i >= 0 || !inFile {
			if !predeclared(id.Name) {
				w.add(id.Name+"."+x.Sel.Name, id.Pos())
			}
			return
		}
	} else if l := w.locals[i]; l.typ != "" && (call || l.pkg == w.g.pkg && w.declared(l.typ, x.Sel.Name)) {
		w.method(l.pkg, l.typ, x.Sel.Name, x.Sel.Pos())
	}
	w.ident(id)
}

// declared reports whether the file declares method name on type typ.
func (w *refWalk) declared(typ, name string) bool {
	_, ok := w.g.funcs[methodKey{typ, name}]
	return ok
}

// method adds the ref to method name of pkg.typ, pkg.(*typ).name, unless
// it is the method being walked.
func (w *refWalk) method(pkg, typ, name string, p token.Pos) {
	if pkg == w.g.pkg && typ == w.selfType && name == w.selfName {
		return
	}
	w.add(pkg+".(*"+typ+")."+name, p)
}
