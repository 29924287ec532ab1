package index

import (
	"encoding/json"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/db"
)

// Methods promoted through embedding. A call srv.Close() on a *Server
// whose Close is Base's (type Server struct{ *Base }) is a ref
// pkg.(*Server).Close, which no chunk declares. For each directory, the
// index applies Go's rule for promoted names (the selector reaches the
// field or method at the shallowest depth of embedding, if it is the only
// one there) to the shapes of its types (app/chunk/golang_shapes.go) and
// the names of its methods, and lists the names it settles with the chunk
// each reaches (db.CodePromoted); and the calls through fields its chunks
// make, by the same rule (fieldcalls.go). Wrong edges are worse than
// missing ones, so the rule gives nothing where the chunks do not settle
// it:
//   - a name Outer declares itself (a method, a field): its own;
//   - breadth first over the embedded types, to depth 4: at a depth where
//     an embedded type is unknown (another package's, an alias, a type
//     defined from another named type, one declared more than once, one
//     a chunk of an older analyzer gives no shape of), nothing for the
//     names not settled above it; a name with exactly one declaration at
//     its depth, a method, reaches that method's chunk (each of them when
//     build constraints declare the method in several files, as a direct
//     call's name does); a field, or two declarations at the depth (two
//     paths to the same type count twice), reach nothing;
//   - a type reached at a shallower depth is not looked into again, as
//     the type checker does not;
//   - an embedded interface brings its whole method set at its depth:
//     its own methods (the piece of its chunk declaring each is the
//     target) and those of the interfaces it embeds, if all are known and
//     no two of them declare a method the interface does not.
//
// An interface that embeds interfaces has their methods too: a call
// rw.Close() through type RW interface{ Reader; Closer } names
// pkg.(*RW).Close, which reaches Closer's chunk by the same rule.
//
// Only types of the package itself are followed (a directory's, under its
// package name): a type of another package would make a directory's names
// depend on that package's files, and every directory along a chain of
// embedding would have to be computed again when one changes. So a
// directory's rows depend on its own files alone, and a run recomputes
// those of each directory it changes a Go file of.

// maxPromoteDepth bounds the search: deeper promotions are rare and each
// level multiplies the types looked at.
const maxPromoteDepth = 4

// decl is what a Go file declares that the rule reads: a type's chunk
// (its name, shape and members) or a method's (its name only); or a field
// ref its chunks make (fieldcalls.go), which the rule settles.
type decl struct {
	name    string
	method  bool
	call    bool
	shape   []string // nil: unknown (a chunk of an older analyzer)
	members []string
}

// fileDecls returns the decls of a file's chunks, nil if it has none.
func fileDecls(chunks []db.CodeChunk) []decl {
	var out []decl
	var calls map[string]bool
	for _, c := range chunks {
		switch c.Kind {
		case "method":
			out = append(out, decl{name: c.Name, method: true})
		case "type":
			out = append(out, decl{name: c.Name, shape: c.Shape, members: c.Members})
		}
		for _, r := range c.Refs {
			if isFieldRef(r) && !calls[r] {
				if calls == nil {
					calls = map[string]bool{}
				}
				calls[r] = true
				out = append(out, decl{name: r, call: true})
			}
		}
	}
	return out
}

// encodeDecls is decls as code_shapes holds them: [name, shape, members]
// for a type, [name] for a method, [name, "call"] for a field ref.
func encodeDecls(ds []decl) string {
	rows := make([][]any, len(ds))
	for i, d := range ds {
		switch {
		case d.method:
			rows[i] = []any{d.name}
		case d.call:
			rows[i] = []any{d.name, "call"}
		default:
			rows[i] = []any{d.name, d.shape, d.members}
		}
	}
	b, _ := json.Marshal(rows) // strings only: it cannot fail
	return string(b)
}

// decodeDecls reads what encodeDecls wrote (and what migration 0024
// copied from older chunks); a malformed row reads as nothing.
func decodeDecls(s string) []decl {
	var rows [][]json.RawMessage
	if json.Unmarshal([]byte(s), &rows) != nil {
		return nil
	}
	out := make([]decl, 0, len(rows))
	for _, r := range rows {
		var d decl
		if len(r) == 0 || json.Unmarshal(r[0], &d.name) != nil {
			continue
		}
		d.method = len(r) == 1
		if len(r) == 2 && string(r[1]) == `"call"` {
			d.call = true
			out = append(out, d)
			continue
		}
		if len(r) > 1 {
			_ = json.Unmarshal(r[1], &d.shape) // null: unknown
		}
		if len(r) > 2 {
			_ = json.Unmarshal(r[2], &d.members)
		}
		out = append(out, d)
	}
	return out
}

// target is a chunk a promoted name reaches: its file and name.
type target struct{ path, name string }

