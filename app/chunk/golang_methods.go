package chunk

import (
	"go/ast"
	"go/token"
	"strings"
)

// Method refs. A call x.M(…) refers to the method M of x's type, which
// only the type checker knows in general; too slow for the index (it needs
// every imported package). The syntax of the enclosing function often
// shows it, though: the receiver (func (s *Server) …), a parameter or named
// result (c *conn), var x T, x := T{…}, x := &T{…}, x := new(T), x := y of
// such a y, and x := f(…) or x, err := s.m(…) of a function or method the
// file declares (its result types are in the same file's syntax; another
// file's are not at hand). A type assertion shows its type as a
// declaration does: x.(*T).M() calls T's M, and so does v.M() after v :=
// x.(T), v, ok := x.(*T) or var v = x.(T), and in a type switch's clause
// that lists one type (switch v := x.(type) { case *T: v.M() }), where
// go/types gives v that type; in a clause of several types, in default
// and in case nil, v has x's type. Then the call is a ref to the method,
// named as the chunks of methods are but always through the pointer,
// pkg.(*T).M: a call site does not show whether M was declared on T or
// on *T, and (*T).M is a valid name (a method expression) of both. A
// method declared on T lists (*T).M among its members, so that the
// symbol graph reaches it by that name too (golang.go).
//
// A type of an imported package (b *bufio.Reader, mu sync.Mutex) counts
// too: the call is named as that package's method chunks are,
// bufio.(*Reader).ReadLine, and the import path the file's header records
// for the qualifier (golang_imports.go) makes the index link it only to
// the package in the directory that path denotes: cmd/go's mu.Lock() to
// sync's Mutex, not internal/sync's. So an imported method ref is kept
// only where that path is recorded (dropImportedMethods); without it the
// index would resolve the name in every package of that name. The
// qualifier must be the import's in the declaration's scope: not a local
// name, a type parameter or a package-level name of the file (pkg.T is
// then not valid Go, whatever it names), nor the file's own package name.
// Where an import has that name (html/template imports text/template as
// template) its refs read as the package's own, which the index resolves
// in the file's directory: t.Name() on a *template.Template would link to
// html/template's own (*Template).Name. A call through an interface, the
// package's own or an imported one (go/types' Type), is named so too,
// types.(*Type).Underlying: the interface's chunk lists (*T).M for each
// method it declares (golang.go, interfaceMethods), and the index links
// the call to it. A method it has from an interface it embeds, or a
// method promoted into a struct through embedding, names a method no
// chunk declares (pkg.(*Server).Close for Base's Close, type Server
// struct{ *Base }): the index settles such names from the shapes of the
// directory's types, which each type's chunk records (golang_shapes.go),
// and links them to the method's chunk where Go's rule for promoted names
// does. A method value (f := x.M) of an
// imported type is no ref: the file does not say whether M is a field.

// Wrong edges are worse than missing ones, so a variable's type is known
// only from its declaration, in the scope the refs walk keeps: a name
// declared again (in an inner scope, or by range, a type switch's clause
// of several types or a call's results) has no known type, nor has a type
// the function declares itself or a type parameter, asserted or not. A
// call through a field (s.store.Get(k)) is a ref to the method of the
// field's type where the file's declarations show it, else a field ref
// the index settles from the directory's shapes (golang_fields.go); a
// method promoted through embedding links where the index can settle it
// (above).

// methodKey is a function or method the file declares: its receiver's
// type ("" for a function) and its name; or, with no name, a type the
// file declares at the package level (no function or method is unnamed).
type methodKey struct{ typ, name string }

