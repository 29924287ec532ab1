package ctxbuild

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// goImplementations is implementations for a Go interface (tc, the target
// item target) or a method of one (typed, the target as the request gave
// it, or the line of a PATH:LINE, names it: askedMethod): up to maxImpls
// of the units implementing it, and the further ones (implementations).
//
// An implementation is a type whose methods, its own and those promoted
// to it through embedding (impls_promoted.go), include each of the
// interface's by name (ifaceMethods; a standard library interface it
// embeds, which the index seldom holds, by stdIfaceMethods), its method
// of the name looked up taking and returning the interface's types, as
// written (typeSig; of the interface declaring it, the target or one it
// embeds: embeddedFunc); the unit given is that type's method of the
// name asked about (for a promoted one, the embedded type's method), or,
// for the interface itself or a method an embedded interface declares,
// the type's declaration — its one method's for an interface of one.
// Go's method sets are the type checker's; the index has the names of
// each directory's types and methods (db.CodeShapesIn) and the names
// promoted to them (code_promoted), from which this reads them. The types
// looked at are those of the units a lookup by name finds (at most
// maxImplLookup, the project's own code and the most central first; by
// the interface's rarest method name: implTypes), and those of the
// interface's own directory: the lookup may leave out a project's
// implementations of a method named as often as Read. One that gave
// fewer than maxImpls goes further once (lookFurther). Types of files
// the go tool ignores are none (goIgnored). Those of the interface's
// package come first: written beside it, they show what it was meant for
// (sort.IntSlice for sort.Interface, before the compiler's byPos); then
// the lookup's order.
func (b *Builder) goImplementations(ctx context.Context, proj db.CodeProject, tc db.CodeChunk, target *Item, typed string, own map[int64]bool, files *fileCache) (impls, further []*Item, _ error) {
	if tc.Lang != "go" || tc.Kind != chunk.KindType || target == nil {
		return nil, nil, nil
	}
	ifc, ok := parseIface(target.full)
	if !ok {
		return nil, nil, nil
	}
	set, err := b.ifaceMethods(ctx, proj, tc, ifc)
	if err != nil || len(set) == 0 {
		return nil, nil, err
	}
	// The method looked up, and whether the types' declarations go in.
	key, declarations := askedMethod(ifc, tc, target, typed), false
	if key == "" {
		key = set[0]
		if len(set) > 1 {
			key, declarations = rarest(set), true
		}
	}
	var want *sig // nil: unknown
	for _, m := range ifc.methods {
		if m.name == key {
			want = &m.sig
		}
	}
	wantTypes := "" // the types it takes and returns (typeSig); "": unknown
	if ft := ifc.funcs[key]; ft != nil {
		wantTypes = typeSig(ft, pkgOf(tc.Name), nil)
	} else if want == nil && ifc.funcs != nil {
		// Declared by an interface it embeds: compared as its own are.
		ft, pkg, err := b.embeddedFunc(ctx, proj, tc, ifc, key, files)
		if err != nil {
			return nil, nil, err
		}
		if ft != nil {
			want = &sig{paramCount(ft.Params), paramCount(ft.Results)}
			wantTypes = typeSig(ft, pkg, nil)
		}
	}
	var all []*Item
	var more string
	// A lookup that stopped at its limit may have left out every
	// implementation (a method as common as Close, of types that all
	// have another signature): then it goes further, once.
	for _, limit := range []int{maxImplLookup, maxImplLookup * lookFurther} {
		types, found, full, err := b.implTypes(ctx, proj, tc, set, key, limit, own, files)
		if err != nil {
			return nil, nil, err
		}
		all, more = all[:0], full
		taken := map[string]bool{} // units, by path and name: pieces of one go once
		for _, t := range types {
			if len(all) == maxImplLookup {
				break
			}
			it, err := b.implUnit(ctx, proj, t, key, want, wantTypes, declarations, found, files)
			if err != nil {
				return nil, nil, err
			}
			if it == nil || own[it.id] || taken[it.Path+"\x00"+it.Name] || beside(db.CodeChunk{Path: it.Path, Lang: "go"}, tc.Path) {
				continue // a test's type, promoting a method of code beside it
			}
			taken[it.Path+"\x00"+it.Name] = true
			all = append(all, it)
		}
		if len(all) >= maxImpls || more == "" {
			break
		}
	}
	if declarations {
		// Those of the interface's package first, then by the types' own
		// centrality rather than their methods'.
		ranks, err := b.cfg.Store.CodeRanks(ctx, proj.ID, itemNames(all))
		if err != nil {
			return nil, nil, err
		}
		slices.SortStableFunc(all, func(x, y *Item) int {
			return cmp.Or(cmp.Compare(away(tc, shapesDir(x.Path), x.Name), away(tc, shapesDir(y.Path), y.Name)), cmp.Compare(ranks[y.Name], ranks[x.Name]))
		})
	}
	impls, further = splitImpls(all, more)
	return impls, further, nil
}