// typeInfo is one type of a directory, by qualified name (pkg.T).
type typeInfo struct {
	decls int      // type chunks declaring it (a split one's first piece counts)
	shape []string // of the one declaration
	// own are the interface's methods, each with the piece declaring it.
	own map[string]target
	// methods are the methods declared on it, each with its chunks.
	methods map[string][]target
}

// dirTypes is what the rule knows of one directory.
type dirTypes struct {
	types map[string]*typeInfo
	// sets memoizes interfaces' method sets (methodSet).
	sets map[string]ifaceSet
	// promoted memoizes the names promoted into struct types
	// (promotedNames).
	promoted map[string]map[string]candidate
	// calls are the field refs the directory's chunks make, each once.
	calls []string
}

// ifaceSet is an interface's method set: the target of each method, none
// when two interfaces it embeds declare it; ok is false when it embeds an
// unknown type.
type ifaceSet struct {
	methods map[string][]target
	ok      bool
}

func (d *dirTypes) info(key string) *typeInfo {
	t := d.types[key]
	if t == nil {
		t = &typeInfo{own: map[string]target{}, methods: map[string][]target{}}
		d.types[key] = t
	}
	return t
}

// newDirTypes gathers the types and methods of a directory's files.
func newDirTypes(files map[string][]decl) *dirTypes {
	d := &dirTypes{types: map[string]*typeInfo{}, sets: map[string]ifaceSet{}, promoted: map[string]map[string]candidate{}}
	calls := map[string]bool{}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		for _, x := range files[p] {
			if x.call {
				if !calls[x.name] {
					calls[x.name] = true
					d.calls = append(d.calls, x.name)
				}
				continue
			}
			name, first := x.name, true
			if i := strings.IndexByte(name, '#'); i >= 0 {
				first = name[i:] == "#1"
				name = name[:i]
			}
			if x.method {
				if !first {
					continue
				}
				// pkg.(*T).M or pkg.T.M
				pkg, rest, ok := strings.Cut(name, ".")
				if !ok {
					continue
				}
				rest = strings.TrimPrefix(rest, "(*")
				typ, m, ok := strings.Cut(rest, ".")
				if !ok {
					continue
				}
				typ = strings.TrimSuffix(typ, ")")
				t := d.info(pkg + "." + typ)
				t.methods[m] = append(t.methods[m], target{p, x.name})
				continue
			}
			t := d.info(name)
			if first {
				t.decls++
				t.shape = x.shape
			}
			pkg, typ, _ := strings.Cut(name, ".")
			for _, m := range x.members {
				if rest, ok := strings.CutPrefix(m, "(*"+typ+")."); ok && pkg != "" {
					t.own[rest] = target{p, x.name}
				}
			}
		}
	}
	slices.Sort(d.calls)
	return d
}

// universeError stands for the predeclared error in an embedding.
const universeError = "\x00error"

// resolve returns the key of the type an embedded field of a type of
// package pkg names (shape syntax: T, *T, q.T, ?), and whether it is
// known: declared once in the directory, with a shape of a kind the rule
// can read, or the predeclared error where the package declares none.
func (d *dirTypes) resolve(pkg, typ string) (string, bool) {
	typ = strings.TrimPrefix(typ, "*")
	if typ == "?" || strings.Contains(typ, ".") {
		return "", false
	}
	key := pkg + "." + typ
	t := d.types[key]
	if typ == "error" && (t == nil || t.decls == 0) {
		return universeError, true
	}
	if t == nil || t.decls != 1 || len(t.shape) == 0 {
		return "", false
	}
	switch t.shape[0] {
	case "struct", "interface", "other":
		return key, true
	}
	return "", false
}

// methodSet returns the method set of the interface key.
func (d *dirTypes) methodSet(key string) ifaceSet {
	if s, ok := d.sets[key]; ok {
		return s
	}
	if key == universeError {
		return ifaceSet{methods: map[string][]target{"Error": nil}, ok: true}
	}
	t := d.types[key]
	if t == nil || len(t.shape) == 0 || t.shape[0] != "interface" {
		return ifaceSet{}
	}
	d.sets[key] = ifaceSet{} // a cycle is invalid Go: unknown
	s := ifaceSet{methods: map[string][]target{}, ok: true}
	for m, at := range t.own {
		s.methods[m] = []target{at}
	}
	from := map[string][]target{} // methods of the embedded interfaces
	pkg, _, _ := strings.Cut(key, ".")
	for _, e := range t.shape[1:] {
		k, ok := d.resolve(pkg, strings.TrimPrefix(e, "="))
		var es ifaceSet
		if ok {
			es = d.methodSet(k)
		}
		if !es.ok {
			s = ifaceSet{}
			break
		}
		for m, at := range es.methods {
			if prev, seen := from[m]; seen && !slices.Equal(prev, at) {
				at = nil // declared by two: the rule cannot tell which
			}
			from[m] = at
		}
	}
	if s.ok {
		for m, at := range from {
			if _, own := s.methods[m]; !own {
				s.methods[m] = at
			}
		}
	}
	d.sets[key] = s
	return s
}

