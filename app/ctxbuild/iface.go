package ctxbuild

import (
	"context"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/search"
	"github.com/aiex-dev/aiex/db"
)

// A Go interface is one chunk, a type declaration, that lists its methods
// among its members as a call through it names them, (*T).M
// (app/chunk/golang.go): no chunk is named after a method of an
// interface. So a method of one, typed as go doc names it
// (io.Reader.Read) or as such a call does (io.(*Reader).Read), is the
// interface's unit, and what the target asks about of it is that method.

// goIface is what the code of a Go interface type declares: its methods in
// order, and the types it embeds as written (T, q.T).
type goIface struct {
	methods []ifaceMethod
	embeds  []string
	// funcs are the methods' types, by name, to compare a method's with
	// (typeSig); none for a generic interface, whose methods' types are
	// its type parameters'.
	funcs map[string]*ast.FuncType
}

// ifaceMethod is a method an interface declares: its name, its
// signature, and the lines of the code declaring it, from 1, its doc
// comment's included.
type ifaceMethod struct {
	name        string
	sig         sig
	first, last int
}

// parseIface parses code, a Go type declaration's unit (one spec of a
// group comes without the keyword type); ok is false when it declares no
// interface, or a constraint (an interface with a type set, which no
// variable has as its type).
func parseIface(code string) (goIface, bool) {
	if !strings.Contains(code, "interface") {
		return goIface{}, false // a struct, most often: nothing to parse
	}
	var f *ast.File
	fset := token.NewFileSet()
	// Line 1 is the package clause: the code's line n is the file's n+1.
	for _, pre := range []string{"package p\n", "package p\ntype "} {
		var err error
		if f, err = parser.ParseFile(fset, "", pre+code, parser.ParseComments|parser.SkipObjectResolution); err == nil {
			break
		}
	}
	if f == nil || len(f.Decls) != 1 {
		return goIface{}, false
	}
	d, ok := f.Decls[0].(*ast.GenDecl)
	if !ok || d.Tok != token.TYPE || len(d.Specs) != 1 {
		return goIface{}, false
	}
	ts := d.Specs[0].(*ast.TypeSpec)
	it, ok := ast.Unparen(ts.Type).(*ast.InterfaceType)
	if !ok || it.Methods == nil {
		return goIface{}, false
	}
	var out goIface
	if ts.TypeParams == nil {
		out.funcs = map[string]*ast.FuncType{}
	}
	for _, fl := range it.Methods.List {
		switch t := fl.Type.(type) {
		case *ast.FuncType:
			first, last := fset.Position(fl.Pos()).Line-1, fset.Position(fl.End()).Line-1
			if fl.Doc != nil {
				first = fset.Position(fl.Doc.Pos()).Line - 1
			}
			for _, n := range fl.Names {
				out.methods = append(out.methods, ifaceMethod{name: n.Name, sig: sig{paramCount(t.Params), paramCount(t.Results)}, first: first, last: last})
				if out.funcs != nil {
					out.funcs[n.Name] = t
				}
			}
		case *ast.Ident:
			out.embeds = append(out.embeds, t.Name)
		case *ast.SelectorExpr:
			if q, ok := t.X.(*ast.Ident); ok {
				out.embeds = append(out.embeds, q.Name+"."+t.Sel.Name)
			}
		default:
			return goIface{}, false // ~int | string: a constraint
		}
	}
	return out, len(out.methods)+len(out.embeds) > 0
}

// paramCount is how many parameters (or results) a list declares.
func paramCount(fl *ast.FieldList) int {
	n := 0
	if fl != nil {
		for _, f := range fl.List {
			n += max(1, len(f.Names))
		}
	}
	return n
}

// sig is a function's number of parameters and of results (each name
// counts: (key, value string) is two).
type sig struct{ params, results int }

