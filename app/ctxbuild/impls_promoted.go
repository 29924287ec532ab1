package ctxbuild

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// A Go type has the methods of the types it embeds (type TCPConn
// struct{ conn }: conn's Close is TCPConn's), and those of an interface it
// embeds; no method chunk of the type declares them. The index settles
// which method each promoted name reaches by Go's rule, for the types of
// one package, to depth 4 (app/index/promoted.go, code_promoted): the
// implementations of an interface count them as the type's own.
//
// What goes in for such a type is what runs: for a method asked about,
// the embedded type's method — TCPConn's declaration would only say that
// it embeds conn, and each of TCPConn, UDPConn and IPConn gives the same
// conn.Close, which goes once. For a method an embedded interface declares,
// no code of the method's own runs: the promoting type's declaration,
// which says what it wraps, goes in. For the interface itself, the
// implementing types' declarations, as for any implementation.

// addPromoted adds to shapes (decodeShapes' of dirs) the methods of set
// promoted to each type of dirs, as code_promoted lists them, where the
// type does not declare one of the name itself.
func addPromoted(ctx context.Context, st *db.Store, project int64, dirs, set []string, shapes map[string]*dirDecls) error {
	dl, err := json.Marshal(dirs)
	if err != nil {
		return err
	}
	ml, err := json.Marshal(set)
	if err != nil {
		return err
	}
	// pkg.(*Outer).M, not a field ref pkg.(*T).f.M: what follows ")." is
	// one of set.
	rows, err := st.Query(ctx, `SELECT p.dir, p.name, t.name, t.path, t.kind FROM json_each(?2) AS d
		CROSS JOIN code_promoted AS p CROSS JOIN code_chunks AS t
		WHERE p.project = ?1 AND p.dir = d.value AND t.id = p.chunk_id
		AND substr(p.name, instr(p.name, ').') + 2) IN (SELECT value FROM json_each(?3))`, project, string(dl), string(ml))
	if err != nil {
		return fmt.Errorf("ctxbuild: promoted methods: %w", err)
	}
	for _, r := range rows.Values {
		dir, _ := r[0].(string)
		name, _ := r[1].(string)
		target, _ := r[2].(string)
		path, _ := r[3].(string)
		kind, _ := r[4].(string)
		typ, m, ok := receiver(name)
		if !ok || strings.Contains(m, ".") {
			continue
		}
		dd := shapes[dir]
		if dd == nil {
			dd = &dirDecls{types: map[string]typeDecl{}, methods: map[string]map[string]declName{}}
			shapes[dir] = dd
		}
		if dd.methods[typ] == nil {
			dd.methods[typ] = map[string]declName{}
		}
		if _, seen := dd.methods[typ][m]; !seen {
			dd.methods[typ][m] = declName{name: unitName(target), path: path, iface: kind == chunk.KindType}
		}
	}
	return nil
}

// implUnit is the unit an implementing type t gives for the method key
// (want and wantTypes its signature, when known: one that differs is
// another method of the name, and nil is returned): its method of the name
// (found, the lookup's, holds it or it is looked up), or with
// declarations its declaration; for a method an embedded interface
// declares, the type's declaration either way. Nil when the unit cannot
// be read now, or t is an interface.
func (b *Builder) implUnit(ctx context.Context, proj db.CodeProject, t implType, key string, want *sig, wantTypes string, declarations bool, found map[string]db.CodeChunk, files *fileCache) (*Item, error) {
	if t.method.iface {
		ic, ok, err := b.chunkNamed(ctx, proj, t.method.name, t.method.path, chunk.KindType, files)
		if err != nil || !ok {
			return nil, err
		}
		iit, err := b.implItem(ctx, proj, ic, files)
		if err != nil || iit == nil {
			return nil, err
		}
		emb, ok := parseIface(iit.full)
		if !ok {
			return nil, nil
		}
		if ft := emb.funcs[key]; ft != nil {
			if want != nil && (sig{paramCount(ft.Params), paramCount(ft.Results)}) != *want {
				return nil, nil
			}
			if wantTypes != "" && typeSig(ft, pkgOf(ic.Name), nil) != wantTypes {
				return nil, nil
			}
		}
		it, err := b.typeDeclItem(ctx, proj, t, files)
		if err != nil || it == nil {
			return nil, err
		}
		if _, isIface := parseIface(it.full); isIface {
			return nil, nil // an interface embedding another: no implementation
		}
		return it, nil
	}
	mc, ok := found[t.method.name]
	if !ok {
		var err error
		if mc, ok, err = b.chunkNamed(ctx, proj, t.method.name, t.method.path, chunk.KindMethod, files); err != nil || !ok {
			return nil, err
		}
	}
	it, err := b.implItem(ctx, proj, mc, files)
	if err != nil || it == nil {
		return nil, err
	}
	if got, ok := methodSig(it.full); want != nil && ok && got != *want {
		return nil, nil // the same name, another method
	}
	if got, ok := methodTypes(it.full, pkgOf(it.Name)); wantTypes != "" && ok && got != wantTypes {
		return nil, nil // as many values, of other types
	}
	if !declarations {
		return it, nil
	}
	return b.typeDeclItem(ctx, proj, t, files)
}

