package index

import (
	"strings"

	"github.com/aiex-dev/aiex/db"
)

// Calls through fields. A call s.store.Get(k) on a *Server whose field
// store is declared in another file of the package is a field ref,
// pkg.(*Server).store.Get (app/chunk/golang_fields.go): the fields from
// Server, then the method. No chunk has that name. The directory's shapes
// record the type of each field of the package's own named type (store:
// Store, cache:*Cache), so the index settles such a name as Go's rule for
// selectors does, one field at a time, and lists it with the chunks the
// method ref of the last field's type reaches (pkg.(*Store).Get): Store's
// method, the piece of an interface Store declaring Get, or the method
// promoted into Store. Wrong edges are worse than missing ones, so a
// step gives nothing where the shapes do not settle it:
//   - the type the field is looked up in must be a struct declared once
//     in the directory with a known shape;
//   - a field it declares by name is the field, of the type its shape
//     records (none for a type parameter, a predeclared or imported type,
//     a map, slice, function, channel or anonymous struct); a method of
//     that name makes the selector a method, which no call goes through;
//   - a field promoted through embedding is settled by the rule for
//     promoted names (promoted.go): the one declaration at the shallowest
//     depth, which must be a field, and no unknown type at or above it.
//
// The chunker makes field refs only from types of the package's own, in
// the package's own files, and the rows are computed from the field refs
// of the directory's files (code_shapes keeps them beside the shapes), so
// a directory's rows still depend on its own files alone, and are as many
// as the names its chunks use.

// isFieldRef reports whether a ref is a field ref, pkg.(*T).f.M: a method
// ref (pkg.(*T).M) has no dot after its type's.
func isFieldRef(name string) bool {
	_, rest, ok := strings.Cut(name, ".(*")
	if !ok {
		return false
	}
	_, rest, ok = strings.Cut(rest, ").")
	return ok && strings.IndexByte(rest, '.') > 0
}

// fieldRows returns the rows of the field refs of the directory dir.
func (d *dirTypes) fieldRows(dir string) []db.CodePromoted {
	var out []db.CodePromoted
	for _, name := range d.calls {
		for _, at := range d.fieldCall(name) {
			out = append(out, db.CodePromoted{Dir: dir, Name: name, Path: at.path, Target: at.name})
		}
	}
	return out
}

// fieldCall returns the chunks the field ref name reaches, by the rule
// above.
func (d *dirTypes) fieldCall(name string) []target {
	pkg, rest, _ := strings.Cut(name, ".(*")
	typ, rest, _ := strings.Cut(rest, ").")
	sels := strings.Split(rest, ".")
	key := pkg + "." + typ
	for _, f := range sels[:len(sels)-1] {
		var ok bool
		if key, ok = d.fieldType(pkg, key, f); !ok {
			return nil
		}
	}
	return d.methodTargets(key, sels[len(sels)-1])
}

// fieldType returns the key of the type of the field name of the struct
// type key, and whether the shapes settle it.
func (d *dirTypes) fieldType(pkg, key, name string) (string, bool) {
	t := d.types[key]
	if t == nil || t.decls != 1 || len(t.shape) == 0 || t.shape[0] != "struct" {
		return "", false
	}
	if _, ok := t.methods[name]; ok {
		return "", false
	}
	typ, found := "", false
	for _, f := range t.shape[1:] {
		if n, ft, _ := shapeField(f); n == name {
			typ, found = ft, true
			break
		}
	}
	if !found {
		c, ok := d.promotedNames(key)[name]
		if !ok || c.method {
			return "", false
		}
		typ = c.typ
	}
	typ = strings.TrimPrefix(typ, "*")
	if typ == "" || typ == "?" || strings.Contains(typ, ".") {
		return "", false
	}
	return pkg + "." + typ, true
}

// methodTargets returns the chunks the method ref of method m of the type
// key (pkg.(*T).m) reaches in the directory: T's own method, the piece of
// an interface T declaring it, or the method the rule for promoted names
// settles.
func (d *dirTypes) methodTargets(key, m string) []target {
	t := d.types[key]
	if t == nil {
		return nil
	}
	if at := t.methods[m]; len(at) > 0 {
		return at
	}
	if t.decls != 1 || len(t.shape) == 0 {
		return nil
	}
	switch t.shape[0] {
	case "interface":
		if at, ok := t.own[m]; ok {
			return []target{at}
		}
		if s := d.methodSet(key); s.ok {
			return s.methods[m]
		}
	case "struct":
		if c, ok := d.promotedNames(key)[m]; ok && c.method {
			return c.targets
		}
	}
	return nil
}