// methodSig is the signature of the method that code, a Go method's unit,
// declares, read from its tokens up to its body (which is not parsed); ok
// is false when code declares none.
func methodSig(code string) (_ sig, ok bool) {
	var s scanner.Scanner
	src := []byte(code)
	s.Init(token.NewFileSet().AddFile("", -1, len(src)), src, nil, 0)
	next := func() token.Token {
		_, tok, _ := s.Scan()
		return tok
	}
	// skip reads to the bracket closing the one just read.
	skip := func(open, close token.Token) bool {
		for depth := 1; depth > 0; {
			switch next() {
			case open:
				depth++
			case close:
				depth--
			case token.EOF:
				return false
			}
		}
		return true
	}
	// list counts the elements of the list whose parenthesis was just
	// read: each, named or not, is one more comma at the list's own depth;
	// a comma before the closing parenthesis ends a line.
	list := func() int {
		n, depth, last := 0, 0, token.LPAREN
		for {
			tok := next()
			switch tok {
			case token.EOF:
				return -1
			case token.LPAREN, token.LBRACK, token.LBRACE:
				depth++
			case token.RBRACK, token.RBRACE:
				depth--
			case token.RPAREN:
				if depth == 0 {
					if last != token.LPAREN && last != token.COMMA {
						n++
					}
					return n
				}
				depth--
			case token.COMMA:
				if depth == 0 {
					n++
				}
			}
			last = tok
		}
	}
	tok := next()
	for tok != token.FUNC && tok != token.EOF {
		tok = next()
	}
	if tok != token.FUNC || next() != token.LPAREN || !skip(token.LPAREN, token.RPAREN) || next() != token.IDENT {
		return sig{}, false
	}
	tok = next()
	if tok == token.LBRACK { // type parameters
		if !skip(token.LBRACK, token.RBRACK) {
			return sig{}, false
		}
		tok = next()
	}
	if tok != token.LPAREN {
		return sig{}, false
	}
	out := sig{params: list()}
	switch next() {
	case token.LBRACE, token.SEMICOLON, token.EOF: // none
	case token.LPAREN:
		out.results = list()
	default:
		out.results = 1
	}
	return out, out.params >= 0 && out.results >= 0
}