// fileFuncs lists the functions and methods the file declares, with their
// results (nil for a generic one, whose result types may be its type
// parameters), and its package-level types: what a conversion T(y) needs
// to tell T from a function. A struct type has its named fields
// (structFields, golang_fields.go), which a call through a field reads;
// any other type has none.
func fileFuncs(decls []goDecl) map[methodKey]*ast.FieldList {
	out := make(map[methodKey]*ast.FieldList, len(decls))
	for _, gd := range decls {
		d, ok := gd.d.(*ast.FuncDecl)
		if !ok {
			if g, ok := gd.d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
				for _, s := range g.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.Name != "_" {
						k := methodKey{typ: ts.Name.Name}
						if _, twice := out[k]; twice {
							out[k] = nil // invalid Go: no fields are known
						} else {
							out[k] = structFields(ts)
						}
					}
				}
			}
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

// typeName returns the name of the named type a type expression denotes
// (T, *T, T[X]; pkg.T for an imported package's, see above), resolving
// names in w.locals[:limit], or "". Pointers to pointers, names local to
// the function, predeclared or perhaps dot-imported, and a qualifier that
// may not be an import or is the file's own package name give none.
func (w *refWalk) typeName(x ast.Expr, limit int) string {
	stars := 0
	for {
		switch t := x.(type) {
		case *ast.StarExpr:
			if stars++; stars > 1 {
				return ""
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
				return ""
			}
			if _, ok := w.g.top[t.Name]; !ok && (predeclared(t.Name) || w.g.dot) {
				return ""
			}
			return t.Name
		case *ast.SelectorExpr:
			q, ok := t.X.(*ast.Ident)
			if !ok || !w.importQualifier(q.Name, limit) {
				return ""
			}
			return q.Name + "." + t.Sel.Name
		default:
			return ""
		}
	}
}

// importQualifier reports whether name, qualifying a type in the scope
// w.locals[:limit], can be an import's: no local name (a type parameter
// included, which the resolver leaves unresolved), no package-level name
// of the file, nothing predeclared, and not the file's own package name.
// Whether it is one, and of which path, recordImports tells.
func (w *refWalk) importQualifier(name string, limit int) bool {
	if name == "_" || name == w.g.pkg || predeclared(name) || w.find(name, limit) >= 0 {
		return false
	}
	_, inFile := w.g.top[name]
	return !inFile
}

// valueType returns the type of the value of x (as typeName names it) when
// its syntax shows it: T{…}, &T{…}, new(T), pkg.T{…} and the like, or a
// variable of a known type.
func (w *refWalk) valueType(x ast.Expr, limit int) string {
	for {
		switch v := x.(type) {
		case *ast.ParenExpr:
			x = v.X
		case *ast.CompositeLit:
			return w.typeName(v.Type, limit)
		case *ast.UnaryExpr:
			if v.Op != token.AND {
				return ""
			}
			x = v.X
			if p, ok := x.(*ast.ParenExpr); ok {
				x = p.X
			}
			if _, ok := x.(*ast.CompositeLit); !ok {
				return ""
			}
		case *ast.CallExpr:
			if id, ok := v.Fun.(*ast.Ident); ok && id.Name == "new" && len(v.Args) == 1 && w.find("new", limit) < 0 {
				if _, ok := w.g.top["new"]; !ok {
					return w.typeName(v.Args[0], limit)
				}
			}
			if t, ok := w.conversionType(v, limit); ok {
				return t
			}
			return w.resultType(v, 0, limit)
		case *ast.Ident:
			if i := w.find(v.Name, limit); i >= 0 && !w.locals[i].noObj {
				return w.locals[i].typ
			}
			return ""
		case *ast.TypeAssertExpr:
			return w.assertedType(v, limit)
		default:
			return ""
		}
	}
}

// assertedType returns the type a type assertion x.(T) or x.(*T) asserts,
// as typeName names it, or "" for x.(type), whose type is each case
// clause's (typeSwitch).
func (w *refWalk) assertedType(x *ast.TypeAssertExpr, limit int) string {
	if x.Type == nil {
		return ""
	}
	return w.typeName(x.Type, limit)
}

// conversionType returns the type a call converts its argument to, and
// whether the call's syntax shows a conversion at all: (*T)(y) or
// (*pkg.T)(y), or T(y) of a type T this file declares. Another file's T(y)
// reads as a call of another file's function f(y) does, whose result
// type is not at hand: guessing T would name a method (pkg.(*f).M) of a
// type that does not exist for every such call. (*T)(y) is a conversion
// unless T is a variable of a pointer to a function: typeName rejects a
// local one, and the file's own functions and variables are not types;
// of pkg.V, a variable, no type of that name has methods to link to.
// pkg.T(y) is taken for a call, as another file's T(y) is.
func (w *refWalk) conversionType(call *ast.CallExpr, limit int) (string, bool) {
	if len(call.Args) != 1 || call.Ellipsis.IsValid() {
		return "", false
	}
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.StarExpr:
		id, ok := ast.Unparen(f.X).(*ast.Ident)
		if ok && !w.fileType(id.Name) {
			if _, inFile := w.g.top[id.Name]; inFile {
				return "", false
			}
		}
		return w.typeName(f, limit), true
	case *ast.Ident:
		if w.fileType(f.Name) {
			return w.typeName(f, limit), true
		}
	}
	return "", false
}

// fileType reports whether the file declares a package-level type name.
func (w *refWalk) fileType(name string) bool {
	_, ok := w.g.funcs[methodKey{typ: name}]
	return ok
}

