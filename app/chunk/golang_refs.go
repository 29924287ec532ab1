package chunk

import (
	"go/ast"
	"go/token"
)

// refs collects the names node references from outside the range
// [start, end): qualified identifiers ("fmt.Errorf", "http.Handler") and
// identifiers the parser did not resolve inside the declaration — package-
// level names of this or another file of the package. Predeclared names,
// field and method selectors, struct field names and composite-literal keys
// are left out.
func (g *goFile) refs(node ast.Node, start, end int) []ref {
	var out []ref
	add := func(name string, p int) {
		if len(out) < 4*MaxRefs {
			out = append(out, ref{name, p})
		}
	}
	var visit func(n ast.Node) bool
	// walk must not be given a typed nil (a nil *ast.BlockStmt, …).
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
				// Resolved in this file: a reference if declared outside.
				if p := declPos(n.Obj); p.IsValid() {
					if o := g.off(p); o < start || o >= end {
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

// declPos is where an object the parser resolved is declared.
func declPos(o *ast.Object) token.Pos {
	if n, ok := o.Decl.(ast.Node); ok {
		return n.Pos()
	}
	return token.NoPos
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