// ifaceMethods is the names of the methods of ifc, the Go interface tc:
// methodSet's, the shapes of tc's directory read when it embeds others.
func (b *Builder) ifaceMethods(ctx context.Context, proj db.CodeProject, tc db.CodeChunk, ifc goIface) ([]string, error) {
	if len(ifc.embeds) == 0 {
		return methodSet(ifc, tc.Name, nil, nil), nil
	}
	dir := shapesDir(tc.Path)
	rows, err := b.cfg.Store.CodeShapesIn(ctx, proj.ID, []string{dir})
	if err != nil {
		return nil, err
	}
	var lookupErr error
	lookups := 0
	other := func(q string) []string {
		if lookups++; lookups > maxEmbedLookups || lookupErr != nil {
			return stdIfaceMethods[q]
		}
		ms, err := b.embeddedMethods(ctx, proj, q)
		lookupErr = err
		if ms == nil {
			ms = stdIfaceMethods[q]
		}
		return ms
	}
	set := methodSet(ifc, tc.Name, decodeShapes(rows, nil)[dir], other)
	return set, lookupErr
}

// implTypes returns the types whose methods include each of set (the
// methods of the interface tc), of the units a lookup by name finds (at
// most limit) and of tc's directory, those promoted to them through embedding
// too (addPromoted), each with its method key, in the order they are
// given (see goImplementations), at most limit, leaving out those
// of files the go tool ignores (goIgnored); the methods that the lookup by
// name found, by name; and " or more" when that lookup stopped at its
// limit, so that there may be more than were found.
//
// The lookup is by the name of set that is likeliest to find few units
// (rarest), not necessarily key: the types found by it give their method
// key from their directories' shapes. net.Conn.Close looked up by Close
// finds the 64 most central of hundreds of Close methods, most of them of
// no Conn (a file's, a compressor's); by SetWriteDeadline, the few types
// that have it, each a Conn.
func (b *Builder) implTypes(ctx context.Context, proj db.CodeProject, tc db.CodeChunk, set []string, key string, limit int, own map[int64]bool, files *fileCache) (_ []implType, found map[string]db.CodeChunk, more string, _ error) {
	st := b.cfg.Store
	look := key
	if r := rarest(set); len(r) > len(look) {
		look = r
	}
	cs, err := st.CodeChunksNamedLike(ctx, proj.ID, look, limit)
	if err != nil {
		return nil, nil, "", err
	}
	if len(cs) == limit {
		more = " or more"
	}
	found = map[string]db.CodeChunk{}
	order := map[string]int{} // the lookup's order, by name
	dir := shapesDir(tc.Path)
	dirs := []string{dir}
	for _, c := range cs {
		if c.Lang != "go" || c.Kind != chunk.KindMethod || own[c.ID] || beside(c, tc.Path) || methodName(c.Name) != look {
			continue
		}
		found[c.Name], order[c.Name] = c, len(order)
		if d := shapesDir(c.Path); !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	rows, err := st.CodeShapesIn(ctx, proj.ID, dirs)
	if err != nil {
		return nil, nil, "", err
	}
	shapes := decodeShapes(rows, set)
	if err := addPromoted(ctx, st, proj.ID, dirs, set, shapes); err != nil {
		return nil, nil, "", err
	}
	var types []implType
	for _, d := range dirs {
		dd := shapes[d]
		if dd == nil {
			continue
		}
		for name, ms := range dd.methods {
			m, ok := ms[key]
			if !ok || !hasAll(ms, set) || name == tc.Name {
				continue
			}
			if _, ok := found[ms[look].name]; !ok && d != dir {
				continue
			}
			if beside(db.CodeChunk{Path: m.path, Lang: "go"}, tc.Path) {
				continue
			}
			types = append(types, implType{name: name, dir: d, method: m, looked: ms[look]})
		}
	}
	at := func(t implType) int {
		if i, ok := order[t.looked.name]; ok {
			return i
		}
		return len(order)
	}
	slices.SortFunc(types, func(x, y implType) int {
		return cmp.Or(cmp.Compare(away(tc, x.dir, x.name), away(tc, y.dir, y.name)), cmp.Compare(at(x), at(y)), cmp.Compare(x.name, y.name))
	})
	out := types[:0]
	for _, t := range types {
		if len(out) == limit {
			break
		}
		if files.goIgnored(t.method.path) || files.goIgnored(t.looked.path) {
			continue // not part of its package: a generator's, cgo's input
		}
		out = append(out, t)
	}
	return out, found, more, nil
}

// away is 1 for a type (pkg.T) of directory dir that is not of the
// package of the interface tc, else 0.
func away(tc db.CodeChunk, dir, name string) int {
	pkg, _, _ := strings.Cut(tc.Name, ".")
	return boolInt(dir != shapesDir(tc.Path) || !strings.HasPrefix(name, pkg+"."))
}

// embeddedMethods is the methods the interface named q (pkg.T), of
// another package, declares itself, as the interfaces of that name agree
// on them; nil when none is known, or two of them differ (two packages of
// one name).
func (b *Builder) embeddedMethods(ctx context.Context, proj db.CodeProject, q string) ([]string, error) {
	return interfaceMethods(ctx, b.cfg.Store, proj.ID, q)
}

// interfaceMethods is embeddedMethods of the store st.
func interfaceMethods(ctx context.Context, st *db.Store, project int64, q string) ([]string, error) {
	cs, err := st.CodeChunksNamed(ctx, project, q)
	if err != nil {
		return nil, err
	}
	var out []string
	for i, c := range cs {
		if c.Lang != "go" || c.Kind != chunk.KindType || len(c.Members) == 0 {
			return nil, nil
		}
		ms := declaredMethods(c.Members)
		if i > 0 && !slices.Equal(ms, out) {
			return nil, nil
		}
		out = ms
	}
	return out, nil
}

func itemNames(items []*Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Name
	}
	return out
}