// typeDeclItem is the item of t's declaration; nil when it is not found
// or cannot be read now.
func (b *Builder) typeDeclItem(ctx context.Context, proj db.CodeProject, t implType, files *fileCache) (*Item, error) {
	tyc, ok, err := b.chunkNamed(ctx, proj, t.name, t.dir, chunk.KindType, files)
	if err != nil || !ok {
		return nil, err
	}
	return b.implItem(ctx, proj, tyc, files)
}

// embeddedFunc is the type of the method m that ifc, the Go interface tc,
// has through an interface it embeds, with the package its types are
// written in (typeSig): the first interface declaring m, breadth first
// through the embedded interfaces of the index, its own package's (in
// its directory) and others' (by name, the first of that name that is an
// interface), at most 2×maxEmbedLookups looked up; error's Error. Nil
// when none is known.
func (b *Builder) embeddedFunc(ctx context.Context, proj db.CodeProject, tc db.CodeChunk, ifc goIface, m string, files *fileCache) (*ast.FuncType, string, error) {
	type embedded struct{ name, dir string } // dir: its directory; anyDir for another package's
	const anyDir = "\x00"
	var queue []embedded
	add := func(es []string, pkg, dir string) bool {
		for _, e := range es {
			switch {
			case e == "error":
				if m == "Error" {
					return true
				}
			case strings.Contains(e, "."):
				queue = append(queue, embedded{e, anyDir})
			default:
				queue = append(queue, embedded{pkg + "." + e, dir})
			}
		}
		return false
	}
	if add(ifc.embeds, pkgOf(tc.Name), shapesDir(tc.Path)) {
		return errorFunc(), "", nil
	}
	seen := map[string]bool{}
	for n := 0; len(queue) > 0 && n < 2*maxEmbedLookups; {
		e := queue[0]
		queue = queue[1:]
		if seen[e.name] {
			continue
		}
		seen[e.name] = true
		n++
		c, ok, err := b.chunkNamed(ctx, proj, e.name, e.dir, chunk.KindType, files)
		if err != nil || !ok {
			if err != nil {
				return nil, "", err
			}
			continue
		}
		it, err := b.implItem(ctx, proj, c, files)
		if err != nil || it == nil {
			if err != nil {
				return nil, "", err
			}
			continue
		}
		inner, ok := parseIface(it.full)
		if !ok || inner.funcs == nil {
			continue
		}
		if ft := inner.funcs[m]; ft != nil {
			return ft, pkgOf(c.Name), nil
		}
		if add(inner.embeds, pkgOf(c.Name), shapesDir(c.Path)) {
			return errorFunc(), "", nil
		}
	}
	return nil, "", nil
}

// errorFunc is the type of error's method Error.
func errorFunc() *ast.FuncType {
	ifc, _ := parseIface("type error interface{ Error() string }")
	return ifc.funcs["Error"]
}
