package ctxbuild

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/scanner"
	"go/token"
	"strings"
)

// A method implements an interface's only with the same parameter and
// result types: counting them lets store.(*Transport).Dial(addr
// raft.ServerAddress, …) pass for a Dial(addr string, …), and
// GetRequest() isCommand_Request for GetRequest() *Request. Without the
// type checker, the types are compared as written, normalised: parameter
// names left out, a type name of the package written in qualified by it
// (Foo in package store is store.Foo, as package tcp writes it), any
// spelt interface{}. An import renamed, or a type alias, reads as another
// type: such a method is left out.

// typeSig is the normalised signature of ft, a function type written in
// package pkg: "(T1,T2)(R1)"; tparams are type parameters in scope
// (a generic receiver's), left unqualified.
func typeSig(ft *ast.FuncType, pkg string, tparams map[string]bool) string {
	var b strings.Builder
	list := func(fl *ast.FieldList) {
		b.WriteByte('(')
		if fl != nil {
			for i, f := range fl.List {
				for k := range max(1, len(f.Names)) {
					if i+k > 0 {
						b.WriteByte(',')
					}
					writeType(&b, f.Type, pkg, tparams)
				}
			}
		}
		b.WriteByte(')')
	}
	list(ft.Params)
	list(ft.Results)
	return b.String()
}

// writeType writes the type e, written in package pkg, normalised (typeSig).
func writeType(b *strings.Builder, e ast.Expr, pkg string, tparams map[string]bool) {
	w := func(e ast.Expr) { writeType(b, e, pkg, tparams) }
	switch t := e.(type) {
	case *ast.Ident:
		switch {
		case t.Name == "any":
			b.WriteString("interface{}")
		case tparams[t.Name] || doc.IsPredeclared(t.Name):
			b.WriteString(t.Name)
		default:
			b.WriteString(pkg + "." + t.Name)
		}
	case *ast.SelectorExpr:
		b.WriteString(exprString(t))
	case *ast.StarExpr:
		b.WriteByte('*')
		w(t.X)
	case *ast.ParenExpr:
		w(t.X)
	case *ast.Ellipsis:
		b.WriteString("...")
		w(t.Elt)
	case *ast.ArrayType:
		b.WriteByte('[')
		if t.Len != nil {
			b.WriteString(exprString(t.Len))
		}
		b.WriteByte(']')
		w(t.Elt)
	case *ast.MapType:
		b.WriteString("map[")
		w(t.Key)
		b.WriteByte(']')
		w(t.Value)
	case *ast.ChanType:
		switch t.Dir {
		case ast.SEND:
			b.WriteString("chan<- ")
		case ast.RECV:
			b.WriteString("<-chan ")
		default:
			b.WriteString("chan ")
		}
		w(t.Value)
	case *ast.FuncType:
		b.WriteString("func")
		b.WriteString(typeSig(t, pkg, tparams))
	case *ast.IndexExpr:
		w(t.X)
		b.WriteByte('[')
		w(t.Index)
		b.WriteByte(']')
	case *ast.IndexListExpr:
		w(t.X)
		b.WriteByte('[')
		for i, x := range t.Indices {
			if i > 0 {
				b.WriteByte(',')
			}
			w(x)
		}
		b.WriteByte(']')
	case *ast.InterfaceType:
		if t.Methods == nil || len(t.Methods.List) == 0 {
			b.WriteString("interface{}")
			return
		}
		b.WriteString(exprString(t))
	default: // a struct type, most often: as written
		b.WriteString(exprString(e))
	}
}

// methodTypes is the normalised signature (typeSig) of the method that
// code, a Go method's unit of package pkg, declares: its declaration up
// to its body is parsed, not the body; ok is false when that does not
// parse.
func methodTypes(code, pkg string) (_ string, ok bool) {
	end, ok := bodyStart(code)
	if !ok {
		return "", false
	}
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\n"+code[:end]+"{}", parser.SkipObjectResolution)
	if err != nil || len(f.Decls) != 1 {
		return "", false
	}
	fd, ok := f.Decls[0].(*ast.FuncDecl)
	if !ok {
		return "", false
	}
	var tparams map[string]bool
	if fd.Recv != nil && len(fd.Recv.List) == 1 {
		rt := fd.Recv.List[0].Type
		if s, ok := rt.(*ast.StarExpr); ok {
			rt = s.X
		}
		var idx []ast.Expr
		switch t := rt.(type) {
		case *ast.IndexExpr:
			idx = []ast.Expr{t.Index}
		case *ast.IndexListExpr:
			idx = t.Indices
		}
		for _, x := range idx {
			if id, ok := x.(*ast.Ident); ok {
				if tparams == nil {
					tparams = map[string]bool{}
				}
				tparams[id.Name] = true
			}
		}
	}
	return typeSig(fd.Type, pkg, tparams), true
}