// implItem is the item of role impl of c, a unit of the index, joined to
// its pieces; nil when its file cannot be read now.
func (b *Builder) implItem(ctx context.Context, proj db.CodeProject, c db.CodeChunk, files *fileCache) (*Item, error) {
	w, pieces, err := b.whole(ctx, proj, c)
	if err != nil {
		return nil, err
	}
	it, err := files.item(w, RoleImpl, pieces...)
	if err != nil {
		return nil, nil // unreadable now: leave it out
	}
	return it, nil
}

// chunkNamed returns the unit of kind named name (its first piece, if
// the chunker split it) in the file at path, or of the directory at path
// when it ends with a slash (shapesDir), or of any directory when path is
// "\x00"; not one of a file the go tool ignores (goIgnored).
func (b *Builder) chunkNamed(ctx context.Context, proj db.CodeProject, name, path, kind string, files *fileCache) (db.CodeChunk, bool, error) {
	for _, n := range []string{name, chunk.PieceName(name, 1)} {
		cs, err := b.cfg.Store.CodeChunksNamed(ctx, proj.ID, n)
		if err != nil {
			return db.CodeChunk{}, false, err
		}
		for _, c := range cs {
			if c.Kind == kind && c.Lang == "go" && (c.Path == path || shapesDir(c.Path) == path || path == "\x00") && !files.goIgnored(c.Path) {
				return c, true, nil
			}
		}
	}
	return db.CodeChunk{}, false, nil
}

