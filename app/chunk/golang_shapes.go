package chunk

import (
	"go/ast"
	"strings"
)

// Shapes of types. A call srv.Close() on a *Server that has Close from a
// type it embeds (type Server struct{ *Base }) names pkg.(*Server).Close
// (golang_methods.go), which no chunk declares: the method is Base's. Which
// method the selector reaches is Go's rule for promoted names (the one at
// the shallowest depth of embedding, if there is exactly one), and the
// types involved are often declared in other files of the package, which
// the chunker does not see. So it records, for each type declaration, what
// the rule needs of it, and the index applies the rule over a directory's
// types (app/index/promoted.go). A type's own methods are the method
// chunks' names, an interface's its members.
//
// A shape is a list of strings, its first the kind of the type:
//   - "struct", then one element per field: its name, and for an
//     embedded field name=T, name=*T, name=q.T or name=*q.T (the type
//     without type arguments), or name=? when the type is none of those
//     or may not be the package's or an import's (a type parameter, a
//     predeclared name other than error, any name in a file with a dot
//     import); a named field of the package's own named type, or a
//     pointer to one, is name:T or name:*T (chunk version 26), from which
//     the index settles calls through the field (golang_fields.go); any
//     other named field is its name alone;
//   - "interface", then =T, =q.T or =? for each element that is not a
//     method (an embedded interface, or a type set: =?);
//   - "alias" for an alias, "defined" for a type defined from another
//     named type (type X Y has Y's fields, which its declaration does not
//     show): both are unknown to the rule;
//   - "other" for any other type: no fields, no embedded types.
//
// Blank fields are left out: no selector reaches them.

// typeShape returns the shape of the type a spec declares.
func (g *goFile) typeShape(ts *ast.TypeSpec) []string {
	if ts.Assign.IsValid() {
		return []string{"alias"}
	}
	tparams := map[string]bool{}
	if ts.TypeParams != nil {
		for _, f := range ts.TypeParams.List {
			for _, n := range f.Names {
				tparams[n.Name] = true
			}
		}
	}
	switch t := ast.Unparen(ts.Type).(type) {
	case *ast.StructType:
		out := []string{"struct"}
		if t.Fields == nil {
			return out
		}
		for _, f := range t.Fields.List {
			if len(f.Names) == 0 {
				name, typ := g.embeddedType(f.Type, tparams)
				out = append(out, name+"="+typ)
				continue
			}
			typ := g.fieldType(f.Type, tparams)
			for _, n := range f.Names {
				if n.Name != "_" {
					out = append(out, n.Name+typ)
				}
			}
		}
		return out
	case *ast.InterfaceType:
		out := []string{"interface"}
		if t.Methods == nil {
			return out
		}
		for _, f := range t.Methods.List {
			if _, ok := f.Type.(*ast.FuncType); ok {
				continue // a method: the chunk's members list it
			}
			_, typ := g.embeddedType(f.Type, tparams)
			if strings.HasPrefix(typ, "*") {
				typ = "?"
			}
			out = append(out, "="+typ)
		}
		return out
	case *ast.Ident:
		if tparams[t.Name] || !g.predeclaredHere(t.Name) {
			return []string{"defined"}
		}
		return []string{"other"}
	case *ast.SelectorExpr, *ast.IndexExpr, *ast.IndexListExpr:
		return []string{"defined"}
	}
	return []string{"other"}
}

// predeclaredHere reports whether name, used at the package level of the
// file, is surely the predeclared one: the file neither declares it nor
// dot-imports a package that might.
func (g *goFile) predeclaredHere(name string) bool {
	_, inFile := g.top[name]
	return predeclared(name) && !inFile && !g.dot
}

// embeddedType returns the field name and the shape's type of an embedded
// field's type expression (see above).
func (g *goFile) embeddedType(x ast.Expr, tparams map[string]bool) (name, typ string) {
	star := ""
	if s, ok := x.(*ast.StarExpr); ok {
		star, x = "*", s.X
	}
	switch t := x.(type) {
	case *ast.IndexExpr:
		x = t.X
	case *ast.IndexListExpr:
		x = t.X
	}
	switch t := x.(type) {
	case *ast.Ident:
		switch {
		case tparams[t.Name]:
			return t.Name, "?"
		case t.Name == "error" && g.predeclaredHere("error"):
			return t.Name, star + "error"
		case g.predeclaredHere(t.Name) || g.dot && !inTop(g, t.Name):
			return t.Name, "?"
		}
		return t.Name, star + t.Name
	case *ast.SelectorExpr:
		if q, ok := t.X.(*ast.Ident); ok {
			return t.Sel.Name, star + q.Name + "." + t.Sel.Name
		}
		return t.Sel.Name, "?"
	}
	return "_", "?"
}

func inTop(g *goFile, name string) bool {
	_, ok := g.top[name]
	return ok
}

// fieldType returns what a shape adds to a named field's name: :T or :*T
// for a field of the package's own named type T or a pointer to it (type
// arguments dropped), "" for any other type (an imported one included:
// the index follows the package's own types only).
func (g *goFile) fieldType(x ast.Expr, tparams map[string]bool) string {
	switch x.(type) {
	case *ast.Ident, *ast.StarExpr, *ast.IndexExpr, *ast.IndexListExpr:
	default:
		return ""
	}
	_, typ := g.embeddedType(x, tparams)
	if strings.ContainsAny(typ, "?.") || strings.TrimPrefix(typ, "*") == "error" {
		return ""
	}
	return ":" + typ
}