// bodyStart is the offset in code, a Go function's unit, of the brace
// opening its body (len(code) when it has none): the first brace after
// the keyword func at the depth of the declaration that opens no struct
// or interface type (a func type has no brace of its own).
func bodyStart(code string) (int, bool) {
	var s scanner.Scanner
	src := []byte(code)
	file := token.NewFileSet().AddFile("", -1, len(src))
	s.Init(file, src, nil, 0)
	depth, seenFunc, prev := 0, false, token.ILLEGAL
	typeBraces := 0 // braces open of struct and interface types
	for {
		pos, tok, _ := s.Scan()
		switch tok {
		case token.EOF:
			return len(code), seenFunc
		case token.FUNC:
			seenFunc = true
		case token.LPAREN, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACK:
			depth--
		case token.LBRACE:
			if prev == token.STRUCT || prev == token.INTERFACE || typeBraces > 0 {
				typeBraces++
			} else if seenFunc && depth == 0 {
				return file.Offset(pos), true
			}
		case token.RBRACE:
			if typeBraces > 0 {
				typeBraces--
			}
		}
		prev = tok
	}
}

// stdIfaceMethods are the methods of interfaces of Go's standard library
// that a project's interfaces often embed, by their name as a project
// writes it. A project's index seldom holds the standard library, and an
// embedded interface it cannot read leaves the method set smaller than
// Go's: store.Layer, net.Listener and Dial, would take any Dial. These
// are fixed facts of the library, listed rather than guessed at; an
// interface of the index of that name counts first (the project may be
// the standard library, or have a package of that name).
var stdIfaceMethods = map[string][]string{
	"io.Reader":                {"Read"},
	"io.Writer":                {"Write"},
	"io.Closer":                {"Close"},
	"io.Seeker":                {"Seek"},
	"io.ReaderAt":              {"ReadAt"},
	"io.WriterAt":              {"WriteAt"},
	"io.ReaderFrom":            {"ReadFrom"},
	"io.WriterTo":              {"WriteTo"},
	"io.ByteReader":            {"ReadByte"},
	"io.ByteWriter":            {"WriteByte"},
	"io.RuneReader":            {"ReadRune"},
	"io.StringWriter":          {"WriteString"},
	"io.ReadWriter":            {"Read", "Write"},
	"io.ReadCloser":            {"Read", "Close"},
	"io.WriteCloser":           {"Write", "Close"},
	"io.ReadWriteCloser":       {"Read", "Write", "Close"},
	"io.ReadSeeker":            {"Read", "Seek"},
	"io.ReadSeekCloser":        {"Read", "Seek", "Close"},
	"net.Listener":             {"Accept", "Close", "Addr"},
	"net.Conn":                 {"Read", "Write", "Close", "LocalAddr", "RemoteAddr", "SetDeadline", "SetReadDeadline", "SetWriteDeadline"},
	"net.Addr":                 {"Network", "String"},
	"fmt.Stringer":             {"String"},
	"fmt.GoStringer":           {"GoString"},
	"sort.Interface":           {"Len", "Less", "Swap"},
	"context.Context":          {"Deadline", "Done", "Err", "Value"},
	"http.Handler":             {"ServeHTTP"},
	"fs.FS":                    {"Open"},
	"fs.File":                  {"Stat", "Read", "Close"},
	"hash.Hash":                {"Write", "Sum", "Reset", "Size", "BlockSize"},
	"json.Marshaler":           {"MarshalJSON"},
	"json.Unmarshaler":         {"UnmarshalJSON"},
	"encoding.TextMarshaler":   {"MarshalText"},
	"encoding.TextUnmarshaler": {"UnmarshalText"},
	"encoding.BinaryMarshaler": {"MarshalBinary"},
}

// pkgOf is the package a unit's name (pkg.T, pkg.(*T).M) starts with.
func pkgOf(name string) string {
	pkg, _, _ := strings.Cut(name, ".")
	return pkg
}

// exprString is e as gofmt prints it. (go/types' ExprString says it
// more compactly, but would link the type checker, 1.2 MB, for this.)
func exprString(e ast.Expr) string {
	var b strings.Builder
	if err := printer.Fprint(&b, token.NewFileSet(), e); err != nil {
		return ""
	}
	return b.String()
}
