package ctxbuild

import (
	"errors"
	"path"
	"slices"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/aiex-dev/aiex/db"
)

// The shapes of Go files (code_shapes, app/index/promoted.go) name each
// directory's types and methods: what the implementations of an interface
// are found in (impls_go.go).

// dirDecls is what the shapes of one directory's Go files declare: its
// types, or the methods of each, by the type's name (pkg.T).
type dirDecls struct {
	types   map[string]typeDecl
	methods map[string]map[string]declName
}

// typeDecl is a type's declaration: its file, shape and members.
type typeDecl struct {
	path    string
	shape   []string
	members []string
}

// declName is a method's unit's name (without a piece's #N, for one the
// chunker split), and its file. A method promoted to a type through
// embedding (addPromoted) is the embedded type's method; one an embedded
// interface declares is that interface's unit (iface), which has no code
// of the method's own.
type declName struct {
	name, path string
	iface      bool
}

// shapesDir is the directory of a file as code_shapes keys it: with its
// slash, "" at the root.
func shapesDir(p string) string {
	if d := path.Dir(p); d != "." {
		return d + "/"
	}
	return ""
}

// decodeShapes reads code_shapes rows by directory: each a JSON array of
// [name, shape, members] for a type, [name] for a method and
// [name, "call"] for a field ref (app/index's encodeDecls). It keeps the
// types, or, given methods, only the methods of those names: a
// directory's rows are many (net/http's, 400 kB), and an interface's
// methods are a few of them. They are read as JSON tokens, not decoded
// into values (5 ms a context on the 40 directories of io.Reader's
// implementations); a row that does not read ends its file's.
func decodeShapes(rows []db.CodeShapes, methods []string) map[string]*dirDecls {
	out := map[string]*dirDecls{}
	for _, r := range rows {
		d := shapesDir(r.Path)
		dd := out[d]
		if dd == nil {
			dd = &dirDecls{types: map[string]typeDecl{}, methods: map[string]map[string]declName{}}
			out[d] = dd
		}
		dec := jsontext.NewDecoder(strings.NewReader(r.Shapes))
		if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '[' {
			continue
		}
		for dec.PeekKind() == '[' {
			row, err := readRow(dec, methods == nil)
			if err != nil {
				break
			}
			if row.n == 1 && methods != nil && slices.Contains(methods, methodName(row.name)) || row.n > 1 && !row.call && methods == nil {
				addDecl(dd, r.Path, row)
			}
		}
	}
	return out
}

// shapeRow is one row of a file's shapes: its name, and for a type its
// shape and members; nil values, and call, as they were written.
type shapeRow struct {
	name           string
	n              int // how many values the row has
	call           bool
	shape, members []string
}

// addDecl adds a file's row to its directory's decls.
func addDecl(dd *dirDecls, path string, row shapeRow) {
	base := unitName(row.name)
	switch {
	case row.n == 1:
		typ, m, ok := receiver(base)
		if !ok {
			return
		}
		if dd.methods[typ] == nil {
			dd.methods[typ] = map[string]declName{}
		}
		if _, seen := dd.methods[typ][m]; !seen {
			dd.methods[typ][m] = declName{name: base, path: path}
		}
	default:
		if _, seen := dd.types[base]; !seen {
			dd.types[base] = typeDecl{path: path, shape: row.shape, members: row.members}
		}
	}
}

// errShape is a row of shapes that is not as app/index writes them.
var errShape = errors.New("ctxbuild: a row of code shapes that does not read")

// readRow reads a row: [name], [name, "call"] or [name, shape, members].
// Without lists, a type's shape and members are read past, not kept.
func readRow(dec *jsontext.Decoder, lists bool) (r shapeRow, err error) {
	if _, err := dec.ReadToken(); err != nil {
		return r, err
	}
	for dec.PeekKind() != ']' {
		switch {
		case r.n == 0:
			r.name, err = readString(dec)
		case r.n == 1 && dec.PeekKind() == '"':
			var v string
			v, err = readString(dec)
			r.call = v == "call"
		case r.n == 1:
			r.shape, err = readList(dec, lists)
		case r.n == 2:
			r.members, err = readList(dec, lists)
		default:
			err = errShape
		}
		if err != nil {
			return r, err
		}
		r.n++
	}
	if _, err := dec.ReadToken(); err != nil {
		return r, err
	}
	return r, nil
}

// readString reads a string.
func readString(dec *jsontext.Decoder) (string, error) {
	tok, err := dec.ReadToken()
	if err != nil {
		return "", err
	}
	if tok.Kind() != '"' {
		return "", errShape
	}
	return tok.String(), nil
}

// readList reads an array of strings, or null (nil); with keep false, it
// reads past it.
func readList(dec *jsontext.Decoder, keep bool) ([]string, error) {
	switch k := dec.PeekKind(); {
	case k == 'n':
		_, err := dec.ReadToken()
		return nil, err
	case k != '[':
		return nil, errShape
	case !keep:
		return nil, dec.SkipValue()
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, err
	}
	out := []string{}
	for dec.PeekKind() != ']' {
		v, err := readString(dec)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	_, err := dec.ReadToken()
	return out, err
}

// receiver splits a Go method's name, pkg.T.M or pkg.(*T).M, into its
// receiver type's (pkg.T) and the method's.
func receiver(name string) (typ, m string, ok bool) {
	pkg, rest, ok := strings.Cut(name, ".")
	if !ok {
		return "", "", false
	}
	if t, after, ok := strings.Cut(strings.TrimPrefix(rest, "(*"), ")."); ok && strings.HasPrefix(rest, "(*") {
		return pkg + "." + t, after, true
	}
	t, m, ok := strings.Cut(rest, ".")
	return pkg + "." + t, m, ok && !strings.Contains(m, ".")
}