// implType is a type whose methods include an interface's.
type implType struct {
	name   string   // pkg.T
	dir    string   // its directory, as shapesDir gives it
	method declName // its method of the name asked about
	looked declName // its method of the name looked up (implTypes)
}

// rarest is the method of set a lookup by name is likeliest to find few
// units of: the longest name, of those alike the first in order (Less of
// sort.Interface's Len, Less and Swap).
func rarest(set []string) string {
	out := set[0]
	for _, m := range set[1:] {
		if len(m) > len(out) {
			out = m
		}
	}
	return out
}

// hasAll reports whether a type's methods (by name) include each of set.
func hasAll(methods map[string]declName, set []string) bool {
	for _, m := range set {
		if _, ok := methods[m]; !ok {
			return false
		}
	}
	return true
}

// methodSet is the names of the methods of the interface ifc, named name
// (pkg.T): those it declares, then those of the interfaces it embeds —
// the predeclared error's Error, those of its package as its directory's
// shapes (dd) declare them, those of another package (q.T) as other
// says: the methods the interface of that name declares itself (nil:
// unknown). A method not known here leaves the set smaller than Go's:
// more types have it.
func methodSet(ifc goIface, name string, dd *dirDecls, other func(qualified string) []string) []string {
	var out []string
	add := func(m string) {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	for _, m := range ifc.methods {
		add(m.name)
	}
	pkg, _, _ := strings.Cut(name, ".")
	seen := map[string]bool{name: true}
	var embed func(es []string, depth int)
	embed = func(es []string, depth int) {
		for _, e := range es {
			switch {
			case e == "error":
				add("Error")
				continue
			case strings.Contains(e, "."):
				for _, m := range other(e) {
					add(m)
				}
				continue
			case depth > maxEmbedDepth || dd == nil:
				continue
			}
			k := pkg + "." + e
			t, ok := dd.types[k]
			if !ok || seen[k] || len(t.shape) == 0 || t.shape[0] != "interface" {
				continue
			}
			seen[k] = true
			for _, m := range declaredMethods(t.members) {
				add(m)
			}
			var inner []string
			for _, s := range t.shape[1:] {
				inner = append(inner, strings.TrimPrefix(s, "="))
			}
			embed(inner, depth+1)
		}
	}
	embed(ifc.embeds, 1)
	return out
}

// declaredMethods is the names of the methods an interface's members list,
// (*T).M for each it declares (app/chunk/golang.go).
func declaredMethods(members []string) []string {
	var out []string
	for _, m := range members {
		if i := strings.Index(m, ")."); i >= 0 {
			out = append(out, m[i+2:])
		}
	}
	return out
}

// maxEmbedLookups bounds the lookups of interfaces of other packages an
// interface embeds (heap.Interface's sort.Interface, io.ReadCloser's
// none: io's own).
const maxEmbedLookups = 4

// maxEmbedDepth bounds how deep embedded interfaces are followed, as the
// index's rule for promoted names does (app/index/promoted.go).
const maxEmbedDepth = 4

// lookFurther is how many times maxImplLookup units a lookup by name
// reads when the first maxImplLookup gave fewer than maxImpls
// implementations.
const lookFurther = 4

// methodName is the name of the method a Go method's chunk name ends with.
func methodName(name string) string {
	base := unitName(name)
	return base[strings.LastIndexByte(base, '.')+1:]
}