// resultType returns the type of result i of a call of a function or
// method the file declares (f(…), or x.m(…) of a variable x of one of the
// package's types), as typeName names it.
func (w *refWalk) resultType(call *ast.CallExpr, i, limit int) string {
	var k methodKey
	switch f := call.Fun.(type) {
	case *ast.Ident:
		if w.find(f.Name, limit) >= 0 {
			return ""
		}
		k.name = f.Name
	case *ast.SelectorExpr:
		id, ok := f.X.(*ast.Ident)
		if !ok {
			return ""
		}
		j := w.find(id.Name, limit)
		if j < 0 || w.locals[j].noObj || w.locals[j].typ == "" {
			return ""
		}
		k = methodKey{w.locals[j].typ, f.Sel.Name}
	default:
		return ""
	}
	results := w.g.funcs[k]
	if results == nil {
		return ""
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
	return ""
}

// declareAs declares a variable of a known type (or of none: "").
func (w *refWalk) declareAs(id *ast.Ident, typ string) {
	if id != nil && id.Name != "_" {
		w.locals = append(w.locals, local{name: id.Name, typ: typ})
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
	var t string
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

// assignedType returns the type (typeName) of the i-th of names given
// values (x, y := a, b; x, err := f()), when the syntax shows it.
func (w *refWalk) assignedType(names int, values []ast.Expr, i, limit int) string {
	switch {
	case names == len(values):
		return w.valueType(values[i], limit)
	case len(values) == 1:
		switch v := ast.Unparen(values[0]).(type) {
		case *ast.CallExpr:
			return w.resultType(v, i, limit)
		case *ast.TypeAssertExpr:
			// v, ok := x.(T): the first is the asserted value, the
			// second a bool.
			if i == 0 && names == 2 {
				return w.assertedType(v, limit)
			}
		}
	}
	return ""
}

// typeSwitch walks a type switch. Its variable (switch v := x.(type)) has
// the type of the clause it is used in where the clause lists exactly one
// type: case *T gives v the type T (as typeName names *T), as go/types
// declares it anew in each clause. In a clause of several types, in
// default and in case nil, v keeps x's type, which is not known; a type
// parameter or a type the function declares gives none (typeName). The
// clause's type resolves where the switch is, not in the scope of v,
// which go/types does not declare there.
func (w *refWalk) typeSwitch(s *ast.TypeSwitchStmt) {
	mark := len(w.locals)
	w.stmt(s.Init)
	outer := len(w.locals)
	w.stmt(s.Assign)
	var v *ast.Ident
	if a, ok := s.Assign.(*ast.AssignStmt); ok && a.Tok == token.DEFINE && len(a.Lhs) == 1 {
		v, _ = a.Lhs[0].(*ast.Ident)
	}
	if s.Body != nil {
		for _, st := range s.Body.List {
			cc, ok := st.(*ast.CaseClause)
			if !ok || v == nil || len(cc.List) != 1 {
				w.stmt(st)
				continue
			}
			w.exprs(cc.List)
			body := len(w.locals)
			w.declareAs(v, w.typeName(cc.List[0], outer))
			w.stmts(cc.Body)
			w.locals = w.locals[:body]
		}
	}
	w.locals = w.locals[:mark]
}

// selector walks x.Sel: a qualified identifier (pkg.Name) is a ref; a
// method of a variable whose type is known is a ref too, when called
// (x.M(…)) or, as a method value (f := x.M), when the file declares M on
// the variable's type — otherwise x.Sel is as likely a field; and so is a
// method called through the variable's fields (x.f.M(…), fieldCall), or
// on a type assertion (x.(*T).M(…)) as on a variable of its type.
func (w *refWalk) selector(x *ast.SelectorExpr, call bool) {
	id, ok := x.X.(*ast.Ident)
	if !ok {
		if call {
			w.fieldCall(x)
		}
		if a, ok := ast.Unparen(x.X).(*ast.TypeAssertExpr); ok {
			if t := w.assertedType(a, len(w.locals)); t != "" && (call || w.declared(t, x.Sel.Name)) {
				w.method(t, x.Sel.Name, x.Sel.Pos())
			}
		}
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
	} else if l := w.locals[i]; l.typ != "" && (call || w.declared(l.typ, x.Sel.Name)) {
		w.method(l.typ, x.Sel.Name, x.Sel.Pos())
	}
	w.ident(id)
}

// declared reports whether the file declares method name on type typ.
func (w *refWalk) declared(typ, name string) bool {
	_, ok := w.g.funcs[methodKey{typ, name}]
	return ok
}

// method adds the ref to method name of the type typ: pkg.(*typ).name
// for one of the package's own, unless it is the method being walked;
// q.(*T).name for an imported q.T.
func (w *refWalk) method(typ, name string, p token.Pos) {
	if q, t, ok := strings.Cut(typ, "."); ok {
		w.add(q+".(*"+t+")."+name, p)
		return
	}
	if typ == w.selfType && name == w.selfName {
		return
	}
	w.add(w.g.pkg+".(*"+typ+")."+name, p)
}