// ifaceMethodNamed returns the Go interfaces that declare the method sym
// names, pkg.T.M, T.M, or with (*T) for T (go doc's io.Reader.Read, a
// call's io.(*Reader).Read): the type T of those search.Named finds,
// whose members list (*T).M. None when sym is of no such form.
func ifaceMethodNamed(ctx context.Context, st *db.Store, project int64, sym string, limit int) ([]db.CodeChunk, error) {
	typ, m, ok := cutMethod(sym)
	if !ok {
		return nil, nil
	}
	short := typ[strings.LastIndexByte(typ, '.')+1:]
	member := "(*" + short + ")." + m
	cs, err := search.Named(ctx, st, project, typ, limit)
	if err != nil {
		return nil, err
	}
	var out []db.CodeChunk
	for _, c := range cs {
		if c.Lang != "go" || c.Kind != chunk.KindType {
			continue
		}
		members := c.Members
		if base, piece := chunk.PieceOf(c.Name); piece {
			// A split interface: each piece lists the methods it declares.
			ps, err := st.CodeUnitPieces(ctx, project, c.Path, base)
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				members = append(members, p.Members...)
			}
		}
		if slices.Contains(members, member) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		// A method of an interface it embeds (http.Store.Execute, Store
		// embedding Database), when the index holds that one.
		for _, c := range cs {
			if c.Lang != "go" || c.Kind != chunk.KindType {
				continue
			}
			ok, err := embedsMethod(ctx, st, project, c, m)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// embedsMethod reports whether c, a Go type of the index, is an interface
// that has the method m through an interface it embeds: its directory's
// shapes say what it embeds, and what each embedded interface of its
// package declares (methodSet); one of another package is looked up by
// name (at most maxEmbedLookups).
func embedsMethod(ctx context.Context, st *db.Store, project int64, c db.CodeChunk, m string) (bool, error) {
	dir := shapesDir(c.Path)
	rows, err := st.CodeShapesIn(ctx, project, []string{dir})
	if err != nil {
		return false, err
	}
	dd := decodeShapes(rows, nil)[dir]
	if dd == nil {
		return false, nil
	}
	t, ok := dd.types[c.Name]
	if !ok || len(t.shape) < 2 || t.shape[0] != "interface" {
		return false, nil
	}
	var ifc goIface
	for _, e := range t.shape[1:] {
		ifc.embeds = append(ifc.embeds, strings.TrimPrefix(e, "="))
	}
	lookups := 0
	var lookupErr error
	other := func(q string) []string {
		if lookups++; lookups > maxEmbedLookups || lookupErr != nil {
			return stdIfaceMethods[q]
		}
		ms, err := interfaceMethods(ctx, st, project, q)
		lookupErr = err
		if ms == nil {
			ms = stdIfaceMethods[q]
		}
		return ms
	}
	set := methodSet(ifc, c.Name, dd, other)
	return slices.Contains(set, m), lookupErr
}

// cutMethod splits a Go method's name, pkg.T.M, T.M, pkg.(*T).M or
// (*T).M, into its type's (pkg.T, T) and the method's; ok is false for a
// name of no such form.
func cutMethod(sym string) (typ, m string, ok bool) {
	i := strings.LastIndexByte(sym, '.')
	if i <= 0 || !token.IsIdentifier(sym[i+1:]) {
		return "", "", false
	}
	typ, m = sym[:i], sym[i+1:]
	if strings.HasSuffix(typ, ")") {
		j := strings.LastIndex(typ, "(*")
		if j < 0 || j > 0 && typ[j-1] != '.' {
			return "", "", false
		}
		typ = typ[:j] + typ[j+2:len(typ)-1]
	}
	for _, p := range strings.Split(typ, ".") {
		if !token.IsIdentifier(p) {
			return "", "", false
		}
	}
	return typ, m, strings.Count(typ, ".") <= 1
}

// askedMethod is the method of ifc, the interface target tc, that the
// request asks about: the one whose lines (its doc comment's too) hold
// the line a PATH:LINE names (target.line), or the one its name names
// (kv.Storer.Get; target as typed); "" when it names the interface
// itself.
func askedMethod(ifc goIface, tc db.CodeChunk, target *Item, typed string) string {
	if target.line > 0 {
		line := target.line - target.StartLine + 1
		for _, m := range ifc.methods {
			if m.first <= line && line <= m.last {
				return m.name
			}
		}
		return ""
	}
	name, _ := goName(typed)
	typ, m, ok := cutMethod(name)
	short := tc.Name[strings.IndexByte(tc.Name, '.')+1:]
	if !ok || typ != short && !strings.HasSuffix(typ, "."+short) {
		return ""
	}
	if slices.ContainsFunc(ifc.methods, func(x ifaceMethod) bool { return x.name == m }) {
		return m
	}
	if len(ifc.embeds) > 0 {
		// Named so, the interface is the target only when it has the
		// method through one it embeds (ifaceMethodNamed).
		return m
	}
	return ""
}

// ifaceTargetMethod is the method of the Go interface tc (the target
// item target) that the request asks about (askedMethod), "" when it
// asks about the interface, or tc is none.
func ifaceTargetMethod(tc db.CodeChunk, target *Item, typed string) string {
	if tc.Lang != "go" || tc.Kind != chunk.KindType || target == nil {
		return ""
	}
	ifc, ok := parseIface(target.full)
	if !ok {
		return ""
	}
	return askedMethod(ifc, tc, target, typed)
}

// methodRef is the name a call of method m through tc, a Go interface,
// refers to (pkg.(*T).M, as app/chunk names it); "" for no method.
func methodRef(tc db.CodeChunk, m string) string {
	if m == "" {
		return ""
	}
	pkg, typ, ok := strings.Cut(unitName(tc.Name), ".")
	if !ok {
		return ""
	}
	return pkg + ".(*" + typ + ")." + m
}

// callingFirst returns near with the callers whose code calls method m
// (".M(") before the other callers, each run in its order: a caller of
// an interface calls any of its methods, and one asked about is asked
// about for how it is called.
func callingFirst(near []*Item, m string) []*Item {
	call := "." + m + "("
	var calling, others []*Item
	at := -1 // where the callers start
	for i, it := range near {
		if it.Role != RoleCaller {
			continue
		}
		if at < 0 {
			at = i
		}
		if strings.Contains(it.full, call) {
			calling = append(calling, it)
		} else {
			others = append(others, it)
		}
	}
	if at < 0 {
		return near
	}
	out := slices.Clone(near[:at])
	out = append(out, calling...)
	out = append(out, others...)
	for _, it := range near[at:] {
		if it.Role != RoleCaller {
			out = append(out, it)
		}
	}
	return out
}