// dirRows returns the rows of a directory's files in code_promoted: its
// promoted names, then its field refs (fieldcalls.go).
func dirRows(dir string, files map[string][]decl) []db.CodePromoted {
	d := newDirTypes(files)
	return append(d.promotedRows(dir), d.fieldRows(dir)...)
}

// promotedRows returns the promoted names of the directory dir.
func (d *dirTypes) promotedRows(dir string) []db.CodePromoted {
	var out []db.CodePromoted
	add := func(pkg, typ string, found map[string][]target) {
		for _, m := range slices.Sorted(maps.Keys(found)) {
			for _, at := range found[m] {
				out = append(out, db.CodePromoted{Dir: dir, Name: pkg + ".(*" + typ + ")." + m, Path: at.path, Target: at.name})
			}
		}
	}
	for _, key := range slices.Sorted(maps.Keys(d.types)) {
		t := d.types[key]
		if t.decls != 1 || len(t.shape) == 0 {
			continue
		}
		pkg, typ, _ := strings.Cut(key, ".")
		switch t.shape[0] {
		case "struct":
			add(pkg, typ, d.promotedMethods(key))
		case "interface":
			s := d.methodSet(key)
			if !s.ok {
				continue
			}
			found := map[string][]target{}
			for m, at := range s.methods {
				if _, own := t.own[m]; !own && len(at) > 0 {
					found[m] = at
				}
			}
			add(pkg, typ, found)
		}
	}
	return out
}

// candidate is a declaration of a name at a depth: a field, with its
// type as the shape gives it (T, *T, q.T, ?; "" when the shape does not
// say), or a method with its chunks (none for error's Error, or a method
// two embedded interfaces declare).
type candidate struct {
	method  bool
	targets []target
	typ     string
}

// promotedMethods returns the methods promoted into the struct type key,
// with their chunks.
func (d *dirTypes) promotedMethods(key string) map[string][]target {
	found := map[string][]target{}
	for m, c := range d.promotedNames(key) {
		if c.method && len(c.targets) > 0 {
			found[m] = c.targets
		}
	}
	return found
}

// shapeField splits a struct shape's element into the field's name and
// type: T, *T, q.T or ? for an embedded field (embedded), T or *T for a
// named field of the package's own type, "" for another.
func shapeField(f string) (name, typ string, embedded bool) {
	if name, typ, ok := strings.Cut(f, "="); ok {
		return name, typ, true
	}
	name, typ, _ = strings.Cut(f, ":")
	return name, typ, false
}

// promotedNames returns the names promoted into the struct type key that
// the rule above settles, each with the one declaration it reaches.
func (d *dirTypes) promotedNames(key string) map[string]candidate {
	if found, ok := d.promoted[key]; ok {
		return found
	}
	found := map[string]candidate{}
	d.promoted[key] = found
	t := d.types[key]
	pkg, _, _ := strings.Cut(key, ".")
	settled := map[string]bool{}
	for m := range t.methods {
		settled[m] = true
	}
	var level []string
	for _, f := range t.shape[1:] {
		name, typ, embedded := shapeField(f)
		settled[name] = true
		if embedded {
			k, ok := d.resolve(pkg, typ)
			if !ok {
				k = ""
			}
			level = append(level, k)
		}
	}
	seen := map[string]bool{key: true}
	for depth := 1; depth <= maxPromoteDepth && len(level) > 0; depth++ {
		if slices.Contains(level, "") {
			break // an unknown type at this depth
		}
		cands := map[string][]candidate{}
		var next []string
		var here []string
		for _, k := range level {
			if seen[k] {
				continue // reached at a shallower depth
			}
			here = append(here, k)
			if k == universeError {
				cands["Error"] = append(cands["Error"], candidate{method: true})
				continue
			}
			e := d.types[k]
			switch e.shape[0] {
			case "interface":
				s := d.methodSet(k)
				if !s.ok {
					return found // unknown after all: nothing more is settled
				}
				for m, at := range s.methods {
					cands[m] = append(cands[m], candidate{method: true, targets: at})
				}
				continue
			case "struct":
				for _, f := range e.shape[1:] {
					name, typ, embedded := shapeField(f)
					cands[name] = append(cands[name], candidate{typ: typ})
					if embedded {
						k2, ok := d.resolve(pkg, typ)
						if !ok {
							k2 = ""
						}
						next = append(next, k2)
					}
				}
			}
			for m, at := range e.methods {
				cands[m] = append(cands[m], candidate{method: true, targets: at})
			}
		}
		for _, k := range here {
			seen[k] = true
		}
		for m, cs := range cands {
			if settled[m] {
				continue
			}
			settled[m] = true
			if len(cs) == 1 {
				found[m] = cs[0]
			}
		}
		level = next
	}
	return found
}

// pathDir is the directory of a slash-separated path as the store keys
// it: with its slash, "" at the root.
func pathDir(p string) string {
	d, _ := path.Split(p)
	return d
}
