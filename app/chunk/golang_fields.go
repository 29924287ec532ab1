package chunk

import (
	"go/ast"
	"strings"
)

// Calls through fields. A call s.store.Get(k) in a method of Server, whose
// field store is of type Store or *Store, calls Store's Get: the refs walk
// knows s's type (golang_methods.go), and what the field is the struct's
// declaration says. Where the file declares the struct with the field
// itself (by name, not through embedding), the walk reads the field's type
// and the call is the method ref of that type, as a call on a variable of
// it is: srv.(*Store).Get, or sync.(*Mutex).Lock for s.mu.Lock() of a
// field mu sync.Mutex, kept where the header records sync's import path
// (the struct's declaration is in the file, so its qualifiers are the
// file's imports). A chain of such fields (s.conf.tls.Clone()) is read
// the same way, one field at a time.
//
// Where the walk cannot read the field (the type is declared in another
// file of the package, or the field is promoted through embedding), the
// call is a field ref, pkg.(*T).f.M, or pkg.(*T).a.b.M for a chain: the
// fields from T, then the method. No chunk has that name; the index
// settles it from the shapes of the directory's types, which record each
// field's type (golang_shapes.go), by Go's rule for selectors, and links
// it to the chunk the method ref of the field's type would reach
// (app/index/promoted.go). A field ref is made for the package's own types
// only: an imported type's fields are in another directory, whose shapes
// the index does not read for this one.
//
// Wrong edges are worse than missing ones: no ref where the receiver's
// type is not known (as for a method ref), where the field's type is not
// a named type or a pointer to one (a map, slice, function, channel,
// anonymous struct, pointer to a pointer), is one of the struct's type
// parameters, is predeclared, or is an imported type whose qualifier may
// not be an import. Only calls count: a method value f := s.store.Get is
// no ref, as for an imported type's.

// maxFieldChain bounds the fields of a chain the walk follows.
const maxFieldChain = 4

// structFields returns the named fields of a struct type the file declares,
// nil for any other type. The fields whose type is one of the struct's
// type parameters keep their names without a type, so that a call through
// one links nothing, while the name still says that the field is the
// struct's own.
func structFields(ts *ast.TypeSpec) *ast.FieldList {
	st, ok := ast.Unparen(ts.Type).(*ast.StructType)
	if ts.Assign.IsValid() || !ok || st.Fields == nil {
		return nil
	}
	if ts.TypeParams == nil {
		return st.Fields
	}
	params := map[string]bool{}
	for _, f := range ts.TypeParams.List {
		for _, n := range f.Names {
			params[n.Name] = true
		}
	}
	out := &ast.FieldList{List: make([]*ast.Field, 0, len(st.Fields.List))}
	for _, f := range st.Fields.List {
		if id, ok := rootIdent(f.Type); ok && params[id.Name] {
			f = &ast.Field{Names: f.Names}
		}
		out.List = append(out.List, f)
	}
	return out
}

// rootIdent returns the identifier a type expression names, through
// pointers, parentheses and type arguments.
func rootIdent(x ast.Expr) (*ast.Ident, bool) {
	for {
		switch t := x.(type) {
		case *ast.StarExpr:
			x = t.X
		case *ast.ParenExpr:
			x = t.X
		case *ast.IndexExpr:
			x = t.X
		case *ast.IndexListExpr:
			x = t.X
		case *ast.Ident:
			return t, true
		default:
			return nil, false
		}
	}
}

// fieldOf returns the type of the named field name of the struct type
// typ, as fileFuncs keeps it: the declared type (nil for a type
// parameter), and whether the file declares typ as a struct with that
// field by name.
func (w *refWalk) fieldOf(typ, name string) (ast.Expr, bool) {
	fl := w.g.funcs[methodKey{typ: typ}]
	if fl == nil {
		return nil, false
	}
	for _, f := range fl.List {
		for _, id := range f.Names {
			if id.Name == name {
				return f.Type, true
			}
		}
	}
	return nil, false
}

// fieldCall adds the ref of a call x.f.M(…) (x.a.b.M(…), …) of a variable
// x whose type is known (see above): the method ref of the last field's
// type where the file's declarations show it, else a field ref for the
// index to settle, else none.
func (w *refWalk) fieldCall(call *ast.SelectorExpr) {
	var fields []string
	x := call.X
	for {
		s, ok := x.(*ast.SelectorExpr)
		if !ok {
			break
		}
		if len(fields) == maxFieldChain {
			return
		}
		fields = append(fields, s.Sel.Name)
		x = s.X
	}
	id, ok := x.(*ast.Ident)
	if !ok {
		return
	}
	i := w.find(id.Name, len(w.locals))
	if i < 0 || w.locals[i].noObj || w.locals[i].typ == "" {
		return
	}
	typ := w.locals[i].typ
	for k := len(fields) - 1; k >= 0; k-- {
		if strings.IndexByte(typ, '.') >= 0 {
			return // an imported type: its fields are not at hand
		}
		ft, ok := w.fieldOf(typ, fields[k])
		if !ok {
			w.fieldRef(typ, fields[:k+1], call.Sel)
			return
		}
		// The struct is declared at the package level: its field's type
		// resolves there, whatever the function declares.
		if typ = w.typeName(ft, 0); typ == "" {
			return
		}
	}
	w.method(typ, call.Sel.Name, call.Sel.Pos())
}

// fieldRef adds the field ref pkg.(*typ).f.g.M, fields given innermost
// last (fields[len-1] is typ's).
func (w *refWalk) fieldRef(typ string, fields []string, m *ast.Ident) {
	var b strings.Builder
	b.WriteString(w.g.pkg)
	b.WriteString(".(*")
	b.WriteString(typ)
	b.WriteString(")")
	for k := len(fields) - 1; k >= 0; k-- {
		b.WriteByte('.')
		b.WriteString(fields[k])
	}
	b.WriteByte('.')
	b.WriteString(m.Name)
	w.add(b.String(), m.Pos())
}
